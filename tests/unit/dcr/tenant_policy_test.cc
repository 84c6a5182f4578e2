#include "dcr/registration/tenant_policy.h"

#include <gtest/gtest.h>

#include "portico/parse_json.h"

namespace portico::dcr {
namespace {

RegistrationPolicy ServerDefaults() {
  RegistrationPolicy p;
  p.allowed_scopes = {"read", "write"};
  p.default_scopes = {"read"};
  return p;
}

StatusOr<TenantDcrPolicy> Parse(std::string_view text) {
  StatusOr<Json> doc = ParseJson(text);
  EXPECT_TRUE(doc.ok()) << text;
  return ParseTenantDcrPolicy(&*doc, ServerDefaults());
}

constexpr char kEcJwks[] = R"({"keys":[{"kty":"EC","crv":"P-256","kid":"k1",)"
                           R"("x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",)"
                           R"("y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]})";

TEST(TenantPolicyTest, NoDocumentMeansTheServerDefaults) {
  StatusOr<TenantDcrPolicy> p = ParseTenantDcrPolicy(nullptr, ServerDefaults());
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->registration.allowed_scopes, (std::set<std::string>{"read", "write"}));
  EXPECT_EQ(p->registration.default_scopes, std::vector<std::string>{"read"});
  EXPECT_FALSE(p->registration.require_software_statement);
  EXPECT_TRUE(p->deduplicate_public_clients);
  EXPECT_TRUE(p->trusted_issuers.empty());
  EXPECT_GT(p->max_clients, 0);
}

TEST(TenantPolicyTest, EveryMemberOverridesItsDefault) {
  StatusOr<TenantDcrPolicy> p = Parse(std::string(R"({
    "allowedScopes": ["mcp", "files:read"], "defaultScopes": ["mcp"],
    "allowedGrantTypes": ["client_credentials"], "allowedRedirectHosts": ["*.example.com"],
    "requireSoftwareStatement": true, "deduplicatePublicClients": false,
    "maxClients": 5, "registrationsPerMinute": 7, "secretRotationGraceSeconds": 30,
    "trustedIssuers": [{"issuer": "https://issuer.example", "jwks": )") +
                                      kEcJwks + "}]}");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->registration.allowed_scopes, (std::set<std::string>{"files:read", "mcp"}));
  EXPECT_EQ(p->registration.default_scopes, std::vector<std::string>{"mcp"});
  EXPECT_EQ(p->registration.allowed_grant_types, std::set<std::string>{"client_credentials"});
  EXPECT_EQ(p->registration.allowed_redirect_hosts, std::vector<std::string>{"*.example.com"});
  EXPECT_TRUE(p->registration.require_software_statement);
  EXPECT_FALSE(p->deduplicate_public_clients);
  EXPECT_EQ(p->max_clients, 5);
  EXPECT_EQ(p->registrations_per_tenant.max_hits, 7);
  EXPECT_EQ(p->registrations_per_tenant.window, std::chrono::seconds(60));
  EXPECT_EQ(p->secret_rotation_grace, std::chrono::seconds(30));
  ASSERT_NE(p->FindIssuer("https://issuer.example"), nullptr);
  EXPECT_EQ(p->FindIssuer("https://issuer.example")->keys.keys().size(), 1u);
  EXPECT_EQ(p->FindIssuer("https://other.example"), nullptr);
}

TEST(TenantPolicyTest, MalformedOrUnknownMembersAreRefusedByName) {
  for (
      std::string_view bad : {
          R"({"allowedScopes": "read"})",
          R"({"allowedScopes": [""]})",
          R"({"requireSoftwareStatement": "yes"})",
          R"({"maxClients": -1})",
          R"({"maxClients": 1.5})",
          R"({"registrationsPerMinut": 5})",
          R"({"trustedIssuers": [{"issuer": "x"}]})",
          R"({"trustedIssuers": [{"issuer": "x", "jwks": {"keys": [{"kty": "oct", "k": "AA"}]}}]})",
      }) {
    StatusOr<TenantDcrPolicy> p = Parse(bad);
    EXPECT_FALSE(p.ok()) << bad;
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  StatusOr<TenantDcrPolicy> typo = Parse(R"({"registrationsPerMinut": 5})");
  EXPECT_NE(typo.status().message().find("registrationsPerMinut"), std::string::npos);
}

TEST(TenantPolicyTest, GrantTypesMustBeServedAndDefaultScopesAllowed) {
  StatusOr<TenantDcrPolicy> grant = Parse(R"({"allowedGrantTypes": ["password"]})");
  ASSERT_FALSE(grant.ok());
  EXPECT_NE(grant.status().message().find("password"), std::string::npos);
  StatusOr<TenantDcrPolicy> scope = Parse(R"({"allowedScopes": ["a"], "defaultScopes": ["b"]})");
  ASSERT_FALSE(scope.ok());
  EXPECT_NE(scope.status().message().find("b"), std::string::npos);
}

TEST(TenantPolicyTest, ANonObjectDocumentIsRefused) {
  Json list = Json::MakeArray();
  EXPECT_FALSE(ParseTenantDcrPolicy(&list, ServerDefaults()).ok());
}

}  // namespace
}  // namespace portico::dcr
