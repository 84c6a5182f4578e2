#include "portico/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "portico/parse_json.h"

namespace portico {
namespace {

Json MustParse(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " for " << text;
  return parsed.ok() ? *parsed : Json();
}

Status ParseError(std::string_view text, const JsonParseOptions& options = {}) {
  StatusOr<Json> parsed = ParseJson(text, options);
  EXPECT_FALSE(parsed.ok()) << "accepted: " << text;
  return parsed.status();
}

TEST(JsonTest, DumpIsCompactAndKeepsInsertionOrder) {
  Json j = Json::MakeObject();
  j.Set("b", 1).Set("a", Json::MakeArray().Push(true).Push(nullptr).Push("x"));
  j.Set("c", Json::MakeObject());
  EXPECT_EQ(j.Dump(), R"({"b":1,"a":[true,null,"x"],"c":{}})");
}

TEST(JsonTest, SetReplacesExistingMemberInPlace) {
  Json j = Json::MakeObject();
  j.Set("a", 1).Set("b", 2).Set("a", "again");
  EXPECT_EQ(j.Dump(), R"({"a":"again","b":2})");
}

TEST(JsonTest, FindEraseAndPush) {
  Json j = Json::MakeObject();
  j.Set("a", 1);
  ASSERT_NE(j.Find("a"), nullptr);
  EXPECT_EQ(j.Find("a")->as_int(), 1);
  EXPECT_EQ(j.Find("missing"), nullptr);
  EXPECT_EQ(Json(5).Find("a"), nullptr);  // not an object
  EXPECT_TRUE(j.Erase("a"));
  EXPECT_FALSE(j.Erase("a"));
  EXPECT_EQ(j.Dump(), "{}");
  Json arr;
  arr.Push(1).Push("two");
  EXPECT_EQ(arr.Dump(), R"([1,"two"])");
}

TEST(JsonTest, AsDoubleAcceptsIntegers) {
  EXPECT_EQ(Json(3).as_double(), 3.0);
  EXPECT_EQ(Json(2.5).as_double(), 2.5);
}

TEST(JsonTest, EscapesQuotesBackslashesAndControlCharacters) {
  const std::string raw = std::string("q\"b\\n\nt\tr\rf\fb\bz") + '\0' + "\x01\x1f\x7f";
  EXPECT_EQ(Json(raw).Dump(), R"("q\"b\\n\nt\tr\rf\fb\bz\u0000\u0001\u001f\u007f")");
}

TEST(JsonTest, PassesUtf8Through) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80";
  EXPECT_EQ(Json(text).Dump(), "\"" + text + "\"");
}

TEST(JsonTest, DoublesAreShortestRoundTrippableAndStayDoubles) {
  EXPECT_EQ(Json(0.1).Dump(), "0.1");
  EXPECT_EQ(Json(1.0).Dump(), "1.0");
  EXPECT_EQ(Json(-2.5).Dump(), "-2.5");
  EXPECT_EQ(Json(1e300).Dump(), "1e+300");
  for (double d : {0.1 + 0.2, 1.0 / 3.0, 1e-7, 123456789.123456789, -0.0, 5e-324,
                   std::numeric_limits<double>::max(), 100.0}) {
    const std::string text = Json(d).Dump();
    const Json back = MustParse(text);
    ASSERT_EQ(back.type(), Json::Type::kDouble) << text;
    EXPECT_EQ(back.as_double(), d) << text;
    EXPECT_EQ(std::signbit(back.as_double()), std::signbit(d)) << text;
  }
}

TEST(JsonTest, NonFiniteDoublesBecomeNull) {
  EXPECT_EQ(Json(std::nan("")).Dump(), "null");
  EXPECT_EQ(Json(std::numeric_limits<double>::infinity()).Dump(), "null");
  EXPECT_EQ(Json(-std::numeric_limits<double>::infinity()).Dump(), "null");
}

TEST(JsonTest, ComplexValueRoundTrips) {
  Json j = Json::MakeObject();
  j.Set("s", "he said \"hi\"\n\xC3\xA9")
      .Set("i", std::numeric_limits<int64_t>::min())
      .Set("m", std::numeric_limits<int64_t>::max())
      .Set("d", 0.30000000000000004)
      .Set("b", false)
      .Set("n", nullptr)
      .Set("a", Json::MakeArray().Push(Json::MakeObject().Set("x", Json::MakeArray())).Push(-1))
      .Set("", "empty key");
  EXPECT_EQ(MustParse(j.Dump()), j);
}

TEST(ParseJsonTest, IntegersThatFitInt64StayIntegers) {
  EXPECT_TRUE(MustParse("0").is_int());
  EXPECT_EQ(MustParse("-17").as_int(), -17);
  EXPECT_EQ(MustParse("9223372036854775807").as_int(), std::numeric_limits<int64_t>::max());
  EXPECT_EQ(MustParse("-9223372036854775808").as_int(), std::numeric_limits<int64_t>::min());
  EXPECT_EQ(MustParse("4294967296").as_int(), int64_t{4294967296});
}

TEST(ParseJsonTest, IntegersBeyondInt64BecomeDoubles) {
  const Json big = MustParse("9223372036854775808");
  ASSERT_EQ(big.type(), Json::Type::kDouble);
  EXPECT_EQ(big.as_double(), 9223372036854775808.0);
  const Json small = MustParse("-9223372036854775809");
  ASSERT_EQ(small.type(), Json::Type::kDouble);
  EXPECT_EQ(small.as_double(), -9223372036854775808.0);
  EXPECT_EQ(MustParse("18446744073709551616").as_double(), 18446744073709551616.0);
}

TEST(ParseJsonTest, FractionsAndExponentsAreDoublesAtFullPrecision) {
  EXPECT_EQ(MustParse("1.5").type(), Json::Type::kDouble);
  EXPECT_EQ(MustParse("1e2").as_double(), 100.0);
  EXPECT_EQ(MustParse("1e2").type(), Json::Type::kDouble);
  EXPECT_EQ(MustParse("0.1").as_double(), 0.1);
  EXPECT_EQ(MustParse("2.2250738585072011e-308").as_double(), 2.2250738585072011e-308);
}

TEST(ParseJsonTest, DecodesEscapesToUtf8) {
  EXPECT_EQ(MustParse(R"("\u00e9\n\"\\\/")").as_string(), "\xC3\xA9\n\"\\/");
  EXPECT_EQ(MustParse(R"("\ud83d\ude00")").as_string(), "\xF0\x9F\x98\x80");
  EXPECT_EQ(MustParse(R"("a\u0000b")").as_string(), std::string("a\0b", 3));
}

TEST(ParseJsonTest, KeepsMemberOrder) {
  EXPECT_EQ(MustParse(R"( { "z" : 1 , "a" : [ 1 , { } ] } )").Dump(), R"({"z":1,"a":[1,{}]})");
}

TEST(ParseJsonTest, RejectsInvalidJsonWithOffset) {
  for (const char* text : {"", " ", "{", "[1,]", "{'a':1}", "nul", "01", "[1 2]", "{\"a\"}",
                           "\"unterminated", "+1", "NaN", "[.5]", "{\"a\":1,}"}) {
    const Status s = ParseError(text);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(s.tag(), "invalid_json") << text;
    EXPECT_NE(s.message().find("byte offset"), std::string::npos) << s.message();
  }
  const Status s = ParseError("[1,2,x]");
  EXPECT_NE(s.message().find("byte offset 5"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Invalid value"), std::string::npos) << s.message();
}

TEST(ParseJsonTest, RejectsDuplicateMemberNames) {
  const Status s = ParseError(R"({"a":1,"name":2,"name":3})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.tag(), "duplicate_member");
  EXPECT_NE(s.message().find("\"name\""), std::string::npos) << s.message();
  EXPECT_EQ(ParseError(R"({"o":{"x":1,"x":1}})").tag(), "duplicate_member");
}

TEST(ParseJsonTest, RejectsDuplicateMemberNamesInLargeObjects) {
  // Past a handful of members the check switches from a scan to a hash set: both must see
  // a repeat of an early name and of a late one, and accept distinct names.
  std::string members;
  for (int i = 0; i < 40; ++i) members += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_EQ(MustParse("{" + members + "\"last\":0}").as_object().size(), 41u);
  EXPECT_EQ(ParseError("{" + members + "\"k3\":0}").tag(), "duplicate_member");
  EXPECT_EQ(ParseError("{" + members + "\"k39\":0}").tag(), "duplicate_member");
  EXPECT_EQ(ParseError("{" + members + "\"x\":0,\"x\":1}").tag(), "duplicate_member");
}

TEST(ParseJsonTest, AllowsSameNameInDifferentObjects) {
  EXPECT_EQ(MustParse(R"([{"a":1},{"a":2,"b":{"a":3}}])").as_array().size(), 2u);
}

TEST(ParseJsonTest, RejectsTrailingContent) {
  EXPECT_EQ(ParseError("{} x").tag(), "invalid_json");
  EXPECT_EQ(ParseError("1 2").tag(), "invalid_json");
  EXPECT_EQ(ParseError("{}{}").tag(), "invalid_json");
  EXPECT_EQ(ParseError(std::string_view("{}\0", 3)).tag(), "invalid_json");
  EXPECT_TRUE(MustParse(" {} \n\t").is_object());
}

TEST(ParseJsonTest, RejectsRawNulEvenInsideAString) {
  EXPECT_EQ(ParseError(std::string_view("\"a\0b\"", 5)).tag(), "invalid_json");
}

TEST(ParseJsonTest, EnforcesDepthLimit) {
  const auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(MustParse(nested(64)).is_array());
  const Status s = ParseError(nested(65));
  EXPECT_EQ(s.tag(), "invalid_json");
  EXPECT_NE(s.message().find("deeper than 64"), std::string::npos) << s.message();
  JsonParseOptions shallow;
  shallow.max_depth = 2;
  EXPECT_TRUE(ParseJson(R"({"a":[1]})", shallow).ok());
  EXPECT_FALSE(ParseJson(R"({"a":[{}]})", shallow).ok());
  // Far beyond the limit must fail cleanly, not overflow the stack.
  EXPECT_FALSE(ParseJson(std::string(1'000'000, '[')).ok());
}

TEST(ParseJsonTest, RejectsInvalidUtf8) {
  for (const char* text :
       {"\"\xC3\x28\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xFF\"", "\"\xF0\x9F\x98\""}) {
    EXPECT_EQ(ParseError(text).tag(), "invalid_json") << text;
  }
  EXPECT_FALSE(ParseJson(R"("\ud800")").ok());  // lone surrogate escape
}

// ParseJson checks UTF-8 a word at a time and copies strings 16 bytes at a
// time: every length and every position of an escape or a multi-byte
// character round-trips, and a bad byte is found wherever it sits.
TEST(ParseJsonTest, StringsRoundTripWhateverTheirLengthAndEscapePositions) {
  for (size_t length = 0; length <= 70; ++length) {
    for (const char* special : {"\n", "\"", "\\", "\xC3\xA9", "\xF0\x9F\x98\x80", "x"}) {
      for (size_t at = 0; at <= length; at += 7) {
        std::string text(length, 'a');
        text.insert(at, special);
        const std::string json = Json::MakeObject().Set("k" + text, text).Dump();
        StatusOr<Json> parsed = ParseJson(json);
        ASSERT_TRUE(parsed.ok()) << json << ": " << parsed.status().ToString();
        const Json* value = parsed->Find("k" + text);
        ASSERT_NE(value, nullptr) << json;
        EXPECT_EQ(value->as_string(), text) << json;
      }
    }
  }
}

TEST(ParseJsonTest, RejectsInvalidUtf8AfterLongAsciiRuns) {
  for (size_t prefix = 0; prefix <= 40; ++prefix) {
    for (const char* bad : {"\xC0\xAF", "\xED\xA0\x80", "\xFF", "\xF4\x90\x80\x80", "\xC3"}) {
      const std::string text = "{\"k\":\"" + std::string(prefix, 'a') + bad + "z\"}";
      const Status s = ParseError(text);
      EXPECT_EQ(s.tag(), "invalid_json") << prefix;
      // RapidJSON's own encoding error and offset, as before the fast path.
      EXPECT_NE(s.message().find("Invalid encoding"), std::string::npos) << s.message();
      EXPECT_NE(s.message().find("offset " + std::to_string(6 + prefix)), std::string::npos)
          << s.message();
    }
  }
}

TEST(ParseJsonTest, RejectsUnescapedControlCharactersInStrings) {
  EXPECT_FALSE(ParseJson("\"a\x01z\"").ok());
  EXPECT_FALSE(ParseJson("\"a\nz\"").ok());
}

TEST(JsonWriterTest, WritesWhatDumpWritesForTheSameDocument) {
  Json tree = Json::MakeObject();
  tree.Set("s", "a\"b\\c\n\x01\x7f caf\xC3\xA9")
      .Set("i", -42)
      .Set("d", 0.1)
      .Set("whole", 2.0)
      .Set("t", true)
      .Set("f", false)
      .Set("n", nullptr)
      .Set("empty", Json::MakeArray())
      .Set("list", Json::MakeArray().Push("x").Push(Json::MakeObject().Set("k", 1)).Push(""))
      .Set("nested", Json::MakeObject().Set("deeper", Json::MakeObject()));
  std::string text;
  JsonWriter w(text);
  w.BeginObject();
  w.Key("s").String("a\"b\\c\n\x01\x7f caf\xC3\xA9");
  w.Key("i").Int(-42);
  w.Key("d").Double(0.1);
  w.Key("whole").Double(2.0);
  w.Key("t").Bool(true);
  w.Key("f").Bool(false);
  w.Key("n").Null();
  w.Key("empty").StringArray({});
  w.Key("list").BeginArray().String("x").BeginObject().Key("k").Int(1).EndObject().String("");
  w.EndArray();
  w.Key("nested").BeginObject().Key("deeper").BeginObject().EndObject().EndObject();
  w.EndObject();
  EXPECT_EQ(text, tree.Dump());
}

TEST(JsonWriterTest, ValueDumpsAnyJsonInPlace) {
  std::string text;
  JsonWriter(text).BeginArray().Value(Json::MakeObject().Set("a", Json::MakeArray().Push(1)));
  JsonWriter(text).Value(Json("z")).EndArray();
  EXPECT_EQ(text, R"([{"a":[1]},"z"])");
}

TEST(JsonWriterTest, ContinuesADocumentAlreadyInTheString) {
  std::string text = R"({"first":"x")";
  JsonWriter(text).Key("second").StringArray({"a", "b"}).Key("third").Double(std::nan(""));
  text += "}";
  EXPECT_EQ(text, R"({"first":"x","second":["a","b"],"third":null})");
  EXPECT_TRUE(ParseJson(text).ok());
}

TEST(JsonWriterTest, EscapesOnlyWhereNeededInLongStrings) {
  // Long clean runs are copied whole; escapes in the middle and at both ends.
  const std::string clean(300, 'a');
  const std::string raw = "\n" + clean + "\"" + clean + "\t";
  std::string text;
  JsonWriter(text).String(raw);
  EXPECT_EQ(text, "\"\\n" + clean + "\\\"" + clean + "\\t\"");
  EXPECT_EQ(text, Json(raw).Dump());
}

TEST(JsonWriterTest, FindsEachEscapeAtEveryPositionOfAWord) {
  // Strings are scanned eight bytes at a time: every lane must see every escape.
  const std::pair<char, std::string> cases[] = {
      {'\0', "\\u0000"}, {'\x1f', "\\u001f"}, {'"', "\\\""}, {'\\', "\\\\"}, {'\x7f', "\\u007f"}};
  for (const auto& [c, escaped] : cases) {
    for (size_t pos = 0; pos < 17; ++pos) {
      std::string raw(17, '\xC3');  // high bytes (UTF-8 lead) never need an escape
      raw[pos] = c;
      const std::string expected =
          "\"" + raw.substr(0, pos) + escaped + raw.substr(pos + 1) + "\"";
      std::string text;
      JsonWriter(text).String(raw);
      EXPECT_EQ(text, expected) << static_cast<int>(c) << " at " << pos;
    }
  }
}

TEST(JsonWriterTest, PassesEveryOtherByteThrough) {
  std::string raw;
  for (int c = 0x20; c < 0x100; ++c) {
    if (c != '"' && c != '\\' && c != 0x7f) raw.push_back(static_cast<char>(c));
  }
  std::string text;
  JsonWriter(text).String(raw);
  EXPECT_EQ(text, "\"" + raw + "\"");
}

}  // namespace
}  // namespace portico
