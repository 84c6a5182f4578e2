#include "portico/percent_decode.h"

#include <gtest/gtest.h>

namespace portico {
namespace {

TEST(PercentDecodeTest, DecodesOnceAndRejectsMalformedEscapes) {
  struct Case {
    std::string in;
    bool plus_as_space;
    std::optional<std::string> out;
  };
  const Case cases[] = {
      {"", false, ""},
      {"plain", false, "plain"},
      {"a%20b", false, "a b"},
      {"%41%62", false, "Ab"},
      {"%e2%82%AC", false, "\xe2\x82\xac"},
      {"%2541", false, "%41"},  // once, not twice
      {"a+b", false, "a+b"},
      {"a+b", true, "a b"},
      {"%2B", true, "+"},
      {"userName%20eq%20%22x%22", false, "userName eq \"x\""},
      {"%", false, std::nullopt},
      {"%4", false, std::nullopt},
      {"abc%", false, std::nullopt},
      {"%zz", false, std::nullopt},
      {"%4g", false, std::nullopt},
      {"%00", false, std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(PercentDecode(c.in, c.plus_as_space), c.out) << c.in;
  }
}

}  // namespace
}  // namespace portico
