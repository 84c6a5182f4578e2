#pragma once

#include "src/http/router.h"
#include "wellknown/authorization_server_metadata.h"

namespace portico::wellknown {

// GET /.well-known/oauth-authorization-server and
// /.well-known/openid-configuration: rendered once here (the configuration
// does not change while the server runs), served with Cache-Control.
void AddDiscoveryRoutes(http::Router& router, const AuthorizationServerInfo& info);

}  // namespace portico::wellknown
