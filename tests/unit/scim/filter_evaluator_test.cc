#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portico/json.h"
#include "portico/parse_json.h"
#include "scim/filter/evaluator.h"
#include "scim/filter/parser.h"
#include "tests/unit/scim/filter_fake_schema.h"

namespace portico::scim {
namespace {

using test::FakeUserResolver;

const FakeUserResolver& Resolver() {
  static const FakeUserResolver* resolver = new FakeUserResolver();
  return *resolver;
}

const std::string kEnt = std::string(test::kEnterpriseUrn) + ":";
const std::string kExt = std::string(test::kTestExtensionUrn) + ":";

Json MustParseJson(std::string text) {
  // The documents below name the extensions by short keys; expand them to the real URNs.
  for (const auto& [key, urn] :
       {std::pair<std::string, std::string>{"\"ENT\"", test::kEnterpriseUrn},
        {"\"EXT\"", test::kTestExtensionUrn}}) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key)) {
      text.replace(at, key.size(), "\"" + urn + "\"");
    }
  }
  StatusOr<Json> j = ParseJson(text);
  EXPECT_TRUE(j.ok()) << j.status().ToString();
  return j.ok() ? *j : Json();
}

// Four users that differ exactly where the semantics are easy to get wrong.
const std::vector<Json>& Users() {
  static const std::vector<Json>* users = new std::vector<Json>{
      MustParseJson(R"({
        "id": "2819c223", "externalId": "ext-1", "userName": "BJensen",
        "displayName": "Babs Jensen", "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@home.example", "type": "home"}],
        "addresses": [{"locality": "Hollywood", "country": "US", "type": "work"}],
        "meta": {"created": "2011-08-01T18:29:49.793Z",
                 "lastModified": "2011-08-01T20:29:49.793+02:00", "resourceType": "User"},
        "ENT": {"employeeNumber": "701984",
                "manager": {"value": "26118915", "displayName": "John Smith"}},
        "EXT": {"loginCount": 42, "score": 1.5, "tags": ["admin", "dev"], "codes": ["A1"],
                "badge": "SGVsbG8="}})"),
      // alice: her work address is the one at home.example — the same-element trap.
      MustParseJson(R"({
        "id": "a1", "userName": "alice", "displayName": "", "active": false,
        "name": {"givenName": "Alice"},
        "emails": [{"value": "alice@work.example", "type": "home"},
                   {"value": "alice@home.example", "type": "work"}],
        "meta": {"created": "2024-01-31T12:00:00Z"},
        "EXT": {"loginCount": 5, "score": 2, "tags": []}})"),
      // Empty and unparseable values.
      MustParseJson(R"({
        "id": "e1", "userName": "ΣΊΣΥΦΟΣ", "emails": [], "name": {}, "nickName": null,
        "meta": {"created": "not a date"},
        "EXT": {"loginCount": 9007199254740993, "score": -0.25}})"),
      // A value of the wrong JSON type counts as absent.
      MustParseJson(R"({
        "id": "s1", "userName": "straße", "displayName": "Jürgen",
        "emails": [{"type": "work"}, "not an object"],
        "meta": {"created": "2024-01-31T13:00:00.5+01:00"},
        "EXT": {"loginCount": "42"}})"),
  };
  return *users;
}

struct Case {
  std::string filter;
  std::string ids;  // ids of the matching users, space-separated, in Users() order
};

class MatchesTest : public ::testing::TestWithParam<Case> {};

TEST_P(MatchesTest, SelectsExactlyTheExpectedUsers) {
  StatusOr<Filter> f = ParseFilter(GetParam().filter, Resolver());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  std::string ids;
  for (const Json& user : Users()) {
    if (Matches(*f, user)) ids += (ids.empty() ? "" : " ") + user.Find("id")->as_string();
  }
  EXPECT_EQ(ids, GetParam().ids) << GetParam().filter;
}

TEST_P(MatchesTest, NotIsTheExactComplement) {
  StatusOr<Filter> f = ParseFilter("not (" + GetParam().filter + ")", Resolver());
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  StatusOr<Filter> g = ParseFilter(GetParam().filter, Resolver());
  ASSERT_TRUE(g.ok());
  for (const Json& user : Users()) EXPECT_NE(Matches(*f, user), Matches(*g, user));
}

