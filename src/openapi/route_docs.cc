// The documentation of every route Portico registers, keyed by (method,
// pattern) as the modules register them. BuildDocument fails (and so does
// start-up) when this table and the route table differ, so a new route cannot
// ship undocumented. Summaries and tags come from the routes themselves; error
// statuses listed in `errors` are rendered in the route family's error format.
#include <string>
#include <vector>

#include "scim/schema/resource_type.h"
#include "src/openapi/openapi_document.h"

namespace portico::openapi {
namespace {

// Small JSON-text builders: the table stays one line per fact.
std::string Schema(const std::string& name) {
  return R"({"$ref":"#/components/schemas/)" + name + R"("})";
}
std::string Content(const std::string& media, const std::string& schema) {
  return "{\"" + media + "\":{\"schema\":" + schema + "}}";
}
std::string Body(const std::string& media, const std::string& schema, bool required = true) {
  return std::string("\"requestBody\":{\"required\":") + (required ? "true" : "false") +
         ",\"content\":" + Content(media, schema) + "}";
}
std::string JsonBody(const std::string& schema_name) {
  return Body("application/json", Schema(schema_name));
}
std::string Header(const std::string& name) {
  return "\"" + name + R"(":{"$ref":"#/components/headers/)" + name + "\"}";
}
// One response; `extra` is more members of the response object (headers).
std::string Response(int code, const std::string& description, const std::string& content = "",
                     const std::string& headers = "") {
  std::string out = "\"" + std::to_string(code) + "\":{\"description\":\"" + description + "\"";
  if (!content.empty()) out += ",\"content\":" + content;
  if (!headers.empty()) out += ",\"headers\":{" + headers + "}";
  return out + "}";
}
std::string Responses(const std::vector<std::string>& items) {
  std::string out = "\"responses\":{";
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ",") + items[i];
  return out + "}";
}
std::string Op(const std::vector<std::string>& members) {
  std::string out = "{";
  for (size_t i = 0; i < members.size(); ++i) out += (i == 0 ? "" : ",") + members[i];
  return out + "}";
}
std::string Description(const std::string& text) { return "\"description\":\"" + text + "\""; }
std::string Security(const std::string& scheme) { return "\"security\":[{\"" + scheme + "\":[]}]"; }
constexpr char kPublic[] = R"("security":[])";
std::string Query(const std::string& name, const std::string& schema, const std::string& text) {
  return "{\"name\":\"" + name + "\",\"in\":\"query\",\"required\":false,\"schema\":" + schema +
         ",\"description\":\"" + text + "\"}";
}
std::string Parameters(const std::vector<std::string>& params) {
  std::string out = "\"parameters\":[";
  for (size_t i = 0; i < params.size(); ++i) out += (i == 0 ? "" : ",") + params[i];
  return out + "]";
}
std::string JsonOk(int code, const std::string& description, const std::string& schema_name,
                   const std::string& headers = "") {
  return Response(code, description, Content("application/json", Schema(schema_name)), headers);
}

constexpr char kScimMedia[] = "application/scim+json";

// Abuse controls of the public routes, stated where a client reads them.
constexpr char kSignupAbuse[] =
    "Public (security: []). Abuse controls: per-IP, per-email and per-email-domain rate "
    "limits counted in the database (429 with Retry-After, RateLimit and RateLimit-Policy); "
    "the admin email must be proven with a 6-digit one-time code (limited attempts and "
    "resends) before anything is provisioned; session ids are unguessable.";
constexpr char kAccountAbuse[] =
    "Authenticated by the tenant's publicLoginToken (not a secret). Abuse controls: per-IP and "
    "per-account rate limits counted in the database (429 with Retry-After), the tenant's "
    "CAPTCHA when configured, allowed browser origins, the password policy and breached-"
    "password blocklist, and enumeration protection.";

std::vector<RouteDoc> ScimResourceDocs() {
  std::vector<RouteDoc> docs;
  const std::string list_params = Parameters(
      {Query("filter", R"({"type":"string","maxLength":8192})", "RFC 7644 §3.4.2.2 filter"),
       Query("startIndex",
             R"({"type":"integer","format":"int64","minimum":1,"maximum":9007199254740991})",
             "1-based index of the first result"),
       Query("count", R"({"type":"integer","format":"int32","minimum":0,"maximum":100000})",
             "Page size; capped at the server's maximum"),
       Query("sortBy", R"({"type":"string","maxLength":512})", "Attribute to sort by"),
       Query("sortOrder", R"({"type":"string","enum":["ascending","descending"]})", "Sort order"),
       Query("attributes", R"({"type":"string","maxLength":4096})", "Attributes to return"),
       Query("excludedAttributes", R"({"type":"string","maxLength":4096})",
             "Attributes to leave out")});
  const std::string projection = Parameters(
      {Query("attributes", R"({"type":"string","maxLength":4096})", "Attributes to return"),
       Query("excludedAttributes", R"({"type":"string","maxLength":4096})",
             "Attributes to leave out")});
  const std::string list =
      Response(200, "A list response", Content(kScimMedia, Schema("ScimListResponse")));
  const std::string write_note =
      "Writes run on the bounded hashing pool: 429 with Retry-After when it is full.";
  for (const scim::ResourceType* type : scim::AllResourceTypes()) {
    const std::string base = "/scim/v2" + type->endpoint();
    const std::string resource = Schema("Scim" + type->name());
    const std::string sec = Security("integrationKey");
    docs.push_back({"POST",
                    base,
                    Op({sec, Description(write_note), Body(kScimMedia, resource),
                        Responses({Response(201, "Created", Content(kScimMedia, resource),
                                            Header("Location"))})}),
                    {400, 401, 403, 409, 413, 415, 429}});
    docs.push_back({"GET", base, Op({sec, list_params, Responses({list})}), {400, 401, 403}});
    docs.push_back({"POST",
                    base + "/.search",
                    Op({sec, Body(kScimMedia, Schema("ScimSearchRequest")), Responses({list})}),
                    {400, 401, 403, 415}});
    docs.push_back({"GET",
                    base + "/:id",
                    Op({sec, projection,
                        Responses({Response(200, "The resource", Content(kScimMedia, resource))})}),
                    {400, 401, 403, 404}});
    docs.push_back({"PUT",
                    base + "/:id",
                    Op({sec, Description(write_note), Body(kScimMedia, resource),
                        Responses({Response(200, "Replaced", Content(kScimMedia, resource))})}),
                    {400, 401, 403, 404, 409, 413, 415, 429}});
    docs.push_back({"PATCH",
                    base + "/:id",
                    Op({sec, Description(write_note), Body(kScimMedia, Schema("ScimPatchOp")),
                        Responses({Response(200, "Modified", Content(kScimMedia, resource)),
                                   Response(204, "Modified (no representation asked for)")})}),
                    {400, 401, 403, 404, 409, 413, 415, 429}});
    docs.push_back({"DELETE",
                    base + "/:id",
                    Op({sec, Responses({Response(204, "Deleted")})}),
                    {401, 403, 404}});
  }
  return docs;
}

std::vector<RouteDoc> BuildDocs() {
  std::vector<RouteDoc> docs = {
      // Operations.
      {"GET", "/healthz",
       Op({kPublic, Description("Public: a constant answer that touches no database."),
           Responses({JsonOk(200, "Serving", "Health")})})},
      {"GET", "/readyz",
       Op({kPublic, Description("Public: one cheap database ping."),
           Responses({JsonOk(200, "Ready", "Ready"), JsonOk(503, "The database does not answer",
                                                            "Ready", Header("Retry-After"))})})},
      {"GET",
       "/metrics",
       Op({kPublic, R"("summary":"Prometheus metrics")",
           Description("Prometheus text exposition format. Open unless METRICS_TOKEN is set "
                       "(then Authorization: Bearer METRICS_TOKEN, 401 otherwise): listen on "
                       "a private address or filter it at the proxy."),
           Responses(
               {Response(200, "Metrics",
                         R"({"text/plain":{"schema":{"type":"string","maxLength":16777216}}})")})}),
       {401}},
      {"GET", "/openapi.json",
       Op({kPublic, Description("Public: built once at start-up from the route table."),
           Responses({JsonOk(200, "This document", "OpenApiDocument")})})},
      {"GET", "/.well-known/api-catalog",
       Op({kPublic,
           Description("RFC 9727 API catalog: a linkset pointing at this OpenAPI "
                       "document (service-desc), the documentation (service-doc) and "
                       "/healthz (status)."),
           Responses({Response(200, "The catalog",
                               Content("application/linkset+json", Schema("Linkset")))})})},

      // Discovery.
      {"GET", "/.well-known/oauth-authorization-server",
       Op({kPublic, Responses({JsonOk(200, "RFC 8414 metadata", "AuthorizationServerMetadata")})})},
      {"GET", "/.well-known/openid-configuration",
       Op({kPublic, Responses({JsonOk(200, "OpenID Connect Discovery 1.0 metadata",
                                      "AuthorizationServerMetadata")})})},

      // Tenant administration.
      {"GET",
       "/api/tenant",
       Op({Security("integrationKey"), Responses({JsonOk(200, "The tenant", "Tenant")})}),
       {401, 403}},
      {"GET",
       "/api/tenant/credentials",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           Responses(
               {Response(200, "The credentials",
                         Content("application/json",
                                 R"({"type":"object","properties":{"credentials":{"type":"array",)"
                                 R"("items":{"$ref":"#/components/schemas/Credential"}}}})"))})}),
       {401, 403}},
      {"POST",
       "/api/tenant/credentials",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           JsonBody("CredentialRequest"),
           Responses({JsonOk(201, "Created; the secret is shown once", "IssuedCredential")})}),
       {400, 401, 403, 413}},
      {"DELETE",
       "/api/tenant/credentials/:id",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           Responses({Response(204, "Revoked")})}),
       {401, 403, 404}},
      {"GET",
       "/api/tenant/dcr-policy",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           Responses({JsonOk(200, "The policy", "DcrPolicy")})}),
       {401, 403}},
      {"PUT",
       "/api/tenant/dcr-policy",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           JsonBody("DcrPolicy"), Responses({JsonOk(200, "The stored policy", "DcrPolicy")})}),
       {400, 401, 403, 413, 415}},
      {"GET",
       "/api/tenant/scim-settings",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           Responses({JsonOk(200, "The settings, every member explicit", "ScimSettings")})}),
       {401, 403}},
      {"PUT",
       "/api/tenant/scim-settings",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           JsonBody("ScimSettings"),
           Responses({JsonOk(200, "The stored settings", "ScimSettings")})}),
       {400, 401, 403, 413, 415}},
      {"GET",
       "/api/tenant/auth-settings",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           Responses({JsonOk(200, "The settings (the CAPTCHA secret never)", "AuthSettings")})}),
       {401, 403}},
      {"PUT",
       "/api/tenant/auth-settings",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           JsonBody("AuthSettings"),
           Responses({JsonOk(200, "The stored settings", "AuthSettings")})}),
       {400, 401, 403, 413, 415}},
      {"GET",
       "/api/tenant/password-policy",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           Responses({JsonOk(200, "The policy", "PasswordPolicy")})}),
       {401, 403}},
      {"PUT",
       "/api/tenant/password-policy",
       Op({Security("integrationKey"), Description("Needs the tenant:admin scope."),
           JsonBody("PasswordPolicy"),
           Responses({JsonOk(200, "The stored policy", "PasswordPolicy")})}),
       {400, 401, 403, 413, 415}},

      // SCIM service discovery (RFC 7644 §4: readable without authentication).
      {"POST",
       "/scim/v2/Bulk",
       Op({Security("integrationKey"),
           Description("Runs on the bounded hashing pool: 429 with Retry-After when it is full."),
           Body(kScimMedia, Schema("ScimBulkRequest")),
           Responses({Response(200, "Per-operation results",
                               Content(kScimMedia, Schema("ScimBulkResponse")))})}),
       {400, 401, 403, 413, 415, 429}},
      {"GET", "/scim/v2/ServiceProviderConfig",
       Op({kPublic, Description("Public (RFC 7644 §4): static capabilities."),
           Responses({Response(200, "The configuration",
                               Content(kScimMedia, Schema("ScimServiceProviderConfig")))})})},
      {"GET", "/scim/v2/ResourceTypes",
       Op({kPublic, Description("Public (RFC 7644 §4): static definitions."),
           Responses({Response(200, "The resource types",
                               Content(kScimMedia, Schema("ScimListResponse")))})})},
      {"GET",
       "/scim/v2/ResourceTypes/:id",
       Op({kPublic, Description("Public (RFC 7644 §4): static definitions."),
           Responses({Response(200, "The resource type",
                               Content(kScimMedia, Schema("ScimResourceType")))})}),
       {404}},
      {"GET", "/scim/v2/Schemas",
       Op({kPublic, Description("Public (RFC 7644 §4): static definitions."),
           Responses(
               {Response(200, "The schemas", Content(kScimMedia, Schema("ScimListResponse")))})})},
      {"GET",
       "/scim/v2/Schemas/:id",
       Op({kPublic, Description("Public (RFC 7644 §4): static definitions."),
           Responses({Response(200, "The schema", Content(kScimMedia, Schema("ScimSchema")))})}),
       {404}},
      {"POST",
       "/scim/v2/.search",
       Op({Security("integrationKey"), Body(kScimMedia, Schema("ScimSearchRequest")),
           Responses({Response(200, "A list response",
                               Content(kScimMedia, Schema("ScimListResponse")))})}),
       {400, 401, 403, 415}},

      // OAuth: dynamic client registration (RFC 7591/7592) and tokens.
      {"POST",
       "/oauth/register",
       Op({R"("security":[{"bootstrapToken":[]},{}])",
           Description("RFC 7591. The initial access token selects the tenant; without one the "
                       "request is refused unless DCR_OPEN_REGISTRATION=true (the empty "
                       "alternative). Abuse controls: per-tenant and per-IP registration rate "
                       "limits (429 with Retry-After), the tenant's maxClients, its redirect-host "
                       "allowlist and optional signed software statements."),
           JsonBody("ClientMetadata"),
           Responses({JsonOk(201, "Registered; the secrets are shown once", "ClientInformation",
                             Header("Location"))})}),
       {400, 401, 403, 413, 415, 429}},
      {"GET",
       "/oauth/register/:client_id",
       Op({Security("registrationAccessToken"),
           Responses({JsonOk(200, "The registration", "ClientInformation")})}),
       {401}},
      {"PUT",
       "/oauth/register/:client_id",
       Op({Security("registrationAccessToken"),
           Parameters({Query("rotate_secret", R"({"type":"string","enum":["true","false"]})",
                             "true issues a new client_secret (the old one keeps working for "
                             "the tenant's grace period)")}),
           Description("RFC 7592 §2.2: the full metadata replaces the registration."),
           JsonBody("ClientMetadata"),
           Responses({JsonOk(200, "The updated registration", "ClientInformation")})}),
       {400, 401, 413, 415}},
      {"DELETE",
       "/oauth/register/:client_id",
       Op({Security("registrationAccessToken"), Responses({Response(204, "Deleted")})}),
       {401}},
      {"POST",
       "/oauth/token",
       Op({R"("security":[{"clientSecretBasic":[]},{}])",
           Description("RFC 6749 §4.4 client credentials. The empty security alternative is "
                       "client authentication in the body: client_secret_post or "
                       "private_key_jwt (RFC 7523)."),
           Body("application/x-www-form-urlencoded", Schema("TokenRequest")),
           Responses({JsonOk(200, "An access token", "TokenResponse")})}),
       {400, 401, 413, 415}},
      {"POST",
       "/oauth/introspect",
       Op({R"("security":[{"clientSecretBasic":[]},{}])",
           Description("RFC 7662; the calling client authenticates as at the token endpoint."),
           Body("application/x-www-form-urlencoded", Schema("TokenOperationRequest")),
           Responses({JsonOk(200, "The token's state", "Introspection")})}),
       {400, 401, 413, 415}},
      {"POST",
       "/oauth/revoke",
       Op({R"("security":[{"clientSecretBasic":[]},{}])",
           Description("RFC 7009; the calling client authenticates as at the token endpoint."),
           Body("application/x-www-form-urlencoded", Schema("TokenOperationRequest")),
           Responses({Response(200, "Revoked (or already unknown: RFC 7009 §2.2)")})}),
       {400, 401, 413, 415}},
      {"GET", "/oauth/jwks.json",
       Op({kPublic, Description("Public: the access tokens' verification keys."),
           Responses({JsonOk(200, "The JWK Set", "Jwks")})})},

      // Self-serve signup sessions.
      {"POST",
       "/api/public/signup/sessions",
       Op({kPublic, Description(kSignupAbuse), JsonBody("SignupCreateRequest"),
           Responses({JsonOk(201, "Created; the code is emailed", "SignupSession",
                             Header("Location"))})}),
       {400, 409, 413, 415, 429, 503}},
      {"GET",
       "/api/public/signup/sessions/:sessionId",
       Op({kPublic, Description(kSignupAbuse),
           Responses({JsonOk(200, "The session", "SignupSession")})}),
       {404, 410, 503}},
      {"POST",
       "/api/public/signup/sessions/:sessionId/verify-email",
       Op({kPublic, Description(kSignupAbuse), JsonBody("SignupVerifyRequest"),
           Responses({JsonOk(200, "Verified", "SignupSession")})}),
       {400, 404, 409, 410, 413, 415, 429, 503}},
      {"POST",
       "/api/public/signup/sessions/:sessionId/resend-otp",
       Op({kPublic, Description(kSignupAbuse),
           Body("application/json", Schema("SignupResendRequest"), /*required=*/false),
           Responses({JsonOk(200, "A new code was emailed", "SignupSession")})}),
       {400, 404, 409, 410, 413, 415, 429, 503}},
      {"POST",
       "/api/public/signup/sessions/:sessionId/provision",
       Op({kPublic,
           Description("Public: only a session whose admin email was verified is provisioned. "
                       "Resumable and idempotent under idempotencyKey."),
           JsonBody("SignupProvisionRequest"),
           Responses(
               {JsonOk(201, "Provisioned; the credentials are shown once", "ProvisionResult"),
                JsonOk(202, "Needs review; provisioning stopped at a step", "ProvisionResult")})}),
       {400, 404, 409, 410, 413, 415, 422, 503}},
      {"GET", "/signup",
       Op({kPublic, Description("The signup page; it calls the public signup session API."),
           Responses(
               {Response(200, "HTML",
                         R"({"text/html":{"schema":{"type":"string","maxLength":1048576}}})")})})},
      {"GET", "/signup/",
       Op({kPublic,
           Responses({Response(308, "Redirect to /signup", "",
                               R"("Location":{"required":true,"description":"relative: ../signup",)"
                               R"("schema":{"type":"string","const":"../signup"}})")})})},
  };
  for (const char* asset : {"signup.css", "signup.js"}) {
    const std::string media = std::string(asset).ends_with(".css") ? "text/css" : "text/javascript";
    docs.push_back(
        {"GET", std::string("/signup/") + asset,
         Op({kPublic, Description("A file of the signup page; revalidate with If-None-Match."),
             Responses(
                 {Response(200, "The file",
                           "{\"" + media + R"(":{"schema":{"type":"string","maxLength":1048576}}})",
                           Header("ETag")),
                  Response(304, "Not modified", "", Header("ETag"))})})});
  }

  // Account sign-up (a POST and its CORS preflight per path).
  struct Account {
    const char* path;
    const char* request;
    int success;
    const char* success_text;
    std::vector<int> errors;
  };
  const Account accounts[] = {
      {"/api/auth/sign-up",
       "AccountSignUpRequest",
       201,
       "Created",
       {400, 401, 403, 409, 413, 415, 422, 429}},
      {"/api/auth/sign-in",
       "AccountSignInRequest",
       200,
       "Signed in: a session",
       {400, 401, 403, 413, 415, 422, 429}},
      {"/api/auth/verify-email",
       "AccountVerifyEmailRequest",
       200,
       "Verified",
       {400, 401, 403, 413, 415, 422, 429}},
      {"/api/auth/verify-email/resend",
       "AccountResendRequest",
       202,
       "Accepted: a code is mailed if the account exists and is unverified",
       {400, 401, 403, 413, 415, 422, 429}},
  };
  for (const Account& a : accounts) {
    docs.push_back(
        {"POST", a.path,
         Op({Security("publicLoginToken"), Description(kAccountAbuse), JsonBody(a.request),
             Responses({JsonOk(a.success, a.success_text, "AccountReply")})}),
         a.errors});
    docs.push_back(
        {"OPTIONS",
         a.path,
         Op({kPublic,
             Description("CORS preflight (carries no credentials): 204 for an origin some tenant "
                         "allows, 403 ORIGIN_FORBIDDEN otherwise."),
             Responses({Response(204, "Allowed")})}),
         {403}});
  }
  for (RouteDoc& doc : ScimResourceDocs()) docs.push_back(std::move(doc));
  return docs;
}

}  // namespace

const std::vector<RouteDoc>& PorticoRouteDocs() {
  static const std::vector<RouteDoc> docs = BuildDocs();
  return docs;
}

}  // namespace portico::openapi
