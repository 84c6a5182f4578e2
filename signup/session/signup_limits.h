#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "portico/rate_limit.h"
#include "portico/status.h"

namespace portico::signup {

// Rate limits of the public signup API (OWASP API4:2023), counted in the
// database so every process shares them. Create and verify-email are each
// limited per client IP, per email domain and per email address (runbook:
// "IP, domain, or email scope"). Configured by SIGNUP_CREATE_LIMIT_IP,
// SIGNUP_CREATE_LIMIT_DOMAIN, SIGNUP_CREATE_LIMIT_EMAIL,
// SIGNUP_VERIFY_LIMIT_IP, SIGNUP_VERIFY_LIMIT_DOMAIN and
// SIGNUP_VERIFY_LIMIT_EMAIL (ParseRateLimitSpec's form).
struct SignupRateLimits {
  RateLimit create_per_ip{20, std::chrono::hours(1)};
  RateLimit create_per_domain{100, std::chrono::hours(1)};
  RateLimit create_per_email{5, std::chrono::hours(1)};
  RateLimit verify_per_ip{60, std::chrono::minutes(10)};
  RateLimit verify_per_domain{300, std::chrono::minutes(10)};
  RateLimit verify_per_email{30, std::chrono::minutes(10)};
};

// "COUNT/WINDOW": at most COUNT (1–1000000) requests per fixed window of
// WINDOW, a whole number of seconds, minutes, hours or days ("30s", "10m",
// "1h", "1d"; 1 second to 7 days). "off" (or "0") turns the limit off
// (max_hits 0). InvalidArgument saying what is wrong otherwise. Pure;
// thread-safe.
StatusOr<RateLimit> ParseRateLimitSpec(std::string_view spec);

// The spec ParseRateLimitSpec reads back: "20/1h", "90/90s", "off".
std::string FormatRateLimitSpec(const RateLimit& limit);

}  // namespace portico::signup
