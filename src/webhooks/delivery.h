#pragma once

#include <chrono>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/database.h"
#include "portico/outbox_dispatcher.h"
#include "portico/status.h"

namespace portico::webhooks {

// The waits between attempts Standard Webhooks recommends: after the first
// (immediate) attempt, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; a message
// still failing after the eighth attempt is dead. Thread-safe.
std::vector<std::chrono::milliseconds> StandardRetrySchedule();

// A schedule written as comma-separated milliseconds ("100,100,200"; "" is
// no retry). InvalidArgument for anything else. Pure; thread-safe.
StatusOr<std::vector<std::chrono::milliseconds>> ParseRetrySchedule(std::string_view text);

// The schedule deliveries use: StandardRetrySchedule(), except in a test
// build (PORTICO_TEST_HOOKS) run with PORTICO_ENABLE_TEST_HOOKS=1, where
// PORTICO_TEST_WEBHOOK_RETRY_MS (ParseRetrySchedule's form) replaces it so
// that tests need not wait hours. A release build ignores the variable.
std::vector<std::chrono::milliseconds> RetrySchedule();

// Registers the "audit" handler (Fanout: logs each event and queues its
// webhooks, waking `dispatcher` when it did) and the "webhook" handler
// (Sender, retried on RetrySchedule()). `db` and `clock` must outlive the
// dispatcher's use of the handlers.
void RegisterHandlers(OutboxDispatcher& dispatcher, Database& db, const Clock& clock,
                      std::string_view key_hash_secret);

}  // namespace portico::webhooks
