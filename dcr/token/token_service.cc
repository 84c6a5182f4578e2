#include "dcr/token/token_service.h"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <utility>

#include "portico/crypto.h"
#include "portico/jose.h"
#include "portico/parse_json.h"

namespace portico::dcr {
namespace {

constexpr char kClientCredentials[] = "client_credentials";
// One message for every failed proof of identity, so that a caller learns
// nothing about which part was wrong (RFC 6749 §5.2 invalid_client).
constexpr char kAuthFailed[] = "client authentication failed";
constexpr size_t kMaxClientIdLength = 256;
constexpr size_t kMaxJtiLength = 256;
constexpr size_t kMaxTokenLength = 16 * 1024;

Status ClientError(std::string message) {
  return Unauthenticated(std::move(message)).WithTag("invalid_client");
}
Status AuthFailed(std::string internal = {}) {
  return ClientError(kAuthFailed).WithInternal(std::move(internal));
}
Status RequestError(std::string message) {
  return InvalidArgument(std::move(message)).WithTag("invalid_request");
}

int64_t NumericDate(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint FromNumericDate(double seconds) {
  return FromUnixMillis(static_cast<int64_t>(seconds * 1000));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Whether a value may be echoed in error_description (RFC 6749 §5.2:
// printable ASCII except '"' and '\'; messages quote it in ').
bool Echoable(std::string_view text) {
  return text.size() <= 100 && std::all_of(text.begin(), text.end(), [](char c) {
           return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' && c != '\'';
         });
}

std::string JoinUrl(std::string_view base, std::string_view path) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  return std::string(base) + std::string(path);
}

// The authentication scheme of an Authorization header and its credentials.
std::pair<std::string_view, std::string_view> SplitAuthorization(std::string_view header) {
  const size_t space = header.find(' ');
  if (space == std::string_view::npos) return {header, {}};
  std::string_view credentials = header.substr(space + 1);
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && credentials.back() == ' ') credentials.remove_suffix(1);
  return {header.substr(0, space), credentials};
}

bool IsBasic(const std::optional<std::string>& authorization) {
  return authorization && EqualsIgnoreCase(SplitAuthorization(*authorization).first, "Basic");
}

// RFC 7617 §2 credentials, each part form-urlencoded first (RFC 6749 §2.3.1).
StatusOr<std::pair<std::string, std::string>> ParseBasic(std::string_view header) {
  const std::optional<std::string> decoded = Base64Decode(SplitAuthorization(header).second);
  const size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) {
    return ClientError("the Authorization header holds no Basic client_id:client_secret");
  }
  std::optional<std::string> id = FormUrlDecode(std::string_view(*decoded).substr(0, colon));
  std::optional<std::string> secret = FormUrlDecode(std::string_view(*decoded).substr(colon + 1));
  if (!id || !secret) {
    return ClientError("the Basic client_id or client_secret has a malformed %-escape");
  }
  return std::make_pair(std::move(*id), std::move(*secret));
}

// One part (0 header, 1 payload) of a compact JWS, decoded but NOT verified:
// only to find which client or key to verify it with.
std::optional<Json> PeekJwsPart(std::string_view compact, int index) {
  const size_t first = compact.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view part =
      index == 0 ? compact.substr(0, first) : compact.substr(first + 1, second - first - 1);
  const std::optional<std::string> text = Base64UrlDecode(part);
  if (!text) return std::nullopt;
  StatusOr<Json> json = ParseJson(*text);
  if (!json.ok() || !json->is_object()) return std::nullopt;
  return std::move(json).value();
}

const std::string* StringClaim(const Json& claims, std::string_view name) {
  const Json* value = claims.Find(name);
  return value != nullptr && value->is_string() && !value->as_string().empty() ? &value->as_string()
                                                                               : nullptr;
}

bool AudienceNames(const Json* aud, const std::vector<std::string_view>& accepted) {
  const auto accepts = [&](const Json& value) {
    return value.is_string() &&
           std::find(accepted.begin(), accepted.end(), value.as_string()) != accepted.end();
  };
  if (aud == nullptr) return false;
  if (aud->is_array()) return std::any_of(aud->as_array().begin(), aud->as_array().end(), accepts);
  return accepts(*aud);
}

std::vector<std::string> SplitScope(std::string_view scope) {
  std::vector<std::string> out;
  while (!scope.empty()) {
    const size_t space = scope.find(' ');
    const std::string_view word = scope.substr(0, space);
    if (!word.empty() && std::find(out.begin(), out.end(), word) == out.end()) {
      out.emplace_back(word);
    }
    if (space == std::string_view::npos) break;
    scope.remove_prefix(space + 1);
  }
  return out;
}

std::string JoinScope(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out.push_back(' ');
    out += word;
  }
  return out;
}

// RFC 8707 §2: an absolute URI (RFC 3986 §4.3) without a fragment. Only the
// shape is checked: which resources exist is the resource servers' business.
bool IsResourceUri(std::string_view uri) {
  const size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == uri.size()) return false;
  if (!std::isalpha(static_cast<unsigned char>(uri[0]))) return false;
  for (size_t i = 1; i < colon; ++i) {
    const char c = uri[i];
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return uri.size() <= 2000 && std::all_of(uri.begin(), uri.end(),
                                           [](char c) { return c > 0x20 && c < 0x7f && c != '#'; });
}

Json Inactive() { return Json::MakeObject().Set("active", false); }

// Looks a client up. nullopt when there is no such client (never was, or
// deleted); other store errors pass through.
StatusOr<std::optional<ClientRecord>> FindClient(Database& database, std::string_view client_id) {
  std::optional<ClientRecord> found;
  Status status = database.Run([&](Stores& stores) -> Status {
    StatusOr<ClientRecord> record = stores.clients().FindById(client_id);
    if (!record.ok()) return record.status();
    found = std::move(record).value();
    return Status::Ok();
  });
  if (status.code() == StatusCode::kNotFound) return std::optional<ClientRecord>();
  if (!status.ok()) return status;
  return found;
}

}  // namespace

