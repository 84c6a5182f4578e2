#include "scim/schema/discovery.h"

#include <string>
#include <utility>

namespace portico::scim {
namespace {

Json Meta(std::string_view resource_type, std::string location) {
  Json meta = Json::MakeObject();
  meta.Set("resourceType", resource_type);
  meta.Set("location", std::move(location));
  return meta;
}

Json Strings(const std::vector<std::string>& values) {
  Json out = Json::MakeArray();
  for (const std::string& v : values) out.Push(v);
  return out;
}

Json AttributeJson(const AttributeDef& a) {
  Json out = Json::MakeObject();
  out.Set("name", a.name);
  out.Set("type", AttrTypeName(a.type));
  out.Set("multiValued", a.multi_valued);
  out.Set("description", a.description);
  out.Set("required", a.required);
  if (a.type != AttrType::kComplex && a.type != AttrType::kBoolean) {
    out.Set("caseExact", a.case_exact);
  }
  if (!a.canonical_values.empty()) out.Set("canonicalValues", Strings(a.canonical_values));
  if (a.type == AttrType::kReference && !a.reference_types.empty()) {
    out.Set("referenceTypes", Strings(a.reference_types));
  }
  out.Set("mutability", MutabilityName(a.mutability));
  out.Set("returned", ReturnedName(a.returned));
  if (a.type != AttrType::kComplex && a.type != AttrType::kBoolean) {
    out.Set("uniqueness", UniquenessName(a.uniqueness));
  }
  if (!a.sub_attributes.empty()) {
    Json subs = Json::MakeArray();
    for (const AttributeDef& sub : a.sub_attributes) subs.Push(AttributeJson(sub));
    out.Set("subAttributes", std::move(subs));
  }
  return out;
}

Json Schemas(std::string_view urn) {
  Json schemas = Json::MakeArray();
  schemas.Push(urn);
  return schemas;
}

Json AuthenticationSchemes(const ScimCapabilities& caps) {
  Json scheme = Json::MakeObject();
  scheme.Set("type", "oauthbearertoken");
  scheme.Set("name", "OAuth Bearer Token");
  scheme.Set("description",
             "Authentication with the tenant's integration key sent as "
             "'Authorization: Bearer <key>' (RFC 6750).");
  scheme.Set("specUri", "https://www.rfc-editor.org/info/rfc6750");
  if (!caps.documentation_uri.empty()) scheme.Set("documentationUri", caps.documentation_uri);
  scheme.Set("primary", true);
  Json list = Json::MakeArray();
  list.Push(std::move(scheme));
  return list;
}

Json Supported(bool supported) {
  Json out = Json::MakeObject();
  out.Set("supported", supported);
  return out;
}

}  // namespace

Json ServiceProviderConfigJson(const ScimCapabilities& caps, std::string_view base_url) {
  Json out = Json::MakeObject();
  out.Set("schemas", Schemas(kServiceProviderConfigSchemaUrn));
  if (!caps.documentation_uri.empty()) out.Set("documentationUri", caps.documentation_uri);
  out.Set("patch", Supported(true));
  Json bulk = Supported(caps.bulk_supported);
  bulk.Set("maxOperations", caps.bulk_max_operations);
  bulk.Set("maxPayloadSize", caps.bulk_max_payload_bytes);
  out.Set("bulk", std::move(bulk));
  Json filter = Supported(true);
  filter.Set("maxResults", caps.filter_max_results);
  out.Set("filter", std::move(filter));
  out.Set("changePassword", Supported(true));
  out.Set("sort", Supported(true));
  out.Set("etag", Supported(true));
  // RFC 9865 §4: both pagination methods, index by default (what RFC 7644 clients expect).
  Json pagination = Json::MakeObject();
  pagination.Set("cursor", true);
  pagination.Set("index", true);
  pagination.Set("defaultPaginationMethod", "index");
  pagination.Set("defaultPageSize", caps.default_page_size);
  pagination.Set("maxPageSize", caps.filter_max_results);
  pagination.Set("cursorTimeout", caps.cursor_timeout_seconds);
  out.Set("pagination", std::move(pagination));
  out.Set("authenticationSchemes", AuthenticationSchemes(caps));
  out.Set("meta", Meta("ServiceProviderConfig", std::string(base_url) + "/ServiceProviderConfig"));
  return out;
}

Json ResourceTypeJson(const ResourceType& type, std::string_view base_url) {
  Json out = Json::MakeObject();
  out.Set("schemas", Schemas(kResourceTypeSchemaUrn));
  out.Set("id", type.name());
  out.Set("name", type.name());
  out.Set("endpoint", type.endpoint());
  out.Set("description", type.description());
  out.Set("schema", type.core().id);
  Json extensions = Json::MakeArray();
  for (const SchemaExtension& ext : type.extensions()) {
    Json e = Json::MakeObject();
    e.Set("schema", ext.schema->id);
    e.Set("required", ext.required);
    extensions.Push(std::move(e));
  }
  out.Set("schemaExtensions", std::move(extensions));
  out.Set("meta", Meta("ResourceType", std::string(base_url) + "/ResourceTypes/" + type.name()));
  return out;
}

Json SchemaJson(const SchemaDef& schema, std::string_view base_url) {
  Json out = Json::MakeObject();
  out.Set("schemas", Schemas(kSchemaSchemaUrn));
  out.Set("id", schema.id);
  out.Set("name", schema.name);
  out.Set("description", schema.description);
  Json attributes = Json::MakeArray();
  for (const AttributeDef& a : schema.attributes) attributes.Push(AttributeJson(a));
  out.Set("attributes", std::move(attributes));
  out.Set("meta", Meta("Schema", std::string(base_url) + "/Schemas/" + schema.id));
  return out;
}

Json ListOf(Json::Array resources) {
  Json out = Json::MakeObject();
  out.Set("schemas", Schemas(kListResponseUrn));
  out.Set("totalResults", static_cast<int64_t>(resources.size()));
  out.Set("itemsPerPage", static_cast<int64_t>(resources.size()));
  out.Set("startIndex", 1);
  out.Set("Resources", Json(std::move(resources)));
  return out;
}

}  // namespace portico::scim
