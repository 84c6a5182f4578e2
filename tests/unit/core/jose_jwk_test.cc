#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <string>
#include <tuple>
#include <vector>

#include "portico/crypto.h"
#include "portico/jose.h"
#include "portico/parse_json.h"

namespace portico {
namespace {

using ::testing::HasSubstr;

// RFC 7638 §3.1 example key (2048-bit RSA) and its published thumbprint.
constexpr char kRfc7638N[] =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc"
    "_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQ"
    "R0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bF"
    "TWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
constexpr char kRfc7638Thumbprint[] = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

// RFC 7515 Appendix A.3 P-256 public key.
constexpr char kP256X[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kP256Y[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

// RFC 8037 Appendix A.2 Ed25519 public key and its A.3 thumbprint.
constexpr char kEd25519X[] = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr char kEd25519Thumbprint[] = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

Json J(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString() << " in " << text;
  return json.ok() ? *json : Json();
}

Json RsaJwk() {
  Json jwk = Json::MakeObject();
  jwk.Set("kty", "RSA").Set("n", kRfc7638N).Set("e", "AQAB");
  return jwk;
}

Json P256Jwk() {
  Json jwk = Json::MakeObject();
  jwk.Set("kty", "EC").Set("crv", "P-256").Set("x", kP256X).Set("y", kP256Y);
  return jwk;
}

Json Ed25519Jwk() {
  Json jwk = Json::MakeObject();
  jwk.Set("kty", "OKP").Set("crv", "Ed25519").Set("x", kEd25519X);
  return jwk;
}

Json With(Json jwk, std::string_view member, Json value) {
  jwk.Set(member, std::move(value));
  return jwk;
}

// A fresh EC public JWK on `curve` (OpenSSL name), with coordinates of
// `bytes` each, made with OpenSSL directly.
Json GeneratedEcJwk(const char* curve, std::string_view crv, size_t bytes) {
  EVP_PKEY* key = EVP_EC_gen(curve);
  EXPECT_NE(key, nullptr);
  Json jwk = Json::MakeObject();
  jwk.Set("kty", "EC").Set("crv", crv);
  for (const char* name : {OSSL_PKEY_PARAM_EC_PUB_X, OSSL_PKEY_PARAM_EC_PUB_Y}) {
    BIGNUM* bn = nullptr;
    EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1);
    std::string out(bytes, '\0');
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(bytes));
    BN_free(bn);
    jwk.Set(name == std::string_view(OSSL_PKEY_PARAM_EC_PUB_X) ? "x" : "y", Base64UrlEncode(out));
  }
  EVP_PKEY_free(key);
  return jwk;
}

std::string ParseError(const Json& jwk) {
  StatusOr<Jwk> parsed = Jwk::Parse(jwk);
  if (parsed.ok()) return "(accepted)";
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  return parsed.status().message();
}

// ---- Thumbprints (RFC 7638, RFC 8037) ----

TEST(JwkTest, ThumbprintMatchesRfc7638Example) {
  StatusOr<Jwk> jwk = Jwk::Parse(With(With(RsaJwk(), "kid", "2011-04-29"), "alg", "RS256"));
  ASSERT_TRUE(jwk.ok()) << jwk.status().ToString();
  EXPECT_EQ(jwk->Thumbprint(), kRfc7638Thumbprint);
}

TEST(JwkTest, ThumbprintMatchesRfc8037Ed25519Example) {
  StatusOr<Jwk> jwk = Jwk::Parse(Ed25519Jwk());
  ASSERT_TRUE(jwk.ok()) << jwk.status().ToString();
  EXPECT_EQ(jwk->Thumbprint(), kEd25519Thumbprint);
}

TEST(JwkTest, ThumbprintIgnoresOptionalMembersButNotKeyMaterial) {
  StatusOr<Jwk> bare = Jwk::Parse(P256Jwk());
  StatusOr<Jwk> decorated =
      Jwk::Parse(With(With(With(P256Jwk(), "kid", "k1"), "use", "sig"), "alg", "ES256"));
  StatusOr<Jwk> other = Jwk::Parse(GeneratedEcJwk("prime256v1", "P-256", 32));
  ASSERT_TRUE(bare.ok() && decorated.ok() && other.ok());
  EXPECT_EQ(bare->Thumbprint(), decorated->Thumbprint());
  EXPECT_NE(bare->Thumbprint(), other->Thumbprint());
  EXPECT_EQ(bare->Thumbprint().size(), 43u);
}

// ---- Valid keys ----

TEST(JwkTest, ParsesRsaPublicKey) {
  StatusOr<Jwk> jwk = Jwk::Parse(With(With(RsaJwk(), "kid", "rsa-1"), "use", "sig"));
  ASSERT_TRUE(jwk.ok()) << jwk.status().ToString();
  EXPECT_EQ(jwk->kty(), "RSA");
  EXPECT_EQ(jwk->crv(), "");
  EXPECT_EQ(jwk->kid(), "rsa-1");
  EXPECT_EQ(jwk->use(), "sig");
  EXPECT_TRUE(jwk->CanVerify("RS256"));
  EXPECT_TRUE(jwk->CanVerify("PS512"));
  EXPECT_FALSE(jwk->CanVerify("ES256"));
  EXPECT_FALSE(jwk->CanVerify("EdDSA"));
  EXPECT_FALSE(jwk->CanVerify("HS256"));
}

TEST(JwkTest, ParsesEcPublicKeysOnEachCurve) {
  for (const auto& [curve, crv, bytes, alg] :
       std::vector<std::tuple<const char*, const char*, size_t, const char*>>{
           {"prime256v1", "P-256", 32, "ES256"},
           {"secp384r1", "P-384", 48, "ES384"},
           {"secp521r1", "P-521", 66, "ES512"}}) {
    SCOPED_TRACE(crv);
    StatusOr<Jwk> jwk = Jwk::Parse(GeneratedEcJwk(curve, crv, bytes));
    ASSERT_TRUE(jwk.ok()) << jwk.status().ToString();
    EXPECT_EQ(jwk->kty(), "EC");
    EXPECT_EQ(jwk->crv(), crv);
    EXPECT_TRUE(jwk->CanVerify(alg));
    EXPECT_FALSE(jwk->CanVerify("RS256"));
  }
  StatusOr<Jwk> rfc = Jwk::Parse(P256Jwk());
  ASSERT_TRUE(rfc.ok()) << rfc.status().ToString();
  EXPECT_TRUE(rfc->CanVerify("ES256"));
  EXPECT_FALSE(rfc->CanVerify("ES384"));  // the curve fixes the algorithm
}

TEST(JwkTest, ParsesEd25519PublicKey) {
  StatusOr<Jwk> jwk = Jwk::Parse(With(Ed25519Jwk(), "alg", "EdDSA"));
  ASSERT_TRUE(jwk.ok()) << jwk.status().ToString();
  EXPECT_EQ(jwk->kty(), "OKP");
  EXPECT_EQ(jwk->crv(), "Ed25519");
  EXPECT_EQ(jwk->alg(), "EdDSA");
  EXPECT_TRUE(jwk->CanVerify("EdDSA"));
  EXPECT_FALSE(jwk->CanVerify("ES256"));
}

TEST(JwkTest, AcceptsEncryptionKeysButNeverVerifiesWithThem) {
  StatusOr<Jwk> rsa = Jwk::Parse(With(With(RsaJwk(), "use", "enc"), "alg", "RSA-OAEP-256"));
  ASSERT_TRUE(rsa.ok()) << rsa.status().ToString();
  EXPECT_FALSE(rsa->CanVerify("RS256"));
  StatusOr<Jwk> ec = Jwk::Parse(With(P256Jwk(), "alg", "ECDH-ES+A128KW"));
  ASSERT_TRUE(ec.ok()) << ec.status().ToString();
  EXPECT_FALSE(ec->CanVerify("ES256"));
  StatusOr<Jwk> ops = Jwk::Parse(With(RsaJwk(), "key_ops", J(R"(["encrypt","wrapKey"])")));
  ASSERT_TRUE(ops.ok()) << ops.status().ToString();
  EXPECT_FALSE(ops->CanVerify("RS256"));
}

TEST(JwkTest, AlgAndKeyOpsRestrictWhatAKeyVerifies) {
  StatusOr<Jwk> pinned = Jwk::Parse(With(RsaJwk(), "alg", "PS256"));
  ASSERT_TRUE(pinned.ok());
  EXPECT_TRUE(pinned->CanVerify("PS256"));
  EXPECT_FALSE(pinned->CanVerify("RS256"));
  StatusOr<Jwk> verify = Jwk::Parse(With(RsaJwk(), "key_ops", J(R"(["verify"])")));
  ASSERT_TRUE(verify.ok());
  EXPECT_TRUE(verify->CanVerify("RS256"));
  StatusOr<Jwk> sign_only = Jwk::Parse(With(RsaJwk(), "key_ops", J(R"(["sign"])")));
  ASSERT_TRUE(sign_only.ok());
  EXPECT_FALSE(sign_only->CanVerify("RS256"));
}

TEST(JwkTest, AcceptsTheSmallestAndLargestRsaModulus) {
  Json small = RsaJwk();
  small.Set("n", Base64UrlEncode(std::string(256, '\xff')));  // exactly 2048 bits
  EXPECT_EQ(ParseError(small), "(accepted)");
  Json large = RsaJwk();
  large.Set("n", Base64UrlEncode(std::string(1024, '\xff')));  // exactly 8192 bits
  EXPECT_EQ(ParseError(large), "(accepted)");
}

TEST(JwkTest, ToPublicJsonKeepsKeyAndMetadataAndDropsUnknownMembers) {
  Json input = J(std::string(R"({"kty":"EC","crv":"P-256","x":")") + kP256X + R"(","y":")" +
                 kP256Y + R"(","kid":"k1","use":"sig","alg":"ES256","x5t":"abc","ext":true})");
  StatusOr<Jwk> jwk = Jwk::Parse(input);
  ASSERT_TRUE(jwk.ok()) << jwk.status().ToString();
  EXPECT_EQ(jwk->ToPublicJson().Dump(), std::string(R"({"kty":"EC","crv":"P-256","x":")") + kP256X +
                                            R"(","y":")" + kP256Y +
                                            R"(","kid":"k1","use":"sig","alg":"ES256"})");
  StatusOr<Jwk> again = Jwk::Parse(jwk->ToPublicJson());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Thumbprint(), jwk->Thumbprint());

  StatusOr<Jwk> ops = Jwk::Parse(With(Ed25519Jwk(), "key_ops", J(R"(["verify"])")));
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(ops->ToPublicJson().Dump(), std::string(R"({"kty":"OKP","crv":"Ed25519","x":")") +
                                            kEd25519X + R"(","key_ops":["verify"]})");
}

