#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace portico::dcr {

// Size limits on a registration request. Generous for real clients, small
// enough that one request cannot make a client record huge.
struct MetadataLimits {
  size_t max_redirect_uris = 20;  // also post_logout_redirect_uris, request_uris
  size_t max_uri_length = 2000;   // octets, every URI field
  size_t max_text_length = 1000;  // octets: client_name, software_id, acr values …
  size_t max_contacts = 20;
  size_t max_array_entries = 20;      // grant_types, response_types, default_acr_values
  size_t max_scope_length = 2000;     // octets of the scope string
  size_t max_language_variants = 50;  // "field#tag" members, all fields together
  size_t max_software_statement_length = 16384;
};

// What one tenant lets its clients register, and what this server can
// serve. The caller (the registration service) fills it from the tenant's
// settings and the server's capabilities; ValidateClientMetadata only reads
// it. A plain value: copy it freely, share it read-only between threads.
struct RegistrationPolicy {
  // --- Tenant policy ---

  // Scopes a client of this tenant may register. A requested scope outside
  // this set is refused (not silently dropped): an empty set allows none.
  std::set<std::string> allowed_scopes;
  // Registered when the request names no scope (RFC 7591 §2: "the
  // authorization server MAY register a client with a default set of
  // scopes"), in this order. Taken as configured, not re-checked.
  std::vector<std::string> default_scopes;
  // Grant types this tenant's clients may use, within supported_grant_types.
  // Empty: every supported grant type.
  std::set<std::string> allowed_grant_types;
  // Hosts that redirect URIs (and post-logout redirect URIs) may name:
  // "app.example.com" matches that host exactly (case-insensitively);
  // "*.example.com" matches any subdomain of example.com but not
  // example.com itself. Empty: any host. Loopback hosts are not checked
  // (they never leave the user's device); a native app's private-use scheme
  // is checked as its reversed domain ("com.example.app" → app.example.com,
  // RFC 8252 §7.1).
  std::vector<std::string> allowed_redirect_hosts;
  // Development: web clients (and web page URIs such as logo_uri) may use
  // loopback hosts, with http or https. Off in production.
  bool allow_http_loopback_for_web = false;
  // Carried for the registration service, which checks it before calling
  // the validator; the validator ignores it.
  bool require_software_statement = false;

  // --- Server capabilities ---

  // Grant types the token endpoint serves. The caller fills it from the
  // server's capabilities (and advertises the same list in discovery).
  // Portico's token endpoint issues client_credentials tokens only, hence
  // this default; a server that offers authorization_code must add it, since
  // RFC 7591 §2 makes authorization_code the default of an omitted
  // grant_types.
  std::set<std::string> supported_grant_types = {"client_credentials"};
  // RFC 7591 §2 and the IANA "OAuth Token Endpoint Authentication Methods"
  // registry; the default method, client_secret_basic, is first in the RFC.
  std::set<std::string> supported_token_endpoint_auth_methods = {
      "client_secret_basic", "client_secret_post", "private_key_jwt", "none"};
  // JWS algorithms accepted for token_endpoint_auth_signing_alg,
  // request_object_signing_alg, id_token_signed_response_alg and
  // userinfo_signed_response_alg. "none" is accepted only where listed here
  // (and never for token_endpoint_auth_signing_alg).
  std::set<std::string> supported_signing_algs = {"RS256", "PS256", "ES256", "EdDSA"};
  // JWE "alg" and "enc" values for the *_encrypted_response_* and
  // request_object_encryption_* metadata. Empty: encryption metadata is
  // refused, since this server cannot honour it.
  std::set<std::string> supported_encryption_algs;
  std::set<std::string> supported_encryption_encs;
  // OpenID Connect Core §8: "public" and/or "pairwise".
  std::set<std::string> supported_subject_types = {"public"};

  MetadataLimits limits;
};

}  // namespace portico::dcr
