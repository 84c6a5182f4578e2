#include "src/webhooks/fanout.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portico/log.h"
#include "portico/parse_json.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::webhooks {
namespace {

using testing::FakeClock;
using testing::InMemoryDatabase;

Tenant MakeTenant(const std::string& id) {
  Tenant t;
  t.id = id;
  t.slug = id;
  t.name = id;
  t.status = "active";
  return t;
}

WebhookEndpoint Endpoint(const std::string& id, const std::string& tenant_id,
                         std::vector<std::string> events, bool enabled = true) {
  WebhookEndpoint e;
  e.id = id;
  e.tenant_id = tenant_id;
  e.url = "https://hooks.example/" + id;
  e.events = std::move(events);
  e.sealed_secret = "sealed";
  e.enabled = enabled;
  e.created_at = FromUnixMillis(1'800'000'000'000);
  return e;
}

class FanoutTest : public ::testing::Test {
 protected:
  FanoutTest() {
    SetLogLevel(LogLevel::kError);
    db_.MutableStateForTest([](InMemoryDatabase::State& state) {
      state.tenants.push_back(MakeTenant("t1"));
      state.tenants.push_back(MakeTenant("t2"));
      state.webhooks.endpoints = {
          Endpoint("we_exact", "t1", {"scim.user.created"}),
          Endpoint("we_all", "t1", {"*"}),
          Endpoint("we_family", "t1", {"scim.user.*"}),
          Endpoint("we_other_type", "t1", {"client.created"}),
          Endpoint("we_disabled", "t1", {"*"}, /*enabled=*/false),
          Endpoint("we_other_tenant", "t2", {"*"}),
      };
    });
  }
  ~FanoutTest() override { SetLogLevel(LogLevel::kInfo); }

  OutboxMessage Audit(int64_t id, const std::string& payload) {
    OutboxMessage m;
    m.id = id;
    m.topic = kAuditTopic;
    m.payload = payload;
    m.created_at = FromUnixMillis(1'800'000'123'456);
    return m;
  }

  // The "webhook" messages queued so far, oldest first.
  std::vector<Delivery> Queued() {
    std::vector<Delivery> out;
    for (const auto& [id, m] : db_.Snapshot().outbox) {
      if (m.topic != kWebhookTopic) continue;
      auto d = DecodeDelivery(m.payload);
      EXPECT_TRUE(d.ok()) << m.payload;
      if (d.ok()) out.push_back(*d);
    }
    return out;
  }

  static std::vector<std::string> EndpointIds(const std::vector<Delivery>& deliveries) {
    std::vector<std::string> ids;
    for (const Delivery& d : deliveries) ids.push_back(d.endpoint_id);
    return ids;
  }

