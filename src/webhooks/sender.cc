#include "src/webhooks/sender.h"

#include <curl/curl.h>

#include <optional>
#include <string>

#include "portico/json.h"
#include "portico/log.h"
#include "portico/webhook_signature.h"
#include "portico/webhook_store.h"
#include "src/core/mail/curl_util.h"
#include "src/webhooks/fanout.h"
#include "src/webhooks/webhook_endpoints.h"

namespace portico::webhooks {
namespace {

using mail::CurlEasy;
using mail::CurlSlist;

// The receiver's answer is not used: read and drop it, so the connection
// completes normally.
size_t DiscardBody(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

struct HttpResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string error;  // for logs: libcurl's description (no URL, no secret)
};

HttpResult Post(const std::string& url, const std::string& body, const std::string& webhook_id,
                int64_t timestamp, const std::string& signature,
                std::chrono::milliseconds timeout) {
  HttpResult result;
  if (Status init = mail::EnsureCurlInitialized(); !init.ok()) {
    result.code = CURLE_FAILED_INIT;
    result.error = init.internal();
    return result;
  }
  CurlEasy curl(curl_easy_init());
  CurlSlist headers;
  const bool appended =
      curl && mail::SlistAppend(headers, "Content-Type: application/json") &&
      mail::SlistAppend(headers, std::string(kWebhookIdHeader) + ": " + webhook_id) &&
      mail::SlistAppend(headers,
                        std::string(kWebhookTimestampHeader) + ": " + std::to_string(timestamp)) &&
      mail::SlistAppend(headers, std::string(kWebhookSignatureHeader) + ": " + signature) &&
      mail::SlistAppend(headers, "Expect:");  // no 100-continue round trip
  if (!appended) {
    result.code = CURLE_OUT_OF_MEMORY;
    result.error = "cannot set up the request";
    return result;
  }
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(timeout.count());
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is a failed attempt
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "portico-webhooks/1");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, DiscardBody);
  result.code = curl_easy_perform(h);
  if (result.code != CURLE_OK) {
    result.error = mail::DescribeCurlError(result.code, error_buffer);
    return result;
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

}  // namespace

Sender::Sender(Database& db, const Clock& clock, std::string_view key_hash_secret,
               SenderOptions options)
    : db_(db), clock_(clock), sealing_key_(SecretSealingKey(key_hash_secret)), options_(options) {}

Status Sender::Deliver(const OutboxMessage& message) const {
  PORTICO_ASSIGN_OR_RETURN(const Delivery delivery, DecodeDelivery(message.payload));
  std::optional<WebhookEndpoint> endpoint;
  Status found = db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(endpoint, stores.webhooks().Find(delivery.endpoint_id));
    return Status::Ok();
  });
  if (found.code() == StatusCode::kNotFound) {
    return FailedPrecondition("webhook endpoint " + delivery.endpoint_id + " was removed");
  }
  PORTICO_RETURN_IF_ERROR(found);
  if (!endpoint->enabled) {
    return FailedPrecondition("webhook endpoint " + endpoint->id + " is disabled");
  }
  const std::optional<std::string> secret =
      OpenSecret(sealing_key_, endpoint->id, endpoint->sealed_secret);
  if (!secret) {
    return FailedPrecondition("the secret of webhook endpoint " + endpoint->id +
                              " cannot be opened (was KEY_HASH_SECRET changed?)");
  }
  const int64_t timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  PORTICO_ASSIGN_OR_RETURN(const std::string signature,
                           SignWebhook(*secret, delivery.webhook_id, timestamp, delivery.body));

  const HttpResult result = Post(endpoint->url, delivery.body, delivery.webhook_id, timestamp,
                                 signature, options_.timeout);
  if (result.code != CURLE_OK) {
    return Unavailable("webhook receiver could not be reached").WithInternal(result.error);
  }
  Json fields = Json::MakeObject();
  fields.Set("endpointId", endpoint->id)
      .Set("webhookId", delivery.webhook_id)
      .Set("type", delivery.type)
      .Set("status", static_cast<int64_t>(result.status))
      .Set("attempt", message.attempts + 1);
  if (result.status >= 200 && result.status < 300) {
    Log(LogLevel::kInfo, "webhook.delivered", fields);
    return Status::Ok();
  }
  if (result.status == 410) {
    // Standard Webhooks: 410 Gone means the receiver wants no more deliveries.
    const Status disabled = db_.Run([&](Stores& stores) {
      return stores.webhooks().SetEnabled(endpoint->tenant_id, endpoint->id, false);
    });
    // Removed meanwhile is as good as disabled; otherwise retry, to disable it then.
    if (!disabled.ok() && disabled.code() != StatusCode::kNotFound) return disabled;
    Log(LogLevel::kWarn, "webhook.endpoint_disabled", fields);
    return FailedPrecondition("webhook receiver answered 410 Gone: endpoint " + endpoint->id +
                              " disabled");
  }
  return Unavailable("webhook receiver answered HTTP " + std::to_string(result.status));
}

}  // namespace portico::webhooks
