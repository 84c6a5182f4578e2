#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "portico/crypto.h"
#include "portico/jose.h"
#include "portico/parse_json.h"

namespace portico {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

EcSigningKey NewKey() {
  StatusOr<EcSigningKey> key = EcSigningKey::Generate();
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return std::move(key).value();
}

JwkSet SetOf(const Json& jwk) {
  Json set = Json::MakeObject();
  set.Set("keys", Json(Json::Array{jwk}));
  StatusOr<JwkSet> parsed = JwkSet::Parse(set);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return std::move(parsed).value();
}

Json AccessTokenClaims() {
  Json claims = Json::MakeObject();
  claims.Set("iss", "https://portico.example")
      .Set("sub", "client-1")
      .Set("aud", "https://api.example")
      .Set("exp", 1'900'000'000)
      .Set("iat", 1'800'000'000)
      .Set("jti", "t-1")
      .Set("client_id", "client-1");
  return claims;
}

Json TypAtJwt() {
  Json header = Json::MakeObject();
  header.Set("typ", "at+jwt");
  return header;
}

std::string PemOf(EVP_PKEY* key, bool traditional) {
  BIO* bio = BIO_new(BIO_s_mem());
  const int ok =
      traditional
          ? PEM_write_bio_PrivateKey_traditional(bio, key, nullptr, nullptr, 0, nullptr, nullptr)
          : PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  EXPECT_EQ(ok, 1);
  char* data = nullptr;
  std::string pem(data, 0);
  const long length = BIO_get_mem_data(bio, &data);
  pem.assign(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

TEST(EcSigningKeyTest, PublishesAnEs256PublicJwkWhoseKidIsItsThumbprint) {
  const EcSigningKey key = NewKey();
  const Json jwk = key.PublicJwk();
  EXPECT_EQ(jwk.Find("kty")->as_string(), "EC");
  EXPECT_EQ(jwk.Find("crv")->as_string(), "P-256");
  EXPECT_EQ(jwk.Find("use")->as_string(), "sig");
  EXPECT_EQ(jwk.Find("alg")->as_string(), "ES256");
  EXPECT_EQ(jwk.Find("d"), nullptr);
  EXPECT_EQ(Base64UrlDecode(jwk.Find("x")->as_string())->size(), 32u);
  EXPECT_EQ(Base64UrlDecode(jwk.Find("y")->as_string())->size(), 32u);
  StatusOr<Jwk> parsed = Jwk::Parse(jwk);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(key.kid(), parsed->Thumbprint());
  EXPECT_EQ(jwk.Find("kid")->as_string(), key.kid());
  EXPECT_NE(NewKey().kid(), key.kid());  // fresh randomness each time
}

TEST(EcSigningKeyTest, PemRoundTripKeepsTheSameKey) {
  const EcSigningKey key = NewKey();
  const std::string pem = key.PrivatePem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  StatusOr<EcSigningKey> loaded = EcSigningKey::FromPrivatePem(pem);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->kid(), key.kid());
  EXPECT_EQ(loaded->PublicJwk(), key.PublicJwk());
  EXPECT_EQ(loaded->PrivatePem(), pem);
}

TEST(EcSigningKeyTest, SignedJwtVerifiesWithThePublishedJwkAfterAPemRoundTrip) {
  const EcSigningKey original = NewKey();
  StatusOr<EcSigningKey> key = EcSigningKey::FromPrivatePem(original.PrivatePem());
  ASSERT_TRUE(key.ok());
  StatusOr<std::string> jwt = key->SignJwt(TypAtJwt(), AccessTokenClaims());
  ASSERT_TRUE(jwt.ok()) << jwt.status().ToString();

  JwsPolicy policy;
  policy.allowed_algs = {"ES256"};
  policy.required_typ = "at+jwt";
  StatusOr<VerifiedJws> verified = VerifyJws(*jwt, SetOf(original.PublicJwk()), policy);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->payload, AccessTokenClaims());
  EXPECT_EQ(verified->kid, original.kid());
  EXPECT_EQ(verified->header.Dump(),
            R"({"alg":"ES256","kid":")" + original.kid() + R"(","typ":"at+jwt"})");
  // RFC 7518 §3.4: the signature is R||S, 64 bytes.
  EXPECT_EQ(Base64UrlDecode(jwt->substr(jwt->rfind('.') + 1))->size(), 64u);
}

TEST(EcSigningKeyTest, SignedJwtDoesNotVerifyWithAnotherKey) {
  const EcSigningKey key = NewKey();
  StatusOr<std::string> jwt = key.SignJwt(Json(), AccessTokenClaims());
  ASSERT_TRUE(jwt.ok());
  Json other = NewKey().PublicJwk();
  other.Set("kid", key.kid());  // same kid, different key
  StatusOr<VerifiedJws> verified = VerifyJws(*jwt, SetOf(other));
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().message(), "JWS signature is invalid");
}

TEST(EcSigningKeyTest, SignatureVerifiesWithOpenSslDirectly) {
  // An independent check of the R||S encoding: rebuild DER by hand and let
  // OpenSSL verify against the key read from the PEM.
  const EcSigningKey key = NewKey();
  StatusOr<std::string> jwt = key.SignJwt(Json(), AccessTokenClaims());
  ASSERT_TRUE(jwt.ok());
  const size_t dot = jwt->rfind('.');
  const std::string input = jwt->substr(0, dot);
  const std::string raw = *Base64UrlDecode(jwt->substr(dot + 1));
  ASSERT_EQ(raw.size(), 64u);
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr));
  unsigned char* der = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);

  const std::string pem = key.PrivatePem();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ASSERT_NE(pkey, nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit_ex(ctx, nullptr, "SHA256", nullptr, nullptr, pkey, nullptr), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, der, static_cast<size_t>(der_length),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  OPENSSL_free(der);
}

