#include "scim/resource_validator.h"

#include <utility>

#include "scim/patch/compat.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

bool IsBase64(const std::string& s) {
  size_t padding = 0;
  for (char c : s) {
    if (c == '=') {
      ++padding;
      continue;
    }
    if (padding > 0) return false;  // '=' only at the end
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) return false;
  }
  return padding <= 2 && s.size() % 4 == 0;
}

Status WrongType(const std::string& where, const char* expected) {
  return BadRequest(kInvalidValue, "attribute '" + where + "' must be " + expected);
}

// One value of `def` (an element when def is multi-valued).
StatusOr<Json> ValidateSingle(const AttributeDef& def, const Json& v, const std::string& where) {
  if (v.is_null()) return Json();
  switch (def.type) {
    case AttrType::kString:
    case AttrType::kReference:
    case AttrType::kDateTime:
      if (!v.is_string()) return WrongType(where, "a string");
      return v;
    case AttrType::kBinary:
      if (!v.is_string() || !IsBase64(v.as_string())) return WrongType(where, "base64 text");
      return v;
    case AttrType::kBoolean:
      if (!v.is_bool()) return WrongType(where, "true or false");
      return v;
    case AttrType::kInteger:
      if (!v.is_int()) return WrongType(where, "an integer");
      return v;
    case AttrType::kDecimal:
      if (!v.is_number()) return WrongType(where, "a number");
      return v;
    case AttrType::kComplex: {
      if (!v.is_object()) return WrongType(where, "an object");
      Json out = Json::MakeObject();
      for (const auto& [name, sub_value] : v.as_object()) {
        const AttributeDef* sub = def.FindSub(name);
        if (sub == nullptr) {
          return BadRequest(kInvalidSyntax,
                            "attribute '" + where + "' has no sub-attribute '" + name + "'");
        }
        if (out.Find(sub->name) != nullptr) {
          return BadRequest(kInvalidSyntax,
                            "sub-attribute '" + where + "." + sub->name + "' is given twice");
        }
        if (sub->mutability == Mutability::kReadOnly) continue;  // RFC 7644 §3.5.1
        PORTICO_ASSIGN_OR_RETURN(Json value,
                                 ValidateSingle(*sub, sub_value, where + "." + sub->name));
        if (value.is_null()) continue;
        out.Set(sub->name, std::move(value));
      }
      if (out.as_object().empty()) return Json();
      return out;
    }
  }
  return WrongType(where, "a value");
}

}  // namespace

StatusOr<Json> ValidateAttributeValue(const AttributeDef& def, const Json& value,
                                      const std::string& where) {
  if (!def.multi_valued) return ValidateSingle(def, value, where);
  if (value.is_null()) return Json();
  if (!value.is_array()) return WrongType(where, "an array");
  Json out = Json::MakeArray();
  int primaries = 0;
  for (size_t i = 0; i < value.as_array().size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    PORTICO_ASSIGN_OR_RETURN(Json element, ValidateSingle(def, value.as_array()[i], at));
    if (element.is_null()) continue;
    if (const Json* primary = element.is_object() ? element.Find("primary") : nullptr;
        primary != nullptr && primary->as_bool()) {
      ++primaries;
    }
    out.Push(std::move(element));
  }
  // RFC 7643 §2.4: the primary value "true" MUST appear no more than once.
  if (primaries > 1) {
    return BadRequest(kInvalidValue, "attribute '" + where + "' has more than one primary value");
  }
  if (out.as_array().empty()) return Json();
  return out;
}

