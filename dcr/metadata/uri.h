#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "portico/status.h"

namespace portico::dcr {

// What the authority's host is (RFC 3986 §3.2.2).
enum class HostKind {
  kNone,      // no authority, e.g. "com.example.app:/cb"
  kRegName,   // a registered name ("example.com", "localhost"); may be empty
  kIpv4,      // a dotted quad without leading zeros
  kIpv6,      // "[...]"
  kIpFuture,  // "[v1.…]"
};

// An absolute URI split into its components (RFC 3986 §3). Components are
// kept as sent except `scheme` and `host`, which are lowercased because they
// compare case-insensitively (§3.1, §3.2.2).
struct Uri {
  std::string scheme;
  bool has_authority = false;
  bool has_userinfo = false;
  HostKind host_kind = HostKind::kNone;
  std::string host;  // lowercased; IP literals keep their brackets
  bool host_percent_encoded = false;
  std::optional<uint16_t> port;
  std::string path;
  std::optional<std::string> query;
  std::optional<std::string> fragment;
};

// Parses an absolute URI, strictly: printable ASCII only (no space, no
// control or non-ASCII character: IRIs must be percent-encoded first), every
// '%' followed by two hex digits, each character one the grammar allows where
// it stands, a port of at most 65535 and never empty. Returns the components
// on success; on failure InvalidArgument (no tag) whose message says why, for
// the caller to prefix with the field name. Pure and thread-safe.
StatusOr<Uri> ParseAbsoluteUri(std::string_view text);

// Whether the host reaches the local machine: "localhost" and its
// subdomains (RFC 6761 §6.3), 127.0.0.0/8, ::1 in any spelling,
// IPv4-mapped 127/8, and the unspecified 0.0.0.0 and ::.
bool IsLoopbackHost(const Uri& uri);

// Whether the host is one of the three loopback names a native app may use
// with http on any port (RFC 8252 §7.3, §8.3): "127.0.0.1", "[::1]" (in any
// IPv6 spelling) or "localhost".
bool IsNativeLoopbackHost(const Uri& uri);

// Whether a registered name could be read as a number by a browser's URL
// parser (WHATWG: a last label of digits or "0x…" makes the host IPv4), so
// that "2130706433" or "127.1" would reach 127.0.0.1 while looking harmless.
bool IsAmbiguousNumericHost(const Uri& uri);

}  // namespace portico::dcr
