#include "portico/json_text.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portico/json.h"
#include "portico/parse_json.h"

namespace portico {
namespace {

// Splits and puts the members back together: must give the text again.
std::string Reassembled(std::string_view text) {
  std::vector<JsonTextMember> members;
  EXPECT_TRUE(SplitDumpedObject(text, members)) << text;
  std::string out = "{";
  for (const JsonTextMember& m : members) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += m.name;
    out += "\":";
    out += m.value;
  }
  return out + "}";
}

bool Splits(std::string_view text) {
  std::vector<JsonTextMember> members;
  return SplitDumpedObject(text, members);
}

TEST(JsonTextTest, SplitsDumpOutputIntoItsTopLevelMembers) {
  Json doc = Json::MakeObject();
  doc.Set("userName", "ann")
      .Set("active", true)
      .Set("n", -42)
      .Set("zero", 0)
      .Set("big", int64_t{999'999'999'999'999'999})
      .Set("none", nullptr)
      .Set("name", Json::MakeObject().Set("givenName", "Ä \"q\" \\ \t\n\x01\x7f"))
      .Set("emails", Json::MakeArray().Push(Json::MakeObject().Set("value", "a@x")).Push(1))
      .Set("empty", Json::MakeObject())
      .Set("list", Json::MakeArray())
      .Set("na\"me", "escaped name");
  const std::string text = doc.Dump();
  std::vector<JsonTextMember> members;
  ASSERT_TRUE(SplitDumpedObject(text, members));
  ASSERT_EQ(members.size(), 11u);
  EXPECT_EQ(members[0].name, "userName");
  EXPECT_EQ(members[0].value, "\"ann\"");
  EXPECT_EQ(members[6].value, doc.Find("name")->Dump());
  EXPECT_EQ(members[10].name, "na\\\"me");  // as escaped in the text
  EXPECT_EQ(Reassembled(text), text);
  EXPECT_TRUE(Splits("{}"));
}

TEST(JsonTextTest, AppendsToWhatTheVectorHolds) {
  std::vector<JsonTextMember> members = {{"kept", "1"}};
  ASSERT_TRUE(SplitDumpedObject(R"({"kept":2})", members));  // not a repeat of the old entry
  EXPECT_EQ(members.size(), 2u);
}

// Each of these parses, but Dump would write it differently (or ParseJson
// refuses it): the caller must take the parsing path.
TEST(JsonTextTest, RefusesTextDumpWouldNotWrite) {
  for (const char* text : {
           R"({ "a":1})",
           R"({"a": 1})",
           R"({"a":1 })",
           R"({"a":[1, 2]})",
           "{\"a\":1}\n",
           R"({"a":"\/"})",      // Dump writes '/' unescaped
           R"({"a":"\u00e9"})",  // Dump writes é as UTF-8
           R"({"a":"\u001F"})",  // upper-case hex
           R"({"a":"\u000a"})",  // Dump writes \n
           R"({"a":"\u0022"})",  // Dump writes \"
           R"({"a":1.5})",
           R"({"a":1e3})",
           R"({"a":1E3})",
           R"({"a":1.0})",
           R"({"a":-0})",
           R"({"a":0123})",
           R"({"a":1234567890123456789})",  // 19 digits: left to the parser
           "{\"a\":\"tab\there\"}",         // a raw control character
           "{\"a\":\"del\x7f\"}",           // raw DEL
           "{\"a\":\"\xc3\x28\"}",          // invalid UTF-8
           R"({"a":1,"a":2})",              // ParseJson refuses a repeated name
           R"({"a":1}{})",
           R"({"a":1},)",
           R"([1])",
           R"("a")",
           "",
           "{",
           R"({"a")",
           R"({"a":})",
           R"({"a":tru})",
           R"({"a":nul})",
           R"({"a":"x)",
           R"({"a":[1,]})",
           R"({,"a":1})",
       }) {
    EXPECT_FALSE(Splits(text)) << text;
  }
}

TEST(JsonTextTest, KeepsToParseJsonsNestingLimit) {
  const int limit = JsonParseOptions().max_depth;
  auto nested = [](int depth) {  // `depth` containers, the outermost an object
    std::string text = "{\"a\":";
    for (int i = 1; i < depth; ++i) text += '[';
    text += '1';
    for (int i = 1; i < depth; ++i) text += ']';
    return text + "}";
  };
  EXPECT_TRUE(ParseJson(nested(limit)).ok());
  EXPECT_TRUE(Splits(nested(limit)));
  EXPECT_FALSE(ParseJson(nested(limit + 1)).ok());
  EXPECT_FALSE(Splits(nested(limit + 1)));
}

// Whenever the split succeeds, parsing and dumping gives the text back:
// what makes serving the pieces the same as the parse-and-render path.
TEST(JsonTextTest, WhatSplitsIsWhatParseAndDumpGiveBack) {
  for (const char* text : {
           R"({"a":"\u0000\u001f\u007f\b\f\n\r\t\"\\"})",
           R"({"a":[true,false,null,{}]})",
           R"({"a":-999999999999999999,"b":{"c":{"d":[[]]}}})",
           "{\"\xf0\x9f\x98\x80\":\"\xe2\x82\xac\"}",
       }) {
    ASSERT_TRUE(Splits(text)) << text;
    StatusOr<Json> parsed = ParseJson(text);
    ASSERT_TRUE(parsed.ok()) << text;
    EXPECT_EQ(parsed->Dump(), text);
  }
}

}  // namespace
}  // namespace portico
