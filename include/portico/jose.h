#pragma once

// JOSE for Portico: JWK / JWK Set parsing and validation (RFC 7517, 7518,
// 8037), RFC 7638 thumbprints, JWS compact verification (RFC 7515), JWT time
// claims (RFC 7519 §4.1) and an ES256 signing key for the server's own JWTs
// (RFC 9068 access tokens).
//
// Used by OAuth Dynamic Client Registration (software statements and the
// `jwks` client metadata, RFC 7591), `private_key_jwt` client authentication
// (RFC 7523) and the access tokens published at `jwks_uri`.
//
// Every failure is InvalidArgument with a client-safe message (callers put it
// in `error_description` and choose the tag), except where a method says
// otherwise. No OpenSSL type appears here: keys are opaque handles.
//
// Thread-safety: every type here is an immutable value once built; all const
// methods and the free functions may be called from many threads at once,
// also on the same object. Copies are cheap (shared, immutable state).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portico/clock.h"
#include "portico/json.h"
#include "portico/status.h"

namespace portico {

namespace jose_internal {
struct JwkImpl;  // defined in src/core: holds the OpenSSL key
struct JwkAccess;
struct EcSigningKeyImpl;
}  // namespace jose_internal

// A PUBLIC key in JWK form. Parse() accepts:
// - kty "RSA": n, e (base64url, minimal octets); modulus 2048..8192 bits; e odd,
//   at most 64 bits. Private members (d, p, q, dp, dq, qi, oth) are rejected:
//   a client registers public keys only.
// - kty "EC": crv P-256 / P-384 / P-521, x and y of exactly the field size,
//   the point on the curve; `d` rejected.
// - kty "OKP": crv Ed25519, x of 32 bytes; `d` rejected.
// Optional members: `kid` (non-empty string), `use` ("sig" or "enc"), `alg`
// (must fit kty, crv and use), `key_ops` (non-empty array of distinct
// registered operations, consistent with `use`). Unknown members are ignored
// (RFC 7517 §4) and not carried into ToPublicJson().
class Jwk {
 public:
  // Returns the key, or InvalidArgument saying which member is wrong and why.
  static StatusOr<Jwk> Parse(const Json& jwk);

  const std::string& kty() const;  // "RSA", "EC" or "OKP"
  const std::string& crv() const;  // "P-256", "P-384", "P-521", "Ed25519"; empty for RSA
  const std::string& kid() const;  // empty when absent
  const std::string& use() const;  // "sig", "enc" or empty when absent
  const std::string& alg() const;  // empty when absent
  const std::vector<std::string>& key_ops() const;  // empty when absent

  // The key's public members plus kid/use/alg/key_ops when present, in a
  // stable order: what may be stored and published.
  Json ToPublicJson() const;

  // RFC 7638 JWK thumbprint: base64url(SHA-256(canonical required members)).
  const std::string& Thumbprint() const;

  // Whether this key may verify a JWS with `alg`: kty/crv fit the algorithm,
  // `use` is absent or "sig", `alg` is absent or equal, `key_ops` is absent or
  // holds "verify".
  bool CanVerify(std::string_view alg) const;

 private:
  friend struct jose_internal::JwkAccess;
  explicit Jwk(std::shared_ptr<const jose_internal::JwkImpl> impl);
  std::shared_ptr<const jose_internal::JwkImpl> impl_;
};

// A JWK Set: {"keys": [...]} with 1..32 keys, each valid, `kid`s distinct
// where present. Unknown top-level members are ignored.
class JwkSet {
 public:
  static constexpr size_t kMaxKeys = 32;

  // Returns the set, or InvalidArgument naming the offending key by index
  // ("keys[2]: ...").
  static StatusOr<JwkSet> Parse(const Json& jwks);

  const std::vector<Jwk>& keys() const { return keys_; }
  // The key with this kid, or nullptr.
  const Jwk* FindByKid(std::string_view kid) const;
  // {"keys": [ToPublicJson() of each]}.
  Json ToPublicJson() const;

