// JWS compact verification (RFC 7515 §5.2, RFC 7518 §3, RFC 8037 §3.1),
// following the RFC 8725 (JWT BCP) advice: the algorithm comes from an
// allow-list, never from the token alone; "none" and HMAC are refused so a
// public key can never double as a shared secret; keys embedded in the
// header are ignored.

#include <openssl/ec.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "portico/jose.h"
#include "portico/parse_json.h"
#include "src/core/jose_internal.h"

namespace portico {
namespace jose_internal {
namespace {

constexpr std::array<SigningAlg, 10> kSigningAlgs = {{
    {"RS256", AlgFamily::kRsaPkcs1, "SHA256", "", 0},
    {"RS384", AlgFamily::kRsaPkcs1, "SHA384", "", 0},
    {"RS512", AlgFamily::kRsaPkcs1, "SHA512", "", 0},
    {"PS256", AlgFamily::kRsaPss, "SHA256", "", 0},
    {"PS384", AlgFamily::kRsaPss, "SHA384", "", 0},
    {"PS512", AlgFamily::kRsaPss, "SHA512", "", 0},
    {"ES256", AlgFamily::kEcdsa, "SHA256", "P-256", 32},
    {"ES384", AlgFamily::kEcdsa, "SHA384", "P-384", 48},
    {"ES512", AlgFamily::kEcdsa, "SHA512", "P-521", 66},
    {"EdDSA", AlgFamily::kEdDsa, nullptr, "Ed25519", 0},
}};

struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

}  // namespace

const SigningAlg* FindSigningAlg(std::string_view name) {
  for (const SigningAlg& alg : kSigningAlgs) {
    if (alg.name == name) return &alg;
  }
  return nullptr;
}

std::optional<std::string> EcdsaRawToDer(std::string_view raw) {
  if (raw.empty() || raw.size() % 2 != 0) return std::nullopt;
  const size_t half = raw.size() / 2;
  BnPtr r(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(half),
                    nullptr));
  BnPtr s(BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data() + half),
                    static_cast<int>(half), nullptr));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (r == nullptr || s == nullptr || sig == nullptr) return std::nullopt;
  if (ECDSA_SIG_set0(sig.get(), r.get(), s.get()) != 1) return std::nullopt;
  r.release();  // owned by sig now
  s.release();
  const int length = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (length <= 0) return std::nullopt;
  std::string der(static_cast<size_t>(length), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != length) return std::nullopt;
  return der;
}

std::optional<std::string> EcdsaDerToRaw(std::string_view der, size_t field_bytes) {
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der.size())));
  if (sig == nullptr) {
    ClearOpenSslErrors();
    return std::nullopt;
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string raw(2 * field_bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  const int n = static_cast<int>(field_bytes);
  if (BN_bn2binpad(r, out, n) != n || BN_bn2binpad(s, out + field_bytes, n) != n) {
    return std::nullopt;
  }
  return raw;
}

}  // namespace jose_internal

namespace {

using jose_internal::AlgFamily;
using jose_internal::SigningAlg;

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// RFC 7515 §4.1.9: compare media types case-insensitively; "application/"
// may be left out.
std::string NormalizeTyp(std::string_view typ) {
  std::string out = Lower(typ);
  constexpr std::string_view kPrefix = "application/";
  if (out.size() > kPrefix.size() && out.compare(0, kPrefix.size(), kPrefix) == 0 &&
      out.find('/', kPrefix.size()) == std::string::npos) {
    out.erase(0, kPrefix.size());
  }
  return out;
}

// `signature` is already in the form OpenSSL wants (DER for ECDSA).
bool VerifySignature(const SigningAlg& alg, const Jwk& jwk, std::string_view signing_input,
                     std::string_view signature) {
  EVP_PKEY* key = jose_internal::JwkAccess::Key(jwk);
  // RFC 8017 §8.2.2: an RSA signature is exactly as long as the modulus.
  if ((alg.family == AlgFamily::kRsaPkcs1 || alg.family == AlgFamily::kRsaPss) &&
      signature.size() != static_cast<size_t>(EVP_PKEY_get_size(key))) {
    return false;
  }
  jose_internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (ctx == nullptr ||
      EVP_DigestVerifyInit_ex(ctx.get(), &pctx, alg.digest, nullptr, nullptr, key, nullptr) != 1) {
    jose_internal::ClearOpenSslErrors();
    return false;
  }
  if (alg.family == AlgFamily::kRsaPkcs1 &&
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1) {
    jose_internal::ClearOpenSslErrors();
    return false;
  }
  // RFC 7518 §3.5: MGF1 with the same hash, salt as long as the hash.
  if (alg.family == AlgFamily::kRsaPss &&
      (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1 ||
       EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, alg.digest, nullptr) != 1)) {
    jose_internal::ClearOpenSslErrors();
    return false;
  }
  const int result = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  if (result != 1) jose_internal::ClearOpenSslErrors();
  return result == 1;
}

