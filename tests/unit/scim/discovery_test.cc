#include "scim/schema/discovery.h"

#include <gtest/gtest.h>

namespace portico::scim {
namespace {

const Json* Attribute(const Json& schema, const std::string& name) {
  for (const Json& a : schema.Find("attributes")->as_array()) {
    if (a.Find("name")->as_string() == name) return &a;
  }
  return nullptr;
}

TEST(Discovery, SchemasComeFromTheDefinitionsTheValidatorUses) {
  Json user = SchemaJson(UserSchema(), "https://x/scim/v2");
  const Json* user_name = Attribute(user, "userName");
  ASSERT_NE(user_name, nullptr);
  EXPECT_EQ(user_name->Find("uniqueness")->as_string(), "server");
  EXPECT_TRUE(user_name->Find("required")->as_bool());
  EXPECT_FALSE(user_name->Find("caseExact")->as_bool());
  const Json* password = Attribute(user, "password");
  EXPECT_EQ(password->Find("mutability")->as_string(), "writeOnly");
  EXPECT_EQ(password->Find("returned")->as_string(), "never");
  const Json* groups = Attribute(user, "groups");
  EXPECT_EQ(groups->Find("mutability")->as_string(), "readOnly");
  EXPECT_EQ(user.Find("meta")->Find("location")->as_string(),
            "https://x/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User");
}

TEST(Discovery, ResourceTypeListsTheEnterpriseExtension) {
  Json type = ResourceTypeJson(UserResourceType(), "https://x/scim/v2");
  EXPECT_EQ(type.Find("endpoint")->as_string(), "/Users");
  EXPECT_EQ(type.Find("schemaExtensions")->as_array()[0].Find("schema")->as_string(),
            std::string(kEnterpriseUserSchemaUrn));
}

TEST(Discovery, ServiceProviderConfigAdvertisesWhatIsConfigured) {
  ScimCapabilities caps;
  caps.filter_max_results = 250;
  Json config = ServiceProviderConfigJson(caps, "https://x/scim/v2");
  EXPECT_TRUE(config.Find("patch")->Find("supported")->as_bool());
  EXPECT_EQ(config.Find("filter")->Find("maxResults")->as_int(), 250);
  EXPECT_EQ(config.Find("pagination")->Find("maxPageSize")->as_int(), 250);
  EXPECT_TRUE(config.Find("pagination")->Find("cursor")->as_bool());
  EXPECT_EQ(config.Find("authenticationSchemes")->as_array()[0].Find("type")->as_string(),
            "oauthbearertoken");
}

TEST(Discovery, ResolvesPathsCaseInsensitivelyWithOptionalCoreUrn) {
  auto a = UserResourceType().Resolve({"", "EMAILS", "VALUE"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->attr, "emails");
  EXPECT_EQ(a->sub, "value");
  EXPECT_TRUE(a->multi_valued);
  auto b = UserResourceType().Resolve({std::string(kUserSchemaUrn), "userName", ""});
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->case_exact);
  auto id = UserResourceType().Resolve({"", "id", ""});
  ASSERT_TRUE(id);
  EXPECT_TRUE(id->case_exact);
  // Extension attributes need their URN.
  EXPECT_FALSE(UserResourceType().Resolve({"", "employeeNumber", ""}));
  EXPECT_TRUE(
      UserResourceType().Resolve({std::string(kEnterpriseUserSchemaUrn), "employeeNumber", ""}));
  EXPECT_FALSE(GroupResourceType().Resolve({"", "userName", ""}));
}

}  // namespace
}  // namespace portico::scim
