// ApplyPatch on Users: RFC 7644 §3.5.2.1–§3.5.2.3, one case per rule, the RFC's examples,
// mutability, primary handling and atomicity.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "portico/parse_json.h"
#include "scim/patch/patch.h"
#include "scim/schema/attribute_builder.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

Json J(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? *parsed : Json();
}

StatusOr<PatchResult> Patch(std::string_view document, std::string_view operations,
                            const ResourceType& type = UserResourceType()) {
  StatusOr<PatchRequest> request = ParsePatchRequest(
      J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" +
        std::string(operations) + "}"),
      type);
  if (!request.ok()) return request.status();
  return ApplyPatch(J(document), *request, type);
}

// A stored user as ValidateResource leaves it.
constexpr std::string_view kUser = R"({
  "userName":"bjensen",
  "name":{"givenName":"Barbara","familyName":"Jensen"},
  "displayName":"Babs",
  "active":true,
  "emails":[{"value":"bjensen@example.com","type":"work","primary":true},
            {"value":"babs@jensen.org","type":"home"}],
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{
    "employeeNumber":"701984","manager":{"value":"26118915"}}})";

constexpr std::string_view kEnterprise =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

// Spells out the parts of kUser that the tables below repeat: @NAME@, @EMAILS@, @EXT@ (the
// enterprise extension object) and @E@ (the enterprise URN).
std::string Expand(std::string text) {
  const std::pair<std::string_view, std::string_view> parts[] = {
      {"@NAME@", R"("name":{"givenName":"Barbara","familyName":"Jensen"})"},
      {"@EMAILS@", R"("emails":[{"value":"bjensen@example.com","type":"work","primary":true},)"
                   R"({"value":"babs@jensen.org","type":"home"}])"},
      {"@EXT@", R"("@E@":{"employeeNumber":"701984","manager":{"value":"26118915"}})"},
      {"@E@", kEnterprise},
  };
  for (const auto& [name, part] : parts) {
    for (size_t at = text.find(name); at != std::string::npos; at = text.find(name, at)) {
      text.replace(at, name.size(), part);
      at += part.size();
    }
  }
  return text;
}

struct ApplyCase {
  std::string name;
  std::string operations;
  std::string expected;  // the document after the patch
};

class AppliesToUser : public testing::TestWithParam<ApplyCase> {};

TEST_P(AppliesToUser, GivingDocument) {
  StatusOr<PatchResult> result = Patch(kUser, Expand(GetParam().operations));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document.Dump(), J(Expand(GetParam().expected)).Dump());
  EXPECT_TRUE(result->changed);
  EXPECT_FALSE(result->password.has_value());
  EXPECT_TRUE(result->members.empty());
}

