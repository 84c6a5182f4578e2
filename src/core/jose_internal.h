#pragma once

// Shared by the jose_*.cc files only; holds the OpenSSL side of jose.h.

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/jose.h"

namespace portico::jose_internal {

struct EvpPkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyFree>;

struct EvpPkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, EvpPkeyCtxFree>;

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

enum class AlgFamily { kRsaPkcs1, kRsaPss, kEcdsa, kEdDsa };

// One JWS signature algorithm Portico can verify (RFC 7518 §3.1, RFC 8037).
struct SigningAlg {
  std::string_view name;
  AlgFamily family;
  const char* digest;     // OpenSSL digest name; nullptr for EdDSA (no pre-hash)
  std::string_view crv;   // the one curve for ECDSA/EdDSA; empty for RSA
  size_t ec_field_bytes;  // ECDSA: size of R and of S
};

// The algorithm named `name`, or nullptr when Portico does not verify it.
const SigningAlg* FindSigningAlg(std::string_view name);

// A parsed public key. Immutable once built; EVP_PKEY is safe to share
// between threads for read-only operations such as verification.
struct JwkImpl {
  std::string kty;
  std::string crv;
  std::string kid;
  std::string use;
  std::string alg;
  std::vector<std::string> key_ops;
  Json public_members;  // kty, crv and the key material, as received (already canonical)
  std::string thumbprint;
  EvpPkeyPtr key;
};

struct JwkAccess {
  // The OpenSSL handle of a parsed key (never null).
  static EVP_PKEY* Key(const Jwk& jwk);
};

// base64url without padding, strict (RFC 7515 §2): nullopt on '=', any
// character outside the URL alphabet, or non-zero unused bits.
std::optional<std::string> DecodeBase64UrlStrict(std::string_view text);

// RFC 7638: base64url(SHA-256(members.Dump())); `members` must already hold
// the required members in lexicographic order.
std::string ThumbprintOf(const Json& members);

// ECDSA signatures: JOSE's fixed-size R||S (RFC 7518 §3.4) to and from the
// DER ECDSA-Sig-Value that OpenSSL speaks. nullopt when malformed.
std::optional<std::string> EcdsaRawToDer(std::string_view raw);
std::optional<std::string> EcdsaDerToRaw(std::string_view der, size_t field_bytes);

// Forgets OpenSSL's per-thread error queue after a failure we have handled,
// so that it does not leak into unrelated later calls on this thread.
void ClearOpenSslErrors();

}  // namespace portico::jose_internal
