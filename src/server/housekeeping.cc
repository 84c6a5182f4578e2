#include "src/server/housekeeping.h"

#include "dcr/revoked_token_store.h"
#include "portico/log.h"
#include "signup/session/provisioner.h"
#include "signup/session/signup_session_store.h"

namespace portico::server {
namespace {

// Clients are deleted in batches, each its own transaction, so a large
// backlog never holds the write lock for long.
constexpr size_t kClientBatch = 500;
// Likewise signup sessions (each with its code and idempotency records).
constexpr int kSignupSessionBatch = 500;
// And finished outbox messages (a row each; mail bodies include one-time codes).
constexpr int kOutboxBatch = 5000;

}  // namespace

StatusOr<Json> Housekeeping::RunOnce() {
  int64_t clients = 0;
  for (;;) {
    PORTICO_ASSIGN_OR_RETURN(int64_t deleted, registrations_.PruneUnused(kClientBatch));
    clients += deleted;
    if (deleted < static_cast<int64_t>(kClientBatch)) break;
  }
  const TimePoint now = clock_.Now();
  int64_t revoked = 0;
  int64_t windows = 0;
  int64_t idempotency = 0;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(revoked, stores.revoked_tokens().DeleteExpired(now));
    PORTICO_ASSIGN_OR_RETURN(windows, stores.rate_limits().DeleteEnded(now));
    // The sealed provisioning secrets are kept no longer than a day.
    PORTICO_ASSIGN_OR_RETURN(idempotency, stores.signup_sessions().DeleteIdempotencyRecordsBefore(
                                              now - signup::kIdempotencyRecordTtl));
    return Status::Ok();
  }));
  // Ended signup sessions: a week past expiry if never provisioned, a month
  // after provisioning (support and audit); their consent records stay.
  int64_t sessions = 0;
  for (;;) {
    int64_t deleted = 0;
    PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
      PORTICO_ASSIGN_OR_RETURN(
          deleted, stores.signup_sessions().DeleteEndedSessions(
                       now - signup_retention_.after_expiry,
                       now - signup_retention_.after_provisioning, kSignupSessionBatch));
      return Status::Ok();
    }));
    sessions += deleted;
    if (deleted < kSignupSessionBatch) break;
  }
  // Finished outbox messages: a delivered one is kept a day (to answer "did
  // the mail go out?"), one given up on a month (for the operator to look
  // into). Without this the table grows with every change ever made.
  int64_t outbox = 0;
  for (;;) {
    int64_t deleted = 0;
    PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
      PORTICO_ASSIGN_OR_RETURN(
          deleted, stores.outbox().DeleteFinished(now - kOutboxRetention.delivered,
                                                  now - kOutboxRetention.dead, kOutboxBatch));
      return Status::Ok();
    }));
    outbox += deleted;
    if (deleted < kOutboxBatch) break;
  }
  return Json::MakeObject()
      .Set("clientsDeleted", clients)
      .Set("revokedTokensDeleted", revoked)
      .Set("rateLimitWindowsDeleted", windows)
      .Set("idempotencyRecordsDeleted", idempotency)
      .Set("signupSessionsDeleted", sessions)
      .Set("outboxMessagesDeleted", outbox);
}

void Housekeeping::Start(std::chrono::milliseconds interval) {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mu_);
    while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
      lock.unlock();
      StatusOr<Json> report = RunOnce();
      if (report.ok()) {
        Log(LogLevel::kInfo, "housekeeping", *report);
      } else {
        Log(LogLevel::kWarn, "housekeeping_failed",
            Json::MakeObject().Set("error", report.status().ToString()));
      }
      lock.lock();
    }
  });
}

void Housekeeping::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace portico::server