TEST(EcSigningKeyTest, SignsConcurrentlyFromManyThreads) {
  const EcSigningKey key = NewKey();
  const JwkSet keys = SetOf(key.PublicJwk());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        StatusOr<std::string> jwt = key.SignJwt(TypAtJwt(), AccessTokenClaims());
        failures += !jwt.ok() || !VerifyJws(*jwt, keys).ok();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST(EcSigningKeyTest, AcceptsSec1Pem) {
  EVP_PKEY* generated = EVP_EC_gen("prime256v1");
  const std::string sec1 = PemOf(generated, /*traditional=*/true);
  EXPECT_THAT(sec1, StartsWith("-----BEGIN EC PRIVATE KEY-----"));
  StatusOr<EcSigningKey> key = EcSigningKey::FromPrivatePem(sec1);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  StatusOr<EcSigningKey> pkcs8 = EcSigningKey::FromPrivatePem(PemOf(generated, false));
  ASSERT_TRUE(pkcs8.ok());
  EXPECT_EQ(key->kid(), pkcs8->kid());
  EVP_PKEY_free(generated);
}

TEST(EcSigningKeyTest, RejectsPemThatIsNotAnUnencryptedP256PrivateKey) {
  const auto error = [](std::string_view pem) {
    StatusOr<EcSigningKey> key = EcSigningKey::FromPrivatePem(pem);
    if (key.ok()) return std::string("(accepted)");
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    return key.status().message();
  };
  EXPECT_EQ(error(""), "not an unencrypted PEM private key");
  EXPECT_EQ(error("-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n"),
            "not an unencrypted PEM private key");

  EVP_PKEY* p384 = EVP_EC_gen("secp384r1");
  EXPECT_EQ(error(PemOf(p384, false)), "the PEM key is not an EC P-256 key");
  EVP_PKEY_free(p384);
  EVP_PKEY* ed25519 = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  EXPECT_EQ(error(PemOf(ed25519, false)), "the PEM key is not an EC P-256 key");
  EVP_PKEY_free(ed25519);

  EVP_PKEY* p256 = EVP_EC_gen("prime256v1");
  // A public key only.
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio, p256), 1);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  const std::string public_pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  EXPECT_EQ(error(public_pem), "not an unencrypted PEM private key");
  // Encrypted: must fail at once, never prompt on a terminal for a passphrase.
  bio = BIO_new(BIO_s_mem());
  char passphrase[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio, p256, EVP_aes_256_cbc(), passphrase,
                                          sizeof passphrase - 1, nullptr, nullptr),
            1);
  const long encrypted_length = BIO_get_mem_data(bio, &data);
  const std::string encrypted(data, static_cast<size_t>(encrypted_length));
  BIO_free(bio);
  EXPECT_THAT(encrypted, HasSubstr("ENCRYPTED"));
  EXPECT_EQ(error(encrypted), "not an unencrypted PEM private key");
  EVP_PKEY_free(p256);
}

TEST(EcSigningKeyTest, RejectsClaimsOrHeaderMembersItCannotSign) {
  const EcSigningKey key = NewKey();
  const auto error = [&](const Json& header, const Json& claims) {
    StatusOr<std::string> jwt = key.SignJwt(header, claims);
    if (jwt.ok()) return std::string("(signed)");
    EXPECT_EQ(jwt.status().code(), StatusCode::kInvalidArgument);
    return jwt.status().message();
  };
  EXPECT_EQ(error(Json(), Json(Json::Array{})), "JWT claims must be a JSON object");
  EXPECT_EQ(error(Json("at+jwt"), AccessTokenClaims()), "JWT header members must be a JSON object");
  for (const char* member : {"alg", "kid", "crit"}) {
    Json header = Json::MakeObject();
    header.Set(member, "x");
    EXPECT_EQ(error(header, AccessTokenClaims()),
              std::string("JWT header member \"") + member + "\" is set by the signing key");
  }
  EXPECT_EQ(error(Json::MakeObject(), Json::MakeObject()), "(signed)");
}

}  // namespace
}  // namespace portico
