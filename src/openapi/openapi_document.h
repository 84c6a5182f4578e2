#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"
#include "src/http/router.h"

namespace portico::openapi {

// The documentation of one route, keyed by (method, pattern) exactly as the
// route was registered ("/scim/v2/Users/:id"). The builder fills in what the
// route table already knows (summary, tag, path parameters) and renders the
// listed error statuses in the route family's error format.
struct RouteDoc {
  std::string method;
  std::string pattern;
  // An OpenAPI Operation object as JSON text: description, security,
  // parameters (besides the path ones), requestBody and the success responses.
  std::string operation;
  // Error statuses this route answers, each rendered with the family's error
  // schema and media type (429 also gets Retry-After / RateLimit / RateLimit-Policy).
  std::vector<int> errors = {};
  // True for a route that only some builds or branches register (GET /metrics
  // until its branch is merged): no error when the table lacks it.
  bool may_be_absent = false;
};

struct DocumentOptions {
  std::string base_url;        // PUBLIC_BASE_URL without a trailing slash
  std::string version;         // info.version (empty: the build's)
  int64_t max_body_bytes = 0;  // the request size limit: the bound of unbounded strings
};

// "/scim/v2/Users/:id" → "/scim/v2/Users/{id}". Pure.
std::string OpenApiPath(const std::string& pattern);

// Whether the route is a test hook (family "test"): those exist only in test
// builds with PORTICO_ENABLE_TEST_HOOKS=1 and are left out of the document.
bool IsTestHook(const http::Route& route);

// Builds the OpenAPI 3.1 document of `routes` from `docs` and `components`.
// FailedPrecondition naming every offender when a route (other than a test
// hook) has no entry in `docs`, or an entry (not may_be_absent) names no
// route; InvalidArgument when an entry's JSON does not parse or repeats a
// (method, pattern). Pure; thread-safe.
StatusOr<Json> BuildDocument(const std::vector<http::Route>& routes,
                             const std::vector<RouteDoc>& docs, Json components,
                             const DocumentOptions& options);

// The same with Portico's own documentation table and components; an empty
// options.version becomes the build's version.
StatusOr<Json> BuildOpenApiDocument(const std::vector<http::Route>& routes,
                                    DocumentOptions options);

// Portico's documentation of every route it may serve (route_docs.cc).
const std::vector<RouteDoc>& PorticoRouteDocs();
// Portico's shared components: schemas, security schemes, headers (components.cc).
Json PorticoComponents();

}  // namespace portico::openapi
