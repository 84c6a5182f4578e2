#include "dcr/token/token_service.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "tests/unit/dcr/token_test_support.h"

namespace portico::dcr::testing {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

template <typename T>
void ExpectError(const StatusOr<T>& result, StatusCode code, std::string_view tag) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), code) << result.status().ToString();
  EXPECT_EQ(result.status().tag(), tag) << result.status().ToString();
}

template <typename T>
void ExpectInvalidClient(const StatusOr<T>& result) {
  ExpectError(result, StatusCode::kUnauthenticated, "invalid_client");
}

class TokenServiceTest : public TokenTestBase {
 protected:
  // Verifies a token the way a resource server does: against the JWK Set
  // published at jwks_uri, as text.
  StatusOr<VerifiedJws> VerifyWithPublishedKeys(const std::string& token) {
    StatusOr<std::shared_ptr<const SigningKeys::View>> view = keys_->Get();
    EXPECT_TRUE(view.ok());
    StatusOr<JwkSet> published = JwkSet::Parse(ParseOrDie((*view)->jwks_text));
    EXPECT_TRUE(published.ok());
    JwsPolicy policy;
    policy.allowed_algs = {"ES256"};
    policy.required_typ = "at+jwt";
    return VerifyJws(token, *published, policy);
  }

  Json Introspect(const TestClient& caller, const std::string& token) {
    StatusOr<IntrospectionResult> result = service_->Introspect(As(caller, {{"token", token}}));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? result->body : Json();
  }

  bool IsActive(const TestClient& caller, const std::string& token) {
    const Json body = Introspect(caller, token);
    const Json* active = body.Find("active");
    EXPECT_TRUE(active != nullptr && active->is_bool());
    return active != nullptr && active->is_bool() && active->as_bool();
  }

  StatusOr<IssuedToken> IssueWithAssertion(const TestClient&, const std::string& assertion) {
    return service_->IssueToken(Request({{"grant_type", "client_credentials"},
                                         {"client_assertion_type", kJwtBearerAssertionType},
                                         {"client_assertion", assertion}}));
  }
};

// --- Client authentication (RFC 6749 §2.3) ---

TEST_F(TokenServiceTest, IssuesATokenToAClientSecretBasicClient) {
  const TestClient client = AddClient({.method = "client_secret_basic"});
  StatusOr<IssuedToken> token = service_->IssueToken(Request(
      {{"grant_type", "client_credentials"}}, BasicAuthorization(client.client_id, client.secret)));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_FALSE(token->access_token.empty());
  EXPECT_EQ(token->expires_in, 3600);
  EXPECT_EQ(token->client_id, client.client_id);
  EXPECT_EQ(token->tenant_id, kTenant);
}

TEST_F(TokenServiceTest, IssuesATokenToAClientSecretPostClient) {
  const TestClient client = AddClient({.method = "client_secret_post"});
  StatusOr<IssuedToken> token = service_->IssueToken(Request({{"grant_type", "client_credentials"},
                                                              {"client_id", client.client_id},
                                                              {"client_secret", client.secret}}));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->client_id, client.client_id);
}

TEST_F(TokenServiceTest, IssuesATokenToAPrivateKeyJwtClient) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  StatusOr<IssuedToken> token =
      IssueWithAssertion(client, SignAssertion(client, AssertionClaims(client)));
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_EQ(token->client_id, client.client_id);
}

TEST_F(TokenServiceTest, BasicCredentialsAreFormUrlDecodedBeforeComparison) {
  // RFC 6749 §2.3.1: id and secret are form-urlencoded inside Basic, so a
  // ':' in the id and '+', '%', ':' in the secret survive.
  const TestClient client = AddClient({.client_id = "app:1 é", .secret = "s+e:c/r%t ok"});
  const std::string encoded = BasicAuthorization(client.client_id, client.secret);
  EXPECT_NE(encoded, "Basic " + Base64Encode(client.client_id + ":" + client.secret));
  EXPECT_TRUE(service_->IssueToken(Request({{"grant_type", "client_credentials"}}, encoded)).ok());
  // Sent without the form encoding, the id's ':' splits it at the wrong place.
  ExpectInvalidClient(service_->IssueToken(
      Request({{"grant_type", "client_credentials"}},
              "Basic " + Base64Encode(client.client_id + ":" + client.secret))));
}

