#include "src/webhooks/webhook_endpoints.h"

#include <utility>

#include "portico/crypto.h"
#include "portico/webhook_signature.h"
#include "src/webhooks/webhook_rules.h"

namespace portico::webhooks {
namespace {

constexpr char kEndpointIdPrefix[] = "we_";
constexpr size_t kEndpointIdBytes = 12;

}  // namespace

std::string SecretSealingKey(std::string_view key_hash_secret) {
  return HmacSha256(key_hash_secret, "portico webhook secret sealing key");
}

std::string SealSecret(std::string_view sealing_key, std::string_view endpoint_id,
                       std::string_view secret) {
  return SealAesGcm(sealing_key, secret, endpoint_id);
}

std::optional<std::string> OpenSecret(std::string_view sealing_key, std::string_view endpoint_id,
                                      std::string_view sealed) {
  return OpenAesGcm(sealing_key, sealed, endpoint_id);
}

EndpointService::EndpointService(Database& db, std::string_view key_hash_secret, Random& random,
                                 const Clock& clock)
    : db_(db), sealing_key_(SecretSealingKey(key_hash_secret)), random_(random), clock_(clock) {}

StatusOr<CreatedEndpoint> EndpointService::Add(std::string_view tenant_id, std::string_view url,
                                               const std::vector<std::string>& events) {
  PORTICO_RETURN_IF_ERROR(ValidateWebhookUrl(url));
  CreatedEndpoint created;
  WebhookEndpoint& endpoint = created.endpoint;
  PORTICO_ASSIGN_OR_RETURN(endpoint.events, NormaliseEventSubscriptions(events));
  std::string id_bytes(kEndpointIdBytes, '\0');
  random_.Fill(reinterpret_cast<uint8_t*>(id_bytes.data()), id_bytes.size());
  endpoint.id = kEndpointIdPrefix + HexEncode(id_bytes);
  endpoint.tenant_id = std::string(tenant_id);
  endpoint.url = std::string(url);
  endpoint.enabled = true;
  endpoint.created_at = clock_.Now();
  created.secret = GenerateWebhookSecret(random_);
  endpoint.sealed_secret = SealSecret(sealing_key_, endpoint.id, created.secret);
  PORTICO_RETURN_IF_ERROR(
      db_.Run([&](Stores& stores) { return stores.webhooks().Insert(endpoint); }));
  return created;
}

StatusOr<std::vector<WebhookEndpoint>> EndpointService::List(std::string_view tenant_id) {
  std::vector<WebhookEndpoint> endpoints;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(endpoints, stores.webhooks().ListByTenant(tenant_id));
    return Status::Ok();
  }));
  return endpoints;
}

Status EndpointService::Remove(std::string_view tenant_id, std::string_view id) {
  return db_.Run([&](Stores& stores) { return stores.webhooks().Delete(tenant_id, id); });
}

}  // namespace portico::webhooks
