#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/status.h"

namespace portico {

// A side effect owed by a committed state change (a mail, a webhook, an
// audit event), written in the same transaction as that change.
struct OutboxMessage {
  int64_t id = 0;
  std::string topic;    // "mail", "webhook", "audit", …
  std::string payload;  // JSON text, shaped by the topic's handler
  int attempts = 0;
  TimePoint next_attempt_at;
  std::optional<TimePoint> delivered_at;
  bool dead = false;  // gave up after the last allowed attempt
  std::string last_error;
  TimePoint created_at;
};

// The outbox table. One instance belongs to one database session: not
// thread-safe. Claiming is safe across processes sharing one database.
class OutboxStore {
 public:
  virtual ~OutboxStore() = default;
  // Returns the new message id.
  virtual StatusOr<int64_t> Enqueue(std::string_view topic, std::string_view payload,
                                    TimePoint now) = 0;
  // Leases up to `limit` undelivered, live messages whose next_attempt_at <=
  // now, longest due first (next_attempt_at, then id: the pending index's
  // order, so delivered rows are never read), by moving their next_attempt_at
  // to `lease_until`, so no
  // other dispatcher takes them meanwhile (on PostgreSQL FOR UPDATE SKIP
  // LOCKED). Returns the leased messages (with their previous attempts).
  virtual StatusOr<std::vector<OutboxMessage>> Claim(TimePoint now, int limit,
                                                     TimePoint lease_until) = 0;
  // NotFound for an unknown id.
  virtual Status MarkDelivered(int64_t id, int attempts, TimePoint at) = 0;
  // Records a failed attempt: attempts, error, when to retry; `dead` gives up.
  virtual Status MarkFailed(int64_t id, int attempts, TimePoint next_attempt_at,
                            std::string_view error, bool dead) = 0;
  // Deletes up to `limit` finished messages, oldest first: delivered before
  // `delivered_before`, or given up on (dead) and created before
  // `dead_before`. Pending messages are never touched, nor is the newest
  // message (its id keeps later ids from repeating it). Returns how many went.
  virtual StatusOr<int64_t> DeleteFinished(TimePoint delivered_before, TimePoint dead_before,
                                           int limit) = 0;
  virtual StatusOr<OutboxMessage> Get(int64_t id) = 0;
  // Undelivered, live messages.
  virtual StatusOr<int64_t> CountPending() = 0;
  // Undelivered messages given up on (dead).
  virtual StatusOr<int64_t> CountDead() = 0;
};

}  // namespace portico
