#include "dcr/metadata/uri.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace portico::dcr {
namespace {

bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsUnreserved(char c) {
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}
bool IsSubDelim(char c) { return std::strchr("!$&'()*+,;=", c) != nullptr && c != '\0'; }
// '%' is accepted here because every '%' was checked for two hex digits first.
bool IsRegNameChar(char c) { return IsUnreserved(c) || IsSubDelim(c) || c == '%'; }
bool IsPchar(char c) { return IsRegNameChar(c) || c == ':' || c == '@'; }
bool IsPathChar(char c) { return IsPchar(c) || c == '/'; }
bool IsQueryChar(char c) { return IsPchar(c) || c == '/' || c == '?'; }
bool IsSchemeChar(char c) { return IsAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.'; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The first character of `s` that `allowed` refuses, or npos.
template <typename Pred>
size_t FirstNotAllowed(std::string_view s, Pred allowed) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (!allowed(s[i])) return i;
  }
  return std::string_view::npos;
}

Status CharError(std::string_view component, char c) {
  return InvalidArgument("has a character '" + std::string(1, c) + "' not allowed in its " +
                         std::string(component));
}

// RFC 3986 dec-octet: 0-255 without leading zeros.
bool IsDecOctet(std::string_view s) {
  if (s.empty() || s.size() > 3) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  if (s.size() > 1 && s[0] == '0') return false;
  int value = 0;
  for (char c : s) value = value * 10 + (c - '0');
  return value <= 255;
}

bool IsDottedQuad(std::string_view s) {
  int parts = 0;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    const std::string_view part =
        s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (!IsDecOctet(part)) return false;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return parts == 4;
}

std::optional<std::array<unsigned char, 16>> Ipv6Bytes(const Uri& uri) {
  if (uri.host_kind != HostKind::kIpv6 || uri.host.size() < 2) return std::nullopt;
  const std::string inner = uri.host.substr(1, uri.host.size() - 2);
  std::array<unsigned char, 16> bytes{};
  if (inet_pton(AF_INET6, inner.c_str(), bytes.data()) != 1) return std::nullopt;
  return bytes;
}

bool IsIpv6Loopback(const std::array<unsigned char, 16>& b) {
  for (size_t i = 0; i < 15; ++i) {
    if (b[i] != 0) return false;
  }
  return b[15] == 1;
}

Status ParseAuthority(std::string_view authority, Uri& uri) {
  std::string_view host_port = authority;
  if (const size_t at = authority.find('@'); at != std::string_view::npos) {
    uri.has_userinfo = true;
    const std::string_view userinfo = authority.substr(0, at);
    if (size_t bad = FirstNotAllowed(userinfo, [](char c) { return IsRegNameChar(c) || c == ':'; });
        bad != std::string_view::npos) {
      return CharError("user information", userinfo[bad]);
    }
    host_port = authority.substr(at + 1);
  }
  std::string_view port_text;
  bool has_port = false;
  if (!host_port.empty() && host_port[0] == '[') {
    const size_t close = host_port.find(']');
    if (close == std::string_view::npos) return InvalidArgument("has an IP literal without ']'");
    const std::string_view literal = host_port.substr(1, close - 1);
    if (!literal.empty() && (literal[0] == 'v' || literal[0] == 'V')) {
      // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
      const size_t dot = literal.find('.');
      bool ok = dot != std::string_view::npos && dot > 1 && dot + 1 < literal.size();
      for (size_t i = 1; ok && i < dot; ++i) ok = IsHex(literal[i]);
      for (size_t i = dot + 1; ok && i < literal.size(); ++i) {
        ok = IsUnreserved(literal[i]) || IsSubDelim(literal[i]) || literal[i] == ':';
      }
      if (!ok) return InvalidArgument("has a malformed IP literal");
      uri.host_kind = HostKind::kIpFuture;
    } else {
      std::array<unsigned char, 16> bytes{};
      const std::string inner(literal);
      if (inet_pton(AF_INET6, inner.c_str(), bytes.data()) != 1) {
        return InvalidArgument("has a malformed IPv6 address");
      }
      uri.host_kind = HostKind::kIpv6;
    }
    uri.host = Lower(host_port.substr(0, close + 1));
    const std::string_view after = host_port.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return InvalidArgument("has characters after its IP literal");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = host_port.find(':');
    const std::string_view host = host_port.substr(0, colon);
    if (size_t bad = FirstNotAllowed(host, IsRegNameChar); bad != std::string_view::npos) {
      return CharError("host", host[bad]);
    }
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = host_port.substr(colon + 1);
    }
    uri.host = Lower(host);
    uri.host_percent_encoded = host.find('%') != std::string_view::npos;
    uri.host_kind = IsDottedQuad(host) ? HostKind::kIpv4 : HostKind::kRegName;
  }
  if (has_port) {
    // RFC 3986 allows an empty port; nothing legitimate sends one, and
    // "https://a:" versus "https://a" would be two registrations of one URI.
    if (port_text.empty()) return InvalidArgument("has an empty port");
    if (port_text.size() > 5) return InvalidArgument("has a port out of range");
    uint32_t port = 0;
    for (char c : port_text) {
      if (!IsDigit(c)) return InvalidArgument("has a port that is not a number");
      port = port * 10 + static_cast<uint32_t>(c - '0');
    }
    if (port > 65535) return InvalidArgument("has a port out of range");
    uri.port = static_cast<uint16_t>(port);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<Uri> ParseAbsoluteUri(std::string_view text) {
  if (text.empty()) return InvalidArgument("is empty");
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ') return InvalidArgument("contains a space");
    if (c < 0x20 || c == 0x7f) return InvalidArgument("contains a control character");
    if (c >= 0x80) return InvalidArgument("contains a non-ASCII character (percent-encode it)");
    if (c == '%' && (i + 2 >= text.size() || !IsHex(text[i + 1]) || !IsHex(text[i + 2]))) {
      return InvalidArgument("has a '%' not followed by two hex digits");
    }
  }

  Uri uri;
  size_t colon = 0;
  while (colon < text.size() && IsSchemeChar(text[colon])) ++colon;
  if (colon == 0 || colon == text.size() || text[colon] != ':' || !IsAlpha(text[0])) {
    return InvalidArgument("is not an absolute URI (it needs a scheme such as https:)");
  }
  uri.scheme = Lower(text.substr(0, colon));
  std::string_view rest = text.substr(colon + 1);

  if (const size_t hash = rest.find('#'); hash != std::string_view::npos) {
    const std::string_view fragment = rest.substr(hash + 1);
    if (size_t bad = FirstNotAllowed(fragment, IsQueryChar); bad != std::string_view::npos) {
      return CharError("fragment", fragment[bad]);
    }
    uri.fragment = std::string(fragment);
    rest = rest.substr(0, hash);
  }
  if (const size_t question = rest.find('?'); question != std::string_view::npos) {
    const std::string_view query = rest.substr(question + 1);
    if (size_t bad = FirstNotAllowed(query, IsQueryChar); bad != std::string_view::npos) {
      return CharError("query", query[bad]);
    }
    uri.query = std::string(query);
    rest = rest.substr(0, question);
  }
  if (rest.substr(0, 2) == "//") {
    uri.has_authority = true;
    const size_t slash = rest.find('/', 2);
    const std::string_view authority =
        rest.substr(2, slash == std::string_view::npos ? rest.npos : slash - 2);
    PORTICO_RETURN_IF_ERROR(ParseAuthority(authority, uri));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  }
  if (size_t bad = FirstNotAllowed(rest, IsPathChar); bad != std::string_view::npos) {
    return CharError("path", rest[bad]);
  }
  uri.path = std::string(rest);
  return uri;
}

