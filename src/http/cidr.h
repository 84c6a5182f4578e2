#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/status.h"

namespace portico::http {

// An IPv4 or IPv6 network. IPv4-mapped IPv6 networks (::ffff:a.b.c.d/96+)
// are stored as IPv4, so they match the same peers.
struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> address{};  // network address; IPv4 uses the first 4 bytes
  int prefix_length = 0;              // 0…32 or 0…128

  std::string ToString() const;  // "10.0.0.0/8", "2001:db8::/32"
  friend bool operator==(const Cidr&, const Cidr&) = default;
};

// Parses "10.0.0.0/8, 192.168.1.7,::1/128" (entries separated by commas,
// spaces around them ignored). A bare address means /32 or /128; host bits
// below the prefix are cleared. Empty (or blank) string → empty list.
// InvalidArgument naming the bad entry on any malformed one. Thread-safe.
StatusOr<std::vector<Cidr>> ParseCidrList(std::string_view csv);

// Whether `ip` (textual IPv4 or IPv6; IPv4-mapped IPv6 is IPv4) lies in the
// network. False for a malformed ip. Thread-safe.
bool CidrContains(const Cidr& cidr, std::string_view ip);

// The client address of a request. X-Forwarded-For is believed only when the
// peer is trusted: the list is walked right to left skipping trusted hops and
// the first untrusted address is returned (the leftmost if all are trusted);
// a malformed entry stops the walk and the last good hop is returned (the peer
// if it is the rightmost). Untrusted peer or no header → peer_ip. IPv4-mapped
// IPv6 addresses are returned in IPv4 form. Thread-safe.
std::string ResolveClientIp(std::string_view peer_ip,
                            std::optional<std::string_view> x_forwarded_for,
                            const std::vector<Cidr>& trusted);

}  // namespace portico::http
