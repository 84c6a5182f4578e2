// Column codecs of db/ (pure; no database needed).
#include "db/codec.h"

#include <gtest/gtest.h>

namespace portico::db {
namespace {

using List = std::vector<std::string>;

TEST(StringListCodecTest, RoundTripsPlainAndAwkwardValues) {
  for (const List& list :
       {List{}, List{"scim:read"}, List{"scim:read", "scim:write", "dcr:register"},
        List{""}, List{"", ""}, List{"with \"quotes\"", "back\\slash"}, List{"line\nbreak"},
        List{"ünïcödé", "日本"}, List{"a,b", "[c]"}}) {
    auto decoded = DecodeStringList(EncodeStringList(list));
    ASSERT_TRUE(decoded.ok()) << EncodeStringList(list);
    EXPECT_EQ(*decoded, list) << EncodeStringList(list);
  }
}

TEST(StringListCodecTest, RejectsWhatIsNotAListOfStrings) {
  for (const char* bad : {"", "[", "]", "[\"a\",]", "[\"a\"", "{\"a\":1}", "[1,2]", "[\"a\" \"b\"]",
                          "[\"a\",,\"b\"]", "null"}) {
    EXPECT_FALSE(DecodeStringList(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace portico::db
