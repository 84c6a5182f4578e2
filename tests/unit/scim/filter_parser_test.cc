#include <gtest/gtest.h>

#include <string>

#include "scim/filter/ast.h"
#include "scim/filter/parser.h"
#include "tests/unit/scim/filter_fake_schema.h"

namespace portico::scim {
namespace {

using test::FakeUserResolver;
using test::kEnterpriseUrn;
using test::kTestExtensionUrn;

const FakeUserResolver& Resolver() {
  static const FakeUserResolver* resolver = new FakeUserResolver();
  return *resolver;
}

const std::string kEnt = std::string(kEnterpriseUrn) + ":";
const std::string kExt = std::string(kTestExtensionUrn) + ":";

Filter MustParse(std::string_view text) {
  StatusOr<Filter> f = ParseFilter(text, Resolver());
  EXPECT_TRUE(f.ok()) << f.status().ToString() << "\n  for: " << text;
  return f.ok() ? *f : Filter();
}

std::string Canonical(std::string_view text) {
  StatusOr<Filter> f = ParseFilter(text, Resolver());
  if (!f.ok()) return "ERROR " + f.status().ToString();
  return ToString(*f);
}

// ---------------------------------------------------------------------------------------------
// Accepted filters and their canonical form.

struct Accepted {
  std::string text;
  std::string canonical;
};

class AcceptedFilterTest : public ::testing::TestWithParam<Accepted> {};

TEST_P(AcceptedFilterTest, ParsesToCanonicalForm) {
  EXPECT_EQ(Canonical(GetParam().text), GetParam().canonical) << GetParam().text;
}

TEST_P(AcceptedFilterTest, CanonicalFormParsesToTheSameTree) {
  const Filter first = MustParse(GetParam().text);
  EXPECT_TRUE(MustParse(ToString(first)) == first) << ToString(first);
}

INSTANTIATE_TEST_SUITE_P(
    EveryOperator, AcceptedFilterTest,
    ::testing::Values(Accepted{R"(userName eq "bjensen")", R"(userName eq "bjensen")"},
                      Accepted{R"(userName ne "bjensen")", R"(userName ne "bjensen")"},
                      Accepted{R"(name.familyName co "O'Malley")",
                               R"(name.familyName co "O'Malley")"},
                      Accepted{R"(userName sw "J")", R"(userName sw "J")"},
                      Accepted{R"(userName ew "sen")", R"(userName ew "sen")"},
                      Accepted{R"(nickName pr)", R"(nickName pr)"},
                      Accepted{R"(meta.lastModified gt "2011-05-13T04:42:34Z")",
                               R"(meta.lastModified gt "2011-05-13T04:42:34Z")"},
                      Accepted{R"(meta.lastModified ge "2011-05-13T04:42:34Z")",
                               R"(meta.lastModified ge "2011-05-13T04:42:34Z")"},
                      Accepted{R"(meta.lastModified lt "2011-05-13T04:42:34Z")",
                               R"(meta.lastModified lt "2011-05-13T04:42:34Z")"},
                      Accepted{R"(meta.lastModified le "2011-05-13T04:42:34+02:00")",
                               R"(meta.lastModified le "2011-05-13T04:42:34+02:00")"},
                      Accepted{R"(userName gt "m")", R"(userName gt "m")"},
                      Accepted{R"(active eq true)", R"(active eq true)"},
                      Accepted{R"(active ne false)", R"(active ne false)"}));

INSTANTIATE_TEST_SUITE_P(
    CaseInsensitiveNamesAndKeywords, AcceptedFilterTest,
    ::testing::Values(Accepted{R"(USERNAME EQ "BJensen")", R"(userName eq "BJensen")"},
                      Accepted{R"(UserName Sw "J" AND Active Eq TRUE)",
                               R"(userName sw "J" and active eq true)"},
                      Accepted{R"(NAME.GIVENNAME pR oR nOt (emails.TYPE Ne NULL))",
                               R"(name.givenName pr or not (emails.type pr))"},
                      Accepted{R"(EMAILS[TYPE eq "work"])", R"(emails[type eq "work"])"},
                      Accepted{R"(active eq False)", R"(active eq false)"}));

INSTANTIATE_TEST_SUITE_P(
    UrnQualifiedPaths, AcceptedFilterTest,
    ::testing::Values(
        Accepted{R"(urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J")",
                 R"(userName sw "J")"},
        Accepted{R"(urn:ietf:params:scim:schemas:core:2.0:User:name.familyName eq "x")",
                 R"(name.familyName eq "x")"},
        Accepted{kEnt + R"(employeeNumber eq "701984")", kEnt + R"(employeeNumber eq "701984")"},
        Accepted{"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:EMPLOYEENUMBER pr",
                 kEnt + "employeeNumber pr"},
        Accepted{kEnt + R"(manager.value eq "26118915")", kEnt + R"(manager.value eq "26118915")"},
        Accepted{kEnt + R"(manager.$ref co "Users")", kEnt + R"(manager.$ref co "Users")"},
        Accepted{kEnt + R"(manager[displayName sw "John"])",
                 kEnt + R"(manager[displayName sw "John"])"}));

INSTANTIATE_TEST_SUITE_P(
    Literals, AcceptedFilterTest,
    ::testing::Values(Accepted{kExt + "loginCount gt 5", kExt + "loginCount gt 5"},
                      Accepted{kExt + "loginCount ge -12", kExt + "loginCount ge -12"},
                      Accepted{kExt + "loginCount eq 2.0", kExt + "loginCount eq 2.0"},
                      Accepted{kExt + "score lt 1.5", kExt + "score lt 1.5"},
                      Accepted{kExt + "score eq 1e3", kExt + "score eq 1000.0"},
                      Accepted{kExt + "score eq -2.5E-1", kExt + "score eq -0.25"},
                      Accepted{kExt + "score le 0", kExt + "score le 0"},
                      Accepted{kExt + R"(badge eq "SGVsbG8=")", kExt + R"(badge eq "SGVsbG8=")"},
                      Accepted{kExt + R"(tags eq "admin")", kExt + R"(tags eq "admin")"},
                      Accepted{R"(displayName eq "")", R"(displayName eq "")"},
                      Accepted{R"(displayName eq "tab\there \"quoted\" back\\slash")",
                               R"(displayName eq "tab\there \"quoted\" back\\slash")"},
                      Accepted{R"(displayName eq "J\u00FCrgen \/ \ud83d\ude00")",
                               "displayName eq \"J\u00FCrgen / \U0001F600\""},
                      Accepted{R"(displayName eq "日本語")", R"(displayName eq "日本語")"}));

INSTANTIATE_TEST_SUITE_P(NullIsAbsence, AcceptedFilterTest,
                         ::testing::Values(Accepted{R"(nickName eq null)", R"(not (nickName pr))"},
                                           Accepted{R"(nickName ne null)", R"(nickName pr)"},
                                           Accepted{R"(emails eq null)", R"(not (emails pr))"},
                                           Accepted{R"(name ne null)", R"(name pr)"},
                                           Accepted{R"(active eq null)", R"(not (active pr))"},
                                           Accepted{R"(emails[value eq null])",
                                                    R"(emails[not (value pr)])"}));

INSTANTIATE_TEST_SUITE_P(
    LogicAndGrouping, AcceptedFilterTest,
    ::testing::Values(
        Accepted{R"(nickName pr and displayName eq "Employee")",
                 R"(nickName pr and displayName eq "Employee")"},
        Accepted{R"(nickName pr or displayName eq "Intern")",
                 R"(nickName pr or displayName eq "Intern")"},
        Accepted{R"(displayName eq "Employee" and )"
                 R"((emails co "example.com" or emails.value co "example.org"))",
                 R"(displayName eq "Employee" and )"
                 R"((emails.value co "example.com" or emails.value co "example.org"))"},
        Accepted{R"(displayName ne "Employee" and not )"
                 R"((emails co "example.com" or emails.value co "example.org"))",
                 R"(displayName ne "Employee" and not )"
                 R"((emails.value co "example.com" or emails.value co "example.org"))"},
        Accepted{R"(displayName eq "Employee" and (emails.type eq "work"))",
                 R"(displayName eq "Employee" and emails.type eq "work")"},
        Accepted{R"(((userName pr)))", R"(userName pr)"},
        Accepted{R"(not(userName pr))", R"(not (userName pr))"},
        Accepted{R"(not (not (userName pr)))", R"(not (not (userName pr)))"},
        Accepted{R"(userName pr and (displayName pr and nickName pr))",
                 R"(userName pr and (displayName pr and nickName pr))"},
        Accepted{R"((userName pr or displayName pr) and nickName pr)",
                 R"((userName pr or displayName pr) and nickName pr)"},
        Accepted{"userName pr\tand\n\r displayName   pr", "userName pr and displayName pr"},
        Accepted{R"(  userName pr  )", R"(userName pr)"},
        Accepted{R"((userName pr)and(nickName pr))", R"(userName pr and nickName pr)"}));

INSTANTIATE_TEST_SUITE_P(
    ValuePaths, AcceptedFilterTest,
    ::testing::Values(
        Accepted{
            R"(displayName eq "Employee" and emails[type eq "work" and value co "@example.com"])",
            R"(displayName eq "Employee" and emails[type eq "work" and value co "@example.com"])"},
        Accepted{R"(emails[type eq "work" and value co "@example.com"] or )"
                 R"(addresses[type eq "home" and locality co "Berlin"])",
                 R"(emails[type eq "work" and value co "@example.com"] or )"
                 R"(addresses[type eq "home" and locality co "Berlin"])"},
        Accepted{R"(emails[not (type eq "work") or (primary eq true)])",
                 R"(emails[not (type eq "work") or primary eq true])"},
        Accepted{R"(emails[value pr])", R"(emails[value pr])"},
        Accepted{R"(name[givenName sw "A"])", R"(name[givenName sw "A"])"},
        Accepted{R"(urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"])",
                 R"(emails[type eq "work"])"}));

