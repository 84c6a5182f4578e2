#pragma once

#include <optional>
#include <string>

// The contract between the SCIM schema (scim/schema implements AttributeResolver for each
// resource type) and the filter grammar (scim/filter only asks it questions).
namespace portico::scim {

// An attribute path as written in the request.
struct AttrPath {
  // Schema URN prefix, empty when none ("urn:ietf:params:scim:schemas:core:2.0:User").
  std::string urn;
  std::string attr;  // e.g. "emails", "name", "userName" (any case as written)
  std::string sub;   // e.g. "value", "givenName"; empty when none
};

enum class AttrType {
  kString,
  kBoolean,
  kDecimal,
  kInteger,
  kDateTime,
  kReference,
  kBinary,
  kComplex
};

// "string", "boolean", … as RFC 7643 §7 spells the types (in /Schemas and in messages).
const char* AttrTypeName(AttrType type);

struct ResolvedAttr {
  std::string urn;    // canonical schema URN the attribute belongs to (core or extension)
  std::string attr;   // canonical spelling ("userName", "emails", "meta")
  std::string sub;    // canonical spelling of the sub-attribute, or empty
  AttrType type;      // type of the leaf (the sub-attribute when sub is set)
  bool multi_valued;  // of the top-level attribute
  bool case_exact;    // of the leaf
};

// Implemented by scim/schema for one resource type (User, Group).
class AttributeResolver {
 public:
  virtual ~AttributeResolver() = default;
  // The attribute the path names in this resource type (matching case-insensitively, URN optional
  // for the core schema, required for extension attributes), or nullopt when there is none.
  // Thread-safe.
  virtual std::optional<ResolvedAttr> Resolve(const AttrPath& path) const = 0;
};

}  // namespace portico::scim
