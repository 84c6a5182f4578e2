#include "signup/account/bcrypt_import.h"

#include <crypt.h>

#include <cstring>
#include <memory>
#include <string>

#include "portico/crypto.h"

namespace portico::signup {
namespace {

constexpr std::string_view kPrefix = "$2b$";
constexpr size_t kHashLength = 60;  // "$2b$" + "NN" + "$" + 22 salt + 31 hash
constexpr size_t kSaltStart = 7;
constexpr size_t kSaltLength = 22;
constexpr size_t kDigestLength = 31;
constexpr std::string_view kAlphabet =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

Status Rejected(const char* code, std::string message) {
  Json details = Json::MakeObject();
  details.Set("field", "passwordHash").Set("code", code).Set("message", message);
  return InvalidArgument(std::move(message)).WithTag("VALIDATION_ERROR").WithDetails(details);
}

// The 6-bit value of a bcrypt base64 character, or -1.
int Value(char c) {
  const size_t i = kAlphabet.find(c);
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

}  // namespace

Status ValidateBcryptHash(std::string_view hash) {
  if (!hash.starts_with(kPrefix)) {
    if (hash.starts_with("$2a$") || hash.starts_with("$2x$") || hash.starts_with("$2y$") ||
        hash.starts_with("$2$")) {
      return Rejected(kUnsupportedHash, "passwordHash: only $2b$ bcrypt hashes are accepted, not " +
                                            std::string(hash.substr(0, hash.find('$', 1) + 1)));
    }
    return Rejected(kUnsupportedHash, "passwordHash: only $2b$ bcrypt hashes are accepted");
  }
  if (hash.size() < kSaltStart || hash[4] < '0' || hash[4] > '9' || hash[5] < '0' ||
      hash[5] > '9' || hash[6] != '$') {
    return Rejected(kMalformedHash,
                    "passwordHash: $2b$ must be followed by a two-digit cost and '$'");
  }
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < kMinBcryptCost || cost > kMaxBcryptCost) {
    return Rejected(kBcryptCostOutOfRange,
                    "passwordHash: bcrypt cost must be " + std::to_string(kMinBcryptCost) + " to " +
                        std::to_string(kMaxBcryptCost) + ", not " + std::to_string(cost));
  }
  if (hash.size() != kHashLength) {
    return Rejected(kMalformedHash, "passwordHash: a $2b$ hash is " + std::to_string(kHashLength) +
                                        " characters long, not " + std::to_string(hash.size()));
  }
  for (size_t i = kSaltStart; i < kHashLength; ++i) {
    if (Value(hash[i]) < 0) {
      return Rejected(kMalformedHash, "passwordHash: character " + std::to_string(i + 1) +
                                          " is outside bcrypt's base64 alphabet (./A-Za-z0-9)");
    }
  }
  // 16 salt bytes fill 22 characters with 4 bits to spare, 23 hash bytes fill
  // 31 with 2 to spare: bcrypt leaves the spare low bits zero.
  if (Value(hash[kSaltStart + kSaltLength - 1]) % 16 != 0) {
    return Rejected(kMalformedHash, "passwordHash: the salt is not in bcrypt's canonical encoding");
  }
  if (Value(hash[kHashLength - 1]) % 4 != 0) {
    return Rejected(kMalformedHash, "passwordHash: the hash is not in bcrypt's canonical encoding");
  }
  static_assert(kSaltStart + kSaltLength + kDigestLength == kHashLength);
  return Status::Ok();
}

bool VerifyBcrypt(std::string_view hash, std::string_view password) {
  if (!ValidateBcryptHash(hash).ok()) return false;
  if (password.find('\0') != std::string_view::npos) return false;
  // crypt_rn wants C strings; both are copied (the views need no terminator).
  const std::string setting(hash);
  const std::string phrase(password);
  // 32 KiB of scratch: on the heap, not on a worker's stack. Zeroed as
  // libxcrypt asks before first use.
  auto data = std::make_unique<crypt_data>();
  std::memset(data.get(), 0, sizeof(crypt_data));
  const char* result = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  const bool match = result != nullptr && ConstantTimeEquals(result, hash);
  // The scratch holds the password and intermediate state.
  explicit_bzero(data.get(), sizeof(crypt_data));
  return match;
}

}  // namespace portico::signup
