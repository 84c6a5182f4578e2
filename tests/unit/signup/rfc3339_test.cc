#include "signup/session/rfc3339.h"

#include <gtest/gtest.h>

namespace portico::signup {
namespace {

int64_t Millis(std::string_view text) {
  std::optional<TimePoint> t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t ? ToUnixMillis(*t) : -1;
}

TEST(ParseRfc3339Test, ReadsUtcAndOffsetsToTheMillisecond) {
  EXPECT_EQ(Millis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Millis("2026-03-03T12:00:00Z"), 1'772'539'200'000);
  EXPECT_EQ(Millis("2026-03-03t12:00:00z"), 1'772'539'200'000);
  EXPECT_EQ(Millis("2026-03-03T12:00:00.5Z"), 1'772'539'200'500);
  EXPECT_EQ(Millis("2026-03-03T12:00:00.123456789Z"), 1'772'539'200'123);  // truncated
  EXPECT_EQ(Millis("2026-03-03T14:30:00+02:30"), 1'772'539'200'000);
  EXPECT_EQ(Millis("2026-03-03T04:00:00-08:00"), 1'772'539'200'000);
  EXPECT_EQ(Millis("2024-02-29T00:00:00Z"), 1'709'164'800'000);  // leap day
}

TEST(ParseRfc3339Test, RefusesAnythingElse) {
  for (const char* bad : {"",
                          "2026-03-03",
                          "2026-03-03T12:00Z",
                          "2026-03-03T12:00:00",
                          "2026-03-03 12:00:00Z",
                          "2026-3-03T12:00:00Z",
                          "26-03-03T12:00:00Z",
                          "2026-13-01T00:00:00Z",
                          "2026-00-01T00:00:00Z",
                          "2026-02-29T00:00:00Z",
                          "2026-04-31T00:00:00Z",
                          "2026-03-03T24:00:00Z",
                          "2026-03-03T12:60:00Z",
                          "2026-03-03T12:00:60Z",
                          "2026-03-03T12:00:00.Z",
                          "2026-03-03T12:00:00.1234567890Z",
                          "2026-03-03T12:00:00+2:00",
                          "2026-03-03T12:00:00+24:00",
                          "2026-03-03T12:00:00+02:60",
                          "2026-03-03T12:00:00+0200",
                          "2026-03-03T12:00:00Z ",
                          " 2026-03-03T12:00:00Z",
                          "2026-03-03T12:00:00ZZ"}) {
    EXPECT_FALSE(ParseRfc3339(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace portico::signup
