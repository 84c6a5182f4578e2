#pragma once

#include <string>
#include <utility>
#include <vector>

#include "scim/schema/attribute.h"

namespace portico::scim::schema_builder {

// Terse builders for the static schema tables; defaults are RFC 7643 §2.2's
// (readWrite, returned default, uniqueness none, caseExact false).
inline AttributeDef Attr(std::string name, AttrType type, std::string description) {
  AttributeDef a;
  a.name = std::move(name);
  a.type = type;
  a.description = std::move(description);
  return a;
}
inline AttributeDef Str(std::string name, std::string description) {
  return Attr(std::move(name), AttrType::kString, std::move(description));
}
inline AttributeDef Required(AttributeDef a) {
  a.required = true;
  return a;
}
inline AttributeDef CaseExact(AttributeDef a) {
  a.case_exact = true;
  return a;
}
inline AttributeDef Multi(AttributeDef a) {
  a.multi_valued = true;
  return a;
}
inline AttributeDef With(AttributeDef a, Mutability m) {
  a.mutability = m;
  return a;
}
inline AttributeDef With(AttributeDef a, Returned r) {
  a.returned = r;
  return a;
}
inline AttributeDef With(AttributeDef a, Uniqueness u) {
  a.uniqueness = u;
  return a;
}
inline AttributeDef Canonical(AttributeDef a, std::vector<std::string> values) {
  a.canonical_values = std::move(values);
  return a;
}
inline AttributeDef Refs(AttributeDef a, std::vector<std::string> types) {
  a.reference_types = std::move(types);
  return a;
}
inline AttributeDef Complex(std::string name, std::string description,
                            std::vector<AttributeDef> subs) {
  AttributeDef a = Attr(std::move(name), AttrType::kComplex, std::move(description));
  a.sub_attributes = std::move(subs);
  return a;
}
inline AttributeDef ReadOnly(AttributeDef a) {
  a.mutability = Mutability::kReadOnly;
  for (AttributeDef& sub : a.sub_attributes) sub.mutability = Mutability::kReadOnly;
  return a;
}

// RFC 7643 §2.4: the value/display/type/primary shape of multi-valued attributes.
inline AttributeDef MultiValued(std::string name, std::string description, AttrType value_type,
                                std::vector<std::string> types) {
  return Multi(Complex(
      std::move(name), std::move(description),
      {Attr("value", value_type, "The attribute's significant value."),
       Str("display", "A human-readable name, primarily used for display purposes."),
       Canonical(Str("type", "A label indicating the attribute's function."), std::move(types)),
       Attr("primary", AttrType::kBoolean,
            "A Boolean value indicating the 'primary' or preferred attribute value.")}));
}

}  // namespace portico::scim::schema_builder