TEST_F(TokenServiceTest, BasicSchemeNameIsCaseInsensitive) {
  const TestClient client = AddClient();
  std::string header = BasicAuthorization(client.client_id, client.secret);
  header.replace(0, 5, "bAsIc");
  EXPECT_TRUE(service_->IssueToken(Request({{"grant_type", "client_credentials"}}, header)).ok());
}

TEST_F(TokenServiceTest, WrongSecretUnknownClientAndDeletedClientFailAlike) {
  const TestClient client = AddClient();
  const TestClient deleted = AddClient();
  DeleteClient(deleted);
  const auto attempt = [&](const std::string& id, const std::string& secret) {
    return service_->IssueToken(
        Request({{"grant_type", "client_credentials"}}, BasicAuthorization(id, secret)));
  };
  StatusOr<IssuedToken> wrong_secret = attempt(client.client_id, client.secret + "x");
  StatusOr<IssuedToken> unknown = attempt("pc_unknown", client.secret);
  StatusOr<IssuedToken> gone = attempt(deleted.client_id, deleted.secret);
  ExpectInvalidClient(wrong_secret);
  ExpectInvalidClient(unknown);
  ExpectInvalidClient(gone);
  EXPECT_EQ(wrong_secret.status().message(), "client authentication failed");
  EXPECT_EQ(unknown.status().message(), wrong_secret.status().message());
  EXPECT_EQ(gone.status().message(), wrong_secret.status().message());
}

TEST_F(TokenServiceTest, MalformedBasicHeaderIsInvalidClient) {
  ExpectInvalidClient(service_->IssueToken(
      Request({{"grant_type", "client_credentials"}}, "Basic " + Base64Encode("no-colon"))));
  ExpectInvalidClient(
      service_->IssueToken(Request({{"grant_type", "client_credentials"}}, "Basic !!!")));
}

TEST_F(TokenServiceTest, MethodOtherThanTheRegisteredOneIsInvalidClient) {
  const TestClient post_client = AddClient({.method = "client_secret_post"});
  StatusOr<IssuedToken> via_basic =
      service_->IssueToken(Request({{"grant_type", "client_credentials"}},
                                   BasicAuthorization(post_client.client_id, post_client.secret)));
  ExpectInvalidClient(via_basic);
  EXPECT_NE(via_basic.status().message().find("client_secret_post"), std::string::npos);

  const TestClient basic_client = AddClient({.method = "client_secret_basic"});
  ExpectInvalidClient(service_->IssueToken(Request({{"grant_type", "client_credentials"},
                                                    {"client_id", basic_client.client_id},
                                                    {"client_secret", basic_client.secret}})));
}

TEST_F(TokenServiceTest, TwoAuthenticationMethodsInOneRequestAreInvalidRequest) {
  const TestClient client = AddClient({.method = "client_secret_basic"});
  ExpectError(service_->IssueToken(Request({{"grant_type", "client_credentials"},
                                            {"client_id", client.client_id},
                                            {"client_secret", client.secret}},
                                           BasicAuthorization(client.client_id, client.secret))),
              StatusCode::kInvalidArgument, "invalid_request");
  const TestClient jwt_client = AddClient({.method = "private_key_jwt"});
  ExpectError(service_->IssueToken(Request(
                  {{"grant_type", "client_credentials"},
                   {"client_assertion_type", kJwtBearerAssertionType},
                   {"client_assertion", SignAssertion(jwt_client, AssertionClaims(jwt_client))},
                   {"client_id", jwt_client.client_id},
                   {"client_secret", "x"}})),
              StatusCode::kInvalidArgument, "invalid_request");
}

TEST_F(TokenServiceTest, NoClientAuthenticationIsInvalidClient) {
  const TestClient client = AddClient();
  ExpectInvalidClient(service_->IssueToken(
      Request({{"grant_type", "client_credentials"}, {"client_id", client.client_id}})));
  ExpectInvalidClient(
      service_->IssueToken(Request({{"grant_type", "client_credentials"}}, "Bearer something")));
}

