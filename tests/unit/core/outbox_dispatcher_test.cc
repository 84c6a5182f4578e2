#include "portico/outbox_dispatcher.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "portico/log.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_random.h"
#include "tests/fakes/in_memory_database.h"

namespace portico {
namespace {

using std::chrono::milliseconds;

// UniformBelow(random, 401) over the big-endian draw 0x000000C8 = 200 gives a
// jitter factor of exactly (800 + 200) / 1000 = 1.0.
const std::vector<uint8_t> kNoJitter = {0, 0, 0, 200};

class OutboxDispatcherTest : public ::testing::Test {
 protected:
  OutboxDispatcherTest() : random_(kNoJitter) { SetLogLevel(LogLevel::kError); }
  ~OutboxDispatcherTest() override { SetLogLevel(LogLevel::kInfo); }

  int64_t Enqueue(std::string_view topic, std::string_view payload = "{}") {
    int64_t id = 0;
    EXPECT_TRUE(db_.Run([&](Stores& s) -> Status {
                     PORTICO_ASSIGN_OR_RETURN(id, s.outbox().Enqueue(topic, payload, clock_.Now()));
                     return Status::Ok();
                   })
                    .ok());
    return id;
  }

  OutboxMessage Get(int64_t id) {
    OutboxMessage m;
    EXPECT_TRUE(db_.Run([&](Stores& s) -> Status {
                     PORTICO_ASSIGN_OR_RETURN(m, s.outbox().Get(id));
                     return Status::Ok();
                   })
                    .ok());
    return m;
  }

