#pragma once

#include <memory>
#include <optional>
#include <string>

#include "portico/clock.h"
#include "portico/json.h"
#include "portico/status.h"
#include "scim/directory_store.h"
#include "scim/filter/ast.h"
#include "scim/resource_renderer.h"
#include "scim/schema/resource_type.h"

namespace portico::scim {

// The list parameters as a client sent them (RFC 7644 §3.4.2 query string
// or §3.4.3 POST /.search body; RFC 9865 cursor), not yet checked.
struct ListParams {
  std::optional<std::string> filter, sort_by, sort_order, attributes, excluded_attributes;
  std::optional<std::string> start_index, count, cursor;
};

// Reads a POST /.search body (RFC 7644 §3.4.3): numbers may be JSON numbers,
// `attributes` arrays of strings. InvalidArgument (invalidSyntax/invalidValue).
StatusOr<ListParams> ListParamsFromSearchBody(const Json& body);

// The parameters checked and resolved against a resource type. Owns the
// filter AST that `page.filter` points to: do not copy while `page` is used
// (moving is fine: the AST lives on the heap).
struct ListQuery {
  std::unique_ptr<Filter> filter;
  PageRequest page;
  Projection projection;
  bool cursor_paging = false;  // RFC 9865: answer with nextCursor
  std::string query_hash;      // binds a cursor to the filter and sort it was made for
};

// Pagination limits (ServiceProviderConfig says the same numbers).
struct ListLimits {
  int default_count = 100;
  int max_count = 1000;
};

// RFC 7644 §3.4.2: startIndex < 1 is 1; a negative count is 0; count above
// max_count is max_count. Errors (InvalidArgument): invalidFilter from the
// filter parser; invalidValue for a non-numeric startIndex/count, an unknown
// sortBy attribute or a sortOrder other than ascending/descending;
// invalidCursor for a cursor that is malformed, forged or made for another
// query; expiredCursor for one past its time. `cursor_key` signs cursors.
StatusOr<ListQuery> BuildListQuery(const ListParams& params, const ResourceType& type,
                                   const ListLimits& limits, std::string_view cursor_key,
                                   TimePoint now);

// An RFC 9865 cursor for `position` (a store position), valid `ttl`.
std::string MakeCursor(std::string_view position, const ListQuery& query,
                       std::string_view cursor_key, TimePoint expires_at);

}  // namespace portico::scim
