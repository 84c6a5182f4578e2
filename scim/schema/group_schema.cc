// RFC 7643 §4.2 (schema representation §8.7.1): the Group attribute definitions.
#include "scim/schema/attribute_builder.h"
#include "scim/schema/resource_type.h"

namespace portico::scim {
namespace {

using namespace schema_builder;

SchemaDef BuildGroupSchema() {
  SchemaDef s;
  s.id = std::string(kGroupSchemaUrn);
  s.name = "Group";
  s.description = "Group";
  s.attributes = {
      Required(Str("displayName", "A human-readable name for the Group. REQUIRED.")),
      Multi(Complex(
          "members", "A list of members of the Group.",
          {With(Str("value", "Identifier of the member of this Group."), Mutability::kImmutable),
           With(Refs(Attr("$ref", AttrType::kReference,
                          "The URI corresponding to a SCIM resource that is a member of this "
                          "Group."),
                     {"User", "Group"}),
                Mutability::kImmutable),
           With(Canonical(Str("type", "A label indicating the type of resource."),
                          {"User", "Group"}),
                Mutability::kImmutable),
           With(Str("display", "The member's display name (computed)."), Mutability::kReadOnly)})),
  };
  return s;
}

}  // namespace

const SchemaDef& GroupSchema() {
  static const SchemaDef schema = BuildGroupSchema();
  return schema;
}

}  // namespace portico::scim
