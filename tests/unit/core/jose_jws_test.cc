#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

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

// ---- Test-side JOSE, written against OpenSSL directly so that the code
// under test is checked against an independent signer. ----

std::string BnBytes(EVP_PKEY* key, const char* name, int pad = 0) {
  BIGNUM* bn = nullptr;
  EXPECT_EQ(EVP_PKEY_get_bn_param(key, name, &bn), 1) << name;
  std::string out(pad > 0 ? static_cast<size_t>(pad) : static_cast<size_t>(BN_num_bytes(bn)), '\0');
  if (pad > 0) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), pad);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  BN_free(bn);
  return out;
}

Json PublicJwkOf(EVP_PKEY* key, std::string_view kid = "") {
  Json jwk = Json::MakeObject();
  if (EVP_PKEY_is_a(key, "RSA")) {
    jwk.Set("kty", "RSA")
        .Set("n", Base64UrlEncode(BnBytes(key, OSSL_PKEY_PARAM_RSA_N)))
        .Set("e", Base64UrlEncode(BnBytes(key, OSSL_PKEY_PARAM_RSA_E)));
  } else if (EVP_PKEY_is_a(key, "EC")) {
    char group[32];
    size_t length = 0;
    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length);
    const std::string name(group, length);
    const int bytes = name == "prime256v1" ? 32 : name == "secp384r1" ? 48 : 66;
    jwk.Set("kty", "EC")
        .Set("crv", name == "prime256v1"  ? "P-256"
                    : name == "secp384r1" ? "P-384"
                                          : "P-521")
        .Set("x", Base64UrlEncode(BnBytes(key, OSSL_PKEY_PARAM_EC_PUB_X, bytes)))
        .Set("y", Base64UrlEncode(BnBytes(key, OSSL_PKEY_PARAM_EC_PUB_Y, bytes)));
  } else {
    unsigned char raw[32];
    size_t length = sizeof raw;
    EXPECT_EQ(EVP_PKEY_get_raw_public_key(key, raw, &length), 1);
    jwk.Set("kty", "OKP")
        .Set("crv", "Ed25519")
        .Set("x", Base64UrlEncode(std::string(reinterpret_cast<char*>(raw), length)));
  }
  if (!kid.empty()) jwk.Set("kid", kid);
  return jwk;
}

// The signature as OpenSSL produces it (DER for ECDSA).
std::string SignNative(EVP_PKEY* key, std::string_view alg, std::string_view input) {
  const char* digest = nullptr;
  if (alg != "EdDSA") {
    const std::string bits(alg.substr(2));
    digest = bits == "256" ? "SHA256" : bits == "384" ? "SHA384" : "SHA512";
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EXPECT_EQ(EVP_DigestSignInit_ex(ctx, &pctx, digest, nullptr, nullptr, key, nullptr), 1);
  if (alg.substr(0, 2) == "PS") {
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
    EXPECT_EQ(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
  }
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &length, data, input.size()), 1);
  std::string signature(length, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length, data,
                           input.size()),
            1);
  signature.resize(length);
  EVP_MD_CTX_free(ctx);
  return signature;
}

// JOSE form: ECDSA as R||S of the field size each (RFC 7518 §3.4).
std::string Sign(EVP_PKEY* key, std::string_view alg, std::string_view input) {
  std::string signature = SignNative(key, alg, input);
  if (alg.substr(0, 2) != "ES") return signature;
  const int half = alg == "ES256" ? 32 : alg == "ES384" ? 48 : 66;
  const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
  std::string raw(2 * static_cast<size_t>(half), '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, half);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + half, half);
  ECDSA_SIG_free(sig);
  return raw;
}

std::string B64(std::string_view s) { return Base64UrlEncode(s); }

// A compact JWS over exactly these header and payload texts.
std::string MakeJwsText(EVP_PKEY* key, std::string_view alg, std::string_view header,
                        std::string_view payload) {
  const std::string input = B64(header) + "." + B64(payload);
  return input + "." + B64(Sign(key, alg, input));
}

std::string MakeJws(EVP_PKEY* key, const Json& header, const Json& payload) {
  return MakeJwsText(key, header.Find("alg")->as_string(), header.Dump(), payload.Dump());
}

Json Header(std::string_view alg, std::string_view kid = "") {
  Json header = Json::MakeObject();
  header.Set("alg", alg);
  if (!kid.empty()) header.Set("kid", kid);
  return header;
}

Json Claims() {
  Json claims = Json::MakeObject();
  claims.Set("iss", "https://issuer.example").Set("sub", "client-1").Set("exp", 1'900'000'000);
  return claims;
}

std::vector<std::string> Split(const std::string& compact) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = compact.find('.', start)) != std::string::npos; start = dot + 1) {
    parts.push_back(compact.substr(start, dot - start));
  }
  parts.push_back(compact.substr(start));
  return parts;
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "." : "") + parts[i];
  return out;
}

class JwsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    rsa_ = EVP_RSA_gen(2048);
    rsa2_ = EVP_RSA_gen(2048);
    p256_ = EVP_EC_gen("prime256v1");
    p384_ = EVP_EC_gen("secp384r1");
    p521_ = EVP_EC_gen("secp521r1");
    ed25519_ = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    ASSERT_TRUE(rsa_ && rsa2_ && p256_ && p384_ && p521_ && ed25519_);
  }
  static void TearDownTestSuite() {
    for (EVP_PKEY* key : {rsa_, rsa2_, p256_, p384_, p521_, ed25519_}) EVP_PKEY_free(key);
  }

  // rsa, p256, p384, p521, ed25519, each with a kid.
  static JwkSet Keys() {
    Json list = Json::MakeArray();
    list.Push(PublicJwkOf(rsa_, "rsa"))
        .Push(PublicJwkOf(p256_, "p256"))
        .Push(PublicJwkOf(p384_, "p384"))
        .Push(PublicJwkOf(p521_, "p521"))
        .Push(PublicJwkOf(ed25519_, "ed"));
    return SetOf(list);
  }

  static JwkSet SetOf(Json list) {
    Json set = Json::MakeObject();
    set.Set("keys", std::move(list));
    StatusOr<JwkSet> parsed = JwkSet::Parse(set);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return std::move(parsed).value();
  }

  static std::string Error(std::string_view compact, const JwkSet& keys,
                           const JwsPolicy& policy = {}) {
    StatusOr<VerifiedJws> result = VerifyJws(compact, keys, policy);
    if (result.ok()) return "(verified)";
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
    return result.status().message();
  }

  static JwsPolicy AllAlgs() {
    JwsPolicy policy;
    policy.allowed_algs = {"RS256", "RS384", "RS512", "PS256", "PS384",
                           "PS512", "ES256", "ES384", "ES512", "EdDSA"};
    return policy;
  }

  static inline EVP_PKEY* rsa_ = nullptr;
  static inline EVP_PKEY* rsa2_ = nullptr;
  static inline EVP_PKEY* p256_ = nullptr;
  static inline EVP_PKEY* p384_ = nullptr;
  static inline EVP_PKEY* p521_ = nullptr;
  static inline EVP_PKEY* ed25519_ = nullptr;
};

// ---- What verifies ----

TEST_F(JwsTest, VerifiesEachDefaultAlgorithmWithAndWithoutKid) {
  const JwkSet keys = Keys();
  for (const auto& [alg, key, kid] :
       std::vector<std::tuple<std::string, EVP_PKEY*, std::string>>{{"RS256", rsa_, "rsa"},
                                                                    {"PS256", rsa_, "rsa"},
                                                                    {"ES256", p256_, "p256"},
                                                                    {"EdDSA", ed25519_, "ed"}}) {
    SCOPED_TRACE(alg);
    for (const std::string& header_kid : {kid, std::string()}) {
      StatusOr<VerifiedJws> result =
          VerifyJws(MakeJws(key, Header(alg, header_kid), Claims()), keys);
      ASSERT_TRUE(result.ok()) << result.status().ToString();
      EXPECT_EQ(result->alg, alg);
      EXPECT_EQ(result->kid, kid);  // the kid of the key that verified, found either way
      EXPECT_EQ(result->payload, Claims());
      EXPECT_EQ(result->header.Find("alg")->as_string(), alg);
    }
  }
}

