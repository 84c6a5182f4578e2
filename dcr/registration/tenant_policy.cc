#include "dcr/registration/tenant_policy.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace portico::dcr {
namespace {

Status Malformed(std::string_view member, std::string_view want) {
  return InvalidArgument("dcr policy: " + std::string(member) + " must be " + std::string(want));
}

StatusOr<std::vector<std::string>> Strings(const Json& value, std::string_view member) {
  if (!value.is_array()) return Malformed(member, "an array of strings");
  std::vector<std::string> out;
  for (const Json& item : value.as_array()) {
    if (!item.is_string() || item.as_string().empty()) {
      return Malformed(member, "an array of non-empty strings");
    }
    out.push_back(item.as_string());
  }
  return out;
}

StatusOr<int64_t> Count(const Json& value, std::string_view member) {
  if (!value.is_int() || value.as_int() < 0) return Malformed(member, "a non-negative integer");
  return value.as_int();
}

StatusOr<bool> Flag(const Json& value, std::string_view member) {
  if (!value.is_bool()) return Malformed(member, "true or false");
  return value.as_bool();
}

StatusOr<std::vector<TrustedIssuer>> Issuers(const Json& value) {
  if (!value.is_array()) return Malformed("trustedIssuers", "an array of {issuer, jwks}");
  std::vector<TrustedIssuer> out;
  for (const Json& item : value.as_array()) {
    const Json* issuer = item.Find("issuer");
    const Json* jwks = item.Find("jwks");
    if (!item.is_object() || issuer == nullptr || !issuer->is_string() ||
        issuer->as_string().empty() || jwks == nullptr) {
      return Malformed("trustedIssuers", "an array of {issuer, jwks}");
    }
    StatusOr<JwkSet> keys = JwkSet::Parse(*jwks);
    if (!keys.ok()) {
      return InvalidArgument("dcr policy: trustedIssuers: keys of " + issuer->as_string() + ": " +
                             keys.status().message());
    }
    out.push_back({issuer->as_string(), std::move(keys).value(), *jwks});
  }
  return out;
}

}  // namespace

const TrustedIssuer* TenantDcrPolicy::FindIssuer(std::string_view issuer) const {
  for (const TrustedIssuer& t : trusted_issuers) {
    if (t.issuer == issuer) return &t;
  }
  return nullptr;
}

StatusOr<TenantDcrPolicy> ParseTenantDcrPolicy(const Json* document,
                                               const RegistrationPolicy& server_defaults) {
  TenantDcrPolicy policy;
  policy.registration = server_defaults;
  if (document == nullptr) return policy;
  if (!document->is_object()) return InvalidArgument("dcr policy must be a JSON object");
  RegistrationPolicy& r = policy.registration;
  for (const auto& [name, value] : document->as_object()) {
    if (name == "allowedScopes") {
      PORTICO_ASSIGN_OR_RETURN(std::vector<std::string> v, Strings(value, name));
      r.allowed_scopes = std::set<std::string>(v.begin(), v.end());
    } else if (name == "defaultScopes") {
      PORTICO_ASSIGN_OR_RETURN(r.default_scopes, Strings(value, name));
    } else if (name == "allowedGrantTypes") {
      PORTICO_ASSIGN_OR_RETURN(std::vector<std::string> v, Strings(value, name));
      for (const std::string& g : v) {
        if (!r.supported_grant_types.contains(g)) {
          return InvalidArgument("dcr policy: allowedGrantTypes: this server does not serve " + g);
        }
      }
      r.allowed_grant_types = std::set<std::string>(v.begin(), v.end());
    } else if (name == "allowedRedirectHosts") {
      PORTICO_ASSIGN_OR_RETURN(r.allowed_redirect_hosts, Strings(value, name));
    } else if (name == "requireSoftwareStatement") {
      PORTICO_ASSIGN_OR_RETURN(r.require_software_statement, Flag(value, name));
    } else if (name == "deduplicatePublicClients") {
      PORTICO_ASSIGN_OR_RETURN(policy.deduplicate_public_clients, Flag(value, name));
    } else if (name == "trustedIssuers") {
      PORTICO_ASSIGN_OR_RETURN(policy.trusted_issuers, Issuers(value));
    } else if (name == "maxClients") {
      PORTICO_ASSIGN_OR_RETURN(policy.max_clients, Count(value, name));
    } else if (name == "registrationsPerMinute") {
      PORTICO_ASSIGN_OR_RETURN(policy.registrations_per_tenant.max_hits, Count(value, name));
      policy.registrations_per_tenant.window = std::chrono::seconds(60);
    } else if (name == "secretRotationGraceSeconds") {
      PORTICO_ASSIGN_OR_RETURN(int64_t seconds, Count(value, name));
      policy.secret_rotation_grace = std::chrono::seconds(seconds);
    } else {
      return InvalidArgument("dcr policy: unknown member " + name);
    }
  }
  for (const std::string& s : r.default_scopes) {
    if (!r.allowed_scopes.contains(s)) {
      return InvalidArgument("dcr policy: default scope " + s + " is not in allowedScopes");
    }
  }
  return policy;
}

}  // namespace portico::dcr
