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

namespace portico::server {

// Deletes what has outlived its use: OAuth clients unused past the client
// TTL, revocation records of expired tokens, ended rate-limit windows,
// signup provisioning's idempotency records older than a day.
// `portico clients prune` runs it once; `portico serve` runs it periodically.
// Safe with several processes on one database: every step is an idempotent
// conditional delete. Thread-safe.
class Housekeeping {
 public:
  Housekeeping(Database& db, dcr::RegistrationService& registrations, const Clock& clock)
      : db_(db), registrations_(registrations), clock_(clock) {}
  ~Housekeeping() { Stop(); }

  // One pass; returns what it deleted: {"clientsDeleted", "revokedTokensDeleted",
  // "rateLimitWindowsDeleted", "idempotencyRecordsDeleted"}.
  StatusOr<Json> RunOnce();
  // Runs a pass every `interval` on a thread of its own (failures are logged
  // and retried at the next pass) until Stop.
  void Start(std::chrono::milliseconds interval);
  void Stop();

 private:
  Database& db_;
  dcr::RegistrationService& registrations_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace portico::server
