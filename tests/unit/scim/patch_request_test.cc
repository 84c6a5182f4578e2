// ParsePatchRequest: the PatchOp message (RFC 7644 §3.5.2) and its expansion into strict
// operations.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "portico/parse_json.h"
#include "scim/patch/patch.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

constexpr std::string_view kEnterprise =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

Json J(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? *parsed : Json();
}

// A PatchOp body around an Operations array.
Json Body(std::string_view operations) {
  return J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" +
           std::string(operations) + "}");
}

StatusOr<PatchRequest> ParseUser(std::string_view operations) {
  return ParsePatchRequest(Body(operations), UserResourceType());
}

// "op path" of each parsed operation, for compact expectations.
std::vector<std::string> Summary(const PatchRequest& request) {
  std::vector<std::string> out;
  for (const PatchOperation& op : request.operations) {
    out.push_back(std::string(PatchOpName(op.op)) + " " + PathToString(op.path.attr) +
                  (op.path.value_filter ? "[" + ToString(*op.path.value_filter) + "]" : ""));
  }
  return out;
}

struct RejectCase {
  std::string name;
  std::string body;  // a whole body
  std::string_view tag;
};

class RejectsRequest : public testing::TestWithParam<RejectCase> {};

TEST_P(RejectsRequest, WithScimType) {
  StatusOr<PatchRequest> parsed = ParsePatchRequest(J(GetParam().body), UserResourceType());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().tag(), GetParam().tag) << parsed.status().ToString();
}

#define PATCHOP R"("schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"])"

INSTANTIATE_TEST_SUITE_P(
    PatchRequest, RejectsRequest,
    testing::Values(
        RejectCase{"BodyThatIsNotAnObject", R"([])", kInvalidSyntax},
        RejectCase{"MissingPatchOpSchema", R"({"Operations":[]})", kInvalidValue},
        RejectCase{"OtherSchemaOnly",
                   R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"Operations":[]})",
                   kInvalidValue},
        RejectCase{"MissingOperations", "{" PATCHOP "}", kInvalidSyntax},
        RejectCase{"OperationsNotAnArray", "{" PATCHOP R"(,"Operations":{}})", kInvalidSyntax},
        RejectCase{"OperationNotAnObject", "{" PATCHOP R"(,"Operations":["add"]})", kInvalidSyntax},
        RejectCase{"MissingOp", "{" PATCHOP R"(,"Operations":[{"path":"nickName","value":"x"}]})",
                   kInvalidSyntax},
        RejectCase{"UnknownOp",
                   "{" PATCHOP R"(,"Operations":[{"op":"copy","path":"nickName","value":"x"}]})",
                   kInvalidSyntax},
        RejectCase{"OpNotAString",
                   "{" PATCHOP R"(,"Operations":[{"op":1,"path":"nickName","value":"x"}]})",
                   kInvalidSyntax},
        RejectCase{"AddWithoutValue",
                   "{" PATCHOP R"(,"Operations":[{"op":"add","path":"nickName"}]})", kInvalidValue},
        RejectCase{"ReplaceWithoutValue",
                   "{" PATCHOP R"(,"Operations":[{"op":"replace","path":"nickName"}]})",
                   kInvalidValue},
        RejectCase{"RemoveWithoutPath", "{" PATCHOP R"(,"Operations":[{"op":"remove"}]})",
                   kNoTarget},
        RejectCase{"RemoveWithEmptyPath",
                   "{" PATCHOP R"(,"Operations":[{"op":"remove","path":""}]})", kNoTarget},
        RejectCase{"PathNotAString",
                   "{" PATCHOP R"(,"Operations":[{"op":"add","path":7,"value":"x"}]})",
                   kInvalidPath},
        RejectCase{"UnknownAttribute",
                   "{" PATCHOP R"(,"Operations":[{"op":"add","path":"shoeSize","value":"x"}]})",
                   kInvalidPath},
        RejectCase{"MalformedPath",
                   "{" PATCHOP
                   R"(,"Operations":[{"op":"add","path":"name..givenName","value":"x"}]})",
                   kInvalidPath},
        RejectCase{"UnknownSubAttribute",
                   "{" PATCHOP R"(,"Operations":[{"op":"add","path":"name.nick","value":"x"}]})",
                   kInvalidPath},
        RejectCase{"BadFilterInsidePath",
                   "{" PATCHOP
                   R"(,"Operations":[{"op":"remove","path":"emails[type zz \"work\"]"}]})",
                   kInvalidFilter},
        RejectCase{"FilterOnSingleValuedAttribute",
                   "{" PATCHOP
                   R"(,"Operations":[{"op":"remove","path":"name[givenName eq \"x\"]"}]})",
                   kInvalidPath},
        RejectCase{"PathlessValueNotAnObject",
                   "{" PATCHOP R"(,"Operations":[{"op":"replace","value":"Babs"}]})",
                   kInvalidValue},
        RejectCase{"UnknownAttributeInPathlessValue",
                   "{" PATCHOP R"(,"Operations":[{"op":"replace","value":{"shoeSize":44}}]})",
                   kInvalidPath},
        RejectCase{
            "ExtensionValueNotAnObject",
            "{" PATCHOP
            R"(,"Operations":[{"op":"replace",
               "value":{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}}]})",
            kInvalidValue},
        RejectCase{"OperationsGivenTwice", "{" PATCHOP R"(,"Operations":[],"operations":[]})",
                   kInvalidSyntax}),
    [](const testing::TestParamInfo<RejectCase>& info) { return info.param.name; });