namespace {

// Adds `name: value` of `def` to `target` unless readOnly or unassigned.
Status Accept(const AttributeDef& def, const Json& value, const std::string& where, Json& target,
              ValidatedResource& result) {
  if (target.Find(def.name) != nullptr) {
    return BadRequest(kInvalidSyntax, "attribute '" + where + "' is given twice");
  }
  if (def.mutability == Mutability::kReadOnly) return Status::Ok();
  // POST and PUT get the same allowances for real clients as PATCH (Entra's
  // bare-string manager, "True"/"False" strings).
  PORTICO_ASSIGN_OR_RETURN(Json canonical,
                           ValidateAttributeValue(def, NormalizeValueForCompat(def, value), where));
  if (canonical.is_null()) return Status::Ok();
  if (def.mutability == Mutability::kWriteOnly) {  // only User.password
    result.password = canonical.as_string();
    return Status::Ok();
  }
  target.Set(def.name, std::move(canonical));
  return Status::Ok();
}

Status CheckSchemas(const Json& schemas, const ResourceType& type) {
  if (!schemas.is_array()) return WrongType("schemas", "an array of schema URNs");
  bool has_core = false;
  for (const Json& urn : schemas.as_array()) {
    if (!urn.is_string()) return WrongType("schemas", "an array of schema URNs");
    // Other URNs are tolerated: Entra's documented Create Group lists a Microsoft schema
    // (…/ADSCIM/2.0/Group) next to the core one. Attributes under an unknown URN are still
    // rejected where they appear.
    if (NameEquals(urn.as_string(), type.core().id)) has_core = true;
  }
  if (!has_core) {
    return BadRequest(kInvalidValue, "'schemas' must contain " + type.core().id);
  }
  return Status::Ok();
}

Status ExtractMembers(Json& document, ValidatedResource& result) {
  Json* members = document.Find("members");
  if (members == nullptr) return Status::Ok();
  for (const Json& m : members->as_array()) {
    const Json* value = m.Find("value");
    if (value == nullptr) return BadRequest(kInvalidValue, "every member needs a 'value'");
    const Json* type = m.Find("type");
    result.members.push_back({value->as_string(), type != nullptr ? type->as_string() : ""});
  }
  document.Erase("members");
  return Status::Ok();
}

}  // namespace

StatusOr<ValidatedResource> ValidateResource(const Json& body, const ResourceType& type) {
  if (!body.is_object())
    return BadRequest(kInvalidSyntax, "the request body must be a JSON object");
  ValidatedResource result;
  result.document = Json::MakeObject();
  for (const auto& [name, value] : body.as_object()) {
    if (NameEquals(name, "schemas")) {
      PORTICO_RETURN_IF_ERROR(CheckSchemas(value, type));
      continue;
    }
    if (const SchemaExtension* ext = type.FindExtension(name)) {
      if (value.is_null()) continue;
      if (!value.is_object()) return WrongType(ext->schema->id, "an object");
      if (result.document.Find(ext->schema->id) != nullptr) {
        return BadRequest(kInvalidSyntax, "schema '" + ext->schema->id + "' is given twice");
      }
      Json extension = Json::MakeObject();
      for (const auto& [ext_name, ext_value] : value.as_object()) {
        const AttributeDef* def = ext->schema->Find(ext_name);
        if (def == nullptr) {
          return BadRequest(kInvalidSyntax,
                            "schema '" + ext->schema->id + "' has no attribute '" + ext_name + "'");
        }
        PORTICO_RETURN_IF_ERROR(Accept(*def, ext_value, def->name, extension, result));
      }
      if (!extension.as_object().empty())
        result.document.Set(ext->schema->id, std::move(extension));
      continue;
    }
    std::optional<AttributeLookup> found = type.Find(AttrPath{"", name, ""});
    if (!found) {
      return BadRequest(kInvalidSyntax,
                        "resource type " + type.name() + " has no attribute '" + name + "'");
    }
    PORTICO_RETURN_IF_ERROR(
        Accept(*found->attr, value, found->attr->name, result.document, result));
  }
  if (type.name() == "Group") {
    for (const auto& [name, value] : body.as_object()) {
      if (NameEquals(name, "members") && !value.is_null()) result.has_members = true;
    }
    PORTICO_RETURN_IF_ERROR(ExtractMembers(result.document, result));
  }
  for (const AttributeDef& def : type.core().attributes) {
    const Json* value = result.document.Find(def.name);
    if (def.required && (value == nullptr || (value->is_string() && value->as_string().empty()))) {
      return BadRequest(kInvalidValue, "attribute '" + def.name + "' is required");
    }
  }
  return result;
}

}  // namespace portico::scim
