#include <argon2.h>
#include <crypt.h>
#include <openssl/crypto.h>

#include <cassert>
#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/crypto.h"
#include "portico/password_hasher.h"

namespace portico {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kOutputBytes = 32;
// What a foreign argon2id hash may carry; ours always use 16 and 32.
constexpr size_t kMinSaltBytes = ARGON2_MIN_SALT_LENGTH;  // 8
constexpr size_t kMaxSaltBytes = 64;
constexpr size_t kMinOutputBytes = 16;
constexpr size_t kMaxOutputBytes = 64;
constexpr std::string_view kArgon2Prefix = "$argon2id$";

struct Argon2Hash {
  Argon2Params params;
  std::string salt;
  std::string output;
};

// libargon2's own rules (m >= 8 KiB per lane) plus ours (the kMax* limits).
bool ParamsAllowed(const Argon2Params& p) {
  return p.parallelism >= 1 && p.parallelism <= kMaxArgon2Parallelism && p.iterations >= 1 &&
         p.iterations <= kMaxArgon2Iterations && p.memory_kib >= ARGON2_MIN_MEMORY &&
         p.memory_kib >= 8 * p.parallelism && p.memory_kib <= kMaxArgon2MemoryKib;
}

// PHC's B64: the standard alphabet without padding.
std::string B64(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  return s;
}

// Strict: no padding and canonical (unused trailing bits zero), so one hash
// has exactly one spelling.
std::optional<std::string> UnB64(std::string_view text) {
  if (text.find('=') != std::string_view::npos) return std::nullopt;
  std::optional<std::string> bytes = Base64Decode(text);
  if (!bytes || B64(*bytes) != text) return std::nullopt;
  return bytes;
}

// A decimal uint32 with no sign, no leading zero and no overflow.
std::optional<uint32_t> ParseDecimal(std::string_view text) {
  if (text.empty() || text.size() > 10 || (text.size() > 1 && text[0] == '0')) return std::nullopt;
  uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Reads `name=` + decimal from the front of `text` and the separator after it
// ("," or end).
std::optional<uint32_t> TakeParam(std::string_view& text, std::string_view name, bool last) {
  if (text.substr(0, name.size() + 1) != std::string(name) + "=") return std::nullopt;
  text.remove_prefix(name.size() + 1);
  const size_t end = last ? text.size() : text.find(',');
  if (end == std::string_view::npos) return std::nullopt;
  std::optional<uint32_t> value = ParseDecimal(text.substr(0, end));
  text.remove_prefix(last ? end : end + 1);
  return value;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    parts.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

Status Malformed(std::string_view why) {
  return InvalidArgument("malformed password hash").WithInternal(std::string(why));
}

// `$argon2id$v=19$m=<KiB>,t=<iterations>,p=<lanes>$<salt>$<output>`: the PHC
// string format as libargon2 writes it. Only version 19 (0x13), the only one
// libargon2's raw API computes; no keyid/data fields.
StatusOr<Argon2Hash> ParseArgon2(std::string_view encoded) {
  const std::vector<std::string_view> parts = Split(encoded, '$');
  if (parts.size() != 6 || !parts[0].empty() || parts[1] != "argon2id") {
    return Malformed("not an argon2id PHC string");
  }
  if (parts[2] != "v=19") return Malformed("unsupported argon2 version");
  Argon2Hash out;
  std::string_view params = parts[3];
  const std::optional<uint32_t> m = TakeParam(params, "m", false);
  const std::optional<uint32_t> t = TakeParam(params, "t", false);
  const std::optional<uint32_t> p = TakeParam(params, "p", true);
  if (!m || !t || !p || !params.empty()) return Malformed("bad argon2 parameter list");
  out.params = {.memory_kib = *m, .iterations = *t, .parallelism = *p};
  if (!ParamsAllowed(out.params)) return Malformed("argon2 parameters out of range");
  std::optional<std::string> salt = UnB64(parts[4]);
  std::optional<std::string> output = UnB64(parts[5]);
  if (!salt || !output) return Malformed("bad base64 in argon2 hash");
  if (salt->size() < kMinSaltBytes || salt->size() > kMaxSaltBytes) {
    return Malformed("argon2 salt length out of range");
  }
  if (output->size() < kMinOutputBytes || output->size() > kMaxOutputBytes) {
    return Malformed("argon2 output length out of range");
  }
  out.salt = std::move(*salt);
  out.output = std::move(*output);
  return out;
}

bool IsBcryptChar(char c) {
  return c == '.' || c == '/' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9');
}

// `$2b$NN$` + 22 salt chars + 31 hash chars (also the `2a`/`2y` spellings of
// the same algorithm), cost NN in 04..kMaxBcryptCost.
Status CheckBcrypt(std::string_view encoded) {
  if (encoded.size() != 60 || encoded[0] != '$' || encoded[1] != '2' ||
      (encoded[2] != 'a' && encoded[2] != 'b' && encoded[2] != 'y') || encoded[3] != '$' ||
      encoded[6] != '$') {
    return Malformed("not a bcrypt hash");
  }
  const std::optional<uint32_t> cost =
      encoded[4] == '0' ? ParseDecimal(encoded.substr(5, 1)) : ParseDecimal(encoded.substr(4, 2));
  if (!cost || *cost < static_cast<uint32_t>(kMinBcryptCost) ||
      *cost > static_cast<uint32_t>(kMaxBcryptCost)) {
    return Malformed("bcrypt cost out of range");
  }
  for (char c : encoded.substr(7)) {
    if (!IsBcryptChar(c)) return Malformed("bad character in bcrypt hash");
  }
  return Status::Ok();
}

bool LooksLikeBcrypt(std::string_view encoded) {
  return encoded.size() >= 4 && encoded.substr(0, 2) == "$2" && encoded[3] == '$';
}

StatusOr<std::string> Argon2Raw(const Argon2Params& p, std::string_view password,
                                std::string_view salt, size_t output_bytes) {
  std::string out(output_bytes, '\0');
  const int rc =
      argon2id_hash_raw(p.iterations, p.memory_kib, p.parallelism, password.data(), password.size(),
                        salt.data(), salt.size(), out.data(), out.size());
  if (rc != ARGON2_OK) {
    return Internal("password hashing failed").WithInternal(argon2_error_message(rc));
  }
  return out;
}

StatusOr<bool> VerifyBcrypt(std::string_view password, std::string_view encoded) {
  PORTICO_RETURN_IF_ERROR(CheckBcrypt(encoded));
  // crypt() reads a C string: a password with a NUL byte was never what
  // produced this hash as typed, and must not match its truncation.
  if (password.find('\0') != std::string_view::npos) return false;
  // crypt_data is ~32 KiB: keep it off the worker's stack.
  auto data = std::make_unique<crypt_data>();
  std::string phrase(password);
  const std::string setting(encoded);
  const char* out = crypt_rn(phrase.c_str(), setting.c_str(), data.get(), sizeof(crypt_data));
  OPENSSL_cleanse(phrase.data(), phrase.size());
  const bool matches = out != nullptr && ConstantTimeEquals(out, encoded);
  const bool failed = out == nullptr;
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  if (failed) return Malformed("bcrypt hash rejected by libcrypt");
  return matches;
}

Status CheckPasswordLength(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) return InvalidArgument("password is too long");
  return Status::Ok();
}

std::string EncodeArgon2(const Argon2Params& p, std::string_view salt, std::string_view output) {
  return std::string(kArgon2Prefix) + "v=19$m=" + std::to_string(p.memory_kib) +
         ",t=" + std::to_string(p.iterations) + ",p=" + std::to_string(p.parallelism) + "$" +
         B64(salt) + "$" + B64(output);
}

std::string RandomBytes(Random& random, size_t size) {
  std::string bytes(size, '\0');
  random.Fill(reinterpret_cast<uint8_t*>(bytes.data()), bytes.size());
  return bytes;
}

}  // namespace

Argon2PasswordHasher::Argon2PasswordHasher(Random& random, Argon2Params params)
    : random_(random), params_(params) {
  assert(ParamsAllowed(params_));
  // Random salt and random "output": it parses like a real hash and costs the
  // same to check, but no password can be found that matches it.
  dummy_hash_ =
      EncodeArgon2(params_, RandomBytes(random_, kSaltBytes), RandomBytes(random_, kOutputBytes));
}

StatusOr<std::string> Argon2PasswordHasher::Hash(std::string_view password) const {
  PORTICO_RETURN_IF_ERROR(CheckPasswordLength(password));
  const std::string salt = RandomBytes(random_, kSaltBytes);
  PORTICO_ASSIGN_OR_RETURN(std::string output, Argon2Raw(params_, password, salt, kOutputBytes));
  return EncodeArgon2(params_, salt, output);
}

StatusOr<bool> Argon2PasswordHasher::Verify(std::string_view password,
                                            std::string_view encoded) const {
  PORTICO_RETURN_IF_ERROR(CheckPasswordLength(password));
  if (LooksLikeBcrypt(encoded)) return VerifyBcrypt(password, encoded);
  PORTICO_ASSIGN_OR_RETURN(Argon2Hash stored, ParseArgon2(encoded));
  PORTICO_ASSIGN_OR_RETURN(std::string computed,
                           Argon2Raw(stored.params, password, stored.salt, stored.output.size()));
  return ConstantTimeEquals(computed, stored.output);
}

bool Argon2PasswordHasher::NeedsRehash(std::string_view encoded) const {
  StatusOr<Argon2Hash> stored = ParseArgon2(encoded);
  return !stored.ok() || stored->params != params_ || stored->salt.size() != kSaltBytes ||
         stored->output.size() != kOutputBytes;
}

bool Argon2PasswordHasher::DummyVerify(std::string_view password) const {
  Verify(password, dummy_hash_).status().IgnoreError();
  return false;
}

Status ValidatePasswordHash(std::string_view encoded) {
  if (LooksLikeBcrypt(encoded)) return CheckBcrypt(encoded);
  return ParseArgon2(encoded).status();
}

}  // namespace portico
