#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "portico/clock.h"
#include "portico/status.h"

namespace portico {

// At most `max_hits` per fixed window of `window`.
struct RateLimit {
  int64_t max_hits = 0;
  std::chrono::seconds window{60};
};

// Hit counters in the database, so that every process behind a load balancer
// counts against the same limit. One instance belongs to one database
// session: not thread-safe.
class RateLimitStore {
 public:
  virtual ~RateLimitStore() = default;
  // Adds one hit to `bucket`'s counter for the window starting at
  // `window_start` (a row that lives until `window_end`) and returns the
  // count including this hit. One atomic statement: concurrent callers each
  // see a distinct count.
  virtual StatusOr<int64_t> Hit(std::string_view bucket, TimePoint window_start,
                                TimePoint window_end) = 0;
  // Deletes counters of windows that ended by `now`; returns how many.
  virtual StatusOr<int64_t> DeleteEnded(TimePoint now) = 0;
};

// Counts one hit against `limit` for `bucket` at `now` (fixed windows aligned
// to the epoch). OK while the count is within the limit; ResourceExhausted
// (tag "rate_limited") with retry_after_seconds = the seconds until the
// window ends (at least 1) once over it. A limit with max_hits ≤ 0 is off.
Status CheckRateLimit(RateLimitStore& store, std::string_view bucket, const RateLimit& limit,
                      TimePoint now);

}  // namespace portico
