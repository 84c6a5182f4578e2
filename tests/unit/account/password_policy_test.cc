#include "signup/account/password_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "portico/crypto.h"
#include "tests/unit/account/temp_dir.h"

namespace portico::signup {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kEmail[] = "zed@example.com";  // shares nothing with the passwords below

std::string Repeat(std::string_view unit, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += unit;
  return out;
}

std::vector<std::string> Reasons(const PasswordPolicy& policy, std::string_view password,
                                 std::string_view email = kEmail) {
  static const PasswordBlocklist empty;
  return WeakPasswordReasons(policy, password, email, empty);
}

PasswordPolicy WithMax(int max_length) {
  PasswordPolicy policy;
  policy.max_length = max_length;
  return policy;
}

TEST(PasswordPolicyTest, DefaultsFollowNist) {
  const PasswordPolicy policy;
  EXPECT_EQ(policy.min_length, 15);
  EXPECT_EQ(policy.max_length, 128);
  EXPECT_FALSE(policy.require_uppercase || policy.require_lowercase || policy.require_digit ||
               policy.require_special);
  EXPECT_TRUE(policy.blocklist);
  EXPECT_TRUE(ValidatePasswordPolicy(policy).ok());
}

TEST(PasswordPolicyTest, MinimumLengthBoundaryIs15ByDefault) {
  const PasswordPolicy policy;
  EXPECT_THAT(Reasons(policy, Repeat("a", 14)), ElementsAre("TOO_SHORT"));
  EXPECT_THAT(Reasons(policy, Repeat("a", 15)), IsEmpty());
  EXPECT_THAT(Reasons(policy, ""), ElementsAre("TOO_SHORT"));
}

TEST(PasswordPolicyTest, MaximumLengthBoundaryAt64) {
  const PasswordPolicy policy = WithMax(64);
  EXPECT_THAT(Reasons(policy, Repeat("a", 64)), IsEmpty());
  EXPECT_THAT(Reasons(policy, Repeat("a", 65)), ElementsAre("TOO_LONG"));
  // The default ceiling.
  EXPECT_THAT(Reasons(PasswordPolicy(), Repeat("a", 128)), IsEmpty());
  EXPECT_THAT(Reasons(PasswordPolicy(), Repeat("a", 129)), ElementsAre("TOO_LONG"));
}

TEST(PasswordPolicyTest, LengthCountsCodePointsNotBytes) {
  const PasswordPolicy policy = WithMax(64);
  // "é" is 2 bytes, "€" 3, "😀" 4: 14 of them are too short whatever the bytes.
  for (const char* unit : {"é", "€", "😀"}) {
    EXPECT_THAT(Reasons(policy, Repeat(unit, 14)), ElementsAre("TOO_SHORT")) << unit;
    EXPECT_THAT(Reasons(policy, Repeat(unit, 15)), IsEmpty()) << unit;
    EXPECT_THAT(Reasons(policy, Repeat(unit, 64)), IsEmpty()) << unit;
    EXPECT_THAT(Reasons(policy, Repeat(unit, 65)), ElementsAre("TOO_LONG")) << unit;
  }
  // A combining accent is its own code point: "e" + U+0301 counts 2.
  EXPECT_EQ(CountCodePoints("e\xCC\x81"), 2u);
  EXPECT_EQ(CountCodePoints("pässwörd"), 8u);
}

TEST(PasswordPolicyTest, InvalidUtf8BytesCountOneEach) {
  EXPECT_EQ(CountCodePoints("\xFF\xFE"), 2u);
  EXPECT_EQ(CountCodePoints("\xE2\x82"), 2u);                        // a truncated "€"
  const std::string overlong = std::string("a") + "\xC0\xAF" + "b";  // an overlong '/'
  EXPECT_EQ(CountCodePoints(overlong), 4u);
}

TEST(PasswordPolicyTest, SpacesAndPunctuationAreAllowedWithoutCompositionRules) {
  const PasswordPolicy policy;
  EXPECT_THAT(Reasons(policy, "correct horse battery staple"), IsEmpty());
  EXPECT_THAT(Reasons(policy, "               "), IsEmpty());  // 15 spaces: length is the rule
  EXPECT_THAT(Reasons(policy, "!@#$%^&*()_+-=[]{};'"), IsEmpty());
}

TEST(PasswordPolicyTest, EachCompositionRuleIsOptIn) {
  PasswordPolicy policy;
  policy.require_uppercase = true;
  EXPECT_THAT(Reasons(policy, "lowercase only here"), ElementsAre("MISSING_UPPERCASE"));
  EXPECT_THAT(Reasons(policy, "lowercase Only here"), IsEmpty());

  policy = PasswordPolicy();
  policy.require_lowercase = true;
  EXPECT_THAT(Reasons(policy, "UPPERCASE ONLY HERE"), ElementsAre("MISSING_LOWERCASE"));
  EXPECT_THAT(Reasons(policy, "UPPERCASE oNLY HERE"), IsEmpty());

  policy = PasswordPolicy();
  policy.require_digit = true;
  EXPECT_THAT(Reasons(policy, "no digits in here"), ElementsAre("MISSING_DIGIT"));
  EXPECT_THAT(Reasons(policy, "one digit 1n here"), IsEmpty());

  policy = PasswordPolicy();
  policy.require_special = true;
  EXPECT_THAT(Reasons(policy, "NoSpecialsInHere1"), ElementsAre("MISSING_SPECIAL"));
  EXPECT_THAT(Reasons(policy, "NoSpecialsInHere!"), IsEmpty());
  EXPECT_THAT(Reasons(policy, "Specials In Here"), IsEmpty());    // the space counts
  EXPECT_THAT(Reasons(policy, "NonAsciiCountsHéré"), IsEmpty());  // so does any non-ASCII
}

TEST(PasswordPolicyTest, AllCompositionRulesReportEveryMissingClass) {
  PasswordPolicy policy;
  policy.require_uppercase = policy.require_lowercase = policy.require_digit =
      policy.require_special = true;
  EXPECT_THAT(Reasons(policy, "aaaaaaaaaaaaaaa"),
              ElementsAre("MISSING_UPPERCASE", "MISSING_DIGIT", "MISSING_SPECIAL"));
  EXPECT_THAT(Reasons(policy, "555555555555555"),
              ElementsAre("MISSING_UPPERCASE", "MISSING_LOWERCASE", "MISSING_SPECIAL"));
  // Non-ASCII letters are not upper or lower case letters under seed 004's ASCII rule.
  EXPECT_THAT(Reasons(policy, "ÉÉÉÉÉÉÉÉÉÉÉÉÉÉÉ"),
              ElementsAre("MISSING_UPPERCASE", "MISSING_LOWERCASE", "MISSING_DIGIT"));
  EXPECT_THAT(Reasons(policy, "Aa1!aaaaaaaaaaa"), IsEmpty());
}

TEST(PasswordPolicyTest, ContainsEmailLocalPartCaseInsensitively) {
  const PasswordPolicy policy;
  EXPECT_THAT(Reasons(policy, "my name is jane.doe, hi", "jane.doe@example.com"),
              ElementsAre("CONTAINS_EMAIL"));
  EXPECT_THAT(Reasons(policy, "my name is JANE.DOE, hi", "jane.doe@example.com"),
              ElementsAre("CONTAINS_EMAIL"));
  EXPECT_THAT(Reasons(policy, "my name is jane.doe, hi", "Jane.Doe@Example.com"),
              ElementsAre("CONTAINS_EMAIL"));
  // Unicode case folding, not only ASCII.
  EXPECT_THAT(Reasons(policy, "bonjour ÉLODIE, ça va", "élodie@example.fr"),
              ElementsAre("CONTAINS_EMAIL"));
  // The domain is not the local part.
  EXPECT_THAT(Reasons(policy, "example.com example.com", "jane.doe@example.com"), IsEmpty());
  EXPECT_THAT(Reasons(policy, "jane doe is my name", "jane.doe@example.com"), IsEmpty());
}

TEST(PasswordPolicyTest, ContainsEmailNeedsALocalPartOfAtLeastThreeCharacters) {
  const PasswordPolicy policy;
  EXPECT_THAT(Reasons(policy, "jo jo jo jo jo jo", "jo@example.com"), IsEmpty());
  EXPECT_THAT(Reasons(policy, "joe joe joe joe joe", "joe@example.com"),
              ElementsAre("CONTAINS_EMAIL"));
  // Three code points, six bytes.
  EXPECT_THAT(Reasons(policy, "ééé ééé ééé ééé", "ÉÉÉ@example.com"), ElementsAre("CONTAINS_EMAIL"));
  EXPECT_THAT(Reasons(policy, "éé éé éé éé éé éé", "éé@example.com"), IsEmpty());
  // Not an address: nothing to compare.
  EXPECT_THAT(Reasons(policy, "no at sign in this one", "no at sign"), IsEmpty());
  EXPECT_THAT(Reasons(policy, "no at sign in this one", ""), IsEmpty());
}

TEST(PasswordPolicyTest, ContainsEmailChecksTheSubaddressWithAndWithoutItsTag) {
  const PasswordPolicy policy;
  EXPECT_THAT(Reasons(policy, "jane+news is my login", "jane+news@example.com"),
              ElementsAre("CONTAINS_EMAIL"));
  EXPECT_THAT(Reasons(policy, "plain jane is my name", "jane+news@example.com"),
              ElementsAre("CONTAINS_EMAIL"));
  EXPECT_THAT(Reasons(policy, "just the news, please", "jane+news@example.com"), IsEmpty());
  // The last '@' ends the local part ("a@b"@example.com is a valid quoted form).
  EXPECT_THAT(Reasons(policy, "contains a@b inside", "a@b@example.com"),
              ElementsAre("CONTAINS_EMAIL"));
}

TEST(PasswordPolicyTest, CommonAndBreachedComeFromTheBlocklist) {
  testing::TempDir dir;
  const std::string common = dir.Write("common.lst", "correcthorsebattery\n");
  std::string hash = HexEncode(Sha1("stapled-to-the-wall-2012"));
  std::transform(hash.begin(), hash.end(), hash.begin(), ::toupper);
  const std::string breached = dir.Write("pwned.txt", hash + ":42\n");
  StatusOr<PasswordBlocklist> blocklist =
      PasswordBlocklist::Open({.common_list_path = common, .breached_file_path = breached});
  ASSERT_TRUE(blocklist.ok()) << blocklist.status().ToString();

  PasswordPolicy policy;
  EXPECT_THAT(WeakPasswordReasons(policy, "CorrectHorseBattery", kEmail, *blocklist),
              ElementsAre("COMMON"));
  EXPECT_THAT(WeakPasswordReasons(policy, "stapled-to-the-wall-2012", kEmail, *blocklist),
              ElementsAre("BREACHED"));
  EXPECT_THAT(WeakPasswordReasons(policy, "unlisted and long enough", kEmail, *blocklist),
              IsEmpty());
  // A tenant that turned the blocklist off.
  policy.blocklist = false;
  EXPECT_THAT(WeakPasswordReasons(policy, "CorrectHorseBattery", kEmail, *blocklist), IsEmpty());
  EXPECT_THAT(WeakPasswordReasons(policy, "stapled-to-the-wall-2012", kEmail, *blocklist),
              IsEmpty());
}

TEST(PasswordPolicyTest, ListsEveryReasonAtOnce) {
  testing::TempDir dir;
  const std::string common = dir.Write("common.lst", "Jane\n");
  std::string hash = HexEncode(Sha1("jane"));
  std::transform(hash.begin(), hash.end(), hash.begin(), ::toupper);
  const std::string breached = dir.Write("pwned.txt", hash + ":7\n");
  StatusOr<PasswordBlocklist> blocklist =
      PasswordBlocklist::Open({.common_list_path = common, .breached_file_path = breached});
  ASSERT_TRUE(blocklist.ok()) << blocklist.status().ToString();
  PasswordPolicy policy;
  policy.require_uppercase = policy.require_lowercase = policy.require_digit =
      policy.require_special = true;
  // Every reason but TOO_LONG and MISSING_LOWERCASE (a password cannot be
  // both too short and too long, nor contain "jane" without a lowercase letter).
  EXPECT_THAT(WeakPasswordReasons(policy, "jane", "jane@example.com", *blocklist),
              ElementsAre("TOO_SHORT", "MISSING_UPPERCASE", "MISSING_DIGIT", "MISSING_SPECIAL",
                          "CONTAINS_EMAIL", "COMMON", "BREACHED"));
  // And the other two, with more of the rest.
  policy.max_length = 64;
  EXPECT_THAT(WeakPasswordReasons(policy, Repeat("JANE", 17), "jane@example.com", *blocklist),
              ElementsAre("TOO_LONG", "MISSING_LOWERCASE", "MISSING_DIGIT", "MISSING_SPECIAL",
                          "CONTAINS_EMAIL"));
}

TEST(PasswordPolicyTest, ParsesEveryMemberAndKeepsDefaultsForAbsentOnes) {
  StatusOr<PasswordPolicy> defaults = ParsePasswordPolicy(Json::MakeObject());
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(*defaults, PasswordPolicy());

  Json document = Json::MakeObject();
  document.Set("minLength", 8)
      .Set("maxLength", 64)
      .Set("requireUppercase", true)
      .Set("requireLowercase", true)
      .Set("requireDigit", true)
      .Set("requireSpecial", true)
      .Set("blocklist", false);
  StatusOr<PasswordPolicy> policy = ParsePasswordPolicy(document);
  ASSERT_TRUE(policy.ok()) << policy.status().ToString();
  EXPECT_EQ(policy->min_length, 8);
  EXPECT_EQ(policy->max_length, 64);
  EXPECT_TRUE(policy->require_uppercase && policy->require_lowercase && policy->require_digit &&
              policy->require_special);
  EXPECT_FALSE(policy->blocklist);
  // Round trip through the stored form.
  EXPECT_EQ(PasswordPolicyJson(*policy), document);
  StatusOr<PasswordPolicy> again = ParsePasswordPolicy(PasswordPolicyJson(*policy));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *policy);
}