TokenService::TokenService(Database& database, SigningKeys& keys, const ClientSecrets& secrets,
                           const Clock& clock, Random& random, TokenServiceOptions options)
    : database_(database),
      keys_(keys),
      secrets_(secrets),
      clock_(clock),
      random_(random),
      options_(std::move(options)) {
  assert(!options_.issuer.empty() && "TokenServiceOptions::issuer is PUBLIC_BASE_URL");
  if (options_.token_endpoint.empty()) {
    options_.token_endpoint = JoinUrl(options_.issuer, kTokenPath);
  }
  if (options_.introspection_endpoint.empty()) {
    options_.introspection_endpoint = JoinUrl(options_.issuer, kIntrospectionPath);
  }
  if (options_.revocation_endpoint.empty()) {
    options_.revocation_endpoint = JoinUrl(options_.issuer, kRevocationPath);
  }
}

const TokenEndpointCapabilities& TokenService::Capabilities() {
  static const TokenEndpointCapabilities kCapabilities{
      .grant_types = {kClientCredentials},
      .auth_methods = {"client_secret_basic", "client_secret_post", "private_key_jwt"},
      .auth_signing_algs = {"ES256", "RS256", "PS256", "EdDSA"},
      .access_token_signing_algs = {"ES256"},
  };
  return kCapabilities;
}

StatusOr<AuthenticatedClient> TokenService::Authenticate(const OAuthRequest& request,
                                                         std::string_view endpoint) {
  const TimePoint now = clock_.Now();
  const bool basic = IsBasic(request.authorization);
  const bool post = request.params.Get("client_secret").has_value();
  const bool jwt = request.params.Get("client_assertion").has_value() ||
                   request.params.Get("client_assertion_type").has_value();
  if (static_cast<int>(basic) + static_cast<int>(post) + static_cast<int>(jwt) > 1) {
    return RequestError(
        "the request uses more than one client authentication method (RFC 6749 §2.3)");
  }
  const std::optional<std::string_view> form_client_id = request.params.Get("client_id");
  if (basic) {
    PORTICO_ASSIGN_OR_RETURN(auto credentials, ParseBasic(*request.authorization));
    // RFC 6749 §2.3.1 allows client_id in the body too; it must be the same.
    if (form_client_id && *form_client_id != credentials.first) {
      return RequestError("client_id does not match the client of the Authorization header");
    }
    return AuthenticateWithSecret(credentials.first, credentials.second, "client_secret_basic",
                                  now);
  }
  if (post) {
    if (!form_client_id) return RequestError("client_secret needs client_id (RFC 6749 §2.3.1)");
    return AuthenticateWithSecret(*form_client_id, *request.params.Get("client_secret"),
                                  "client_secret_post", now);
  }
  if (jwt) return AuthenticateWithAssertion(request, endpoint, now);
  return ClientError(
      "client authentication is required: client_secret_basic, client_secret_post or "
      "private_key_jwt");
}

