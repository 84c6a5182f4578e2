#include "src/core/mail/mail_transports.h"

#include <gtest/gtest.h>

#include <string>

#include "portico/log.h"
#include "src/core/mail/smtp_transport.h"

namespace portico::mail {
namespace {

Status MakeStatus(const MailSettings& settings) {
  StatusOr<std::unique_ptr<MailTransport>> transport = MakeMailTransport(settings);
  return transport.status();
}

TEST(MakeMailTransportTest, ConsoleIsTheDefault) {
  StatusOr<std::unique_ptr<MailTransport>> transport = MakeMailTransport(MailSettings{});
  ASSERT_TRUE(transport.ok()) << transport.status().ToString();
  EXPECT_STREQ((*transport)->name(), "console");
}

TEST(MakeMailTransportTest, BuildsSmtpAndResendTransports) {
  MailSettings smtp;
  smtp.url = "smtps://user:pw@mail.example.com";
  StatusOr<std::unique_ptr<MailTransport>> a = MakeMailTransport(smtp);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_STREQ((*a)->name(), "smtp");

  MailSettings resend;
  resend.url = "resend:";
  resend.resend_api_key = "re_abc";
  resend.from = "Acme <signup@acme.test>";
  StatusOr<std::unique_ptr<MailTransport>> b = MakeMailTransport(resend);
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_STREQ((*b)->name(), "resend");
}

TEST(MakeMailTransportTest, MalformedMailUrlNamesTheSettingAndNeverEchoesThePassword) {
  const char* kPassword = "Hunter2Secret";
  for (std::string url : {
           "smtp://user:Hunter2Secret@",                    // no host
           "smtp://user:Hunter2Secret@mail.example.com:0",  // port out of range
           "smtp://user:Hunter2Secret@mail.example.com:99999",
           "smtp://user:Hunter2Secret@mail.example.com:25x",
           "smtp://user:Hunter2Secret@mail.example.com:",
           "smtp://user:Hunter2Secret%zz@mail.example.com:25",  // bad percent-encoding
           "smtp://user:Hunter2Secret%2@mail.example.com:25",
           "smtp://:Hunter2Secret@mail.example.com:25",  // no user
           "smtp://user:Hunter2Secret@mail.example.com:25/path",
           "smtp://user:Hunter2Secret@mail.example.com:25?x=1",
           "smtp://user:Hunter2Secret@mail example.com:25",
           "smtp://user:Hunter2Secret@[::1:25",
           "ftp://user:Hunter2Secret@mail.example.com:21",
           "user:Hunter2Secret@mail.example.com:25",
           "SMTP://user:Hunter2Secret@mail.example.com:25",
           "console",
           "resend",
       }) {
    MailSettings settings;
    settings.url = url;
    Status status = MakeStatus(settings);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << url;
    EXPECT_NE(status.message().find("MAIL_URL"), std::string::npos)
        << url << " → " << status.message();
    EXPECT_EQ(status.ToString().find(kPassword), std::string::npos) << status.ToString();
  }
}

TEST(MakeMailTransportTest, ResendNeedsAnApiKeyAndNeverEchoesIt) {
  MailSettings settings;
  settings.url = "resend:";
  Status missing = MakeStatus(settings);
  EXPECT_EQ(missing.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.message().find("RESEND_API_KEY"), std::string::npos) << missing.message();

  settings.resend_api_key = "re_Secret Key\r\nX-Evil: 1";
  Status malformed = MakeStatus(settings);
  EXPECT_EQ(malformed.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(malformed.message().find("RESEND_API_KEY"), std::string::npos);
  EXPECT_EQ(malformed.ToString().find("re_Secret"), std::string::npos) << malformed.ToString();
}

TEST(MakeMailTransportTest, ResendNeedsAUsableFromAddressAndApiUrl) {
  MailSettings settings;
  settings.url = "resend:";
  settings.resend_api_key = "re_abc";
  for (const char* from : {"", "not-an-address", "Acme <a@acme.test>\r\nBcc: victim@example.com"}) {
    settings.from = from;
    Status status = MakeStatus(settings);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << from;
    EXPECT_NE(status.message().find("RESEND_FROM_EMAIL"), std::string::npos) << status.message();
  }
  settings.from = "Acme <a@acme.test>";
  for (const char* api_url :
       {"", "api.resend.com", "ftp://api.resend.com", "https://", "https://x/?a"}) {
    settings.resend_api_url = api_url;
    Status status = MakeStatus(settings);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << api_url;
    EXPECT_NE(status.message().find("RESEND_API_URL"), std::string::npos) << status.message();
  }
}

TEST(MakeMailTransportTest, SmtpRejectsAFromHeaderWithLineBreaks) {
  MailSettings settings;
  settings.url = "smtp://127.0.0.1:2525";
  settings.from = "Portico <no-reply@portico.test>\r\nBcc: victim@example.com";
  Status status = MakeStatus(settings);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("MAIL_FROM"), std::string::npos) << status.message();
}

TEST(ParseSmtpUrlTest, AppliesDefaultPortsAndDecodesCredentials) {
  StatusOr<SmtpEndpoint> plain = ParseSmtpUrl("smtp://mail.example.com");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->implicit_tls);
  EXPECT_EQ(plain->port, 25);
  EXPECT_EQ(plain->username, "");