TEST_F(TokenServiceTest, ClientIdInTheBodyMustMatchTheBasicClient) {
  const TestClient client = AddClient();
  const TestClient other = AddClient();
  ExpectError(service_->IssueToken(
                  Request({{"grant_type", "client_credentials"}, {"client_id", other.client_id}},
                          BasicAuthorization(client.client_id, client.secret))),
              StatusCode::kInvalidArgument, "invalid_request");
  EXPECT_TRUE(service_
                  ->IssueToken(Request(
                      {{"grant_type", "client_credentials"}, {"client_id", client.client_id}},
                      BasicAuthorization(client.client_id, client.secret)))
                  .ok());
}

TEST_F(TokenServiceTest, RotatedOutSecretWorksOnlyDuringItsGracePeriod) {
  const TestClient client = AddClient();
  const std::string old_secret = "portico_cs_old";
  ASSERT_TRUE(db_.Run([&](Stores& s) -> Status {
                   PORTICO_ASSIGN_OR_RETURN(ClientRecord record,
                                            s.clients().FindById(client.client_id));
                   record.previous_secret_hash = secrets_.Hash(old_secret);
                   record.previous_secret_expires_at = clock_.Now() + hours(1);
                   return s.clients().Update(record, record.version);
                 })
                  .ok());
  const auto with_old = [&] {
    return service_->IssueToken(Request({{"grant_type", "client_credentials"}},
                                        BasicAuthorization(client.client_id, old_secret)));
  };
  EXPECT_TRUE(with_old().ok());
  clock_.Advance(hours(2));
  ExpectInvalidClient(with_old());
}

// --- private_key_jwt (RFC 7523) ---

TEST_F(TokenServiceTest, ReplayedClientAssertionIsRefused) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  const std::string assertion = SignAssertion(client, AssertionClaims(client));
  ASSERT_TRUE(IssueWithAssertion(client, assertion).ok());
  StatusOr<IssuedToken> replay = IssueWithAssertion(client, assertion);
  ExpectInvalidClient(replay);
  EXPECT_NE(replay.status().message().find("already used"), std::string::npos);
  // The jti is spent, even in a freshly signed assertion with the same claims.
  const Json claims = ParseOrDie(*Base64UrlDecode(
      assertion.substr(assertion.find('.') + 1, assertion.rfind('.') - assertion.find('.') - 1)));
  const std::string resigned = SignAssertion(client, claims);
  EXPECT_NE(resigned, assertion);
  ExpectInvalidClient(IssueWithAssertion(client, resigned));
}

TEST_F(TokenServiceTest, AssertionAudienceMayBeTheIssuerOrEndpointButNothingElse) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  Json claims = AssertionClaims(client);
  claims.Set("aud", kIssuer);
  EXPECT_TRUE(IssueWithAssertion(client, SignAssertion(client, claims)).ok());
  claims = AssertionClaims(client);
  claims.Set("aud", Json(Json::Array{Json("https://other.example"), Json(kTokenEndpoint)}));
  EXPECT_TRUE(IssueWithAssertion(client, SignAssertion(client, claims)).ok());
  claims = AssertionClaims(client);
  claims.Set("aud", "https://other.example/oauth/token");
  ExpectInvalidClient(IssueWithAssertion(client, SignAssertion(client, claims)));
  claims.Erase("aud");
  ExpectInvalidClient(IssueWithAssertion(client, SignAssertion(client, claims)));
}

TEST_F(TokenServiceTest, ExpiredAssertionIsRefused) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  const std::string assertion = SignAssertion(client, AssertionClaims(client));  // exp now+60
  clock_.Advance(seconds(60 + 61));  // past exp and the 60 s leeway
  ExpectInvalidClient(IssueWithAssertion(client, assertion));
}

TEST_F(TokenServiceTest, AssertionWithoutExpOrJtiOrExpiringTooLateIsRefused) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  Json claims = AssertionClaims(client);
  claims.Erase("exp");
  ExpectInvalidClient(IssueWithAssertion(client, SignAssertion(client, claims)));
  claims = AssertionClaims(client);
  claims.Erase("jti");
  ExpectInvalidClient(IssueWithAssertion(client, SignAssertion(client, claims)));
  claims = AssertionClaims(client);
  const int64_t in_a_day = claims.Find("iat")->as_int() + 86400;
  claims.Set("exp", in_a_day);
  ExpectInvalidClient(IssueWithAssertion(client, SignAssertion(client, claims)));
}

TEST_F(TokenServiceTest, AssertionIssuerAndSubjectMustBothBeTheClient) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  Json claims = AssertionClaims(client);
  claims.Set("iss", "someone-else");
  ExpectInvalidClient(IssueWithAssertion(client, SignAssertion(client, claims)));
}