INSTANTIATE_TEST_SUITE_P(
    MultiValuedComplexWithoutSubAttributeMeansValue, AcceptedFilterTest,
    ::testing::Values(Accepted{R"(emails co "@example.com")", R"(emails.value co "@example.com")"},
                      Accepted{R"(emails eq "a@b.c")", R"(emails.value eq "a@b.c")"},
                      Accepted{R"(emails pr)", R"(emails pr)"}));

INSTANTIATE_TEST_SUITE_P(
    EntraValueFormJoinsTheBracketFilter, AcceptedFilterTest,
    ::testing::Values(Accepted{R"(emails[type eq "work"].value eq "x@example.com")",
                               R"(emails[type eq "work" and value eq "x@example.com"])"},
                      Accepted{R"(emails[type eq "work" or type eq "home"].value co "@x")",
                               R"(emails[(type eq "work" or type eq "home") and value co "@x"])"},
                      Accepted{R"(emails[type eq "work"].primary eq true and userName pr)",
                               R"(emails[type eq "work" and primary eq true] and userName pr)"},
                      Accepted{R"(emails[type eq "work"].value pr)",
                               R"(emails[type eq "work" and value pr])"},
                      Accepted{R"(EMAILS[TYPE EQ "work"].VALUE EQ "x")",
                               R"(emails[type eq "work" and value eq "x"])"}));

