#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace portico {

// Raw 32-byte digests. Thread-safe.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Sha256(std::string_view data);
// Raw 20-byte SHA-1 digest. Only for lookups in formats that are keyed by it
// (Have I Been Pwned's breached-password lists), never as a security primitive.
std::string Sha1(std::string_view data);

// HMAC-SHA256 under one key fixed for the object's life, prepared once. On
// hot paths (every authenticated request hashes the presented key) it costs a
// fraction of HmacSha256, which sets the key up on every call, and allocates
// only its result. Thread-safe; same output as HmacSha256(key, data).
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;
  std::string Sign(std::string_view data) const;

 private:
  struct Prepared;
  std::unique_ptr<Prepared> prepared_;
};

// Compares without an early exit, so timing reveals nothing of the content
// (lengths may differ; that is not secret here).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);  // standard alphabet, padded
std::string Base64UrlEncode(std::string_view bytes);  // url alphabet, no padding
// Accept with or without padding; nullopt on any invalid character.
std::optional<std::string> Base64Decode(std::string_view text);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// AES-256-GCM authenticated encryption, for secrets the server must read
// back (e.g. its token signing keys at rest). `key` is exactly kAesGcmKeySize
// bytes (derive it, e.g. HmacSha256(secret, "purpose")). Each seal draws a
// fresh 96-bit nonce from OpenSSL's RNG and appends a 128-bit tag. The output
// is text: "v1." base64url(nonce) "." base64url(ciphertext || tag).
// `associated_data` is authenticated but not stored (bind the sealed value
// to its context, e.g. its row id); opening needs the same bytes.
// Thread-safe.
inline constexpr size_t kAesGcmKeySize = 32;
// Aborts when key is not kAesGcmKeySize bytes (a programming error) or OpenSSL fails.
std::string SealAesGcm(std::string_view key, std::string_view plaintext,
                       std::string_view associated_data = {});
// The plaintext, or nullopt when `sealed` is malformed, was sealed under
// another key or other associated data, or any part of it was altered.
std::optional<std::string> OpenAesGcm(std::string_view key, std::string_view sealed,
                                      std::string_view associated_data = {});

}  // namespace portico