// ---- Rejections ----

TEST(JwkTest, RejectsWhatIsNotAKeyObject) {
  EXPECT_THAT(ParseError(J("[]")), HasSubstr("must be a JSON object"));
  EXPECT_THAT(ParseError(J("{}")), HasSubstr("\"kty\" is required"));
  EXPECT_THAT(ParseError(J(R"({"kty":1})")), HasSubstr("\"kty\" must be a string"));
  EXPECT_THAT(ParseError(J(R"({"kty":"oct","k":"AAAA"})")), HasSubstr("symmetric"));
  EXPECT_THAT(ParseError(J(R"({"kty":"DSA"})")), HasSubstr("not supported"));
}

TEST(JwkTest, RejectsRsaPrivateMembers) {
  for (const char* member : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
    SCOPED_TRACE(member);
    EXPECT_THAT(ParseError(With(RsaJwk(), member, "AQAB")),
                HasSubstr(std::string("private member \"") + member + "\""));
  }
}

TEST(JwkTest, RejectsRsaModulusOutsideTheAllowedSize) {
  Json short_key = RsaJwk();
  short_key.Set("n", Base64UrlEncode(std::string(128, '\xff')));  // 1024 bits
  EXPECT_THAT(ParseError(short_key), HasSubstr("at least 2048 bits (this one has 1024)"));
  Json just_short = RsaJwk();
  just_short.Set("n", Base64UrlEncode("\x7f" + std::string(255, '\xff')));  // 2047 bits
  EXPECT_THAT(ParseError(just_short), HasSubstr("at least 2048 bits (this one has 2047)"));
  Json too_long = RsaJwk();
  too_long.Set("n", Base64UrlEncode("\x01" + std::string(1024, '\xff')));  // 8193 bits
  EXPECT_THAT(ParseError(too_long), HasSubstr("at most 8192 bits"));
  Json even = RsaJwk();
  even.Set("n", Base64UrlEncode(std::string(255, '\xff') + "\xfe"));
  EXPECT_THAT(ParseError(even), HasSubstr("must be odd"));
}

