#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/credential_issuer.h"
#include "portico/database.h"
#include "portico/status.h"
#include "portico/tenant.h"

namespace portico::tenant_api {

inline constexpr const char* kAdminScope = kScopeTenantAdmin;

struct Caller {
  Tenant tenant;
  Credential credential;
};

struct CredentialRequest {
  CredentialKind kind = CredentialKind::kIntegrationKey;
  std::string name;
  std::vector<std::string> scopes;                  // empty → the kind's defaults
  std::optional<std::chrono::seconds> expires_in;  // none → never expires
};

// A tenant managing its own credentials with an integration key.
// Thread-safe (state in the database).
class TenantCredentials {
 public:
  TenantCredentials(Database& db, const CredentialIssuer& issuer, const Clock& clock)
      : db_(db), issuer_(issuer), clock_(clock) {}

  // The tenant and integration key behind `token`. Unauthenticated for a bad
  // token or an inactive tenant; PermissionDenied when `required_scope` is
  // given and the key lacks it.
  StatusOr<Caller> Authenticate(std::string_view token,
                                std::optional<std::string_view> required_scope) const;

  StatusOr<std::vector<Credential>> List(const Tenant& tenant) const;
  // InvalidArgument for an empty or too-long name or an unknown scope.
  StatusOr<IssuedCredential> Create(const Tenant& tenant, const CredentialRequest& request) const;
  // NotFound unless `id` is a credential of this tenant.
  Status Revoke(const Tenant& tenant, std::string_view id) const;

 private:
  Database& db_;
  const CredentialIssuer& issuer_;
  const Clock& clock_;
};

}  // namespace portico::tenant_api