StatusOr<AuthenticatedClient> TokenService::AuthenticateWithSecret(std::string_view client_id,
                                                                   std::string_view secret,
                                                                   std::string_view method,
                                                                   TimePoint now) {
  if (client_id.empty() || client_id.size() > kMaxClientIdLength) return AuthFailed();
  PORTICO_ASSIGN_OR_RETURN(std::optional<ClientRecord> record, FindClient(database_, client_id));
  if (!record) return AuthFailed("unknown client");
  if (!secrets_.SecretMatches(*record, secret, now)) return AuthFailed("secret does not match");
  StatusOr<ClientMetadata> metadata = ClientMetadata::FromRegistered(record->metadata);
  if (!metadata.ok()) {
    return Internal("stored client metadata is unreadable")
        .WithInternal(metadata.status().ToString());
  }
  // The secret is right, so the caller is the client: it may learn why.
  if (metadata->token_endpoint_auth_method() != method) {
    return ClientError("the client is registered for token_endpoint_auth_method " +
                       metadata->token_endpoint_auth_method() + ", not " + std::string(method));
  }
  return AuthenticatedClient{.record = std::move(*record),
                             .metadata = std::move(metadata).value(),
                             .method = std::string(method)};
}

StatusOr<AuthenticatedClient> TokenService::AuthenticateWithAssertion(const OAuthRequest& request,
                                                                      std::string_view endpoint,
                                                                      TimePoint now) {
  const std::optional<std::string_view> type = request.params.Get("client_assertion_type");
  const std::optional<std::string_view> assertion = request.params.Get("client_assertion");
  if (!type || !assertion) {
    return RequestError("client_assertion and client_assertion_type go together (RFC 7521 §4.2)");
  }
  if (*type != kJwtBearerAssertionType) {
    return ClientError(std::string("client_assertion_type must be ") + kJwtBearerAssertionType);
  }
  // RFC 7523 §3: iss and sub name the client. Read unverified only to find
  // the client whose keys verify it.
  const std::optional<Json> peeked = PeekJwsPart(*assertion, 1);
  const std::string* sub = peeked ? StringClaim(*peeked, "sub") : nullptr;
  if (sub == nullptr || sub->size() > kMaxClientIdLength) {
    return ClientError("client_assertion is not a JWT with a sub claim (RFC 7523 §3)");
  }
  const std::string client_id = *sub;
  if (const auto form_client_id = request.params.Get("client_id");
      form_client_id && *form_client_id != client_id) {
    return RequestError("client_id does not match the sub of client_assertion");
  }
  PORTICO_ASSIGN_OR_RETURN(std::optional<ClientRecord> record, FindClient(database_, client_id));
  if (!record) return AuthFailed("unknown client");
  StatusOr<ClientMetadata> metadata = ClientMetadata::FromRegistered(record->metadata);
  if (!metadata.ok()) {
    return Internal("stored client metadata is unreadable")
        .WithInternal(metadata.status().ToString());
  }
  if (metadata->token_endpoint_auth_method() != "private_key_jwt") {
    return AuthFailed("client is not registered for private_key_jwt");
  }
  if (!metadata->has_jwks()) {
    if (metadata->has_jwks_uri()) {
      return ClientError(
          "jwks_uri keys are not fetched yet: register the client's keys as jwks to use "
          "private_key_jwt");
    }
    return AuthFailed("client has no keys");
  }
  StatusOr<JwkSet> keys = JwkSet::Parse(*metadata->jwks());
  if (!keys.ok()) return AuthFailed("registered jwks unusable: " + keys.status().message());

  JwsPolicy policy;
  policy.allowed_algs = Capabilities().auth_signing_algs;
  // OpenID Connect DCR §2: a registered token_endpoint_auth_signing_alg is
  // the only one accepted.
  if (const Json* alg = metadata->json().Find("token_endpoint_auth_signing_alg");
      alg != nullptr && alg->is_string()) {
    policy.allowed_algs = {alg->as_string()};
  }
  StatusOr<VerifiedJws> verified = VerifyJws(*assertion, *keys, policy);
  if (!verified.ok()) return AuthFailed("client_assertion: " + verified.status().message());

  // The signature proves the caller holds the client's key: from here on
  // it may learn what is wrong.
  const Json& claims = verified->payload;
  const std::string* iss = StringClaim(claims, "iss");
  const std::string* verified_sub = StringClaim(claims, "sub");
  if (iss == nullptr || *iss != client_id || verified_sub == nullptr ||
      *verified_sub != client_id) {
    return ClientError("client_assertion iss and sub must both be the client_id (RFC 7523 §3)");
  }
  if (!AudienceNames(claims.Find("aud"), {options_.issuer, options_.token_endpoint, endpoint})) {
    return ClientError("client_assertion aud must hold the issuer " + options_.issuer +
                       " or the endpoint URL " + std::string(endpoint) + " (RFC 7523 §3)");
  }
  if (Status times = CheckJwtTimes(claims, now, options_.clock_skew, /*require_exp=*/true);
      !times.ok()) {
    return ClientError("client_assertion: " + times.message());
  }
  const TimePoint expires_at = FromNumericDate(claims.Find("exp")->as_double());
  if (expires_at > now + options_.max_assertion_lifetime + options_.clock_skew) {
    return ClientError("client_assertion exp is too far ahead: at most " +
                       std::to_string(options_.max_assertion_lifetime.count()) +
                       " seconds from now");
  }
  const std::string* jti = StringClaim(claims, "jti");
  if (jti == nullptr || jti->size() > kMaxJtiLength) {
    return ClientError("client_assertion needs a jti of at most 256 characters (RFC 7523 §3)");
  }
  // RFC 7523 §3: an assertion is used once. Remembered until it expires
  // (afterwards its exp refuses it anyway); recorded atomically, so that of
  // two concurrent uses exactly one passes, on both backends.
  const std::string replay_key = "assertion:" + client_id + ":" + *jti;
  PORTICO_RETURN_IF_ERROR(database_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(bool first,
                             stores.revoked_tokens().RecordOnce(replay_key, client_id, expires_at));
    if (!first) return ClientError("client_assertion was already used (its jti is spent)");
    return Status::Ok();
  }));
  return AuthenticatedClient{.record = std::move(*record),
                             .metadata = std::move(metadata).value(),
                             .method = "private_key_jwt"};
}