TEST_F(JwsTest, VerifiesTheOtherAlgorithmsOnlyWhenThePolicyAllowsThem) {
  const JwkSet keys = Keys();
  for (const auto& [alg, key] : std::vector<std::pair<std::string, EVP_PKEY*>>{{"RS384", rsa_},
                                                                               {"RS512", rsa_},
                                                                               {"PS384", rsa_},
                                                                               {"PS512", rsa_},
                                                                               {"ES384", p384_},
                                                                               {"ES512", p521_}}) {
    SCOPED_TRACE(alg);
    const std::string jws = MakeJws(key, Header(alg), Claims());
    EXPECT_EQ(Error(jws, keys, AllAlgs()), "(verified)");
    EXPECT_EQ(Error(jws, keys), "JWS alg \"" + alg + "\" is not allowed here");
  }
}

TEST_F(JwsTest, VerifiesTheRfc7515EcdsaExample) {
  // RFC 7515 Appendix A.3.
  const JwkSet keys = SetOf(
      Json(Json::Array{Json(Json::Object{{"kty", "EC"},
                                         {"crv", "P-256"},
                                         {"x", "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"},
                                         {"y", "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}})}));
  const std::string jws =
      "eyJhbGciOiJFUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVl"
      "fQ."
      "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
  StatusOr<VerifiedJws> result = VerifyJws(jws, keys);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->payload.Find("iss")->as_string(), "joe");
  EXPECT_EQ(result->payload.Find("exp")->as_int(), 1300819380);
  EXPECT_EQ(result->kid, "");
  EXPECT_EQ(result->key_thumbprint, keys.keys()[0].Thumbprint());
}

TEST_F(JwsTest, Rfc8037Ed25519ExampleVerifiesButItsTextPayloadIsRefused) {
  // RFC 8037 Appendix A.4: a valid signature over "Example of Ed25519 signing".
  const JwkSet keys = SetOf(Json(Json::Array{Json(Json::Object{
      {"kty", "OKP"}, {"crv", "Ed25519"}, {"x", "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}})}));
  const std::string jws =
      "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
      "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
  // The payload is judged only after the signature verified.
  EXPECT_THAT(Error(jws, keys), HasSubstr("JWS payload is not valid JSON"));
  std::vector<std::string> parts = Split(jws);
  parts[1] = B64("Example of Ed25519 signinG");
  EXPECT_EQ(Error(Join(parts), keys), "JWS signature is invalid");
}

TEST_F(JwsTest, TriesEveryFittingKeyWhenTheHeaderHasNoKid) {
  Json list = Json::MakeArray();
  list.Push(PublicJwkOf(rsa_, "first")).Push(PublicJwkOf(p256_)).Push(PublicJwkOf(rsa2_, "second"));
  const JwkSet keys = SetOf(std::move(list));
  StatusOr<VerifiedJws> result = VerifyJws(MakeJws(rsa2_, Header("RS256"), Claims()), keys);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->kid, "second");
  StatusOr<VerifiedJws> ec = VerifyJws(MakeJws(p256_, Header("ES256"), Claims()), keys);
  ASSERT_TRUE(ec.ok()) << ec.status().ToString();
  EXPECT_EQ(ec->kid, "");
  EXPECT_EQ(ec->key_thumbprint, keys.keys()[1].Thumbprint());
}

TEST_F(JwsTest, VerifiesConcurrentlyFromManyThreads) {
  const JwkSet keys = Keys();
  const std::vector<std::string> tokens = {MakeJws(rsa_, Header("PS256"), Claims()),
                                           MakeJws(p256_, Header("ES256"), Claims()),
                                           MakeJws(ed25519_, Header("EdDSA"), Claims())};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 150; ++i) failures += !VerifyJws(tokens[i % 3], keys).ok();
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

// ---- Algorithms that are refused ----

TEST_F(JwsTest, RejectsAlgNoneEvenWhenThePolicyListsIt) {
  JwsPolicy policy;
  policy.allowed_algs = {"none", "RS256"};
  const std::string unsigned_jws = B64(R"({"alg":"none"})") + "." + B64(Claims().Dump()) + ".";
  EXPECT_EQ(Error(unsigned_jws, Keys(), policy), "JWS signature is empty");
  const std::string with_sig =
      B64(R"({"alg":"none","kid":"rsa"})") + "." + B64(Claims().Dump()) + "." + B64("x");
  EXPECT_EQ(Error(with_sig, Keys(), policy), "JWS alg \"none\" is not accepted");
  const std::string upper = B64(R"({"alg":"NONE"})") + "." + B64(Claims().Dump()) + "." + B64("x");
  EXPECT_EQ(Error(upper, Keys(), policy), "JWS alg \"NONE\" is not accepted");
}

TEST_F(JwsTest, RejectsHs256SignedWithTheRsaPublicKeyAsHmacSecret) {
  // The classic key-confusion attack: the verifier's RSA public key, as PEM
  // or as raw modulus bytes, used as an HMAC secret.
  BIO* bio = BIO_new(BIO_s_mem());
  ASSERT_EQ(PEM_write_bio_PUBKEY(bio, rsa_), 1);
  char* pem_data = nullptr;
  const std::string pem(pem_data, static_cast<size_t>(BIO_get_mem_data(bio, &pem_data)));
  BIO_free(bio);
  const std::string modulus = BnBytes(rsa_, OSSL_PKEY_PARAM_RSA_N);

  JwsPolicy policy;
  policy.allowed_algs = {"HS256", "HS512", "RS256"};
  for (const std::string& secret : {pem, modulus, Keys().FindByKid("rsa")->ToPublicJson().Dump()}) {
    for (const char* header : {R"({"alg":"HS256","kid":"rsa"})", R"({"alg":"HS256"})"}) {
      const std::string input = B64(header) + "." + B64(Claims().Dump());
      const std::string jws = input + "." + B64(HmacSha256(secret, input));
      EXPECT_THAT(Error(jws, Keys(), policy), HasSubstr("HMAC algorithms are refused"));
    }
  }
  const std::string hs512 = B64(R"({"alg":"HS512"})") + "." + B64(Claims().Dump()) + ".AAAA";
  EXPECT_THAT(Error(hs512, Keys(), policy), HasSubstr("HMAC algorithms are refused"));
}

TEST_F(JwsTest, RejectsUnknownOrDisallowedAlgorithms) {
  const std::string payload = B64(Claims().Dump());
  EXPECT_EQ(Error(B64(R"({"alg":"ES256K"})") + "." + payload + ".AAAA", Keys()),
            "JWS alg \"ES256K\" is not supported");
  EXPECT_EQ(Error(B64(R"({"alg":"RSA-OAEP"})") + "." + payload + ".AAAA", Keys()),
            "JWS alg \"RSA-OAEP\" is not supported");
  JwsPolicy only_rs256;
  only_rs256.allowed_algs = {"RS256"};
  EXPECT_EQ(Error(MakeJws(p256_, Header("ES256"), Claims()), Keys(), only_rs256),
            "JWS alg \"ES256\" is not allowed here");
  EXPECT_EQ(Error(B64(R"({"kid":"rsa"})") + "." + payload + ".AAAA", Keys()),
            "JWS header must have a string \"alg\"");
  EXPECT_EQ(Error(B64(R"({"alg":256})") + "." + payload + ".AAAA", Keys()),
            "JWS header must have a string \"alg\"");
}

// ---- Tampering ----

TEST_F(JwsTest, RejectsTamperedPayloadHeaderOrSignatureForEveryAlgorithm) {
  const JwkSet keys = Keys();
  for (const auto& [alg, key] : std::vector<std::pair<std::string, EVP_PKEY*>>{
           {"RS256", rsa_}, {"PS256", rsa_}, {"ES256", p256_}, {"EdDSA", ed25519_}}) {
    SCOPED_TRACE(alg);
    const std::vector<std::string> parts = Split(MakeJws(key, Header(alg), Claims()));

    std::vector<std::string> payload = parts;
    Json claims = Claims();
    claims.Set("sub", "admin");
    payload[1] = B64(claims.Dump());
    EXPECT_EQ(Error(Join(payload), keys), "JWS signature is invalid");

    std::vector<std::string> header = parts;
    header[0] = B64(Header(alg).Set("typ", "JWT").Dump());
    EXPECT_EQ(Error(Join(header), keys), "JWS signature is invalid");

    std::vector<std::string> signature = parts;
    std::string bytes = *Base64UrlDecode(parts[2]);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x10);
    signature[2] = B64(bytes);
    EXPECT_EQ(Error(Join(signature), keys), "JWS signature is invalid");
  }
}

TEST_F(JwsTest, RejectsASignatureFromAnotherKeyOfTheSameType) {
  Json list = Json::MakeArray();
  list.Push(PublicJwkOf(rsa_, "rsa"));
  const JwkSet keys = SetOf(std::move(list));
  EXPECT_EQ(Error(MakeJws(rsa2_, Header("RS256", "rsa"), Claims()), keys),
            "JWS signature is invalid");
  EXPECT_EQ(Error(MakeJws(rsa2_, Header("RS256"), Claims()), keys), "JWS signature is invalid");
}

TEST_F(JwsTest, RejectsPkcs1SignatureLabelledPss) {
  const std::string input = B64(Header("PS256").Dump()) + "." + B64(Claims().Dump());
  EXPECT_EQ(Error(input + "." + B64(Sign(rsa_, "RS256", input)), Keys()),
            "JWS signature is invalid");
}

TEST_F(JwsTest, RejectsRsaSignatureOfTheWrongLength) {
  std::vector<std::string> parts = Split(MakeJws(rsa_, Header("RS256"), Claims()));
  const std::string signature = *Base64UrlDecode(parts[2]);
  parts[2] = B64(signature.substr(1));
  EXPECT_EQ(Error(Join(parts), Keys()), "JWS signature is invalid");
  parts[2] = B64(std::string(1, '\0') + signature);
  EXPECT_EQ(Error(Join(parts), Keys()), "JWS signature is invalid");
}

TEST_F(JwsTest, RejectsEs256SignatureThatIsNotSixtyFourBytesOfRAndS) {
  const std::string input = B64(Header("ES256").Dump()) + "." + B64(Claims().Dump());
  // DER, as OpenSSL and Java produce it natively: valid ECDSA, wrong JOSE form.
  const std::string der = SignNative(p256_, "ES256", input);
  EXPECT_EQ(Error(input + "." + B64(der), Keys()), "ES256 signature must be 64 bytes (R||S)");
  const std::string raw = Sign(p256_, "ES256", input);
  EXPECT_EQ(Error(input + "." + B64(raw.substr(0, 63)), Keys()),
            "ES256 signature must be 64 bytes (R||S)");
  EXPECT_EQ(Error(input + "." + B64(raw + "\x01"), Keys()),
            "ES256 signature must be 64 bytes (R||S)");
  EXPECT_EQ(Error(input + "." + B64(raw), Keys()), "(verified)");
  EXPECT_EQ(Error(input + "." + B64(std::string(64, '\0')), Keys()), "JWS signature is invalid");
}

// ---- Key selection ----

TEST_F(JwsTest, RejectsAKidThatNoKeyHas) {
  EXPECT_EQ(Error(MakeJws(rsa_, Header("RS256", "missing"), Claims()), Keys()),
            "no known key has kid \"missing\"");
}

TEST_F(JwsTest, RejectsAKeyOfTheWrongTypeForTheAlgorithm) {
  // kid names an EC key, alg says RSA.
  EXPECT_EQ(Error(MakeJws(rsa_, Header("RS256", "p256"), Claims()), Keys()),
            "the key with kid \"p256\" cannot verify RS256");
  // A P-384 key may not verify ES256: refused before any signature check.
  const std::string input = B64(Header("ES256", "p384").Dump()) + "." + B64(Claims().Dump());
  EXPECT_EQ(Error(input + "." + B64(Sign(p384_, "ES384", input).substr(0, 64)), Keys(), AllAlgs()),
            "the key with kid \"p384\" cannot verify ES256");
  // No kid, and no key of a fitting type.
  Json list = Json::MakeArray();
  list.Push(PublicJwkOf(p256_, "p256"));
  EXPECT_EQ(Error(MakeJws(rsa_, Header("RS256"), Claims()), SetOf(std::move(list))),
            "no known key can verify RS256");
}

TEST_F(JwsTest, RejectsKeysPinnedToAnotherAlgorithmOrToEncryption) {
  Json list = Json::MakeArray();
  list.Push(PublicJwkOf(rsa_, "pss-only").Set("alg", "PS256"));
  list.Push(PublicJwkOf(rsa2_, "enc").Set("use", "enc"));
  const JwkSet keys = SetOf(std::move(list));
  EXPECT_EQ(Error(MakeJws(rsa_, Header("RS256", "pss-only"), Claims()), keys),
            "the key with kid \"pss-only\" cannot verify RS256");
  EXPECT_EQ(Error(MakeJws(rsa_, Header("PS256", "pss-only"), Claims()), keys), "(verified)");
  EXPECT_EQ(Error(MakeJws(rsa2_, Header("RS256", "enc"), Claims()), keys),
            "the key with kid \"enc\" cannot verify RS256");
  // Without a kid, neither the pinned nor the encryption key is even tried.
  EXPECT_EQ(Error(MakeJws(rsa2_, Header("RS256"), Claims()), keys),
            "no known key can verify RS256");
}

TEST_F(JwsTest, IgnoresKeysEmbeddedInTheHeader) {
  EVP_PKEY* attacker = EVP_EC_gen("prime256v1");
  Json header = Header("ES256");
  header.Set("jwk", PublicJwkOf(attacker)).Set("jku", "https://attacker.example/jwks");
  EXPECT_EQ(Error(MakeJws(attacker, header, Claims()), Keys()), "JWS signature is invalid");
  EVP_PKEY_free(attacker);
}

TEST_F(JwsTest, RejectsANonStringKid) {
  const std::string jws = MakeJwsText(rsa_, "RS256", R"({"alg":"RS256","kid":1})", Claims().Dump());
  EXPECT_EQ(Error(jws, Keys()), "JWS header \"kid\" must be a string");
}

// ---- Serialization ----

TEST_F(JwsTest, RejectsMalformedCompactSerialization) {
  const std::string valid = MakeJws(p256_, Header("ES256"), Claims());
  ASSERT_EQ(Error(valid, Keys()), "(verified)");
  const std::vector<std::string> parts = Split(valid);
  const std::string three_parts = "three base64url parts";
  EXPECT_THAT(Error("", Keys()), HasSubstr(three_parts));
  EXPECT_THAT(Error(parts[0], Keys()), HasSubstr(three_parts));
  EXPECT_THAT(Error(parts[0] + "." + parts[1], Keys()), HasSubstr(three_parts));
  EXPECT_THAT(Error(valid + "." + parts[2], Keys()), HasSubstr(three_parts));
  EXPECT_THAT(Error(valid + ".", Keys()), HasSubstr(three_parts));
  EXPECT_EQ(Error("." + parts[1] + "." + parts[2], Keys()), "JWS header is empty");
  EXPECT_EQ(Error(parts[0] + ".." + parts[2], Keys()), "JWS payload is empty");
  EXPECT_EQ(Error(parts[0] + "." + parts[1] + ".", Keys()), "JWS signature is empty");
}

TEST_F(JwsTest, RejectsBadBase64UrlInEachPart) {
  const std::vector<std::string> parts = Split(MakeJws(p256_, Header("ES256"), Claims()));
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    const char* name = i == 0 ? "header" : i == 1 ? "payload" : "signature";
    const std::string expected = std::string("JWS ") + name + " is not base64url without padding";
    for (const std::string& bad :
         {parts[i] + "+", "/" + parts[i], parts[i] + " ", parts[i] + "\n", "*" + parts[i]}) {
      std::vector<std::string> tampered = parts;
      tampered[i] = bad;
      EXPECT_EQ(Error(Join(tampered), Keys()), expected) << bad;
    }
  }
}

TEST_F(JwsTest, RejectsBase64Padding) {
  // {"alg":"ES256"} is 15 bytes: its base64 needs no padding; this header does.
  const std::string header = R"({"alg":"ES256"} )";
  const std::string padded = Base64Encode(header);
  ASSERT_EQ(padded.back(), '=');
  const std::string payload = B64(Claims().Dump());
  const std::string input = B64(header) + "." + payload;
  const std::string signature = B64(Sign(p256_, "ES256", input));
  ASSERT_EQ(Error(input + "." + signature, Keys()), "(verified)");
  EXPECT_EQ(Error(padded + "." + payload + "." + signature, Keys()),
            "JWS header is not base64url without padding");
  const std::vector<std::string> parts = Split(MakeJws(p256_, Header("ES256"), Claims()));
  // 64 bytes of signature: base64 with padding ends in "==".
  EXPECT_EQ(Error(parts[0] + "." + parts[1] + "." + parts[2] + "==", Keys()),
            "JWS signature is not base64url without padding");
}

TEST_F(JwsTest, RejectsAHeaderThatIsNotAStrictJsonObject) {
  const std::string claims = Claims().Dump();
  EXPECT_THAT(Error(MakeJwsText(p256_, "ES256", R"(["ES256"])", claims), Keys()),
              HasSubstr("JWS header must be a JSON object"));
  EXPECT_THAT(Error(MakeJwsText(p256_, "ES256", R"(alg=ES256)", claims), Keys()),
              HasSubstr("JWS header is not valid JSON"));
  // A duplicate alg is the textbook way to make two parsers disagree.
  EXPECT_THAT(Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256","alg":"none"})", claims), Keys()),
              HasSubstr("JWS header is not valid JSON"));
  EXPECT_THAT(
      Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256","alg":"ES256"})", claims), Keys()),
      HasSubstr("alg"));
}

TEST_F(JwsTest, RejectsPayloadsThatAreNotAStrictJsonObject) {
  for (const char* payload : {"[1,2]", "\"text\"", "12", "null"}) {
    EXPECT_EQ(Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256"})", payload), Keys()),
              "JWS payload must be a JSON object")
        << payload;
  }
  EXPECT_THAT(Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256"})", "not json"), Keys()),
              HasSubstr("JWS payload is not valid JSON"));
  EXPECT_THAT(
      Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256"})", R"({"sub":"a","sub":"b"})"), Keys()),
      HasSubstr("JWS payload is not valid JSON"));
}

