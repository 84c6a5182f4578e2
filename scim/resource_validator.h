#pragma once

#include <optional>
#include <string>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"
#include "scim/schema/resource_type.h"

namespace portico::scim {

// A group member as a client names it (RFC 7643 §4.2).
struct MemberRef {
  std::string value;  // the member's id
  std::string type;   // "User", "Group" or empty when the client did not say
};

// A resource body checked against its resource type, in canonical form.
struct ValidatedResource {
  // Canonical attribute names, in the client's order; extension attributes
  // under their schema URN. Without id, meta, schemas, readOnly attributes
  // (RFC 7644 §3.5.1: ignored on write), the writeOnly password and, for
  // groups, the members (they live in the membership table).
  Json document;
  std::optional<std::string> password;  // User.password, to be hashed by the caller
  std::vector<MemberRef> members;       // Group.members
  bool has_members = false;             // the body named `members` (even empty)
};

// Validates a POST/PUT body (RFC 7644 §3.3, §3.5.1) for `type`: a JSON
// object whose attributes exist in the type's schemas (names matched
// case-insensitively, extension attributes under their URN), with values of
// the declared types, required attributes present, at most one `primary`
// true per multi-valued attribute. Null values and empty arrays mean
// "unassigned" and are dropped. Errors: InvalidArgument tagged
// invalidSyntax (not an object, unknown attribute or schema, a name twice),
// invalidValue (wrong type, missing required value, two primaries).
// Pure and thread-safe.
StatusOr<ValidatedResource> ValidateResource(const Json& body, const ResourceType& type);

// Validates one attribute value (single or multi-valued as the definition
// says) and returns it in canonical form (null when unassigned). `where`
// names the attribute in error messages. Used by the PATCH engine too.
StatusOr<Json> ValidateAttributeValue(const AttributeDef& def, const Json& value,
                                      const std::string& where);

}  // namespace portico::scim