INSTANTIATE_TEST_SUITE_P(
    ApplyPatch, AppliesToUser,
    testing::Values(
        // RFC 7644 §3.5.2.1 add.
        ApplyCase{"AddSetsAnAbsentAttribute", R"([{"op":"add","path":"nickName","value":"B"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      @EXT@,
                      "nickName":"B"})"},
        ApplyCase{"AddReplacesASingleValue",
                  R"([{"op":"add","path":"displayName","value":"Barb"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Barb","active":true,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{"AddMergesSubAttributesIntoAComplexAttribute",
                  R"([{"op":"add","path":"name","value":{"middleName":"J","givenName":"Barb"}}])",
                  R"({"userName":"bjensen",
                      "name":{"givenName":"Barb","familyName":"Jensen","middleName":"J"},
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{"AddAppendsToAMultiValuedAttribute",
                  R"([{"op":"add","path":"emails","value":[{"value":"b@x.org","type":"other"}]}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"bjensen@example.com","type":"work","primary":true},
                                {"value":"babs@jensen.org","type":"home"},
                                {"value":"b@x.org","type":"other"}],
                      @EXT@})"},
        ApplyCase{"AddWithAPrimaryValueDemotesTheOthers",
                  R"([{"op":"add","path":"emails","value":[{"value":"n@x.org","primary":true}]}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"bjensen@example.com","type":"work","primary":false},
                                {"value":"babs@jensen.org","type":"home"},
                                {"value":"n@x.org","primary":true}],
                      @EXT@})"},
        ApplyCase{"AddCreatesTheExtensionObject",
                  R"([{"op":"add","path":"@E@:department","value":"R&D"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      "@E@":{"employeeNumber":"701984","manager":{"value":"26118915"},
                                          "department":"R&D"}})"},
        ApplyCase{
            "AddWithAFilterMatchingNothingCreatesTheElementTheFilterDescribes",
            R"([{"op":"add","path":"emails[type eq \"other\"]","value":{"value":"o@x.org"}}])",
            R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"bjensen@example.com","type":"work","primary":true},
                                {"value":"babs@jensen.org","type":"home"},
                                {"type":"other","value":"o@x.org"}],
                      @EXT@})"},
        // RFC 7644 §3.5.2.3 replace.
        ApplyCase{"ReplaceSetsASingleValue", R"([{"op":"replace","path":"active","value":false}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":false,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{"ReplaceOfAnAbsentAttributeAddsIt",
                  R"([{"op":"replace","path":"title","value":"CEO"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      @EXT@,
                      "title":"CEO"})"},
        ApplyCase{"ReplaceReplacesAllValuesOfAMultiValuedAttribute",
                  R"([{"op":"replace","path":"emails","value":[{"value":"only@x.org"}]}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,"emails":[{"value":"only@x.org"}],
                      @EXT@})"},
        ApplyCase{"ReplaceOfAComplexAttributeLeavesSubAttributesNotGiven",
                  R"([{"op":"replace","path":"name","value":{"givenName":"Barb"}}])",
                  R"({"userName":"bjensen","name":{"givenName":"Barb","familyName":"Jensen"},
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{"ReplaceWithANullSubAttributeUnassignsIt",
                  R"([{"op":"replace","path":"name","value":{"givenName":null}}])",
                  R"({"userName":"bjensen","name":{"familyName":"Jensen"},
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{"ReplaceWithNullUnassigns",
                  R"([{"op":"replace","path":"displayName","value":null}])",
                  R"({"userName":"bjensen",@NAME@,
                      "active":true,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{
            "ReplaceWithAFilterMergesIntoTheMatchingElements",
            R"([{"op":"replace","path":"emails[type eq \"work\"]",
               "value":{"value":"new@example.com"}}])",
            R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"new@example.com","type":"work","primary":true},
                                {"value":"babs@jensen.org","type":"home"}],
                      @EXT@})"},
        ApplyCase{
            "ReplaceWithAFilterAndSubAttributeSetsItOnTheMatchingElements",
            R"([{"op":"replace","path":"emails[type eq \"WORK\"].value",
               "value":"new@example.com"}])",
            R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"new@example.com","type":"work","primary":true},
                                {"value":"babs@jensen.org","type":"home"}],
                      @EXT@})"},
        ApplyCase{"ReplaceOfASubAttributeWithoutFilterSetsItOnEveryElement",
                  R"([{"op":"replace","path":"emails.type","value":"other"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"bjensen@example.com","type":"other","primary":true},
                                {"value":"babs@jensen.org","type":"other"}],
                      @EXT@})"},
        ApplyCase{"SettingPrimaryOnOneValueSetsItFalseOnTheOthers",
                  R"([{"op":"replace","path":"emails[type eq \"home\"].primary","value":true}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"bjensen@example.com","type":"work","primary":false},
                                {"value":"babs@jensen.org","type":"home","primary":true}],
                      @EXT@})"},
        ApplyCase{"ReplaceOfTheManagerIgnoresItsReadOnlyDisplayName",
                  R"([{"op":"replace","path":"@E@:manager",
                       "value":{"value":"42","displayName":"The Boss"}}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      "@E@":{"employeeNumber":"701984","manager":{"value":"42"}}})"},
        // RFC 7644 §3.5.2.2 remove.
        ApplyCase{"RemoveUnassignsASingleValue", R"([{"op":"remove","path":"displayName"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "active":true,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{"RemoveUnassignsASubAttribute", R"([{"op":"remove","path":"name.givenName"}])",
                  R"({"userName":"bjensen","name":{"familyName":"Jensen"},
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{
            "RemovingTheLastSubAttributeUnassignsTheComplexAttribute",
            R"([{"op":"remove","path":"name.givenName"},{"op":"remove","path":"name.familyName"}])",
            R"({"userName":"bjensen","displayName":"Babs","active":true,
                      @EMAILS@,
                      @EXT@})"},
        ApplyCase{"RemoveWithoutFilterRemovesAllValues", R"([{"op":"remove","path":"emails"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EXT@})"},
        ApplyCase{
            "RemoveWithAFilterRemovesTheMatchingValues",
            R"([{"op":"remove","path":"emails[type eq \"home\" and value ew \"jensen.org\"]"}])",
            R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
                      @EXT@})"},
        ApplyCase{"RemovingTheLastMatchingValueUnassignsTheAttribute",
                  R"([{"op":"remove","path":"emails[value co \"@\"]"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EXT@})"},
        ApplyCase{"RemoveWithAFilterAndSubAttributeRemovesItFromTheMatchingValues",
                  R"([{"op":"remove","path":"emails[type eq \"work\"].primary"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"bjensen@example.com","type":"work"},
                                {"value":"babs@jensen.org","type":"home"}],
                      @EXT@})"},
        ApplyCase{"RemovingTheValueSubAttributeRemovesTheElement",
                  R"([{"op":"remove","path":"emails[type eq \"home\"].value"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      "emails":[{"value":"bjensen@example.com","type":"work","primary":true}],
                      @EXT@})"},
        ApplyCase{"RemoveOfAnExtensionAttributeKeepsTheOthers",
                  R"([{"op":"remove","path":"@E@:employeeNumber"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EMAILS@,
                      "@E@":{"manager":{"value":"26118915"}}})"},
        ApplyCase{"RemovingTheLastExtensionAttributeRemovesTheExtension",
                  R"([{"op":"remove","path":"@E@:employeeNumber"},
                      {"op":"remove","path":"@E@:manager.value"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EMAILS@})"},
        ApplyCase{"RemoveOfTheExtensionUrnRemovesTheWholeExtension",
                  R"([{"op":"remove","path":"@E@"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "displayName":"Babs","active":true,
                      @EMAILS@})"},
        // Operations apply in order, each seeing the result of the one before.
        ApplyCase{"OperationsApplyInSequence",
                  R"([{"op":"add","path":"nickName","value":"B"},
                      {"op":"replace","path":"nickName","value":"Bee"},
                      {"op":"remove","path":"displayName"}])",
                  R"({"userName":"bjensen",@NAME@,
                      "active":true,
                      @EMAILS@,
                      @EXT@,
                      "nickName":"Bee"})"}),
    [](const testing::TestParamInfo<ApplyCase>& info) { return info.param.name; });

