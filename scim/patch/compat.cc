#include "scim/patch/compat.h"

#include <string>
#include <utility>

namespace portico::scim {
namespace {

Json NormalizeSingle(const AttributeDef& def, const Json& value) {
  switch (def.type) {
    case AttrType::kBoolean:
      // Entra's known issue: booleans as the strings "True" / "False".
      if (value.is_string()) {
        if (NameEquals(value.as_string(), "true")) return Json(true);
        if (NameEquals(value.as_string(), "false")) return Json(false);
      }
      return value;
    case AttrType::kComplex: {
      if (value.is_string()) {
        // Entra sends manager as the manager's id rather than {"value": id}.
        if (def.FindSub("value") != nullptr) return Json::MakeObject().Set("value", value);
        return value;
      }
      if (!value.is_object()) return value;
      Json out = value;
      for (auto& [name, sub_value] : out.as_object()) {
        if (const AttributeDef* sub = def.FindSub(name))
          sub_value = NormalizeSingle(*sub, sub_value);
      }
      return out;
    }
    default:
      return value;
  }
}

}  // namespace

std::optional<PatchOpKind> ParsePatchOpName(std::string_view name) {
  if (NameEquals(name, "add")) return PatchOpKind::kAdd;
  if (NameEquals(name, "remove")) return PatchOpKind::kRemove;
  if (NameEquals(name, "replace")) return PatchOpKind::kReplace;
  return std::nullopt;
}

Json NormalizeValueForCompat(const AttributeDef& def, const Json& value) {
  if (!def.multi_valued) return NormalizeSingle(def, value);
  if (value.is_null()) return value;
  Json out = Json::MakeArray();
  if (!value.is_array()) {
    out.Push(NormalizeSingle(def, value));
    return out;
  }
  for (const Json& element : value.as_array()) out.Push(NormalizeSingle(def, element));
  return out;
}

}  // namespace portico::scim