TEST(JwkTest, RejectsNonCanonicalOrMalformedRsaIntegers) {
  Json leading_zero = RsaJwk();
  leading_zero.Set("n", Base64UrlEncode(std::string(1, '\0') + std::string(256, '\xff')));
  EXPECT_THAT(ParseError(leading_zero), HasSubstr("minimum number of octets"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "e", "AAEAAQ")), HasSubstr("minimum number of octets"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "e", "AQAB=")), HasSubstr("base64url without padding"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "e", "AQ+B")), HasSubstr("base64url without padding"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "e", "")), HasSubstr("must not be empty"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "e", 65537)), HasSubstr("\"e\" must be a string"));
  Json no_e = RsaJwk();
  no_e.Erase("e");
  EXPECT_THAT(ParseError(no_e), HasSubstr("\"e\" is required"));
  Json no_n = RsaJwk();
  no_n.Erase("n");
  EXPECT_THAT(ParseError(no_n), HasSubstr("\"n\" is required"));
}

TEST(JwkTest, RejectsUnusableRsaExponents) {
  EXPECT_THAT(ParseError(With(RsaJwk(), "e", Base64UrlEncode(std::string("\x01\x00\x00", 3)))),
              HasSubstr("must be odd"));  // even
  EXPECT_THAT(ParseError(With(RsaJwk(), "e", Base64UrlEncode("\x01"))), HasSubstr("at least 3"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "e", Base64UrlEncode(std::string(9, '\x01')))),
              HasSubstr("at most 64 bits"));
}

