#include "portico/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <atomic>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "portico/crypto.h"

namespace portico {
namespace {

[[noreturn]] void RandFailure() {
  // Without a working CSPRNG no secret can be minted safely: stop.
  std::fputs("portico: RAND_bytes failed; aborting\n", stderr);
  std::abort();
}

// Bumped in a forked child, so that it never hands out bytes its parent
// buffered (and may hand out too).
std::atomic<uint64_t> fork_generation{0};

// Small draws (ids, tokens, nonces: 4 to 32 bytes, a dozen per signup flow)
// are served from a per-thread block of OpenSSL DRBG output: each RAND_bytes
// call costs ~6.5k instructions whatever its size (locking, the DRBG's
// reseed checks and update), while a 256-byte block costs hardly more than
// 16 bytes. The bytes are the same DRBG's output, each handed out once and
// wiped from the block as it goes; large draws bypass the block.
class ThreadBlock {
 public:
  static constexpr size_t kSize = 256;
  static constexpr size_t kMaxDraw = 64;

  ~ThreadBlock() { OPENSSL_cleanse(bytes_, sizeof bytes_); }

  void Take(uint8_t* out, size_t size) {
    const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
    if (generation != generation_) {
      OPENSSL_cleanse(bytes_, sizeof bytes_);
      used_ = kSize;
      generation_ = generation;
    }
    if (kSize - used_ < size) {
      if (RAND_bytes(bytes_, static_cast<int>(kSize)) != 1) RandFailure();
      used_ = 0;
    }
    std::memcpy(out, bytes_ + used_, size);
    OPENSSL_cleanse(bytes_ + used_, size);
    used_ += size;
  }

 private:
  uint8_t bytes_[kSize];
  size_t used_ = kSize;  // empty
  uint64_t generation_ = 0;
};

class OpenSslRandom : public Random {
 public:
  OpenSslRandom() {
    pthread_atfork(nullptr, nullptr,
                   [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });
  }

  void Fill(uint8_t* out, size_t size) override {
    if (size <= ThreadBlock::kMaxDraw) {
      thread_local ThreadBlock block;
      block.Take(out, size);
      return;
    }
    // RAND_bytes takes an int length; feed it in chunks.
    while (size > 0) {
      const int chunk = size > (1u << 20) ? (1 << 20) : static_cast<int>(size);
      if (RAND_bytes(out, chunk) != 1) RandFailure();
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
