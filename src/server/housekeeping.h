#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "dcr/registration/registration_service.h"
#include "portico/clock.h"
#include "portico/database.h"
#include "portico/json.h"
#include "portico/status.h"
#include "signup/session/signup_session_store.h"

namespace portico::server {

// How long finished outbox messages are kept.
struct OutboxRetention {
  std::chrono::hours delivered{24};
  std::chrono::hours dead{24 * 30};
};
inline constexpr OutboxRetention kOutboxRetention{};

// Deletes what has outlived its use: OAuth clients unused past the client
// TTL, revocation records of expired tokens, ended rate-limit windows,
// signup provisioning's idempotency records older than a day, signup
// sessions that ended longer ago than their retention (signup::SignupRetention),
// and finished outbox messages (kOutboxRetention).
// `portico clients prune` runs it once; `portico serve` runs it periodically.
// Safe with several processes on one database: every step is an idempotent
// conditional delete. Thread-safe.
class Housekeeping {
 public:
  Housekeeping(Database& db, dcr::RegistrationService& registrations, const Clock& clock,
               signup::SignupRetention signup_retention = {})
      : db_(db),
        registrations_(registrations),
        clock_(clock),
        signup_retention_(signup_retention) {}
  ~Housekeeping() { Stop(); }

  // One pass; returns what it deleted: {"clientsDeleted", "revokedTokensDeleted",
  // "rateLimitWindowsDeleted", "idempotencyRecordsDeleted", "signupSessionsDeleted",
  // "outboxMessagesDeleted"}.
  StatusOr<Json> RunOnce();
  // Runs a pass every `interval` on a thread of its own (failures are logged
  // and retried at the next pass) until Stop.
  void Start(std::chrono::milliseconds interval);
  void Stop();

 private:
  Database& db_;
  dcr::RegistrationService& registrations_;
  const Clock& clock_;
  const signup::SignupRetention signup_retention_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace portico::server
