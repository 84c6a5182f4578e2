#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dcr/client_secrets.h"
#include "dcr/client_store.h"
#include "dcr/metadata/client_metadata.h"
#include "dcr/revoked_token_store.h"
#include "dcr/token/form.h"
#include "dcr/token/signing_keys.h"
#include "portico/clock.h"
#include "portico/database.h"
#include "portico/json.h"
#include "portico/random.h"
#include "portico/status.h"

namespace portico::dcr {

// Paths of the OAuth endpoints this module serves (dcr/http/token_routes.h),
// relative to PUBLIC_BASE_URL; discovery documents are built from them.
inline constexpr char kTokenPath[] = "/oauth/token";
inline constexpr char kIntrospectionPath[] = "/oauth/introspect";
inline constexpr char kRevocationPath[] = "/oauth/revoke";
inline constexpr char kJwksPath[] = "/oauth/jwks.json";

// RFC 7523 §2.2.
inline constexpr char kJwtBearerAssertionType[] =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

// What the token endpoint offers, for discovery (RFC 8414 §2) and the
// registration policy. Introspection and revocation accept the same client
// authentication methods and algorithms.
struct TokenEndpointCapabilities {
  std::vector<std::string> grant_types;  // grant_types_supported
  // token_endpoint_auth_methods_supported (also for introspection and
  // revocation). Registration additionally accepts "none" for public clients,
  // which get no token here.
  std::vector<std::string> auth_methods;
  // token_endpoint_auth_signing_alg_values_supported: private_key_jwt assertions.
  std::vector<std::string> auth_signing_algs;
  // The access tokens' own JWS algorithm.
  std::vector<std::string> access_token_signing_algs;
};

struct TokenServiceOptions {
  // The `iss` of every access token: PUBLIC_BASE_URL exactly.
  std::string issuer;
  // Absolute URLs of the endpoints; empty → issuer + kTokenPath and so on.
  // A private_key_jwt assertion's `aud` must hold the issuer or one of them.
  std::string token_endpoint;
  std::string introspection_endpoint;
  std::string revocation_endpoint;
  // Lifetime of an access token (`expires_in`). SigningKeysOptions::
  // max_token_lifetime must not be shorter.
  std::chrono::seconds access_token_lifetime = std::chrono::seconds(3600);
  // Leeway on the time claims of client assertions.
  std::chrono::seconds clock_skew = std::chrono::seconds(60);
  // RFC 7523 §3: an assertion whose `exp` lies further ahead than this (plus
  // the skew) is refused: its jti would have to be remembered that long.
  std::chrono::seconds max_assertion_lifetime = std::chrono::seconds(3600);
  // ClientStore::Touch is called only when the stored last_used_at is older
  // than this, or tokens_live_until would move by more: a write per token is
  // more than the store can take at the token rates we aim for.
  std::chrono::seconds touch_interval = std::chrono::seconds(60);
  // Called with the client's tenant id after each issued access token (feeds
  // the first-API-call metric); must be thread-safe. Unset: nothing.
  std::function<void(std::string_view tenant_id)> on_token_issued;
};

// An OAuth request to the token, introspection or revocation endpoint,
// detached from HTTP: the Authorization header and the form parameters.
struct OAuthRequest {
  std::optional<std::string> authorization;  // the Authorization header, when sent
  FormParams params;
};

// A client that proved its identity at one of the endpoints.
struct AuthenticatedClient {
  ClientRecord record;
  ClientMetadata metadata;
  std::string method;  // client_secret_basic, client_secret_post or private_key_jwt
};

// A successful token response (RFC 6749 §5.1).
struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;  // seconds
  std::string scope;       // granted scopes, space-separated; empty when none
  std::string client_id;
  std::string tenant_id;  // for the access log
};

struct IntrospectionResult {
  Json body;  // {"active":false} or the RFC 7662 §2.2 members
  std::string caller_tenant_id;
};

struct RevocationResult {
  bool revoked = false;  // whether a token was recorded as revoked (200 either way)
  std::string caller_tenant_id;
};

