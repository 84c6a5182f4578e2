#include "src/openapi/openapi_routes.h"

#include <memory>
#include <utility>

namespace portico::openapi {
namespace {

// Both documents change only with a new binary or configuration (a restart);
// an hour bounds how long a cache serves the old one.
constexpr char kCacheControl[] = "public, max-age=3600";

Json Link(const std::string& href, const char* type) {
  return Json::MakeArray().Push(Json::MakeObject().Set("href", href).Set("type", type));
}

}  // namespace

Json ApiCatalog(const std::string& base_url) {
  Json entry = Json::MakeObject();
  entry.Set("anchor", base_url + kApiCatalogPath)
      .Set("service-desc", Link(base_url + kOpenApiPath, "application/vnd.oai.openapi+json"))
      // The README's walk-through is the human documentation; the OpenAPI
      // document's descriptions are its reference part.
      .Set("service-doc", Link(base_url + kOpenApiPath, "application/json"))
      .Set("status", Link(base_url + "/healthz", "application/json"));
  return Json::MakeObject().Set("linkset", Json::MakeArray().Push(std::move(entry)));
}

Status AddOpenApiRoutes(http::Router& router, const DocumentOptions& options) {
  // Filled below, once the table holds these routes too; read-only afterwards.
  auto document = std::make_shared<std::string>();
  router.Add({.method = "GET",
              .pattern = kOpenApiPath,
              .family = "ops",
              .handler = [document](http::Request&) -> StatusOr<http::Response> {
                http::Response response = http::Response::Text(200, *document, "application/json");
                response.WithHeader("Cache-Control", kCacheControl);
                return response;
              },
              .summary = "This OpenAPI 3.1 document"});
  auto catalog = std::make_shared<const std::string>(ApiCatalog(options.base_url).Dump());
  router.Add({.method = "GET",
              .pattern = kApiCatalogPath,
              .family = "ops",
              .handler = [catalog](http::Request&) -> StatusOr<http::Response> {
                // RFC 9727 §2: the catalog is an RFC 9264 linkset.
                http::Response response =
                    http::Response::Text(200, *catalog, "application/linkset+json");
                response.WithHeader("Cache-Control", kCacheControl);
                return response;
              },
              .summary = "API catalog (RFC 9727)"});
  PORTICO_ASSIGN_OR_RETURN(Json built, BuildOpenApiDocument(router.routes(), options));
  *document = built.Dump();
  return Status::Ok();
}

}  // namespace portico::openapi
