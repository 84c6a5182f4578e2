#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/database.h"
#include "portico/outbox.h"
#include "portico/status.h"

namespace portico::webhooks {

struct SenderOptions {
  // Connect and whole-request limit: a slow receiver must not hold the
  // dispatcher (it delivers one message at a time).
  std::chrono::milliseconds timeout{10000};
};

// The "webhook" topic's handler: POSTs one queued delivery to its endpoint,
// signed per Standard Webhooks 1.0 (portico/webhook_signature.h) with the
// endpoint's secret, as Content-Type application/json with the headers
// webhook-id, webhook-timestamp (the send time, so every attempt is signed
// afresh) and webhook-signature. Redirects are not followed. Thread-safe.
class Sender {
 public:
  Sender(Database& db, const Clock& clock, std::string_view key_hash_secret,
         SenderOptions options = {});

  // OK on a 2xx answer. FailedPrecondition (permanent: the message is dead)
  // when the endpoint was removed or is disabled, when its secret cannot be
  // opened (KEY_HASH_SECRET changed), or when the receiver answered 410 Gone,
  // which also disables the endpoint (the spec: stop sending). InvalidArgument
  // (permanent) for a malformed payload. Unavailable (retried on the
  // schedule) for any other answer, a network failure or a timeout, or when
  // the database cannot be reached.
  Status Deliver(const OutboxMessage& message) const;

 private:
  Database& db_;
  const Clock& clock_;
  std::string sealing_key_;
  SenderOptions options_;
};

}  // namespace portico::webhooks
