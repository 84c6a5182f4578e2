#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace portico {

// Source of randomness, injected so tests are deterministic. Implementations
// must be thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(uint8_t* out, size_t size) = 0;
};

// Cryptographically secure (OpenSSL RAND_bytes); one process-wide instance.
Random& SecureRandom();

// Uniform in [0, bound) by rejection sampling: no modulo bias. bound > 0.
uint32_t UniformBelow(Random& random, uint32_t bound);
// `bytes` random bytes, base64url without padding.
std::string RandomToken(Random& random, size_t bytes);
// A random (version 4) UUID in canonical lowercase form.
std::string NewUuid(Random& random);

}  // namespace portico