TEST_F(JwsTest, RejectsCriticalExtensions) {
  const std::string claims = Claims().Dump();
  EXPECT_EQ(Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256","crit":["exp"],"exp":1})", claims),
                  Keys()),
            "JWS crit extension \"exp\" is not understood");
  EXPECT_EQ(
      Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256","crit":["b64"],"b64":false})", claims),
            Keys()),
      "JWS crit extension \"b64\" is not understood");
  EXPECT_EQ(Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256","crit":[]})", claims), Keys()),
            "JWS crit extension is not understood");
  EXPECT_EQ(Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256","b64":false})", claims), Keys()),
            "JWS with an unencoded payload (b64) is not accepted");
}

// ---- Policy ----

TEST_F(JwsTest, EnforcesTheRequiredTyp) {
  JwsPolicy policy;
  policy.required_typ = "at+jwt";
  for (const char* typ : {"at+jwt", "AT+JWT", "application/at+jwt"}) {
    EXPECT_EQ(Error(MakeJws(p256_, Header("ES256").Set("typ", typ), Claims()), Keys(), policy),
              "(verified)")
        << typ;
  }
  for (const char* typ : {"JWT", "application/jwt", "at+jwt2"}) {
    EXPECT_EQ(Error(MakeJws(p256_, Header("ES256").Set("typ", typ), Claims()), Keys(), policy),
              "JWS header \"typ\" must be \"at+jwt\"")
        << typ;
  }
  EXPECT_EQ(Error(MakeJws(p256_, Header("ES256"), Claims()), Keys(), policy),
            "JWS header \"typ\" must be \"at+jwt\"");
  EXPECT_EQ(
      Error(MakeJwsText(p256_, "ES256", R"({"alg":"ES256","typ":7})", Claims().Dump()), Keys()),
      "JWS header \"typ\" must be a string");
}

TEST_F(JwsTest, RejectsAJwsLargerThanThePolicyAllows) {
  const std::string jws = MakeJws(p256_, Header("ES256"), Claims());
  JwsPolicy policy;
  policy.max_size = jws.size();
  EXPECT_EQ(Error(jws, Keys(), policy), "(verified)");
  policy.max_size = jws.size() - 1;
  EXPECT_EQ(Error(jws, Keys(), policy),
            "JWS is larger than " + std::to_string(jws.size() - 1) + " bytes");
}

}  // namespace
}  // namespace portico
