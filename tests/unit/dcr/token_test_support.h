#pragma once

// A token service over an in-memory database, a fake clock and real crypto,
// with helpers to register clients and build requests: shared by the token
// service and token route tests.

#include <gtest/gtest.h>

#include <cctype>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dcr/client_secrets.h"
#include "dcr/client_store.h"
#include "dcr/token/form.h"
#include "dcr/token/signing_keys.h"
#include "dcr/token/token_service.h"
#include "portico/credential_issuer.h"
#include "portico/crypto.h"
#include "portico/jose.h"
#include "portico/parse_json.h"
#include "portico/random.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::dcr::testing {

inline constexpr char kKeyHashSecret[] = "0123456789abcdef0123456789abcdef-token-tests";
inline constexpr char kIssuer[] = "https://id.example.com";
inline constexpr char kTokenEndpoint[] = "https://id.example.com/oauth/token";
inline constexpr char kIntrospectionEndpoint[] = "https://id.example.com/oauth/introspect";
inline constexpr char kRevocationEndpoint[] = "https://id.example.com/oauth/revoke";
inline constexpr char kTenant[] = "tenant-acme";
inline constexpr char kOtherTenant[] = "tenant-other";

// application/x-www-form-urlencoded encoding of one name or value.
inline std::string FormEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '*') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

inline std::string FormBody(const FormParams::Pairs& pairs) {
  std::string body;
  for (const auto& [name, value] : pairs) {
    if (!body.empty()) body.push_back('&');
    body += FormEncode(name) + "=" + FormEncode(value);
  }
  return body;
}

// RFC 6749 §2.3.1: id and secret form-encoded, then RFC 7617 Basic.
inline std::string BasicAuthorization(std::string_view id, std::string_view secret) {
  return "Basic " + Base64Encode(FormEncode(id) + ":" + FormEncode(secret));
}

inline Json ParseOrDie(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text;
  return json.ok() ? *json : Json();
}

// A compact JWS with any header and signature, for assertions the server
// must refuse (alg none, HMAC).
inline std::string UnsignedJws(const Json& header, const Json& claims, std::string_view signature) {
  return Base64UrlEncode(header.Dump()) + "." + Base64UrlEncode(claims.Dump()) + "." +
         Base64UrlEncode(signature);
}

struct TestClient {
  std::string client_id;
  std::string secret;               // empty for private_key_jwt clients
  std::optional<EcSigningKey> key;  // the client's own key, for private_key_jwt
};

struct ClientSpec {
  std::string method = "client_secret_basic";
  std::string scope = "read write";
  std::vector<std::string> grant_types = {"client_credentials"};
  std::string tenant_id = kTenant;
  std::string client_id;  // generated when empty
  std::string secret;     // generated when empty (secret methods)
  bool jwks_uri_only = false;
  std::optional<std::string> signing_alg;  // token_endpoint_auth_signing_alg
};

class TokenTestBase : public ::testing::Test {
 protected:
  TokenTestBase()
      : hasher_(kKeyHashSecret, SecureRandom(), clock_), secrets_(hasher_, SecureRandom()) {
    for (const char* id : {kTenant, kOtherTenant}) {
      EXPECT_TRUE(db_.Run([&](Stores& s) {
                       return s.tenants().Insert(
                           Tenant{.id = id, .slug = id, .name = id, .created_at = clock_.Now()});
                     })
                      .ok());
    }
    Rebuild();
  }

  void Rebuild() {
    keys_ = std::make_unique<SigningKeys>(db_, kKeyHashSecret, clock_, key_options_);
    service_ =
        std::make_unique<TokenService>(db_, *keys_, secrets_, clock_, SecureRandom(), options_);
  }

  static TokenServiceOptions DefaultOptions() {
    TokenServiceOptions o;
    o.issuer = kIssuer;
    return o;
  }

