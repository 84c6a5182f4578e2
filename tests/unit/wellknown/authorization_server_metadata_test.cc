#include "wellknown/authorization_server_metadata.h"

#include <gtest/gtest.h>

namespace portico::wellknown {
namespace {

AuthorizationServerInfo Info() {
  AuthorizationServerInfo info;
  info.issuer = "https://id.example.com";
  info.registration_endpoint = "https://id.example.com/oauth/register";
  info.token_endpoint = "https://id.example.com/oauth/token";
  info.jwks_uri = "https://id.example.com/oauth/jwks.json";
  info.introspection_endpoint = "https://id.example.com/oauth/introspect";
  info.revocation_endpoint = "https://id.example.com/oauth/revoke";
  info.grant_types_supported = {"client_credentials"};
  info.token_endpoint_auth_methods_supported = {"client_secret_basic", "private_key_jwt"};
  info.token_endpoint_auth_signing_alg_values_supported = {"ES256"};
  info.scopes_supported = {"read", "write"};
  return info;
}

std::vector<std::string> Strings(const Json& doc, std::string_view name) {
  std::vector<std::string> out;
  const Json* list = doc.Find(name);
  if (list == nullptr) return out;
  for (const Json& v : list->as_array()) out.push_back(v.as_string());
  return out;
}

TEST(AuthorizationServerMetadataTest, CarriesTheIssuerAndEveryDeclaredEndpoint) {
  const Json doc = AuthorizationServerMetadata(Info());
  EXPECT_EQ(doc.Find("issuer")->as_string(), "https://id.example.com");
  EXPECT_EQ(doc.Find("registration_endpoint")->as_string(),
            "https://id.example.com/oauth/register");
  EXPECT_EQ(doc.Find("token_endpoint")->as_string(), "https://id.example.com/oauth/token");
  EXPECT_EQ(doc.Find("jwks_uri")->as_string(), "https://id.example.com/oauth/jwks.json");
  EXPECT_EQ(doc.Find("introspection_endpoint")->as_string(),
            "https://id.example.com/oauth/introspect");
  EXPECT_EQ(doc.Find("revocation_endpoint")->as_string(), "https://id.example.com/oauth/revoke");
  EXPECT_EQ(Strings(doc, "grant_types_supported"), std::vector<std::string>{"client_credentials"});
  EXPECT_EQ(Strings(doc, "token_endpoint_auth_methods_supported"),
            (std::vector<std::string>{"client_secret_basic", "private_key_jwt"}));
  EXPECT_EQ(Strings(doc, "introspection_endpoint_auth_methods_supported"),
            Strings(doc, "token_endpoint_auth_methods_supported"));
  // "none" is a registration choice; introspection and revocation need a client.
  AuthorizationServerInfo with_none = Info();
  with_none.token_endpoint_auth_methods_supported.push_back("none");
  const Json public_doc = AuthorizationServerMetadata(with_none);
  EXPECT_EQ(Strings(public_doc, "token_endpoint_auth_methods_supported").back(), "none");
  EXPECT_EQ(Strings(public_doc, "revocation_endpoint_auth_methods_supported"),
            Strings(doc, "token_endpoint_auth_methods_supported"));
  EXPECT_EQ(Strings(doc, "token_endpoint_auth_signing_alg_values_supported"),
            std::vector<std::string>{"ES256"});
  EXPECT_EQ(Strings(doc, "scopes_supported"), (std::vector<std::string>{"read", "write"}));
}

TEST(AuthorizationServerMetadataTest, LeavesOutWhatNoFeatureDeclares) {
  AuthorizationServerInfo info = Info();
  info.introspection_endpoint.clear();
  info.token_endpoint_auth_signing_alg_values_supported.clear();
  const Json doc = AuthorizationServerMetadata(info);
  EXPECT_EQ(doc.Find("introspection_endpoint"), nullptr);
  EXPECT_EQ(doc.Find("introspection_endpoint_auth_methods_supported"), nullptr);
  EXPECT_EQ(doc.Find("token_endpoint_auth_signing_alg_values_supported"), nullptr);
  EXPECT_EQ(doc.Find("code_challenge_methods_supported"), nullptr);
  EXPECT_EQ(doc.Find("service_documentation"), nullptr);
  // RFC 8414 §2 makes it REQUIRED: present, and empty without an authorization endpoint.
  ASSERT_NE(doc.Find("response_types_supported"), nullptr);
  EXPECT_TRUE(doc.Find("response_types_supported")->as_array().empty());
}

TEST(AuthorizationServerMetadataTest, OpenIdConfigurationAddsTheProviderMembers) {
  const Json doc = OpenIdConfiguration(Info());
  EXPECT_EQ(doc.Find("issuer")->as_string(), "https://id.example.com");
  EXPECT_EQ(doc.Find("registration_endpoint")->as_string(),
            "https://id.example.com/oauth/register");
  EXPECT_EQ(Strings(doc, "subject_types_supported"), std::vector<std::string>{"public"});
  EXPECT_FALSE(Strings(doc, "id_token_signing_alg_values_supported").empty());
}

}  // namespace
}  // namespace portico::wellknown
