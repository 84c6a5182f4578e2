#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace portico {

// Raw 32-byte digests. Thread-safe.
std::string HmacSha256(std::string_view key, std::string_view data);
std::string Sha256(std::string_view data);

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

}  // namespace portico
