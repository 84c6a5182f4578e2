#include "src/webhooks/fanout.h"

#include <utility>

#include "portico/crypto.h"
#include "portico/log.h"
#include "portico/parse_json.h"
#include "src/webhooks/webhook_rules.h"

namespace portico::webhooks {

std::string WebhookId(int64_t audit_message_id, std::string_view endpoint_id) {
  const std::string digest = Sha256("portico webhook-id\n" + std::to_string(audit_message_id) +
                                    "\n" + std::string(endpoint_id));
  return "msg_" + HexEncode(std::string_view(digest).substr(0, 16));
}

StatusOr<std::string> WebhookBody(const Json& event, TimePoint fallback_time) {
  const Json* type = event.Find("type");
  if (type == nullptr || !type->is_string()) {
    return InvalidArgument("an audit event needs a string \"type\"");
  }
  const Json* at = event.Find("at");
  Json data = Json::MakeObject();
  for (const auto& [name, value] : event.as_object()) {
    if (name != "type" && name != "at") data.Set(name, value);
  }
  Json body = Json::MakeObject();
  body.Set("type", *type)
      .Set("timestamp", at != nullptr && at->is_string() ? *at : Json(FormatRfc3339(fallback_time)))
      .Set("data", std::move(data));
  return body.Dump();
}

std::vector<WebhookEndpoint> SelectEndpoints(const std::vector<WebhookEndpoint>& endpoints,
                                             std::string_view type) {
  std::vector<WebhookEndpoint> selected;
  for (const WebhookEndpoint& endpoint : endpoints) {
    if (endpoint.enabled && Subscribes(endpoint.events, type)) selected.push_back(endpoint);
  }
  return selected;
}

std::string EncodeDelivery(const Delivery& delivery) {
  return Json::MakeObject()
      .Set("endpointId", delivery.endpoint_id)
      .Set("webhookId", delivery.webhook_id)
      .Set("type", delivery.type)
      .Set("body", delivery.body)
      .Dump();
}

StatusOr<Delivery> DecodeDelivery(std::string_view payload) {
  StatusOr<Json> parsed = ParseJson(payload);
  if (!parsed.ok()) return InvalidArgument("malformed webhook payload");
  Delivery delivery;
  for (auto [name, out] : {std::pair{"endpointId", &delivery.endpoint_id},
                           std::pair{"webhookId", &delivery.webhook_id},
                           std::pair{"type", &delivery.type}, std::pair{"body", &delivery.body}}) {
    const Json* value = parsed->Find(name);
    if (value == nullptr || !value->is_string()) {
      return InvalidArgument(std::string("webhook payload lacks \"") + name + "\"");
    }
    *out = value->as_string();
  }
  return delivery;
}

Fanout::Fanout(Database& db, const Clock& clock, std::function<void()> on_queued)
    : db_(db), clock_(clock), on_queued_(std::move(on_queued)) {}

Status Fanout::Handle(const OutboxMessage& message) const {
  StatusOr<Json> event = ParseJson(message.payload);
  if (!event.ok() || !event->is_object()) return InvalidArgument("malformed audit payload");
  const Json* type = event->Find("type");
  const Json* tenant_id = event->Find("tenantId");
  int64_t queued = 0;
  if (type != nullptr && type->is_string() && tenant_id != nullptr && tenant_id->is_string()) {
    std::vector<WebhookEndpoint> endpoints;
    // Most tenants have no endpoint: a read, without a write transaction.
    PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
      PORTICO_ASSIGN_OR_RETURN(endpoints, stores.webhooks().ListByTenant(tenant_id->as_string()));
      return Status::Ok();
    }));
    endpoints = SelectEndpoints(endpoints, type->as_string());
    if (!endpoints.empty()) {
      PORTICO_ASSIGN_OR_RETURN(std::string body, WebhookBody(*event, message.created_at));
      const TimePoint now = clock_.Now();
      PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
        for (const WebhookEndpoint& endpoint : endpoints) {
          const Delivery delivery{.endpoint_id = endpoint.id,
                                  .webhook_id = WebhookId(message.id, endpoint.id),
                                  .type = type->as_string(),
                                  .body = body};
          PORTICO_RETURN_IF_ERROR(
              stores.outbox().Enqueue(kWebhookTopic, EncodeDelivery(delivery), now).status());
        }
        return Status::Ok();
      }));
      queued = static_cast<int64_t>(endpoints.size());
      if (on_queued_) on_queued_();
    }
  }
  // Logged once handled, so a retried fan-out does not log the event twice.
  Json fields = Json::MakeObject();
  fields.Set("id", message.id).Set("audit", std::move(event).value());
  if (queued > 0) fields.Set("webhooks", queued);
  Log(LogLevel::kInfo, "audit_event", fields);
  return Status::Ok();
}

}  // namespace portico::webhooks
