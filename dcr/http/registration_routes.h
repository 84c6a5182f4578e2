#pragma once

#include "dcr/registration/registration_service.h"
#include "src/http/router.h"

namespace portico::dcr {

// The registration endpoint path, and the client configuration endpoint
// under it (RFC 7592: registration_client_uri = endpoint + "/" + client_id).
inline constexpr char kRegistrationPath[] = "/oauth/register";

// POST /oauth/register (RFC 7591), GET/PUT/DELETE /oauth/register/:client_id
// (RFC 7592; PUT ?rotate_secret=true issues a new secret). Errors are OAuth
// errors (RenderOAuthError); every response is Cache-Control: no-store.
// `service` must outlive the router.
void AddRegistrationRoutes(http::Router& router, RegistrationService& service);

}  // namespace portico::dcr
