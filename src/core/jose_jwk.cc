// JWK and JWK Set parsing (RFC 7517, RFC 7518 §6, RFC 8037 §2) and RFC 7638
// thumbprints. Keys become OpenSSL EVP_PKEYs once, at parse time, so that
// verification never re-validates key material.

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/param_build.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "portico/crypto.h"
#include "portico/jose.h"
#include "src/core/jose_internal.h"

namespace portico {

using jose_internal::BnPtr;
using jose_internal::EvpPkeyCtxPtr;
using jose_internal::EvpPkeyPtr;
using jose_internal::JwkImpl;

namespace {

enum class Purpose { kNone, kSignature, kEncryption };

// Members that only a private key has (RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2).
constexpr std::array<std::string_view, 7> kRsaPrivateMembers = {"d",  "p",  "q",  "dp",
                                                                "dq", "qi", "oth"};

constexpr std::array<std::string_view, 2> kSignatureOps = {"sign", "verify"};
constexpr std::array<std::string_view, 6> kEncryptionOps = {"encrypt",   "decrypt",   "wrapKey",
                                                            "unwrapKey", "deriveKey", "deriveBits"};

// RFC 7518 §4.1 key management algorithms, by the key type that can use them.
constexpr std::array<std::string_view, 5> kRsaEncryptionAlgs = {
    "RSA1_5", "RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"};
constexpr std::array<std::string_view, 4> kEcEncryptionAlgs = {"ECDH-ES", "ECDH-ES+A128KW",
                                                               "ECDH-ES+A192KW", "ECDH-ES+A256KW"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

struct Curve {
  std::string_view jose_name;
  const char* openssl_name;
  size_t field_bytes;
};

constexpr std::array<Curve, 3> kEcCurves = {{
    {"P-256", "prime256v1", 32},
    {"P-384", "secp384r1", 48},
    {"P-521", "secp521r1", 66},
}};

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

Status MemberError(std::string_view member, std::string_view problem) {
  return InvalidArgument("JWK member " + Quoted(member) + " " + std::string(problem));
}

// An optional string member: nullptr when absent, an error when not a string.
StatusOr<const std::string*> OptionalString(const Json& jwk, std::string_view member) {
  const Json* value = jwk.Find(member);
  if (value == nullptr) return static_cast<const std::string*>(nullptr);
  if (!value->is_string()) return MemberError(member, "must be a string");
  return &value->as_string();
}

StatusOr<std::string> RequiredString(const Json& jwk, std::string_view member) {
  PORTICO_ASSIGN_OR_RETURN(const std::string* value, OptionalString(jwk, member));
  if (value == nullptr) return MemberError(member, "is required");
  return *value;
}

// A base64url member: present, unpadded, strict; the decoded bytes.
StatusOr<std::string> RequiredBytes(const Json& jwk, std::string_view member) {
  PORTICO_ASSIGN_OR_RETURN(std::string text, RequiredString(jwk, member));
  auto bytes = jose_internal::DecodeBase64UrlStrict(text);
  if (!bytes) return MemberError(member, "must be base64url without padding");
  if (bytes->empty()) return MemberError(member, "must not be empty");
  return std::move(*bytes);
}

// RFC 7518 §2 Base64urlUInt: "MUST utilize the minimum number of octets", so
// every value has exactly one encoding and the RFC 7638 thumbprint is stable.
StatusOr<std::string> RequiredUInt(const Json& jwk, std::string_view member) {
  StatusOr<std::string> bytes = RequiredBytes(jwk, member);
  if (bytes.ok() && bytes->size() > 1 && bytes->front() == '\0') {
    return MemberError(member, "must use the minimum number of octets (no leading zero)");
  }
  return bytes;
}

Status RejectPrivateMember(const Json& jwk, std::string_view member) {
  if (jwk.Find(member) != nullptr) {
    return InvalidArgument("JWK must be a public key: private member " + Quoted(member) +
                           " is not accepted");
  }
  return Status::Ok();
}

BnPtr BnFromBytes(std::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

Status KeyBuildFailure() {
  jose_internal::ClearOpenSslErrors();
  return Internal("could not load the key");
}

// Builds a public EVP_PKEY of `type` from OSSL params.
EvpPkeyPtr PublicKeyFromParams(const char* type, OSSL_PARAM* params) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    EVP_PKEY_free(key);
    jose_internal::ClearOpenSslErrors();
    return nullptr;
  }
  return EvpPkeyPtr(key);
}

Status ParseRsa(const Json& jwk, JwkImpl& impl) {
  for (const std::string_view member : kRsaPrivateMembers) {
    PORTICO_RETURN_IF_ERROR(RejectPrivateMember(jwk, member));
  }
  PORTICO_ASSIGN_OR_RETURN(const std::string n_bytes, RequiredUInt(jwk, "n"));
  PORTICO_ASSIGN_OR_RETURN(const std::string e_bytes, RequiredUInt(jwk, "e"));
  const BnPtr n = BnFromBytes(n_bytes);
  const BnPtr e = BnFromBytes(e_bytes);
  if (n == nullptr || e == nullptr) return KeyBuildFailure();
  const int bits = BN_num_bits(n.get());
  // NIST SP 800-131A: below 2048 bits is disallowed. The upper bound keeps a
  // hostile key from making each verification expensive.
  if (bits < 2048) {
    return InvalidArgument("RSA modulus must be at least 2048 bits (this one has " +
                           std::to_string(bits) + ")");
  }
  if (bits > 8192) return InvalidArgument("RSA modulus must be at most 8192 bits");
  if (!BN_is_odd(n.get())) return InvalidArgument("RSA modulus must be odd");
  // An even or tiny exponent is no RSA key; OpenSSL refuses exponents over 64
  // bits for large moduli anyway.
  if (e_bytes.size() > 8 || !BN_is_odd(e.get()) || BN_is_one(e.get())) {
    return InvalidArgument("RSA exponent \"e\" must be odd, at least 3 and at most 64 bits");
  }

  OSSL_PARAM_BLD* builder = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  if (builder != nullptr && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, n.get()) == 1 &&
      OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, e.get()) == 1) {
    params = OSSL_PARAM_BLD_to_param(builder);
  }
  OSSL_PARAM_BLD_free(builder);
  if (params == nullptr) return KeyBuildFailure();
  impl.key = PublicKeyFromParams("RSA", params);
  OSSL_PARAM_free(params);
  if (impl.key == nullptr) return InvalidArgument("RSA key is not valid");

