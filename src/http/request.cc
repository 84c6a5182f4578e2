#include "src/http/request.h"

#include <algorithm>

namespace portico::http {
namespace {

char LowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

std::optional<std::string> Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string> Request::Query(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::string Request::Param(std::string_view name) const {
  auto it = params.find(std::string(name));
  return it == params.end() ? std::string() : it->second;
}

std::optional<std::string> Request::BearerToken() const {
  // Read in place: only the token itself is copied.
  const std::string* header = nullptr;
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, "authorization")) {
      header = &value;
      break;
    }
  }
  if (header == nullptr) return std::nullopt;
  std::string_view v = *header;
  while (!v.empty() && IsSpace(v.front())) v.remove_prefix(1);
  constexpr std::string_view kScheme = "bearer";
  if (v.size() <= kScheme.size() || !EqualsIgnoreCase(v.substr(0, kScheme.size()), kScheme) ||
      !IsSpace(v[kScheme.size()])) {
    return std::nullopt;
  }
  v.remove_prefix(kScheme.size());
  while (!v.empty() && IsSpace(v.front())) v.remove_prefix(1);
  while (!v.empty() && IsSpace(v.back())) v.remove_suffix(1);
  // RFC 6750 b64token: one token, no inner whitespace.
  // A loop, not find_first_of: libstdc++ calls memchr once per character.
  if (v.empty() || std::any_of(v.begin(), v.end(), IsSpace)) {
    return std::nullopt;
  }
  return std::string(v);
}

}  // namespace portico::http