 private:
  explicit JwkSet(std::vector<Jwk> keys) : keys_(std::move(keys)) {}
  std::vector<Jwk> keys_;
};

// What VerifyJws accepts.
struct JwsPolicy {
  // Supported: RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 EdDSA.
  // "none" and HS* are rejected even when listed here; so is anything unknown.
  std::vector<std::string> allowed_algs = {"RS256", "PS256", "ES256", "EdDSA"};
  // When non-empty, the header `typ` must equal it (case-insensitive, an
  // "application/" prefix ignored, RFC 7515 §4.1.9), e.g. "at+jwt".
  std::string required_typ;
  // Upper bound on the compact serialization, checked before any decoding.
  size_t max_size = 32 * 1024;
};

struct VerifiedJws {
  Json header;   // the protected header (a JSON object)
  Json payload;  // the payload (a JSON object)
  std::string alg;
  std::string kid;             // kid of the key that verified it; empty if it had none
  std::string key_thumbprint;  // RFC 7638 thumbprint of that key
};

// Verifies a JWS in compact serialization (exactly three base64url parts, no
// padding, no whitespace) against `keys`. The header must be a JSON object
// without duplicate members, with a supported `alg` allowed by the policy and
// no `crit`; keys embedded in the header (jwk, jku, x5c, x5u) are never used.
// With a header `kid`, only that key is tried; without, every key that
// CanVerify(alg). ECDSA signatures are raw R||S of exactly twice the field
// size (RFC 7518 §3.4). The payload must be a JSON object; it is parsed only
// after the signature verifies.
// Returns the decoded header and payload, or InvalidArgument.
StatusOr<VerifiedJws> VerifyJws(std::string_view compact, const JwkSet& keys,
                                const JwsPolicy& policy = {});

// Checks the RFC 7519 time claims of `claims` (a JSON object): `exp`, `nbf`,
// `iat`, when present, must be NumericDates (JSON numbers); rejects `exp` at
// or before now - leeway, `nbf` after now + leeway, `iat` after now + leeway,
// and a missing `exp` when require_exp. Returns OK or InvalidArgument.
Status CheckJwtTimes(const Json& claims, TimePoint now, std::chrono::seconds leeway,
                     bool require_exp);

// The server's own P-256 key for ES256 JWTs. The private key stays inside;
// PrivatePem() is the one way out, for storage.
class EcSigningKey {
 public:
  // A fresh key from OpenSSL's RNG. Internal on an OpenSSL failure.
  static StatusOr<EcSigningKey> Generate();
  // Parses an unencrypted PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY")
  // PEM holding a P-256 key. InvalidArgument when it is not one.
  static StatusOr<EcSigningKey> FromPrivatePem(std::string_view pem);

  // Unencrypted PKCS#8 PEM. A secret: store it, never log it.
  std::string PrivatePem() const;
  // RFC 7638 thumbprint of the public JWK.
  const std::string& kid() const;
  // {"kty":"EC","crv":"P-256","x":…,"y":…,"kid":…,"use":"sig","alg":"ES256"}
  Json PublicJwk() const;

  // Returns a compact JWS over `claims` (a JSON object). The header is
  // {"alg":"ES256","kid":kid()} followed by the members of `header_extra`
  // (an object or null; e.g. {"typ":"at+jwt"}). InvalidArgument when claims
  // is not an object, header_extra is neither object nor null, or
  // header_extra sets alg, kid or crit. Internal on an OpenSSL failure.
  StatusOr<std::string> SignJwt(const Json& header_extra, const Json& claims) const;

 private:
  explicit EcSigningKey(std::shared_ptr<const jose_internal::EcSigningKeyImpl> impl);
  std::shared_ptr<const jose_internal::EcSigningKeyImpl> impl_;
};

}  // namespace portico
