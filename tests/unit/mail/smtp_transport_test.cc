// End-to-end SMTP delivery against a real server (tests/support/smtp_sink.py).
#include "src/core/mail/smtp_transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "src/core/mail/mail_transports.h"
#include "tests/support/test_servers.h"
#include "tests/unit/mail/mail_test_util.h"

namespace portico::mail {
namespace {

using portico::testing::Body;
using portico::testing::DeadPort;
using portico::testing::DecodeEncodedWords;
using portico::testing::HeaderValue;
using portico::testing::SmtpSink;

std::unique_ptr<MailTransport> MakeSmtp(const std::string& url,
                                        std::chrono::seconds timeout = std::chrono::seconds(10)) {
  MailSettings settings;
  settings.url = url;
  settings.from = "Portico Test <no-reply@portico.test>";
  settings.timeout = timeout;
  StatusOr<std::unique_ptr<MailTransport>> transport = MakeMailTransport(settings);
  EXPECT_TRUE(transport.ok()) << transport.status().ToString();
  return transport.ok() ? std::move(transport).value() : nullptr;
}

MailMessage CodeMessage() {
  MailMessage message;
  message.to = "alice@example.com";
  message.subject = "Your sign-up code";
  message.text = "Hello Alice,\nyour code is 123456.\n";
  message.idempotency_key = "outbox-1";
  return message;
}

TEST(SmtpTransportTest, DeliversMessageWithRfc5322HeadersToRealServer) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  EXPECT_STREQ(transport->name(), "smtp");

  Status sent = transport->Send(CodeMessage());
  ASSERT_TRUE(sent.ok()) << sent.ToString();

  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  const std::string& eml = messages[0];
  EXPECT_EQ(eml.rfind("X-Sink-Envelope: from=<no-reply@portico.test> to=<alice@example.com>", 0),
            0u)
      << eml;
  EXPECT_EQ(HeaderValue(eml, "From"), "Portico Test <no-reply@portico.test>");
  EXPECT_EQ(HeaderValue(eml, "To"), "alice@example.com");
  EXPECT_EQ(HeaderValue(eml, "Subject"), "Your sign-up code");
  EXPECT_TRUE(std::regex_match(HeaderValue(eml, "Date"),
                               std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} )"
                                          R"(\d{2}:\d{2}:\d{2} \+0000)")))
      << HeaderValue(eml, "Date");
  EXPECT_TRUE(std::regex_match(HeaderValue(eml, "Message-ID"),
                               std::regex(R"(<[A-Za-z0-9_-]{20,}@portico\.test>)")))
      << HeaderValue(eml, "Message-ID");
  EXPECT_EQ(HeaderValue(eml, "MIME-Version"), "1.0");
  EXPECT_EQ(HeaderValue(eml, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(Body(eml), "Hello Alice,\r\nyour code is 123456.\r\n");
}

TEST(SmtpTransportTest, BodyLinesStartingWithADotSurviveDotStuffing) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  MailMessage message = CodeMessage();
  // A lone "." would end the DATA early without dot-stuffing; ".." would lose a dot.
  message.text = ".starts with a dot\n.\n..two dots\nafter the dot line";
  ASSERT_TRUE(transport->Send(message).ok());

  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(Body(messages[0]), ".starts with a dot\r\n.\r\n..two dots\r\nafter the dot line\r\n");
}

TEST(SmtpTransportTest, EncodesNonAsciiSubjectAndBody) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  MailMessage message = CodeMessage();
  message.subject =
      "Gr\xc3\xbc\xc3\x9f"
      "e \xe2\x80\x94 \xd0\xb2\xd0\xb0\xd1\x88 \xd0\xba\xd0\xbe\xd0\xb4";
  message.text =
      "Gr\xc3\xbc\xc3\x9f"
      "e\n";
  ASSERT_TRUE(transport->Send(message).ok());

  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  std::string subject = HeaderValue(messages[0], "Subject");
  EXPECT_EQ(subject.rfind("=?UTF-8?B?", 0), 0u) << subject;
  for (unsigned char c : messages[0]) ASSERT_LT(c, 0x80) << "raw non-ASCII on the wire";
  EXPECT_EQ(DecodeEncodedWords(subject), message.subject);
  EXPECT_EQ(HeaderValue(messages[0], "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_EQ(Body(messages[0]), "Gr=C3=BC=C3=9Fe\r\n");
}

TEST(SmtpTransportTest, EachMessageGetsItsOwnMessageId) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  ASSERT_TRUE(transport->Send(CodeMessage()).ok());
  ASSERT_TRUE(transport->Send(CodeMessage()).ok());
  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_NE(HeaderValue(messages[0], "Message-ID"), HeaderValue(messages[1], "Message-ID"));
}