// ---------------------------------------------------------------------------------------------
// Tree shapes that canonical text alone would not show.

TEST(FilterParserTest, AndBindsTighterThanOr) {
  const Filter f = MustParse(R"(userName eq "a" or displayName eq "b" and nickName eq "c")");
  ASSERT_EQ(f.kind, Filter::Kind::kOr);
  EXPECT_EQ(f.children[0].kind, Filter::Kind::kCompare);
  ASSERT_EQ(f.children[1].kind, Filter::Kind::kAnd);
  EXPECT_EQ(f.children[1].children[0].attr.attr, "displayName");

  const Filter g = MustParse(R"(userName eq "a" and displayName eq "b" or nickName eq "c")");
  ASSERT_EQ(g.kind, Filter::Kind::kOr);
  EXPECT_EQ(g.children[0].kind, Filter::Kind::kAnd);
  EXPECT_EQ(g.children[1].attr.attr, "nickName");
}

TEST(FilterParserTest, ParenthesesOverridePrecedence) {
  const Filter f = MustParse(R"((userName eq "a" or displayName eq "b") and nickName eq "c")");
  ASSERT_EQ(f.kind, Filter::Kind::kAnd);
  EXPECT_EQ(f.children[0].kind, Filter::Kind::kOr);
}

TEST(FilterParserTest, AndOrChainsAreLeftAssociative) {
  const Filter f = MustParse(R"(userName pr and displayName pr and nickName pr)");
  ASSERT_EQ(f.kind, Filter::Kind::kAnd);
  EXPECT_EQ(f.children[0].kind, Filter::Kind::kAnd);
  EXPECT_EQ(f.children[1].attr.attr, "nickName");
}