TEST(JwkTest, RejectsEcPrivateKeyAndBadCurves) {
  EXPECT_THAT(ParseError(With(P256Jwk(), "d", "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI")),
              HasSubstr("private member \"d\""));
  EXPECT_THAT(ParseError(With(P256Jwk(), "crv", "secp256k1")), HasSubstr("not supported"));
  EXPECT_THAT(ParseError(With(P256Jwk(), "crv", "P-192")), HasSubstr("not supported"));
  Json no_crv = P256Jwk();
  no_crv.Erase("crv");
  EXPECT_THAT(ParseError(no_crv), HasSubstr("\"crv\" is required"));
  Json no_y = P256Jwk();
  no_y.Erase("y");
  EXPECT_THAT(ParseError(no_y), HasSubstr("\"y\" is required"));
}

TEST(JwkTest, RejectsEcCoordinatesOfTheWrongLength) {
  // 31 bytes: leading zeros must be kept (RFC 7518 §6.2.1.2).
  EXPECT_THAT(ParseError(With(P256Jwk(), "x", Base64UrlEncode(std::string(31, '\x01')))),
              HasSubstr("\"x\" must be 32 bytes for P-256"));
  EXPECT_THAT(ParseError(With(P256Jwk(), "y", Base64UrlEncode(std::string(33, '\x01')))),
              HasSubstr("\"y\" must be 32 bytes for P-256"));
  // A P-256 point labelled P-384.
  EXPECT_THAT(ParseError(With(P256Jwk(), "crv", "P-384")), HasSubstr("must be 48 bytes for P-384"));
}