  impl.public_members = Json::MakeObject();
  impl.public_members.Set("kty", "RSA")
      .Set("n", jwk.Find("n")->as_string())
      .Set("e", jwk.Find("e")->as_string());
  Json canonical = Json::MakeObject();  // RFC 7638 §3.2: e, kty, n
  canonical.Set("e", jwk.Find("e")->as_string())
      .Set("kty", "RSA")
      .Set("n", jwk.Find("n")->as_string());
  impl.thumbprint = jose_internal::ThumbprintOf(canonical);
  return Status::Ok();
}

Status ParseEc(const Json& jwk, JwkImpl& impl) {
  PORTICO_RETURN_IF_ERROR(RejectPrivateMember(jwk, "d"));
  PORTICO_ASSIGN_OR_RETURN(impl.crv, RequiredString(jwk, "crv"));
  const Curve* curve = nullptr;
  for (const Curve& c : kEcCurves) {
    if (c.jose_name == impl.crv) curve = &c;
  }
  if (curve == nullptr) {
    return InvalidArgument("EC curve " + Quoted(impl.crv) +
                           " is not supported (use P-256, P-384 or P-521)");
  }
  PORTICO_ASSIGN_OR_RETURN(const std::string x, RequiredBytes(jwk, "x"));
  PORTICO_ASSIGN_OR_RETURN(const std::string y, RequiredBytes(jwk, "y"));
  // RFC 7518 §6.2.1.2: x and y are the full field size, leading zeros kept.
  const std::string size_rule =
      "must be " + std::to_string(curve->field_bytes) + " bytes for " + impl.crv;
  if (x.size() != curve->field_bytes) return MemberError("x", size_rule);
  if (y.size() != curve->field_bytes) return MemberError("y", size_rule);

  std::string point = "\x04" + x + y;  // SEC 1 uncompressed point
  char group[16];
  std::snprintf(group, sizeof group, "%s", curve->openssl_name);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, group, 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()),
      OSSL_PARAM_construct_end()};
  impl.key = PublicKeyFromParams("EC", params);
  // Loading already refuses most bad points; the public check makes "on the
  // curve, in range, not the identity" explicit (invalid-curve attacks).
  bool valid = impl.key != nullptr;
  if (valid) {
    EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, impl.key.get(), nullptr));
    valid = check != nullptr && EVP_PKEY_public_check(check.get()) == 1;
    jose_internal::ClearOpenSslErrors();
  }
  if (!valid) return InvalidArgument("EC point (x, y) is not on curve " + impl.crv);

  impl.public_members = Json::MakeObject();
  impl.public_members.Set("kty", "EC")
      .Set("crv", impl.crv)
      .Set("x", jwk.Find("x")->as_string())
      .Set("y", jwk.Find("y")->as_string());
  Json canonical = Json::MakeObject();  // RFC 7638 §3.2: crv, kty, x, y
  canonical.Set("crv", impl.crv)
      .Set("kty", "EC")
      .Set("x", jwk.Find("x")->as_string())
      .Set("y", jwk.Find("y")->as_string());
  impl.thumbprint = jose_internal::ThumbprintOf(canonical);
  return Status::Ok();
}

