#pragma once

#include "portico/hashing_pool.h"
#include "src/http/router.h"
#include "scim/schema/discovery.h"
#include "scim/scim_service.h"

namespace portico::scim {

// Renders any Status as a SCIM Error (RFC 7644 §3.12): application/scim+json,
// `status` as a string, `scimType` when the tag is one, 401 with
// WWW-Authenticate: Bearer, 412 for a failed If-Match. Thread-safe.
http::Response RenderScimError(const Status& status, const http::Request& request);
// The body RenderScimError sends for `status`, and (when `http_status` is not
// null) its HTTP status: for errors nested in another document (Bulk's
// per-operation `response`, RFC 7644 §3.7.3). Thread-safe.
Json ScimErrorJson(const Status& status, int* http_status);

// The SCIM 2.0 endpoints under /scim/v2 (RFC 7644 §3): discovery without
// authentication, Users and Groups with an integration key. Writes that
// carry a password run on `pool`. `service` and `pool` must outlive the router.
void AddScimRoutes(http::Router& router, ScimService& service, const ScimCapabilities& caps,
                   HashingPool& pool);

}  // namespace portico::scim
