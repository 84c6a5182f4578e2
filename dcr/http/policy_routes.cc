#include "dcr/http/policy_routes.h"

#include <string>

#include "src/http/json_body.h"
#include "src/tenant_api/tenant_api_routes.h"

namespace portico::dcr {
namespace {

constexpr char kPolicyPath[] = "/api/tenant/dcr-policy";

}  // namespace

void AddPolicyRoutes(http::Router& router, RegistrationService& service,
                     const tenant_api::TenantCredentials& credentials) {
  router.Add({.method = "GET",
              .pattern = kPolicyPath,
              .family = "tenant",
              .handler = [&service, &credentials](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::string tenant_id,
                                         tenant_api::AdminTenantId(credentials, req));
                PORTICO_ASSIGN_OR_RETURN(Json policy, service.GetPolicy(tenant_id));
                return http::Response::Json(200, policy);
              },
              .errors = tenant_api::RenderTenantApiError,
              .summary = "The tenant's OAuth client registration policy"});
  router.Add({.method = "PUT",
              .pattern = kPolicyPath,
              .family = "tenant",
              .handler = [&service, &credentials](http::Request& req) -> StatusOr<http::Response> {
                PORTICO_ASSIGN_OR_RETURN(std::string tenant_id,
                                         tenant_api::AdminTenantId(credentials, req));
                PORTICO_RETURN_IF_ERROR(http::CheckMediaType(req, {"application/json"}));
                PORTICO_ASSIGN_OR_RETURN(Json policy, http::ParseJsonBody(req));
                PORTICO_RETURN_IF_ERROR(service.PutPolicy(tenant_id, policy));
                return http::Response::Json(200, policy);
              },
              .errors = tenant_api::RenderTenantApiError,
              .summary = "Replace the tenant's OAuth client registration policy"});
}

}  // namespace portico::dcr