Status ParseOkp(const Json& jwk, JwkImpl& impl) {
  PORTICO_RETURN_IF_ERROR(RejectPrivateMember(jwk, "d"));
  PORTICO_ASSIGN_OR_RETURN(impl.crv, RequiredString(jwk, "crv"));
  if (impl.crv != "Ed25519") {
    return InvalidArgument("OKP curve " + Quoted(impl.crv) + " is not supported (use Ed25519)");
  }
  PORTICO_ASSIGN_OR_RETURN(const std::string x, RequiredBytes(jwk, "x"));
  if (x.size() != 32) return MemberError("x", "must be 32 bytes for Ed25519");
  impl.key.reset(EVP_PKEY_new_raw_public_key_ex(
      nullptr, "ED25519", nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size()));
  if (impl.key == nullptr) return KeyBuildFailure();

  impl.public_members = Json::MakeObject();
  impl.public_members.Set("kty", "OKP").Set("crv", impl.crv).Set("x", jwk.Find("x")->as_string());
  Json canonical = Json::MakeObject();  // RFC 8037 §2: crv, kty, x
  canonical.Set("crv", impl.crv).Set("kty", "OKP").Set("x", jwk.Find("x")->as_string());
  impl.thumbprint = jose_internal::ThumbprintOf(canonical);
  return Status::Ok();
}

// What `alg` says the key is for, or an error when it does not fit the key.
StatusOr<Purpose> AlgPurpose(const JwkImpl& impl) {
  const std::string mismatch = "JWK alg " + Quoted(impl.alg) + " does not fit kty " + impl.kty +
                               (impl.crv.empty() ? "" : " with crv " + impl.crv);
  if (const auto* alg = jose_internal::FindSigningAlg(impl.alg)) {
    const bool fits = (impl.kty == "RSA" && (alg->family == jose_internal::AlgFamily::kRsaPkcs1 ||
                                             alg->family == jose_internal::AlgFamily::kRsaPss)) ||
                      (impl.kty != "RSA" && alg->crv == impl.crv);
    if (!fits) return InvalidArgument(mismatch);
    return Purpose::kSignature;
  }
  if ((impl.kty == "RSA" && Contains(kRsaEncryptionAlgs, impl.alg)) ||
      (impl.kty == "EC" && Contains(kEcEncryptionAlgs, impl.alg))) {
    return Purpose::kEncryption;
  }
  return InvalidArgument(mismatch);
}

std::string_view PurposeName(Purpose p) { return p == Purpose::kSignature ? "sig" : "enc"; }

