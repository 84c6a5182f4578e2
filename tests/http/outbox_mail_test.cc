// Mail owed by a commit reaches a real SMTP server through the outbox, even
// when the first delivery attempts fail.
#include <gtest/gtest.h>

#include <thread>

#include "http/e2e_env.h"
#include "support/test_servers.h"

namespace portico::testing {
namespace {

using std::chrono::seconds;

bool EventuallyMessages(const SmtpSink& sink, size_t count, seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (sink.Messages().size() >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

class OutboxMailTest : public ::testing::TestWithParam<Backend> {};

TEST_P(OutboxMailTest, RetriesATransientSmtpFailureUntilDelivered) {
  TestDatabase db(GetParam());
  SmtpSink sink({"--reject-first", "2"});  // 451 twice, then accepts
  ASSERT_GT(sink.port(), 0);
  EnvVars env = BaseEnv(db);
  env["MAIL_URL"] = sink.url();
  env["RESEND_FROM_EMAIL"] = "Portico Test <portico@test.example>";
  env["PORTICO_OUTBOX_BACKOFF_MS"] = "100";
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env, &error)) << error;

  CommandResult created = RunPortico({"tenant", "create", "--slug", "mailed", "--name",
                                      "Mailed Co", "--admin-email", "admin@mailed.example"},
                                     env);
  ASSERT_EQ(created.exit_code, 0) << created.err;

  ASSERT_TRUE(EventuallyMessages(sink, 1, seconds(30))) << server.Log();
  const std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_NE(messages[0].find("admin@mailed.example"), std::string::npos);
  EXPECT_NE(messages[0].find("Mailed Co"), std::string::npos);
  EXPECT_NE(messages[0].find("portico@test.example"), std::string::npos);
  // The failed attempts were recorded, not swallowed.
  EXPECT_NE(server.Log().find("outbox.delivery_failed"), std::string::npos);
  std::this_thread::sleep_for(seconds(1));
  EXPECT_EQ(sink.Messages().size(), 1u) << "delivered once it succeeded, not again";
}

TEST_P(OutboxMailTest, MailQueuedWhileTheServerIsDownIsDeliveredWhenItComesUp) {
  TestDatabase db(GetParam());
  DeadPort dead(DeadPort::kRefusing);
  EnvVars env = BaseEnv(db);
  env["PORTICO_OUTBOX_BACKOFF_MS"] = "100";
  env["PORTICO_OUTBOX_LEASE_MS"] = "2000";  // the crash may come mid-attempt
  env["MAIL_URL"] = "smtp://127.0.0.1:" + std::to_string(dead.port());
  PorticoServer first;
  std::string error;
  ASSERT_TRUE(first.Start(env, &error)) << error;
  CommandResult created = RunPortico({"tenant", "create", "--slug", "later", "--name", "Later",
                                      "--admin-email", "admin@later.example"},
                                     env);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_TRUE(first.WaitForLog("outbox.delivery_failed", seconds(20))) << first.Log();
  first.Kill();  // a crash, with the mail still owed

  SmtpSink sink;
  env["MAIL_URL"] = sink.url();
  PorticoServer second;
  ASSERT_TRUE(second.Start(env, &error)) << error;
  ASSERT_TRUE(EventuallyMessages(sink, 1, seconds(30))) << second.Log();
  EXPECT_NE(sink.Messages()[0].find("admin@later.example"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxMailTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
