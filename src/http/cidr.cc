#include "src/http/cidr.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace portico::http {
namespace {

struct Ip {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};
};

constexpr uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsMapped(const Ip& ip) {
  return ip.v6 && std::memcmp(ip.bytes.data(), kMappedPrefix, sizeof kMappedPrefix) == 0;
}

// Textual IPv4 or IPv6 ("[…]" accepted); IPv4-mapped IPv6 comes back as IPv4.
std::optional<Ip> ParseIp(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  Ip ip;
  if (inet_pton(AF_INET, buf, ip.bytes.data()) == 1) return ip;
  if (inet_pton(AF_INET6, buf, ip.bytes.data()) != 1) return std::nullopt;
  ip.v6 = true;
  if (IsMapped(ip)) {
    std::memmove(ip.bytes.data(), ip.bytes.data() + 12, 4);
    std::memset(ip.bytes.data() + 4, 0, 12);
    ip.v6 = false;
  }
  return ip;
}

std::string IpToString(bool v6, const uint8_t* bytes) {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, buf, sizeof buf) == nullptr) return {};
  return buf;
}

bool InNetwork(const Cidr& cidr, const Ip& ip) {
  if (cidr.v6 != ip.v6) return false;
  int bits = cidr.prefix_length;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip.bytes[i] & mask) != (cidr.address[i] & mask)) return false;
  }
  return true;
}

std::optional<Cidr> ParseCidr(std::string_view entry) {
  std::string_view address = entry;
  std::optional<int> prefix;
  if (const size_t slash = entry.find('/'); slash != std::string_view::npos) {
    address = entry.substr(0, slash);
    const std::string_view digits = entry.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    int value = 0;
    for (const char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    prefix = value;
  }
  // Parse without the mapped→IPv4 folding first, to adjust a mapped prefix.
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') return std::nullopt;
  std::optional<Ip> ip = ParseIp(address);
  if (!ip) return std::nullopt;
  const bool was_mapped_v6 = !ip->v6 && address.find(':') != std::string_view::npos;
  Cidr cidr;
  cidr.v6 = ip->v6;
  cidr.address = ip->bytes;
  const int max_bits = ip->v6 ? 128 : 32;
  if (!prefix) {
    cidr.prefix_length = max_bits;
  } else if (was_mapped_v6) {
    // ::ffff:10.0.0.0/104 is 10.0.0.0/8; shorter prefixes reach outside the
    // mapped range, which no peer we compare against is ever in.
    if (*prefix > 128 || *prefix < 96) return std::nullopt;
    cidr.prefix_length = *prefix - 96;
  } else {
    if (*prefix > max_bits) return std::nullopt;
    cidr.prefix_length = *prefix;
  }
  // Clear host bits, so equal networks compare equal.
  for (int i = 0; i < 16; ++i) {
    const int keep = cidr.prefix_length - i * 8;
    if (keep >= 8) continue;
    cidr.address[i] &= keep <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - keep));
  }
  return cidr;
}

bool Trusted(const Ip& ip, const std::vector<Cidr>& trusted) {
  for (const Cidr& cidr : trusted) {
    if (InNetwork(cidr, ip)) return true;
  }
  return false;
}

}  // namespace

std::string Cidr::ToString() const {
  return IpToString(v6, address.data()) + "/" + std::to_string(prefix_length);
}

StatusOr<std::vector<Cidr>> ParseCidrList(std::string_view csv) {
  std::vector<Cidr> out;
  if (Trim(csv).empty()) return out;
  while (true) {
    const size_t comma = csv.find(',');
    const std::string_view entry = Trim(csv.substr(0, comma));
    std::optional<Cidr> cidr = ParseCidr(entry);
    if (!cidr) {
      return InvalidArgument("invalid CIDR entry \"" + std::string(entry) +
                             "\" (expected an IPv4 or IPv6 address with an optional /prefix)");
    }
    out.push_back(*cidr);
    if (comma == std::string_view::npos) break;
    csv.remove_prefix(comma + 1);
  }
  return out;
}

bool CidrContains(const Cidr& cidr, std::string_view ip) {
  std::optional<Ip> parsed = ParseIp(Trim(ip));
  return parsed && InNetwork(cidr, *parsed);
}

std::string ResolveClientIp(std::string_view peer_ip,
                            std::optional<std::string_view> x_forwarded_for,
                            const std::vector<Cidr>& trusted) {
  // Fast path for the common case (no proxy in play): a dotted IPv4 peer as
  // the socket layer prints it is already canonical; skip parse and print.
  if ((trusted.empty() || !x_forwarded_for) && !peer_ip.empty() &&
      std::all_of(peer_ip.begin(), peer_ip.end(),
                  [](char c) { return (c >= '0' && c <= '9') || c == '.'; })) {
    return std::string(peer_ip);
  }
  std::optional<Ip> peer = ParseIp(peer_ip);
  if (!peer) return std::string(peer_ip);
  std::string peer_text = IpToString(peer->v6, peer->bytes.data());
  if (!x_forwarded_for || trusted.empty() || !Trusted(*peer, trusted)) return peer_text;

  // Walk right to left: each hop was appended by the proxy at its right.
  Ip last_good = *peer;
  std::string_view list = *x_forwarded_for;
  while (true) {
    const size_t comma = list.rfind(',');
    const std::string_view entry =
        Trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
    if (entry.empty() && comma == std::string_view::npos) break;  // no (more) entries
    std::optional<Ip> hop = ParseIp(entry);
    if (!hop) break;  // cannot trust anything left of a garbled hop
    last_good = *hop;
    if (!Trusted(*hop, trusted)) break;
    if (comma == std::string_view::npos) break;  // leftmost, and trusted
    list = list.substr(0, comma);
  }
  return IpToString(last_good.v6, last_good.bytes.data());
}

}  // namespace portico::http