#undef PATCHOP

TEST(PatchRequestTest, AcceptsEmptyOperationsAsNoOp) {
  StatusOr<PatchRequest> parsed = ParseUser("[]");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->operations.empty());
}

TEST(PatchRequestTest, ErrorMessageNamesTheOperation) {
  StatusOr<PatchRequest> parsed = ParseUser(
      R"([{"op":"add","path":"nickName","value":"a"},{"op":"add","path":"shoeSize","value":1}])");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().message().rfind("Operations[1]: ", 0), 0u) << parsed.status().message();
}

TEST(PatchRequestTest, ResolvesPathsToCanonicalNames) {
  StatusOr<PatchRequest> parsed = ParseUser(
      R"([{"op":"add","path":"NICKNAME","value":"a"},
          {"op":"replace","path":"name.GivenName","value":"b"},
          {"op":"remove","path":"emails[type eq \"work\"].value"},
          {"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:displayName",
            "value":"c"},
          {"op":"remove",
            "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}])");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(Summary(*parsed), (std::vector<std::string>{
                                  "add nickName",
                                  "replace name.givenName",
                                  "remove emails.value[emails.type eq \"work\"]",
                                  "replace displayName",
                                  "remove " + std::string(kEnterprise) + ":manager",
                              }));
  EXPECT_EQ(parsed->operations[0].path_text, "NICKNAME");
  EXPECT_FALSE(parsed->operations[2].value.has_value());
}

TEST(PatchRequestTest, ExpandsPathlessValueIntoOneOperationPerAttributeInOrder) {
  StatusOr<PatchRequest> parsed = ParseUser(
      R"([{"op":"add","path":"title","value":"x"},
          {"op":"replace","value":{
             "nickName":"Babs",
             "name.givenName":"Barbara",
             "emails[type eq \"work\"].value":"b@example.com",
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"42",
             "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
               {"department":"R&D"}}}])");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(Summary(*parsed), (std::vector<std::string>{
                                  "add title",
                                  "replace nickName",
                                  "replace name.givenName",
                                  "replace emails.value[emails.type eq \"work\"]",
                                  "replace " + std::string(kEnterprise) + ":employeeNumber",
                                  "replace " + std::string(kEnterprise) + ":department",
                              }));
  for (size_t i = 1; i < parsed->operations.size(); ++i) {
    EXPECT_EQ(parsed->operations[i].index, 1u) << i;  // errors name the client's operation
  }
  EXPECT_EQ(parsed->operations[2].value, Json("Barbara"));
}

TEST(PatchRequestTest, PathlessValueIgnoresIdAndSchemas) {
  // Okta sends the group's id along in a path-less replace.
  StatusOr<PatchRequest> parsed = ParsePatchRequest(
      Body(R"([{"op":"replace","value":{"id":"abf4dd94","schemas":["x"],"displayName":"Ops"}}])"),
      GroupResourceType());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(Summary(*parsed), (std::vector<std::string>{"replace displayName"}));
}

TEST(PatchRequestTest, ExtensionUrnAsPathAddressesEveryAttributeOfTheExtension) {
  StatusOr<PatchRequest> parsed = ParseUser(
      R"([{"op":"remove","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
          {"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
           "value":{"costCenter":"4130"}}])");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const std::string e(kEnterprise);
  EXPECT_EQ(Summary(*parsed), (std::vector<std::string>{
                                  "remove " + e + ":employeeNumber", "remove " + e + ":costCenter",
                                  "remove " + e + ":organization", "remove " + e + ":division",
                                  "remove " + e + ":department", "remove " + e + ":manager",
                                  "add " + e + ":costCenter"}));
}

TEST(PatchRequestTest, MemberNamesAndOpNamesAreCaseInsensitive) {
  StatusOr<PatchRequest> parsed =
      ParsePatchRequest(J(R"({"Schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "operations":[{"OP":"Replace","Path":"nickName","VALUE":"x"},
                          {"op":"ADD","path":"title","value":"y"},
                          {"op":"Remove","path":"title"}]})"),
                        UserResourceType());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(Summary(*parsed),
            (std::vector<std::string>{"replace nickName", "add title", "remove title"}));
}

TEST(PatchRequestTest, RemoveKeepsTheValueListEntraAndOktaSend) {
  StatusOr<PatchRequest> parsed = ParsePatchRequest(
      Body(R"([{"op":"Remove","path":"members","value":[{"value":"u1"}]}])"), GroupResourceType());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->operations.size(), 1u);
  ASSERT_TRUE(parsed->operations[0].value.has_value());
  EXPECT_EQ(*parsed->operations[0].value, J(R"([{"value":"u1"}])"));
}

}  // namespace
}  // namespace portico::scim
