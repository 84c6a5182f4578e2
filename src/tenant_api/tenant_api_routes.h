#pragma once

#include "src/http/router.h"
#include "src/tenant_api/tenant_credentials.h"

namespace portico::tenant_api {

// The tenant API, authenticated by an integration key:
//   GET    /api/tenant                    the tenant and the calling key
//   GET    /api/tenant/credentials        the tenant's credentials (never secrets)   tenant:admin
//   POST   /api/tenant/credentials        mint one; its secret is shown once         tenant:admin
//   DELETE /api/tenant/credentials/:id    revoke                                     tenant:admin
void AddTenantApiRoutes(http::Router& router, const TenantCredentials& credentials);

// For the tenant settings routes of every feature: the tenant of the
// request's Bearer integration key when it holds tenant:admin (the tenant id
// is also set as the request's log tenant); Unauthenticated without a valid
// key, PermissionDenied without the scope.
StatusOr<std::string> AdminTenantId(const TenantCredentials& credentials,
                                    const http::Request& request);

// {"error", "error_description"}; 401 adds WWW-Authenticate: Bearer (RFC 6750 §3);
// a Content-Type other than JSON is 415.
http::Response RenderTenantApiError(const Status& status, const http::Request& request);

}  // namespace portico::tenant_api
