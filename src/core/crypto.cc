#include "portico/crypto.h"

// For SHA256_Init/Update/Final in HmacSha256Key (see there) and Sha256;
// nothing else here uses a deprecated OpenSSL interface.
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace portico {
namespace {

constexpr char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

[[noreturn]] void CryptoFailure(const char* what) {
  // These calls fail only on allocation failure or a broken OpenSSL install.
  std::fprintf(stderr, "portico: %s failed; aborting\n", what);
  std::abort();
}

std::string Encode(std::string_view bytes, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto at = [&](size_t k) { return static_cast<uint32_t>(static_cast<uint8_t>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t v = at(i) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out += "==";
  } else if (rest == 2) {
    const uint32_t v = (at(i) << 16) | (at(i + 1) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

std::array<int8_t, 256> ReverseTable(const char* alphabet) {
  std::array<int8_t, 256> table;
  table.fill(-1);
  for (int i = 0; i < 64; ++i) table[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  return table;
}

// Strict: only alphabet characters, padding only at the end and only as much
// as the length needs, and unused low bits zero, so each value has exactly
// one accepted encoding.
std::optional<std::string> Decode(std::string_view text, const std::array<int8_t, 256>& table) {
  if (!text.empty() && text.back() == '=') {
    if (text.size() % 4 != 0) return std::nullopt;
    size_t pads = 1;
    if (text.size() >= 2 && text[text.size() - 2] == '=') pads = 2;
    text.remove_suffix(pads);
  }
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const int8_t v = table[static_cast<uint8_t>(c)];
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

}  // namespace

std::string HmacSha256(std::string_view key, std::string_view data) {
  // The same RFC 2104 computation as HmacSha256Key: OpenSSL 3's one-shot
  // HMAC() fetches the digest and builds an EVP_MAC context on every call,
  // about 20k instructions, four times the hashing itself (signup hashes an
  // OTP, an idempotency key and two derived keys per flow this way).
  return HmacSha256Key(key).Sign(data);
}

// HMAC-SHA256 (RFC 2104) from the SHA-256 states after the key blocks
// (key ^ ipad, key ^ opad), absorbed once: a call copies two plain structs and
// hashes only the message and the inner digest. OpenSSL 3 deprecates this
// low-level SHA-256 API, but its EVP replacements cannot copy a state without
// allocating: duplicating a keyed EVP_MAC_CTX per call (allocations, provider
// reference counts) made a key lookup five times slower on this path, which
// every authenticated request takes.
struct HmacSha256Key::Prepared {
  SHA256_CTX inner;
  SHA256_CTX outer;
};

HmacSha256Key::HmacSha256Key(std::string_view key) : prepared_(std::make_unique<Prepared>()) {
  constexpr size_t kBlock = SHA256_CBLOCK;
  unsigned char block[kBlock] = {};
  if (key.size() > kBlock) {
    const std::string digest = Sha256(key);  // RFC 2104: a longer key is hashed first
    std::memcpy(block, digest.data(), digest.size());
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  unsigned char pad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x36;
  if (SHA256_Init(&prepared_->inner) != 1 || SHA256_Update(&prepared_->inner, pad, kBlock) != 1) {
    CryptoFailure("HMAC init");
  }
  for (size_t i = 0; i < kBlock; ++i) pad[i] = block[i] ^ 0x5c;
  if (SHA256_Init(&prepared_->outer) != 1 || SHA256_Update(&prepared_->outer, pad, kBlock) != 1) {
    CryptoFailure("HMAC init");
  }
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacSha256Key::~HmacSha256Key() {
  if (prepared_) OPENSSL_cleanse(prepared_.get(), sizeof(Prepared));
}

std::string HmacSha256Key::Sign(std::string_view data) const {
  unsigned char inner_digest[SHA256_DIGEST_LENGTH];
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256_CTX ctx = prepared_->inner;
  bool ok =
      SHA256_Update(&ctx, data.data(), data.size()) == 1 && SHA256_Final(inner_digest, &ctx) == 1;
  ctx = prepared_->outer;
  ok = ok && SHA256_Update(&ctx, inner_digest, sizeof inner_digest) == 1 &&
       SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx) == 1;
  OPENSSL_cleanse(&ctx, sizeof ctx);
  if (!ok) CryptoFailure("HMAC-SHA256");
  return out;
}

std::string Sha256(std::string_view data) {
  // The low-level interface: EVP_Digest (and OpenSSL 3's SHA256(), built on
  // it) fetches the algorithm from the provider on every call, which cost
  // more than hashing a short input (session refs, request fingerprints).
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256_CTX ctx;
  if (SHA256_Init(&ctx) != 1 || SHA256_Update(&ctx, data.data(), data.size()) != 1 ||
      SHA256_Final(reinterpret_cast<unsigned char*>(out.data()), &ctx) != 1) {
    CryptoFailure("SHA-256");
  }
  return out;
}

std::string Sha1(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha1(), nullptr) != 1) {
    CryptoFailure("SHA-1");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  char* p = out.data();
  for (const char ch : bytes) {
    const auto c = static_cast<uint8_t>(ch);
    *p++ = kHex[c >> 4];
    *p++ = kHex[c & 0xf];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) { return Encode(bytes, kStdAlphabet, true); }
std::string Base64UrlEncode(std::string_view bytes) { return Encode(bytes, kUrlAlphabet, false); }

std::optional<std::string> Base64Decode(std::string_view text) {
  static const auto table = ReverseTable(kStdAlphabet);
  return Decode(text, table);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  static const auto table = ReverseTable(kUrlAlphabet);
  return Decode(text, table);
}

namespace {

constexpr size_t kGcmNonceSize = 12;
constexpr size_t kGcmTagSize = 16;
constexpr std::string_view kSealedVersion = "v1.";

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string SealAesGcm(std::string_view key, std::string_view plaintext,
                       std::string_view associated_data) {
  if (key.size() != kAesGcmKeySize) CryptoFailure("AES-256-GCM seal (key is not 32 bytes)");
  unsigned char nonce[kGcmNonceSize];
  if (RAND_bytes(nonce, sizeof nonce) != 1) CryptoFailure("RAND_bytes");
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) CryptoFailure("EVP_CIPHER_CTX_new");
  // Ciphertext (same length as the plaintext in GCM) followed by the tag.
  std::string out(plaintext.size() + kGcmTagSize, '\0');
  auto* out_bytes = reinterpret_cast<unsigned char*>(out.data());
  int length = 0;
  bool ok = EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), nonce) == 1;
  ok = ok && (associated_data.empty() ||
              EVP_EncryptUpdate(ctx.get(), nullptr, &length, Bytes(associated_data),
                                static_cast<int>(associated_data.size())) == 1);
  int written = 0;
  ok = ok &&
       (plaintext.empty() || EVP_EncryptUpdate(ctx.get(), out_bytes, &written, Bytes(plaintext),
                                               static_cast<int>(plaintext.size())) == 1);
  ok = ok && EVP_EncryptFinal_ex(ctx.get(), out_bytes + written, &length) == 1;
  ok = ok && static_cast<size_t>(written + length) == plaintext.size();
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagSize,
                                 out_bytes + plaintext.size()) == 1;
  if (!ok) CryptoFailure("AES-256-GCM seal");
  std::string sealed(kSealedVersion);
  sealed += Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(nonce), sizeof nonce));
  sealed.push_back('.');
  sealed += Base64UrlEncode(out);
  OPENSSL_cleanse(out.data(), out.size());
  return sealed;
}

std::optional<std::string> OpenAesGcm(std::string_view key, std::string_view sealed,
                                      std::string_view associated_data) {
  if (key.size() != kAesGcmKeySize) return std::nullopt;
  if (sealed.substr(0, kSealedVersion.size()) != kSealedVersion) return std::nullopt;
  sealed.remove_prefix(kSealedVersion.size());
  const size_t dot = sealed.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::optional<std::string> nonce = Base64UrlDecode(sealed.substr(0, dot));
  const std::optional<std::string> body = Base64UrlDecode(sealed.substr(dot + 1));
  if (!nonce || nonce->size() != kGcmNonceSize || !body || body->size() < kGcmTagSize) {
    return std::nullopt;
  }
  const size_t text_size = body->size() - kGcmTagSize;
  std::string tag = body->substr(text_size);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) CryptoFailure("EVP_CIPHER_CTX_new");
  std::string plaintext(text_size, '\0');
  auto* plain_bytes = reinterpret_cast<unsigned char*>(plaintext.data());
  int length = 0;
  int written = 0;
  bool ok =
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key), Bytes(*nonce)) == 1;
  ok = ok && (associated_data.empty() ||
              EVP_DecryptUpdate(ctx.get(), nullptr, &length, Bytes(associated_data),
                                static_cast<int>(associated_data.size())) == 1);
  ok = ok && (text_size == 0 || EVP_DecryptUpdate(ctx.get(), plain_bytes, &written, Bytes(*body),
                                                  static_cast<int>(text_size)) == 1);
  ok = ok && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagSize, tag.data()) == 1;
  // The tag is checked here: a failure means a wrong key, nonce, associated
  // data or an altered ciphertext, and nothing decrypted may be used.
  ok = ok && EVP_DecryptFinal_ex(ctx.get(), plain_bytes + written, &length) == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return std::nullopt;
  }
  return plaintext;
}

}  // namespace portico
