#include "portico/rate_limit.h"

#include <algorithm>
#include <cstdint>

namespace portico {

Status CheckRateLimit(RateLimitStore& store, std::string_view bucket, const RateLimit& limit,
                      TimePoint now) {
  if (limit.max_hits <= 0) return Status::Ok();
  const int64_t window_ms = static_cast<int64_t>(limit.window.count()) * 1000;
  if (window_ms <= 0) {
    return Internal("rate limit misconfigured").WithInternal("window must be positive");
  }
  // Windows aligned to the epoch: every process computes the same window for
  // the same instant without sharing anything but the counter. Floor division,
  // so that instants before 1970 do not round towards zero.
  const int64_t now_ms = ToUnixMillis(now);
  int64_t start_ms = now_ms / window_ms * window_ms;
  if (start_ms > now_ms) start_ms -= window_ms;
  const int64_t end_ms = start_ms + window_ms;
  StatusOr<int64_t> hits = store.Hit(bucket, FromUnixMillis(start_ms), FromUnixMillis(end_ms));
  if (!hits.ok()) return hits.status();
  if (*hits <= limit.max_hits) return Status::Ok();
  // Whole seconds until the window ends, rounded up: retrying earlier fails again.
  const int64_t retry_after = std::max<int64_t>(1, (end_ms - now_ms + 999) / 1000);
  return ResourceExhausted("too many requests, retry later")
      .WithTag("rate_limited")
      .WithRetryAfter(static_cast<int>(retry_after));
}

}  // namespace portico
