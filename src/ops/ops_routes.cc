#include "src/ops/ops_routes.h"

#include <string>

#include "portico/clock.h"
#include "portico/crypto.h"

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
                response.NoStore();
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
                response.NoStore();
                if (!ping.ok()) response.WithHeader("Retry-After", "5");
                return response;
              },
              .errors = RenderOpsError,
              .summary = "Readiness: the database answers"});
}

void AddMetricsRoute(http::Router& router, const Metrics& metrics, std::string bearer_token) {
  router.Add({.method = "GET",
              .pattern = "/metrics",
              .family = "ops",
              .handler = [&metrics, token = std::move(bearer_token)](
                             http::Request& req) -> StatusOr<http::Response> {
                if (!token.empty()) {
                  const std::optional<std::string> auth = req.Header("authorization");
                  constexpr std::string_view kBearer = "Bearer ";
                  if (!auth || auth->size() <= kBearer.size() ||
                      !http::EqualsIgnoreCase(std::string_view(*auth).substr(0, kBearer.size()),
                                        kBearer) ||
                      !ConstantTimeEquals(std::string_view(*auth).substr(kBearer.size()), token)) {
                    return Unauthenticated("a valid metrics bearer token is required");
                  }
                }
                http::Response response;
                response.body = metrics.Render();
                response.content_type = "text/plain; version=0.0.4; charset=utf-8";
                response.NoStore();
                return response;
              },
              .errors = RenderOpsError,
              .summary = "Prometheus metrics (text format 0.0.4)"});
}

}  // namespace portico::ops
