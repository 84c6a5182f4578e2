#include "scim/resource_validator.h"

#include <gtest/gtest.h>

#include "portico/parse_json.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

Json Parse(const char* text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return *json;
}

StatusOr<ValidatedResource> User(const char* body) {
  return ValidateResource(Parse(body), UserResourceType());
}

TEST(ResourceValidator, CanonicalisesAttributeNamesCaseInsensitively) {
  auto v = User(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:user"],
                    "USERNAME":"alice","Name":{"GIVENNAME":"Alice"}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->document.Dump(), R"({"userName":"alice","name":{"givenName":"Alice"}})");
}

TEST(ResourceValidator, KeepsExtensionAttributesUnderTheirUrn) {
  auto v = User(R"({"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
                    {"employeeNumber":"7","manager":{"value":"m1","displayName":"ignored"}}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->document.Dump(),
            R"({"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":)"
            R"({"employeeNumber":"7","manager":{"value":"m1"}}})");
}

TEST(ResourceValidator, IgnoresReadOnlyAttributes) {
  auto v = User(R"({"userName":"a","id":"x","meta":{"version":"1"},"groups":[{"value":"g"}]})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->document.Dump(), R"({"userName":"a"})");
}

TEST(ResourceValidator, TakesPasswordOutOfTheDocument) {
  auto v = User(R"({"userName":"a","password":"s3cret"})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->password, "s3cret");
  EXPECT_EQ(v->document.Find("password"), nullptr);
}

TEST(ResourceValidator, RequiresUserName) {
  for (const char* body :
       {R"({"displayName":"x"})", R"({"userName":""})", R"({"userName":null})"}) {
    auto v = User(body);
    ASSERT_FALSE(v.ok()) << body;
    EXPECT_EQ(v.status().tag(), kInvalidValue);
  }
}

TEST(ResourceValidator, RejectsUnknownAttributeWithInvalidSyntax) {
  auto v = User(R"({"userName":"a","favouriteColour":"blue"})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().tag(), kInvalidSyntax);
  EXPECT_NE(v.status().message().find("favouriteColour"), std::string::npos);
}

TEST(ResourceValidator, RejectsUnknownSubAttribute) {
  auto v = User(R"({"userName":"a","name":{"nickname":"x"}})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().tag(), kInvalidSyntax);
}

TEST(ResourceValidator, RejectsWrongTypes) {
  for (const char* body :
       {R"({"userName":7})", R"({"userName":"a","active":"yes"})",
        R"({"userName":"a","emails":7})", R"({"userName":"a","name":"Alice"})",
        R"({"userName":"a","x509Certificates":[{"value":"not base64!"}]})"}) {
    auto v = User(body);
    ASSERT_FALSE(v.ok()) << body;
    EXPECT_EQ(v.status().tag(), kInvalidValue) << body;
  }
}

TEST(ResourceValidator, RejectsTwoPrimaryValues) {
  auto v = User(R"({"userName":"a","emails":[{"value":"a@x","primary":true},
                                             {"value":"b@x","primary":true}]})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().tag(), kInvalidValue);
}

TEST(ResourceValidator, RejectsTheSameAttributeTwiceInDifferentCase) {
  auto v = User(R"({"userName":"a","displayName":"x","DisplayName":"y"})");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().tag(), kInvalidSyntax);
}

TEST(ResourceValidator, RejectsSchemasWithoutTheCoreSchema) {
  EXPECT_EQ(User(R"({"schemas":[],"userName":"a"})").status().tag(), kInvalidValue);
  EXPECT_EQ(User(R"({"schemas":["urn:x"],"userName":"a"})").status().tag(), kInvalidValue);
}

TEST(ResourceValidator, ToleratesAnUnknownSchemaUrnButNotAttributesUnderIt) {
  // Entra's documented Create Group names a Microsoft schema next to the core one.
  auto group = ValidateResource(
      *ParseJson(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group",
                     "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                     "displayName":"g"})"),
      GroupResourceType());
  EXPECT_TRUE(group.ok()) << group.status().ToString();
  EXPECT_EQ(User(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:x"],
                     "userName":"a","urn:x":{"a":1}})")
                .status()
                .tag(),
            kInvalidSyntax);
}

TEST(ResourceValidator, AcceptsWhatRealClientsSendOnCreateAsOnPatch) {
  auto v = User(R"({"userName":"a","active":"False",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":"123456"}})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->document.Find("active")->as_bool(), false);
  auto single = User(R"({"userName":"b","emails":{"value":"b@example.com"}})");
  ASSERT_TRUE(single.ok()) << single.status().ToString();
  EXPECT_EQ(single->document.Find("emails")->as_array().size(), 1u);
  EXPECT_EQ(v->document.Find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                ->Find("manager")
                ->Find("value")
                ->as_string(),
            "123456");
}

TEST(ResourceValidator, DropsNullsAndEmptyArrays) {
  auto v = User(R"({"userName":"a","title":null,"emails":[],"phoneNumbers":[null]})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->document.Dump(), R"({"userName":"a"})");
}

TEST(ResourceValidator, ExtractsGroupMembers) {
  auto v = ValidateResource(Parse(R"({"displayName":"Eng","members":[{"value":"u1"},
                                      {"value":"g2","type":"Group","display":"x"}]})"),
                            GroupResourceType());
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_TRUE(v->has_members);
  ASSERT_EQ(v->members.size(), 2u);
  EXPECT_EQ(v->members[1].value, "g2");
  EXPECT_EQ(v->members[1].type, "Group");
  EXPECT_EQ(v->document.Dump(), R"({"displayName":"Eng"})");
}

TEST(ResourceValidator, RequiresGroupDisplayName) {
  auto v = ValidateResource(Parse(R"({"members":[]})"), GroupResourceType());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().tag(), kInvalidValue);
}

}  // namespace
}  // namespace portico::scim
