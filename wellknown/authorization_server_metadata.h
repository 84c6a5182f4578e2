#pragma once

#include <optional>
#include <string>
#include <vector>

#include "portico/json.h"

namespace portico::wellknown {

// What the OAuth features of this deployment declare: endpoints (absolute
// URLs under PUBLIC_BASE_URL) and what each supports. Empty lists and absent
// endpoints are left out of the documents rather than advertised empty.
struct AuthorizationServerInfo {
  std::string issuer;  // PUBLIC_BASE_URL exactly
  std::string registration_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;
  std::string introspection_endpoint;
  std::string revocation_endpoint;
  std::optional<std::string> service_documentation;
  std::vector<std::string> grant_types_supported;
  std::vector<std::string> response_types_supported;
  std::vector<std::string> token_endpoint_auth_methods_supported;
  // Only when a JWT-based client authentication method is offered (RFC 8414 §2).
  std::vector<std::string> token_endpoint_auth_signing_alg_values_supported;
  std::vector<std::string> scopes_supported;
  std::vector<std::string> code_challenge_methods_supported;
};

// RFC 8414 §2 authorization server metadata. Pure.
Json AuthorizationServerMetadata(const AuthorizationServerInfo& info);

// OpenID Connect Discovery 1.0 §3: the RFC 8414 members plus what an OpenID
// Provider document must carry (subject_types_supported,
// id_token_signing_alg_values_supported). Pure.
Json OpenIdConfiguration(const AuthorizationServerInfo& info);

}  // namespace portico::wellknown
