#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/database.h"
#include "portico/json.h"
#include "portico/outbox.h"
#include "portico/status.h"
#include "portico/webhook_store.h"

namespace portico::webhooks {

// The outbox topic every feature writes its audit events to, and the topic
// of one webhook delivery (one message per event and endpoint).
inline constexpr char kAuditTopic[] = "audit";
inline constexpr char kWebhookTopic[] = "webhook";

// The webhook-id of the delivery of audit message `audit_message_id` to
// `endpoint_id`: "msg_" + 32 hex digits of a SHA-256 of both. Deterministic,
// so a fan-out that runs again (the audit message redelivered after a crash)
// queues the same id and receivers deduplicate. Pure; thread-safe.
std::string WebhookId(int64_t audit_message_id, std::string_view endpoint_id);

// The body POSTed for an audit event: {"type": its type, "timestamp": its
// "at" (or `fallback_time` when it has none, in RFC 3339), "data": its other
// members in their order}. InvalidArgument when `event` is not an object with
// a string "type". Pure; thread-safe.
StatusOr<std::string> WebhookBody(const Json& event, TimePoint fallback_time);

// The tenant's endpoints that receive an event of `type`: enabled and
// subscribed, in the given order. Pure; thread-safe.
std::vector<WebhookEndpoint> SelectEndpoints(const std::vector<WebhookEndpoint>& endpoints,
                                             std::string_view type);

// The payload of a "webhook" outbox message.
struct Delivery {
  std::string endpoint_id;
  std::string webhook_id;
  std::string type;  // for logs
  std::string body;  // the exact bytes to sign and send
};
std::string EncodeDelivery(const Delivery& delivery);
// InvalidArgument when `payload` is not one EncodeDelivery wrote.
StatusOr<Delivery> DecodeDelivery(std::string_view payload);

// The "audit" topic's handler: logs every audit event (as "audit_event") and,
// for an event with a tenantId, queues one "webhook" message per enabled
// endpoint of that tenant subscribed to its type, all in one transaction.
// Endpoints are chosen when the audit message is delivered, not when the
// event happened. Thread-safe.
class Fanout {
 public:
  // `on_queued` (optional) runs after a commit that queued deliveries, e.g. to
  // wake the dispatcher so the first attempt is immediate.
  Fanout(Database& db, const Clock& clock, std::function<void()> on_queued = nullptr);

  // OK when the event was handled (deliveries queued, or none owed);
  // InvalidArgument (permanent) for a malformed payload; the store's error
  // (retried) when the endpoints cannot be read or the deliveries not queued.
  Status Handle(const OutboxMessage& message) const;

 private:
  Database& db_;
  const Clock& clock_;
  std::function<void()> on_queued_;
};

}  // namespace portico::webhooks
