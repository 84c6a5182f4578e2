#include "wellknown/discovery_routes.h"

#include <memory>
#include <string>

namespace portico::wellknown {
namespace {

// Clients cache discovery; an hour bounds how long a changed deployment
// keeps advertising its old endpoints.
constexpr char kCacheControl[] = "public, max-age=3600";

void AddDocument(http::Router& router, const char* path, const Json& document) {
  auto body = std::make_shared<const std::string>(document.Dump());
  router.Add(http::Route{.method = "GET",
                         .pattern = path,
                         .family = "wellknown",
                         .handler = [body](http::Request&) -> StatusOr<http::Response> {
                           http::Response response =
                               http::Response::Text(200, *body, "application/json");
                           response.WithHeader("Cache-Control", kCacheControl);
                           return response;
                         },
                         .summary = "Authorization server discovery"});
}

}  // namespace

void AddDiscoveryRoutes(http::Router& router, const AuthorizationServerInfo& info) {
  AddDocument(router, "/.well-known/oauth-authorization-server", AuthorizationServerMetadata(info));
  AddDocument(router, "/.well-known/openid-configuration", OpenIdConfiguration(info));
}

}  // namespace portico::wellknown
