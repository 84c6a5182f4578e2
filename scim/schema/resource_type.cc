#include "scim/schema/resource_type.h"

#include <utility>

#include "scim/schema/attribute_builder.h"

namespace portico::scim {

using namespace schema_builder;

const std::vector<AttributeDef>& CommonAttributes() {
  static const std::vector<AttributeDef> common = {
      With(With(With(CaseExact(Str("id",
                                   "A unique identifier for a SCIM resource as defined by "
                                   "the service provider.")),
                     Mutability::kReadOnly),
                Returned::kAlways),
           Uniqueness::kServer),
      CaseExact(Str("externalId",
                    "A String that is an identifier for the resource as defined "
                    "by the provisioning client.")),
      ReadOnly(Complex(
          "meta", "A complex attribute containing resource metadata.",
          {CaseExact(Str("resourceType", "The name of the resource type of the resource.")),
           Attr("created", AttrType::kDateTime, "The DateTime that the resource was added."),
           Attr("lastModified", AttrType::kDateTime,
                "The most recent DateTime that the details of this resource were updated."),
           Attr("location", AttrType::kReference, "The URI of the resource being returned."),
           CaseExact(Str("version", "The version of the resource being returned."))})),
  };
  return common;
}

ResourceType::ResourceType(std::string name, std::string endpoint, std::string description,
                           const SchemaDef* core, std::vector<SchemaExtension> extensions)
    : name_(std::move(name)),
      endpoint_(std::move(endpoint)),
      description_(std::move(description)),
      core_(core),
      extensions_(std::move(extensions)) {}

const SchemaExtension* ResourceType::FindExtension(std::string_view urn) const {
  for (const SchemaExtension& ext : extensions_) {
    if (NameEquals(ext.schema->id, urn)) return &ext;
  }
  return nullptr;
}

std::optional<AttributeLookup> ResourceType::Find(const AttrPath& path) const {
  AttributeLookup found{nullptr, false, nullptr, nullptr};
  if (path.urn.empty() || NameEquals(path.urn, core_->id)) {
    for (const AttributeDef& attr : CommonAttributes()) {
      if (NameEquals(attr.name, path.attr)) {
        found = {core_, true, &attr, nullptr};
        break;
      }
    }
    if (found.attr == nullptr) {
      if (const AttributeDef* attr = core_->Find(path.attr)) found = {core_, false, attr, nullptr};
    }
  } else if (const SchemaExtension* ext = FindExtension(path.urn)) {
    if (const AttributeDef* attr = ext->schema->Find(path.attr)) {
      found = {ext->schema, false, attr, nullptr};
    }
  }
  if (found.attr == nullptr) return std::nullopt;
  if (!path.sub.empty()) {
    found.sub = found.attr->FindSub(path.sub);
    if (found.sub == nullptr) return std::nullopt;
  }
  return found;
}

std::optional<ResolvedAttr> ResourceType::Resolve(const AttrPath& path) const {
  std::optional<AttributeLookup> found = Find(path);
  if (!found) return std::nullopt;
  const AttributeDef& leaf = found->sub != nullptr ? *found->sub : *found->attr;
  return ResolvedAttr{
      .urn = found->schema->id,
      .attr = found->attr->name,
      .sub = found->sub != nullptr ? found->sub->name : std::string(),
      .type = leaf.type,
      .multi_valued = found->attr->multi_valued,
      .case_exact = leaf.case_exact,
  };
}

const std::vector<const SchemaDef*>& AllSchemas() {
  static const std::vector<const SchemaDef*> all = {&UserSchema(), &EnterpriseUserSchema(),
                                                    &GroupSchema()};
  return all;
}

const ResourceType& UserResourceType() {
  static const ResourceType type("User", "/Users", "User Account", &UserSchema(),
                                 {{&EnterpriseUserSchema(), false}});
  return type;
}

const ResourceType& GroupResourceType() {
  static const ResourceType type("Group", "/Groups", "Group", &GroupSchema(), {});
  return type;
}

const std::vector<const ResourceType*>& AllResourceTypes() {
  static const std::vector<const ResourceType*> all = {&UserResourceType(), &GroupResourceType()};
  return all;
}

}  // namespace portico::scim
