// ApplyPatch on Groups: every members operation becomes part of one MemberChange (members are
// never loaded), in the shapes RFC 7644 §3.5.2, Okta and Microsoft Entra ID send.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "portico/parse_json.h"
#include "scim/patch/patch.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

Json J(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? *parsed : Json();
}

constexpr std::string_view kGroup = R"({"displayName":"Tour Guides","externalId":"tg"})";

StatusOr<PatchResult> PatchGroup(std::string_view operations) {
  StatusOr<PatchRequest> request = ParsePatchRequest(
      J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" +
        std::string(operations) + "}"),
      GroupResourceType());
  if (!request.ok()) return request.status();
  return ApplyPatch(J(kGroup), *request, GroupResourceType());
}

// "+id:type" for adds, "-id" for removes, then "replace" / "remove_all" flags.
std::vector<std::string> Describe(const MemberChange& change) {
  std::vector<std::string> out;
  if (change.replace) out.push_back("replace");
  if (change.remove_all) out.push_back("remove_all");
  for (const MemberRef& ref : change.add) out.push_back("+" + ref.value + ":" + ref.type);
  for (const std::string& id : change.remove) out.push_back("-" + id);
  return out;
}

struct MembersCase {
  std::string name;
  std::string operations;
  std::vector<std::string> change;
};

class ChangesMembers : public testing::TestWithParam<MembersCase> {};

TEST_P(ChangesMembers, WithoutTouchingTheDocument) {
  StatusOr<PatchResult> result = PatchGroup(GetParam().operations);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Describe(result->members), GetParam().change);
  EXPECT_EQ(result->document, J(kGroup));  // members never enter the document
  EXPECT_TRUE(result->changed);
}

using V = std::vector<std::string>;

INSTANTIATE_TEST_SUITE_P(
    ApplyPatch, ChangesMembers,
    testing::Values(
        // RFC 7644 §3.5.2.1 example; display and $ref are not stored.
        MembersCase{"AddListsTheNewMembers",
                    R"([{"op":"add","path":"members","value":[
                         {"display":"Babs Jensen","$ref":"https://example.com/v2/Users/2819c223",
                          "value":"2819c223"},
                         {"value":"g7","type":"Group"}]}])",
                    V{"+2819c223:", "+g7:Group"}},
        MembersCase{"AddOfOneMemberObject",
                    R"([{"op":"add","path":"members","value":{"value":"u1"}}])", V{"+u1:"}},
        MembersCase{"AddOfTheSameMemberTwiceListsItOnce",
                    R"([{"op":"add","path":"members","value":[{"value":"u1"},{"value":"u1"}]}])",
                    V{"+u1:"}},
        MembersCase{"PathlessAddOfMembers",
                    R"([{"op":"add","value":{"members":[{"value":"u1"}]}}])", V{"+u1:"}},
        // RFC 7644 §3.5.2.2 examples.
        MembersCase{
            "RemoveWithAValueFilterRemovesThatMember",
            R"([{"op":"remove",
               "path":"members[value eq \"2819c223-7f76-453a-919d-413861904646\"]"}])",
            V{"-2819c223-7f76-453a-919d-413861904646"}},
        MembersCase{"RemoveWithValueFiltersJoinedByOrRemovesEach",
                    R"([{"op":"remove","path":"members[value eq \"u1\" or value eq \"u2\"]"}])",
                    V{"-u1", "-u2"}},
        MembersCase{"RemoveWithoutFilterRemovesAll", R"([{"op":"remove","path":"members"}])",
                    V{"remove_all"}},
        MembersCase{"RemoveAllThenAddReplacesTheMembers",
                    R"([{"op":"remove","path":"members"},
                        {"op":"add","path":"members","value":[{"value":"u3"},{"value":"u4"}]}])",
                    V{"replace", "+u3:", "+u4:"}},
        // RFC 7644 §3.5.2.3 example.
        MembersCase{
            "ReplaceSetsTheMembers",
            R"([{"op":"replace","path":"members","value":[{"value":"u1"},{"value":"u2"}]}])",
            V{"replace", "+u1:", "+u2:"}},
        MembersCase{"ReplaceWithNoMembersRemovesAll",
                    R"([{"op":"replace","path":"members","value":[]}])", V{"remove_all"}},
        // Operations compose in order.
        MembersCase{"AddThenRemoveOfTheSameMemberRemovesIt",
                    R"([{"op":"add","path":"members","value":[{"value":"u1"},{"value":"u2"}]},
                        {"op":"remove","path":"members[value eq \"u1\"]"}])",
                    V{"+u2:", "-u1"}},
        MembersCase{"RemoveThenAddOfTheSameMemberAddsIt",
                    R"([{"op":"remove","path":"members[value eq \"u1\"]"},
                        {"op":"add","path":"members","value":[{"value":"u1"}]}])",
                    V{"+u1:"}},
        MembersCase{"RemoveAfterReplaceNarrowsTheNewSet",
                    R"([{"op":"replace","path":"members","value":[{"value":"u1"},{"value":"u2"}]},
                        {"op":"remove","path":"members[value eq \"u1\"]"}])",
                    V{"replace", "+u2:"}},
        // Entra: removal with a value list; ops in PascalCase.
        MembersCase{"EntraRemoveWithAValueListRemovesThoseMembers",
                    R"([{"op":"Remove","path":"members",
                         "value":[{"$ref":null,"value":"u1"},{"$ref":null,"value":"u2"}]}])",
                    V{"-u1", "-u2"}},
        MembersCase{
            "EntraAddInPascalCaseWithNullRef",
            R"([{"op":"Add","path":"members","value":[{"$ref":null,
               "value":"f648f8d5ea4e4cd38e9c"}]}])",
            V{"+f648f8d5ea4e4cd38e9c:"}},
        MembersCase{"RemoveWithAListOfBareIds",
                    R"([{"op":"remove","path":"members","value":["u1","u2"]}])", V{"-u1", "-u2"}},
        // Okta's documented group PATCH requests.
        MembersCase{"OktaAddWithDisplay",
                    R"([{"op":"add","path":"members",
                         "value":[{"value":"23a35c27-23d3-4c03-b4c5-6443c09e7173",
                                   "display":"test.user@okta.local"}]}])",
                    V{"+23a35c27-23d3-4c03-b4c5-6443c09e7173:"}},
        MembersCase{
            "OktaRemoveOneMember",
            R"([{"op":"remove",
               "path":"members[value eq \"89bb1940-b905-4575-9e7f-6f887cfb368e\"]"}])",
            V{"-89bb1940-b905-4575-9e7f-6f887cfb368e"}}),
    [](const testing::TestParamInfo<MembersCase>& info) { return info.param.name; });

