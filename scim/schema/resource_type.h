#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scim/filter/attribute_resolver.h"
#include "scim/schema/attribute.h"

namespace portico::scim {

inline constexpr std::string_view kUserSchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view kGroupSchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view kEnterpriseUserSchemaUrn =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

struct SchemaExtension {
  const SchemaDef* schema;
  bool required;
};

// Where a path lands in a resource type's schemas.
struct AttributeLookup {
  const SchemaDef* schema;   // the core schema or an extension
  bool common;               // id, externalId, meta (RFC 7643 §3.1): no schema of their own
  const AttributeDef* attr;  // top-level attribute
  const AttributeDef* sub;   // sub-attribute, or nullptr
};

// A SCIM resource type (RFC 7643 §6): its core schema and extensions. It
// resolves attribute paths for the filter parser and the PATCH engine.
// Immutable after construction; thread-safe.
class ResourceType final : public AttributeResolver {
 public:
  ResourceType(std::string name, std::string endpoint, std::string description,
               const SchemaDef* core, std::vector<SchemaExtension> extensions);

  const std::string& name() const { return name_; }          // "User", also its id
  const std::string& endpoint() const { return endpoint_; }  // "/Users"
  const std::string& description() const { return description_; }
  const SchemaDef& core() const { return *core_; }
  const std::vector<SchemaExtension>& extensions() const { return extensions_; }

  // The extension whose URN is `urn` (case-insensitive), or nullptr.
  const SchemaExtension* FindExtension(std::string_view urn) const;

  // The definitions `path` names: a core or common attribute when `urn` is
  // empty or the core URN, an extension attribute only under its URN.
  // nullopt when there is no such attribute or sub-attribute.
  std::optional<AttributeLookup> Find(const AttrPath& path) const;

  std::optional<ResolvedAttr> Resolve(const AttrPath& path) const override;

 private:
  std::string name_;
  std::string endpoint_;
  std::string description_;
  const SchemaDef* core_;
  std::vector<SchemaExtension> extensions_;
};

// RFC 7643 §3.1: id, externalId and meta, shared by every resource type.
const std::vector<AttributeDef>& CommonAttributes();

const SchemaDef& UserSchema();
const SchemaDef& EnterpriseUserSchema();
const SchemaDef& GroupSchema();
const std::vector<const SchemaDef*>& AllSchemas();

const ResourceType& UserResourceType();
const ResourceType& GroupResourceType();
const std::vector<const ResourceType*>& AllResourceTypes();

}  // namespace portico::scim
