#include "db/codec.h"

#include "portico/json.h"
#include "portico/parse_json.h"

namespace portico::db {

std::string EncodeStringList(const std::vector<std::string>& items) {
  Json array = Json::MakeArray();
  for (const std::string& item : items) array.Push(Json(item));
  return array.Dump();
}

StatusOr<std::vector<std::string>> DecodeStringList(std::string_view text) {
  if (text == "[]") return std::vector<std::string>();  // the common case, without a parse
  StatusOr<Json> parsed = ParseJson(text);
  if (!parsed.ok() || !parsed->is_array()) {
    return Internal("database error").WithInternal("stored list is not a JSON array");
  }
  std::vector<std::string> out;
  out.reserve(parsed->as_array().size());
  for (const Json& item : parsed->as_array()) {
    if (!item.is_string()) {
      return Internal("database error").WithInternal("stored list holds a non-string");
    }
    out.push_back(item.as_string());
  }
  return out;
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace portico::db