TEST(JwkTest, RejectsEcPointNotOnTheCurve) {
  std::string y = *Base64UrlDecode(kP256Y);
  y.back() = static_cast<char>(y.back() ^ 1);
  EXPECT_THAT(ParseError(With(P256Jwk(), "y", Base64UrlEncode(y))),
              HasSubstr("not on curve P-256"));
  // Coordinates beyond the field prime are not a valid encoding either.
  EXPECT_THAT(ParseError(With(P256Jwk(), "x", Base64UrlEncode(std::string(32, '\xff')))),
              HasSubstr("not on curve P-256"));
}

TEST(JwkTest, RejectsOkpPrivateKeyAndOtherCurves) {
  EXPECT_THAT(ParseError(With(Ed25519Jwk(), "d", "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")),
              HasSubstr("private member \"d\""));
  EXPECT_THAT(ParseError(With(Ed25519Jwk(), "crv", "X25519")), HasSubstr("not supported"));
  EXPECT_THAT(ParseError(With(Ed25519Jwk(), "crv", "Ed448")), HasSubstr("not supported"));
  EXPECT_THAT(ParseError(With(Ed25519Jwk(), "x", Base64UrlEncode(std::string(31, '\x01')))),
              HasSubstr("32 bytes for Ed25519"));
  EXPECT_THAT(ParseError(With(Ed25519Jwk(), "use", "enc")), HasSubstr("can only sign"));
}

TEST(JwkTest, RejectsMalformedKidAndUse) {
  EXPECT_THAT(ParseError(With(RsaJwk(), "kid", "")), HasSubstr("\"kid\" must not be empty"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "kid", 7)), HasSubstr("\"kid\" must be a string"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "use", "signing")), HasSubstr("\"sig\" or \"enc\""));
  EXPECT_THAT(ParseError(With(RsaJwk(), "alg", true)), HasSubstr("\"alg\" must be a string"));
}

TEST(JwkTest, RejectsAlgThatDoesNotFitTheKey) {
  EXPECT_THAT(ParseError(With(RsaJwk(), "alg", "ES256")), HasSubstr("does not fit kty RSA"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "alg", "HS256")), HasSubstr("does not fit kty RSA"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "alg", "none")), HasSubstr("does not fit kty RSA"));
  EXPECT_THAT(ParseError(With(P256Jwk(), "alg", "RS256")), HasSubstr("does not fit kty EC"));
  EXPECT_THAT(ParseError(With(P256Jwk(), "alg", "ES384")),
              HasSubstr("does not fit kty EC with crv P-256"));
  EXPECT_THAT(ParseError(With(P256Jwk(), "alg", "RSA-OAEP")), HasSubstr("does not fit"));
  EXPECT_THAT(ParseError(With(Ed25519Jwk(), "alg", "ES256")), HasSubstr("does not fit kty OKP"));
  EXPECT_THAT(ParseError(With(Ed25519Jwk(), "alg", "ECDH-ES")), HasSubstr("does not fit kty OKP"));
}

TEST(JwkTest, RejectsUseAlgAndKeyOpsThatDisagree) {
  EXPECT_THAT(ParseError(With(With(RsaJwk(), "use", "sig"), "alg", "RSA-OAEP")),
              HasSubstr("does not fit use \"sig\""));
  EXPECT_THAT(ParseError(With(With(RsaJwk(), "use", "enc"), "alg", "RS256")),
              HasSubstr("does not fit use \"enc\""));
  EXPECT_THAT(ParseError(With(With(RsaJwk(), "use", "enc"), "key_ops", J(R"(["verify"])"))),
              HasSubstr("key_ops do not fit use"));
  EXPECT_THAT(ParseError(With(With(RsaJwk(), "alg", "RS256"), "key_ops", J(R"(["encrypt"])"))),
              HasSubstr("key_ops do not fit alg"));
}

