#include "signup/http/auth_settings_routes.h"

#include <optional>
#include <string>
#include <utility>

#include "signup/account/password_policy.h"
#include "src/http/json_body.h"
#include "src/tenant_api/tenant_api_routes.h"

namespace portico::signup {
namespace {

StatusOr<Json> JsonBody(const http::Request& req) {
  PORTICO_RETURN_IF_ERROR(http::CheckMediaType(req, {"application/json"}));
  return http::ParseJsonBody(req);
}

// The stored password policy document ({} when none) read through the parser.
StatusOr<PasswordPolicy> StoredPasswordPolicy(Database& db, const std::string& tenant_id) {
  std::optional<Json> document;
  PORTICO_RETURN_IF_ERROR(db.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(document,
                             stores.tenant_settings().Get(tenant_id, kPasswordPolicySettingName));
    return Status::Ok();
  }));
  StatusOr<PasswordPolicy> policy = ParsePasswordPolicy(document ? *document : Json::MakeObject());
  if (!policy.ok()) {
    return Internal("the tenant's password policy is unreadable")
        .WithInternal("stored signup.passwordPolicy: " + policy.status().message());
  }
  return policy;
}

}  // namespace

void AddAuthSettingsRoutes(http::Router& router, Database& db, const AuthSettingsStorage& storage,
                           const tenant_api::TenantCredentials& credentials) {
  const AuthSettingsStorage* settings_storage = &storage;
  const tenant_api::TenantCredentials* creds = &credentials;
  Database* database = &db;

  router.Add({.method = "GET",
              .pattern = kAuthSettingsPath,
              .family = "tenant",
              .handler = [settings_storage, creds,
                          database](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::string tenant_id,
                                         tenant_api::AdminTenantId(*creds, req));
                AuthSettings settings;
                PORTICO_RETURN_IF_ERROR(database->Run([&](Stores& stores) -> Status {
                  PORTICO_ASSIGN_OR_RETURN(
                      settings, settings_storage->Load(stores.tenant_settings(), tenant_id));
                  return Status::Ok();
                }));
                return http::Response::Json(200, AuthSettingsJson(settings)).NoStore();
              },
              .errors = tenant_api::RenderTenantApiError,
              .summary = "The tenant's account sign-up settings (never the CAPTCHA secret)"});
  router.Add({.method = "PUT",
              .pattern = kAuthSettingsPath,
              .family = "tenant",
              .handler = [settings_storage, creds,
                          database](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::string tenant_id,
                                         tenant_api::AdminTenantId(*creds, req));
                PORTICO_ASSIGN_OR_RETURN(Json document, JsonBody(req));
                AuthSettings settings;
                // One transaction: the stored secret read and the write see the same row.
                PORTICO_RETURN_IF_ERROR(database->Transact([&](Stores& stores) -> Status {
                  PORTICO_ASSIGN_OR_RETURN(
                      settings,
                      settings_storage->Update(stores.tenant_settings(), tenant_id, document));
                  return Status::Ok();
                }));
                return http::Response::Json(200, AuthSettingsJson(settings)).NoStore();
              },
              .errors = tenant_api::RenderTenantApiError,
              .summary = "Replace the tenant's account sign-up settings"});
  router.Add({.method = "GET",
              .pattern = kPasswordPolicyPath,
              .family = "tenant",
              .handler = [creds, database](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::string tenant_id,
                                         tenant_api::AdminTenantId(*creds, req));
                PORTICO_ASSIGN_OR_RETURN(PasswordPolicy policy,
                                         StoredPasswordPolicy(*database, tenant_id));
                return http::Response::Json(200, PasswordPolicyJson(policy)).NoStore();
              },
              .errors = tenant_api::RenderTenantApiError,
              .summary = "The tenant's password policy for account sign-up"});
  router.Add({.method = "PUT",
              .pattern = kPasswordPolicyPath,
              .family = "tenant",
              .handler = [creds, database](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::string tenant_id,
                                         tenant_api::AdminTenantId(*creds, req));
                PORTICO_ASSIGN_OR_RETURN(Json document, JsonBody(req));
                PORTICO_ASSIGN_OR_RETURN(PasswordPolicy policy, ParsePasswordPolicy(document));
                PORTICO_RETURN_IF_ERROR(database->Run([&](Stores& stores) {
                  return stores.tenant_settings().Put(tenant_id, kPasswordPolicySettingName,
                                                      document);
                }));
                return http::Response::Json(200, PasswordPolicyJson(policy)).NoStore();
              },
              .errors = tenant_api::RenderTenantApiError,
              .summary = "Replace the tenant's password policy for account sign-up"});
}

}  // namespace portico::signup
