#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "portico/status.h"
#include "src/http/request.h"
#include "src/http/response.h"

namespace portico::http {

// Renders a non-OK Status in one API family's wire format. Must be thread-safe.
using ErrorRenderer = std::function<Response(const Status&, const Request&)>;
// A synchronous handler; runs on a reactor thread, so it must not block long.
// Exceptions are caught by the server (500, what() only logged).
using Handler = std::function<StatusOr<Response>(Request&)>;
// Completes an async request. Call it exactly once, from any thread; later
// calls are ignored, and dropping every copy without calling it answers 500.
using Reply = std::function<void(StatusOr<Response>)>;
using AsyncHandler = std::function<void(std::shared_ptr<Request>, Reply)>;

struct Route {
  std::string method = {};   // "GET", "POST", …
  std::string pattern = {};  // "/scim/v2/Users/:id" — literal segments and ":name" segments
  // "ops", "scim", "dcr", "signup", "auth", "wellknown" — logs, metrics, OpenAPI.
  std::string family = {};
  Handler handler = {};  // exactly one of handler / async_handler
  AsyncHandler async_handler = {};
  // Renders a non-OK Status in the family's wire format; null → GenericErrorResponse.
  // Also renders this route's 413 (kTooLarge) and 400 for a malformed query.
  ErrorRenderer errors = {};
  std::string summary = {};  // one line, for OpenAPI later
};

// The route table. Build it completely (Add, SetFallback) before a Server
// uses it; after that it is immutable and Find/FallbackFor are thread-safe.
class Router {
 public:
  Router();
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Asserts on a duplicate (method, pattern), a pattern not starting with '/',
  // an empty ":" name, or a route with not exactly one handler.
  void Add(Route route);
  // Unmatched paths under the longest matching prefix (segment boundary: "/scim"
  // covers "/scim" and "/scim/…", not "/scimx") get 404 (or 405 with Allow when
  // the path exists for another method) rendered by that renderer. Without a
  // matching prefix: GenericErrorResponse. What the renderer is given:
  //   404: NotFound;
  //   405: InvalidArgument tagged "method_not_allowed" (no StatusCode means
  //        405: the server then sets the status to 405 and adds Allow);
  //   400: InvalidArgument for a malformed %-escape in the path;
  //   413: TooLarge for a body over the limit on an unmatched path.
  void SetFallback(std::string prefix, ErrorRenderer errors);
  const std::vector<Route>& routes() const;

  // Literal segments win over parameters (with backtracking); segment-wise match
  // on the decoded path; a parameter never matches an empty segment. On no
  // route for `method`: route == nullptr and allowed_methods lists the methods
  // of the patterns that match the path (empty → 404, else 405).
  struct Match {
    const Route* route = nullptr;
    std::map<std::string, std::string> params = {};
    std::vector<std::string> allowed_methods = {};
  };
  Match Find(std::string_view method, std::string_view path) const;
  // A copy of the renderer for 404/405/400 on `path` (never null).
  ErrorRenderer FallbackFor(std::string_view path) const;
  // The same without copying: a pointer into the router, valid for its lifetime.
  const ErrorRenderer& FallbackRef(std::string_view path) const;

 private:
  struct Node;
  std::vector<Route> routes_;
  std::unique_ptr<Node> root_;
  std::vector<std::pair<std::string, ErrorRenderer>> fallbacks_;
  ErrorRenderer generic_;
};

// The renderer a route uses: its own, else GenericErrorResponse.
Response RenderError(const Route* route, const ErrorRenderer& fallback, const Status& status,
                     const Request& request);

}  // namespace portico::http
