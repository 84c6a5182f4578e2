#include "src/http/request.h"

#include <gtest/gtest.h>

namespace portico::http {
namespace {

Request WithHeaders(std::vector<std::pair<std::string, std::string>> headers) {
  Request r;
  r.headers = std::move(headers);
  return r;
}

TEST(RequestTest, HeaderLookupIsCaseInsensitiveAndReturnsTheFirst) {
  Request r = WithHeaders({{"x-a", "1"}, {"x-b", "2"}, {"x-a", "3"}});
  EXPECT_EQ(r.Header("X-A"), "1");
  EXPECT_EQ(r.Header("x-b"), "2");
  EXPECT_EQ(r.Header("x-c"), std::nullopt);
}

TEST(RequestTest, QueryReturnsTheFirstValueByExactName) {
  Request r;
  r.query = {{"a", "1"}, {"a", "2"}, {"B", "3"}};
  EXPECT_EQ(r.Query("a"), "1");
  EXPECT_EQ(r.Query("b"), std::nullopt);
  EXPECT_EQ(r.Query("B"), "3");
}

TEST(RequestTest, ParamIsEmptyWhenAbsent) {
  Request r;
  r.params = {{"id", "42"}};
  EXPECT_EQ(r.Param("id"), "42");
  EXPECT_EQ(r.Param("other"), "");
}

TEST(RequestTest, BearerTokenParsesOnlyTheBearerScheme) {
  struct Case {
    std::optional<std::string> header;
    std::optional<std::string> expected;
  };
  const Case cases[] = {
      {"Bearer abc.def-ghi", "abc.def-ghi"},
      {"bearer abc", "abc"},
      {"BEARER   abc  ", "abc"},
      {"  Bearer abc", "abc"},
      {"Bearer\tabc", "abc"},
      {"Basic dXNlcjpwYXNz", std::nullopt},
      {"Bearer", std::nullopt},
      {"Bearer ", std::nullopt},
      {"Bearerabc", std::nullopt},
      {"Bearer a b", std::nullopt},
      {"", std::nullopt},
      {std::nullopt, std::nullopt},
  };
  for (const Case& c : cases) {
    Request r;
    if (c.header) r.headers.emplace_back("authorization", *c.header);
    EXPECT_EQ(r.BearerToken(), c.expected) << (c.header ? *c.header : "<none>");
  }
}

TEST(RequestTest, EqualsIgnoreCaseComparesAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Type", "content-type"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Type", "content-typ"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
}

}  // namespace
}  // namespace portico::http
