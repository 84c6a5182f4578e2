#include "scim/list_query.h"

#include <gtest/gtest.h>

#include "portico/parse_json.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

const TimePoint kNow = FromUnixMillis(1'800'000'000'000);

StatusOr<ListQuery> Build(ListParams p, TimePoint now = kNow) {
  return BuildListQuery(p, UserResourceType(), ListLimits{100, 500}, "cursor-key", now);
}

TEST(ListQuery, ClampsStartIndexAndCountAsRfc7644Says) {
  ListParams p;
  p.start_index = "-4";
  p.count = "-1";
  auto q = Build(p);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->page.start_index, 1);
  EXPECT_EQ(q->page.count, 0);
  p.count = "100000";
  EXPECT_EQ(Build(p)->page.count, 500);
}

TEST(ListQuery, RejectsNonNumericPaging) {
  ListParams p;
  p.count = "ten";
  EXPECT_EQ(Build(p).status().tag(), kInvalidValue);
}

TEST(ListQuery, ParsesFilterAndSort) {
  ListParams p;
  p.filter = "userName eq \"Alice\"";
  p.sort_by = "name.familyName";
  p.sort_order = "DESCENDING";
  auto q = Build(p);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_NE(q->page.filter, nullptr);
  ASSERT_TRUE(q->page.sort);
  EXPECT_EQ(q->page.sort->attr.sub, "familyName");
  EXPECT_TRUE(q->page.sort->descending);
}

TEST(ListQuery, BadFilterIsInvalidFilter) {
  ListParams p;
  p.filter = "userName eq";
  EXPECT_EQ(Build(p).status().tag(), kInvalidFilter);
}

TEST(ListQuery, SortByMustBeASimpleAttribute) {
  ListParams p;
  p.sort_by = "name";
  EXPECT_EQ(Build(p).status().tag(), kInvalidValue);
  p.sort_by = "nope";
  EXPECT_EQ(Build(p).status().tag(), kInvalidValue);
}

TEST(ListQuery, CursorRoundTripsForTheSameQueryOnly) {
  ListParams p;
  p.filter = "active eq true";
  p.cursor = "";
  auto first = Build(p);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(first->cursor_paging);
  EXPECT_FALSE(first->page.after);
  const std::string cursor =
      MakeCursor("pos-42", *first, "cursor-key", kNow + std::chrono::hours(1));
  p.cursor = cursor;
  auto next = Build(p);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->page.after, "pos-42");
  // Another filter, a tampered cursor, or garbage: invalidCursor.
  ListParams other = p;
  other.filter = "active eq false";
  EXPECT_EQ(Build(other).status().tag(), kInvalidCursor);
  ListParams tampered = p;
  tampered.cursor = "x" + cursor;
  EXPECT_EQ(Build(tampered).status().tag(), kInvalidCursor);
  ListParams garbage = p;
  garbage.cursor = "garbage";
  EXPECT_EQ(Build(garbage).status().tag(), kInvalidCursor);
  // After its time: expiredCursor.
  EXPECT_EQ(Build(p, kNow + std::chrono::hours(2)).status().tag(), kExpiredCursor);
}

TEST(ListQuery, SearchBodyAcceptsNumbersAndAttributeArrays) {
  auto body = ParseJson(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
      "attributes":["userName","emails"],"startIndex":3,"count":7,"filter":"active pr"})");
  ASSERT_TRUE(body.ok());
  auto p = ListParamsFromSearchBody(*body);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->attributes, "userName,emails");
  EXPECT_EQ(p->start_index, "3");
  EXPECT_EQ(p->count, "7");
  auto bad = ParseJson(R"({"count":"x","sortBy":1})");
  EXPECT_EQ(ListParamsFromSearchBody(*bad).status().tag(), kInvalidValue);
  auto unknown = ParseJson(R"({"filters":"x"})");
  EXPECT_EQ(ListParamsFromSearchBody(*unknown).status().tag(), kInvalidSyntax);
}

}  // namespace
}  // namespace portico::scim
