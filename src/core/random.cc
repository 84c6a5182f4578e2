#include "portico/random.h"

#include <openssl/rand.h>

#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "portico/crypto.h"

namespace portico {
namespace {

class OpenSslRandom : public Random {
 public:
  void Fill(uint8_t* out, size_t size) override {
    // RAND_bytes takes an int length; feed it in chunks.
    while (size > 0) {
      const int chunk = size > (1u << 20) ? (1 << 20) : static_cast<int>(size);
      if (RAND_bytes(out, chunk) != 1) {
        // Without a working CSPRNG no secret can be minted safely: stop.
        std::fputs("portico: RAND_bytes failed; aborting\n", stderr);
        std::abort();
      }
      out += chunk;
      size -= static_cast<size_t>(chunk);
    }
  }
};

uint32_t Draw32(Random& random) {
  uint8_t b[4];
  random.Fill(b, sizeof b);
  return (static_cast<uint32_t>(b[0]) << 24) | (static_cast<uint32_t>(b[1]) << 16) |
         (static_cast<uint32_t>(b[2]) << 8) | static_cast<uint32_t>(b[3]);
}

}  // namespace

Random& SecureRandom() {
  static OpenSslRandom random;
  return random;
}

uint32_t UniformBelow(Random& random, uint32_t bound) {
  assert(bound > 0);
  if (bound <= 1) return 0;
  // Accept only draws below the largest multiple of `bound` that fits in
  // 2^32, so every residue is equally likely (no modulo bias).
  const uint64_t range = uint64_t{1} << 32;
  const uint64_t limit = range - range % bound;
  for (;;) {
    const uint32_t x = Draw32(random);
    if (x < limit) return x % bound;
  }
}

std::string RandomToken(Random& random, size_t bytes) {
  std::string raw(bytes, '\0');
  random.Fill(reinterpret_cast<uint8_t*>(raw.data()), raw.size());
  return Base64UrlEncode(raw);
}

std::string NewUuid(Random& random) {
  uint8_t b[16];
  random.Fill(b, sizeof b);
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0xf]);
  }
  return out;
}

}  // namespace portico
