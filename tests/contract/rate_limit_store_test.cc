#include <algorithm>
#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "oauth_store_fixture.h"
#include "portico/rate_limit.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class RateLimitStoreContract : public OAuthStoreFixture {
 protected:
  StatusOr<int64_t> Hit(const std::string& bucket, TimePoint start, TimePoint end) {
    return Query([&](Stores& s) { return s.rate_limits().Hit(bucket, start, end); });
  }
  StatusOr<int64_t> DeleteEnded(TimePoint now) {
    return Query([&](Stores& s) { return s.rate_limits().DeleteEnded(now); });
  }
};

TEST_P(RateLimitStoreContract, HitsCountOneTwoThree) {
  const TimePoint end = T0() + seconds(60);
  for (int64_t expected = 1; expected <= 3; ++expected) {
    auto hits = Hit("ip:10.0.0.1", T0(), end);
    ASSERT_TRUE(hits.ok()) << hits.status().ToString();
    EXPECT_EQ(*hits, expected);
  }
}

TEST_P(RateLimitStoreContract, WindowsAndBucketsCountSeparately) {
  const TimePoint next = T0() + seconds(60);
  EXPECT_EQ(*Hit("a", T0(), next), 1);
  EXPECT_EQ(*Hit("a", T0(), next), 2);
  EXPECT_EQ(*Hit("a", next, next + seconds(60)), 1);
  EXPECT_EQ(*Hit("b", T0(), next), 1);
  EXPECT_EQ(*Hit("a", T0(), next), 3);
  EXPECT_EQ(*Hit("b", T0(), next), 2);
}

TEST_P(RateLimitStoreContract, ConcurrentHitsOnSeparateSessionsSeeDistinctCounts) {
  constexpr int kThreads = 4;  // the pool's size: each thread its own session
  constexpr int kHitsEach = 25;
  std::latch start(kThreads);
  std::mutex mu;
  std::vector<int64_t> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.arrive_and_wait();
      for (int i = 0; i < kHitsEach; ++i) {
        auto hits = Hit("shared", T0(), T0() + seconds(60));
        ASSERT_TRUE(hits.ok()) << hits.status().ToString();
        std::lock_guard lock(mu);
        seen.push_back(*hits);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(seen.size(), static_cast<size_t>(kThreads * kHitsEach));
  std::sort(seen.begin(), seen.end());
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int64_t>(i + 1));
}

TEST_P(RateLimitStoreContract, HitsInsideATransactionRollBackWithIt) {
  ASSERT_EQ(*Hit("a", T0(), T0() + seconds(60)), 1);
  Status status = db_->Transact([&](Stores& s) -> Status {
    EXPECT_EQ(*s.rate_limits().Hit("a", T0(), T0() + seconds(60)), 2);
    return Aborted("roll back");
  });
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_EQ(*Hit("a", T0(), T0() + seconds(60)), 2);
}

TEST_P(RateLimitStoreContract, DeleteEndedDeletesWindowsEndedByNow) {
  ASSERT_TRUE(Hit("a", T0(), T0() + seconds(60)).ok());
  ASSERT_TRUE(Hit("b", T0(), T0() + seconds(60)).ok());
  ASSERT_TRUE(Hit("a", T0() + seconds(60), T0() + seconds(120)).ok());
  auto deleted = DeleteEnded(T0() + seconds(60));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(*Hit("a", T0(), T0() + seconds(60)), 1);  // counting starts over
  EXPECT_EQ(*Hit("a", T0() + seconds(60), T0() + seconds(120)), 2);
  EXPECT_EQ(*DeleteEnded(T0() + milliseconds(59'999)), 0);
}

TEST_P(RateLimitStoreContract, CheckRateLimitCountsAgainstTheStore) {
  const RateLimit limit{.max_hits = 2, .window = seconds(60)};
  auto check = [&] {
    return Query([&](Stores& s) {
      return CheckRateLimit(s.rate_limits(), "register:ip", limit, T0() + seconds(15));
    });
  };
  EXPECT_TRUE(check().ok());
  EXPECT_TRUE(check().ok());
  Status refused = check();
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.retry_after_seconds(), 45);
}

TEST_P(RateLimitStoreContract, HitWorksAgainOnConnectionsThatReplaceLostOnes) {
  // Hit is prepared once per connection; a new connection must prepare it again.
  if (GetParam() != StoreTarget::kPostgres) GTEST_SKIP() << "only PostgreSQL connections are lost";
  const TimePoint end = T0() + seconds(60);
  ASSERT_EQ(*Hit("a", T0(), end), 1);
  {
    std::unique_ptr<soci::session> admin = RawSession();
    *admin << "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
              "WHERE datname = current_database() AND pid <> pg_backend_pid()";
  }
  // The first lease learns of the loss (Unavailable at most once, counting
  // nothing); then the count goes on.
  auto first = Hit("a", T0(), end);
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), StatusCode::kUnavailable) << first.status().ToString();
    first = Hit("a", T0(), end);
  }
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 2);
  EXPECT_EQ(*Hit("a", T0(), end), 3);
}

INSTANTIATE_TEST_SUITE_P(Targets, RateLimitStoreContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

}  // namespace
}  // namespace portico::testing