  StatusOr<SmtpEndpoint> tls = ParseSmtpUrl("smtps://us%40er:p%3Aw%2Fd@mail.example.com/");
  ASSERT_TRUE(tls.ok()) << tls.status().ToString();
  EXPECT_TRUE(tls->implicit_tls);
  EXPECT_EQ(tls->port, 465);
  EXPECT_EQ(tls->username, "us@er");
  EXPECT_EQ(tls->password, "p:w/d");
  EXPECT_EQ(tls->CurlUrl(), "smtps://mail.example.com:465");  // no credentials in curl's URL

  StatusOr<SmtpEndpoint> unencoded_at = ParseSmtpUrl("smtp://user:p@ss@[::1]:2525");
  ASSERT_TRUE(unencoded_at.ok()) << unencoded_at.status().ToString();
  EXPECT_EQ(unencoded_at->password, "p@ss");
  EXPECT_EQ(unencoded_at->CurlUrl(), "smtp://[::1]:2525");
}

TEST(ConsoleTransportTest, LogsTheWholeMessageForLocalDevelopment) {
  StatusOr<std::unique_ptr<MailTransport>> transport = MakeMailTransport(MailSettings{});
  ASSERT_TRUE(transport.ok());
  MailMessage message;
  message.to = "alice@example.com";
  message.subject = "Your sign-up code";
  message.text = "Your code is 654321.";
  message.template_id = "signup-otp";
  message.template_data = Json::MakeObject().Set("CODE", "654321");

  ::testing::internal::CaptureStderr();
  Status sent = (*transport)->Send(message);
  FlushLog();  // lines are written by a background thread
  std::string log = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(sent.ok());
  EXPECT_NE(log.find("\"event\":\"mail_console\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"to\":\"alice@example.com\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"subject\":\"Your sign-up code\""), std::string::npos) << log;
  EXPECT_NE(log.find("Your code is 654321."), std::string::npos) << log;
  EXPECT_NE(log.find("\"template_id\":\"signup-otp\""), std::string::npos) << log;
}

TEST(ValidateMailMessageTest, AcceptsAnOrdinaryMessage) {
  MailMessage message;
  message.to = "alice@example.com";
  message.subject =
      "Gr\xc3\xbc\xc3\x9f"
      "e";
  message.text = "line 1\nline 2";
  message.idempotency_key = "outbox-12";
  EXPECT_TRUE(ValidateMailMessage(message).ok());
}

TEST(ValidateMailMessageTest, RejectsInvalidUtf8AndControlCharacters) {
  MailMessage message;
  message.to = "alice@example.com";
  message.subject = "ok";
  message.text = "bad \xff byte";
  EXPECT_EQ(ValidateMailMessage(message).code(), StatusCode::kInvalidArgument);
  message.text = "ok";
  message.subject = "tab\x01";
  EXPECT_EQ(ValidateMailMessage(message).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace portico::mail
