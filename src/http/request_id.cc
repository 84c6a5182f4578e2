#include "src/http/request_id.h"

#include <cstdint>

#include "portico/random.h"

namespace portico::http {

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NewRequestId() {
  constexpr size_t kIdBytes = 12;
  constexpr size_t kBatch = 128;
  struct Pool {
    uint8_t bytes[kIdBytes * kBatch];
    size_t next = kBatch;
  };
  thread_local Pool pool;
  if (pool.next == kBatch) {
    SecureRandom().Fill(pool.bytes, sizeof pool.bytes);
    pool.next = 0;
  }
  const uint8_t* b = pool.bytes + kIdBytes * pool.next++;
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out(kIdBytes / 3 * 4, '\0');
  for (size_t i = 0, o = 0; i < kIdBytes; i += 3, o += 4) {
    const uint32_t v = (uint32_t{b[i]} << 16) | (uint32_t{b[i + 1]} << 8) | b[i + 2];
    out[o] = kAlphabet[(v >> 18) & 63];
    out[o + 1] = kAlphabet[(v >> 12) & 63];
    out[o + 2] = kAlphabet[(v >> 6) & 63];
    out[o + 3] = kAlphabet[v & 63];
  }
  return out;
}

}  // namespace portico::http