bool IsLoopbackHost(const Uri& uri) {
  switch (uri.host_kind) {
    case HostKind::kRegName: {
      std::string_view host = uri.host;
      if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // "localhost."
      constexpr std::string_view kLocal = "localhost";
      constexpr std::string_view kDotLocal = ".localhost";
      return host == kLocal || (host.size() > kDotLocal.size() &&
                                host.substr(host.size() - kDotLocal.size()) == kDotLocal);
    }
    case HostKind::kIpv4:
      return uri.host.rfind("127.", 0) == 0 || uri.host == "0.0.0.0";
    case HostKind::kIpv6: {
      const auto bytes = Ipv6Bytes(uri);
      if (!bytes) return false;
      if (IsIpv6Loopback(*bytes)) return true;
      bool zero_prefix = true;  // :: and ::ffff:a.b.c.d share ten zero bytes
      for (size_t i = 0; i < 10; ++i) zero_prefix = zero_prefix && (*bytes)[i] == 0;
      if (!zero_prefix) return false;
      bool all_zero = true;
      for (size_t i = 10; i < 16; ++i) all_zero = all_zero && (*bytes)[i] == 0;
      if (all_zero) return true;  // ::
      const bool mapped = (*bytes)[10] == 0xff && (*bytes)[11] == 0xff;
      return mapped && ((*bytes)[12] == 127 || ((*bytes)[12] == 0 && (*bytes)[13] == 0 &&
                                                (*bytes)[14] == 0 && (*bytes)[15] == 0));
    }
    default:
      return false;
  }
}

bool IsNativeLoopbackHost(const Uri& uri) {
  if (uri.host_kind == HostKind::kRegName) return uri.host == "localhost";
  if (uri.host_kind == HostKind::kIpv4) return uri.host == "127.0.0.1";
  const auto bytes = Ipv6Bytes(uri);
  return bytes && IsIpv6Loopback(*bytes);
}

bool IsAmbiguousNumericHost(const Uri& uri) {
  if (uri.host_kind != HostKind::kRegName) return false;
  std::string_view host = uri.host;
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  const size_t dot = host.rfind('.');
  const std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  bool digits = true;
  for (char c : last) digits = digits && IsDigit(c);
  if (digits) return true;
  if (last.size() >= 2 && last[0] == '0' && last[1] == 'x') {
    bool hex = true;
    for (char c : last.substr(2)) hex = hex && IsHex(c);
    return hex;
  }
  return false;
}

}  // namespace portico::dcr
