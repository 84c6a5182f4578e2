#include <gtest/gtest.h>

#include <string>

#include "portico/json.h"
#include "portico/parse_json.h"
#include "scim/filter/ast.h"
#include "scim/filter/evaluator.h"
#include "scim/filter/parser.h"
#include "tests/unit/scim/filter_fake_schema.h"

namespace portico::scim {
namespace {

using test::FakeUserResolver;
using test::kCoreUserUrn;
using test::kEnterpriseUrn;

const FakeUserResolver& Resolver() {
  static const FakeUserResolver* resolver = new FakeUserResolver();
  return *resolver;
}

PatchPath MustParse(std::string_view text) {
  StatusOr<PatchPath> p = ParsePatchPath(text, Resolver());
  EXPECT_TRUE(p.ok()) << p.status().ToString() << "\n  for: " << text;
  return p.ok() ? *p : PatchPath();
}

TEST(PatchPathTest, PlainAttribute) {
  const PatchPath p = MustParse("displayName");
  EXPECT_EQ(p.attr.urn, kCoreUserUrn);
  EXPECT_EQ(p.attr.attr, "displayName");
  EXPECT_EQ(p.attr.sub, "");
  EXPECT_EQ(p.attr.type, AttrType::kString);
  EXPECT_FALSE(p.value_filter.has_value());
}

TEST(PatchPathTest, SubAttributeOfSingleValuedComplex) {
  const PatchPath p = MustParse("name.familyName");
  EXPECT_EQ(p.attr.attr, "name");
  EXPECT_EQ(p.attr.sub, "familyName");
  EXPECT_FALSE(p.value_filter.has_value());
}

TEST(PatchPathTest, WholeMultiValuedAttributeIsNotRewrittenToValue) {
  const PatchPath p = MustParse("emails");
  EXPECT_EQ(p.attr.attr, "emails");
  EXPECT_EQ(p.attr.sub, "");
  EXPECT_EQ(p.attr.type, AttrType::kComplex);
  EXPECT_TRUE(p.attr.multi_valued);
}

TEST(PatchPathTest, ValuePathSelectsElements) {
  const PatchPath p = MustParse(R"(emails[type eq "work"])");
  EXPECT_EQ(p.attr.attr, "emails");
  EXPECT_EQ(p.attr.sub, "");
  ASSERT_TRUE(p.value_filter.has_value());
  EXPECT_EQ(p.value_filter->kind, Filter::Kind::kCompare);
  EXPECT_EQ(p.value_filter->attr.attr, "emails");
  EXPECT_EQ(p.value_filter->attr.sub, "type");
}

TEST(PatchPathTest, ValuePathWithSubAttributeTargetsThatSubAttribute) {
  const PatchPath p = MustParse(R"(emails[type eq "work" and primary eq true].value)");
  EXPECT_EQ(p.attr.attr, "emails");
  EXPECT_EQ(p.attr.sub, "value");
  EXPECT_EQ(p.attr.type, AttrType::kString);
  ASSERT_TRUE(p.value_filter.has_value());
  EXPECT_EQ(p.value_filter->kind, Filter::Kind::kAnd);
}

TEST(PatchPathTest, ExtensionAttributeWithUrn) {
  PatchPath p = MustParse(std::string(kEnterpriseUrn) + ":manager");
  EXPECT_EQ(p.attr.urn, kEnterpriseUrn);
  EXPECT_EQ(p.attr.attr, "manager");
  EXPECT_EQ(p.attr.type, AttrType::kComplex);
  p = MustParse(std::string(kEnterpriseUrn) + ":manager.value");
  EXPECT_EQ(p.attr.sub, "value");
  p = MustParse(std::string(kEnterpriseUrn) + ":employeeNumber");
  EXPECT_EQ(p.attr.attr, "employeeNumber");
}

TEST(PatchPathTest, NamesAndKeywordsAreCaseInsensitive) {
  const PatchPath p = MustParse(R"(EMAILS[TYPE EQ "work"].VALUE)");
  EXPECT_EQ(p.attr.attr, "emails");
  EXPECT_EQ(p.attr.sub, "value");
  ASSERT_TRUE(p.value_filter.has_value());
  EXPECT_EQ(p.value_filter->attr.sub, "type");
  EXPECT_EQ(p.value_filter->value.text, "work");  // literals keep their case
}

TEST(PatchPathTest, ValueFilterSelectsTheMatchingElements) {
  const PatchPath p = MustParse(R"(emails[type eq "WORK" and not (primary eq false)])");
  ASSERT_TRUE(p.value_filter.has_value());
  StatusOr<Json> emails = ParseJson(R"([
      {"value": "a@x", "type": "work", "primary": true},
      {"value": "b@x", "type": "work", "primary": false},
      {"value": "c@x", "type": "Work"},
      {"value": "d@x", "type": "home"},
      {"value": "e@x"}])");
  ASSERT_TRUE(emails.ok());
  std::string selected;
  for (const Json& e : emails->as_array()) {
    if (MatchesValueFilter(*p.value_filter, e)) selected += e.Find("value")->as_string() + " ";
  }
  EXPECT_EQ(selected, "a@x c@x ");
}

struct RejectedPath {
  std::string text;
  std::string tag;
  int64_t position;
  std::string message;
};

class RejectedPatchPathTest : public ::testing::TestWithParam<RejectedPath> {};

TEST_P(RejectedPatchPathTest, FailsWithTagAndPosition) {
  const RejectedPath& r = GetParam();
  StatusOr<PatchPath> p = ParsePatchPath(r.text, Resolver());
  ASSERT_FALSE(p.ok()) << "accepted: " << r.text;
  const Status& s = p.status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.tag(), r.tag) << s.ToString();
  EXPECT_NE(s.message().find(r.message), std::string::npos) << s.message();
  const Json* position = s.details().Find("position");
  ASSERT_NE(position, nullptr);
  EXPECT_EQ(position->as_int(), r.position) << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    Table, RejectedPatchPathTest,
    ::testing::Values(
        RejectedPath{"", "invalidPath", 0, "empty path"},
        RejectedPath{" userName", "invalidPath", 0, "expected an attribute path"},
        RejectedPath{"userName ", "invalidPath", 8, "unexpected \" \" in path"},
        RejectedPath{"nope", "invalidPath", 0, "unknown attribute \"nope\""},
        RejectedPath{"name.nope", "invalidPath", 0, "unknown attribute \"name.nope\""},
        RejectedPath{"name.givenName.x", "invalidPath", 14, "at most one sub-attribute"},
        RejectedPath{"employeeNumber", "invalidPath", 0, "unknown attribute"},
        RejectedPath{R"(userName[value eq "x"])", "invalidPath", 0, "not a complex attribute"},
        RejectedPath{R"(emails[type eq "work"].nope)", "invalidPath", 23,
                     "unknown sub-attribute \"nope\""},
        RejectedPath{R"(emails[type eq "work"].)", "invalidPath", 23, "expected a sub-attribute"},
        RejectedPath{R"(emails[type eq "work"] )", "invalidPath", 22, "unexpected"},
        RejectedPath{R"(emails[type eq "work"][x])", "invalidPath", 22, "unexpected \"[\""},
        RejectedPath{R"(emails[type eq "work"].value.x)", "invalidPath", 28, "unexpected"},
        // Errors inside [ ] are filter errors (RFC 7644 §3.12).
        RejectedPath{R"(emails[type eq])", "invalidFilter", 14, "expected a space and a value"},
        RejectedPath{R"(emails[type eq "work")", "invalidFilter", 21, "expected \"]\""},
        RejectedPath{R"(emails[kind eq "work"])", "invalidFilter", 7, "unknown sub-attribute"},
        RejectedPath{R"(emails[primary gt true])", "invalidFilter", 15, "cannot be used"},
        RejectedPath{R"(emails[type[value eq "x"]])", "invalidFilter", 11, "cannot be nested"}));

}  // namespace
}  // namespace portico::scim
