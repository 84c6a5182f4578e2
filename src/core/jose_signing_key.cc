// The server's ES256 signing key (RFC 7518 §3.4) for its own JWTs, e.g.
// RFC 9068 access tokens published through `jwks_uri`.

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>

#include <string>
#include <utility>

#include "portico/crypto.h"
#include "portico/jose.h"
#include "src/core/jose_internal.h"

namespace portico {
namespace jose_internal {

struct EcSigningKeyImpl {
  EvpPkeyPtr key;
  std::string x;  // base64url public coordinates, 32 bytes each
  std::string y;
  std::string kid;  // RFC 7638 thumbprint
};

}  // namespace jose_internal

namespace {

using jose_internal::EcSigningKeyImpl;
using jose_internal::EvpPkeyCtxPtr;
using jose_internal::EvpPkeyPtr;

constexpr size_t kP256Bytes = 32;

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// Never prompt on a terminal for a passphrase: an encrypted PEM just fails.
int NoPassphrase(char*, int, int, void*) { return 0; }

std::optional<std::string> Coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) return std::nullopt;
  jose_internal::BnPtr owned(bn);
  std::string bytes(kP256Bytes, '\0');
  if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(bytes.data()),
                   static_cast<int>(kP256Bytes)) != static_cast<int>(kP256Bytes)) {
    return std::nullopt;
  }
  return Base64UrlEncode(bytes);
}

// Wraps a P-256 private key, deriving the public JWK members and the kid.
StatusOr<std::shared_ptr<const EcSigningKeyImpl>> Wrap(EvpPkeyPtr key) {
  auto impl = std::make_shared<EcSigningKeyImpl>();
  const auto x = Coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_X);
  const auto y = Coordinate(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y);
  if (!x || !y) {
    jose_internal::ClearOpenSslErrors();
    return Internal("could not read the EC public key");
  }
  impl->x = *x;
  impl->y = *y;
  Json canonical = Json::MakeObject();  // RFC 7638 §3.2: crv, kty, x, y
  canonical.Set("crv", "P-256").Set("kty", "EC").Set("x", impl->x).Set("y", impl->y);
  impl->kid = jose_internal::ThumbprintOf(canonical);
  impl->key = std::move(key);
  return std::shared_ptr<const EcSigningKeyImpl>(std::move(impl));
}

}  // namespace

EcSigningKey::EcSigningKey(std::shared_ptr<const EcSigningKeyImpl> impl) : impl_(std::move(impl)) {}

StatusOr<EcSigningKey> EcSigningKey::Generate() {
  EvpPkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) {
    jose_internal::ClearOpenSslErrors();
    return Internal("could not generate an EC key");
  }
  PORTICO_ASSIGN_OR_RETURN(auto impl, Wrap(std::move(key)));
  return EcSigningKey(std::move(impl));
}

StatusOr<EcSigningKey> EcSigningKey::FromPrivatePem(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return Internal("could not read the PEM");
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (key == nullptr) {
    jose_internal::ClearOpenSslErrors();
    return InvalidArgument("not an unencrypted PEM private key");
  }
  char group[32] = {0};
  size_t group_length = 0;
  if (!EVP_PKEY_is_a(key.get(), "EC") ||
      EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                     &group_length) != 1 ||
      std::string_view(group, group_length) != "prime256v1") {
    jose_internal::ClearOpenSslErrors();
    return InvalidArgument("the PEM key is not an EC P-256 key");
  }
  // The private scalar must match the public point stored beside it.
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_check(check.get()) != 1) {
    jose_internal::ClearOpenSslErrors();
    return InvalidArgument("the PEM key is not a consistent EC key pair");
  }
  PORTICO_ASSIGN_OR_RETURN(auto impl, Wrap(std::move(key)));
  return EcSigningKey(std::move(impl));
}

std::string EcSigningKey::PrivatePem() const {
  // Secure-heap memory BIO where available, so the PEM copy inside OpenSSL is
  // wiped when freed.
  BioPtr bio(BIO_new(BIO_s_secmem()));
  if (bio == nullptr || PEM_write_bio_PrivateKey(bio.get(), impl_->key.get(), nullptr, nullptr, 0,
                                                 nullptr, nullptr) != 1) {
    jose_internal::ClearOpenSslErrors();
    return std::string();  // only on allocation failure
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(length));
}

const std::string& EcSigningKey::kid() const { return impl_->kid; }

Json EcSigningKey::PublicJwk() const {
  Json jwk = Json::MakeObject();
  jwk.Set("kty", "EC")
      .Set("crv", "P-256")
      .Set("x", impl_->x)
      .Set("y", impl_->y)
      .Set("kid", impl_->kid)
      .Set("use", "sig")
      .Set("alg", "ES256");
  return jwk;
}

StatusOr<std::string> EcSigningKey::SignJwt(const Json& header_extra, const Json& claims) const {
  if (!claims.is_object()) return InvalidArgument("JWT claims must be a JSON object");
  if (!header_extra.is_object() && !header_extra.is_null()) {
    return InvalidArgument("JWT header members must be a JSON object");
  }
  Json header = Json::MakeObject();
  header.Set("alg", "ES256").Set("kid", impl_->kid);
  if (header_extra.is_object()) {
    for (const auto& [name, value] : header_extra.as_object()) {
      if (name == "alg" || name == "kid" || name == "crit") {
        return InvalidArgument("JWT header member \"" + name + "\" is set by the signing key");
      }
      header.Set(name, value);
    }
  }
  std::string compact = Base64UrlEncode(header.Dump());
  compact.push_back('.');
  compact += Base64UrlEncode(claims.Dump());

  // One call with a buffer of the maximum DER size (EVP_PKEY_get_size).
  jose_internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  std::string der(static_cast<size_t>(EVP_PKEY_get_size(impl_->key.get())), '\0');
  size_t der_length = der.size();
  if (ctx == nullptr ||
      EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, impl_->key.get(),
                            nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(der.data()), &der_length,
                     reinterpret_cast<const unsigned char*>(compact.data()), compact.size()) != 1) {
    jose_internal::ClearOpenSslErrors();
    return Internal("could not sign the JWT");
  }
  der.resize(der_length);
  const auto raw = jose_internal::EcdsaDerToRaw(der, kP256Bytes);
  if (!raw) return Internal("could not encode the ES256 signature");
  compact.push_back('.');
  compact += Base64UrlEncode(*raw);
  return compact;
}

}  // namespace portico
