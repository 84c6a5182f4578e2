#include "scim/schema/attribute.h"

namespace portico::scim {

const char* MutabilityName(Mutability m) {
  switch (m) {
    case Mutability::kReadOnly:
      return "readOnly";
    case Mutability::kReadWrite:
      return "readWrite";
    case Mutability::kImmutable:
      return "immutable";
    case Mutability::kWriteOnly:
      return "writeOnly";
  }
  return "readWrite";
}

const char* ReturnedName(Returned r) {
  switch (r) {
    case Returned::kAlways:
      return "always";
    case Returned::kNever:
      return "never";
    case Returned::kDefault:
      return "default";
    case Returned::kRequest:
      return "request";
  }
  return "default";
}

const char* UniquenessName(Uniqueness u) {
  switch (u) {
    case Uniqueness::kNone:
      return "none";
    case Uniqueness::kServer:
      return "server";
    case Uniqueness::kGlobal:
      return "global";
  }
  return "none";
}

bool NameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

const AttributeDef* AttributeDef::FindSub(std::string_view sub_name) const {
  for (const AttributeDef& sub : sub_attributes) {
    if (NameEquals(sub.name, sub_name)) return &sub;
  }
  return nullptr;
}

const AttributeDef* SchemaDef::Find(std::string_view attr_name) const {
  for (const AttributeDef& attr : attributes) {
    if (NameEquals(attr.name, attr_name)) return &attr;
  }
  return nullptr;
}

}  // namespace portico::scim
