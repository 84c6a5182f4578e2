#pragma once

// Internal to db/: where each filterable SCIM attribute of a User or Group
// lives in the directory tables (migrations 002_directory.sql), and how the
// match columns are computed from a resource document. This table is the
// allow-list: filter_sql.cc names no column that is not listed here.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"
#include "scim/filter/attribute_resolver.h"

namespace portico::db {

enum class DirectoryResource { kUser, kGroup };

// How a column holds its attribute's value.
enum class ColumnKind {
  kText,     // string / reference / binary: FoldCase'd unless the attribute is caseExact
  kBoolean,  // 0 / 1
};

// A single-valued attribute (or sub-attribute of a single-valued complex
// attribute) stored in its own column of users / directory_groups.
struct ScalarColumn {
  std::string urn;   // canonical schema URN, as in ResolvedAttr::urn
  std::string attr;  // canonical attribute name
  std::string sub;   // canonical sub-attribute name, or empty
  const char* column;
  ColumnKind kind;
  bool case_exact;  // from the schema: the column holds the value as given
};

// The match columns of users (userName → user_name_key, externalId, active,
// m_*) or directory_groups (displayName → display_name_key, externalId), in
// a fixed order. Built once from the schema; thread-safe.
const std::vector<ScalarColumn>& ScalarColumns(DirectoryResource resource);
const ScalarColumn* FindScalarColumn(DirectoryResource resource, const scim::ResolvedAttr& attr);

// A sub-attribute of a multi-valued User attribute, one column of user_values.
struct ValueColumn {
  const char* sub;  // canonical sub-attribute name
  const char* column;
  ColumnKind kind;
  bool case_exact;
};

// The multi-valued User attributes kept in user_values, with their columns
// (emails, phoneNumbers, ims, photos, entitlements, roles, x509Certificates:
// value/display/type/primary; addresses: formatted … country, type, primary).
struct ValuesAttribute {
  const char* attr;
  std::vector<ValueColumn> columns;
};
const std::vector<ValuesAttribute>& UserValuesAttributes();
const ValuesAttribute* FindValuesAttribute(std::string_view attr);
const ValueColumn* FindValueColumn(const ValuesAttribute& attr, std::string_view sub);

// The value at (urn, attr, sub) of a document, or nullptr: core attributes
// are members of the document, extension attributes members of the object
// under their URN.
const Json* LookupAttribute(const Json& document, std::string_view urn, std::string_view attr,
                            std::string_view sub);

// A column value computed from a document: null when the attribute is absent
// or of the wrong JSON type.
struct ColumnValue {
  bool null = true;
  std::string text;
  int integer = 0;
};
ColumnValue ComputeColumn(ColumnKind kind, bool case_exact, const Json* value);

// The match values of `document` for every ScalarColumns(resource) entry, in
// the same order.
std::vector<ColumnValue> ComputeScalarColumns(DirectoryResource resource, const Json& document);

// The user_values rows of a User document as JSON array text, one object per
// element of a multi-valued attribute, keyed by user_values column name:
// {"attr": "emails", "ord": 0, "value": "…", "is_primary": 1, …}; null
// columns are left out. Elements that are not objects are skipped. Sets
// *count to the number of rows.
std::string ComputeUserValueRows(const Json& document, int* count);

}  // namespace portico::db