// Header rules that do not depend on the keys. Returns the algorithm.
StatusOr<const SigningAlg*> CheckHeader(const Json& header, const JwsPolicy& policy) {
  const Json* alg_member = header.Find("alg");
  if (alg_member == nullptr || !alg_member->is_string()) {
    return InvalidArgument("JWS header must have a string \"alg\"");
  }
  const std::string& alg = alg_member->as_string();
  if (Lower(alg) == "none") return InvalidArgument("JWS alg " + Quoted(alg) + " is not accepted");
  if (alg.size() >= 2 && (alg[0] == 'H' || alg[0] == 'h') && (alg[1] == 'S' || alg[1] == 's')) {
    return InvalidArgument(
        "JWS alg " + Quoted(alg) +
        " is not accepted: HMAC algorithms are refused; sign with a private key");
  }
  const SigningAlg* info = jose_internal::FindSigningAlg(alg);
  if (info == nullptr) return InvalidArgument("JWS alg " + Quoted(alg) + " is not supported");
  if (std::find(policy.allowed_algs.begin(), policy.allowed_algs.end(), alg) ==
      policy.allowed_algs.end()) {
    return InvalidArgument("JWS alg " + Quoted(alg) + " is not allowed here");
  }
  // RFC 7515 §4.1.11: a recipient MUST reject a JWS whose crit names an
  // extension it does not understand; Portico understands none.
  if (const Json* crit = header.Find("crit")) {
    std::string first;
    if (crit->is_array() && !crit->as_array().empty() && crit->as_array()[0].is_string()) {
      first = " " + Quoted(crit->as_array()[0].as_string());
    }
    return InvalidArgument("JWS crit extension" + first + " is not understood");
  }
  // RFC 7797 unencoded payloads are not supported; never guess.
  if (const Json* b64 = header.Find("b64"); b64 != nullptr && !(b64->is_bool() && b64->as_bool())) {
    return InvalidArgument("JWS with an unencoded payload (b64) is not accepted");
  }
  if (const Json* kid = header.Find("kid"); kid != nullptr && !kid->is_string()) {
    return InvalidArgument("JWS header \"kid\" must be a string");
  }
  if (const Json* typ = header.Find("typ"); typ != nullptr && !typ->is_string()) {
    return InvalidArgument("JWS header \"typ\" must be a string");
  }
  if (!policy.required_typ.empty()) {
    const Json* typ = header.Find("typ");
    if (typ == nullptr || NormalizeTyp(typ->as_string()) != NormalizeTyp(policy.required_typ)) {
      return InvalidArgument("JWS header \"typ\" must be " + Quoted(policy.required_typ));
    }
  }
  return info;
}

}  // namespace

StatusOr<VerifiedJws> VerifyJws(std::string_view compact, const JwkSet& keys,
                                const JwsPolicy& policy) {
  if (compact.size() > policy.max_size) {
    return InvalidArgument("JWS is larger than " + std::to_string(policy.max_size) + " bytes");
  }
  const size_t dot1 = compact.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos) {
    return InvalidArgument(
        "JWS must be in compact serialization: three base64url parts "
        "separated by dots");
  }
  const std::string_view header_part = compact.substr(0, dot1);
  const std::string_view payload_part = compact.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_part = compact.substr(dot2 + 1);
  if (header_part.empty()) return InvalidArgument("JWS header is empty");
  if (payload_part.empty()) return InvalidArgument("JWS payload is empty");
  if (signature_part.empty()) return InvalidArgument("JWS signature is empty");

  const auto header_bytes = jose_internal::DecodeBase64UrlStrict(header_part);
  if (!header_bytes) return InvalidArgument("JWS header is not base64url without padding");
  StatusOr<Json> header = ParseJson(*header_bytes, {.max_depth = 8});
  if (!header.ok())
    return InvalidArgument("JWS header is not valid JSON: " + header.status().message());
  if (!header->is_object()) return InvalidArgument("JWS header must be a JSON object");
  PORTICO_ASSIGN_OR_RETURN(const SigningAlg* alg, CheckHeader(*header, policy));

  const auto payload_bytes = jose_internal::DecodeBase64UrlStrict(payload_part);
  if (!payload_bytes) return InvalidArgument("JWS payload is not base64url without padding");
  auto signature = jose_internal::DecodeBase64UrlStrict(signature_part);
  if (!signature) return InvalidArgument("JWS signature is not base64url without padding");
  if (alg->family == AlgFamily::kEcdsa) {
    // RFC 7518 §3.4: R||S, each exactly the field size; DER is not JOSE.
    if (signature->size() != 2 * alg->ec_field_bytes) {
      return InvalidArgument(std::string(alg->name) + " signature must be " +
                             std::to_string(2 * alg->ec_field_bytes) + " bytes (R||S)");
    }
    signature = jose_internal::EcdsaRawToDer(*signature);
    if (!signature) return InvalidArgument("JWS signature is invalid");
  }

  std::vector<const Jwk*> candidates;
  if (const Json* kid = header->Find("kid")) {
    const Jwk* key = keys.FindByKid(kid->as_string());
    if (key == nullptr) return InvalidArgument("no known key has kid " + Quoted(kid->as_string()));
    if (!key->CanVerify(alg->name)) {
      return InvalidArgument("the key with kid " + Quoted(kid->as_string()) + " cannot verify " +
                             std::string(alg->name));
    }
    candidates.push_back(key);
  } else {
    for (const Jwk& key : keys.keys()) {
      if (key.CanVerify(alg->name)) candidates.push_back(&key);
    }
    if (candidates.empty()) {
      return InvalidArgument("no known key can verify " + std::string(alg->name));
    }
  }

  const std::string_view signing_input = compact.substr(0, dot2);
  const Jwk* verified_by = nullptr;
  for (const Jwk* key : candidates) {
    if (VerifySignature(*alg, *key, signing_input, *signature)) {
      verified_by = key;
      break;
    }
  }
  if (verified_by == nullptr) return InvalidArgument("JWS signature is invalid");

  StatusOr<Json> payload = ParseJson(*payload_bytes);
  if (!payload.ok()) {
    return InvalidArgument("JWS payload is not valid JSON: " + payload.status().message());
  }
  if (!payload->is_object()) return InvalidArgument("JWS payload must be a JSON object");

  VerifiedJws out;
  out.header = std::move(header).value();
  out.payload = std::move(payload).value();
  out.alg = std::string(alg->name);
  out.kid = verified_by->kid();
  out.key_thumbprint = verified_by->Thumbprint();
  return out;
}

}  // namespace portico