INSTANTIATE_TEST_SUITE_P(
    Strings, MatchesTest,
    ::testing::Values(
        Case{R"(userName eq "bjensen")", "2819c223"},  // caseExact=false folds both sides
        Case{R"(userName eq "BJENSEN")", "2819c223"}, Case{R"(id eq "2819c223")", "2819c223"},
        Case{R"(id eq "2819C223")", ""},         // caseExact=true compares bytes
        Case{R"(userName eq "σίσυφος")", "e1"},  // final sigma and capital sigma fold alike
        Case{R"(userName eq "STRAßE")", "s1"},
        Case{R"(userName eq "STRASSE")", ""},  // simple folding: ß is not ss
        Case{R"(displayName co "JENS")", "2819c223"}, Case{R"(displayName sw "babs")", "2819c223"},
        Case{R"(displayName ew "SEN")", "2819c223"}, Case{R"(displayName ew "Babs")", ""},
        Case{R"(displayName co "")", "2819c223 a1 s1"},  // every string, even ""
        Case{R"(displayName sw "")", "2819c223 a1 s1"}, Case{R"(displayName eq "")", "a1"},
        Case{R"(userName gt "b")", "2819c223 e1 s1"},  // folded bytes: "σ" (0xCF…) > "b"
        Case{R"(userName lt "B")", "a1"}, Case{R"(userName ge "straße")", "e1 s1"},
        Case{R"(userName le "alice")", "a1"},
        Case{R"(meta.resourceType eq "user")", ""},  // caseExact sub-attribute
        Case{R"(meta.resourceType eq "User")", "2819c223"},
        Case{kExt + R"(badge eq "SGVsbG8=")", "2819c223"},
        Case{kExt + R"(badge eq "sgvsbg8=")", ""},  // binary is caseExact here
        Case{kExt + R"(badge sw "SGV")", "2819c223"}));

INSTANTIATE_TEST_SUITE_P(
    AbsentValues, MatchesTest,
    ::testing::Values(
        Case{R"(displayName ne "Babs Jensen")", "a1 e1 s1"},  // absent matches ne
        Case{R"(displayName eq "Babs Jensen")", "2819c223"}, Case{R"(nickName eq "x")", ""},
        Case{R"(nickName ne "x")", "2819c223 a1 e1 s1"},
        Case{R"(nickName gt "")", ""},  // every other operator on an absent value is false
        Case{R"(externalId lt "zzz")", "2819c223"}, Case{R"(active eq true)", "2819c223"},
        Case{R"(active eq false)", "a1"}, Case{R"(active ne true)", "a1 e1 s1"},
        Case{R"(nickName eq null)", "2819c223 a1 e1 s1"},
        Case{R"(displayName eq null)", "a1 e1"},  // "" is no value
        Case{R"(displayName ne null)", "2819c223 s1"},
        Case{kExt + "loginCount eq 42", "2819c223"},  // "42" (a string) is not a number
        Case{kExt + "loginCount ne 42", "a1 e1 s1"}));

INSTANTIATE_TEST_SUITE_P(
    Presence, MatchesTest,
    ::testing::Values(Case{R"(displayName pr)", "2819c223 s1"},  // "" is not present
                      Case{R"(nickName pr)", ""},                // null is not present
                      Case{R"(name pr)", "2819c223 a1"},         // {} is not present
                      Case{R"(name.familyName pr)", "2819c223"},
                      Case{R"(emails pr)", "2819c223 a1 s1"},  // [] is not present
                      Case{R"(emails.value pr)", "2819c223 a1"},
                      Case{R"(emails.primary pr)", "2819c223"}, Case{kExt + "tags pr", "2819c223"},
                      Case{kEnt + "manager pr", "2819c223"},
                      Case{R"(meta.created pr)", "2819c223 a1 e1 s1"}));

INSTANTIATE_TEST_SUITE_P(
    MultiValued, MatchesTest,
    ::testing::Values(Case{R"(emails.type eq "home")", "2819c223 a1"},  // any element
                      Case{R"(emails.type ne "work")", "e1"},           // no element equals
                      Case{R"(emails.type ne "home")", "e1 s1"},
                      Case{R"(emails co "example.com")", "2819c223"},  // emails means emails.value
                      Case{R"(emails eq "ALICE@WORK.EXAMPLE")", "a1"},
                      Case{R"(emails.value ew ".example")", "2819c223 a1"},
                      Case{kExt + R"(tags eq "ADMIN")", "2819c223"},
                      Case{kExt + R"(codes eq "a1")", ""},  // caseExact multi-valued string
                      Case{kExt + R"(codes eq "A1")", "2819c223"},
                      Case{R"(addresses.locality eq "hollywood")", "2819c223"}));