struct RejectCase {
  std::string name;
  std::string operations;
  std::string_view tag;
};

class RejectsUserPatch : public testing::TestWithParam<RejectCase> {};

TEST_P(RejectsUserPatch, WithScimType) {
  StatusOr<PatchResult> result = Patch(kUser, Expand(GetParam().operations));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().tag(), GetParam().tag) << result.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    ApplyPatch, RejectsUserPatch,
    testing::Values(
        // RFC 7644 §3.5.2: readOnly attributes cannot be modified.
        RejectCase{"ReplaceOfIdIsMutability", R"([{"op":"replace","path":"id","value":"x"}])",
                   kMutability},
        RejectCase{"RemoveOfMetaIsMutability", R"([{"op":"remove","path":"meta.created"}])",
                   kMutability},
        RejectCase{"AddToGroupsIsMutability",
                   R"([{"op":"add","path":"groups","value":[{"value":"g1"}]}])", kMutability},
        RejectCase{"ReplaceOfManagerDisplayNameIsMutability",
                   R"([{"op":"replace","path":"@E@:manager.displayName","value":"B"}])",
                   kMutability},
        RejectCase{"PathlessMetaIsMutability",
                   R"([{"op":"replace","value":{"meta":{"version":"W/\"1\""}}}])", kMutability},
        // RFC 7644 §3.5.2: a required attribute removed or unassigned is mutability.
        RejectCase{"RemoveOfUserNameIsMutability", R"([{"op":"remove","path":"userName"}])",
                   kMutability},
        RejectCase{"ReplaceOfUserNameWithNullIsMutability",
                   R"([{"op":"replace","path":"userName","value":null}])", kMutability},
        RejectCase{"RemoveOfThePasswordIsMutability", R"([{"op":"remove","path":"password"}])",
                   kMutability},
        // The patched resource is validated like a PUT body.
        RejectCase{"EmptyUserNameIsInvalidValue",
                   R"([{"op":"replace","path":"userName","value":""}])", kInvalidValue},
        RejectCase{"WrongTypeIsInvalidValue", R"([{"op":"replace","path":"nickName","value":5}])",
                   kInvalidValue},
        RejectCase{"ObjectForASimpleAttributeIsInvalidValue",
                   R"([{"op":"add","path":"title","value":{"a":1}}])", kInvalidValue},
        RejectCase{"NonObjectForAComplexAttributeIsInvalidValue",
                   R"([{"op":"replace","path":"name","value":7}])", kInvalidValue},
        RejectCase{"TwoPrimaryValuesAreInvalidValue",
                   R"([{"op":"replace","path":"emails","value":[{"value":"a@x","primary":true},
                                                                   {"value":"b@x",
                                                                     "primary":true}]}])",
                   kInvalidValue},
        RejectCase{"PrimaryOnEveryElementIsInvalidValue",
                   R"([{"op":"replace","path":"emails.primary","value":true}])", kInvalidValue},
        RejectCase{"UnknownSubAttributeInValueIsInvalidSyntax",
                   R"([{"op":"replace","path":"name","value":{"nick":"x"}}])", kInvalidSyntax},
        // RFC 7644 §3.5.2.3: a value filter that matches nothing is noTarget.
        RejectCase{
            "ReplaceWithAFilterMatchingNothingIsNoTarget",
            R"([{"op":"replace","path":"emails[type eq \"other\"]","value":{"value":"x@y"}}])",
            kNoTarget},
        RejectCase{"ReplaceOfASubAttributeWithANonEqualityFilterMatchingNothingIsNoTarget",
                   R"([{"op":"replace","path":"emails[value co \"nobody\"].value","value":"x@y"}])",
                   kNoTarget},
        RejectCase{
            "AddWithAnOrFilterMatchingNothingIsNoTarget",
            R"([{"op":"add","path":"emails[type eq \"a\" or type eq \"b\"].value","value":"x@y"}])",
            kNoTarget}),
    [](const testing::TestParamInfo<RejectCase>& info) { return info.param.name; });