TEST(SmtpTransportTest, ConcurrentSendsFromSeveralThreadsAllArrive) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 3;
  std::atomic<int> delivered{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        MailMessage message = CodeMessage();
        message.subject = "thread " + std::to_string(t) + " message " + std::to_string(i);
        if (transport->Send(message).ok()) ++delivered;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(delivered.load(), kThreads * kPerThread);
  std::set<std::string> subjects;
  for (const std::string& eml : sink.Messages()) subjects.insert(HeaderValue(eml, "Subject"));
  EXPECT_EQ(subjects.size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(SmtpTransportTest, TransientRejectionIsUnavailableAndRetrySucceeds) {
  SmtpSink sink({"--reject-first", "1"});
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);

  Status first = transport->Send(CodeMessage());
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << first.ToString();
  EXPECT_NE(first.message().find("451"), std::string::npos) << first.message();
  EXPECT_TRUE(sink.Messages().empty());

  Status retry = transport->Send(CodeMessage());
  EXPECT_TRUE(retry.ok()) << retry.ToString();
  EXPECT_EQ(sink.Messages().size(), 1u);
}

TEST(SmtpTransportTest, PermanentRecipientRejectionIsInvalidArgument) {
  SmtpSink sink({"--reject-rcpt", "nobody@example.com"});
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  MailMessage message = CodeMessage();
  message.to = "nobody@example.com";
  Status status = transport->Send(message);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("550"), std::string::npos) << status.message();
  EXPECT_TRUE(sink.Messages().empty());
}

TEST(SmtpTransportTest, ConnectionRefusedIsUnavailable) {
  DeadPort nobody(DeadPort::kRefusing);
  std::unique_ptr<MailTransport> transport =
      MakeSmtp("smtp://127.0.0.1:" + std::to_string(nobody.port()));
  ASSERT_NE(transport, nullptr);
  Status status = transport->Send(CodeMessage());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
}

TEST(SmtpTransportTest, SilentServerTimesOutAsUnavailable) {
  DeadPort silent(DeadPort::kSilent);
  std::unique_ptr<MailTransport> transport =
      MakeSmtp("smtp://127.0.0.1:" + std::to_string(silent.port()), std::chrono::seconds(1));
  ASSERT_NE(transport, nullptr);
  auto start = std::chrono::steady_clock::now();
  Status status = transport->Send(CodeMessage());
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_LT(elapsed, std::chrono::seconds(5)) << "the timeout from MailSettings was not applied";
}

TEST(SmtpTransportTest, RejectsHeaderInjectionWithoutContactingTheServer) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);

  MailMessage bad_to = CodeMessage();
  bad_to.to = "alice@example.com\r\nBcc: victim@example.com";
  MailMessage bad_subject = CodeMessage();
  bad_subject.subject = "Hello\r\nBcc: victim@example.com";
  MailMessage lf_subject = CodeMessage();
  lf_subject.subject = "Hello\nBcc: victim@example.com";
  MailMessage smtp_params = CodeMessage();
  smtp_params.to = "alice@example.com> NOTIFY=NEVER";
  for (const MailMessage& message : {bad_to, bad_subject, lf_subject, smtp_params}) {
    Status status = transport->Send(message);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument)
        << message.to << " / " << message.subject;
  }
  EXPECT_TRUE(sink.Messages().empty());
}

TEST(SmtpTransportTest, AuthenticatesWithPercentDecodedCredentialsFromTheUrl) {
  SmtpSink sink({"--auth", "mailer@portico.test:p@ss word:1"});
  ASSERT_NE(sink.port(), 0);
  std::string port = std::to_string(sink.port());
  std::unique_ptr<MailTransport> transport =
      MakeSmtp("smtp://mailer%40portico.test:p%40ss%20word%3A1@127.0.0.1:" + port);
  ASSERT_NE(transport, nullptr);
  Status sent = transport->Send(CodeMessage());
  ASSERT_TRUE(sent.ok()) << sent.ToString();
  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 1u);
  std::string envelope = messages[0].substr(0, messages[0].find("\r\n"));
  EXPECT_NE(envelope.find("auth=<mailer@portico.test>"), std::string::npos) << envelope;
}

TEST(SmtpTransportTest, RejectedCredentialsArePermanentAndNotEchoed) {
  SmtpSink sink({"--auth", "mailer:right-password"});
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport =
      MakeSmtp("smtp://mailer:Wr0ngSecret@127.0.0.1:" + std::to_string(sink.port()));
  ASSERT_NE(transport, nullptr);
  Status status = transport->Send(CodeMessage());
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
  EXPECT_EQ(status.ToString().find("Wr0ngSecret"), std::string::npos) << status.ToString();
  EXPECT_TRUE(sink.Messages().empty());
}

}  // namespace
}  // namespace portico::mail
