#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/otp.h"
#include "portico/random.h"
#include "portico/status.h"

namespace portico {

struct OtpPolicy {
  std::chrono::seconds ttl{600};  // 10 minutes
  int max_attempts = 5;           // wrong attempts, then the code is burned
};

struct IssuedOtp {
  std::string code;  // 6 digits, shown once (mailed), never stored
  TimePoint expires_at;
};

// Shared by signup sessions and account sign-up. Only
// HMAC(OTP_PEPPER, purpose \0 subject \0 code) is stored, so a code for one
// purpose or subject never verifies another. Thread-safe (state in the store).
class OtpVerifier {
 public:
  OtpVerifier(std::string pepper, Random& random, const Clock& clock, OtpPolicy policy = {});

  // Creates a code for (purpose, subject), replacing any earlier one.
  StatusOr<IssuedOtp> Issue(OtpStore& store, std::string_view purpose,
                            std::string_view subject) const;

  // OK once, for the first correct submission of a live code (consumed
  // atomically: of two concurrent correct submissions exactly one succeeds).
  // Otherwise InvalidArgument with tag and details {"reason", "attemptsRemaining"}:
  //   OTP_INVALID  wrong code (one attempt used), no code, or already used
  //   OTP_EXPIRED  past its TTL
  //   OTP_LOCKED   max wrong attempts reached; the code is burned
  // A code that is not 6 ASCII digits is OTP_INVALID and uses an attempt.
  Status Verify(OtpStore& store, std::string_view purpose, std::string_view subject,
                std::string_view code) const;

  const OtpPolicy& policy() const { return policy_; }

 private:
  std::string Hash(std::string_view purpose, std::string_view subject,
                   std::string_view code) const;

  std::string pepper_;
  Random& random_;
  const Clock& clock_;
  OtpPolicy policy_;
};

}  // namespace portico
