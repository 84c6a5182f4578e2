#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"
#include "scim/directory_store.h"
#include "scim/schema/resource_type.h"

namespace portico::scim {

// meta.version and the ETag header (RFC 7644 §3.14): a weak validator.
std::string VersionTag(int64_t version);
// The version an If-Match / If-None-Match value names: W/"7" or "7" → 7;
// nullopt for anything else (which then matches no version).
std::optional<int64_t> ParseVersionTag(std::string_view tag);

// The full SCIM representation of a stored user: schemas, id, externalId,
// the document's attributes, the computed groups (nullptr: not fetched, so
// left out) and meta. `base_url` is PUBLIC_BASE_URL + "/scim/v2".
// The record is taken by value (move it in when it is not needed afterwards).
Json RenderUser(ResourceRecord user, const std::vector<GroupRef>* groups,
                std::string_view base_url);
// RenderUser(…).Dump(), built from the stored text (user.document_text)
// without parsing it into a Json tree: the unprojected GET and list answers.
// nullopt when the text is not in the form Json::Dump writes
// (SplitDumpedObject); the caller then parses it and renders with RenderUser.
std::optional<std::string> RenderUserText(const ResourceRecord& user,
                                          const std::vector<GroupRef>* groups,
                                          std::string_view base_url);
// The same for a group; `members` (MemberJson elements, moved from) nullptr
// leaves members out (not fetched). Members arrive already rendered so that a
// 100,000-member group is never held twice (as records and as JSON).
Json RenderGroup(ResourceRecord group, Json::Array* members, std::string_view base_url);
// One members[] element / one groups[] element.
Json MemberJson(const MemberRecord& member, std::string_view base_url);

// `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5, §3.9): comma-
// separated attribute paths, case-insensitive, URN-qualified or not. Paths
// the resource type does not have are ignored, as a client asking for an
// attribute that is never set.
struct Projection {
  std::vector<AttributeLookup> include;  // empty: the default set
  std::vector<AttributeLookup> exclude;

  // Whether the response will contain the top-level attribute `name` of the
  // core schema (to skip fetching members or groups nobody asked for).
  bool Wants(const ResourceType& type, std::string_view name) const;
};
StatusOr<Projection> ParseProjection(const std::optional<std::string>& attributes,
                                     const std::optional<std::string>& excluded,
                                     const ResourceType& type);
// Removes what the projection leaves out, keeping returned:"always"
// attributes (id, schemas) whatever was asked.
void ApplyProjection(const Projection& projection, const ResourceType& type, Json& resource);

}  // namespace portico::scim
