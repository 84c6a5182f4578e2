#include "src/core/mail/mail_outbox.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portico/parse_json.h"
#include "src/core/mail/mail_transports.h"
#include "tests/support/test_servers.h"

namespace portico::mail {
namespace {

// Records what it is asked to send and answers with a scripted status.
class RecordingTransport : public MailTransport {
 public:
  explicit RecordingTransport(Status answer = Status::Ok()) : answer_(std::move(answer)) {}
  Status Send(const MailMessage& message) override {
    sent.push_back(message);
    return answer_;
  }
  const char* name() const override { return "recording"; }

  std::vector<MailMessage> sent;

 private:
  Status answer_;
};

MailMessage TemplateMessage() {
  MailMessage message;
  message.to = "alice@example.com";
  message.subject = "Votre code \xe2\x80\x94 \"bienvenue\"";
  message.text = "Code: 123456\nLine two\t\\end";
  message.template_id = "signup-otp";
  message.template_data =
      Json::MakeObject().Set("CODE", "123456").Set("MINUTES", 10).Set("NESTED", Json::MakeArray());
  return message;
}

OutboxMessage Outbox(int64_t id, std::string payload) {
  OutboxMessage message;
  message.id = id;
  message.topic = kMailTopic;
  message.payload = std::move(payload);
  return message;
}

TEST(MailPayloadTest, RoundTripsEveryField) {
  MailMessage original = TemplateMessage();
  std::string payload = EncodeMailPayload(original);
  ASSERT_TRUE(ParseJson(payload).ok()) << payload;

  StatusOr<MailMessage> decoded = DecodeMailPayload(payload);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->to, original.to);
  EXPECT_EQ(decoded->subject, original.subject);
  EXPECT_EQ(decoded->text, original.text);
  EXPECT_EQ(decoded->template_id, original.template_id);
  EXPECT_EQ(decoded->template_data, original.template_data);
  EXPECT_EQ(decoded->idempotency_key, "");  // derived from the outbox id, not stored
}

TEST(MailPayloadTest, TemplateFieldsAreOptional) {
  StatusOr<MailMessage> decoded =
      DecodeMailPayload(R"({"to":"a@example.com","subject":"s","text":"t","future":1})");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->template_id, "");
  EXPECT_TRUE(decoded->template_data.is_object());
}

TEST(MailPayloadTest, MalformedPayloadIsInvalidArgument) {
  for (const char* payload : {
           "",
           "not json",
           "[]",
           R"("a string")",
           R"({"subject":"s","text":"t"})",
           R"({"to":"","subject":"s","text":"t"})",
           R"({"to":42,"subject":"s","text":"t"})",
           R"({"to":"a@example.com","text":"t"})",
           R"({"to":"a@example.com","subject":"s"})",
           R"({"to":"a@example.com","subject":"s","text":"t","template_id":7})",
           R"({"to":"a@example.com","subject":"s","text":"t","template_data":[1]})",
           R"({"to":"a@example.com","subject":"s","text":"t"} trailing)",
       }) {
    StatusOr<MailMessage> decoded = DecodeMailPayload(payload);
    ASSERT_FALSE(decoded.ok()) << payload;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument) << payload;
  }
}

TEST(DeliverMailTest, SetsTheIdempotencyKeyFromTheOutboxId) {
  RecordingTransport transport;
  Status status = DeliverMail(transport, Outbox(42, EncodeMailPayload(TemplateMessage())));
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(transport.sent.size(), 1u);
  EXPECT_EQ(transport.sent[0].idempotency_key, "outbox-42");
  EXPECT_EQ(transport.sent[0].to, "alice@example.com");
  EXPECT_EQ(transport.sent[0].template_id, "signup-otp");
}

TEST(DeliverMailTest, MalformedPayloadIsPermanentAndNothingIsSent) {
  RecordingTransport transport;
  Status status = DeliverMail(transport, Outbox(1, "{broken"));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(transport.sent.empty());
}

TEST(DeliverMailTest, ReturnsTheTransportStatus) {
  RecordingTransport transport(Unavailable("smtp down"));
  Status status = DeliverMail(transport, Outbox(3, EncodeMailPayload(TemplateMessage())));
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
}

TEST(DeliverMailTest, ReachesTheProviderWithTheOutboxIdempotencyKey) {
  portico::testing::HttpRecorder recorder;
  ASSERT_NE(recorder.port(), 0);
  MailSettings settings;
  settings.url = "resend:";
  settings.resend_api_key = "re_abc";
  settings.resend_api_url = recorder.base_url();
  StatusOr<std::unique_ptr<MailTransport>> transport = MakeMailTransport(settings);
  ASSERT_TRUE(transport.ok()) << transport.status().ToString();

  Status status = DeliverMail(**transport, Outbox(99, EncodeMailPayload(TemplateMessage())));
  ASSERT_TRUE(status.ok()) << status.ToString();
  std::vector<Json> requests = recorder.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].Find("headers")->Find("idempotency-key")->as_string(), "outbox-99");
}

}  // namespace
}  // namespace portico::mail