TEST_F(TokenServiceTest, UnsignedAndHmacAssertionsAreRefused) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  const Json claims = AssertionClaims(client);
  const std::string none = UnsignedJws(Json::MakeObject().Set("alg", "none"), claims, "");
  ExpectInvalidClient(IssueWithAssertion(client, none));
  // HS256 keyed with the client's public key: the classic algorithm confusion.
  const Json hs_header = Json::MakeObject().Set("alg", "HS256").Set("kid", client.key->kid());
  const std::string signing_input =
      Base64UrlEncode(hs_header.Dump()) + "." + Base64UrlEncode(claims.Dump());
  const std::string hs256 =
      signing_input + "." +
      Base64UrlEncode(HmacSha256(client.key->PublicJwk().Dump(), signing_input));
  ExpectInvalidClient(IssueWithAssertion(client, hs256));
}

TEST_F(TokenServiceTest, AssertionSignedByAnotherKeyIsRefused) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  TestClient impostor = client;
  impostor.key = *EcSigningKey::Generate();
  StatusOr<IssuedToken> result =
      IssueWithAssertion(client, SignAssertion(impostor, AssertionClaims(client)));
  ExpectInvalidClient(result);
  EXPECT_EQ(result.status().message(), "client authentication failed");
}

TEST_F(TokenServiceTest, AssertionMustUseTheRegisteredSigningAlg) {
  const TestClient client = AddClient({.method = "private_key_jwt", .signing_alg = "PS256"});
  ExpectInvalidClient(IssueWithAssertion(client, SignAssertion(client, AssertionClaims(client))));
}

TEST_F(TokenServiceTest, ClientWithOnlyJwksUriIsToldItsKeysAreNotFetched) {
  const TestClient client = AddClient({.method = "private_key_jwt", .jwks_uri_only = true});
  StatusOr<IssuedToken> result =
      IssueWithAssertion(client, SignAssertion(client, AssertionClaims(client)));
  ExpectInvalidClient(result);
  EXPECT_NE(result.status().message().find("jwks_uri keys are not fetched yet"), std::string::npos);
}

TEST_F(TokenServiceTest, AssertionForASecretClientIsInvalidClient) {
  const TestClient secret_client = AddClient({.method = "client_secret_basic"});
  TestClient forged = secret_client;
  forged.key = *EcSigningKey::Generate();
  ExpectInvalidClient(
      IssueWithAssertion(forged, SignAssertion(forged, AssertionClaims(secret_client))));
}

TEST_F(TokenServiceTest, WrongAssertionTypeOrHalfOfThePairIsRefused) {
  const TestClient client = AddClient({.method = "private_key_jwt"});
  const std::string assertion = SignAssertion(client, AssertionClaims(client));
  ExpectInvalidClient(service_->IssueToken(Request(
      {{"grant_type", "client_credentials"},
       {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"},
       {"client_assertion", assertion}})));
  ExpectError(service_->IssueToken(
                  Request({{"grant_type", "client_credentials"}, {"client_assertion", assertion}})),
              StatusCode::kInvalidArgument, "invalid_request");
}

// --- Grant and scope (RFC 6749 §4.4, §3.3) ---

TEST_F(TokenServiceTest, OnlyTheClientCredentialsGrantIsSupported) {
  const TestClient client = AddClient();
  ExpectError(service_->IssueToken(As(client, {{"grant_type", "password"}})),
              StatusCode::kInvalidArgument, "unsupported_grant_type");
  ExpectError(service_->IssueToken(As(client, {})), StatusCode::kInvalidArgument,
              "invalid_request");
}

TEST_F(TokenServiceTest, ClientNotRegisteredForClientCredentialsIsUnauthorized) {
  const TestClient client = AddClient({.grant_types = {"authorization_code"}});
  ExpectError(service_->IssueToken(TokenRequestFor(client)), StatusCode::kInvalidArgument,
              "unauthorized_client");
}

TEST_F(TokenServiceTest, GrantsEveryRegisteredScopeWhenNoneIsRequested) {
  const TestClient client = AddClient({.scope = "read write admin"});
  StatusOr<IssuedToken> token = service_->IssueToken(TokenRequestFor(client));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->scope, "read write admin");
}

