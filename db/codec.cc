#include "db/codec.h"

#include <algorithm>
#include <optional>

#include "portico/json.h"
#include "portico/parse_json.h"

namespace portico::db {

std::string EncodeStringList(const std::vector<std::string>& items) {
  Json array = Json::MakeArray();
  for (const std::string& item : items) array.Push(Json(item));
  return array.Dump();
}

namespace {

// ["a","b"] with no escapes, as EncodeStringList writes scopes and modules:
// read on every authenticated request, so without the JSON parser. nullopt
// for anything else (escapes, spaces), which takes the full parse.
std::optional<std::vector<std::string>> DecodePlainStringList(std::string_view text) {
  if (text.size() < 2 || text.front() != '[' || text.back() != ']' ||
      text.find('\\') != std::string_view::npos) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(std::count(text.begin(), text.end(), ',')) + 1);
  size_t i = 1;
  while (i < text.size() - 1) {
    if (text[i] != '"') return std::nullopt;
    const size_t close = text.find('"', i + 1);
    if (close == std::string_view::npos || close >= text.size() - 1) return std::nullopt;
    out.emplace_back(text.substr(i + 1, close - i - 1));
    i = close + 1;
    if (text[i] == ',') {
      ++i;
      if (i >= text.size() - 1) return std::nullopt;  // trailing comma
    } else if (i != text.size() - 1) {
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

StatusOr<std::vector<std::string>> DecodeStringList(std::string_view text) {
  if (auto plain = DecodePlainStringList(text)) return std::move(*plain);
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