StatusOr<IssuedToken> TokenService::IssueToken(const OAuthRequest& request) {
  const std::optional<std::string_view> grant_type = request.params.Get("grant_type");
  if (!grant_type) return RequestError("grant_type is required");
  if (*grant_type != kClientCredentials) {
    return InvalidArgument((Echoable(*grant_type) ? "grant_type '" + std::string(*grant_type) + "'"
                                                  : std::string("the grant_type")) +
                           " is not supported: this server issues client_credentials tokens only")
        .WithTag("unsupported_grant_type");
  }
  PORTICO_ASSIGN_OR_RETURN(AuthenticatedClient client,
                           Authenticate(request, options_.token_endpoint));
  const TimePoint now = clock_.Now();
  if (!client.metadata.HasGrantType(kClientCredentials)) {
    return InvalidArgument("the client is not registered for the client_credentials grant type")
        .WithTag("unauthorized_client");
  }

  // RFC 6749 §3.3: the requested scope, within the registered one; omitted
  // → everything registered.
  const std::vector<std::string> registered = client.metadata.scopes();
  std::vector<std::string> granted = registered;
  if (const std::optional<std::string_view> scope = request.params.Get("scope")) {
    std::vector<std::string> requested = SplitScope(*scope);
    for (const std::string& word : requested) {
      if (std::find(registered.begin(), registered.end(), word) == registered.end()) {
        return InvalidArgument(
                   (Echoable(word) ? "scope '" + word + "'" : std::string("a requested scope")) +
                   " is not registered for this client")
            .WithTag("invalid_scope");
      }
    }
    if (!requested.empty()) granted = std::move(requested);
  }
  const std::string scope = JoinScope(granted);

  // RFC 8707 §2: the resources the token is for become its audience.
  Json audience(options_.issuer);
  std::vector<std::string_view> resources = request.params.GetAll("resource");
  for (std::string_view resource : resources) {
    if (!IsResourceUri(resource)) {
      return InvalidArgument("resource must be an absolute URI without a fragment (RFC 8707 §2)")
          .WithTag("invalid_target");
    }
  }
  std::sort(resources.begin(), resources.end());
  resources.erase(std::unique(resources.begin(), resources.end()), resources.end());
  if (resources.size() == 1) {
    audience = Json(resources.front());
  } else if (!resources.empty()) {
    audience = Json::MakeArray();
    for (std::string_view resource : resources) audience.Push(resource);
  }

  PORTICO_ASSIGN_OR_RETURN(std::shared_ptr<const SigningKeys::View> keys, keys_.Get());
  const int64_t iat = NumericDate(now);
  const int64_t exp = iat + options_.access_token_lifetime.count();
  // RFC 9068 §2.2.
  Json claims = Json::MakeObject();
  claims.Set("iss", options_.issuer)
      .Set("sub", client.record.client_id)
      .Set("aud", std::move(audience))
      .Set("exp", exp)
      .Set("iat", iat)
      .Set("jti", RandomToken(random_, 16))
      .Set("client_id", client.record.client_id)
      .Set("tenant_id", client.record.tenant_id);
  if (!scope.empty()) claims.Set("scope", scope);
  PORTICO_ASSIGN_OR_RETURN(std::string token,
                           keys->signer.SignJwt(Json::MakeObject().Set("typ", "at+jwt"), claims));
  PORTICO_RETURN_IF_ERROR(TouchIfDue(client.record, now, FromUnixMillis(exp * 1000)));
  if (options_.on_token_issued) options_.on_token_issued(client.record.tenant_id);
  return IssuedToken{.access_token = std::move(token),
                     .expires_in = options_.access_token_lifetime.count(),
                     .scope = scope,
                     .client_id = client.record.client_id,
                     .tenant_id = client.record.tenant_id};
}

