#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/credential_issuer.h"
#include "portico/database.h"
#include "portico/random.h"
#include "portico/status.h"
#include "portico/tenant.h"

namespace portico {

struct NewTenant {
  std::string slug;
  std::string name;
  std::vector<std::string> modules;  // empty → every module
  std::optional<std::string> admin_email;
};

// What a created tenant hands out once: the three secrets of CONTRACT.md.
struct CreatedTenant {
  Tenant tenant;
  IssuedCredential integration_key;
  IssuedCredential bootstrap_token;
  IssuedCredential public_login_token;
};

// Modules a tenant may enable.
const std::vector<std::string>& KnownModules();
// InvalidArgument naming the rule when `slug` is not 3–40 characters of
// lowercase letters, digits and inner hyphens, or is reserved (api, admin, …).
Status ValidateSlug(std::string_view slug);

// Whether a feature holds `slug` for a tenant still to come (a signup session
// in progress), read inside the creating transaction.
using SlugHeldFn = std::function<StatusOr<bool>(Stores& stores, std::string_view slug, TimePoint)>;

// Creates tenants with their three credentials, used by the CLI and by
// signup provisioning. Thread-safe.
class TenantService {
 public:
  TenantService(Database& db, const CredentialIssuer& issuer, Random& random, const Clock& clock,
                SlugHeldFn slug_held = nullptr);

  // Validates, then writes the tenant and its credentials in one transaction.
  // InvalidArgument for a bad slug, name or module; AlreadyExists (tag
  // slug_taken) when the slug is taken or held (`slug_held`).
  StatusOr<CreatedTenant> Create(const NewTenant& request);

  // Same, inside a caller's transaction, without the hold check (signup
  // provisioning uses it for the slug its own session holds).
  StatusOr<CreatedTenant> CreateIn(Stores& stores, const NewTenant& request);

 private:
  Database& db_;
  const CredentialIssuer& issuer_;
  Random& random_;
  const Clock& clock_;
  SlugHeldFn slug_held_;
};

}  // namespace portico
