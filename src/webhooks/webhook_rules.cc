#include "src/webhooks/webhook_rules.h"

#include <algorithm>
#include <cstdint>

namespace portico::webhooks {
namespace {

constexpr size_t kMaxUrlLength = 2048;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsFamily(std::string_view entry) {
  return entry.size() > 2 && entry.substr(entry.size() - 2) == ".*";
}

bool IsKnownEntry(std::string_view entry) {
  const std::vector<std::string>& known = KnownEventTypes();
  if (entry == kAllEvents) return true;
  if (IsFamily(entry)) {
    const std::string_view prefix = entry.substr(0, entry.size() - 1);  // keeps the dot
    return std::any_of(known.begin(), known.end(),
                       [&](const std::string& type) { return type.rfind(prefix, 0) == 0; });
  }
  return std::find(known.begin(), known.end(), entry) != known.end();
}

Status BadUrl(std::string message) {
  return InvalidArgument("webhook URL " + std::move(message)).WithTag("invalid_url");
}

}  // namespace

const std::vector<std::string>& KnownEventTypes() {
  static const std::vector<std::string> types = {
      // core: tenants and their credentials
      "tenant.created", "credential.created", "credential.revoked",
      // dcr: OAuth clients (RFC 7591/7592)
      "client.created", "client.updated", "client.deleted",
      // scim: users and groups pushed by identity providers
      "scim.user.created", "scim.user.updated", "scim.user.deleted", "scim.group.created",
      "scim.group.updated", "scim.group.deleted",
      // signup: a provisioned signup session; accounts from the sign-up API
      "signup.provisioned", "user.created", "user.email_verified", "organization.created",
      "session.created"};
  return types;
}

StatusOr<std::vector<std::string>> NormaliseEventSubscriptions(
    const std::vector<std::string>& requested) {
  std::vector<std::string> events;
  for (const std::string& raw : requested) {
    const std::string_view entry = Trim(raw);
    if (entry.empty()) {
      return InvalidArgument("an empty event type was listed").WithTag("invalid_events");
    }
    if (!IsKnownEntry(entry)) {
      return InvalidArgument("unknown event type \"" + std::string(entry) + "\"")
          .WithTag("invalid_events");
    }
    if (std::find(events.begin(), events.end(), entry) == events.end()) {
      events.emplace_back(entry);
    }
  }
  if (events.empty()) return InvalidArgument("no event type was listed").WithTag("invalid_events");
  if (std::find(events.begin(), events.end(), kAllEvents) != events.end()) {
    return std::vector<std::string>{kAllEvents};
  }
  return events;
}

bool Subscribes(const std::vector<std::string>& events, std::string_view type) {
  return std::any_of(events.begin(), events.end(), [&](const std::string& entry) {
    if (entry == kAllEvents || entry == type) return true;
    if (!IsFamily(entry)) return false;
    const std::string_view prefix = std::string_view(entry).substr(0, entry.size() - 1);
    return type.size() > prefix.size() && type.substr(0, prefix.size()) == prefix;
  });
}

Status ValidateWebhookUrl(std::string_view url) {
  if (url.empty()) return BadUrl("is empty");
  if (url.size() > kMaxUrlLength) return BadUrl("is longer than 2048 characters");
  for (const char c : url) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return BadUrl("must be printable ASCII without spaces (percent-encode the rest)");
    }
  }
  const std::string lower = AsciiLower(url);
  bool https = false;
  size_t rest = 0;
  if (lower.rfind("https://", 0) == 0) {
    https = true;
    rest = 8;
  } else if (lower.rfind("http://", 0) == 0) {
    rest = 7;
  } else {
    return BadUrl("must be an absolute http:// or https:// URL");
  }
  if (url.find('#') != std::string_view::npos) return BadUrl("must not have a fragment");
  const size_t end = url.find_first_of("/?", rest);
  const std::string_view authority =
      url.substr(rest, end == std::string_view::npos ? std::string_view::npos : end - rest);
  // Credentials in a URL end up in logs and proxies; receivers authenticate
  // the sender by the signature instead.
  if (authority.find('@') != std::string_view::npos) return BadUrl("must not contain userinfo");

  std::string_view host;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close == 1) return BadUrl("has a malformed IPv6 host");
    host = authority.substr(1, close - 1);
    for (const char c : host) {
      const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
      if (!hex && c != ':' && c != '.') return BadUrl("has a malformed IPv6 host");
    }
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return BadUrl("has a malformed IPv6 host");
      port = after.substr(1);
      if (port.empty()) return BadUrl("has an empty port");
    }
  } else {
    const size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
      if (port.empty()) return BadUrl("has an empty port");
    }
    for (const char c : host) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_';
      if (!ok) return BadUrl("has a malformed host");
    }
  }
  if (host.empty()) return BadUrl("has no host");
  if (!port.empty()) {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return BadUrl("has a malformed port");
    }
    const int value = std::stoi(std::string(port));
    if (value < 1 || value > 65535) return BadUrl("has a port outside 1-65535");
  }
  const std::string lower_host = AsciiLower(host);
  const bool loopback =
      lower_host == "127.0.0.1" || lower_host == "::1" || lower_host == "localhost";
  if (!https && !loopback) {
    return BadUrl("must use https (plain http is allowed only for 127.0.0.1, [::1] and localhost)");
  }
  return Status::Ok();
}

}  // namespace portico::webhooks