TEST(FilterParserTest, ResolvesCanonicalNamesTypesAndFlags) {
  const Filter f = MustParse(R"(EMAILS.Primary eq true)");
  EXPECT_EQ(f.attr.urn, test::kCoreUserUrn);
  EXPECT_EQ(f.attr.attr, "emails");
  EXPECT_EQ(f.attr.sub, "primary");
  EXPECT_EQ(f.attr.type, AttrType::kBoolean);
  EXPECT_TRUE(f.attr.multi_valued);

  const Filter g = MustParse(R"(ID eq "x")");
  EXPECT_EQ(g.attr.attr, "id");
  EXPECT_TRUE(g.attr.case_exact);

  const Filter h = MustParse(kEnt + R"(manager.value eq "x")");
  EXPECT_EQ(h.attr.urn, kEnterpriseUrn);
  EXPECT_EQ(h.attr.attr, "manager");
  EXPECT_EQ(h.attr.sub, "value");
}

TEST(FilterParserTest, ValuePathInnerAttributesAreSubAttributesOfTheParent) {
  const Filter f = MustParse(R"(emails[type eq "work" and primary eq true])");
  ASSERT_EQ(f.kind, Filter::Kind::kValuePath);
  EXPECT_EQ(f.attr.attr, "emails");
  EXPECT_EQ(f.attr.sub, "");
  EXPECT_EQ(f.attr.type, AttrType::kComplex);
  ASSERT_EQ(f.children.size(), 1u);
  const Filter& inner = f.children[0];
  ASSERT_EQ(inner.kind, Filter::Kind::kAnd);
  EXPECT_EQ(inner.children[0].attr.attr, "emails");
  EXPECT_EQ(inner.children[0].attr.sub, "type");
  EXPECT_EQ(inner.children[1].attr.sub, "primary");
  EXPECT_EQ(inner.children[1].attr.type, AttrType::kBoolean);
}

