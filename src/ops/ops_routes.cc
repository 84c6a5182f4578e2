#include "src/ops/ops_routes.h"

#include <string>

#include "portico/clock.h"

namespace portico::ops {

http::Response RenderOpsError(const Status& status, const http::Request&) {
  http::Response response = http::GenericErrorResponse(status);
  if (status.code() == StatusCode::kUnauthenticated) {
    response.WithHeader("WWW-Authenticate", "Bearer realm=\"portico\", error=\"invalid_token\"");
  }
  return response;
}

void AddHealthRoutes(http::Router& router, Database& db) {
  router.Add({.method = "GET",
              .pattern = "/healthz",
              .family = "ops",
              .handler = [](http::Request&) -> StatusOr<http::Response> {
                static const std::string kBody = R"({"status":"ok"})";
                http::Response response;
                response.body = kBody;
                response.WithHeader("Cache-Control", "no-store");
                return response;
              },
              .errors = RenderOpsError,
              .summary = "Liveness: the process is serving"});
  router.Add({.method = "GET",
              .pattern = "/readyz",
              .family = "ops",
              .handler = [&db](http::Request&) -> StatusOr<http::Response> {
                const Status ping = db.Ping();
                Json body = Json::MakeObject();
                body.Set("status", ping.ok() ? "ready" : "unavailable");
                body.Set("database", ping.ok() ? "ok" : "unreachable");
                http::Response response = http::Response::Json(ping.ok() ? 200 : 503, body);
                response.WithHeader("Cache-Control", "no-store");
                if (!ping.ok()) response.WithHeader("Retry-After", "5");
                return response;
              },
              .errors = RenderOpsError,
              .summary = "Readiness: the database answers"});
}

}  // namespace portico::ops
