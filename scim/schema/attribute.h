#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scim/filter/attribute_resolver.h"

namespace portico::scim {

// RFC 7643 §2.2 / §7: the characteristics every attribute definition carries.
enum class Mutability { kReadOnly, kReadWrite, kImmutable, kWriteOnly };
enum class Returned { kAlways, kNever, kDefault, kRequest };
enum class Uniqueness { kNone, kServer, kGlobal };

const char* MutabilityName(Mutability m);
const char* ReturnedName(Returned r);
const char* UniquenessName(Uniqueness u);

// One attribute of a schema. The definitions in user_schema.cc and
// group_schema.cc are the single source for request validation, filter
// resolution and the /Schemas documents.
struct AttributeDef {
  std::string name;
  AttrType type = AttrType::kString;
  bool multi_valued = false;
  std::string description;
  bool required = false;
  bool case_exact = false;
  Mutability mutability = Mutability::kReadWrite;
  Returned returned = Returned::kDefault;
  Uniqueness uniqueness = Uniqueness::kNone;
  std::vector<std::string> canonical_values;
  std::vector<std::string> reference_types;
  std::vector<AttributeDef> sub_attributes;

  // The sub-attribute named `name` (ASCII case-insensitive), or nullptr.
  const AttributeDef* FindSub(std::string_view sub_name) const;
};

struct SchemaDef {
  std::string id;  // the schema URN
  std::string name;
  std::string description;
  std::vector<AttributeDef> attributes;

  // The top-level attribute named `name` (ASCII case-insensitive), or nullptr.
  const AttributeDef* Find(std::string_view attr_name) const;
};

// ASCII case-insensitive equality: SCIM attribute names and URNs are ASCII and
// case-insensitive (RFC 7643 §2.1).
bool NameEquals(std::string_view a, std::string_view b);

}  // namespace portico::scim
