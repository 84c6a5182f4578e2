#include "src/tenant_api/tenant_api_routes.h"

#include "portico/clock.h"
#include "src/http/json_body.h"

namespace portico::tenant_api {
namespace {

Json StringArray(const std::vector<std::string>& values) {
  Json out = Json::MakeArray();
  for (const std::string& v : values) out.Push(v);
  return out;
}

Json CredentialJson(const Credential& c) {
  Json out = Json::MakeObject();
  out.Set("id", c.id)
      .Set("kind", CredentialKindName(c.kind))
      .Set("name", c.name)
      .Set("hint", c.display_hint)
      .Set("scopes", StringArray(c.scopes))
      .Set("createdAt", FormatRfc3339(c.created_at))
      .Set("expiresAt", c.expires_at ? Json(FormatRfc3339(*c.expires_at)) : Json())
      .Set("revokedAt", c.revoked_at ? Json(FormatRfc3339(*c.revoked_at)) : Json());
  return out;
}

http::Response NoStore(http::Response response) {
  response.WithHeader("Cache-Control", "no-store");
  return response;
}

StatusOr<Caller> Authenticate(const TenantCredentials& credentials, http::Request& req,
                              std::optional<std::string_view> scope) {
  const std::optional<std::string> token = req.BearerToken();
  if (!token) return Unauthenticated("a Bearer integration key is required");
  PORTICO_ASSIGN_OR_RETURN(Caller caller, credentials.Authenticate(*token, scope));
  req.log_tenant = caller.tenant.id;
  return caller;
}

StatusOr<CredentialRequest> ParseCredentialRequest(const Json& body) {
  CredentialRequest request;
  for (const auto& [name, value] : body.as_object()) {
    if (name == "kind") {
      if (!value.is_string()) return InvalidArgument("kind must be a string");
      auto kind = ParseCredentialKind(value.as_string());
      if (!kind) {
        return InvalidArgument(
            "kind must be integration_key, bootstrap_token or public_login_token");
      }
      request.kind = *kind;
    } else if (name == "name") {
      if (!value.is_string()) return InvalidArgument("name must be a string");
      request.name = value.as_string();
    } else if (name == "scopes") {
      if (!value.is_array()) return InvalidArgument("scopes must be an array of strings");
      for (const Json& s : value.as_array()) {
        if (!s.is_string()) return InvalidArgument("scopes must be an array of strings");
        request.scopes.push_back(s.as_string());
      }
    } else if (name == "expiresInSeconds") {
      if (!value.is_int() || value.as_int() < 60 || value.as_int() > 10LL * 365 * 86400) {
        return InvalidArgument("expiresInSeconds must be a whole number from 60 to 315360000");
      }
      request.expires_in = std::chrono::seconds(value.as_int());
    } else {
      return InvalidArgument("unknown property \"" + name + "\"").WithTag("invalid_request");
    }
  }
  if (request.name.empty()) return InvalidArgument("name is required").WithTag("invalid_request");
  return request;
}

}  // namespace

http::Response RenderTenantApiError(const Status& status, const http::Request&) {
  http::Response response = http::GenericErrorResponse(status);
  if (status.code() == StatusCode::kUnauthenticated) {
    response.WithHeader("WWW-Authenticate", "Bearer realm=\"portico\", error=\"invalid_token\"");
  } else if (status.code() == StatusCode::kPermissionDenied) {
    response.WithHeader("WWW-Authenticate",
                        "Bearer realm=\"portico\", error=\"insufficient_scope\", scope=\"" +
                            std::string(kAdminScope) + "\"");
  }
  return response;
}

void AddTenantApiRoutes(http::Router& router, const TenantCredentials& credentials) {
  const TenantCredentials* creds = &credentials;
  router.Add({.method = "GET",
              .pattern = "/api/tenant",
              .family = "tenant",
              .handler = [creds](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(Caller caller, Authenticate(*creds, req, std::nullopt));
                const Tenant& t = caller.tenant;
                Json body = Json::MakeObject();
                body.Set("tenantId", t.id)
                    .Set("slug", t.slug)
                    .Set("name", t.name)
                    .Set("status", t.status)
                    .Set("modules", StringArray(t.modules))
                    .Set("createdAt", FormatRfc3339(t.created_at))
                    .Set("credential", CredentialJson(caller.credential));
                return NoStore(http::Response::Json(200, body));
              },
              .errors = RenderTenantApiError,
              .summary = "The tenant and credential behind an integration key"});
  router.Add({.method = "GET",
              .pattern = "/api/tenant/credentials",
              .family = "tenant",
              .handler = [creds](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(Caller caller, Authenticate(*creds, req, kAdminScope));
                PORTICO_ASSIGN_OR_RETURN(std::vector<Credential> all, creds->List(caller.tenant));
                Json list = Json::MakeArray();
                for (const Credential& c : all) list.Push(CredentialJson(c));
                return NoStore(
                    http::Response::Json(200, Json::MakeObject().Set("credentials", std::move(list))));
              },
              .errors = RenderTenantApiError,
              .summary = "List the tenant's credentials (never their secrets)"});
  router.Add({.method = "POST",
              .pattern = "/api/tenant/credentials",
              .family = "tenant",
              .handler = [creds](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(Caller caller, Authenticate(*creds, req, kAdminScope));
                PORTICO_ASSIGN_OR_RETURN(Json body, http::ParseJsonBody(req));
                PORTICO_ASSIGN_OR_RETURN(CredentialRequest request, ParseCredentialRequest(body));
                PORTICO_ASSIGN_OR_RETURN(IssuedCredential issued,
                                         creds->Create(caller.tenant, request));
                Json out = CredentialJson(issued.record);
                out.Set("secret", issued.secret);
                return NoStore(http::Response::Json(201, out));
              },
              .errors = RenderTenantApiError,
              .summary = "Mint a credential; its secret is returned once"});
  router.Add({.method = "DELETE",
              .pattern = "/api/tenant/credentials/:id",
              .family = "tenant",
              .handler = [creds](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(Caller caller, Authenticate(*creds, req, kAdminScope));
                PORTICO_RETURN_IF_ERROR(creds->Revoke(caller.tenant, req.Param("id")));
                return http::Response::NoContent();
              },
              .errors = RenderTenantApiError,
              .summary = "Revoke a credential"});
}

}  // namespace portico::tenant_api
