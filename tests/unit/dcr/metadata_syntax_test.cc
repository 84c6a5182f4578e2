#include <gtest/gtest.h>

#include <string>

#include "dcr/metadata/syntax.h"

namespace portico::dcr {
namespace {

TEST(LanguageTagTest, AcceptsWellFormedBcp47Tags) {
  const char* tags[] = {
      "fr",
      "FR",
      "ja-Jpan-JP",
      "en-US",
      "zh-Hant",
      "es-419",
      "de-CH-1901",
      "sl-rozaj-biske",
      "en-a-bbb-x-a-ccc",
      "x-whatever",
      "qaa-Qaaa-QM-x-southern",
      "zh-yue-HK",
      "sgn-BE-FR",
      "i-klingon",
      "en-GB-oed",
      "zh-min-nan",
      "art-lojban",
      "de-1996",
      "abcdefgh",
      "en-x-1",
  };
  for (const char* tag : tags) EXPECT_TRUE(IsWellFormedLanguageTag(tag)) << tag;
}

TEST(LanguageTagTest, RejectsMalformedTags) {
  const char* tags[] = {
      "",     "-",         "en-",     "-en",       "en--US",      "en_US", "e",
      "123",  "abcdefghi", "en-US-a", "en-a-x",    "x",           "x-",    "x-abcdefghi",
      "en-x", "fr#",       "fr FR",   "en-US-oed", "ja-Jpan-JP-", "é",     "en-123456789",
  };
  for (const char* tag : tags) EXPECT_FALSE(IsWellFormedLanguageTag(tag)) << tag;
}

TEST(EmailAddressTest, AcceptsOrdinaryAddresses) {
  const char* addresses[] = {"ops@example.com",    "first.last+tag@sub.example.co.uk",
                             "o'brien@example.ie", "x_y-z@a-b.example",
                             "1@example.io",       "admin!#$%&'*+/=?^_`{|}~@example.org"};
  for (const char* address : addresses) EXPECT_TRUE(IsValidEmailAddress(address)) << address;
}

TEST(EmailAddressTest, RejectsWhatMailSoftwareCannotUse) {
  const std::string long_local = std::string(65, 'a') + "@example.com";
  const std::string long_label = "a@" + std::string(64, 'b') + ".com";
  const char* addresses[] = {
      "",
      "not-an-email",
      "@example.com",
      "ops@",
      "ops@localhost",
      "ops@@example.com",
      "a@b@example.com",
      "a b@example.com",
      ".ops@example.com",
      "ops.@example.com",
      "o..ps@example.com",
      "ops@-example.com",
      "ops@example-.com",
      "ops@example..com",
      "ops@example.com.",
      "ops@example.123",
      "ops@[127.0.0.1]",
      "\"quoted\"@example.com",
      "<ops@example.com>",
      "ops@example.com\n",
      "ops@ex ample.com",
      "caf\xc3\xa9@example.com",
      "ops@exa_mple.com",
  };
  for (const char* address : addresses) EXPECT_FALSE(IsValidEmailAddress(address)) << address;
  EXPECT_FALSE(IsValidEmailAddress(long_local));
  EXPECT_FALSE(IsValidEmailAddress(long_label));
}

TEST(ScopeTokenTest, FollowsRfc6749Charset) {
  EXPECT_TRUE(IsScopeToken("read"));
  EXPECT_TRUE(IsScopeToken("https://api.example.com/read"));
  EXPECT_TRUE(IsScopeToken("scim:write"));
  EXPECT_TRUE(IsScopeToken("!#[]~"));
  EXPECT_FALSE(IsScopeToken(""));
  EXPECT_FALSE(IsScopeToken("a b"));
  EXPECT_FALSE(IsScopeToken("a\"b"));
  EXPECT_FALSE(IsScopeToken("a\\b"));
  EXPECT_FALSE(IsScopeToken("a\tb"));
  EXPECT_FALSE(IsScopeToken("caf\xc3\xa9"));
  EXPECT_FALSE(IsScopeToken("a\x7f"));
}

TEST(Utf8Test, AcceptsWellFormedAndRejectsMalformedSequences) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\x80"));              // continuation first
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xe0\x80\xaf"));      // overlong, 3 bytes
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate U+D800
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

TEST(ControlCharacterTest, FindsC0DelAndC1Controls) {
  EXPECT_FALSE(HasControlCharacter("My App \xc3\xa9"));
  EXPECT_TRUE(HasControlCharacter("My\nApp"));
  EXPECT_TRUE(HasControlCharacter("My\x1b[31mApp"));
  EXPECT_TRUE(HasControlCharacter("My\x7f"));
  EXPECT_TRUE(HasControlCharacter("My\xc2\x85"));   // U+0085 NEL
  EXPECT_FALSE(HasControlCharacter("My\xc2\xa0"));  // U+00A0 no-break space
}

}  // namespace
}  // namespace portico::dcr
