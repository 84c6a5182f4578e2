#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dcr/metadata/registration_policy.h"
#include "portico/jose.h"
#include "portico/json.h"
#include "portico/rate_limit.h"
#include "portico/status.h"

namespace portico::dcr {

// The tenant settings document that holds a tenant's registration policy.
inline constexpr char kPolicySettingName[] = "dcr.policy";

// An issuer of software statements (RFC 7591 §2.3) the tenant trusts, with
// its keys pinned (never fetched).
struct TrustedIssuer {
  std::string issuer;
  JwkSet keys;
  Json jwks;  // as configured, for rendering the policy back
};

// What a tenant lets clients do at registration, over the server's defaults.
struct TenantDcrPolicy {
  // Scopes, grant types, redirect hosts and whether a software statement is
  // required; the server's capabilities are already filled in.
  RegistrationPolicy registration;
  std::vector<TrustedIssuer> trusted_issuers;
  int64_t max_clients = 10000;
  // Identical public-client registrations share one client id.
  bool deduplicate_public_clients = true;
  // Registrations into the tenant, whoever asks.
  RateLimit registrations_per_tenant{6000, std::chrono::seconds(60)};
  // How long a rotated client secret keeps working.
  std::chrono::seconds secret_rotation_grace{std::chrono::hours(24)};

  const TrustedIssuer* FindIssuer(std::string_view issuer) const;
};

// The tenant's policy from its "dcr.policy" document (nullptr: none stored)
// over `server_defaults`. Members (all optional): allowedScopes,
// defaultScopes, allowedGrantTypes, allowedRedirectHosts (strings);
// requireSoftwareStatement, deduplicatePublicClients (booleans);
// trustedIssuers ([{issuer, jwks}]); maxClients, registrationsPerMinute, secretRotationGraceSeconds
// (non-negative integers). InvalidArgument naming the member when one is malformed (unknown members
// too: a typo must not silently weaken a policy). Pure.
StatusOr<TenantDcrPolicy> ParseTenantDcrPolicy(const Json* document,
                                               const RegistrationPolicy& server_defaults);

}  // namespace portico::dcr
