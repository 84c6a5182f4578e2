#include "portico/rate_limit.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>

#include "tests/fakes/in_memory_oauth_stores.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// 1'800'000'000'000 ms is a multiple of 60 s: a minute window starts here.
const TimePoint kWindowStart = FromUnixMillis(1'800'000'000'000);

class CheckRateLimitTest : public ::testing::Test {
 protected:
  Status Check(std::string_view bucket, RateLimit limit, TimePoint now) {
    return CheckRateLimit(stores_.rate_limits(), bucket, limit, now);
  }

  InMemoryOAuthStores stores_;
};

TEST_F(CheckRateLimitTest, AllowsUpToMaxHitsThenRefusesWithTagAndRetryAfter) {
  const RateLimit limit{.max_hits = 3, .window = seconds(60)};
  for (int i = 0; i < 3; ++i) {
    Status s = Check("ip:1", limit, kWindowStart + seconds(10));
    EXPECT_TRUE(s.ok()) << i << ": " << s.ToString();
  }
  Status refused = Check("ip:1", limit, kWindowStart + seconds(10));
  EXPECT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.tag(), "rate_limited");
  EXPECT_EQ(refused.retry_after_seconds(), 50);
}

TEST_F(CheckRateLimitTest, RetryAfterRoundsUpPartialSeconds) {
  const RateLimit limit{.max_hits = 1, .window = seconds(60)};
  ASSERT_TRUE(Check("b", limit, kWindowStart + milliseconds(10'001)).ok());
  Status refused = Check("b", limit, kWindowStart + milliseconds(10'001));
  EXPECT_EQ(refused.retry_after_seconds(), 50);  // 49.999 s left
}

TEST_F(CheckRateLimitTest, RetryAfterIsAtLeastOneSecondAtTheVeryEndOfAWindow) {
  const RateLimit limit{.max_hits = 1, .window = seconds(60)};
  const TimePoint last_ms = kWindowStart + seconds(60) - milliseconds(1);
  ASSERT_TRUE(Check("b", limit, last_ms).ok());
  Status refused = Check("b", limit, last_ms);
  ASSERT_EQ(refused.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(refused.retry_after_seconds(), 1);
}

TEST_F(CheckRateLimitTest, WindowsAreAlignedToTheEpochNotToTheFirstHit) {
  const RateLimit limit{.max_hits = 1, .window = seconds(60)};
  // First hit 59 s into a window: the next window starts 1 s later, not 60 s.
  ASSERT_TRUE(Check("b", limit, kWindowStart + seconds(59)).ok());
  EXPECT_FALSE(Check("b", limit, kWindowStart + milliseconds(59'999)).ok());
  EXPECT_TRUE(Check("b", limit, kWindowStart + seconds(60)).ok());

  InMemoryOAuthState state = stores_.Snapshot();
  ASSERT_EQ(state.rate_limits.size(), 2u);
  auto first = state.rate_limits.find({"b", kWindowStart});
  ASSERT_NE(first, state.rate_limits.end());
  EXPECT_EQ(first->second.window_end, kWindowStart + seconds(60));
  EXPECT_EQ(first->second.hits, 2);
  auto second = state.rate_limits.find({"b", kWindowStart + seconds(60)});
  ASSERT_NE(second, state.rate_limits.end());
  EXPECT_EQ(second->second.window_end, kWindowStart + seconds(120));
  EXPECT_EQ(second->second.hits, 1);
}

TEST_F(CheckRateLimitTest, AWindowBoundaryResetsTheCount) {
  const RateLimit limit{.max_hits = 2, .window = seconds(10)};
  EXPECT_TRUE(Check("b", limit, kWindowStart).ok());
  EXPECT_TRUE(Check("b", limit, kWindowStart + seconds(5)).ok());
  EXPECT_FALSE(Check("b", limit, kWindowStart + milliseconds(9'999)).ok());
  EXPECT_TRUE(Check("b", limit, kWindowStart + seconds(10)).ok());
  EXPECT_TRUE(Check("b", limit, kWindowStart + seconds(11)).ok());
  EXPECT_FALSE(Check("b", limit, kWindowStart + seconds(12)).ok());
}

TEST_F(CheckRateLimitTest, BucketsCountIndependently) {
  const RateLimit limit{.max_hits = 1, .window = seconds(60)};
  EXPECT_TRUE(Check("ip:1", limit, kWindowStart).ok());
  EXPECT_TRUE(Check("ip:2", limit, kWindowStart).ok());
  EXPECT_FALSE(Check("ip:1", limit, kWindowStart).ok());
  EXPECT_FALSE(Check("ip:2", limit, kWindowStart).ok());
  EXPECT_TRUE(Check("ip:3", limit, kWindowStart).ok());
}

TEST_F(CheckRateLimitTest, ALimitWithNoPositiveMaxHitsIsOffAndCountsNothing) {
  for (int64_t max_hits : {0, -1}) {
    const RateLimit limit{.max_hits = max_hits, .window = seconds(60)};
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(Check("b", limit, kWindowStart).ok());
  }
  EXPECT_TRUE(stores_.Snapshot().rate_limits.empty());
}

TEST_F(CheckRateLimitTest, RefusedHitsStillCount) {
  // A client hammering past the limit does not get a fresh allowance by it.
  const RateLimit limit{.max_hits = 1, .window = seconds(60)};
  ASSERT_TRUE(Check("b", limit, kWindowStart).ok());
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(Check("b", limit, kWindowStart).ok());
  EXPECT_EQ(stores_.Snapshot().rate_limits.at({"b", kWindowStart}).hits, 4);
}

TEST_F(CheckRateLimitTest, InstantsBeforeTheEpochUseFlooredWindows) {
  const RateLimit limit{.max_hits = 1, .window = seconds(60)};
  const TimePoint before_epoch = FromUnixMillis(-1'000);  // 1969-12-31T23:59:59Z
  ASSERT_TRUE(Check("b", limit, before_epoch).ok());
  Status refused = Check("b", limit, before_epoch);
  EXPECT_EQ(refused.retry_after_seconds(), 1);
  EXPECT_EQ(stores_.Snapshot().rate_limits.count({"b", FromUnixMillis(-60'000)}), 1u);
}

TEST_F(CheckRateLimitTest, StoreFailureIsReturnedAsIs) {
  stores_.FailOperation("rate_limits.Hit");
  Status s = Check("b", RateLimit{.max_hits = 5, .window = seconds(60)}, kWindowStart);
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
}

TEST_F(CheckRateLimitTest, ANonPositiveWindowIsAnErrorNotAnOpenDoor) {
  Status s = Check("b", RateLimit{.max_hits = 5, .window = seconds(0)}, kWindowStart);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace portico::testing
