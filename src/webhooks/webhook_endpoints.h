#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/database.h"
#include "portico/random.h"
#include "portico/status.h"
#include "portico/webhook_store.h"

namespace portico::webhooks {

// The AES-256-GCM key that seals endpoint secrets at rest, derived from
// KEY_HASH_SECRET so that it equals no key hash. Pure; thread-safe.
std::string SecretSealingKey(std::string_view key_hash_secret);
// `secret` sealed for the endpoint `endpoint_id` (the id is authenticated, so
// a sealed secret copied to another row does not open). Thread-safe.
std::string SealSecret(std::string_view sealing_key, std::string_view endpoint_id,
                       std::string_view secret);
// The "whsec_…" secret, or nullopt when it was sealed under another key
// (KEY_HASH_SECRET changed), for another endpoint, or altered. Thread-safe.
std::optional<std::string> OpenSecret(std::string_view sealing_key, std::string_view endpoint_id,
                                      std::string_view sealed);

// A new endpoint and its secret, which is shown once and never again.
struct CreatedEndpoint {
  WebhookEndpoint endpoint;  // endpoint.sealed_secret is the stored (sealed) form
  std::string secret;        // "whsec_…"
};

// Manages a tenant's webhook endpoints (the CLI's `portico webhook …`).
// Thread-safe (each call leases its own session).
class EndpointService {
 public:
  EndpointService(Database& db, std::string_view key_hash_secret, Random& random,
                  const Clock& clock);

  // Creates an enabled endpoint with a fresh secret. InvalidArgument (tag
  // invalid_url / invalid_events) for a URL ValidateWebhookUrl refuses or a
  // subscription list NormaliseEventSubscriptions refuses; NotFound when the
  // tenant does not exist; Unavailable when the database is down.
  StatusOr<CreatedEndpoint> Add(std::string_view tenant_id, std::string_view url,
                                const std::vector<std::string>& events);
  // The tenant's endpoints, oldest first (secrets sealed: never show them).
  StatusOr<std::vector<WebhookEndpoint>> List(std::string_view tenant_id);
  // Deletes one; NotFound when the tenant has no endpoint with that id.
  // Messages already queued for it are dropped at their next attempt.
  Status Remove(std::string_view tenant_id, std::string_view id);

 private:
  Database& db_;
  std::string sealing_key_;
  Random& random_;
  const Clock& clock_;
};

}  // namespace portico::webhooks
