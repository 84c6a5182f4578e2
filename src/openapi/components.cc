// The document's shared components. Schemas the features define in code come
// from those definitions (SCIM attributes, token endpoint capabilities, signup
// modules); the rest is written in components.json after the validators'
// comments, and tests/unit/openapi checks the request schemas against the
// validators.
#include <cassert>
#include <string>

#include "dcr/token/token_service.h"
#include "portico/parse_json.h"
#include "scim/schema/resource_type.h"
#include "signup/session/create_request.h"
#include "src/openapi/openapi_document.h"

namespace portico::openapi {

// components.json, embedded by CMake (components_json.cc.in).
extern const char kComponentsJson[];

namespace {

Json StringEnum(const std::vector<std::string>& values) {
  Json out = Json::MakeArray();
  for (const std::string& v : values) out.Push(Json(v));
  return out;
}

// RFC 7643 attribute definitions → JSON Schema. Names are case-insensitive in
// SCIM (RFC 7643 §2.1) but not in JSON Schema, so objects stay open
// (additionalProperties: true) and say that the server itself refuses
// attributes its schema does not define (invalidSyntax).
Json AttributeSchema(const scim::AttributeDef& def);

Json AttributesObject(const std::vector<const scim::AttributeDef*>& attrs, bool resource) {
  Json properties = Json::MakeObject();
  Json required = Json::MakeArray();
  for (const scim::AttributeDef* a : attrs) {
    properties.Set(a->name, AttributeSchema(*a));
    if (a->required && a->mutability != scim::Mutability::kReadOnly) required.Push(a->name);
  }
  Json object = Json::MakeObject();
  object.Set("type", "object").Set("properties", std::move(properties));
  if (!required.as_array().empty()) object.Set("required", std::move(required));
  object.Set("additionalProperties", true);
  if (resource) {
    object.Set("description",
               "Attribute names are case-insensitive (RFC 7643 §2.1), which JSON Schema cannot "
               "express; the server refuses names its schema does not define (400 "
               "invalidSyntax) and ignores readOnly ones on write (RFC 7644 §3.5.1).");
  }
  return object;
}

Json AttributeSchema(const scim::AttributeDef& def) {
  Json single = Json::MakeObject();
  switch (def.type) {
    case scim::AttrType::kString:
      single.Set("type", "string");
      break;
    case scim::AttrType::kBoolean:
      single.Set("type", "boolean");
      break;
    case scim::AttrType::kDecimal:
      single.Set("type", "number");
      break;
    case scim::AttrType::kInteger:
      single.Set("type", "integer").Set("format", "int64");
      single.Set("minimum", int64_t{-9007199254740991}).Set("maximum", int64_t{9007199254740991});
      break;
    case scim::AttrType::kDateTime:
      single.Set("type", "string").Set("format", "date-time");
      break;
    case scim::AttrType::kReference:
      single.Set("type", "string").Set("format", "uri-reference");
      break;
    case scim::AttrType::kBinary:
      single.Set("type", "string").Set("contentEncoding", "base64");
      break;
    case scim::AttrType::kComplex: {
      std::vector<const scim::AttributeDef*> subs;
      for (const scim::AttributeDef& s : def.sub_attributes) subs.push_back(&s);
      single = AttributesObject(subs, false);
      break;
    }
  }
  if (!def.canonical_values.empty() && def.type == scim::AttrType::kString) {
    single.Set("examples", StringEnum(def.canonical_values));  // canonical, not exclusive
  }
  Json schema = def.multi_valued
                    ? Json::MakeObject().Set("type", "array").Set("items", std::move(single))
                    : std::move(single);
  if (!def.description.empty()) schema.Set("description", def.description);
  if (def.mutability == scim::Mutability::kReadOnly) schema.Set("readOnly", true);
  if (def.mutability == scim::Mutability::kWriteOnly) schema.Set("writeOnly", true);
  return schema;
}

Json ResourceSchema(const scim::ResourceType& type) {
  std::vector<const scim::AttributeDef*> attrs;
  for (const scim::AttributeDef& a : scim::CommonAttributes()) attrs.push_back(&a);
  for (const scim::AttributeDef& a : type.core().attributes) attrs.push_back(&a);
  Json object = AttributesObject(attrs, true);
  Json* properties = object.Find("properties");
  properties->Set("schemas", Json::MakeObject()
                                 .Set("type", "array")
                                 .Set("maxItems", 16)
                                 .Set("items", Json::MakeObject().Set("type", "string"))
                                 .Set("description", "Must contain " + type.core().id));
  for (const scim::SchemaExtension& ext : type.extensions()) {
    std::vector<const scim::AttributeDef*> ext_attrs;
    for (const scim::AttributeDef& a : ext.schema->attributes) ext_attrs.push_back(&a);
    Json extension = AttributesObject(ext_attrs, false);
    extension.Set("description", ext.schema->name + " (" + ext.schema->id + ")");
    properties->Set(ext.schema->id, std::move(extension));
  }
  Json required = Json::MakeArray().Push("schemas");
  if (const Json* core_required = object.Find("required")) {
    for (const Json& r : core_required->as_array()) required.Push(r);
  }
  object.Set("required", std::move(required));
  return object;
}

void SetEnum(Json& schemas, const char* schema, const char* property,
             const std::vector<std::string>& values, bool items) {
  Json* target = schemas.Find(schema)->Find("properties")->Find(property);
  assert(target != nullptr);
  if (items) target = target->Find("items");
  target->Set("enum", StringEnum(values));
}

}  // namespace

Json PorticoComponents() {
  StatusOr<Json> parsed = ParseJson(kComponentsJson);
  assert(parsed.ok() && "components.cc: components.json must be valid JSON");
  if (!parsed.ok()) return Json::MakeObject();
  Json components = std::move(*parsed);
  Json& schemas = *components.Find("schemas");
  for (const scim::ResourceType* type : scim::AllResourceTypes()) {
    schemas.Set("Scim" + type->name(), ResourceSchema(*type));
  }
  // What the validators accept, from their own definitions.
  SetEnum(schemas, "SignupCreateRequest", "modules", signup::SignupModules(), true);
  const dcr::TokenEndpointCapabilities& token = dcr::TokenService::Capabilities();
  SetEnum(schemas, "TokenRequest", "grant_type", token.grant_types, false);
  SetEnum(schemas, "TokenRequest", "client_assertion_type", {dcr::kJwtBearerAssertionType}, false);
  SetEnum(schemas, "TokenOperationRequest", "client_assertion_type", {dcr::kJwtBearerAssertionType},
          false);
  return components;
}

}  // namespace portico::openapi
