#pragma once

#include "portico/database.h"
#include "src/http/router.h"

namespace portico::ops {

// GET /healthz (the process answers) and GET /readyz (the database answers:
// 200, or 503 while it is unreachable).
void AddHealthRoutes(http::Router& router, Database& db);

// Ops/tenant API errors: {"error", "error_description"}; 401 adds
// WWW-Authenticate: Bearer (RFC 6750 §3).
http::Response RenderOpsError(const Status& status, const http::Request& request);

}  // namespace portico::ops
