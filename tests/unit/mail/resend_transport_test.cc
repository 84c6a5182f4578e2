// The Resend transport against a real HTTP server (tests/support/http_recorder.py).
#include "src/core/mail/resend_transport.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "portico/parse_json.h"
#include "src/core/mail/mail_transports.h"
#include "tests/support/test_servers.h"

namespace portico::mail {
namespace {

using portico::testing::DeadPort;
using portico::testing::HttpRecorder;

constexpr char kApiKey[] = "re_Test_5ecretKey_42";

std::unique_ptr<MailTransport> MakeResend(const std::string& api_url,
                                          std::chrono::seconds timeout = std::chrono::seconds(10)) {
  MailSettings settings;
  settings.url = "resend:";
  settings.from = "Portico <no-reply@portico.test>";
  settings.resend_api_key = kApiKey;
  settings.resend_api_url = api_url;
  settings.timeout = timeout;
  StatusOr<std::unique_ptr<MailTransport>> transport = MakeMailTransport(settings);
  EXPECT_TRUE(transport.ok()) << transport.status().ToString();
  return transport.ok() ? std::move(transport).value() : nullptr;
}

MailMessage CodeMessage() {
  MailMessage message;
  message.to = "alice@example.com";
  message.subject = "Your sign-up code";
  message.text = "Your code is 123456.";
  message.idempotency_key = "outbox-7";
  return message;
}

const std::string& Header(const Json& request, const char* name) {
  static const std::string kMissing = "<missing>";
  const Json* headers = request.Find("headers");
  const Json* value = headers == nullptr ? nullptr : headers->Find(name);
  return value != nullptr && value->is_string() ? value->as_string() : kMissing;
}

Json BodyOf(const Json& request) {
  const Json* body = request.Find("body");
  if (body == nullptr || !body->is_string()) return Json();
  StatusOr<Json> parsed = ParseJson(body->as_string());
  EXPECT_TRUE(parsed.ok()) << body->as_string();
  return parsed.ok() ? *parsed : Json();
}

TEST(ResendTransportTest, PostsJsonWithBearerKeyAndIdempotencyKey) {
  HttpRecorder recorder;
  ASSERT_NE(recorder.port(), 0);
  // A trailing slash in RESEND_API_URL must not produce "//emails".
  std::unique_ptr<MailTransport> transport = MakeResend(recorder.base_url() + "/");
  ASSERT_NE(transport, nullptr);
  EXPECT_STREQ(transport->name(), "resend");

  Status sent = transport->Send(CodeMessage());
  ASSERT_TRUE(sent.ok()) << sent.ToString();

  std::vector<Json> requests = recorder.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const Json& request = requests[0];
  EXPECT_EQ(request.Find("method")->as_string(), "POST");
  EXPECT_EQ(request.Find("path")->as_string(), "/emails");
  EXPECT_EQ(Header(request, "authorization"), std::string("Bearer ") + kApiKey);
  EXPECT_EQ(Header(request, "idempotency-key"), "outbox-7");
  EXPECT_EQ(Header(request, "content-type"), "application/json");

  Json expected = Json::MakeObject();
  expected.Set("from", "Portico <no-reply@portico.test>");
  expected.Set("to", Json(Json::Array{Json("alice@example.com")}));
  expected.Set("subject", "Your sign-up code");
  expected.Set("text", "Your code is 123456.");
  EXPECT_EQ(BodyOf(request).Dump(), expected.Dump());
}

TEST(ResendTransportTest, SendsTemplateIdAndVariablesInsteadOfText) {
  HttpRecorder recorder;
  ASSERT_NE(recorder.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeResend(recorder.base_url());
  ASSERT_NE(transport, nullptr);
  MailMessage message = CodeMessage();
  message.template_id = "signup-otp";
  message.template_data = Json::MakeObject().Set("CODE", "123456").Set("EXPIRES_MINUTES", 10);
  ASSERT_TRUE(transport->Send(message).ok());

  std::vector<Json> requests = recorder.Requests();
  ASSERT_EQ(requests.size(), 1u);
  Json body = BodyOf(requests[0]);
  // Resend rejects html/text next to a template.
  EXPECT_EQ(body.Find("text"), nullptr) << body.Dump();
  EXPECT_EQ(body.Find("html"), nullptr) << body.Dump();
  ASSERT_NE(body.Find("template"), nullptr) << body.Dump();
  Json expected_template = Json::MakeObject();
  expected_template.Set("id", "signup-otp");
  expected_template.Set("variables",
                        Json::MakeObject().Set("CODE", "123456").Set("EXPIRES_MINUTES", 10));
  EXPECT_EQ(body.Find("template")->Dump(), expected_template.Dump());
  EXPECT_EQ(body.Find("subject")->as_string(), "Your sign-up code");
  EXPECT_EQ(body.Find("from")->as_string(), "Portico <no-reply@portico.test>");
}

TEST(ResendTransportTest, ServerErrorIsUnavailableAndRetryReusesTheIdempotencyKey) {
  HttpRecorder recorder({"--statuses", "500,200"});
  ASSERT_NE(recorder.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeResend(recorder.base_url());
  ASSERT_NE(transport, nullptr);

  Status first = transport->Send(CodeMessage());
  EXPECT_EQ(first.code(), StatusCode::kUnavailable) << first.ToString();
  Status retry = transport->Send(CodeMessage());
  EXPECT_TRUE(retry.ok()) << retry.ToString();

  std::vector<Json> requests = recorder.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(Header(requests[0], "idempotency-key"), "outbox-7");
  EXPECT_EQ(Header(requests[1], "idempotency-key"), "outbox-7");
}

TEST(ResendTransportTest, RateLimitIsUnavailableWithRetryAfter) {
  HttpRecorder recorder(
      {"--statuses", "429", "--header", "Retry-After:7", "--error-body",
       R"({"statusCode":429,"name":"rate_limit_exceeded","message":"Too many requests"})"});
  ASSERT_NE(recorder.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeResend(recorder.base_url());
  ASSERT_NE(transport, nullptr);
  Status status = transport->Send(CodeMessage());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_EQ(status.retry_after_seconds(), 7);
}

TEST(ResendTransportTest, ValidationErrorIsInvalidArgumentWithTheProviderMessage) {
  HttpRecorder recorder(
      {"--statuses", "422", "--error-body",
       R"({"statusCode":422,"name":"validation_error","message":"Invalid `to` field."})"});
  ASSERT_NE(recorder.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeResend(recorder.base_url());
  ASSERT_NE(transport, nullptr);
  Status status = transport->Send(CodeMessage());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("Invalid `to` field."), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("422"), std::string::npos) << status.message();
}

TEST(ResendTransportTest, ConcurrentIdempotentRequestConflictIsRetried) {
  HttpRecorder recorder({"--statuses", "409", "--error-body",
                         R"({"statusCode":409,"name":"concurrent_idempotent_requests",)"
                         R"("message":"Same idempotency key in flight"})"});
  ASSERT_NE(recorder.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeResend(recorder.base_url());
  ASSERT_NE(transport, nullptr);
  EXPECT_EQ(transport->Send(CodeMessage()).code(), StatusCode::kUnavailable);
}

TEST(ResendTransportTest, ErrorsNeverEchoTheApiKey) {
  HttpRecorder recorder({"--statuses", "401", "--error-body",
                         std::string(R"({"statusCode":401,"name":"invalid_api_key","message":")") +
                             "API key " + kApiKey + R"( is invalid"})"});
  ASSERT_NE(recorder.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeResend(recorder.base_url());
  ASSERT_NE(transport, nullptr);
  Status status = transport->Send(CodeMessage());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_EQ(status.ToString().find(kApiKey), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("[redacted]"), std::string::npos) << status.message();
}

TEST(ResendTransportTest, UnreachableProviderIsUnavailable) {
  DeadPort nobody(DeadPort::kRefusing);
  std::unique_ptr<MailTransport> transport =
      MakeResend("http://127.0.0.1:" + std::to_string(nobody.port()));
  ASSERT_NE(transport, nullptr);
  EXPECT_EQ(transport->Send(CodeMessage()).code(), StatusCode::kUnavailable);
}

TEST(ResendTransportTest, SlowProviderTimesOutAsUnavailable) {
  HttpRecorder recorder({"--delay", "4"});
  ASSERT_NE(recorder.port(), 0);
  std::unique_ptr<MailTransport> transport =
      MakeResend(recorder.base_url(), std::chrono::seconds(1));
  ASSERT_NE(transport, nullptr);
  auto start = std::chrono::steady_clock::now();
  Status status = transport->Send(CodeMessage());
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
}

TEST(ResendTransportTest, RejectsLineBreaksBeforeCallingTheProvider) {
  HttpRecorder recorder;
  ASSERT_NE(recorder.port(), 0);
  std::unique_ptr<MailTransport> transport = MakeResend(recorder.base_url());
  ASSERT_NE(transport, nullptr);
  MailMessage bad_subject = CodeMessage();
  bad_subject.subject = "Hi\r\nBcc: victim@example.com";
  MailMessage bad_key = CodeMessage();
  bad_key.idempotency_key = "outbox-1\r\nX-Evil: 1";
  EXPECT_EQ(transport->Send(bad_subject).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(transport->Send(bad_key).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(recorder.Requests().empty());
}

}  // namespace
}  // namespace portico::mail
