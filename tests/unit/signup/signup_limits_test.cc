#include "signup/session/signup_limits.h"

#include <gtest/gtest.h>

namespace portico::signup {
namespace {

using std::chrono::seconds;

TEST(ParseRateLimitSpecTest, ReadsCountPerWindow) {
  struct Case {
    const char* spec;
    int64_t hits;
    int64_t window;
  };
  for (const Case& c :
       {Case{"20/1h", 20, 3600}, Case{"5/10m", 5, 600}, Case{"100/30s", 100, 30},
        Case{"1000/1d", 1000, 86400}, Case{"1/7d", 1, 604800}, Case{"1000000/1s", 1000000, 1}}) {
    StatusOr<RateLimit> limit = ParseRateLimitSpec(c.spec);
    ASSERT_TRUE(limit.ok()) << c.spec << ": " << limit.status().ToString();
    EXPECT_EQ(limit->max_hits, c.hits) << c.spec;
    EXPECT_EQ(limit->window, seconds(c.window)) << c.spec;
  }
}

TEST(ParseRateLimitSpecTest, OffTurnsTheLimitOff) {
  EXPECT_EQ(ParseRateLimitSpec("off")->max_hits, 0);
  EXPECT_EQ(ParseRateLimitSpec("0")->max_hits, 0);
}

TEST(ParseRateLimitSpecTest, RefusesMalformedSpecs) {
  for (const char* bad :
       {"", "20", "20/", "/1h", "20/h", "20/1", "20/1w", "-1/1h", "0/1h", "1000001/1h", "20/0s",
        "20/8d", "20/169h", "x/1h", "20/1h ", " 20/1h", "20/1.5h", "OFF"}) {
    EXPECT_FALSE(ParseRateLimitSpec(bad).ok()) << bad;
  }
}

TEST(FormatRateLimitSpecTest, RoundTrips) {
  for (const char* spec : {"20/1h", "5/10m", "90/90s", "3/2d", "off"}) {
    EXPECT_EQ(FormatRateLimitSpec(*ParseRateLimitSpec(spec)), spec);
  }
}

TEST(SignupRateLimitsTest, DefaultsLimitEveryScope) {
  const SignupRateLimits limits;
  for (const RateLimit* l :
       {&limits.create_per_ip, &limits.create_per_domain, &limits.create_per_email,
        &limits.verify_per_ip, &limits.verify_per_domain, &limits.verify_per_email}) {
    EXPECT_GT(l->max_hits, 0);
    EXPECT_GT(l->window.count(), 0);
  }
}

}  // namespace
}  // namespace portico::signup