TEST(FilterParserTest, LiteralsKeepTheirKind) {
  Filter f = MustParse(kExt + "loginCount eq 7");
  EXPECT_EQ(f.value.kind, Literal::Kind::kInteger);
  EXPECT_EQ(f.value.integer, 7);
  f = MustParse(kExt + "loginCount eq -9223372036854775808");
  EXPECT_EQ(f.value.integer, INT64_MIN);
  f = MustParse(kExt + "loginCount eq 7.0");
  EXPECT_EQ(f.value.kind, Literal::Kind::kDecimal);
  EXPECT_EQ(f.value.decimal, 7.0);
  f = MustParse(R"(active eq TRUE)");
  EXPECT_EQ(f.value.kind, Literal::Kind::kBoolean);
  EXPECT_TRUE(f.value.boolean);
  f = MustParse(R"(meta.created gt "2011-08-01T20:29:49.793+02:00")");
  EXPECT_EQ(f.value.kind, Literal::Kind::kDateTime);
  EXPECT_EQ(f.value.millis, 1312223389793);
  EXPECT_EQ(f.value.text, "2011-08-01T20:29:49.793+02:00");
  f = MustParse(R"(userName eq "A\"\\\/\b\f\n\r\t\u0041\u00e9\u20AC\uD834\uDD1E")");
  EXPECT_EQ(f.value.kind, Literal::Kind::kString);
  EXPECT_EQ(f.value.text, "A\"\\/\b\f\n\r\tA\u00e9\u20AC\U0001D11E");
}

TEST(FilterParserTest, AttributeCalledLikeAKeywordPrefixIsNotAKeyword) {
  // "nickName" starts with no keyword, but "notes"-like names must not be read as "not".
  EXPECT_EQ(Canonical(R"(nickName pr ornot pr)").substr(0, 5), "ERROR");
  EXPECT_EQ(Canonical(R"(userName pr and nickName pr)"), R"(userName pr and nickName pr)");
}

// ---------------------------------------------------------------------------------------------
// Rejected filters: invalidFilter, with what and where.

struct Rejected {
  std::string text;
  int64_t position;
  std::string message;  // a substring of the message
};

class RejectedFilterTest : public ::testing::TestWithParam<Rejected> {};