TEST(ApplyPatchTest, FailingThirdOperationReturnsOnlyTheError) {
  StatusOr<PatchResult> result = Patch(kUser, R"([{"op":"replace","path":"displayName","value":"A"},
                       {"op":"remove","path":"emails"},
                       {"op":"replace","path":"id","value":"x"}])");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().tag(), kMutability);
  EXPECT_EQ(result.status().message().rfind("Operations[2]: ", 0), 0u) << result.status().message();
}

TEST(ApplyPatchTest, LeavesTheInputDocumentAlone) {
  const Json document = J(kUser);
  StatusOr<PatchRequest> request =
      ParsePatchRequest(J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations":[{"op":"remove","path":"emails"}]})"),
                        UserResourceType());
  ASSERT_TRUE(request.ok());
  StatusOr<PatchResult> result = ApplyPatch(document, *request, UserResourceType());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(document, J(kUser));
  EXPECT_EQ(result->document.Find("emails"), nullptr);
}

TEST(ApplyPatchTest, AddingAValueAlreadyThereChangesNothing) {
  StatusOr<PatchResult> result = Patch(
      kUser, R"([{"op":"add","path":"emails","value":[{"type":"home","value":"babs@jensen.org"}]},
                       {"op":"replace","path":"displayName","value":"Babs"},
                       {"op":"add","path":"name","value":{"givenName":"Barbara"}}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document, J(kUser));
  EXPECT_FALSE(result->changed);
}