TEST(JwkTest, RejectsMalformedKeyOps) {
  EXPECT_THAT(ParseError(With(RsaJwk(), "key_ops", "verify")), HasSubstr("non-empty array"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "key_ops", J("[]"))), HasSubstr("non-empty array"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "key_ops", J("[1]"))), HasSubstr("non-empty array"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "key_ops", J(R"(["verify","verify"])"))),
              HasSubstr("\"verify\" twice"));
  EXPECT_THAT(ParseError(With(RsaJwk(), "key_ops", J(R"(["fly"])"))),
              HasSubstr("unknown operation \"fly\""));
  EXPECT_THAT(ParseError(With(RsaJwk(), "key_ops", J(R"(["verify","encrypt"])"))),
              HasSubstr("mixes signature and encryption"));
}

// ---- JWK Sets ----

Json SetOf(const std::vector<Json>& keys) {
  Json list = Json::MakeArray();
  for (const Json& key : keys) list.Push(key);
  Json set = Json::MakeObject();
  set.Set("keys", std::move(list));
  return set;
}

std::string SetError(const Json& jwks) {
  StatusOr<JwkSet> parsed = JwkSet::Parse(jwks);
  if (parsed.ok()) return "(accepted)";
  EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
  return parsed.status().message();
}

TEST(JwkSetTest, ParsesKeysOfEveryTypeAndFindsThemByKid) {
  StatusOr<JwkSet> set =
      JwkSet::Parse(SetOf({With(RsaJwk(), "kid", "a"), With(P256Jwk(), "kid", "b"), Ed25519Jwk()}));
  ASSERT_TRUE(set.ok()) << set.status().ToString();
  ASSERT_EQ(set->keys().size(), 3u);
  ASSERT_NE(set->FindByKid("b"), nullptr);
  EXPECT_EQ(set->FindByKid("b")->kty(), "EC");
  EXPECT_EQ(set->FindByKid("c"), nullptr);
  EXPECT_EQ(set->FindByKid(""), nullptr);  // a kid-less key is never found "by kid"
  EXPECT_EQ(set->ToPublicJson().Find("keys")->as_array().size(), 3u);
}

TEST(JwkSetTest, RejectsMalformedSets) {
  EXPECT_THAT(SetError(J("[]")), HasSubstr("must be a JSON object"));
  EXPECT_THAT(SetError(J("{}")), HasSubstr("\"keys\" array"));
  EXPECT_THAT(SetError(J(R"({"keys":{}})")), HasSubstr("\"keys\" array"));
  EXPECT_THAT(SetError(J(R"({"keys":[]})")), HasSubstr("at least one key"));
}

TEST(JwkSetTest, AcceptsThirtyTwoKeysAndRejectsThirtyThree) {
  std::vector<Json> keys;
  for (int i = 0; i < 32; ++i) keys.push_back(With(P256Jwk(), "kid", "k" + std::to_string(i)));
  EXPECT_EQ(SetError(SetOf(keys)), "(accepted)");
  keys.push_back(With(P256Jwk(), "kid", "k32"));
  EXPECT_THAT(SetError(SetOf(keys)), HasSubstr("at most 32 keys (this one has 33)"));
}

TEST(JwkSetTest, RejectsDuplicateKidsButAllowsSeveralKeysWithoutKid) {
  EXPECT_THAT(SetError(SetOf({With(RsaJwk(), "kid", "a"), With(P256Jwk(), "kid", "b"),
                              With(Ed25519Jwk(), "kid", "a")})),
              HasSubstr("keys[2]: kid \"a\" is already used by keys[0]"));
  EXPECT_EQ(SetError(SetOf({RsaJwk(), P256Jwk()})), "(accepted)");
}

TEST(JwkSetTest, NamesTheInvalidKeyByIndex) {
  EXPECT_EQ(SetError(SetOf({RsaJwk(), With(P256Jwk(), "d", "AAAA")})),
            "keys[1]: JWK must be a public key: private member \"d\" is not accepted");
  EXPECT_THAT(SetError(SetOf({J(R"({"kty":"oct","k":"c2VjcmV0"})")})), HasSubstr("keys[0]: "));
}

}  // namespace
}  // namespace portico