struct RejectCase {
  std::string name;
  std::string operations;
  std::string_view tag;
};

class RejectsGroupPatch : public testing::TestWithParam<RejectCase> {};

TEST_P(RejectsGroupPatch, WithScimType) {
  StatusOr<PatchResult> result = PatchGroup(GetParam().operations);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().tag(), GetParam().tag) << result.status().ToString();
}

INSTANTIATE_TEST_SUITE_P(
    ApplyPatch, RejectsGroupPatch,
    testing::Values(
        // A member's value, type and $ref are immutable; display is readOnly.
        RejectCase{"ReplaceOfAMemberIsMutability",
                   R"([{"op":"replace","path":"members[value eq \"u1\"]","value":{"value":"u2"}}])",
                   kMutability},
        RejectCase{"ReplaceOfAMemberValueIsMutability",
                   R"([{"op":"replace","path":"members[value eq \"u1\"].value","value":"u2"}])",
                   kMutability},
        RejectCase{"ReplaceOfMembersTypeIsMutability",
                   R"([{"op":"replace","path":"members.type","value":"Group"}])", kMutability},
        RejectCase{"ReplaceOfMemberDisplayIsMutability",
                   R"([{"op":"replace","path":"members[value eq \"u1\"].display","value":"X"}])",
                   kMutability},
        RejectCase{"RemoveSelectingMembersByTypeIsInvalidFilter",
                   R"([{"op":"remove","path":"members[type eq \"User\"]"}])", kInvalidFilter},
        RejectCase{"MemberWithoutValueIsInvalidValue",
                   R"([{"op":"add","path":"members","value":[{"display":"nobody"}]}])",
                   kInvalidValue},
        RejectCase{"MemberValueOfTheWrongTypeIsInvalidValue",
                   R"([{"op":"add","path":"members","value":[{"value":5}]}])", kInvalidValue},
        RejectCase{"RemoveOfTheDisplayNameIsMutability",
                   R"([{"op":"remove","path":"displayName"}])", kMutability},
        RejectCase{"ReplaceOfIdIsMutability", R"([{"op":"replace","path":"id","value":"x"}])",
                   kMutability},
        RejectCase{"FailingLaterOperationDropsEarlierMemberChanges",
                   R"([{"op":"add","path":"members","value":[{"value":"u1"}]},
                       {"op":"remove","path":"members"},
                       {"op":"remove","path":"displayName"}])",
                   kMutability}),
    [](const testing::TestParamInfo<RejectCase>& info) { return info.param.name; });

TEST(ApplyPatchGroupTest, OktaPathlessReplaceIgnoresTheIdAndRenames) {
  StatusOr<PatchResult> result = PatchGroup(
      R"([{"op":"replace","value":{"id":"abf4dd94-a4c0-4f67-89c9-76b03340cb9b",
                                   "displayName":"Test SCIMv2"}}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document.Dump(),
            J(R"({"displayName":"Test SCIMv2","externalId":"tg"})").Dump());
  EXPECT_TRUE(result->members.empty());
  EXPECT_TRUE(result->changed);
}

TEST(ApplyPatchGroupTest, EntraRenameAndMemberAddInOneRequest) {
  StatusOr<PatchResult> result = PatchGroup(
      R"([{"op":"Replace","path":"displayName",
         "value":"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"},
          {"op":"Add","path":"members","value":[{"value":"u1"}]}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->document.Find("displayName")->as_string(),
            "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName");
  EXPECT_EQ(Describe(result->members), V{"+u1:"});
}

TEST(ApplyPatchGroupTest, RenameToTheSameNameChangesNothing) {
  StatusOr<PatchResult> result =
      PatchGroup(R"([{"op":"replace","path":"displayName","value":"Tour Guides"}])");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_FALSE(result->changed);
  EXPECT_TRUE(result->members.empty());
}

}  // namespace
}  // namespace portico::scim
