// End-to-end SMTP delivery against a real server (tests/support/smtp_sink.py).
#include "src/core/mail/smtp_transport.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
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

// The sink's connection number of each accepted message ("conn=<k>" on the
// envelope line), in order of acceptance.
std::vector<int> Connections(const SmtpSink& sink) {
  std::vector<int> out;
  for (const std::string& eml : sink.Messages()) {
    const std::string envelope = eml.substr(0, eml.find("\r\n"));
    const size_t at = envelope.rfind(" conn=");
    out.push_back(at == std::string::npos ? 0 : std::atoi(envelope.c_str() + at + 6));
  }
  return out;
}

MailMessage Numbered(int n) {
  MailMessage message = CodeMessage();
  message.subject = "message " + std::to_string(n);
  return message;
}

// The sink received exactly Numbered(1) … Numbered(count), in order.
void ExpectNumberedMessages(SmtpSink& sink, int count) {
  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(HeaderValue(messages[i], "Subject"), "message " + std::to_string(i + 1));
  }
}

TEST(SmtpTransportTest, SeveralMessagesGoOutOverOneConnection) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  for (int i = 1; i <= 3; ++i) {
    Status sent = transport->Send(Numbered(i));
    ASSERT_TRUE(sent.ok()) << sent.ToString();
  }
  EXPECT_EQ(Connections(sink), (std::vector<int>{1, 1, 1}));
  ExpectNumberedMessages(sink, 3);
}

TEST(SmtpTransportTest, ReconnectsAfterTheServerClosedTheIdleConnection) {
  SmtpSink sink({"--idle-timeout", "0.3"});
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  ASSERT_TRUE(transport->Send(Numbered(1)).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the server hangs up
  Status second = transport->Send(Numbered(2));
  ASSERT_TRUE(second.ok()) << second.ToString();
  EXPECT_EQ(Connections(sink), (std::vector<int>{1, 2}));
}

TEST(SmtpTransportTest, ServerGoneWhenTheConnectionIsReusedSendsOnceOnANewOne) {
  // The server hangs up without a word when MAIL arrives on a connection that
  // already carried a message: nothing of the second message was accepted,
  // so it goes out at once on a new connection, exactly once.
  SmtpSink sink({"--drop-after", "1"});
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  ASSERT_TRUE(transport->Send(Numbered(1)).ok());
  Status second = transport->Send(Numbered(2));
  ASSERT_TRUE(second.ok()) << second.ToString();
  Status third = transport->Send(Numbered(3));
  ASSERT_TRUE(third.ok()) << third.ToString();
  EXPECT_EQ(Connections(sink), (std::vector<int>{1, 2, 3}));
  ExpectNumberedMessages(sink, 3);
}

TEST(SmtpTransportTest, ConnectionCutAfterDataOnAReusedConnectionIsLeftToTheOutbox) {
  // The second message's DATA went out and the connection died before the
  // answer: the server may have accepted it, so the transport does not send
  // it again by itself; it answers Unavailable (the outbox retries later, at
  // least once), as it did when every message had its own connection.
  SmtpSink sink({"--cut-data", "2"});
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  ASSERT_TRUE(transport->Send(Numbered(1)).ok());
  Status cut = transport->Send(Numbered(2));
  EXPECT_EQ(cut.code(), StatusCode::kUnavailable) << cut.ToString();
  EXPECT_EQ(sink.Messages().size(), 1u) << "sent again within the same Send";
  Status retry = transport->Send(Numbered(2));  // the outbox's next attempt
  ASSERT_TRUE(retry.ok()) << retry.ToString();
  EXPECT_EQ(Connections(sink), (std::vector<int>{1, 2}));
  std::vector<std::string> messages = sink.Messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(HeaderValue(messages[1], "Subject"), "message 2");
}

TEST(SmtpTransportTest, RejectionOnAReusedConnectionIsReportedAndTheNextSendReconnects) {
  SmtpSink sink({"--reject-rcpt", "nobody@example.com"});
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  ASSERT_TRUE(transport->Send(Numbered(1)).ok());
  MailMessage refused = Numbered(2);
  refused.to = "nobody@example.com";
  Status status = transport->Send(refused);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("550"), std::string::npos) << status.message();
  ASSERT_TRUE(transport->Send(Numbered(3)).ok());
  EXPECT_EQ(Connections(sink), (std::vector<int>{1, 2}));
}

TEST(SmtpTransportTest, StartsANewConnectionAfterTheMessageLimit) {
  SmtpSink sink;
  ASSERT_NE(sink.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeSmtp(sink.url());
  ASSERT_NE(transport, nullptr);
  const int limit = SmtpTransport::kMaxMessagesPerConnection;
  for (int i = 1; i <= limit + 1; ++i) {
    Status sent = transport->Send(Numbered(i));
    ASSERT_TRUE(sent.ok()) << i << ": " << sent.ToString();
  }
  std::vector<int> expected(limit, 1);
  expected.push_back(2);
  EXPECT_EQ(Connections(sink), expected);
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
