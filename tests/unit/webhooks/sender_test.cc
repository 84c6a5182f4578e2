// The webhook sender against a real HTTP server (tests/support/http_recorder.py).
#include "src/webhooks/sender.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "portico/log.h"
#include "portico/webhook_signature.h"
#include "src/webhooks/fanout.h"
#include "src/webhooks/webhook_endpoints.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"
#include "tests/support/test_servers.h"

namespace portico::webhooks {
namespace {

using testing::DeadPort;
using testing::FakeClock;
using testing::HttpRecorder;
using testing::InMemoryDatabase;

constexpr char kKeyHashSecret[] = "test-key-hash-secret-0123456789abcdef012345";
constexpr char kBody[] =
    R"({"type":"user.created","timestamp":"2027-01-15T08:00:00.000Z","data":{"tenantId":"t1"}})";

const std::string& Header(const Json& request, const char* name) {
  static const std::string kMissing = "<missing>";
  const Json* headers = request.Find("headers");
  const Json* value = headers == nullptr ? nullptr : headers->Find(name);
  return value != nullptr && value->is_string() ? value->as_string() : kMissing;
}

class SenderTest : public ::testing::Test {
 protected:
  SenderTest() : service_(db_, kKeyHashSecret, SecureRandom(), clock_) {
    SetLogLevel(LogLevel::kError);
    db_.MutableStateForTest([](InMemoryDatabase::State& state) {
      Tenant t;
      t.id = "t1";
      t.slug = "acme";
      t.name = "Acme";
      state.tenants.push_back(t);
    });
  }
  ~SenderTest() override { SetLogLevel(LogLevel::kInfo); }

  // An endpoint at `url`; remembers its secret.
  std::string AddEndpoint(const std::string& url) {
    auto created = service_.Add("t1", url, {"*"});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    if (!created.ok()) return "";
    secret_ = created->secret;
    return created->endpoint.id;
  }

  OutboxMessage Message(const std::string& endpoint_id, int attempts = 0) {
    OutboxMessage m;
    m.id = 42;
    m.topic = kWebhookTopic;
    m.attempts = attempts;
    m.payload = EncodeDelivery({.endpoint_id = endpoint_id,
                                .webhook_id = "msg_0123456789abcdef",
                                .type = "user.created",
                                .body = kBody});
    return m;
  }

  bool Enabled(const std::string& id) {
    for (const WebhookEndpoint& e : db_.Snapshot().webhooks.endpoints) {
      if (e.id == id) return e.enabled;
    }
    return false;
  }

  Sender MakeSender(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return Sender(db_, clock_, kKeyHashSecret, SenderOptions{.timeout = timeout});
  }

