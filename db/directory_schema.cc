#include "db/directory_schema.h"

#include <cstdlib>
#include <utility>

#include "portico/case_fold.h"
#include "scim/filter/ast.h"
#include "scim/schema/resource_type.h"

namespace portico::db {
namespace {

struct ColumnSpec {
  std::string_view urn;
  const char* attr;
  const char* sub;
  const char* column;
  ColumnKind kind;
};

// The case rule of a column is the schema's, never a second opinion.
bool SchemaCaseExact(const scim::ResourceType& type, std::string_view urn, std::string_view attr,
                     std::string_view sub) {
  std::optional<scim::ResolvedAttr> resolved =
      type.Resolve(scim::AttrPath{std::string(urn), std::string(attr), std::string(sub)});
  if (!resolved) std::abort();  // the table names an attribute the schema lacks: a build bug
  return resolved->case_exact;
}

std::vector<ScalarColumn> Build(const scim::ResourceType& type,
                                std::initializer_list<ColumnSpec> specs) {
  std::vector<ScalarColumn> out;
  for (const ColumnSpec& s : specs) {
    out.push_back(ScalarColumn{std::string(s.urn), s.attr, s.sub, s.column, s.kind,
                               SchemaCaseExact(type, s.urn, s.attr, s.sub)});
  }
  return out;
}

std::vector<ScalarColumn> BuildUserColumns() {
  using scim::kEnterpriseUserSchemaUrn;
  using scim::kUserSchemaUrn;
  const ColumnKind kText = ColumnKind::kText;
  return Build(scim::UserResourceType(),
               {
                   {kUserSchemaUrn, "userName", "", "user_name_key", kText},
                   {kUserSchemaUrn, "externalId", "", "external_id", kText},
                   {kUserSchemaUrn, "active", "", "active", ColumnKind::kBoolean},
                   {kUserSchemaUrn, "displayName", "", "m_display_name", kText},
                   {kUserSchemaUrn, "nickName", "", "m_nick_name", kText},
                   {kUserSchemaUrn, "profileUrl", "", "m_profile_url", kText},
                   {kUserSchemaUrn, "title", "", "m_title", kText},
                   {kUserSchemaUrn, "userType", "", "m_user_type", kText},
                   {kUserSchemaUrn, "preferredLanguage", "", "m_preferred_language", kText},
                   {kUserSchemaUrn, "locale", "", "m_locale", kText},
                   {kUserSchemaUrn, "timezone", "", "m_timezone", kText},
                   {kUserSchemaUrn, "name", "formatted", "m_name_formatted", kText},
                   {kUserSchemaUrn, "name", "familyName", "m_name_family_name", kText},
                   {kUserSchemaUrn, "name", "givenName", "m_name_given_name", kText},
                   {kUserSchemaUrn, "name", "middleName", "m_name_middle_name", kText},
                   {kUserSchemaUrn, "name", "honorificPrefix", "m_name_honorific_prefix", kText},
                   {kUserSchemaUrn, "name", "honorificSuffix", "m_name_honorific_suffix", kText},
                   {kEnterpriseUserSchemaUrn, "employeeNumber", "", "m_employee_number", kText},
                   {kEnterpriseUserSchemaUrn, "costCenter", "", "m_cost_center", kText},
                   {kEnterpriseUserSchemaUrn, "organization", "", "m_organization", kText},
                   {kEnterpriseUserSchemaUrn, "division", "", "m_division", kText},
                   {kEnterpriseUserSchemaUrn, "department", "", "m_department", kText},
                   {kEnterpriseUserSchemaUrn, "manager", "value", "m_manager_value", kText},
                   {kEnterpriseUserSchemaUrn, "manager", "$ref", "m_manager_ref", kText},
               });
}

std::vector<ScalarColumn> BuildGroupColumns() {
  using scim::kGroupSchemaUrn;
  return Build(scim::GroupResourceType(),
               {
                   {kGroupSchemaUrn, "displayName", "", "display_name_key", ColumnKind::kText},
                   {kGroupSchemaUrn, "externalId", "", "external_id", ColumnKind::kText},
               });
}

std::vector<ValueColumn> ValueColumns(
    const char* attr, std::initializer_list<std::pair<const char*, const char*>> subs) {
  std::vector<ValueColumn> out;
  for (const auto& [sub, column] : subs) {
    const ColumnKind kind =
        std::string_view(sub) == "primary" ? ColumnKind::kBoolean : ColumnKind::kText;
    out.push_back(
        ValueColumn{sub, column, kind,
                    SchemaCaseExact(scim::UserResourceType(), scim::kUserSchemaUrn, attr, sub)});
  }
  return out;
}

std::vector<ValuesAttribute> BuildValuesAttributes() {
  std::vector<ValuesAttribute> out;
  for (const char* attr :
       {"emails", "phoneNumbers", "ims", "photos", "entitlements", "roles", "x509Certificates"}) {
    out.push_back(ValuesAttribute{attr, ValueColumns(attr, {{"value", "value"},
                                                            {"display", "display"},
                                                            {"type", "type"},
                                                            {"primary", "is_primary"}})});
  }
  out.push_back(
      ValuesAttribute{"addresses", ValueColumns("addresses", {{"formatted", "formatted"},
                                                              {"streetAddress", "street_address"},
                                                              {"locality", "locality"},
                                                              {"region", "region"},
                                                              {"postalCode", "postal_code"},
                                                              {"country", "country"},
                                                              {"type", "type"},
                                                              {"primary", "is_primary"}})});
  return out;
}

}  // namespace

const std::vector<ScalarColumn>& ScalarColumns(DirectoryResource resource) {
  static const std::vector<ScalarColumn> users = BuildUserColumns();
  static const std::vector<ScalarColumn> groups = BuildGroupColumns();
  return resource == DirectoryResource::kUser ? users : groups;
}

const ScalarColumn* FindScalarColumn(DirectoryResource resource, const scim::ResolvedAttr& attr) {
  for (const ScalarColumn& c : ScalarColumns(resource)) {
    if (c.urn == attr.urn && c.attr == attr.attr && c.sub == attr.sub) return &c;
  }
  return nullptr;
}

const std::vector<ValuesAttribute>& UserValuesAttributes() {
  static const std::vector<ValuesAttribute> attrs = BuildValuesAttributes();
  return attrs;
}

const ValuesAttribute* FindValuesAttribute(std::string_view attr) {
  for (const ValuesAttribute& a : UserValuesAttributes()) {
    if (attr == a.attr) return &a;
  }
  return nullptr;
}

const ValueColumn* FindValueColumn(const ValuesAttribute& attr, std::string_view sub) {
  for (const ValueColumn& c : attr.columns) {
    if (sub == c.sub) return &c;
  }
  return nullptr;
}

const Json* LookupAttribute(const Json& document, std::string_view urn, std::string_view attr,
                            std::string_view sub) {
  const Json* holder = &document;
  if (!scim::IsCoreSchemaUrn(urn)) {
    holder = document.Find(urn);
    if (holder == nullptr) return nullptr;
  }
  const Json* value = holder->Find(attr);
  if (value == nullptr || sub.empty()) return value;
  return value->Find(sub);
}

ColumnValue ComputeColumn(ColumnKind kind, bool case_exact, const Json* value) {
  ColumnValue out;
  if (value == nullptr) return out;
  if (kind == ColumnKind::kBoolean) {
    if (!value->is_bool()) return out;
    out.null = false;
    out.integer = value->as_bool() ? 1 : 0;
    return out;
  }
  if (!value->is_string()) return out;
  out.null = false;
  out.text = case_exact ? value->as_string() : FoldCase(value->as_string());
  return out;
}

std::vector<ColumnValue> ComputeScalarColumns(DirectoryResource resource, const Json& document) {
  std::vector<ColumnValue> out;
  for (const ScalarColumn& c : ScalarColumns(resource)) {
    out.push_back(
        ComputeColumn(c.kind, c.case_exact, LookupAttribute(document, c.urn, c.attr, c.sub)));
  }
  return out;
}

std::string ComputeUserValueRows(const Json& document, int* count) {
  Json rows = Json::MakeArray();
  *count = 0;
  for (const ValuesAttribute& attr : UserValuesAttributes()) {
    const Json* values = document.Find(attr.attr);
    if (values == nullptr || !values->is_array()) continue;
    int ord = 0;
    for (const Json& element : values->as_array()) {
      if (!element.is_object()) continue;
      Json row = Json::MakeObject();
      row.Set("attr", attr.attr);
      row.Set("ord", ord++);
      for (const ValueColumn& c : attr.columns) {
        ColumnValue v = ComputeColumn(c.kind, c.case_exact, element.Find(c.sub));
        if (v.null) continue;
        if (c.kind == ColumnKind::kBoolean) {
          row.Set(c.column, v.integer);
        } else {
          row.Set(c.column, std::move(v.text));
        }
      }
      rows.Push(std::move(row));
      ++*count;
    }
  }
  return rows.Dump();
}

}  // namespace portico::db