TEST_F(TokenServiceTest, GrantsARequestedSubsetOfTheRegisteredScopes) {
  const TestClient client = AddClient({.scope = "read write admin"});
  StatusOr<IssuedToken> token =
      service_->IssueToken(TokenRequestFor(client, {{"scope", "write read write"}}));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->scope, "write read");
  StatusOr<VerifiedJws> verified = VerifyWithPublishedKeys(token->access_token);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->payload.Find("scope")->as_string(), "write read");
}

TEST_F(TokenServiceTest, RefusesAScopeBeyondTheRegisteredOnes) {
  const TestClient client = AddClient({.scope = "read"});
  StatusOr<IssuedToken> result =
      service_->IssueToken(TokenRequestFor(client, {{"scope", "read write"}}));
  ExpectError(result, StatusCode::kInvalidArgument, "invalid_scope");
  EXPECT_NE(result.status().message().find("'write'"), std::string::npos);
}

TEST_F(TokenServiceTest, AClientWithoutScopesGetsATokenWithoutScope) {
  const TestClient client = AddClient({.scope = ""});
  StatusOr<IssuedToken> token = service_->IssueToken(TokenRequestFor(client));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->scope, "");
  StatusOr<VerifiedJws> verified = VerifyWithPublishedKeys(token->access_token);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->payload.Find("scope"), nullptr);
}

// --- The access token (RFC 9068) ---

TEST_F(TokenServiceTest, AccessTokenIsAnRfc9068JwtVerifiableWithThePublishedKeys) {
  const TestClient client = AddClient({.scope = "read write"});
  const int64_t now = std::chrono::duration_cast<seconds>(clock_.Now().time_since_epoch()).count();
  const std::string token = IssueTokenOrDie(client);
  StatusOr<VerifiedJws> verified = VerifyWithPublishedKeys(token);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->header.Find("typ")->as_string(), "at+jwt");
  EXPECT_EQ(verified->header.Find("alg")->as_string(), "ES256");
  EXPECT_EQ(verified->header.Find("kid")->as_string(), (*keys_->Get())->signer.kid());
  const Json& claims = verified->payload;
  EXPECT_EQ(claims.Find("iss")->as_string(), kIssuer);
  EXPECT_EQ(claims.Find("sub")->as_string(), client.client_id);
  EXPECT_EQ(claims.Find("client_id")->as_string(), client.client_id);
  EXPECT_EQ(claims.Find("aud")->as_string(), kIssuer);
  EXPECT_EQ(claims.Find("iat")->as_int(), now);
  EXPECT_EQ(claims.Find("exp")->as_int(), now + 3600);
  EXPECT_EQ(claims.Find("scope")->as_string(), "read write");
  EXPECT_EQ(claims.Find("tenant_id")->as_string(), kTenant);
  EXPECT_GE(Base64UrlDecode(claims.Find("jti")->as_string())->size(), 16u);
  EXPECT_NE(claims.Find("jti")->as_string(),
            VerifyWithPublishedKeys(IssueTokenOrDie(client))->payload.Find("jti")->as_string());
}

TEST_F(TokenServiceTest, LifetimeComesFromTheOptions) {
  options_.access_token_lifetime = seconds(600);
  Rebuild();
  const TestClient client = AddClient();
  StatusOr<IssuedToken> token = service_->IssueToken(TokenRequestFor(client));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->expires_in, 600);
  const Json claims = VerifyWithPublishedKeys(token->access_token)->payload;
  EXPECT_EQ(claims.Find("exp")->as_int() - claims.Find("iat")->as_int(), 600);
}

TEST_F(TokenServiceTest, ResourceParametersBecomeTheAudience) {
  const TestClient client = AddClient();
  Json claims =
      VerifyWithPublishedKeys(IssueTokenOrDie(client, {{"resource", "https://api.example.com/"}}))
          ->payload;
  EXPECT_EQ(claims.Find("aud")->as_string(), "https://api.example.com/");
  claims = VerifyWithPublishedKeys(IssueTokenOrDie(client, {{"resource", "https://b.example"},
                                                            {"resource", "https://a.example"}}))
               ->payload;
  ASSERT_TRUE(claims.Find("aud")->is_array());
  EXPECT_EQ(claims.Find("aud")->as_array().size(), 2u);
}

