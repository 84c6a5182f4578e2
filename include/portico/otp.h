#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/status.h"

namespace portico {

// One outstanding one-time code for a (purpose, subject) pair, e.g.
// ("signup_session", sessionId) or ("email_verification", userId).
struct OtpRecord {
  std::string id;  // UUID
  std::string purpose;
  std::string subject;
  std::string code_hash;  // hex HMAC(OTP_PEPPER, purpose \0 subject \0 code)
  TimePoint expires_at;
  int attempts = 0;  // wrong attempts so far
  std::optional<TimePoint> consumed_at;
  TimePoint created_at;
};

// OTP rows. One instance belongs to one database session: not thread-safe.
// Every mutation is a single conditional statement, so concurrent callers on
// other sessions cannot both win.
class OtpStore {
 public:
  virtual ~OtpStore() = default;
  // Replaces any existing code for (purpose, subject) with this one.
  virtual Status Put(const OtpRecord& record) = 0;
  // NotFound when there is no code for (purpose, subject).
  virtual StatusOr<OtpRecord> Find(std::string_view purpose, std::string_view subject) = 0;
  // Adds one wrong attempt if the code is unconsumed and attempts < max;
  // returns the new count, or FailedPrecondition when it was already at max
  // or consumed (nothing changed). NotFound for an unknown id.
  virtual StatusOr<int> AddFailedAttempt(std::string_view id, int max_attempts) = 0;
  // Marks consumed iff unconsumed, attempts < max and not expired at `now`;
  // returns true for the one caller that consumed it, false otherwise.
  virtual StatusOr<bool> Consume(std::string_view id, int max_attempts, TimePoint now) = 0;
};

}  // namespace portico
