#include "dcr/metadata/syntax.h"

#include <cstdint>
#include <string>
#include <vector>

#include "portico/utf8.h"

namespace portico::dcr {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }

bool AllOf(std::string_view s, bool (*pred)(char)) {
  for (char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// RFC 5646 §2.2.8: the irregular grandfathered tags, which the langtag
// production does not cover (the regular ones it does).
constexpr std::string_view kIrregular[] = {
    "en-gb-oed", "i-ami", "i-bnn",     "i-default", "i-enochian", "i-hak",
    "i-klingon", "i-lux", "i-mingo",   "i-navajo",  "i-pwn",      "i-tao",
    "i-tay",     "i-tsu", "sgn-be-fr", "sgn-be-nl", "sgn-ch-de",
};

bool IsAlphaLen(std::string_view s, size_t min, size_t max) {
  return s.size() >= min && s.size() <= max && AllOf(s, IsAlpha);
}

bool IsVariant(std::string_view s) {
  if (!AllOf(s, IsAlnum)) return false;
  return (s.size() >= 5 && s.size() <= 8) || (s.size() == 4 && IsDigit(s[0]));
}

bool IsAtext(char c) {
  if (IsAlnum(c)) return true;
  static constexpr std::string_view kSpecials = "!#$%&'*+-/=?^_`{|}~";
  return kSpecials.find(c) != std::string_view::npos;
}

bool IsDnsName(std::string_view domain) {
  if (domain.empty() || domain.size() > 253) return false;
  size_t labels = 0;
  size_t start = 0;
  std::string_view last;
  while (true) {
    const size_t dot = domain.find('.', start);
    const std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? domain.npos : dot - start);
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 2 && !AllOf(last, IsDigit);
}

}  // namespace

bool IsWellFormedLanguageTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  const std::string lower = Lower(tag);
  for (std::string_view irregular : kIrregular) {
    if (lower == irregular) return true;
  }
  std::vector<std::string_view> subtags;
  std::string_view rest = lower;
  while (true) {
    const size_t dash = rest.find('-');
    const std::string_view subtag = rest.substr(0, dash);
    if (subtag.empty() || subtag.size() > 8 || !AllOf(subtag, IsAlnum)) return false;
    subtags.push_back(subtag);
    if (dash == std::string_view::npos) break;
    rest = rest.substr(dash + 1);
  }

  size_t i = 0;
  const size_t n = subtags.size();
  auto private_use = [&]() {  // "x" 1*("-" 1*8alphanum); the subtags are already 1-8 alnum
    return subtags[i] == "x" && i + 1 < n;
  };
  if (private_use()) return true;

  // language
  if (IsAlphaLen(subtags[i], 2, 3)) {
    ++i;
    for (int extlang = 0; extlang < 3 && i < n && IsAlphaLen(subtags[i], 3, 3); ++extlang) ++i;
  } else if (IsAlphaLen(subtags[i], 4, 8)) {
    ++i;
  } else {
    return false;
  }
  if (i < n && IsAlphaLen(subtags[i], 4, 4)) ++i;  // script
  if (i < n &&
      (IsAlphaLen(subtags[i], 2, 2) || (subtags[i].size() == 3 && AllOf(subtags[i], IsDigit)))) {
    ++i;  // region
  }
  while (i < n && IsVariant(subtags[i])) ++i;
  // extension = singleton 1*("-" (2*8alphanum))
  while (i < n && subtags[i].size() == 1 && subtags[i] != "x") {
    ++i;
    size_t parts = 0;
    while (i < n && subtags[i].size() >= 2) {
      ++i;
      ++parts;
    }
    if (parts == 0) return false;
  }
  if (i < n && private_use()) return true;
  return i == n;
}

bool IsValidEmailAddress(std::string_view address) {
  if (address.size() > 254) return false;
  const size_t at = address.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view local = address.substr(0, at);
  const std::string_view domain = address.substr(at + 1);
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  if (local.find("..") != std::string_view::npos) return false;
  for (char c : local) {
    if (!IsAtext(c) && c != '.') return false;  // also refuses a second '@'
  }
  return IsDnsName(domain);
}

bool IsScopeToken(std::string_view token) {
  if (token.empty()) return false;
  for (char ch : token) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x21 || c > 0x7e || c == 0x22 || c == 0x5c) return false;
  }
  return true;
}

bool IsValidUtf8(std::string_view text) { return FindInvalidUtf8(text) == std::string_view::npos; }

bool HasControlCharacter(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < utf8.size()) {
      const unsigned char next = static_cast<unsigned char>(utf8[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return true;
    }
  }
  return false;
}

}  // namespace portico::dcr
