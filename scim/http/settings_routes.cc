#include "scim/http/settings_routes.h"

#include <string>

#include "src/http/json_body.h"
#include "src/tenant_api/tenant_api_routes.h"

namespace portico::scim {
namespace {

constexpr char kSettingsPath[] = "/api/tenant/scim-settings";

}  // namespace

void AddScimSettingsRoutes(http::Router& router, ScimService& service,
                           const tenant_api::TenantCredentials& credentials) {
  router.Add({.method = "GET",
              .pattern = kSettingsPath,
              .family = "tenant",
              .handler = [&service, &credentials](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::string tenant_id,
                                         tenant_api::AdminTenantId(credentials, req));
                PORTICO_ASSIGN_OR_RETURN(Json settings, service.GetTenantSettings(tenant_id));
                return http::Response::Json(200, settings).NoStore();
              },
              .errors = tenant_api::RenderTenantApiError,
              .summary = "The tenant's SCIM settings"});
  router.Add({.method = "PUT",
              .pattern = kSettingsPath,
              .family = "tenant",
              .handler = [&service, &credentials](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::string tenant_id,
                                         tenant_api::AdminTenantId(credentials, req));
                PORTICO_RETURN_IF_ERROR(http::CheckMediaType(req, {"application/json"}));
                PORTICO_ASSIGN_OR_RETURN(Json document, http::ParseJsonBody(req));
                PORTICO_ASSIGN_OR_RETURN(Json settings,
                                         service.PutTenantSettings(tenant_id, document));
                return http::Response::Json(200, settings).NoStore();
              },
              .errors = tenant_api::RenderTenantApiError,
              .summary = "Replace the tenant's SCIM settings"});
}

}  // namespace portico::scim
