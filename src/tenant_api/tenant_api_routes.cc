#include "src/tenant_api/tenant_api_routes.h"

#include "portico/clock.h"
#include "src/http/json_body.h"

namespace portico::tenant_api {
namespace {

void WriteTime(JsonWriter& w, TimePoint t) {
  char text[kRfc3339Length];
  FormatRfc3339To(t, text);
  w.String(std::string_view(text, kRfc3339Length));
}

// The members of a credential object (the caller opens and closes it), so the
// one-time "secret" can join them. Written straight to text: this renders
// every GET /api/tenant.
void WriteCredentialMembers(JsonWriter& w, const Credential& c) {
  w.Key("id").String(c.id);
  w.Key("kind").String(CredentialKindName(c.kind));
  w.Key("name").String(c.name);
  w.Key("hint").String(c.display_hint);
  w.Key("scopes").StringArray(c.scopes);
  w.Key("createdAt");
  WriteTime(w, c.created_at);
  w.Key("expiresAt");
  if (c.expires_at) {
    WriteTime(w, *c.expires_at);
  } else {
    w.Null();
  }
  w.Key("revokedAt");
  if (c.revoked_at) {
    WriteTime(w, *c.revoked_at);
  } else {
    w.Null();
  }
}

http::Response JsonResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
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

StatusOr<std::string> AdminTenantId(const TenantCredentials& credentials,
                                    const http::Request& request) {
  const std::optional<std::string> token = request.BearerToken();
  if (!token) return Unauthenticated("a Bearer integration key is required");
  PORTICO_ASSIGN_OR_RETURN(Caller caller, credentials.Authenticate(*token, kAdminScope));
  request.log_tenant = caller.tenant.id;
  return caller.tenant.id;
}

http::Response RenderTenantApiError(const Status& status, const http::Request&) {
  http::Response response = http::GenericErrorResponse(status);
  // A body that is not JSON (http::CheckMediaType); the generic mapping answers 400.
  if (status.code() == StatusCode::kInvalidArgument && status.tag() == "unsupported_media_type") {
    response.status = 415;
  }
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
                std::string body;
                body.reserve(768);
                JsonWriter w(body);
                w.BeginObject();
                w.Key("tenantId").String(t.id);
                w.Key("slug").String(t.slug);
                w.Key("name").String(t.name);
                w.Key("status").String(t.status);
                w.Key("modules").StringArray(t.modules);
                w.Key("createdAt");
                WriteTime(w, t.created_at);
                w.Key("credential").BeginObject();
                WriteCredentialMembers(w, caller.credential);
                w.EndObject().EndObject();
                return JsonResponse(200, std::move(body)).NoStore();
              },
              .errors = RenderTenantApiError,
              .summary = "The tenant and credential behind an integration key"});
  router.Add({.method = "GET",
              .pattern = "/api/tenant/credentials",
              .family = "tenant",
              .handler = [creds](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(Caller caller, Authenticate(*creds, req, kAdminScope));
                PORTICO_ASSIGN_OR_RETURN(std::vector<Credential> all, creds->List(caller.tenant));
                std::string body;
                JsonWriter w(body);
                w.BeginObject().Key("credentials").BeginArray();
                for (const Credential& c : all) {
                  w.BeginObject();
                  WriteCredentialMembers(w, c);
                  w.EndObject();
                }
                w.EndArray().EndObject();
                return JsonResponse(200, std::move(body)).NoStore();
              },
              .errors = RenderTenantApiError,
              .summary = "List the tenant's credentials (never their secrets)"});
  router.Add({.method = "POST",
              .pattern = "/api/tenant/credentials",
              .family = "tenant",
              .handler = [creds](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(Caller caller, Authenticate(*creds, req, kAdminScope));
                PORTICO_ASSIGN_OR_RETURN(Json input, http::ParseJsonBody(req));
                PORTICO_ASSIGN_OR_RETURN(CredentialRequest request, ParseCredentialRequest(input));
                PORTICO_ASSIGN_OR_RETURN(IssuedCredential issued,
                                         creds->Create(caller.tenant, request));
                std::string body;
                JsonWriter w(body);
                w.BeginObject();
                WriteCredentialMembers(w, issued.record);
                w.Key("secret").String(issued.secret);
                w.EndObject();
                return JsonResponse(201, std::move(body)).NoStore();
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
