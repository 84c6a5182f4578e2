#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "portico/random.h"
#include "portico/status.h"

namespace portico {

// Longest password accepted, in bytes: bounds the work an anonymous caller can ask for.
inline constexpr size_t kMaxPasswordBytes = 1024;

// argon2id cost parameters. The defaults are OWASP's minimum recommendation
// (m=19 MiB, t=2, p=1; ~33 ms per hash on the target machine).
struct Argon2Params {
  uint32_t memory_kib = 19 * 1024;
  uint32_t iterations = 2;
  uint32_t parallelism = 1;

  static Argon2Params Owasp() { return {}; }
  // The cheapest parameters libargon2 accepts (m >= 8 KiB per lane): fast unit
  // tests only, never in production.
  static Argon2Params ForTests() { return {.memory_kib = 64, .iterations = 1, .parallelism = 1}; }

  bool operator==(const Argon2Params&) const = default;
};

// The largest parameters a stored hash may name. A hash outside them is
// refused as malformed rather than allocating gigabytes or spinning for
// minutes (the stored string is data, not configuration).
inline constexpr uint32_t kMaxArgon2MemoryKib = 256 * 1024;  // 256 MiB
inline constexpr uint32_t kMaxArgon2Iterations = 16;
inline constexpr uint32_t kMaxArgon2Parallelism = 8;
// bcrypt ($2b$, imported by account sign-up's `passwordHash`): cost 4..kMaxBcryptCost,
// the range seed 003 imports (sign-up checks against this same constant, so
// that every hash it accepts can sign in). Cost 14 is ~0.9 s here; each step
// doubles it.
inline constexpr int kMinBcryptCost = 4;
inline constexpr int kMaxBcryptCost = 14;

// Hashes and checks account passwords. Every call costs tens of
// milliseconds of CPU and ~memory_kib of memory: call it from a worker
// (HashingPool), never from an HTTP reactor thread. All methods are
// thread-safe.
class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;

  // A self-describing encoded hash with a fresh random salt, e.g. the PHC string
  // `$argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<hash b64>`.
  // InvalidArgument "password is too long" over kMaxPasswordBytes (an empty
  // password is allowed here: policy lives elsewhere); Internal if the
  // library fails (e.g. out of memory).
  virtual StatusOr<std::string> Hash(std::string_view password) const = 0;

  // Whether `password` matches `encoded` (constant-time comparison).
  // Accepts argon2id PHC strings within the limits above and bcrypt
  // `$2a$`/`$2b$`/`$2y$` hashes (imports). InvalidArgument for a malformed or
  // unsupported `encoded` (never crashes on garbage) and for a password over
  // kMaxPasswordBytes; Internal if the library fails.
  virtual StatusOr<bool> Verify(std::string_view password, std::string_view encoded) const = 0;

  // True when `encoded` was not made by Hash with the current parameters
  // (other argon2 parameters, bcrypt, or unparseable): after a successful
  // Verify the caller should store Hash(password) instead.
  virtual bool NeedsRehash(std::string_view encoded) const = 0;

  // Costs what Verify of a current-parameter hash costs, against a hash no
  // password matches. For "no such account" paths, so response time does not
  // reveal whether an account exists. Always returns false.
  virtual bool DummyVerify(std::string_view password) const = 0;
};

// argon2id (RFC 9106) via libargon2 for new hashes; verifies bcrypt imports
// via libxcrypt.
class Argon2PasswordHasher : public PasswordHasher {
 public:
  // `random` supplies the 16-byte salts and must outlive the hasher.
  // `params` must lie within the kMaxArgon2* limits and libargon2's minimums
  // (asserted).
  explicit Argon2PasswordHasher(Random& random, Argon2Params params = Argon2Params::Owasp());

  StatusOr<std::string> Hash(std::string_view password) const override;
  StatusOr<bool> Verify(std::string_view password, std::string_view encoded) const override;
  bool NeedsRehash(std::string_view encoded) const override;
  bool DummyVerify(std::string_view password) const override;

  const Argon2Params& params() const { return params_; }

 private:
  Random& random_;
  Argon2Params params_;
  std::string dummy_hash_;  // current parameters, random salt and output
};

// OK when Verify can check `encoded` (a well-formed argon2id PHC string or
// bcrypt hash within the limits above); otherwise InvalidArgument saying
// what is wrong. Cheap (no hashing): lets account sign-up validate an
// imported `passwordHash` before storing it. Thread-safe.
Status ValidatePasswordHash(std::string_view encoded);

}  // namespace portico