// `use`, `alg` and `key_ops` must agree on what the key is for (RFC 7517
// §4.3: "use" and "key_ops" SHOULD NOT both appear, and MUST be consistent
// when they do).
Status ParseUsage(const Json& jwk, JwkImpl& impl) {
  Purpose use = Purpose::kNone;
  PORTICO_ASSIGN_OR_RETURN(const std::string* use_text, OptionalString(jwk, "use"));
  if (use_text != nullptr) {
    impl.use = *use_text;
    if (impl.use == "sig") {
      use = Purpose::kSignature;
    } else if (impl.use == "enc") {
      use = Purpose::kEncryption;
    } else {
      return MemberError("use", "must be \"sig\" or \"enc\"");
    }
  }

  Purpose ops = Purpose::kNone;
  if (const Json* key_ops = jwk.Find("key_ops")) {
    if (!key_ops->is_array() || key_ops->as_array().empty()) {
      return MemberError("key_ops", "must be a non-empty array of strings");
    }
    for (const Json& op : key_ops->as_array()) {
      if (!op.is_string()) return MemberError("key_ops", "must be a non-empty array of strings");
      const std::string& name = op.as_string();
      Purpose p = Purpose::kNone;
      if (Contains(kSignatureOps, name)) {
        p = Purpose::kSignature;
      } else if (Contains(kEncryptionOps, name)) {
        p = Purpose::kEncryption;
      } else {
        return MemberError("key_ops", "holds unknown operation " + Quoted(name));
      }
      if (std::find(impl.key_ops.begin(), impl.key_ops.end(), name) != impl.key_ops.end()) {
        return MemberError("key_ops", "holds " + Quoted(name) + " twice");
      }
      if (ops != Purpose::kNone && ops != p) {
        return MemberError("key_ops", "mixes signature and encryption operations");
      }
      ops = p;
      impl.key_ops.push_back(name);
    }
  }

  Purpose alg = Purpose::kNone;
  PORTICO_ASSIGN_OR_RETURN(const std::string* alg_text, OptionalString(jwk, "alg"));
  if (alg_text != nullptr) {
    impl.alg = *alg_text;
    PORTICO_ASSIGN_OR_RETURN(alg, AlgPurpose(impl));
  }

  if (use != Purpose::kNone && alg != Purpose::kNone && use != alg) {
    return InvalidArgument("JWK alg " + Quoted(impl.alg) + " does not fit use " + Quoted(impl.use));
  }
  if (ops != Purpose::kNone && use != Purpose::kNone && ops != use) {
    return InvalidArgument("JWK key_ops do not fit use " + Quoted(impl.use));
  }
  if (ops != Purpose::kNone && alg != Purpose::kNone && ops != alg) {
    return InvalidArgument("JWK key_ops do not fit alg " + Quoted(impl.alg));
  }
  const Purpose any = use != Purpose::kNone ? use : (alg != Purpose::kNone ? alg : ops);
  if (impl.kty == "OKP" && any == Purpose::kEncryption) {
    return InvalidArgument("Ed25519 keys can only sign, not be used for " +
                           std::string(PurposeName(any)));
  }
  return Status::Ok();
}

}  // namespace

namespace jose_internal {

EVP_PKEY* JwkAccess::Key(const Jwk& jwk) { return jwk.impl_->key.get(); }

std::optional<std::string> DecodeBase64UrlStrict(std::string_view text) {
  if (text.find('=') != std::string_view::npos) return std::nullopt;
  return Base64UrlDecode(text);
}

std::string ThumbprintOf(const Json& members) { return Base64UrlEncode(Sha256(members.Dump())); }

void ClearOpenSslErrors() { ERR_clear_error(); }

}  // namespace jose_internal

Jwk::Jwk(std::shared_ptr<const JwkImpl> impl) : impl_(std::move(impl)) {}

StatusOr<Jwk> Jwk::Parse(const Json& jwk) {
  if (!jwk.is_object()) return InvalidArgument("a JWK must be a JSON object");
  auto impl = std::make_shared<JwkImpl>();
  PORTICO_ASSIGN_OR_RETURN(impl->kty, RequiredString(jwk, "kty"));
  if (impl->kty == "RSA") {
    PORTICO_RETURN_IF_ERROR(ParseRsa(jwk, *impl));
  } else if (impl->kty == "EC") {
    PORTICO_RETURN_IF_ERROR(ParseEc(jwk, *impl));
  } else if (impl->kty == "OKP") {
    PORTICO_RETURN_IF_ERROR(ParseOkp(jwk, *impl));
  } else if (impl->kty == "oct") {
    return InvalidArgument("symmetric JWKs (kty \"oct\") are not accepted; register a public key");
  } else {
    return InvalidArgument("JWK kty " + Quoted(impl->kty) +
                           " is not supported (use RSA, EC or OKP)");
  }
  PORTICO_ASSIGN_OR_RETURN(const std::string* kid, OptionalString(jwk, "kid"));
  if (kid != nullptr) {
    if (kid->empty()) return MemberError("kid", "must not be empty");
    impl->kid = *kid;
  }
  PORTICO_RETURN_IF_ERROR(ParseUsage(jwk, *impl));
  return Jwk(std::move(impl));
}

