#pragma once

#include <string>

#include "portico/status.h"
#include "src/http/router.h"
#include "src/openapi/openapi_document.h"

namespace portico::openapi {

// The catalog's anchor and link targets (RFC 9727 §4).
inline constexpr char kOpenApiPath[] = "/openapi.json";
inline constexpr char kApiCatalogPath[] = "/.well-known/api-catalog";

// Adds GET /openapi.json and GET /.well-known/api-catalog, then builds the
// document from the router's whole table (these two routes included), so
// call it after every other route is added. Test hooks added later are not in
// the document by design. Returns BuildOpenApiDocument's error when the route
// table and the documentation differ: the caller should refuse to start.
// The handlers serve prebuilt bytes; thread-safe.
Status AddOpenApiRoutes(http::Router& router, const DocumentOptions& options);

// The RFC 9727 linkset for `base_url` (no trailing slash). Pure.
Json ApiCatalog(const std::string& base_url);

}  // namespace portico::openapi