TEST_P(RejectedFilterTest, FailsWithInvalidFilterAtPosition) {
  const Rejected& r = GetParam();
  StatusOr<Filter> f = ParseFilter(r.text, Resolver());
  ASSERT_FALSE(f.ok()) << "accepted: " << r.text;
  const Status& s = f.status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.tag(), "invalidFilter");
  EXPECT_NE(s.message().find(r.message), std::string::npos) << s.message() << "\n  for: " << r.text;
  EXPECT_NE(s.message().find("at position " + std::to_string(r.position)), std::string::npos)
      << s.message() << "\n  for: " << r.text;
  const Json* position = s.details().Find("position");
  ASSERT_NE(position, nullptr) << s.ToString();
  EXPECT_EQ(position->as_int(), r.position) << s.message() << "\n  for: " << r.text;
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, RejectedFilterTest,
    ::testing::Values(
        Rejected{"", 0, "empty filter"}, Rejected{"   ", 3, "empty filter"},
        Rejected{"userName", 8, "expected a space and an operator after \"userName\""},
        Rejected{"userName eq", 11, "expected a space and a value after \"eq\""},
        Rejected{"userName eq ", 12, "expected a value"},
        Rejected{R"(userName eq"x")", 11, "expected a space and a value"},
        Rejected{R"(userName xx "a")", 9, "expected an operator"},
        Rejected{R"(userName equals "a")", 9, "found \"equals\""},
        Rejected{"userName eq bjensen", 12, "expected a value (a string in double quotes"},
        Rejected{R"(userName eq 'bjensen')", 12, "expected a value"},
        Rejected{R"(userName eq "bjensen)", 12, "unterminated string"},
        Rejected{R"(userName eq "a\qb")", 14, "invalid escape \"\\\\q\""},
        Rejected{R"(userName eq "a\u12")", 14, "four hex digits"},
        Rejected{R"(userName eq "\ud800")", 13, "unpaired surrogate"},
        Rejected{R"(userName eq "\ud800\u0041")", 13, "unpaired surrogate"},
        Rejected{R"(userName eq "\udc00x")", 13, "unpaired surrogate"},
        Rejected{"userName eq \"a\tb\"", 14, "control character"},
        Rejected{"userName eq \"a\xff\"", 14, "invalid UTF-8"},
        Rejected{R"(userName eq "a" and)", 19, "unexpected end of filter"},
        Rejected{R"(userName eq "a" and )", 20, "unexpected end of filter"},
        Rejected{R"(userName eq "a" userName eq "b")", 16,
                 "expected \"and\", \"or\" or the end of the filter, found \"userName\""},
        Rejected{R"(userName eq "a"and nickName pr)", 15, "unexpected \"and\" after the value"},
        Rejected{R"(userName pr andx nickName pr)", 12, "found \"andx\""},
        Rejected{R"((userName eq "a")", 16,
                 "expected \")\" to close the \"(\" opened at position 0"},
        Rejected{R"(userName eq "a"))", 15, "unmatched ')'"},
        Rejected{R"(())", 1, "expected an attribute name"},
        Rejected{R"(not userName eq "a")", 3, "expected \"(\" after \"not\""},
        Rejected{R"(not)", 3, "expected \"(\" after \"not\""},
        Rejected{R"(and userName pr)", 0, "unknown attribute \"and\""},
        Rejected{R"(1userName eq "a")", 0, "expected an attribute name"},
        Rejected{R"(user@name eq "a")", 0, "unknown attribute \"user\""},
        Rejected{R"(userName eq 01)", 13, "unexpected \"1\" after the value"},
        Rejected{R"(userName eq "a"x)", 15, "unexpected \"x\" after the value"},
        Rejected{R"(name.givenName.x eq "a")", 14, "at most one sub-attribute"},
        Rejected{R"(name. eq "a")", 5, "expected an attribute name"},
        Rejected{R"(foo:bar eq "x")", 3, "unexpected \":\""},
        Rejected{R"(urn:ietf:params:scim:schemas:core:2.0:User: eq "x")", 43,
                 "expected an attribute name after the schema URN"},
        Rejected{R"(emails[type eq "work")", 21,
                 "expected \"]\" to close the \"[\" opened at position 6"},
        Rejected{R"(emails[type eq "work"]])", 22, "unmatched ']'"},
        Rejected{R"(emails[type eq "work"] pr)", 23, "found \"pr\""},
        Rejected{R"(emails[type eq "work"]. eq "x")", 23, "expected a sub-attribute name"},
        Rejected{R"(emails[type eq "work"].value.x eq "x")", 28, "unexpected \".x\" after"},
        Rejected{R"(emails[])", 7, "expected an attribute name"}));

INSTANTIATE_TEST_SUITE_P(
    Attributes, RejectedFilterTest,
    ::testing::Values(
        Rejected{R"(userNme eq "a")", 0, "unknown attribute \"userNme\""},
        Rejected{R"(userName pr and title eq "a")", 16, "unknown attribute \"title\""},
        Rejected{R"(name.middle eq "a")", 0, "unknown attribute \"name.middle\""},
        // Extension attributes need their URN; core attributes are not in the extension.
        Rejected{R"(employeeNumber eq "1")", 0, "unknown attribute \"employeeNumber\""},
        Rejected{kEnt + R"(userName eq "x")", 0, "unknown attribute"},
        Rejected{R"(urn:nope:User:userName eq "x")", 0, "unknown attribute"},
        Rejected{R"(emails[kind eq "work"])", 7, "unknown sub-attribute \"kind\" of \"emails\""},
        Rejected{R"(emails[emails.type eq "work"])", 7,
                 "inside \"emails\"[ ], expected the name of one of its sub-attributes"},
        Rejected{R"(emails[type eq "work"].kind eq "x")", 23, "unknown sub-attribute \"kind\""},
        Rejected{R"(emails[type[value eq "x"]])", 11, "cannot be nested"},
        Rejected{R"(userName[value eq "x"])", 0, "\"userName\" is not a complex attribute"},
        Rejected{R"(emails.value[type eq "x"])", 0, "not a complex attribute"},
        // Position counts characters, not bytes.
        Rejected{R"(displayName eq "日本語" and title pr)", 25, "unknown attribute \"title\""}));