TEST_F(TokenServiceTest, ResourceMustBeAnAbsoluteUriWithoutFragment) {
  const TestClient client = AddClient();
  for (const char* bad : {"api", "/relative", "https://api.example.com/#frag", "1http://x"}) {
    ExpectError(service_->IssueToken(TokenRequestFor(client, {{"resource", bad}})),
                StatusCode::kInvalidArgument, "invalid_target");
  }
}

// --- Last use (ClientStore::Touch) ---

TEST_F(TokenServiceTest, TouchesTheClientAtMostOncePerIntervalOfIssuing) {
  const TestClient client = AddClient();
  IssueTokenOrDie(client);  // no tokens_live_until yet: written
  EXPECT_EQ(db_.CallCount("clients.Touch"), 1);
  for (int i = 0; i < 20; ++i) IssueTokenOrDie(client);
  clock_.Advance(seconds(59));
  IssueTokenOrDie(client);
  EXPECT_EQ(db_.CallCount("clients.Touch"), 1);
  clock_.Advance(seconds(2));  // 61 s after the write
  IssueTokenOrDie(client);
  EXPECT_EQ(db_.CallCount("clients.Touch"), 2);
  const ClientRecord stored = db_.Snapshot().oauth.clients.at(client.client_id);
  EXPECT_EQ(stored.last_used_at, clock_.Now());
  EXPECT_EQ(stored.tokens_live_until, clock_.Now() + hours(1));  // the clock is on a whole second
}

TEST_F(TokenServiceTest, TouchesWhenTokensOutliveTheRecordedExpiryByMoreThanTheInterval) {
  const TestClient client = AddClient();
  // Recently used (registration), but no live token recorded.
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   return s.clients().Touch(client.client_id, clock_.Now(),
                                            clock_.Now() + seconds(100));
                 })
                  .ok());
  const int before = db_.CallCount("clients.Touch");
  IssueTokenOrDie(client);  // exp now + 3600 is far past now + 100
  EXPECT_EQ(db_.CallCount("clients.Touch"), before + 1);
}

// --- Introspection (RFC 7662) ---

TEST_F(TokenServiceTest, IntrospectionDescribesAnActiveToken) {
  const TestClient client = AddClient({.scope = "read write"});
  const std::string token = IssueTokenOrDie(client, {{"scope", "read"}});
  const Json body = Introspect(client, token);
  EXPECT_EQ(body.Find("active")->as_bool(), true);
  EXPECT_EQ(body.Find("scope")->as_string(), "read");
  EXPECT_EQ(body.Find("client_id")->as_string(), client.client_id);
  EXPECT_EQ(body.Find("token_type")->as_string(), "Bearer");
  EXPECT_EQ(body.Find("sub")->as_string(), client.client_id);
  EXPECT_EQ(body.Find("aud")->as_string(), kIssuer);
  EXPECT_EQ(body.Find("iss")->as_string(), kIssuer);
  EXPECT_EQ(body.Find("exp")->as_int() - body.Find("iat")->as_int(), 3600);
  EXPECT_FALSE(body.Find("jti")->as_string().empty());
}

TEST_F(TokenServiceTest, AnotherClientOfTheSameTenantMayIntrospect) {
  const TestClient owner = AddClient();
  const TestClient resource_server = AddClient({.method = "private_key_jwt"});
  EXPECT_TRUE(IsActive(resource_server, IssueTokenOrDie(owner)));
}

TEST_F(TokenServiceTest, TokenIsInactiveOnceExpired) {
  const TestClient client = AddClient();
  const std::string token = IssueTokenOrDie(client);
  clock_.Advance(seconds(3599));
  EXPECT_TRUE(IsActive(client, token));
  clock_.Advance(seconds(1));
  const Json body = Introspect(client, token);
  EXPECT_EQ(body, Json::MakeObject().Set("active", false));
}

TEST_F(TokenServiceTest, GarbageForgedAndForeignTokensAreInactive) {
  const TestClient client = AddClient();
  EXPECT_FALSE(IsActive(client, "not-a-token"));
  const std::string token = IssueTokenOrDie(client);
  std::string tampered = token;
  tampered[tampered.find('.') + 5] ^= 1;
  EXPECT_FALSE(IsActive(client, tampered));
  // Same claims, signed by a key the server never published.
  const EcSigningKey stranger = *EcSigningKey::Generate();
  const Json claims = VerifyWithPublishedKeys(token)->payload;
  EXPECT_FALSE(
      IsActive(client, *stranger.SignJwt(Json::MakeObject().Set("typ", "at+jwt"), claims)));
  // A client assertion signed by a key the server knows is not an access token.
  EXPECT_FALSE(IsActive(client, *(*keys_->Get())->signer.SignJwt(Json(), claims)));
}

