#include "portico/clock.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <random>

namespace portico {
namespace {

// The reference: the C library's calendar arithmetic.
std::string Reference(int64_t ms) {
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

TEST(FormatRfc3339Test, KnownInstants) {
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(951'782'400'000)), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(1'800'000'000'123)), "2027-01-15T08:00:00.123Z");
  EXPECT_EQ(FormatRfc3339(FromUnixMillis(-1)), "1969-12-31T23:59:59.999Z");
}

TEST(FormatRfc3339Test, AgreesWithTheCLibraryFrom1900To2200) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> dist(-2'208'988'800'000, 7'258'118'400'000);
  for (int i = 0; i < 100'000; ++i) {
    const int64_t ms = dist(rng);
    ASSERT_EQ(FormatRfc3339(FromUnixMillis(ms)), Reference(ms)) << ms;
  }
}

TEST(UnixMillisTest, RoundTrips) {
  for (int64_t ms : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1'800'000'000'123}}) {
    EXPECT_EQ(ToUnixMillis(FromUnixMillis(ms)), ms);
  }
}

TEST(ClockTest, FormatRfc3339ToWritesExactlyTheFormattedTextIntoTheBuffer) {
  for (int64_t ms : {int64_t{0}, int64_t{1'800'000'000'123}, int64_t{-1}}) {
    char buf[kRfc3339Length + 1];
    buf[kRfc3339Length] = '#';
    FormatRfc3339To(FromUnixMillis(ms), buf);
    EXPECT_EQ(std::string(buf, kRfc3339Length), FormatRfc3339(FromUnixMillis(ms))) << ms;
    EXPECT_EQ(buf[kRfc3339Length], '#') << "wrote past the text";
  }
}

}  // namespace
}  // namespace portico