  TestClient AddClient(ClientSpec spec = {}) {
    TestClient client;
    client.client_id = spec.client_id.empty() ? secrets_.NewClientId() : spec.client_id;
    Json metadata = Json::MakeObject();
    metadata.Set("redirect_uris", Json::MakeArray());
    Json grants = Json::MakeArray();
    for (const std::string& g : spec.grant_types) grants.Push(g);
    metadata.Set("grant_types", std::move(grants))
        .Set("response_types", Json::MakeArray())
        .Set("token_endpoint_auth_method", spec.method)
        .Set("application_type", "web");
    if (!spec.scope.empty()) metadata.Set("scope", spec.scope);
    ClientRecord record{.client_id = client.client_id,
                        .tenant_id = spec.tenant_id,
                        .issued_at = clock_.Now(),
                        .updated_at = clock_.Now(),
                        .last_used_at = clock_.Now()};
    if (spec.method == "private_key_jwt") {
      StatusOr<EcSigningKey> key = EcSigningKey::Generate();
      EXPECT_TRUE(key.ok());
      client.key = *key;
      if (spec.jwks_uri_only) {
        metadata.Set("jwks_uri", "https://client.example.com/jwks.json");
      } else {
        metadata.Set("jwks", Json::MakeObject().Set("keys", Json(Json::Array{key->PublicJwk()})));
      }
      if (spec.signing_alg) metadata.Set("token_endpoint_auth_signing_alg", *spec.signing_alg);
    } else {
      client.secret = spec.secret.empty() ? secrets_.NewClientSecret() : spec.secret;
      record.secret_hash = secrets_.Hash(client.secret);
    }
    record.metadata = std::move(metadata);
    EXPECT_TRUE(db_.Run([&](Stores& s) { return s.clients().Insert(record); }).ok());
    return client;
  }

  void DeleteClient(const TestClient& client) {
    ASSERT_TRUE(db_.Run([&](Stores& s) { return s.clients().Delete(client.client_id); }).ok());
  }

  // Claims of a client assertion (RFC 7523 §3) that the server accepts.
  Json AssertionClaims(const TestClient& client) {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    return Json::MakeObject()
        .Set("iss", client.client_id)
        .Set("sub", client.client_id)
        .Set("aud", kTokenEndpoint)
        .Set("exp", now + 60)
        .Set("iat", now)
        .Set("jti", RandomToken(SecureRandom(), 16));
  }

  std::string SignAssertion(const TestClient& client, const Json& claims) {
    StatusOr<std::string> jws = client.key->SignJwt(Json(), claims);
    EXPECT_TRUE(jws.ok()) << jws.status().ToString();
    return jws.ok() ? *jws : "";
  }

  static OAuthRequest Request(FormParams::Pairs params,
                              std::optional<std::string> authorization = std::nullopt) {
    return OAuthRequest{.authorization = std::move(authorization),
                        .params = FormParams(std::move(params))};
  }

  // A request authenticated as `client` with its registered method.
  OAuthRequest As(const TestClient& client, FormParams::Pairs params) {
    if (client.key) {
      params.emplace_back("client_assertion_type", kJwtBearerAssertionType);
      params.emplace_back("client_assertion", SignAssertion(client, AssertionClaims(client)));
      return Request(std::move(params));
    }
    return Request(std::move(params), BasicAuthorization(client.client_id, client.secret));
  }

  OAuthRequest TokenRequestFor(const TestClient& client, FormParams::Pairs extra = {}) {
    extra.emplace_back("grant_type", "client_credentials");
    return As(client, std::move(extra));
  }

  std::string IssueTokenOrDie(const TestClient& client, FormParams::Pairs extra = {}) {
    StatusOr<IssuedToken> token = service_->IssueToken(TokenRequestFor(client, std::move(extra)));
    EXPECT_TRUE(token.ok()) << token.status().ToString();
    return token.ok() ? token->access_token : "";
  }

  ::portico::testing::FakeClock clock_;
  ::portico::testing::InMemoryDatabase db_;
  CredentialIssuer hasher_;
  ClientSecrets secrets_;
  SigningKeysOptions key_options_;
  TokenServiceOptions options_ = DefaultOptions();
  std::unique_ptr<SigningKeys> keys_;
  std::unique_ptr<TokenService> service_;
};

}  // namespace portico::dcr::testing