TEST(ApplyPatchTest, EmptyOperationsChangeNothing) {
  StatusOr<PatchResult> result = Patch(kUser, "[]");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document, J(kUser));
  EXPECT_FALSE(result->changed);
}

TEST(ApplyPatchTest, RemoveOfAnAbsentAttributeOrUnmatchedFilterChangesNothing) {
  StatusOr<PatchResult> result = Patch(kUser, R"([{"op":"remove","path":"title"},
                                                  {"op":"remove",
                                                    "path":"emails[type eq \"other\"]"},
                                                  {"op":"add","path":"nickName","value":null}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document, J(kUser));
  EXPECT_FALSE(result->changed);
}

TEST(ApplyPatchTest, PasswordIsReturnedAndNeverStored) {
  StatusOr<PatchResult> result =
      Patch(kUser, R"([{"op":"replace","path":"password","value":"t1meMa$heen"}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_TRUE(result->password.has_value());
  EXPECT_EQ(*result->password, "t1meMa$heen");
  EXPECT_EQ(result->document, J(kUser));
  EXPECT_TRUE(result->changed);
}

TEST(ApplyPatchTest, ErrorsInsideAnOperationNameIt) {
  StatusOr<PatchResult> result = Patch(
      kUser, R"([{"op":"add","path":"title","value":"x"},{"op":"remove","path":"userName"}])");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message().rfind("Operations[1]: ", 0), 0u) << result.status().message();
}

// RFC 7644 §3.5.2.1–§3.5.2.3: the examples of the RFC, on its own example user and group.
TEST(ApplyPatchRfcExamples, PathlessAddOfEmailsAndNickname) {
  StatusOr<PatchResult> result =
      Patch(R"({"userName":"bjensen","emails":[{"value":"bjensen@example.com","type":"work"}]})",
            R"([{"op":"add","value":{"emails":[{"value":"babs@jensen.org","type":"home"}],
                               "nickname":"Babs"}}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document.Dump(),
            J(R"({"userName":"bjensen","emails":[{"value":"bjensen@example.com","type":"work"},
                                                {"value":"babs@jensen.org","type":"home"}],
                 "nickName":"Babs"})")
                .Dump());
}

TEST(ApplyPatchRfcExamples, RemoveOfWorkEmailsEndingInExampleCom) {
  StatusOr<PatchResult> result = Patch(
      R"({"userName":"bjensen","emails":[{"value":"bjensen@example.com","type":"work"},
                                         {"value":"babs@jensen.org","type":"home"}]})",
      R"([{"op":"remove","path":"emails[type eq \"work\" and value ew \"example.com\"]"}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(
      result->document.Dump(),
      J(R"({"userName":"bjensen","emails":[{"value":"babs@jensen.org","type":"home"}]})").Dump());
}

TEST(ApplyPatchRfcExamples, ReplaceOfTheWorkAddress) {
  StatusOr<PatchResult> result = Patch(
      R"({"userName":"bjensen","addresses":[{"type":"work",
         "streetAddress":"100 Universal City Plaza",
                                             "locality":"Hollywood","primary":true},
                                            {"type":"home",
                                              "streetAddress":"456 Hollywood Blvd"}]})",
      R"([{"op":"replace","path":"addresses[type eq \"work\"]",
           "value":{"type":"work","streetAddress":"911 Universal City Plaza","locality":"Hollywood",
                    "region":"CA","postalCode":"91608","country":"US","primary":true}},
          {"op":"replace","path":"addresses[type eq \"home\"].streetAddress",
           "value":"1010 Broadway Ave"}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document.Dump(), J(R"({"userName":"bjensen","addresses":[
                   {"type":"work","streetAddress":"911 Universal City Plaza","locality":"Hollywood",
                    "primary":true,"region":"CA","postalCode":"91608","country":"US"},
                   {"type":"home","streetAddress":"1010 Broadway Ave"}]})")
                                         .Dump());
}