INSTANTIATE_TEST_SUITE_P(
    ValuePathSameElement, MatchesTest,
    ::testing::Values(
        // Different elements satisfy the two conditions for alice: only the plain and matches.
        Case{R"(emails[type eq "work" and value co "work.example"])", ""},
        Case{R"(emails.type eq "work" and emails.value co "work.example")", "a1"},
        Case{R"(emails[type eq "work" and value co "example.com"])", "2819c223"},
        Case{R"(emails[type eq "work"].value eq "alice@home.example")", "a1"},
        Case{R"(emails[type eq "work"].value co "work.example")", ""},
        Case{R"(emails[type eq "work"])", "2819c223 a1 s1"},
        Case{R"(emails[not (type eq "work")])", "2819c223 a1"},
        Case{R"(not (emails[type eq "work"]))", "e1"},
        Case{R"(emails[primary eq true])", "2819c223"},
        Case{R"(emails[primary ne true])", "2819c223 a1 s1"},  // an element without primary
        Case{R"(emails[value pr])", "2819c223 a1"}, Case{R"(emails[value eq null])", "s1"},
        Case{R"(emails[type eq "work" or value sw "babs"])", "2819c223 a1 s1"},
        Case{R"(name[givenName sw "A"])", "a1"},  // single-valued complex: one element
        Case{kEnt + R"(manager[displayName co "smith" and value eq "26118915"])", "2819c223"},
        Case{R"(addresses[type eq "work" and country eq "us"])", "2819c223"}));

INSTANTIATE_TEST_SUITE_P(
    DateTimes, MatchesTest,
    ::testing::Values(
        Case{R"(meta.created eq "2011-08-01T20:29:49.793+02:00")", "2819c223"},  // one instant
        Case{R"(meta.lastModified eq "2011-08-01T18:29:49.793Z")", "2819c223"},
        Case{R"(meta.created gt "2020-01-01T00:00:00Z")", "a1 s1"},  // "not a date" never
        Case{R"(meta.created ge "2024-01-31T12:00:00.500Z")", "s1"},
        Case{R"(meta.created gt "2024-01-31T12:00:00.499Z")", "s1"},
        Case{R"(meta.created lt "2024-01-31T12:00:00.5Z")", "2819c223 a1"},
        Case{R"(meta.created le "2024-01-31T07:00:00-05:00")", "2819c223 a1"},
        Case{R"(meta.created ne "2024-01-31T12:00:00Z")", "2819c223 e1 s1"}));

INSTANTIATE_TEST_SUITE_P(
    Numbers, MatchesTest,
    ::testing::Values(
        Case{kExt + "loginCount gt 5", "2819c223 e1"},
        Case{kExt + "loginCount ge 5", "2819c223 a1 e1"},
        Case{kExt + "loginCount eq 42.0", "2819c223"},  // integer against decimal by value
        Case{kExt + "loginCount lt 5.5", "a1"},
        // 9007199254740993 is not representable as a double: comparison must stay exact.
        Case{kExt + "loginCount gt 9007199254740992.0", "e1"},
        Case{kExt + "loginCount eq 9007199254740992.0", ""},
        Case{kExt + "loginCount eq 9007199254740993", "e1"}, Case{kExt + "loginCount gt 1e300", ""},
        Case{kExt + "loginCount gt -1e300", "2819c223 a1 e1"}, Case{kExt + "score eq 2", "a1"},
        Case{kExt + "score eq 2.0", "a1"}, Case{kExt + "score lt 0", "e1"},
        Case{kExt + "score ge 1.5", "2819c223 a1"}, Case{kExt + "score gt 1", "2819c223 a1"}));

INSTANTIATE_TEST_SUITE_P(
    LogicAndExtensions, MatchesTest,
    ::testing::Values(
        // alice or (displayName pr and active): and binds tighter.
        Case{R"(userName eq "alice" or displayName pr and active eq true)", "2819c223 a1"},
        Case{R"((userName eq "alice" or displayName pr) and active eq true)", "2819c223"},
        Case{R"(not (userName eq "bjensen") and not (userName eq "alice"))", "e1 s1"},
        Case{kEnt + R"(employeeNumber eq "701984")", "2819c223"},
        Case{kEnt + R"(manager.value eq "26118915")", "2819c223"},
        Case{kEnt + R"(manager.value eq "26118915" or name.givenName eq "alice")", "2819c223 a1"}));

TEST(MatchesResourceTest, ExtensionValuesAreOnlyFoundUnderTheirUrn) {
  StatusOr<Filter> f = ParseFilter(kEnt + R"(employeeNumber eq "1")", Resolver());
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(Matches(*f, MustParseJson(R"({"employeeNumber": "1"})")));
  EXPECT_FALSE(Matches(*f, MustParseJson(R"({"ENT": "1"})")));
  EXPECT_TRUE(Matches(*f, MustParseJson(R"({"ENT": {"employeeNumber": "1"}})")));
}

TEST(MatchesResourceTest, MemberNamesInTheResourceMustBeCanonical) {
  StatusOr<Filter> f = ParseFilter(R"(USERNAME eq "x")", Resolver());
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(Matches(*f, MustParseJson(R"({"userName": "X"})")));
  EXPECT_FALSE(Matches(*f, MustParseJson(R"({"username": "X"})")));
}

}  // namespace
}  // namespace portico::scim
