#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dcr/metadata/registration_policy.h"
#include "portico/json.h"
#include "portico/status.h"

namespace portico::dcr {

// The registered metadata of one OAuth client (RFC 7591 §2, OpenID Connect
// Dynamic Client Registration 1.0 §2), as ValidateClientMetadata produced
// it: known members only, server-provisioned defaults filled in, in a fixed
// member order (so two equal registrations serialise alike). It is exactly
// what the registration response echoes next to client_id and the secrets
// (RFC 7591 §3.2.1) and what the store keeps. Typed accessors cover what the
// services need; json() has everything. Immutable; safe to share.
class ClientMetadata {
 public:
  // Rebuilds the typed view from metadata this module produced earlier
  // (e.g. read back from the client store). Trusts the content's rules but
  // checks its shape: InvalidArgument (tag "invalid_client_metadata") when
  // `registered` is not an object or a member the accessors read has the
  // wrong type or is missing. Thread-safe.
  static StatusOr<ClientMetadata> FromRegistered(Json registered);

  // The registered metadata, ready to merge into a registration response.
  const Json& json() const { return json_; }

  // Possibly empty (a client_credentials client needs none).
  const std::vector<std::string>& redirect_uris() const { return redirect_uris_; }
  // Never empty.
  const std::vector<std::string>& grant_types() const { return grant_types_; }
  // Possibly empty: a client without redirect-based grants has none.
  const std::vector<std::string>& response_types() const { return response_types_; }
  const std::string& token_endpoint_auth_method() const { return token_endpoint_auth_method_; }
  // "web" or "native".
  const std::string& application_type() const { return application_type_; }
  // Space-separated, no duplicates; empty when the client has no scope.
  const std::string& scope() const { return scope_; }
  // The scope split into tokens, in registered order.
  std::vector<std::string> scopes() const;
  const std::optional<std::string>& software_id() const { return software_id_; }
  const std::optional<std::string>& software_version() const { return software_version_; }
  // The software statement the request carried, passed through unmodified
  // (RFC 7591 §3.2.1 returns it in the response).
  const std::optional<std::string>& software_statement() const { return software_statement_; }
  const std::optional<std::string>& jwks_uri() const { return jwks_uri_; }
  // The client's JWK Set, or nullptr.
  const Json* jwks() const { return json_.Find("jwks"); }
  bool has_jwks() const { return jwks() != nullptr; }
  bool has_jwks_uri() const { return jwks_uri_.has_value(); }
  const std::vector<std::string>& post_logout_redirect_uris() const {
    return post_logout_redirect_uris_;
  }
  // A public client authenticates with nothing at the token endpoint and
  // gets no client_secret (RFC 7591 §2 token_endpoint_auth_method "none").
  bool is_public_client() const { return token_endpoint_auth_method_ == "none"; }
  // Whether the client needs a client_secret: client_secret_basic,
  // client_secret_post and client_secret_jwt (RFC 7591 §3.2.1).
  bool needs_client_secret() const;
  bool HasGrantType(std::string_view grant_type) const;

 private:
  ClientMetadata() = default;

  Json json_;
  std::vector<std::string> redirect_uris_;
  std::vector<std::string> grant_types_;
  std::vector<std::string> response_types_;
  std::string token_endpoint_auth_method_;
  std::string application_type_;
  std::string scope_;
  std::optional<std::string> software_id_;
  std::optional<std::string> software_version_;
  std::optional<std::string> software_statement_;
  std::optional<std::string> jwks_uri_;
  std::vector<std::string> post_logout_redirect_uris_;
};

// Checks a JWK Set (RFC 7517 §5) the client registers as `jwks`: every key
// well-formed and usable. Returns OK or a Status whose message says which key
// is wrong and why. Supplied by the caller (the JOSE module), so this module
// stays free of cryptography.
using JwksValidator = std::function<Status(const Json& jwks)>;

// Validates a client registration request (RFC 7591 §2, §2.1, §2.2, §3.1;
// OpenID Connect Dynamic Client Registration 1.0 §2; RFC 8252 §7, §8.4)
// against `policy` and returns the metadata to register.
//
// `request` is the JSON body after the service has verified any software
// statement and merged its claims (RFC 7591 §2.3: they take precedence).
// Unknown members are dropped (RFC 7591 §2: the server MUST ignore them), as
// are those the server sets (client_id, client_secret,
// registration_access_token, registration_client_uri, client_id_issued_at,
// client_secret_expires_at); RFC 7592 PUT checks on those are the service's.
// A null member counts as absent. A `software_statement` string is kept
// unmodified (RFC 7591 §3.2.1 echoes it) but not checked here.
//
// Errors, each InvalidArgument with a client-safe message naming the member,
// the index and the value at fault:
//   tag "invalid_redirect_uri" — redirect_uris missing where a grant type
//     needs them, or one of them is malformed or not allowed;
//   tag "invalid_client_metadata" — any other member, including duplicate
//     member names anywhere in the request and a JWK Set `validate_jwks`
//     refuses;
//   tag "invalid_software_statement" — software_statement is not a string
//     that looks like a JWS;
//   Internal — `jwks` is present and `validate_jwks` is empty.
// Pure; thread-safe as long as `validate_jwks` is.
StatusOr<ClientMetadata> ValidateClientMetadata(const Json& request,
                                                const RegistrationPolicy& policy,
                                                const JwksValidator& validate_jwks);

// A stable text for "same registration" comparisons (deduplication): the
// registered metadata as canonical JSON, members sorted by name at every
// level, set-valued arrays sorted (redirect_uris, grant_types,
// response_types with their words sorted, contacts, request_uris,
// post_logout_redirect_uris, jwks.keys), scope words sorted, language tags
// lowercased in member names, software_statement left out (a re-signed
// statement with the same claims is the same registration). Order-sensitive
// values (default_acr_values, a preference list) stay as registered. Equal
// for two registrations that differ only in such ordering; may be long, so
// hash it before storing. Thread-safe.
std::string CanonicalFingerprint(const ClientMetadata& metadata);

}  // namespace portico::dcr
