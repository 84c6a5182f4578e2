#include "dcr/metadata/client_metadata.h"

#include <algorithm>
#include <utility>

namespace portico::dcr {
namespace {

Status ShapeError(std::string_view member) {
  return InvalidArgument("registered metadata has a malformed " + std::string(member))
      .WithTag("invalid_client_metadata");
}

StatusOr<std::vector<std::string>> StringsOf(const Json& registered, std::string_view member,
                                             bool required) {
  std::vector<std::string> out;
  const Json* value = registered.Find(member);
  if (value == nullptr) {
    if (required) return ShapeError(member);
    return out;
  }
  if (!value->is_array()) return ShapeError(member);
  for (const Json& entry : value->as_array()) {
    if (!entry.is_string()) return ShapeError(member);
    out.push_back(entry.as_string());
  }
  return out;
}

StatusOr<std::optional<std::string>> OptionalStringOf(const Json& registered,
                                                      std::string_view member) {
  const Json* value = registered.Find(member);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return ShapeError(member);
  return std::optional<std::string>(value->as_string());
}

StatusOr<std::string> StringOf(const Json& registered, std::string_view member) {
  PORTICO_ASSIGN_OR_RETURN(std::optional<std::string> value, OptionalStringOf(registered, member));
  if (!value) return ShapeError(member);
  return *std::move(value);
}

// Canonical form for fingerprints: members sorted by name, recursively.
Json SortedMembers(const Json& value) {
  if (value.is_array()) {
    Json::Array out;
    for (const Json& entry : value.as_array()) out.push_back(SortedMembers(entry));
    return Json(std::move(out));
  }
  if (!value.is_object()) return value;
  Json::Object out;
  for (const auto& [name, member] : value.as_object())
    out.emplace_back(name, SortedMembers(member));
  std::sort(out.begin(), out.end(),
            [](const Json::Member& a, const Json::Member& b) { return a.first < b.first; });
  return Json(std::move(out));
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t space = text.find(' ', start);
    const size_t end = space == std::string_view::npos ? text.size() : space;
    if (end > start) words.emplace_back(text.substr(start, end - start));
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return words;
}

std::string JoinWords(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

// Sorts an array by each entry's serialisation (entries may be objects).
Json SortedArray(const Json& array) {
  Json::Array entries = array.as_array();
  std::sort(entries.begin(), entries.end(),
            [](const Json& a, const Json& b) { return a.Dump() < b.Dump(); });
  return Json(std::move(entries));
}

bool IsSetValued(std::string_view member) {
  static constexpr std::string_view kSets[] = {"redirect_uris", "grant_types", "contacts",
                                               "request_uris", "post_logout_redirect_uris"};
  return std::find(std::begin(kSets), std::end(kSets), member) != std::end(kSets);
}

std::string LowerTagInName(const std::string& name) {
  const size_t hash = name.find('#');
  if (hash == std::string::npos) return name;
  std::string out = name;
  for (size_t i = hash + 1; i < out.size(); ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

}  // namespace

StatusOr<ClientMetadata> ClientMetadata::FromRegistered(Json registered) {
  if (!registered.is_object()) return ShapeError("document");
  ClientMetadata m;
  PORTICO_ASSIGN_OR_RETURN(m.redirect_uris_, StringsOf(registered, "redirect_uris", false));
  PORTICO_ASSIGN_OR_RETURN(m.grant_types_, StringsOf(registered, "grant_types", true));
  if (m.grant_types_.empty()) return ShapeError("grant_types");
  PORTICO_ASSIGN_OR_RETURN(m.response_types_, StringsOf(registered, "response_types", true));
  PORTICO_ASSIGN_OR_RETURN(m.token_endpoint_auth_method_,
                           StringOf(registered, "token_endpoint_auth_method"));
  PORTICO_ASSIGN_OR_RETURN(m.application_type_, StringOf(registered, "application_type"));
  PORTICO_ASSIGN_OR_RETURN(std::optional<std::string> scope, OptionalStringOf(registered, "scope"));
  m.scope_ = scope.value_or("");
  PORTICO_ASSIGN_OR_RETURN(m.software_id_, OptionalStringOf(registered, "software_id"));
  PORTICO_ASSIGN_OR_RETURN(m.software_version_, OptionalStringOf(registered, "software_version"));
  PORTICO_ASSIGN_OR_RETURN(m.software_statement_,
                           OptionalStringOf(registered, "software_statement"));
  PORTICO_ASSIGN_OR_RETURN(m.jwks_uri_, OptionalStringOf(registered, "jwks_uri"));
  PORTICO_ASSIGN_OR_RETURN(m.post_logout_redirect_uris_,
                           StringsOf(registered, "post_logout_redirect_uris", false));
  if (const Json* jwks = registered.Find("jwks"); jwks != nullptr && !jwks->is_object()) {
    return ShapeError("jwks");
  }
  m.json_ = std::move(registered);
  return m;
}

std::vector<std::string> ClientMetadata::scopes() const { return SplitWords(scope_); }

bool ClientMetadata::needs_client_secret() const {
  return token_endpoint_auth_method_ == "client_secret_basic" ||
         token_endpoint_auth_method_ == "client_secret_post" ||
         token_endpoint_auth_method_ == "client_secret_jwt";
}

bool ClientMetadata::HasGrantType(std::string_view grant_type) const {
  return std::find(grant_types_.begin(), grant_types_.end(), grant_type) != grant_types_.end();
}

std::string CanonicalFingerprint(const ClientMetadata& metadata) {
  Json::Object members;
  for (const auto& [name, value] : metadata.json().as_object()) {
    if (name == "software_statement") continue;
    Json canonical = SortedMembers(value);
    if (name == "scope" && value.is_string()) {
      std::vector<std::string> words = SplitWords(value.as_string());
      std::sort(words.begin(), words.end());
      canonical = Json(JoinWords(words));
    } else if (name == "response_types" && value.is_array()) {
      Json::Array types;
      for (const Json& entry : value.as_array()) {
        if (!entry.is_string()) {
          types.push_back(entry);
          continue;
        }
        std::vector<std::string> words = SplitWords(entry.as_string());
        std::sort(words.begin(), words.end());
        types.emplace_back(JoinWords(words));
      }
      canonical = SortedArray(Json(std::move(types)));
    } else if (IsSetValued(name) && value.is_array()) {
      canonical = SortedArray(canonical);
    } else if (name == "jwks" && canonical.is_object()) {
      if (Json* keys = canonical.Find("keys"); keys != nullptr && keys->is_array()) {
        *keys = SortedArray(*keys);
      }
    }
    members.emplace_back(LowerTagInName(name), std::move(canonical));
  }
  std::sort(members.begin(), members.end(),
            [](const Json::Member& a, const Json::Member& b) { return a.first < b.first; });
  return Json(std::move(members)).Dump();
}

}  // namespace portico::dcr
