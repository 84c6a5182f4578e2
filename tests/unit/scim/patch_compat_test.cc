// The compatibility pass: what Microsoft Entra ID and Okta actually send, one case per rule,
// applied through ParsePatchRequest and ApplyPatch like any request.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "portico/parse_json.h"
#include "scim/patch/compat.h"
#include "scim/patch/patch.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

Json J(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? *parsed : Json();
}

StatusOr<PatchResult> Patch(std::string_view document, std::string_view operations) {
  StatusOr<PatchRequest> request = ParsePatchRequest(
      J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" +
        std::string(operations) + "}"),
      UserResourceType());
  if (!request.ok()) return request.status();
  return ApplyPatch(J(document), *request, UserResourceType());
}

#define ENTERPRISE "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"

// An Entra-provisioned user without a work email.
constexpr std::string_view kUser =
    R"({"userName":"Test_User_ab6490ee","active":true,
        "emails":[{"value":"home@example.com","type":"home"}]})";

struct CompatCase {
  std::string name;
  std::string operations;
  std::string expected;
};

class AcceptsIdpShape : public testing::TestWithParam<CompatCase> {};

TEST_P(AcceptsIdpShape, GivingDocument) {
  StatusOr<PatchResult> result = Patch(kUser, GetParam().operations);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document.Dump(), J(GetParam().expected).Dump());
}

INSTANTIATE_TEST_SUITE_P(
    Compat, AcceptsIdpShape,
    testing::Values(
        CompatCase{"OpNamesInAnyCase",
                   R"([{"op":"Add","path":"nickName","value":"a"},
                       {"op":"REPLACE","path":"title","value":"b"},
                       {"op":"Remove","path":"nickName"}])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"}],"title":"b"})"},
        // Entra's documented known issue: booleans as strings.
        CompatCase{"FalseStringForABoolean",
                   R"([{"op":"Replace","path":"active","value":"False"}])",
                   R"({"userName":"Test_User_ab6490ee","active":false,
                       "emails":[{"value":"home@example.com","type":"home"}]})"},
        CompatCase{"TrueStringInAPathlessReplace",
                   R"([{"op":"replace","value":{"active":"true"}}])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"}]})"},
        CompatCase{"TrueStringForPrimaryDemotesTheOthers",
                   R"([{"op":"replace","path":"emails","value":[{"value":"a@x","primary":"False"}]},
                       {"op":"add","path":"emails","value":[{"value":"b@x","primary":"True"}]}])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"a@x","primary":false},{"value":"b@x",
                         "primary":true}]})"},
        // Entra's path-less replace (aadOptscim062020): dotted and URN-qualified keys.
        CompatCase{"PathlessReplaceWithDottedAndUrnQualifiedKeys",
                   R"([{"op":"replace","value":{
                         "displayName":"Pvlo",
                         "name.givenName":"Henry",
                         "name.familyName":"Ross",
                         ")" ENTERPRISE R"(:employeeNumber":"701984",
                         ")" ENTERPRISE R"(:manager":"26118915",
                         "active":false}}])",
                   R"({"userName":"Test_User_ab6490ee","active":false,
                       "emails":[{"value":"home@example.com","type":"home"}],
                       "displayName":"Pvlo","name":{"givenName":"Henry","familyName":"Ross"},
                       ")" ENTERPRISE
                   R"(":{"employeeNumber":"701984","manager":{"value":"26118915"}}})"},
        CompatCase{
            "PathlessReplaceWithAValuePathKey",
            R"([{"op":"replace","value":{"emails[type eq \"work\"].value":"w@example.com"}}])",
            R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"},
                                 {"type":"work","value":"w@example.com"}]})"},
        CompatCase{"PathlessReplaceWithAnExtensionObject",
                   R"([{"op":"replace","value":{")" ENTERPRISE R"(":{"department":"R&D"}}}])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"}],
                       ")" ENTERPRISE R"(":{"department":"R&D"}})"},
        // Entra sends the manager as the manager's id.
        CompatCase{"ManagerAsABareString",
                   R"([{"op":"Add","path":")" ENTERPRISE R"(:manager","value":"26118915"}])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"}],
                       ")" ENTERPRISE R"(":{"manager":{"value":"26118915"}}})"},
        // Entra: the work email on a user who has none is created, an existing one updated.
        CompatCase{
            "AddOfAWorkEmailValueCreatesTheWorkEmail",
            R"([{"op":"Add","path":"emails[type eq \"work\"].value","value":"w@example.com"}])",
            R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"},
                                 {"type":"work","value":"w@example.com"}]})"},
        CompatCase{
            "ReplaceOfAWorkEmailValueCreatesTheWorkEmail",
            R"([{"op":"Replace","path":"emails[type eq \"work\"].value","value":"w@example.com"}])",
            R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"},
                                 {"type":"work","value":"w@example.com"}]})"},
        CompatCase{"AddOfAWorkEmailValueUpdatesTheExistingOne",
                   R"([{"op":"Add","path":"emails[type eq \"work\"].value","value":"w@example.com"},
                       {"op":"Add","path":"emails[type eq \"work\"].value",
                         "value":"w2@example.com"}])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"},
                                 {"type":"work","value":"w2@example.com"}]})"},
        CompatCase{
            "WorkAddressSubAttributeCreatesTheWorkAddress",
            R"([{"op":"Add","path":"addresses[type eq \"work\"].locality","value":"Redmond"}])",
            R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"}],
                       "addresses":[{"type":"work","locality":"Redmond"}]})"},
        // Entra and Okta remove values by listing them.
        CompatCase{"RemoveWithAValueList",
                   R"([{"op":"Remove","path":"emails","value":[{"value":"HOME@example.com"}]}])",
                   R"({"userName":"Test_User_ab6490ee","active":true})"},
        CompatCase{"RemoveWithAValueListKeepsTheValuesNotListed",
                   R"([{"op":"Remove","path":"emails","value":[{"value":"other@example.com"}]}])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"}]})"},
        CompatCase{"SingleValueForAMultiValuedAttribute",
                   R"([{"op":"add","path":"emails","value":{"value":"x@example.com"}}])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"},
                                 {"value":"x@example.com"}]})"},
        CompatCase{"EmptyOperations", R"([])",
                   R"({"userName":"Test_User_ab6490ee","active":true,
                       "emails":[{"value":"home@example.com","type":"home"}]})"}),
    [](const testing::TestParamInfo<CompatCase>& info) { return info.param.name; });