Status TokenService::TouchIfDue(const ClientRecord& client, TimePoint now,
                                TimePoint token_expires_at) {
  // Last use feeds pruning of clients unused for days: being up to
  // touch_interval behind costs nothing, a write per token would.
  const bool use_is_stale = now - client.last_used_at >= options_.touch_interval;
  const bool live_until_moves =
      !client.tokens_live_until ||
      token_expires_at - *client.tokens_live_until > options_.touch_interval;
  if (!use_is_stale && !live_until_moves) return Status::Ok();
  Status touched = database_.Run([&](Stores& stores) {
    return stores.clients().Touch(client.client_id, now, token_expires_at);
  });
  // Deleted meanwhile: its token introspects inactive anyway.
  if (touched.code() == StatusCode::kNotFound) return Status::Ok();
  return touched;
}

StatusOr<std::optional<Json>> TokenService::VerifyAccessToken(std::string_view token,
                                                              TimePoint now) {
  if (token.size() > kMaxTokenLength) return std::optional<Json>();
  const std::optional<Json> header = PeekJwsPart(token, 0);
  const std::string* kid = header ? StringClaim(*header, "kid") : nullptr;
  if (kid == nullptr) return std::optional<Json>();
  PORTICO_ASSIGN_OR_RETURN(std::shared_ptr<const SigningKeys::View> keys, keys_.GetForKid(*kid));
  JwsPolicy policy;
  policy.allowed_algs = Capabilities().access_token_signing_algs;
  policy.required_typ = "at+jwt";
  StatusOr<VerifiedJws> verified = VerifyJws(token, keys->verifier, policy);
  if (!verified.ok()) return std::optional<Json>();
  Json& claims = verified->payload;
  const std::string* iss = StringClaim(claims, "iss");
  if (iss == nullptr || *iss != options_.issuer) return std::optional<Json>();
  // The skew covers `iat` from a process whose clock runs ahead; `exp` is
  // checked exactly, as the token response promised.
  if (!CheckJwtTimes(claims, now, options_.clock_skew, /*require_exp=*/true).ok() ||
      FromNumericDate(claims.Find("exp")->as_double()) <= now) {
    return std::optional<Json>();
  }
  if (StringClaim(claims, "jti") == nullptr || StringClaim(claims, "client_id") == nullptr ||
      StringClaim(claims, "tenant_id") == nullptr) {
    return std::optional<Json>();
  }
  return std::optional<Json>(std::move(claims));
}

