#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/status.h"
#include "portico/tenant.h"

namespace portico {

enum class CredentialKind {
  kIntegrationKey,    // Bearer for SCIM and tenant APIs; secret
  kBootstrapToken,    // RFC 7591 initial access token; secret
  kPublicLoginToken,  // selects the tenant for public sign-up; publishable
};

const char* CredentialKindName(CredentialKind kind);  // "integration_key", …
std::optional<CredentialKind> ParseCredentialKind(std::string_view name);

// The scope vocabulary of tenant credentials: one list, used when minting,
// validating requested scopes and checking a caller's rights.
inline constexpr char kScopeScimRead[] = "scim:read";
inline constexpr char kScopeScimWrite[] = "scim:write";
inline constexpr char kScopeDcrRegister[] = "dcr:register";
inline constexpr char kScopeTenantAdmin[] = "tenant:admin";
inline constexpr char kScopeSignupPublic[] = "signup:public";
const std::vector<std::string>& KnownCredentialScopes();
// What a credential of `kind` carries when no scopes are asked for. A
// tenant's first integration key gets kScopeTenantAdmin on top.
std::vector<std::string> DefaultScopes(CredentialKind kind);

// A stored credential. The secret itself is never stored: only
// HMAC-SHA256(KEY_HASH_SECRET, secret), hex-encoded, in `key_hash`.
struct Credential {
  std::string id;  // UUID
  std::string tenant_id;
  CredentialKind kind = CredentialKind::kIntegrationKey;
  std::string name;          // human label, e.g. "default"
  std::string display_hint;  // prefix + first characters, safe to show ("portico_ik_Ab3x…")
  std::string key_hash;      // hex HMAC of the whole secret
  std::vector<std::string> scopes;
  std::optional<TimePoint> expires_at;
  std::optional<TimePoint> revoked_at;
  TimePoint created_at;
};

// A credential with the tenant it belongs to: what every authenticated
// request needs, fetched in one round trip.
struct CredentialWithTenant {
  Credential credential;
  Tenant tenant;
};

// Credentials. One instance belongs to one database session (see
// database.h): not thread-safe.
class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // AlreadyExists when the id or key_hash exists; NotFound-free.
  virtual Status Insert(const Credential& credential) = 0;
  // Exact match on key_hash (indexed). NotFound when absent (revoked and
  // expired ones are returned; the caller decides).
  virtual StatusOr<Credential> FindByHash(std::string_view key_hash) = 0;
  // FindByHash joined with the credential's tenant in one query (the hot
  // path of every authenticated request). NotFound when absent.
  virtual StatusOr<CredentialWithTenant> FindByHashWithTenant(std::string_view key_hash) = 0;
  // Sets revoked_at if not yet revoked. NotFound when no such id.
  virtual Status Revoke(std::string_view id, TimePoint at) = 0;
  // All of a tenant's credentials, oldest first.
  virtual StatusOr<std::vector<Credential>> ListByTenant(std::string_view tenant_id) = 0;
};

}  // namespace portico
