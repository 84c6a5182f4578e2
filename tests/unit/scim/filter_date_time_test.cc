#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "scim/filter/date_time.h"

namespace portico::scim {
namespace {

struct DateTimeCase {
  const char* text;
  std::optional<int64_t> millis;
};

class ParseDateTimeMillisTest : public ::testing::TestWithParam<DateTimeCase> {};

TEST_P(ParseDateTimeMillisTest, ParsesRfc3339InstantsOnly) {
  EXPECT_EQ(ParseDateTimeMillis(GetParam().text), GetParam().millis) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Table, ParseDateTimeMillisTest,
    ::testing::Values(
        DateTimeCase{"1970-01-01T00:00:00Z", 0}, DateTimeCase{"1970-01-01T00:00:00.001Z", 1},
        DateTimeCase{"2011-08-01T18:29:49.793Z", 1312223389793},
        // The same instant written with an offset, lower-case t / z, more fraction digits.
        DateTimeCase{"2011-08-01T20:29:49.793+02:00", 1312223389793},
        DateTimeCase{"2011-08-01t13:29:49.7939999-05:00", 1312223389793},
        DateTimeCase{"2011-08-01T18:29:49.793z", 1312223389793},
        DateTimeCase{"2024-01-31T12:00:00.5Z", 1706702400500},
        DateTimeCase{"1969-12-31T23:59:59.999Z", -1},
        DateTimeCase{"2024-02-29T00:00:00Z", 1709164800000},
        DateTimeCase{"2000-02-29T00:00:00Z", 951782400000},
        DateTimeCase{"0000-01-01T00:00:00Z", -62167219200000},
        DateTimeCase{"9999-12-31T23:59:59.999Z", 253402300799999},
        DateTimeCase{"2023-02-29T00:00:00Z", std::nullopt},  // not a leap year
        DateTimeCase{"1900-02-29T00:00:00Z", std::nullopt},
        DateTimeCase{"2024-04-31T00:00:00Z", std::nullopt},
        DateTimeCase{"2024-13-01T00:00:00Z", std::nullopt},
        DateTimeCase{"2024-00-01T00:00:00Z", std::nullopt},
        DateTimeCase{"2024-01-00T00:00:00Z", std::nullopt},
        DateTimeCase{"2024-01-01T24:00:00Z", std::nullopt},
        DateTimeCase{"2024-01-01T00:60:00Z", std::nullopt},
        DateTimeCase{"2016-12-31T23:59:60Z", std::nullopt},  // leap seconds are not instants here
        DateTimeCase{"2024-01-01T00:00:00", std::nullopt},   // no time zone
        DateTimeCase{"2024-01-01T00:00:00+0200", std::nullopt},
        DateTimeCase{"2024-01-01T00:00:00+24:00", std::nullopt},
        DateTimeCase{"2024-01-01T00:00:00.Z", std::nullopt},
        DateTimeCase{"2024-01-01 00:00:00Z", std::nullopt},
        DateTimeCase{"2024-01-01", std::nullopt},
        DateTimeCase{" 2024-01-01T00:00:00Z", std::nullopt},
        DateTimeCase{"2024-01-01T00:00:00Z ", std::nullopt},
        DateTimeCase{"24-01-01T00:00:00Z", std::nullopt}, DateTimeCase{"yesterday", std::nullopt},
        DateTimeCase{"", std::nullopt}));

TEST(FormatDateTimeMillisTest, WritesCanonicalUtcWithMilliseconds) {
  EXPECT_EQ(FormatDateTimeMillis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatDateTimeMillis(1312223389793), "2011-08-01T18:29:49.793Z");
  EXPECT_EQ(FormatDateTimeMillis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatDateTimeMillis(-62167219200000), "0000-01-01T00:00:00.000Z");
}

TEST(FormatDateTimeMillisTest, RoundTripsThroughTheParserAcrossCenturies) {
  for (int64_t ms = -62167219200000; ms < 253402300799999; ms += 86'399'997'123) {
    EXPECT_EQ(ParseDateTimeMillis(FormatDateTimeMillis(ms)), ms) << FormatDateTimeMillis(ms);
  }
}

}  // namespace
}  // namespace portico::scim
