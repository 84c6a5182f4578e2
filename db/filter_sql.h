#pragma once

// Internal to db/: SCIM filters (the resolved AST of scim/filter/ast.h) and
// sort attributes as SQL over the directory tables, for SQLite and
// PostgreSQL. Values are always bound parameters; column names come only
// from the allow-list in directory_schema.h. The result selects exactly the
// resources scim::Matches() accepts (the oracle; see the semantics in
// ast.h), which tests/contract/filter_sql_test.cc checks on both dialects.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/directory_schema.h"
#include "db/open_database.h"
#include "portico/status.h"
#include "scim/filter/ast.h"

namespace portico::db {

// One bound value.
struct SqlParam {
  enum class Kind { kText, kInteger };
  Kind kind = Kind::kText;
  std::string text;
  long long integer = 0;

  static SqlParam Text(std::string value);
  static SqlParam Integer(long long value);
};

// SQL text with its parameters, in the order of their placeholders. Every
// placeholder has its own name (":p0", ":p1", …): SQLite would give two
// occurrences of one name a single slot, PostgreSQL (through SOCI) two.
struct SqlBuilder {
  std::string sql;
  std::vector<SqlParam> params;

  SqlBuilder& Append(std::string_view text);
  // Appends a placeholder for `param`.
  SqlBuilder& Bind(SqlParam param);
};

// Appends to `out` a boolean SQL expression that is true exactly for the rows
// of `r` (alias of users for kUser, directory_groups for kGroup) that satisfy
// `filter` (resolved against scim::UserResourceType() / GroupResourceType()).
// Every predicate is two-valued (never NULL), so NOT is the exact complement.
// Multi-valued attributes become `r.id IN (subquery)` over user_values or
// group_members, scoped to `tenant_id`; a value path is one same-row
// subquery. Returns InvalidArgument tagged invalidFilter (and leaves `out` in
// an unspecified state) for attributes that are not stored or computed:
// password, meta.location, meta.version, groups.$ref, members.$ref,
// manager.displayName — rejected rather than answered differently from
// Matches(). Thread-safe.
Status AppendFilterSql(const scim::Filter& filter, DirectoryResource resource, Dialect dialect,
                       std::string_view tenant_id, SqlBuilder& out);

// What a list is ordered by for a sortBy attribute (RFC 7644 §3.4.2.3): an
// expression over `r` without parameters, compared as text (byte order;
// FoldCase'd unless caseExact) or as an integer (booleans 0/1, dateTimes Unix
// ms). A multi-valued attribute sorts by its primary element's value, else by
// its first element's (by position). nullopt when the attribute has one
// value for every resource (meta.resourceType). InvalidArgument tagged
// invalidValue for attributes with no sortable column (complex attributes
// without sub-attribute, groups, members, password, …). Thread-safe.
struct SortExpression {
  std::string sql;
  bool integer = false;
};
StatusOr<std::optional<SortExpression>> SortSql(const scim::ResolvedAttr& attr,
                                                DirectoryResource resource);

}  // namespace portico::db