  FakeClock clock_;
  InMemoryDatabase db_;
};

constexpr char kUserCreated[] =
    R"({"type":"scim.user.created","tenantId":"t1","resourceType":"User","id":"u-1",)"
    R"("at":"2027-01-15T08:00:00.000Z"})";

TEST_F(FanoutTest, QueuesOneDeliveryPerEnabledSubscribedEndpointOfTheTenant) {
  Fanout fanout(db_, clock_);
  ASSERT_TRUE(fanout.Handle(Audit(7, kUserCreated)).ok());
  // In ListByTenant order (created_at, then id: all were created together).
  EXPECT_EQ(EndpointIds(Queued()), (std::vector<std::string>{"we_all", "we_exact", "we_family"}));
}

TEST_F(FanoutTest, QueuesNothingForAnEventWithoutATenantOrWithoutSubscribers) {
  Fanout fanout(db_, clock_);
  ASSERT_TRUE(fanout.Handle(Audit(1, R"({"type":"signup.session_created","slug":"x"})")).ok());
  ASSERT_TRUE(fanout.Handle(Audit(2, R"({"type":"scim.group.deleted","tenantId":"t-none"})")).ok());
  ASSERT_TRUE(fanout.Handle(Audit(3, R"({"tenantId":"t1"})")).ok());
  EXPECT_TRUE(Queued().empty());
  // Nothing owed: no write transaction was opened.
  EXPECT_EQ(db_.CallCount("outbox.Enqueue"), 0);
}

TEST_F(FanoutTest, TheBodyHasTypeTimestampAndTheOtherFieldsAsData) {
  Fanout fanout(db_, clock_);
  ASSERT_TRUE(fanout.Handle(Audit(7, kUserCreated)).ok());
  const std::vector<Delivery> queued = Queued();
  ASSERT_FALSE(queued.empty());
  EXPECT_EQ(queued[0].type, "scim.user.created");
  EXPECT_EQ(queued[0].body, R"({"type":"scim.user.created","timestamp":"2027-01-15T08:00:00.000Z",)"
                            R"("data":{"tenantId":"t1","resourceType":"User","id":"u-1"}})");
  // Every endpoint gets the same bytes.
  for (const Delivery& d : queued) EXPECT_EQ(d.body, queued[0].body);
}

TEST_F(FanoutTest, AnEventWithoutATimeIsStampedWithItsMessagesCreationTime) {
  auto body = WebhookBody(*ParseJson(R"({"type":"credential.revoked","tenantId":"t1"})"),
                          FromUnixMillis(1'800'000'123'456));
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(*body, R"({"type":"credential.revoked","timestamp":"2027-01-15T08:02:03.456Z",)"
                   R"("data":{"tenantId":"t1"}})");
  EXPECT_EQ(WebhookBody(*ParseJson(R"({"tenantId":"t1"})"), {}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(WebhookBody(*ParseJson(R"([1])"), {}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FanoutTest, WebhookIdsAreDeterministicPerAuditMessageAndEndpoint) {
  Fanout fanout(db_, clock_);
  ASSERT_TRUE(fanout.Handle(Audit(7, kUserCreated)).ok());
  // The same audit message fanned out again (redelivered after a crash).
  ASSERT_TRUE(fanout.Handle(Audit(7, kUserCreated)).ok());
  ASSERT_TRUE(fanout.Handle(Audit(8, kUserCreated)).ok());
  const std::vector<Delivery> q = Queued();
  ASSERT_EQ(q.size(), 9u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(q[i].webhook_id, q[i + 3].webhook_id) << "same audit message, same endpoint";
    EXPECT_NE(q[i].webhook_id, q[i + 6].webhook_id) << "another audit message";
    EXPECT_EQ(q[i].webhook_id, WebhookId(7, q[i].endpoint_id));
  }
  EXPECT_NE(q[0].webhook_id, q[1].webhook_id) << "another endpoint";
  EXPECT_EQ(WebhookId(7, "we_exact"), WebhookId(7, "we_exact"));
  EXPECT_NE(WebhookId(7, "we_exact"), WebhookId(7, "we_all"));
  EXPECT_NE(WebhookId(71, "we_x"), WebhookId(7, "1we_x"));
  // A valid Standard Webhooks id: no '.', no whitespace.
  EXPECT_EQ(q[0].webhook_id.rfind("msg_", 0), 0u);
  EXPECT_EQ(q[0].webhook_id.size(), 36u);
  EXPECT_EQ(q[0].webhook_id.find_first_of(". \t"), std::string::npos);
}

// The InMemoryDatabase, except that the outbox's `fail_at`-th Enqueue (1-based,
// counted over the database's life) fails: to fail a fan-out half-way.
class FailingEnqueueDatabase : public Database {
 public:
  FailingEnqueueDatabase(Database& inner, int fail_at) : inner_(inner), fail_at_(fail_at) {}
  Status Run(const Work& work) override {
    return inner_.Run([&](Stores& s) { return Wrap(s, work); });
  }
  Status Transact(const Work& work) override {
    return inner_.Transact([&](Stores& s) { return Wrap(s, work); });
  }
  Status Ping() override { return inner_.Ping(); }

 private:
  class Outbox : public OutboxStore {
   public:
    Outbox(OutboxStore& inner, FailingEnqueueDatabase& db) : inner_(inner), db_(db) {}
    StatusOr<int64_t> Enqueue(std::string_view topic, std::string_view payload,
                              TimePoint now) override {
      if (++db_.enqueues_ == db_.fail_at_) return Unavailable("injected enqueue failure");
      return inner_.Enqueue(topic, payload, now);
    }
    StatusOr<std::vector<OutboxMessage>> Claim(TimePoint now, int limit,
                                               TimePoint lease_until) override {
      return inner_.Claim(now, limit, lease_until);
    }
    Status MarkDelivered(int64_t id, int attempts, TimePoint at) override {
      return inner_.MarkDelivered(id, attempts, at);
    }
    Status MarkFailed(int64_t id, int attempts, TimePoint next, std::string_view error,
                      bool dead) override {
      return inner_.MarkFailed(id, attempts, next, error, dead);
    }
    StatusOr<int64_t> DeleteFinished(TimePoint delivered_before, TimePoint dead_before,
                                     int limit) override {
      return inner_.DeleteFinished(delivered_before, dead_before, limit);
    }
    StatusOr<OutboxMessage> Get(int64_t id) override { return inner_.Get(id); }
    StatusOr<int64_t> CountPending() override { return inner_.CountPending(); }
    StatusOr<int64_t> CountDead() override { return inner_.CountDead(); }

   private:
    OutboxStore& inner_;
    FailingEnqueueDatabase& db_;
  };

  class WrappedStores : public Stores {
   public:
    WrappedStores(Stores& inner, FailingEnqueueDatabase& db)
        : inner_(inner), outbox_(inner.outbox(), db) {}
    TenantStore& tenants() override { return inner_.tenants(); }
    CredentialStore& credentials() override { return inner_.credentials(); }
    OtpStore& otps() override { return inner_.otps(); }
    OutboxStore& outbox() override { return outbox_; }
    scim::DirectoryStore& directory() override { return inner_.directory(); }
    TenantSettingsStore& tenant_settings() override { return inner_.tenant_settings(); }
    RateLimitStore& rate_limits() override { return inner_.rate_limits(); }
    dcr::ClientStore& clients() override { return inner_.clients(); }
    dcr::SigningKeyStore& signing_keys() override { return inner_.signing_keys(); }
    dcr::RevokedTokenStore& revoked_tokens() override { return inner_.revoked_tokens(); }
    signup::SignupSessionStore& signup_sessions() override { return inner_.signup_sessions(); }
    AccountStore& accounts() override { return inner_.accounts(); }
    WebhookStore& webhooks() override { return inner_.webhooks(); }

   private:
    Stores& inner_;
    Outbox outbox_;
  };

  Status Wrap(Stores& stores, const Work& work) {
    WrappedStores wrapped(stores, *this);
    return work(wrapped);
  }

  Database& inner_;
  int fail_at_;
  int enqueues_ = 0;
};

TEST_F(FanoutTest, DeliveriesAreQueuedInOneTransaction) {
  // Three deliveries are owed; the third enqueue fails.
  FailingEnqueueDatabase failing(db_, 3);
  Fanout fanout(failing, clock_);
  EXPECT_EQ(fanout.Handle(Audit(7, kUserCreated)).code(), StatusCode::kUnavailable)
      << "retried, not dropped";
  EXPECT_TRUE(Queued().empty()) << "the first two were rolled back with the third";
  // The retry queues all three.
  ASSERT_TRUE(fanout.Handle(Audit(7, kUserCreated)).ok());
  EXPECT_EQ(Queued().size(), 3u);
}

TEST_F(FanoutTest, AStoreFailureIsRetriedAndAMalformedPayloadIsPermanent) {
  Fanout fanout(db_, clock_);
  db_.FailOperation("webhooks.ListByTenant");
  EXPECT_EQ(fanout.Handle(Audit(7, kUserCreated)).code(), StatusCode::kUnavailable);
  db_.FailOperation("");
  EXPECT_EQ(fanout.Handle(Audit(8, "{not json")).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fanout.Handle(Audit(9, "[]")).code(), StatusCode::kInvalidArgument);
}

TEST_F(FanoutTest, WakesTheDispatcherOnlyWhenItQueuedDeliveries) {
  int woken = 0;
  Fanout fanout(db_, clock_, [&woken] { ++woken; });
  ASSERT_TRUE(fanout.Handle(Audit(1, R"({"type":"client.deleted","tenantId":"t2"})")).ok());
  EXPECT_EQ(woken, 1);
  ASSERT_TRUE(fanout.Handle(Audit(2, R"({"type":"client.deleted","tenantId":"t-none"})")).ok());
  EXPECT_EQ(woken, 1);
}

TEST(DeliveryPayloadTest, RoundTripsAndRejectsMalformedPayloads) {
  const Delivery d{.endpoint_id = "we_1",
                   .webhook_id = "msg_1",
                   .type = "user.created",
                   .body = "{\"type\":\"user.created\"}"};
  auto decoded = DecodeDelivery(EncodeDelivery(d));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->endpoint_id, d.endpoint_id);
  EXPECT_EQ(decoded->webhook_id, d.webhook_id);
  EXPECT_EQ(decoded->type, d.type);
  EXPECT_EQ(decoded->body, d.body);
  EXPECT_EQ(DecodeDelivery("nope").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeDelivery(R"({"endpointId":"we_1","webhookId":"m","type":"t"})").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace portico::webhooks