  int RunOnce(OutboxDispatcher& d) {
    StatusOr<int> n = d.RunOnce();
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_;
  testing::InMemoryDatabase db_;
};

TEST_F(OutboxDispatcherTest, BackoffDoublesFromBaseUpToTheCap) {
  OutboxPolicy policy;
  policy.backoff_base = milliseconds(1000);
  policy.backoff_max = milliseconds(10'000);
  OutboxDispatcher d(db_, clock_, random_, policy);
  EXPECT_EQ(d.BackoffFor(1), milliseconds(1000));
  EXPECT_EQ(d.BackoffFor(2), milliseconds(2000));
  EXPECT_EQ(d.BackoffFor(3), milliseconds(4000));
  EXPECT_EQ(d.BackoffFor(4), milliseconds(8000));
  EXPECT_EQ(d.BackoffFor(5), milliseconds(10'000));
  EXPECT_EQ(d.BackoffFor(1000), milliseconds(10'000));  // no overflow
  OutboxDispatcher defaults(db_, clock_, random_);
  EXPECT_EQ(defaults.BackoffFor(100), std::chrono::hours(1));
}

TEST_F(OutboxDispatcherTest, CountsDeliveriesAndFailuresByTopic) {
  Metrics metrics;
  OutboxPolicy policy;
  policy.max_attempts = 2;
  policy.metrics = &metrics;
  OutboxDispatcher d(db_, clock_, random_, policy);
  d.Register("mail", [](const OutboxMessage&) { return Status::Ok(); });
  d.Register("webhook", [](const OutboxMessage&) { return Unavailable("receiver down"); });
  Enqueue("mail");
  Enqueue("webhook");
  EXPECT_EQ(RunOnce(d), 1);
  clock_.Advance(std::chrono::hours(2));
  EXPECT_EQ(RunOnce(d), 0);  // the second attempt is the last: dead
  const std::string text = metrics.Render();
  const auto has = [&text](const std::string& line) {
    return text.find(line + "\n") != std::string::npos;
  };
  EXPECT_TRUE(has("portico_outbox_deliveries_total{topic=\"mail\"} 1")) << text;
  EXPECT_TRUE(has("portico_outbox_delivery_failures_total{topic=\"webhook\",dead=\"false\"} 1"))
      << text;
  EXPECT_TRUE(has("portico_outbox_delivery_failures_total{topic=\"webhook\",dead=\"true\"} 1"))
      << text;
}

TEST_F(OutboxDispatcherTest, DeliversAndMarksDelivered) {
  OutboxDispatcher d(db_, clock_, random_);
  std::vector<std::string> payloads;
  d.Register("mail", [&](const OutboxMessage& m) {
    payloads.push_back(m.payload);
    return Status::Ok();
  });
  const int64_t id = Enqueue("mail", R"({"to":"a@example.com"})");
  EXPECT_EQ(RunOnce(d), 1);
  EXPECT_EQ(payloads, std::vector<std::string>{R"({"to":"a@example.com"})"});
  const OutboxMessage m = Get(id);
  ASSERT_TRUE(m.delivered_at.has_value());
  EXPECT_EQ(*m.delivered_at, clock_.Now());
  EXPECT_EQ(m.attempts, 1);
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_EQ(payloads.size(), 1u) << "delivered messages are not sent again";
}

TEST_F(OutboxDispatcherTest, RetriesWithExponentialBackoffOnTheClock) {
  OutboxDispatcher d(db_, clock_, random_);
  int calls = 0;
  d.Register("webhook", [&](const OutboxMessage&) {
    ++calls;
    return Unavailable("receiver down");
  });
  const int64_t id = Enqueue("webhook");
  const TimePoint t0 = clock_.Now();
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_EQ(calls, 1);
  OutboxMessage m = Get(id);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_FALSE(m.dead);
  EXPECT_EQ(m.next_attempt_at, t0 + milliseconds(1000));
  EXPECT_NE(m.last_error.find("receiver down"), std::string::npos) << m.last_error;

  clock_.Advance(milliseconds(999));
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_EQ(calls, 1) << "handler called before next_attempt_at";
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_EQ(calls, 2);
  m = Get(id);
  EXPECT_EQ(m.attempts, 2);
  EXPECT_EQ(m.next_attempt_at, clock_.Now() + milliseconds(2000));

  clock_.Advance(milliseconds(2000));
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(Get(id).next_attempt_at, clock_.Now() + milliseconds(4000));
}

TEST_F(OutboxDispatcherTest, JitterStaysWithinTwentyPercent) {
  const std::initializer_list<std::pair<uint8_t, int>> cases = {{0, 800}, {200, 1000}, {144, 944}};
  for (const auto& [draw, expected] : cases) {
    testing::InMemoryDatabase db;
    testing::FakeRandom random({0, 0, 0, draw});
    OutboxDispatcher d(db, clock_, random);
    d.Register("t", [](const OutboxMessage&) { return Unavailable("down"); });
    ASSERT_TRUE(db.Run([&](Stores& s) {
                    return s.outbox().Enqueue("t", "{}", clock_.Now()).status();
                  }).ok());
    ASSERT_TRUE(d.RunOnce().ok());
    OutboxMessage m;
    ASSERT_TRUE(db.Run([&](Stores& s) -> Status {
                    PORTICO_ASSIGN_OR_RETURN(m, s.outbox().Get(1));
                    return Status::Ok();
                  }).ok());
    EXPECT_EQ(m.next_attempt_at, clock_.Now() + milliseconds(expected)) << int(draw);
  }
  // The top of the range: draw 400 → factor 1.2.
  testing::InMemoryDatabase db;
  testing::FakeRandom random({0, 0, 1, 144});  // 0x190 = 400
  OutboxDispatcher d(db, clock_, random);
  d.Register("t", [](const OutboxMessage&) { return Unavailable("down"); });
  ASSERT_TRUE(
      db.Run([&](Stores& s) { return s.outbox().Enqueue("t", "{}", clock_.Now()).status(); }).ok());
  ASSERT_TRUE(d.RunOnce().ok());
  EXPECT_EQ(db.Snapshot().outbox.at(1).next_attempt_at, clock_.Now() + milliseconds(1200));
}

TEST_F(OutboxDispatcherTest, GivesUpAfterMaxAttempts) {
  OutboxPolicy policy;
  policy.max_attempts = 3;
  OutboxDispatcher d(db_, clock_, random_, policy);
  int calls = 0;
  d.Register("mail", [&](const OutboxMessage&) {
    ++calls;
    return Unavailable("smtp down");
  });
  const int64_t id = Enqueue("mail");
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(Get(id).dead);
    EXPECT_EQ(RunOnce(d), 0);
    clock_.Advance(std::chrono::hours(2));
  }
  const OutboxMessage m = Get(id);
  EXPECT_TRUE(m.dead);
  EXPECT_EQ(m.attempts, 3);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_EQ(calls, 3) << "dead messages are not retried";
  EXPECT_EQ(db_.Snapshot().outbox.size(), 1u);
}

TEST_F(OutboxDispatcherTest, AScheduledTopicWaitsItsScheduleThenIsDead) {
  OutboxPolicy policy;
  policy.max_attempts = 100;  // does not apply to a scheduled topic
  OutboxDispatcher d(db_, clock_, random_, policy);
  int calls = 0;
  d.Register("webhook",
             [&](const OutboxMessage&) {
               ++calls;
               return Unavailable("receiver down");
             },
             {std::chrono::seconds(5), std::chrono::minutes(5), std::chrono::hours(10)});
  const int64_t id = Enqueue("webhook");
  for (const milliseconds wait : std::vector<milliseconds>{
           std::chrono::seconds(5), std::chrono::minutes(5), std::chrono::hours(10)}) {
    EXPECT_EQ(RunOnce(d), 0);
    const OutboxMessage m = Get(id);
    ASSERT_FALSE(m.dead) << "after attempt " << m.attempts;
    EXPECT_EQ(m.next_attempt_at, clock_.Now() + wait) << "after attempt " << m.attempts;
    clock_.Advance(wait - milliseconds(1));
    EXPECT_EQ(RunOnce(d), 0);
    EXPECT_EQ(calls, m.attempts) << "not due before its schedule";
    clock_.Advance(milliseconds(1));
  }
  EXPECT_EQ(RunOnce(d), 0);  // the fourth attempt: the schedule's length + 1
  EXPECT_EQ(calls, 4);
  EXPECT_TRUE(Get(id).dead);
  EXPECT_EQ(Get(id).attempts, 4);
}

TEST_F(OutboxDispatcherTest, AScheduleLeavesOtherTopicsOnExponentialBackoff) {
  OutboxDispatcher d(db_, clock_, random_);
  d.Register("webhook", [](const OutboxMessage&) { return Unavailable("down"); },
             {std::chrono::hours(2)});
  d.Register("mail", [](const OutboxMessage&) { return Unavailable("down"); });
  const int64_t webhook = Enqueue("webhook");
  const int64_t mail = Enqueue("mail");
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_EQ(Get(webhook).next_attempt_at, clock_.Now() + std::chrono::hours(2));
  EXPECT_EQ(Get(mail).next_attempt_at, clock_.Now() + milliseconds(1000));
}

TEST_F(OutboxDispatcherTest, AnEmptyScheduleMeansOneAttempt) {
  OutboxDispatcher d(db_, clock_, random_);
  d.Register("once", [](const OutboxMessage&) { return Unavailable("down"); }, {});
  const int64_t id = Enqueue("once");
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_TRUE(Get(id).dead);
}

TEST_F(OutboxDispatcherTest, ASuccessfulScheduledTopicIsDelivered) {
  OutboxDispatcher d(db_, clock_, random_);
  d.Register("webhook", [](const OutboxMessage&) { return Status::Ok(); },
             {std::chrono::seconds(5)});
  const int64_t id = Enqueue("webhook");
  EXPECT_EQ(RunOnce(d), 1);
  EXPECT_TRUE(Get(id).delivered_at.has_value());
}

TEST_F(OutboxDispatcherTest, PermanentErrorsAreDeadAtOnce) {
  OutboxDispatcher d(db_, clock_, random_);
  d.Register("bad", [](const OutboxMessage&) { return InvalidArgument("no such mailbox"); });
  d.Register("rejected", [](const OutboxMessage&) { return FailedPrecondition("bad api key"); });
  const int64_t bad = Enqueue("bad");
  const int64_t rejected = Enqueue("rejected");
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_TRUE(Get(bad).dead);
  EXPECT_EQ(Get(bad).attempts, 1);
  EXPECT_NE(Get(bad).last_error.find("no such mailbox"), std::string::npos);
  EXPECT_TRUE(Get(rejected).dead);
}

TEST_F(OutboxDispatcherTest, UnknownTopicIsRetriedUntilAHandlerAppears) {
  OutboxDispatcher d(db_, clock_, random_);
  const int64_t id = Enqueue("audit");
  EXPECT_EQ(RunOnce(d), 0);
  OutboxMessage m = Get(id);
  EXPECT_FALSE(m.dead);
  EXPECT_EQ(m.attempts, 1);
  EXPECT_NE(m.last_error.find("no handler for topic audit"), std::string::npos) << m.last_error;
  EXPECT_EQ(m.next_attempt_at, clock_.Now() + milliseconds(1000));

  int calls = 0;
  d.Register("audit", [&](const OutboxMessage&) {
    ++calls;
    return Status::Ok();
  });
  clock_.Advance(milliseconds(1000));
  EXPECT_EQ(RunOnce(d), 1);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Get(id).attempts, 2);
}

TEST_F(OutboxDispatcherTest, ThrowingHandlerIsRetriedNotFatal) {
  OutboxDispatcher d(db_, clock_, random_);
  d.Register("t", [](const OutboxMessage&) -> Status { throw std::runtime_error("boom"); });
  const int64_t id = Enqueue("t");
  EXPECT_EQ(RunOnce(d), 0);
  EXPECT_FALSE(Get(id).dead);
  EXPECT_EQ(Get(id).attempts, 1);
}

TEST_F(OutboxDispatcherTest, ClaimedMessageIsLeasedWhileItsHandlerRuns) {
  OutboxDispatcher d(db_, clock_, random_);
  OutboxDispatcher other(db_, clock_, random_);
  int other_calls = 0;
  other.Register("t", [&](const OutboxMessage&) {
    ++other_calls;
    return Status::Ok();
  });
  d.Register("t", [&](const OutboxMessage&) {
    // A second dispatcher polling meanwhile must not take the same message;
    // this also proves the handler runs outside any transaction.
    EXPECT_EQ(RunOnce(other), 0);
    return Status::Ok();
  });
  Enqueue("t");
  EXPECT_EQ(RunOnce(d), 1);
  EXPECT_EQ(other_calls, 0);
}

TEST_F(OutboxDispatcherTest, ClaimsAtMostOneBatch) {
  OutboxPolicy policy;
  policy.batch_size = 2;
  OutboxDispatcher d(db_, clock_, random_, policy);
  std::vector<std::string> order;
  d.Register("t", [&](const OutboxMessage& m) {
    order.push_back(m.payload);
    return Status::Ok();
  });
  for (const char* p : {"1", "2", "3", "4", "5"}) Enqueue("t", p);
  EXPECT_EQ(RunOnce(d), 2);
  EXPECT_EQ(RunOnce(d), 2);
  EXPECT_EQ(RunOnce(d), 1);
  EXPECT_EQ(order, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
}

TEST_F(OutboxDispatcherTest, StoreFailureIsReturned) {
  OutboxDispatcher d(db_, clock_, random_);
  db_.SetUnavailable(true);
  StatusOr<int> n = d.RunOnce();
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().code(), StatusCode::kUnavailable);
}

TEST_F(OutboxDispatcherTest, FailureToRecordDeliveryIsReturnedAndTheMessageStaysPending) {
  OutboxDispatcher d(db_, clock_, random_);
  d.Register("t", [](const OutboxMessage&) { return Status::Ok(); });
  const int64_t id = Enqueue("t");
  db_.FailOperation("outbox.MarkDelivered");
  EXPECT_EQ(d.RunOnce().status().code(), StatusCode::kUnavailable);
  db_.FailOperation("");
  EXPECT_FALSE(Get(id).delivered_at.has_value());
  // After the lease the message is claimed and delivered again (at least once).
  clock_.Advance(std::chrono::minutes(2));
  EXPECT_EQ(RunOnce(d), 1);
}

TEST_F(OutboxDispatcherTest, BackgroundThreadDeliversAfterWake) {
  OutboxPolicy policy;
  policy.poll_interval = std::chrono::hours(1);  // only Wake can explain a prompt delivery
  OutboxDispatcher d(db_, clock_, random_, policy);
  std::mutex mu;
  std::condition_variable cv;
  int delivered = 0;
  d.Register("t", [&](const OutboxMessage&) {
    std::lock_guard lock(mu);
    ++delivered;
    cv.notify_all();
    return Status::Ok();
  });
  d.Start();
  d.Start();  // idempotent
  // Give the first (empty) pass time to finish so it is the wait that ends.
  std::this_thread::sleep_for(milliseconds(50));
  Enqueue("t");
  d.Wake();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return delivered == 1; }));
  }
  d.Stop();
  Enqueue("t");
  d.Wake();
  std::this_thread::sleep_for(milliseconds(50));
  std::lock_guard lock(mu);
  EXPECT_EQ(delivered, 1) << "stopped dispatcher delivered";
}

TEST_F(OutboxDispatcherTest, BackgroundThreadDrainsFullBatchesWithoutWaiting) {
  OutboxPolicy policy;
  policy.poll_interval = std::chrono::hours(1);
  policy.batch_size = 2;
  OutboxDispatcher d(db_, clock_, random_, policy);
  std::mutex mu;
  std::condition_variable cv;
  int delivered = 0;
  d.Register("t", [&](const OutboxMessage&) {
    std::lock_guard lock(mu);
    ++delivered;
    cv.notify_all();
    return Status::Ok();
  });
  for (int i = 0; i < 5; ++i) Enqueue("t");
  d.Start();
  std::unique_lock lock(mu);
  EXPECT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return delivered == 5; }))
      << "delivered " << delivered << " of 5 in one poll";
  lock.unlock();
  d.Stop();  // before the handler's captures go out of scope
}

TEST_F(OutboxDispatcherTest, DestructorStopsARunningThread) {
  auto d = std::make_unique<OutboxDispatcher>(db_, clock_, random_);
  d->Start();
  d.reset();  // must join, not hang or crash
  SUCCEED();
}

}  // namespace
}  // namespace portico