TEST(ApplyPatchRfcExamples, PathlessReplaceOfEmailsAndNickname) {
  StatusOr<PatchResult> result = Patch(
      R"({"userName":"bjensen","emails":[{"value":"old@example.com","type":"work"}],
         "nickName":"B"})",
      R"([{"op":"replace","value":{"emails":[{"value":"bjensen@example.com","type":"work",
         "primary":true},
                                            {"value":"babs@jensen.org","type":"home"}],
                                   "nickname":"Babs"}}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document.Dump(), J(R"({"userName":"bjensen",
                  "emails":[{"value":"bjensen@example.com","type":"work","primary":true},
                            {"value":"babs@jensen.org","type":"home"}],
                  "nickName":"Babs"})")
                                         .Dump());
}

// RFC 7644 §3.5.2: an immutable attribute may be added when it has no value, never changed.
// No attribute of the User schema is immutable, so a small resource type of its own.
const ResourceType& ImmutableThingType() {
  using namespace schema_builder;
  static const SchemaDef schema = [] {
    SchemaDef s;
    s.id = "urn:example:params:scim:schemas:core:2.0:Thing";
    s.name = "Thing";
    s.attributes = {
        Required(Str("label", "A label.")),
        With(Str("serial", "Set once."), Mutability::kImmutable),
        Complex("badge", "A badge.",
                {With(Str("number", "Set once."), Mutability::kImmutable), Str("color", "Free.")}),
    };
    return s;
  }();
  static const ResourceType type("Thing", "/Things", "Things", &schema, {});
  return type;
}

TEST(ApplyPatchImmutable, AddsAnImmutableValueThatIsAbsent) {
  StatusOr<PatchResult> result = Patch(
      R"({"label":"a"})",
      R"([{"op":"add","path":"serial","value":"S1"},{"op":"add","path":"badge.number",
         "value":"7"}])",
      ImmutableThingType());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document.Dump(),
            J(R"({"label":"a","serial":"S1","badge":{"number":"7"}})").Dump());
}

TEST(ApplyPatchImmutable, AcceptsTheSameValueAgain) {
  StatusOr<PatchResult> result =
      Patch(R"({"label":"a","serial":"S1"})", R"([{"op":"replace","path":"serial","value":"S1"}])",
            ImmutableThingType());
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->changed);
}

TEST(ApplyPatchImmutable, RejectsChangingOrRemovingAnImmutableValue) {
  for (const char* ops :
       {R"([{"op":"replace","path":"serial","value":"S2"}])",
        R"([{"op":"remove","path":"serial"}])", R"([{"op":"replace","value":{"serial":"S2"}}])",
        R"([{"op":"replace","path":"badge","value":{"number":"8"}}])",
        R"([{"op":"remove","path":"badge"}])"}) {
    StatusOr<PatchResult> result =
        Patch(R"({"label":"a","serial":"S1","badge":{"number":"7"}})", ops, ImmutableThingType());
    ASSERT_FALSE(result.ok()) << ops;
    EXPECT_EQ(result.status().tag(), kMutability) << ops << ": " << result.status().ToString();
  }
  StatusOr<PatchResult> free_sub =
      Patch(R"({"label":"a","badge":{"number":"7"}})",
            R"([{"op":"replace","path":"badge.color","value":"red"}])", ImmutableThingType());
  EXPECT_TRUE(free_sub.ok()) << free_sub.status().ToString();
}

}  // namespace
}  // namespace portico::scim
