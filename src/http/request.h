#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portico::http {

// One HTTP request as handlers see it, detached from Pistache: the server
// copies everything out of the parser, so an async handler may keep it after
// the reactor has moved on. Read-only for handlers except `log_tenant`.
struct Request {
  std::string method = {};  // "GET"…
  std::string path = {};    // percent-decoded once
  std::string route = {};   // matched pattern, e.g. "/scim/v2/Users/:id"; "" when none
  std::map<std::string, std::string> params = {};  // path params, decoded, key without ':'
  // Decoded ('+' → space in query). Pistache 0.0.5 parses the query into a
  // hash map: a repeated name keeps its first value only, and the order is
  // lost, so the pairs come sorted by name.
  std::vector<std::pair<std::string, std::string>> query = {};
  std::vector<std::pair<std::string, std::string>> headers = {};  // names lowercased
  std::string body = {};
  std::string client_ip = {};  // the peer, or X-Forwarded-For through trusted proxies
  std::string request_id = {};

  // Value of the first header with that name (case-insensitive), or nullopt.
  std::optional<std::string> Header(std::string_view name) const;
  // First value of that query parameter (exact name), or nullopt.
  std::optional<std::string> Query(std::string_view name) const;
  // The path parameter ("id" for ":id"), or "" when absent.
  std::string Param(std::string_view name) const;
  // The credential of "Authorization: Bearer <token>" (scheme case-insensitive,
  // RFC 6750 §2.1), or nullopt when the header is absent, another scheme, or empty.
  std::optional<std::string> BearerToken() const;

  // Set by handlers for the access log: a tenant id, never a secret.
  mutable std::string log_tenant = {};
};

// ASCII case-insensitive equality (header names, auth schemes).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace portico::http
