#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "portico/jose.h"
#include "portico/parse_json.h"

namespace portico {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr int64_t kNow = 1'800'000'000;
const TimePoint kNowTime = FromUnixMillis(kNow * 1000);

Json Claims(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return json.ok() ? *json : Json();
}

Json At(std::string_view claim, int64_t offset) {
  Json claims = Json::MakeObject();
  claims.Set(claim, kNow + offset);
  return claims;
}

std::string Check(const Json& claims, seconds leeway = seconds(0), bool require_exp = false,
                  TimePoint now = kNowTime) {
  Status status = CheckJwtTimes(claims, now, leeway, require_exp);
  if (status.ok()) return "(ok)";
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  return status.message();
}

TEST(CheckJwtTimesTest, AcceptsClaimsWithoutTimesUnlessExpIsRequired) {
  EXPECT_EQ(Check(Claims(R"({"iss":"a"})")), "(ok)");
  EXPECT_EQ(Check(Claims(R"({"iss":"a"})"), seconds(0), true), "JWT claim \"exp\" is required");
}

TEST(CheckJwtTimesTest, ExpMustBeStrictlyInTheFuture) {
  EXPECT_EQ(Check(At("exp", 1), seconds(0), true), "(ok)");
  EXPECT_EQ(Check(At("exp", 0)), "JWT has expired (exp)");  // RFC 7519 §4.1.4: "before"
  EXPECT_EQ(Check(At("exp", -1)), "JWT has expired (exp)");
}

TEST(CheckJwtTimesTest, LeewayExtendsExpByExactlyItsLength) {
  EXPECT_EQ(Check(At("exp", -59), seconds(60)), "(ok)");
  EXPECT_EQ(Check(At("exp", -60), seconds(60)), "JWT has expired (exp)");
}

TEST(CheckJwtTimesTest, NbfMayNotBeLaterThanNowPlusLeeway) {
  EXPECT_EQ(Check(At("nbf", 0)), "(ok)");  // §4.1.5: "after or equal to"
  EXPECT_EQ(Check(At("nbf", -100)), "(ok)");
  EXPECT_EQ(Check(At("nbf", 1)), "JWT is not valid yet (nbf)");
  EXPECT_EQ(Check(At("nbf", 30), seconds(30)), "(ok)");
  EXPECT_EQ(Check(At("nbf", 31), seconds(30)), "JWT is not valid yet (nbf)");
}

TEST(CheckJwtTimesTest, IatMayNotBeInTheFutureBeyondLeeway) {
  EXPECT_EQ(Check(At("iat", 0)), "(ok)");
  EXPECT_EQ(Check(At("iat", -86400)), "(ok)");
  EXPECT_EQ(Check(At("iat", 1)), "JWT is issued in the future (iat)");
  EXPECT_EQ(Check(At("iat", 10), seconds(10)), "(ok)");
  EXPECT_EQ(Check(At("iat", 11), seconds(10)), "JWT is issued in the future (iat)");
}

TEST(CheckJwtTimesTest, AcceptsFractionalNumericDates) {
  Json claims = Json::MakeObject();
  claims.Set("exp", static_cast<double>(kNow) + 0.5).Set("iat", static_cast<double>(kNow) - 0.25);
  EXPECT_EQ(Check(claims), "(ok)");
  claims.Set("exp", static_cast<double>(kNow) - 0.5);
  EXPECT_EQ(Check(claims), "JWT has expired (exp)");
  // Sub-second precision of now counts too.
  EXPECT_EQ(Check(At("exp", 0), seconds(0), false, kNowTime - std::chrono::milliseconds(1)),
            "(ok)");
}

TEST(CheckJwtTimesTest, RejectsNumericDatesThatAreNotNumbers) {
  for (const char* claim : {"exp", "nbf", "iat"}) {
    SCOPED_TRACE(claim);
    for (const Json& value : {Json(std::to_string(kNow + 100)), Json(true), Json(nullptr),
                              Json(Json::Array{Json(kNow + 100)})}) {
      Json claims = Json::MakeObject();
      claims.Set(claim, value);
      EXPECT_THAT(Check(claims), HasSubstr(std::string("\"") + claim + "\" must be a NumericDate"));
    }
  }
}

TEST(CheckJwtTimesTest, ReportsTheFirstFailingRuleWhenSeveralFail) {
  Json claims = Json::MakeObject();
  claims.Set("exp", kNow - 10).Set("nbf", kNow + 10).Set("iat", "yesterday");
  EXPECT_THAT(Check(claims), HasSubstr("\"iat\" must be a NumericDate"));
  claims.Set("iat", kNow);
  EXPECT_EQ(Check(claims), "JWT has expired (exp)");
}

TEST(CheckJwtTimesTest, NegativeLeewayCountsAsNone) {
  EXPECT_EQ(Check(At("exp", 5), seconds(-10)), "(ok)");
  EXPECT_EQ(Check(At("iat", 0), seconds(-10)), "(ok)");
}

TEST(CheckJwtTimesTest, RejectsClaimsThatAreNotAnObject) {
  EXPECT_EQ(Check(Json(Json::Array{})), "JWT claims must be a JSON object");
}

}  // namespace
}  // namespace portico