INSTANTIATE_TEST_SUITE_P(
    Types, RejectedFilterTest,
    ::testing::Values(
        Rejected{R"(active gt true)", 7, "\"gt\" cannot be used with boolean attribute \"active\""},
        Rejected{R"(active co true)", 7, "cannot be used with boolean"},
        Rejected{R"(active eq "true")", 10, "can only be compared with true or false"},
        Rejected{R"(active eq 1)", 10, "can only be compared with true or false"},
        Rejected{R"(emails.primary le false)", 15, "cannot be used with boolean"},
        Rejected{R"(name eq "x")", 0, "cannot compare complex attribute \"name\""},
        Rejected{R"(name gt "x")", 0, "cannot compare complex attribute"},
        Rejected{R"(meta co "x")", 0, "cannot compare complex attribute \"meta\""},
        Rejected{kEnt + R"(manager eq "x")", 0, "cannot compare complex attribute"},
        Rejected{R"(meta.created eq "yesterday")", 16, "RFC 3339 date-time"},
        Rejected{R"(meta.created gt "2011-08-01")", 16, "RFC 3339 date-time"},
        Rejected{R"(meta.created eq 1312223389793)", 16, "RFC 3339 date-time"},
        Rejected{R"(meta.created co "2011")", 13, "\"co\" cannot be used with dateTime"},
        Rejected{R"(meta.created sw "2011")", 13, "cannot be used with dateTime"},
        Rejected{kExt + R"(loginCount eq "5")", 70, "integer attribute"},
        Rejected{kExt + R"(loginCount co 5)", 67, "\"co\" cannot be used with integer"},
        Rejected{kExt + R"(score ew 5)", 62, "\"ew\" cannot be used with decimal"},
        Rejected{kExt + R"(score eq true)", 65, "can only be compared with a number"},
        Rejected{kExt + R"(badge gt "x")", 62, "\"gt\" cannot be used with binary"},
        Rejected{R"(userName eq 1)", 12, "can only be compared with a string"},
        Rejected{R"(userName eq true)", 12, "can only be compared with a string"},
        Rejected{R"(userName gt null)", 9, "only eq and ne can compare with null"},
        Rejected{R"(userName co null)", 9, "only eq and ne can compare with null"},
        Rejected{kExt + R"(loginCount eq 9223372036854775808)", 70, "out of range"},
        Rejected{kExt + R"(score eq 1e999)", 65, "out of range"},
        Rejected{kExt + R"(score eq 1.)", 67, "expected a digit after \".\""},
        Rejected{kExt + R"(score eq -)", 66, "expected a digit"},
        Rejected{kExt + R"(score eq 1e)", 67, "expected a digit in the exponent"}));

// ---------------------------------------------------------------------------------------------
// Limits.

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

Status ParseError(const std::string& text, const FilterLimits& limits = {}) {
  StatusOr<Filter> f = ParseFilter(text, Resolver(), limits);
  EXPECT_FALSE(f.ok()) << "accepted a filter of " << text.size() << " bytes";
  return f.status();
}

int64_t Position(const Status& s) {
  const Json* p = s.details().Find("position");
  return p != nullptr && p->is_int() ? p->as_int() : -1;
}

TEST(FilterLimitsTest, AcceptsExactly4096CharactersAndRejectsOneMore) {
  const std::string head = R"(userName eq ")";
  const std::string longest = head + std::string(4096 - head.size() - 1, 'a') + "\"";
  ASSERT_EQ(longest.size(), 4096u);
  EXPECT_TRUE(ParseFilter(longest, Resolver()).ok());
  const std::string too_long = head + std::string(4096 - head.size(), 'a') + "\"";
  const Status s = ParseError(too_long);
  EXPECT_EQ(s.tag(), "invalidFilter");
  EXPECT_NE(s.message().find("too long"), std::string::npos) << s.message();
  EXPECT_EQ(Position(s), 4096);
}

