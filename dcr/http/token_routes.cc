#include "dcr/http/token_routes.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "dcr/http/oauth_error.h"

namespace portico::dcr {
namespace {

constexpr char kFormMediaType[] = "application/x-www-form-urlencoded";

Status RequestError(std::string message) {
  return InvalidArgument(std::move(message)).WithTag("invalid_request");
}

// RFC 6749 §3.2 and RFC 7662 §2.1 / RFC 7009 §2.1: parameters come in a form
// body, never in the URI (where secrets would reach logs and caches).
StatusOr<OAuthRequest> ReadOAuthRequest(const http::Request& req) {
  const std::optional<std::string> type = req.Header("content-type");
  std::string_view media = type ? std::string_view(*type) : std::string_view();
  media = media.substr(0, media.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  if (!http::EqualsIgnoreCase(media, kFormMediaType)) {
    return RequestError(std::string("the request body must be ") + kFormMediaType);
  }
  if (!req.query.empty()) {
    return RequestError("parameters must be sent in the request body, not in the URI");
  }
  PORTICO_ASSIGN_OR_RETURN(FormParams params, FormParams::Parse(req.body));
  return OAuthRequest{.authorization = req.Header("authorization"), .params = std::move(params)};
}

// RFC 6749 §5.1: token responses (and, by RFC 7662 §2.2's content, the
// introspection responses) must not be cached.
http::Response NoStore(http::Response response) {
  response.NoStore().WithHeader("Pragma", "no-cache");
  return response;
}

}  // namespace

void AddTokenRoutes(http::Router& router, TokenService& service, SigningKeys& keys,
                    std::chrono::seconds jwks_max_age) {
  TokenService* svc = &service;
  SigningKeys* signing_keys = &keys;
  router.Add({.method = "POST",
              .pattern = kTokenPath,
              .family = "dcr",
              .handler = [svc](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(OAuthRequest request, ReadOAuthRequest(req));
                PORTICO_ASSIGN_OR_RETURN(IssuedToken token, svc->IssueToken(request));
                req.log_tenant = token.tenant_id;
                // RFC 6749 §5.1.
                Json body = Json::MakeObject();
                body.Set("access_token", std::move(token.access_token))
                    .Set("token_type", "Bearer")
                    .Set("expires_in", token.expires_in);
                if (!token.scope.empty()) body.Set("scope", std::move(token.scope));
                return NoStore(http::Response::Json(200, body));
              },
              .errors = RenderOAuthError,
              .summary = "Issue an access token (client_credentials, RFC 6749 §4.4)"});
  router.Add({.method = "POST",
              .pattern = kIntrospectionPath,
              .family = "dcr",
              .handler = [svc](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(OAuthRequest request, ReadOAuthRequest(req));
                PORTICO_ASSIGN_OR_RETURN(IntrospectionResult result, svc->Introspect(request));
                req.log_tenant = result.caller_tenant_id;
                return NoStore(http::Response::Json(200, result.body));
              },
              .errors = RenderOAuthError,
              .summary = "Introspect an access token (RFC 7662)"});
  router.Add({.method = "POST",
              .pattern = kRevocationPath,
              .family = "dcr",
              .handler = [svc](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(OAuthRequest request, ReadOAuthRequest(req));
                PORTICO_ASSIGN_OR_RETURN(RevocationResult result, svc->Revoke(request));
                req.log_tenant = result.caller_tenant_id;
                http::Response response = http::Response::NoContent();
                response.status = 200;  // RFC 7009 §2.2: 200, body ignored
                return response;
              },
              .errors = RenderOAuthError,
              .summary = "Revoke an access token (RFC 7009)"});
  const std::string cache_control = "public, max-age=" + std::to_string(jwks_max_age.count());
  router.Add({.method = "GET",
              .pattern = kJwksPath,
              .family = "dcr",
              .handler = [signing_keys, cache_control](http::Request&) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::shared_ptr<const SigningKeys::View> view,
                                         signing_keys->Get());
                http::Response response =
                    http::Response::Text(200, view->jwks_text, "application/json");
                response.WithHeader("Cache-Control", cache_control);
                return response;
              },
              .errors = RenderOAuthError,
              .summary = "The access tokens' public signing keys (JWK Set, RFC 7517 §5)"});
}

}  // namespace portico::dcr
