#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "portico/webhook_store.h"
#include "tests/fakes/in_memory_oauth_stores.h"

namespace portico::testing {

// Everything the in-memory webhook store holds; a plain value, so
// InMemoryDatabase can snapshot and restore it with the rest of its state.
struct InMemoryWebhookState {
  std::vector<WebhookEndpoint> endpoints;  // insertion order
};

// WebhookStore in memory, with the semantics of db/SociWebhookStore: NotFound
// when the endpoint's tenant does not exist (the foreign key). Calls are named
// "webhooks.Insert", "webhooks.ListByTenant" and so on.
class InMemoryWebhookStore : public WebhookStore {
 public:
  InMemoryWebhookStore(InMemoryWebhookState& state, OAuthStoreHooks hooks)
      : state_(state), hooks_(std::move(hooks)) {}

  Status Insert(const WebhookEndpoint& endpoint) override {
    OAuthStoreCall call = hooks_.enter("webhooks.Insert");
    if (!call.status.ok()) return call.status;
    for (const WebhookEndpoint& e : state_.endpoints) {
      if (e.id == endpoint.id) return AlreadyExists("a webhook endpoint with this id exists");
    }
    if (!hooks_.tenant_exists(endpoint.tenant_id)) return NotFound("tenant not found");
    WebhookEndpoint stored = endpoint;
    // The SQL store keeps Unix milliseconds.
    stored.created_at = FromUnixMillis(ToUnixMillis(endpoint.created_at));
    state_.endpoints.push_back(std::move(stored));
    return Status::Ok();
  }

  StatusOr<WebhookEndpoint> Find(std::string_view id) override {
    OAuthStoreCall call = hooks_.enter("webhooks.Find");
    if (!call.status.ok()) return call.status;
    for (const WebhookEndpoint& e : state_.endpoints) {
      if (e.id == id) return e;
    }
    return NotFound("webhook endpoint not found");
  }

  StatusOr<std::vector<WebhookEndpoint>> ListByTenant(std::string_view tenant_id) override {
    OAuthStoreCall call = hooks_.enter("webhooks.ListByTenant");
    if (!call.status.ok()) return call.status;
    std::vector<WebhookEndpoint> out;
    for (const WebhookEndpoint& e : state_.endpoints) {
      if (e.tenant_id == tenant_id) out.push_back(e);
    }
    std::sort(out.begin(), out.end(), [](const WebhookEndpoint& a, const WebhookEndpoint& b) {
      return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
    });
    return out;
  }

  Status SetEnabled(std::string_view tenant_id, std::string_view id, bool enabled) override {
    OAuthStoreCall call = hooks_.enter("webhooks.SetEnabled");
    if (!call.status.ok()) return call.status;
    for (WebhookEndpoint& e : state_.endpoints) {
      if (e.tenant_id == tenant_id && e.id == id) {
        e.enabled = enabled;
        return Status::Ok();
      }
    }
    return NotFound("webhook endpoint not found");
  }

  Status Delete(std::string_view tenant_id, std::string_view id) override {
    OAuthStoreCall call = hooks_.enter("webhooks.Delete");
    if (!call.status.ok()) return call.status;
    const size_t erased = std::erase_if(state_.endpoints, [&](const WebhookEndpoint& e) {
      return e.tenant_id == tenant_id && e.id == id;
    });
    if (erased == 0) return NotFound("webhook endpoint not found");
    return Status::Ok();
  }

 private:
  InMemoryWebhookState& state_;
  OAuthStoreHooks hooks_;
};

}  // namespace portico::testing
