#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/status.h"

namespace portico {

// A tenant's webhook endpoint: where its events are POSTed, signed per
// Standard Webhooks with the endpoint's own "whsec_…" secret.
struct WebhookEndpoint {
  std::string id;  // "we_…"
  std::string tenant_id;
  std::string url;                  // absolute http(s) URL, validated by the webhooks module
  std::vector<std::string> events;  // subscribed event types; "*" means all
  // The "whsec_…" secret sealed with AES-256-GCM (portico/crypto.h) by the
  // webhooks module: the server must read it back to sign, so it is
  // encrypted, never stored in clear. Opaque to the store.
  std::string sealed_secret;
  bool enabled = true;  // false once the receiver answered 410 Gone
  TimePoint created_at;
};

// The webhook_endpoints table. One instance belongs to one database session:
// not thread-safe.
class WebhookStore {
 public:
  virtual ~WebhookStore() = default;
  // OK, or AlreadyExists when the id is taken, NotFound when the tenant does
  // not exist.
  virtual Status Insert(const WebhookEndpoint& endpoint) = 0;
  // The endpoint with this id (of any tenant), or NotFound.
  virtual StatusOr<WebhookEndpoint> Find(std::string_view id) = 0;
  // A tenant's endpoints, enabled or not, oldest first (created_at, then id);
  // empty for an unknown tenant.
  virtual StatusOr<std::vector<WebhookEndpoint>> ListByTenant(std::string_view tenant_id) = 0;
  // Enables or disables the tenant's endpoint `id`; NotFound when the tenant
  // has no such endpoint.
  virtual Status SetEnabled(std::string_view tenant_id, std::string_view id, bool enabled) = 0;
  // Deletes the tenant's endpoint `id`; NotFound when the tenant has no such
  // endpoint. A tenant's endpoints are deleted with the tenant.
  virtual Status Delete(std::string_view tenant_id, std::string_view id) = 0;
};

}  // namespace portico