  FakeClock clock_;
  InMemoryDatabase db_;
  EndpointService service_;
  std::string secret_;
};

TEST_F(SenderTest, PostsTheBodySignedWithTheEndpointsSecret) {
  HttpRecorder recorder;
  const std::string id = AddEndpoint(recorder.base_url() + "/hooks/in?src=portico");
  ASSERT_TRUE(MakeSender().Deliver(Message(id)).ok());
  const std::vector<Json> requests = recorder.Requests();
  ASSERT_EQ(requests.size(), 1u);
  const Json& r = requests[0];
  EXPECT_EQ(r.Find("method")->as_string(), "POST");
  EXPECT_EQ(r.Find("path")->as_string(), "/hooks/in?src=portico");
  EXPECT_EQ(r.Find("body")->as_string(), kBody) << "sent byte for byte";
  EXPECT_EQ(Header(r, "content-type"), "application/json");
  EXPECT_EQ(Header(r, "webhook-id"), "msg_0123456789abcdef");
  const int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  EXPECT_EQ(Header(r, "webhook-timestamp"), std::to_string(now_seconds));
  const WebhookHeaders headers{.id = Header(r, "webhook-id"),
                               .timestamp = Header(r, "webhook-timestamp"),
                               .signature = Header(r, "webhook-signature")};
  EXPECT_TRUE(VerifyWebhook(secret_, headers, kBody, clock_.Now()).ok())
      << Header(r, "webhook-signature");
}

TEST_F(SenderTest, EveryAttemptIsStampedAndSignedAtSendTime) {
  HttpRecorder recorder({"--statuses", "500,200"});
  const std::string id = AddEndpoint(recorder.base_url() + "/in");
  const Sender sender = MakeSender();
  EXPECT_EQ(sender.Deliver(Message(id)).code(), StatusCode::kUnavailable);
  clock_.Advance(std::chrono::minutes(30));
  ASSERT_TRUE(sender.Deliver(Message(id, 1)).ok());
  const std::vector<Json> requests = recorder.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(Header(requests[0], "webhook-id"), Header(requests[1], "webhook-id"));
  EXPECT_NE(Header(requests[0], "webhook-timestamp"), Header(requests[1], "webhook-timestamp"));
  EXPECT_NE(Header(requests[0], "webhook-signature"), Header(requests[1], "webhook-signature"));
}

TEST_F(SenderTest, ServerErrorsAndOtherAnswersAreRetried) {
  for (const char* status : {"500", "503", "429", "400", "404", "301"}) {
    HttpRecorder recorder({"--statuses", status, "--header", "Location:http://127.0.0.1:1/x"});
    const std::string id = AddEndpoint(recorder.base_url() + "/in");
    const Status result = MakeSender().Deliver(Message(id));
    EXPECT_EQ(result.code(), StatusCode::kUnavailable) << status;
    EXPECT_NE(result.message().find(status), std::string::npos) << result.message();
    EXPECT_EQ(recorder.Requests().size(), 1u) << status << ": redirects are not followed";
    EXPECT_TRUE(Enabled(id));
  }
}

TEST_F(SenderTest, GoneDisablesTheEndpointAndKillsTheMessage) {
  HttpRecorder recorder({"--statuses", "410"});
  const std::string id = AddEndpoint(recorder.base_url() + "/in");
  const Sender sender = MakeSender();
  EXPECT_EQ(sender.Deliver(Message(id)).code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(Enabled(id));
  // Later deliveries to it are dropped without a request.
  EXPECT_EQ(sender.Deliver(Message(id)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(recorder.Requests().size(), 1u);
}

TEST_F(SenderTest, ARemovedEndpointsDeliveriesAreDroppedWithoutARequest) {
  HttpRecorder recorder;
  const std::string id = AddEndpoint(recorder.base_url() + "/in");
  ASSERT_TRUE(service_.Remove("t1", id).ok());
  EXPECT_EQ(MakeSender().Deliver(Message(id)).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(recorder.Requests().empty());
}

TEST_F(SenderTest, ASecretSealedUnderAnotherKeyIsNotUsed) {
  HttpRecorder recorder;
  const std::string id = AddEndpoint(recorder.base_url() + "/in");
  const Sender other(db_, clock_, "a different KEY_HASH_SECRET value");
  EXPECT_EQ(other.Deliver(Message(id)).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(recorder.Requests().empty());
}

TEST_F(SenderTest, AnUnreachableOrSlowReceiverIsRetried) {
  DeadPort refusing(DeadPort::kRefusing);
  const std::string refused = AddEndpoint("http://127.0.0.1:" + std::to_string(refusing.port()));
  EXPECT_EQ(MakeSender().Deliver(Message(refused)).code(), StatusCode::kUnavailable);
  DeadPort silent(DeadPort::kSilent);
  const std::string hung = AddEndpoint("http://127.0.0.1:" + std::to_string(silent.port()));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(MakeSender(std::chrono::milliseconds(300)).Deliver(Message(hung)).code(),
            StatusCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(SenderTest, AMalformedPayloadIsPermanent) {
  OutboxMessage m;
  m.topic = kWebhookTopic;
  m.payload = R"({"endpointId":"we_1"})";
  EXPECT_EQ(MakeSender().Deliver(m).code(), StatusCode::kInvalidArgument);
}

TEST_F(SenderTest, ADatabaseOutageIsRetried) {
  HttpRecorder recorder;
  const std::string id = AddEndpoint(recorder.base_url() + "/in");
  db_.SetUnavailable(true);
  EXPECT_EQ(MakeSender().Deliver(Message(id)).code(), StatusCode::kUnavailable);
  db_.SetUnavailable(false);
  EXPECT_TRUE(recorder.Requests().empty());
}

}  // namespace
}  // namespace portico::webhooks