TEST(FilterLimitsTest, LengthCountsCharactersNotBytes) {
  // 4096 characters, 3 bytes each for most of them.
  const std::string head = R"(userName eq ")";
  const std::string text = head + Repeat("語", 4096 - static_cast<int>(head.size()) - 1) + "\"";
  EXPECT_TRUE(ParseFilter(text, Resolver()).ok());
}

TEST(FilterLimitsTest, AcceptsNestingDepth32AndRejects33) {
  EXPECT_TRUE(ParseFilter(Repeat("(", 32) + "userName pr" + Repeat(")", 32), Resolver()).ok());
  const Status s = ParseError(Repeat("(", 33) + "userName pr" + Repeat(")", 33));
  EXPECT_NE(s.message().find("too complex: nested deeper than 32"), std::string::npos)
      << s.message();
  EXPECT_EQ(Position(s), 32);
}

TEST(FilterLimitsTest, NotAndBracketsCountAsNesting) {
  EXPECT_TRUE(
      ParseFilter(Repeat("not (", 31) + "emails[type pr]" + Repeat(")", 31), Resolver()).ok());
  const Status s = ParseError(Repeat("not (", 32) + "emails[type pr]" + Repeat(")", 32));
  EXPECT_NE(s.message().find("too complex"), std::string::npos) << s.message();
  EXPECT_EQ(Position(s), 32 * 5 + 6);  // the "["
}

TEST(FilterLimitsTest, ThousandsOfOpenParenthesesFailFastWithoutDeepRecursion) {
  const Status s = ParseError(std::string(4000, '('));
  EXPECT_EQ(Position(s), 32);
  // Even past the length limit the answer is "too long", not a crash.
  EXPECT_EQ(Position(ParseError(std::string(1'000'000, '('))), 4096);
}

TEST(FilterLimitsTest, AcceptsTwoHundredNodesAndRejectsMore) {
  // n leaves joined by n - 1 "or" nodes: 2n - 1 nodes.
  const auto chain = [](int leaves) {
    std::string text = "userName pr";
    for (int i = 1; i < leaves; ++i) text += " or userName pr";
    return text;
  };
  EXPECT_TRUE(ParseFilter(chain(100), Resolver()).ok());  // 199 nodes
  const Status s = ParseError(chain(101));                // 201 nodes
  EXPECT_NE(s.message().find("too complex: more than 200 terms"), std::string::npos) << s.message();
}

TEST(FilterLimitsTest, NullComparisonsCountTheNodesTheyBecome) {
  // "eq null" is two nodes (not, pr): 67 of them and 66 "and" nodes make 200.
  const auto chain = [](int leaves) {
    std::string text = "userName eq null";
    for (int i = 1; i < leaves; ++i) text += " and userName eq null";
    return text;
  };
  EXPECT_TRUE(ParseFilter(chain(67), Resolver()).ok());
  EXPECT_FALSE(ParseFilter(chain(68), Resolver()).ok());
}

TEST(FilterLimitsTest, LimitsAreConfigurable) {
  FilterLimits limits;
  limits.max_length = 20;
  limits.max_depth = 1;
  limits.max_nodes = 2;
  EXPECT_TRUE(ParseFilter("(userName pr)", Resolver(), limits).ok());
  EXPECT_NE(ParseError("((userName pr))", limits).message().find("nested"), std::string::npos);
  EXPECT_NE(ParseError("userName pr or nickName pr", limits).message().find("too long"),
            std::string::npos);
  limits.max_length = 4096;
  EXPECT_NE(ParseError("userName pr or nickName pr", limits).message().find("terms"),
            std::string::npos);
}

}  // namespace
}  // namespace portico::scim
