// The webhook handlers registered on a real OutboxDispatcher, delivering to a
// real HTTP server (tests/support/http_recorder.py), on a fake clock.
#include "src/webhooks/delivery.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "portico/log.h"
#include "portico/outbox_dispatcher.h"
#include "src/webhooks/fanout.h"
#include "src/webhooks/webhook_endpoints.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_random.h"
#include "tests/fakes/in_memory_database.h"
#include "tests/support/test_servers.h"

namespace portico::webhooks {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeClock;
using testing::FakeRandom;
using testing::HttpRecorder;
using testing::InMemoryDatabase;

constexpr char kKeyHashSecret[] = "test-key-hash-secret-0123456789abcdef012345";
// A jitter factor of exactly 1.0 (see outbox_dispatcher_test.cc).
const std::vector<uint8_t> kNoJitter = {0, 0, 0, 200};

TEST(RetryScheduleTest, StandardScheduleIsTheSpecsRecommendation) {
  EXPECT_EQ(StandardRetrySchedule(),
            (std::vector<milliseconds>{seconds(5), minutes(5), minutes(30), hours(2), hours(5),
                                       hours(10), hours(10)}));
}

TEST(RetryScheduleTest, ParsesCommaSeparatedMilliseconds) {
  EXPECT_EQ(*ParseRetrySchedule("100,0,2500"),
            (std::vector<milliseconds>{milliseconds(100), milliseconds(0), milliseconds(2500)}));
  EXPECT_TRUE(ParseRetrySchedule("")->empty());
  for (const char* bad : {"x", "1,,2", "1,", ",1", "-5", "1.5", " 1", "86400001"}) {
    EXPECT_EQ(ParseRetrySchedule(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

class WebhookDeliveryTest : public ::testing::Test {
 protected:
  WebhookDeliveryTest()
      : random_(kNoJitter),
        dispatcher_(db_, clock_, random_),
        endpoints_(db_, kKeyHashSecret, SecureRandom(), clock_) {
    SetLogLevel(LogLevel::kError);
    db_.MutableStateForTest([](InMemoryDatabase::State& state) {
      Tenant t;
      t.id = "t1";
      t.slug = "acme";
      t.name = "Acme";
      state.tenants.push_back(t);
    });
    RegisterHandlers(dispatcher_, db_, clock_, kKeyHashSecret);
  }
  ~WebhookDeliveryTest() override { SetLogLevel(LogLevel::kInfo); }

  void EnqueueAudit(const std::string& payload) {
    ASSERT_TRUE(db_.Run([&](Stores& s) {
                     return s.outbox().Enqueue(kAuditTopic, payload, clock_.Now()).status();
                   })
                    .ok());
  }

  std::vector<OutboxMessage> Webhooks() {
    std::vector<OutboxMessage> out;
    for (const auto& [id, m] : db_.Snapshot().outbox) {
      if (m.topic == kWebhookTopic) out.push_back(m);
    }
    return out;
  }

  FakeClock clock_;
  FakeRandom random_;
  InMemoryDatabase db_;
  OutboxDispatcher dispatcher_;
  EndpointService endpoints_;
};

TEST_F(WebhookDeliveryTest, AnAuditEventReachesTheSubscribedEndpointAndIsMarkedDelivered) {
  HttpRecorder subscribed;
  HttpRecorder unsubscribed;
  ASSERT_TRUE(endpoints_.Add("t1", subscribed.base_url() + "/in", {"client.created"}).ok());
  ASSERT_TRUE(endpoints_.Add("t1", unsubscribed.base_url() + "/in", {"scim.*"}).ok());
  EnqueueAudit(R"({"type":"client.created","tenantId":"t1","clientId":"c1"})");
  ASSERT_EQ(*dispatcher_.RunOnce(), 1);  // the fan-out
  ASSERT_EQ(*dispatcher_.RunOnce(), 1);  // the delivery
  ASSERT_EQ(subscribed.Requests().size(), 1u);
  EXPECT_TRUE(unsubscribed.Requests().empty());
  ASSERT_EQ(Webhooks().size(), 1u);
  EXPECT_TRUE(Webhooks()[0].delivered_at.has_value());
}

TEST_F(WebhookDeliveryTest, FailuresAreRetriedOnTheStandardScheduleThenDead) {
  HttpRecorder recorder({"--statuses", "500"});
  ASSERT_TRUE(endpoints_.Add("t1", recorder.base_url() + "/in", {"*"}).ok());
  EnqueueAudit(R"({"type":"client.created","tenantId":"t1","clientId":"c1"})");
  ASSERT_EQ(*dispatcher_.RunOnce(), 1);  // the fan-out
  ASSERT_EQ(*dispatcher_.RunOnce(), 0);  // the first attempt, at once
  size_t expected_requests = 1;
  for (const milliseconds wait : StandardRetrySchedule()) {
    ASSERT_EQ(Webhooks().size(), 1u);
    const OutboxMessage m = Webhooks()[0];
    ASSERT_FALSE(m.dead);
    EXPECT_EQ(m.next_attempt_at, clock_.Now() + wait) << "after attempt " << m.attempts;
    clock_.Advance(wait - milliseconds(1));
    ASSERT_EQ(*dispatcher_.RunOnce(), 0);
    EXPECT_EQ(recorder.Requests().size(), expected_requests) << "not due yet";
    clock_.Advance(milliseconds(1));
    ASSERT_EQ(*dispatcher_.RunOnce(), 0);
    EXPECT_EQ(recorder.Requests().size(), ++expected_requests);
  }
  EXPECT_EQ(expected_requests, 8u);
  EXPECT_TRUE(Webhooks()[0].dead);
  EXPECT_EQ(Webhooks()[0].attempts, 8);
}

}  // namespace
}  // namespace portico::webhooks