TEST_F(TokenServiceTest, AnotherTenantsClientSeesTheTokenInactive) {
  const TestClient owner = AddClient();
  const TestClient outsider = AddClient({.tenant_id = kOtherTenant});
  const std::string token = IssueTokenOrDie(owner);
  EXPECT_FALSE(IsActive(outsider, token));
  EXPECT_TRUE(IsActive(owner, token));
}

TEST_F(TokenServiceTest, DeletedClientGetsNoTokenAndItsTokensAreInactive) {
  const TestClient client = AddClient();
  const TestClient resource_server = AddClient();
  const std::string token = IssueTokenOrDie(client);
  ASSERT_TRUE(IsActive(resource_server, token));
  DeleteClient(client);
  EXPECT_FALSE(IsActive(resource_server, token));
  ExpectInvalidClient(service_->IssueToken(TokenRequestFor(client)));
}

TEST_F(TokenServiceTest, IntrospectionNeedsClientAuthenticationAndAToken) {
  const TestClient client = AddClient();
  const std::string token = IssueTokenOrDie(client);
  ExpectInvalidClient(service_->Introspect(Request({{"token", token}})));
  ExpectInvalidClient(service_->Introspect(
      Request({{"token", token}}, BasicAuthorization(client.client_id, "wrong"))));
  ExpectError(service_->Introspect(As(client, {})), StatusCode::kInvalidArgument,
              "invalid_request");
}

// --- Revocation (RFC 7009) ---

TEST_F(TokenServiceTest, RevokedTokenIsInactive) {
  const TestClient client = AddClient();
  const std::string token = IssueTokenOrDie(client);
  StatusOr<RevocationResult> revoked =
      service_->Revoke(As(client, {{"token", token}, {"token_type_hint", "refresh_token"}}));
  ASSERT_TRUE(revoked.ok()) << revoked.status().ToString();
  EXPECT_TRUE(revoked->revoked);
  EXPECT_FALSE(IsActive(client, token));
  // Other tokens of the client stay active.
  EXPECT_TRUE(IsActive(client, IssueTokenOrDie(client)));
}

TEST_F(TokenServiceTest, AClientCannotRevokeAnotherClientsToken) {
  const TestClient owner = AddClient();
  const TestClient other = AddClient();
  const std::string token = IssueTokenOrDie(owner);
  StatusOr<RevocationResult> result = service_->Revoke(As(other, {{"token", token}}));
  ASSERT_TRUE(result.ok());  // RFC 7009 §2.2: no error, nothing happens
  EXPECT_FALSE(result->revoked);
  EXPECT_TRUE(IsActive(owner, token));
}

TEST_F(TokenServiceTest, RevokingAnInvalidTokenSucceedsAndDoesNothing) {
  const TestClient client = AddClient();
  const int writes = db_.CallCount("revoked_tokens.Revoke");
  StatusOr<RevocationResult> result = service_->Revoke(As(client, {{"token", "garbage"}}));
  ASSERT_TRUE(result.ok());
  EXPECT_FALSE(result->revoked);
  EXPECT_EQ(db_.CallCount("revoked_tokens.Revoke"), writes);
}

TEST_F(TokenServiceTest, RevocationNeedsClientAuthenticationAndAToken) {
  const TestClient client = AddClient();
  const std::string token = IssueTokenOrDie(client);
  ExpectInvalidClient(
      service_->Revoke(Request({{"token", token}, {"client_id", client.client_id}})));
  ExpectError(service_->Revoke(As(client, {})), StatusCode::kInvalidArgument, "invalid_request");
  EXPECT_TRUE(IsActive(client, token));
}

