#pragma once

#include "scim/scim_service.h"
#include "src/http/router.h"
#include "src/tenant_api/tenant_credentials.h"

namespace portico::scim {

// The tenant's SCIM settings (see ParseTenantScimSettings for the members),
// through the tenant API with a tenant:admin integration key, in the tenant
// API's error format:
//   GET /api/tenant/scim-settings    every member, defaults filled in
//   PUT /api/tenant/scim-settings    validate and replace them
void AddScimSettingsRoutes(http::Router& router, ScimService& service,
                           const tenant_api::TenantCredentials& credentials);

}  // namespace portico::scim
