#pragma once

#include "dcr/registration/registration_service.h"
#include "src/http/router.h"
#include "src/tenant_api/tenant_credentials.h"

namespace portico::dcr {

// The tenant's client registration policy (see ParseTenantDcrPolicy for the
// members), through the tenant API with a tenant:admin integration key:
//   GET /api/tenant/dcr-policy    the stored document ({} = server defaults)
//   PUT /api/tenant/dcr-policy    validate and replace it
void AddPolicyRoutes(http::Router& router, RegistrationService& service,
                     const tenant_api::TenantCredentials& credentials);

}  // namespace portico::dcr