TEST_F(TokenServiceTest, RevocationIsRecordedUntilTheTokenExpires) {
  const TestClient client = AddClient();
  const std::string token = IssueTokenOrDie(client);
  const std::string jti = VerifyWithPublishedKeys(token)->payload.Find("jti")->as_string();
  ASSERT_TRUE(service_->Revoke(As(client, {{"token", token}})).ok());
  const auto& revoked = db_.Snapshot().oauth.revoked_tokens;
  ASSERT_EQ(revoked.count(jti), 1u);
  EXPECT_EQ(revoked.at(jti).client_id, client.client_id);
  const int64_t exp = VerifyWithPublishedKeys(token)->payload.Find("exp")->as_int();
  EXPECT_EQ(revoked.at(jti).expires_at, FromUnixMillis(exp * 1000));
}

// --- Keys, database, capabilities ---

TEST_F(TokenServiceTest, TokensSignedBeforeARotationStayActiveAfterIt) {
  const TestClient client = AddClient();
  const std::string before = IssueTokenOrDie(client);
  clock_.Advance(hours(24 * 30));
  const std::string after = IssueTokenOrDie(client);
  EXPECT_NE(VerifyWithPublishedKeys(before)->header.Find("kid")->as_string(),
            VerifyWithPublishedKeys(after)->header.Find("kid")->as_string());
  // `before` has expired by now; a token from just before a rotation has not.
  EXPECT_TRUE(IsActive(client, after));
  clock_.Advance(hours(24 * 30) - seconds(10));
  const std::string last_of_old_key = IssueTokenOrDie(client);
  clock_.Advance(seconds(61));  // past the old key's age limit and the cache's
  const std::string first_of_new_key = IssueTokenOrDie(client);
  EXPECT_NE(VerifyWithPublishedKeys(last_of_old_key)->header.Find("kid")->as_string(),
            VerifyWithPublishedKeys(first_of_new_key)->header.Find("kid")->as_string());
  EXPECT_TRUE(IsActive(client, last_of_old_key));
  EXPECT_TRUE(IsActive(client, first_of_new_key));
}

TEST_F(TokenServiceTest, DatabaseOutageIsUnavailableNotInvalidClient) {
  const TestClient client = AddClient();
  const std::string token = IssueTokenOrDie(client);
  db_.SetUnavailable(true);
  EXPECT_EQ(service_->IssueToken(TokenRequestFor(client)).status().code(),
            StatusCode::kUnavailable);
  EXPECT_EQ(service_->Introspect(As(client, {{"token", token}})).status().code(),
            StatusCode::kUnavailable);
}

TEST_F(TokenServiceTest, AdvertisesWhatItImplements) {
  const TokenEndpointCapabilities& caps = TokenService::Capabilities();
  EXPECT_EQ(caps.grant_types, std::vector<std::string>{"client_credentials"});
  EXPECT_EQ(caps.auth_methods, (std::vector<std::string>{"client_secret_basic",
                                                         "client_secret_post", "private_key_jwt"}));
  EXPECT_EQ(caps.access_token_signing_algs, std::vector<std::string>{"ES256"});
  for (const char* alg : {"ES256", "RS256", "PS256", "EdDSA"}) {
    EXPECT_NE(std::find(caps.auth_signing_algs.begin(), caps.auth_signing_algs.end(), alg),
              caps.auth_signing_algs.end());
  }
}

TEST_F(TokenServiceTest, EndpointUrlsDefaultToTheIssuerPlusThePaths) {
  EXPECT_EQ(service_->options().token_endpoint, kTokenEndpoint);
  EXPECT_EQ(service_->options().introspection_endpoint, kIntrospectionEndpoint);
  EXPECT_EQ(service_->options().revocation_endpoint, kRevocationEndpoint);
  options_.issuer = "https://id.example.com/";
  Rebuild();
  EXPECT_EQ(service_->options().token_endpoint, kTokenEndpoint);
}

TEST_F(TokenServiceTest, IntrospectionAssertionMayNameTheIntrospectionEndpoint) {
  const TestClient owner = AddClient();
  const TestClient caller = AddClient({.method = "private_key_jwt"});
  const std::string token = IssueTokenOrDie(owner);
  Json claims = AssertionClaims(caller);
  claims.Set("aud", kIntrospectionEndpoint);
  StatusOr<IntrospectionResult> result =
      service_->Introspect(Request({{"token", token},
                                    {"client_assertion_type", kJwtBearerAssertionType},
                                    {"client_assertion", SignAssertion(caller, claims)}}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_TRUE(result->body.Find("active")->as_bool());
}

}  // namespace
}  // namespace portico::dcr::testing
