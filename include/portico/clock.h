#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace portico {

using TimePoint = std::chrono::system_clock::time_point;

// Injected wherever time matters (expiry, rate limits, OTPs) so tests can
// drive it. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};

// The real wall clock; one process-wide instance.
Clock& SystemClock();

// Storage keeps time as Unix milliseconds (portable across SQLite and PostgreSQL).
int64_t ToUnixMillis(TimePoint t);
TimePoint FromUnixMillis(int64_t ms);
// RFC 3339 / ISO 8601 in UTC with milliseconds, e.g. "2026-11-21T23:13:56.123Z".
std::string FormatRfc3339(TimePoint t);
// The same text in a caller's buffer, for hot paths that avoid the string:
// exactly kRfc3339Length characters, no terminating NUL.
inline constexpr size_t kRfc3339Length = 24;
void FormatRfc3339To(TimePoint t, char* out);

}  // namespace portico