// Okta's documented user PATCH requests: deactivation and a password change, path-less.
TEST(CompatTest, OktaPathlessDeactivateAndPasswordChange) {
  StatusOr<PatchResult> result = Patch(kUser, R"([{"op":"replace","value":{"active":false}},
                       {"op":"replace","value":{"password":"t1meMa$heen"}}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result->document.Find("active"), Json(false));
  ASSERT_TRUE(result->password.has_value());
  EXPECT_EQ(*result->password, "t1meMa$heen");
  EXPECT_EQ(result->document.Find("password"), nullptr);
}

TEST(CompatTest, StringsOtherThanTrueAndFalseStayInvalidForBooleans) {
  StatusOr<PatchResult> result =
      Patch(kUser, R"([{"op":"replace","path":"active","value":"yes"}])");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().tag(), kInvalidValue);
}

TEST(CompatTest, BooleanStringsForStringAttributesStayStrings) {
  StatusOr<PatchResult> result =
      Patch(kUser, R"([{"op":"replace","path":"nickName","value":"True"}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result->document.Find("nickName"), Json("True"));
}

TEST(CompatTest, ParsePatchOpNameIgnoresCase) {
  EXPECT_EQ(ParsePatchOpName("Add"), PatchOpKind::kAdd);
  EXPECT_EQ(ParsePatchOpName("rEmOvE"), PatchOpKind::kRemove);
  EXPECT_EQ(ParsePatchOpName("REPLACE"), PatchOpKind::kReplace);
  EXPECT_EQ(ParsePatchOpName("move"), std::nullopt);
  EXPECT_EQ(ParsePatchOpName("add "), std::nullopt);
}

TEST(CompatTest, NormalizeLeavesStrictValuesAlone) {
  const AttributeDef* emails = UserSchema().Find("emails");
  ASSERT_NE(emails, nullptr);
  const Json strict = J(R"([{"value":"a@x","primary":true}])");
  EXPECT_EQ(NormalizeValueForCompat(*emails, strict), strict);
  EXPECT_EQ(NormalizeValueForCompat(*emails, Json()), Json());
}

#undef ENTERPRISE

}  // namespace
}  // namespace portico::scim
