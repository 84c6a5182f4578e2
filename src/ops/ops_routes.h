#pragma once

#include <string>

#include "portico/database.h"
#include "portico/metrics.h"
#include "src/http/router.h"

namespace portico::ops {

// GET /healthz (the process answers) and GET /readyz (the database answers:
// 200, or 503 while it is unreachable).
void AddHealthRoutes(http::Router& router, Database& db);

// GET /metrics: `metrics` in the Prometheus text format 0.0.4. With a
// non-empty `bearer_token` the request must carry it (Authorization: Bearer,
// compared in constant time), else 401. `metrics` must outlive the router.
void AddMetricsRoute(http::Router& router, const Metrics& metrics, std::string bearer_token);

// Ops/tenant API errors: {"error", "error_description"}; 401 adds
// WWW-Authenticate: Bearer (RFC 6750 §3).
http::Response RenderOpsError(const Status& status, const http::Request& request);

}  // namespace portico::ops
