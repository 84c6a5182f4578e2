#pragma once

#include <chrono>

#include "dcr/token/signing_keys.h"
#include "dcr/token/token_service.h"
#include "src/http/router.h"

namespace portico::dcr {

// POST /oauth/token (RFC 6749 §4.4), POST /oauth/introspect (RFC 7662),
// POST /oauth/revoke (RFC 7009) and GET /oauth/jwks.json (the access tokens'
// public keys). The POST routes take application/x-www-form-urlencoded bodies
// only (anything else: invalid_request) and refuse parameters in the query
// string (RFC 6749 §3.2); token and introspection responses are
// Cache-Control: no-store, Pragma: no-cache. Family "dcr"; errors are
// RenderOAuthError's. The /oauth fallback renderer is the registration
// routes' (AddRegistrationRoutes). `service` and `keys` must outlive the
// router. Handlers are thread-safe.
void AddTokenRoutes(http::Router& router, TokenService& service, SigningKeys& keys,
                    std::chrono::seconds jwks_max_age = std::chrono::seconds(300));

}  // namespace portico::dcr