TEST(PasswordPolicyTest, RendersTheDefaultsInFull) {
  EXPECT_EQ(PasswordPolicyJson(PasswordPolicy()).Dump(),
            R"({"minLength":15,"maxLength":128,"requireUppercase":false,)"
            R"("requireLowercase":false,"requireDigit":false,"requireSpecial":false,)"
            R"("blocklist":true})");
}

Status ParseError(const Json& document) { return ParsePasswordPolicy(document).status(); }

Json One(std::string_view name, Json value) {
  Json document = Json::MakeObject();
  document.Set(name, std::move(value));
  return document;
}

TEST(PasswordPolicyTest, RejectsMinimumBelowEightWithAClearError) {
  const Status status = ParseError(One("minLength", 7));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "password policy: minLength must be at least 8 (NIST SP 800-63B; 15 when the "
            "password is the only factor)");
  EXPECT_TRUE(ParsePasswordPolicy(One("minLength", 8)).ok());
  PasswordPolicy policy;
  policy.min_length = 6;
  EXPECT_EQ(ValidatePasswordPolicy(policy).code(), StatusCode::kInvalidArgument);
}

TEST(PasswordPolicyTest, RejectsMaximumOutside64To1024AndMinimumAboveMaximum) {
  EXPECT_NE(ParseError(One("maxLength", 63)).message().find("maxLength"), std::string::npos);
  EXPECT_TRUE(ParsePasswordPolicy(One("maxLength", 64)).ok());
  EXPECT_TRUE(ParsePasswordPolicy(One("maxLength", 1024)).ok());
  EXPECT_FALSE(ParsePasswordPolicy(One("maxLength", 1025)).ok());
  EXPECT_FALSE(ParsePasswordPolicy(One("maxLength", int64_t{1} << 40)).ok());
  Json document = Json::MakeObject();
  document.Set("minLength", 100).Set("maxLength", 64);
  EXPECT_EQ(ParseError(document).message(), "password policy: minLength must not exceed maxLength");
}

TEST(PasswordPolicyTest, RejectsMalformedAndUnknownMembersNamingThem) {
  EXPECT_EQ(ParseError(One("minLength", "15")).message(),
            "password policy: minLength must be a non-negative integer");
  EXPECT_EQ(ParseError(One("maxLength", 64.5)).message(),
            "password policy: maxLength must be a non-negative integer");
  EXPECT_EQ(ParseError(One("minLength", -1)).message(),
            "password policy: minLength must be a non-negative integer");
  for (const char* flag :
       {"requireUppercase", "requireLowercase", "requireDigit", "requireSpecial", "blocklist"}) {
    EXPECT_EQ(ParseError(One(flag, 1)).message(),
              "password policy: " + std::string(flag) + " must be true or false");
  }
  EXPECT_EQ(ParseError(One("minlength", 8)).message(), "password policy: unknown member minlength");
  EXPECT_EQ(ParseError(Json::MakeArray()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseError(Json()).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace portico::signup
