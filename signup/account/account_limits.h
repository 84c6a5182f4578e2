#pragma once

#include <chrono>

#include "portico/rate_limit.h"

namespace portico::signup {

// Rate limits of the account API, counted in the database (shared by every
// process). Defaults from seed 004 where it has one (sign-up 5 per IP per
// hour, verification mails 3 per email per hour); the sign-in limits follow
// NIST SP 800-63B §3.2.2 (limit the attempts on one account) with room for
// people who mistype. Configured by AUTH_SIGNUP_LIMIT_IP,
// AUTH_SIGNIN_LIMIT_IP, AUTH_SIGNIN_LIMIT_ACCOUNT, AUTH_VERIFY_LIMIT_IP and
// AUTH_VERIFICATION_MAIL_LIMIT_EMAIL (ParseRateLimitSpec's form).
struct AccountRateLimits {
  RateLimit sign_up_per_ip{5, std::chrono::hours(1)};
  RateLimit sign_in_per_ip{60, std::chrono::minutes(10)};
  RateLimit sign_in_per_account{10, std::chrono::minutes(10)};
  RateLimit verify_per_ip{30, std::chrono::minutes(10)};
  RateLimit verification_mails_per_email{3, std::chrono::hours(1)};
};

}  // namespace portico::signup