// The OAuth token endpoint (RFC 6749 §4.4 client_credentials, §2.3 client
// authentication, RFC 7523 private_key_jwt, RFC 9068 JWT access tokens),
// token introspection (RFC 7662) and revocation (RFC 7009).
//
// Every error is a Status tagged with its RFC 6749 §5.2 code:
//   invalid_client (Unauthenticated → 401): authentication failed; an
//     unknown or deleted client, a wrong secret and a bad assertion signature
//     all get the one message "client authentication failed";
//   invalid_request (InvalidArgument): a missing or malformed parameter, more
//     than one authentication method in one request (RFC 6749 §2.3);
//   unsupported_grant_type, unauthorized_client, invalid_scope,
//     invalid_target (RFC 8707) (InvalidArgument);
//   Unavailable when the database is down; Internal on a broken invariant.
//
// Thread-safe: call every method from many threads at once.
class TokenService {
 public:
  // Every reference must outlive the service. `random` draws the tokens'
  // `jti` (use SecureRandom() in production).
  TokenService(Database& database, SigningKeys& keys, const ClientSecrets& secrets,
               const Clock& clock, Random& random, TokenServiceOptions options);

  // RFC 6749 §4.4: grant_type=client_credentials, optional scope (a subset
  // of the client's registered scopes; default all of them) and resource
  // (RFC 8707; absolute URIs; they become `aud`, else aud = issuer).
  // Returns the signed access token or an error as above.
  StatusOr<IssuedToken> IssueToken(const OAuthRequest& request);

  // RFC 7662: the caller authenticates as a client; `token` is required.
  // Active only when the signature verifies with a published key, it is
  // unexpired, its jti is not revoked, and its client still exists and
  // belongs to the caller's tenant; anything else is {"active":false}.
  // Errors: client authentication, invalid_request, Unavailable.
  StatusOr<IntrospectionResult> Introspect(const OAuthRequest& request);

  // RFC 7009: the caller authenticates as a client; `token` is required;
  // token_type_hint is ignored. A valid token of the caller is recorded as
  // revoked until it expires; an invalid, expired or unknown token, or one
  // of another client, is left alone (still OK, §2.2).
  // Errors: client authentication, invalid_request, Unavailable.
  StatusOr<RevocationResult> Revoke(const OAuthRequest& request);

  // RFC 6749 §2.3 client authentication as the three endpoints do it:
  // exactly one of client_secret_basic, client_secret_post, private_key_jwt,
  // and it must be the client's registered token_endpoint_auth_method.
  // `endpoint` is the URL the request was sent to (an assertion's `aud` may
  // name it). A used private_key_jwt assertion is recorded (RevokedTokenStore,
  // key "assertion:<client_id>:<jti>") until its exp, so it cannot be replayed.
  StatusOr<AuthenticatedClient> Authenticate(const OAuthRequest& request,
                                             std::string_view endpoint);

  static const TokenEndpointCapabilities& Capabilities();
  const TokenServiceOptions& options() const { return options_; }

 private:
  StatusOr<AuthenticatedClient> AuthenticateWithSecret(std::string_view client_id,
                                                       std::string_view secret,
                                                       std::string_view method, TimePoint now);
  StatusOr<AuthenticatedClient> AuthenticateWithAssertion(const OAuthRequest& request,
                                                          std::string_view endpoint, TimePoint now);
  // The verified claims of one of our access tokens, or nullopt when it is
  // not one (bad signature, other issuer, expired, malformed). Errors only
  // when the keys cannot be read.
  StatusOr<std::optional<Json>> VerifyAccessToken(std::string_view token, TimePoint now);
  Status TouchIfDue(const ClientRecord& client, TimePoint now, TimePoint token_expires_at);

  Database& database_;
  SigningKeys& keys_;
  const ClientSecrets& secrets_;
  const Clock& clock_;
  Random& random_;
  TokenServiceOptions options_;
};

}  // namespace portico::dcr
