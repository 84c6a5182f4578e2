#include "src/tenant_api/tenant_credentials.h"

#include <gtest/gtest.h>

#include "portico/tenant_service.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::tenant_api {
namespace {

using std::chrono::seconds;

class TenantCredentialsTest : public ::testing::Test {
 protected:
  TenantCredentialsTest()
      : issuer_(std::string(40, 'k'), SecureRandom(), clock_),
        tenants_(db_, issuer_, SecureRandom(), clock_),
        credentials_(db_, issuer_, clock_) {}

  CreatedTenant NewTenant(const std::string& slug) {
    auto created = tenants_.Create({.slug = slug, .name = slug});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return *created;
  }

  testing::FakeClock clock_;
  testing::InMemoryDatabase db_;
  CredentialIssuer issuer_;
  TenantService tenants_;
  TenantCredentials credentials_;
};

TEST_F(TenantCredentialsTest, AuthenticatesTheDefaultKeyWithAdminScope) {
  CreatedTenant t = NewTenant("acme");
  auto caller = credentials_.Authenticate(t.integration_key.secret, kAdminScope);
  ASSERT_TRUE(caller.ok()) << caller.status().ToString();
  EXPECT_EQ(caller->tenant.id, t.tenant.id);
}

TEST_F(TenantCredentialsTest, OnlyIntegrationKeysAuthenticate) {
  CreatedTenant t = NewTenant("acme");
  EXPECT_EQ(credentials_.Authenticate(t.bootstrap_token.secret, std::nullopt).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(credentials_.Authenticate(t.public_login_token.secret, std::nullopt).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(TenantCredentialsTest, MissingScopeIsPermissionDenied) {
  CreatedTenant t = NewTenant("acme");
  auto narrow = credentials_.Create(t.tenant, {.name = "reader", .scopes = {"scim:read"}});
  ASSERT_TRUE(narrow.ok()) << narrow.status().ToString();
  EXPECT_TRUE(credentials_.Authenticate(narrow->secret, "scim:read").ok());
  EXPECT_EQ(credentials_.Authenticate(narrow->secret, kAdminScope).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(TenantCredentialsTest, RejectsUnknownScopesAndBadNames) {
  CreatedTenant t = NewTenant("acme");
  EXPECT_EQ(credentials_.Create(t.tenant, {.name = "x", .scopes = {"root"}}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(credentials_.Create(t.tenant, {.name = ""}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(credentials_.Create(t.tenant, {.name = std::string(101, 'n')}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(TenantCredentialsTest, ExpiringKeyStopsWorkingAtItsExpiry) {
  CreatedTenant t = NewTenant("acme");
  auto key = credentials_.Create(t.tenant, {.name = "temp", .expires_in = seconds(3600)});
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(credentials_.Authenticate(key->secret, std::nullopt).ok());
  clock_.Advance(seconds(3600));
  EXPECT_EQ(credentials_.Authenticate(key->secret, std::nullopt).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(TenantCredentialsTest, RevokesOnlyItsOwnTenantsCredentials) {
  CreatedTenant a = NewTenant("tenant-a");
  CreatedTenant b = NewTenant("tenant-b");
  EXPECT_EQ(credentials_.Revoke(a.tenant, b.integration_key.record.id).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(credentials_.Authenticate(b.integration_key.secret, std::nullopt).ok());
  ASSERT_TRUE(credentials_.Revoke(b.tenant, b.integration_key.record.id).ok());
  EXPECT_EQ(credentials_.Authenticate(b.integration_key.secret, std::nullopt).status().code(),
            StatusCode::kUnauthenticated);
}

TEST_F(TenantCredentialsTest, ListNeverCarriesSecretsAndIsScopedToTheTenant) {
  CreatedTenant a = NewTenant("tenant-a");
  NewTenant("tenant-b");
  auto list = credentials_.List(a.tenant);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 3u);
  for (const Credential& c : *list) {
    EXPECT_EQ(c.tenant_id, a.tenant.id);
    EXPECT_EQ(c.display_hint.find(a.integration_key.secret), std::string::npos);
  }
}

TEST_F(TenantCredentialsTest, SuspendedTenantCannotAuthenticate) {
  CreatedTenant t = NewTenant("acme");
  db_.MutableStateForTest([&](auto& state) {
    for (Tenant& tenant : state.tenants) tenant.status = "suspended";
  });
  EXPECT_EQ(credentials_.Authenticate(t.integration_key.secret, std::nullopt).status().code(),
            StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace portico::tenant_api