const std::string& Jwk::kty() const { return impl_->kty; }
const std::string& Jwk::crv() const { return impl_->crv; }
const std::string& Jwk::kid() const { return impl_->kid; }
const std::string& Jwk::use() const { return impl_->use; }
const std::string& Jwk::alg() const { return impl_->alg; }
const std::vector<std::string>& Jwk::key_ops() const { return impl_->key_ops; }
const std::string& Jwk::Thumbprint() const { return impl_->thumbprint; }

Json Jwk::ToPublicJson() const {
  Json out = impl_->public_members;
  if (!impl_->kid.empty()) out.Set("kid", impl_->kid);
  if (!impl_->use.empty()) out.Set("use", impl_->use);
  if (!impl_->alg.empty()) out.Set("alg", impl_->alg);
  if (!impl_->key_ops.empty()) {
    Json ops = Json::MakeArray();
    for (const std::string& op : impl_->key_ops) ops.Push(op);
    out.Set("key_ops", std::move(ops));
  }
  return out;
}

bool Jwk::CanVerify(std::string_view alg) const {
  const jose_internal::SigningAlg* info = jose_internal::FindSigningAlg(alg);
  if (info == nullptr) return false;
  const bool rsa_alg = info->family == jose_internal::AlgFamily::kRsaPkcs1 ||
                       info->family == jose_internal::AlgFamily::kRsaPss;
  if (rsa_alg ? impl_->kty != "RSA" : (impl_->kty == "RSA" || impl_->crv != info->crv)) {
    return false;
  }
  if (impl_->use == "enc") return false;
  if (!impl_->alg.empty() && impl_->alg != alg) return false;
  if (!impl_->key_ops.empty() &&
      std::find(impl_->key_ops.begin(), impl_->key_ops.end(), "verify") == impl_->key_ops.end()) {
    return false;
  }
  return true;
}

StatusOr<JwkSet> JwkSet::Parse(const Json& jwks) {
  if (!jwks.is_object()) return InvalidArgument("a JWK Set must be a JSON object");
  const Json* keys = jwks.Find("keys");
  if (keys == nullptr || !keys->is_array()) {
    return InvalidArgument("a JWK Set must have a \"keys\" array");
  }
  const Json::Array& list = keys->as_array();
  if (list.empty()) return InvalidArgument("a JWK Set must hold at least one key");
  if (list.size() > kMaxKeys) {
    return InvalidArgument("a JWK Set may hold at most " + std::to_string(kMaxKeys) +
                           " keys (this one has " + std::to_string(list.size()) + ")");
  }
  std::vector<Jwk> parsed;
  parsed.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string where = "keys[" + std::to_string(i) + "]: ";
    StatusOr<Jwk> jwk = Jwk::Parse(list[i]);
    if (!jwk.ok()) return InvalidArgument(where + jwk.status().message());
    if (!jwk->kid().empty()) {
      for (size_t j = 0; j < parsed.size(); ++j) {
        if (parsed[j].kid() == jwk->kid()) {
          return InvalidArgument(where + "kid " + Quoted(jwk->kid()) + " is already used by keys[" +
                                 std::to_string(j) + "]");
        }
      }
    }
    parsed.push_back(std::move(jwk).value());
  }
  return JwkSet(std::move(parsed));
}

const Jwk* JwkSet::FindByKid(std::string_view kid) const {
  if (kid.empty()) return nullptr;
  for (const Jwk& key : keys_) {
    if (key.kid() == kid) return &key;
  }
  return nullptr;
}

Json JwkSet::ToPublicJson() const {
  Json list = Json::MakeArray();
  for (const Jwk& key : keys_) list.Push(key.ToPublicJson());
  Json out = Json::MakeObject();
  out.Set("keys", std::move(list));
  return out;
}

}  // namespace portico
