#include "scim/resource_renderer.h"

#include <charconv>
#include <string>
#include <utility>

#include "portico/json_text.h"
#include "portico/parse_json.h"

namespace portico::scim {
namespace {

Json Meta(const ResourceRecord& r, std::string_view resource_type, std::string location) {
  Json meta = Json::MakeObject();
  meta.Set("resourceType", resource_type)
      .Set("created", FormatRfc3339(r.created_at))
      .Set("lastModified", FormatRfc3339(r.updated_at))
      .Set("location", std::move(location))
      .Set("version", VersionTag(r.version));
  return meta;
}

// schemas, id, externalId first (as RFC 7643 examples show), then the rest.
// Takes the record by value: its document's members are moved into the
// representation, not copied.
Json Start(ResourceRecord& r, const ResourceType& type) {
  Json schemas = Json::MakeArray();
  schemas.Push(type.core().id);
  for (const SchemaExtension& ext : type.extensions()) {
    if (r.document.Find(ext.schema->id) != nullptr) schemas.Push(ext.schema->id);
  }
  Json out = Json::MakeObject();
  Json::Object& members = out.as_object();
  Json::Object& stored = r.document.as_object();
  members.reserve(stored.size() + 4);
  members.emplace_back("schemas", std::move(schemas));
  members.emplace_back("id", r.id);
  // Stored members are unique and never "schemas", "id" or "meta": appended without a search.
  if (Json* external = r.document.Find("externalId")) {
    members.emplace_back("externalId", std::move(*external));
  }
  for (auto& [name, value] : stored) {
    if (name != "externalId") members.emplace_back(std::move(name), std::move(value));
  }
  stored.clear();
  return out;
}

// The enterprise manager's $ref is derived from its value (RFC 7643 §4.3).
void AddManagerRef(Json& enterprise, std::string_view base_url) {
  if (Json* manager = enterprise.Find("manager")) {
    if (const Json* value = manager->Find("value"); value != nullptr && value->is_string()) {
      manager->Set("$ref", std::string(base_url) + "/Users/" + value->as_string());
    }
  }
}

// Meta(), written as text.
void WriteMeta(JsonWriter& w, const ResourceRecord& r, std::string_view resource_type,
               std::string_view location) {
  w.Key("meta")
      .BeginObject()
      .Key("resourceType")
      .String(resource_type)
      .Key("created")
      .String(FormatRfc3339(r.created_at))
      .Key("lastModified")
      .String(FormatRfc3339(r.updated_at))
      .Key("location")
      .String(location)
      .Key("version")
      .String(VersionTag(r.version))
      .EndObject();
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && NameEquals(s.substr(0, prefix.size()), prefix);
}

// "name.givenName", "urn:…:User:name.givenName", "urn:…:enterprise:2.0:User"
// (the whole extension: attr == nullptr). nullopt when unknown.
std::optional<AttributeLookup> LookupPath(std::string_view text, const ResourceType& type) {
  std::string urn;
  if (StartsWithIgnoreCase(text, "urn:")) {
    std::vector<const SchemaDef*> schemas = {&type.core()};
    for (const SchemaExtension& ext : type.extensions()) schemas.push_back(ext.schema);
    const SchemaDef* found = nullptr;
    for (const SchemaDef* schema : schemas) {
      if (NameEquals(text, schema->id)) {
        if (schema == &type.core()) return std::nullopt;  // the core schema: not a path
        return AttributeLookup{schema, false, nullptr, nullptr};
      }
      if (text.size() > schema->id.size() && text[schema->id.size()] == ':' &&
          StartsWithIgnoreCase(text, schema->id)) {
        found = schema;
      }
    }
    if (found == nullptr) return std::nullopt;
    urn = found->id;
    text.remove_prefix(found->id.size() + 1);
  }
  AttrPath path{urn, std::string(text), ""};
  if (size_t dot = text.find('.'); dot != std::string_view::npos) {
    path.attr = std::string(text.substr(0, dot));
    path.sub = std::string(text.substr(dot + 1));
  }
  return type.Find(path);
}

StatusOr<std::vector<AttributeLookup>> ParseList(const std::optional<std::string>& text,
                                                 const ResourceType& type) {
  std::vector<AttributeLookup> out;
  if (!text) return out;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t comma = rest.find(',');
    std::string_view item = TrimSpaces(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (item.empty()) continue;
    if (std::optional<AttributeLookup> found = LookupPath(item, type)) out.push_back(*found);
  }
  return out;
}

bool SameAttr(const AttributeLookup& a, const AttributeDef* attr) { return a.attr == attr; }

// Keeps only the listed sub-attributes of a complex value (or of each element).
void KeepSubs(Json& value, const std::vector<const AttributeDef*>& subs) {
  auto keep = [&](Json& object) {
    if (!object.is_object()) return;
    Json::Object kept;
    for (auto& member : object.as_object()) {
      for (const AttributeDef* sub : subs) {
        if (sub->name == member.first) {
          kept.push_back(std::move(member));
          break;
        }
      }
    }
    object.as_object() = std::move(kept);
  };
  if (value.is_array()) {
    for (Json& element : value.as_array()) keep(element);
  } else {
    keep(value);
  }
}

void DropSub(Json& value, const AttributeDef* sub) {
  if (value.is_array()) {
    for (Json& element : value.as_array()) {
      if (element.is_object()) element.Erase(sub->name);
    }
  } else if (value.is_object()) {
    value.Erase(sub->name);
  }
}

// Applies the projection to the attributes of one schema inside `object`
// (the resource itself for the core schema, the extension object otherwise).
void ProjectObject(const Projection& p, const SchemaDef* schema, bool whole_schema_included,
                   Json& object) {
  Json::Object kept;
  for (auto& [name, value] : object.as_object()) {
    if (name == "schemas" || name == "id") {  // returned "always"
      kept.emplace_back(name, std::move(value));
      continue;
    }
    const AttributeDef* attr = nullptr;
    for (const AttributeDef& common : CommonAttributes()) {
      if (schema == nullptr && common.name == name) attr = &common;
    }
    if (attr == nullptr && schema != nullptr) attr = schema->Find(name);
    if (attr == nullptr) {  // an extension object at the top level: handled by the caller
      kept.emplace_back(name, std::move(value));
      continue;
    }
    bool keep = true;
    if (!p.include.empty() && !whole_schema_included) {
      keep = false;
      std::vector<const AttributeDef*> subs;
      bool whole = false;
      for (const AttributeLookup& inc : p.include) {
        if (!SameAttr(inc, attr)) continue;
        if (inc.sub == nullptr)
          whole = true;
        else
          subs.push_back(inc.sub);
      }
      if (whole)
        keep = true;
      else if (!subs.empty()) {
        KeepSubs(value, subs);
        keep = true;
      }
    }
    for (const AttributeLookup& exc : p.exclude) {
      if (!SameAttr(exc, attr) || attr->returned == Returned::kAlways) continue;
      if (exc.sub == nullptr)
        keep = false;
      else
        DropSub(value, exc.sub);
    }
    if (keep) kept.emplace_back(name, std::move(value));
  }
  object.as_object() = std::move(kept);
}

}  // namespace

std::string VersionTag(int64_t version) { return "W/\"" + std::to_string(version) + "\""; }

std::optional<int64_t> ParseVersionTag(std::string_view tag) {
  tag = TrimSpaces(tag);
  if (tag.size() >= 2 && tag[0] == 'W' && tag[1] == '/') tag.remove_prefix(2);
  if (tag.size() < 3 || tag.front() != '"' || tag.back() != '"') return std::nullopt;
  tag = tag.substr(1, tag.size() - 2);
  int64_t version = 0;
  auto [end, ec] = std::from_chars(tag.data(), tag.data() + tag.size(), version);
  if (ec != std::errc() || end != tag.data() + tag.size()) return std::nullopt;
  return version;
}

Json MemberJson(const MemberRecord& member, std::string_view base_url) {
  Json out = Json::MakeObject();
  out.Set("value", member.id);
  out.Set("$ref",
          std::string(base_url) + (member.type == "Group" ? "/Groups/" : "/Users/") + member.id);
  out.Set("type", member.type);
  if (!member.display.empty()) out.Set("display", member.display);
  return out;
}

Json RenderUser(ResourceRecord user, const std::vector<GroupRef>* groups,
                std::string_view base_url) {
  Json out = Start(user, UserResourceType());
  if (Json* ext = out.Find(kEnterpriseUserSchemaUrn)) AddManagerRef(*ext, base_url);
  if (groups != nullptr && !groups->empty()) {
    Json list = Json::MakeArray();
    for (const GroupRef& g : *groups) {
      Json item = Json::MakeObject();
      item.Set("value", g.id)
          .Set("$ref", std::string(base_url) + "/Groups/" + g.id)
          .Set("display", g.display_name)
          .Set("type", "direct");
      list.Push(std::move(item));
    }
    out.Set("groups", std::move(list));
  }
  out.Set("meta", Meta(user, "User", std::string(base_url) + "/Users/" + user.id));
  return out;
}

std::optional<std::string> RenderUserText(const ResourceRecord& user,
                                          const std::vector<GroupRef>* groups,
                                          std::string_view base_url) {
  const ResourceType& type = UserResourceType();
  // Reused by the thread: once warm, the split allocates nothing.
  thread_local std::vector<JsonTextMember> members;
  members.clear();
  if (!SplitDumpedObject(user.document_text, members)) return std::nullopt;
  // Names compare in their escaped form: exact, as no name looked for has a
  // character Dump escapes.
  const auto find = [&](std::string_view name) -> const JsonTextMember* {
    for (const JsonTextMember& m : members) {
      if (m.name == name) return &m;
    }
    return nullptr;
  };
  std::string out;
  out.reserve(user.document_text.size() + 400 + (groups ? groups->size() * 160 : 0));
  JsonWriter w(out);
  // As Start(): schemas, id, externalId, then the stored members in order.
  w.BeginObject().Key("schemas").BeginArray().String(type.core().id);
  for (const SchemaExtension& ext : type.extensions()) {
    if (find(ext.schema->id) != nullptr) w.String(ext.schema->id);
  }
  w.EndArray().Key("id").String(user.id);
  const JsonTextMember* external = find("externalId");
  // Stored values are in Dump's form already: appended as they are (the writer
  // places its commas by the text's last character, so it carries on after them).
  if (external != nullptr) {
    w.Key("externalId");
    out.append(external->value);
  }
  for (const JsonTextMember& m : members) {
    if (&m == external) continue;
    // Names too are in Dump's escaping already: copied, not re-escaped.
    out.push_back(',');
    out.push_back('"');
    out.append(m.name);
    out.append("\":");
    if (m.name == kEnterpriseUserSchemaUrn &&
        m.value.find("\"manager\"") != std::string_view::npos) {
      // The one stored part with a computed member: parsed on its own.
      StatusOr<Json> enterprise = ParseJson(m.value);
      if (!enterprise.ok()) return std::nullopt;
      AddManagerRef(*enterprise, base_url);
      enterprise->DumpTo(out);
    } else {
      out.append(m.value);
    }
  }
  if (groups != nullptr && !groups->empty()) {
    w.Key("groups").BeginArray();
    for (const GroupRef& g : *groups) {
      w.BeginObject()
          .Key("value")
          .String(g.id)
          .Key("$ref")
          .String(std::string(base_url) + "/Groups/" + g.id)
          .Key("display")
          .String(g.display_name)
          .Key("type")
          .String("direct")
          .EndObject();
    }
    w.EndArray();
  }
  WriteMeta(w, user, "User", std::string(base_url) + "/Users/" + user.id);
  w.EndObject();
  return out;
}

Json RenderGroup(ResourceRecord group, Json::Array* members, std::string_view base_url) {
  Json out = Start(group, GroupResourceType());
  if (members != nullptr && !members->empty()) out.Set("members", Json(std::move(*members)));
  out.Set("meta", Meta(group, "Group", std::string(base_url) + "/Groups/" + group.id));
  return out;
}

StatusOr<Projection> ParseProjection(const std::optional<std::string>& attributes,
                                     const std::optional<std::string>& excluded,
                                     const ResourceType& type) {
  Projection p;
  PORTICO_ASSIGN_OR_RETURN(p.include, ParseList(attributes, type));
  PORTICO_ASSIGN_OR_RETURN(p.exclude, ParseList(excluded, type));
  return p;
}

bool Projection::Wants(const ResourceType& type, std::string_view name) const {
  const AttributeDef* attr = type.core().Find(name);
  if (attr == nullptr) return false;
  for (const AttributeLookup& exc : exclude) {
    if (exc.attr == attr && exc.sub == nullptr) return false;
  }
  if (include.empty()) return attr->returned != Returned::kRequest;
  for (const AttributeLookup& inc : include) {
    if (inc.attr == attr) return true;
  }
  return false;
}

void ApplyProjection(const Projection& projection, const ResourceType& type, Json& resource) {
  if (projection.include.empty() && projection.exclude.empty()) return;
  // Common and core attributes at the top level.
  Json::Object top;
  {
    Json core = Json::MakeObject();
    Json extensions = Json::MakeObject();
    for (auto& [name, value] : resource.as_object()) {
      if (type.FindExtension(name) != nullptr)
        extensions.Set(name, std::move(value));
      else
        core.Set(name, std::move(value));
    }
    // Common attributes first, then the core schema's.
    Json common_part = Json::MakeObject();
    Json core_part = Json::MakeObject();
    for (auto& [name, value] : core.as_object()) {
      bool is_common = false;
      for (const AttributeDef& c : CommonAttributes()) is_common = is_common || c.name == name;
      if (is_common || name == "schemas")
        common_part.Set(name, std::move(value));
      else
        core_part.Set(name, std::move(value));
    }
    ProjectObject(projection, nullptr, false, common_part);
    ProjectObject(projection, &type.core(), false, core_part);
    for (auto& m : common_part.as_object()) top.push_back(std::move(m));
    for (auto& m : core_part.as_object()) top.push_back(std::move(m));
    for (auto& [urn, value] : extensions.as_object()) {
      const SchemaExtension* ext = type.FindExtension(urn);
      bool whole_included = false, whole_excluded = false,
           any_included = projection.include.empty();
      for (const AttributeLookup& inc : projection.include) {
        if (inc.schema != ext->schema) continue;
        any_included = true;
        if (inc.attr == nullptr) whole_included = true;
      }
      for (const AttributeLookup& exc : projection.exclude) {
        if (exc.schema == ext->schema && exc.attr == nullptr) whole_excluded = true;
      }
      if (!any_included || whole_excluded) continue;
      ProjectObject(projection, ext->schema, whole_included, value);
      if (!value.as_object().empty()) top.emplace_back(urn, std::move(value));
    }
  }
  resource.as_object() = std::move(top);
  // Keep `schemas` truthful: only the extensions still present.
  if (Json* schemas = resource.Find("schemas")) {
    Json kept = Json::MakeArray();
    for (const Json& urn : schemas->as_array()) {
      if (NameEquals(urn.as_string(), type.core().id) ||
          resource.Find(urn.as_string()) != nullptr) {
        kept.Push(urn);
      }
    }
    *schemas = std::move(kept);
  }
}

}  // namespace portico::scim