StatusOr<IntrospectionResult> TokenService::Introspect(const OAuthRequest& request) {
  PORTICO_ASSIGN_OR_RETURN(AuthenticatedClient caller,
                           Authenticate(request, options_.introspection_endpoint));
  IntrospectionResult result{.body = Inactive(), .caller_tenant_id = caller.record.tenant_id};
  const std::optional<std::string_view> token = request.params.Get("token");
  if (!token) return RequestError("token is required (RFC 7662 §2.1)");
  PORTICO_ASSIGN_OR_RETURN(std::optional<Json> claims, VerifyAccessToken(*token, clock_.Now()));
  if (!claims) return result;
  const std::string& jti = *StringClaim(*claims, "jti");
  const std::string& client_id = *StringClaim(*claims, "client_id");
  // Another tenant's token is none of the caller's business: inactive.
  if (*StringClaim(*claims, "tenant_id") != caller.record.tenant_id) return result;

  bool active = false;
  PORTICO_RETURN_IF_ERROR(database_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(bool revoked, stores.revoked_tokens().IsRevoked(jti));
    if (revoked) return Status::Ok();
    StatusOr<ClientRecord> owner = stores.clients().FindById(client_id);
    if (owner.status().code() == StatusCode::kNotFound) return Status::Ok();  // deleted
    if (!owner.ok()) return owner.status();
    active = owner->tenant_id == caller.record.tenant_id;
    return Status::Ok();
  }));
  if (!active) return result;

  // RFC 7662 §2.2.
  Json body = Json::MakeObject();
  body.Set("active", true);
  if (const Json* scope = claims->Find("scope")) body.Set("scope", *scope);
  body.Set("client_id", client_id).Set("token_type", "Bearer");
  for (const char* member : {"exp", "iat", "sub", "aud", "iss", "jti"}) {
    if (const Json* value = claims->Find(member)) body.Set(member, *value);
  }
  result.body = std::move(body);
  return result;
}

StatusOr<RevocationResult> TokenService::Revoke(const OAuthRequest& request) {
  PORTICO_ASSIGN_OR_RETURN(AuthenticatedClient caller,
                           Authenticate(request, options_.revocation_endpoint));
  RevocationResult result{.revoked = false, .caller_tenant_id = caller.record.tenant_id};
  const std::optional<std::string_view> token = request.params.Get("token");
  if (!token) return RequestError("token is required (RFC 7009 §2.1)");
  PORTICO_ASSIGN_OR_RETURN(std::optional<Json> claims, VerifyAccessToken(*token, clock_.Now()));
  // RFC 7009 §2.1: a client revokes only its own tokens; §2.2: an invalid
  // token is no error.
  if (!claims || *StringClaim(*claims, "client_id") != caller.record.client_id) return result;
  const TimePoint expires_at = FromNumericDate(claims->Find("exp")->as_double());
  PORTICO_RETURN_IF_ERROR(database_.Run([&](Stores& stores) {
    return stores.revoked_tokens().Revoke(*StringClaim(*claims, "jti"), caller.record.client_id,
                                          expires_at);
  }));
  result.revoked = true;
  return result;
}

}  // namespace portico::dcr
