#include "src/core/mail/resend_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "portico/json.h"
#include "portico/parse_json.h"
#include "src/core/mail/curl_util.h"
#include "src/core/mail/mail_transports.h"

namespace portico::mail {
namespace {

constexpr size_t kMaxResponseBytes = 64 * 1024;  // an error body is small; ignore the rest
constexpr size_t kMaxProviderMessage = 300;

struct Response {
  std::string body;
  std::optional<int> retry_after_seconds;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* response = static_cast<Response*>(userdata);
  size_t n = size * nmemb;
  size_t room = kMaxResponseBytes - std::min(kMaxResponseBytes, response->body.size());
  response->body.append(data, std::min(n, room));
  return n;  // consume everything, or curl aborts the transfer
}

// Picks up `Retry-After: <seconds>` (the HTTP-date form is ignored: the
// dispatcher's backoff applies instead).
size_t ReadHeader(char* data, size_t size, size_t nitems, void* userdata) {
  auto* response = static_cast<Response*>(userdata);
  std::string_view line(data, size * nitems);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower(line.substr(0, kName.size()));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == kName) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
      }
      int seconds = 0;
      size_t digits = 0;
      while (digits < value.size() && digits < 9 &&
             std::isdigit(static_cast<unsigned char>(value[digits]))) {
        seconds = seconds * 10 + (value[digits] - '0');
        ++digits;
      }
      if (digits > 0) response->retry_after_seconds = seconds;
    }
  }
  return size * nitems;
}

std::string Scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  constexpr std::string_view kMask = "[redacted]";
  for (size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + kMask.size())) {
    text.replace(pos, secret.size(), kMask);
  }
  return text;
}

}  // namespace

ResendTransport::ResendTransport(std::string api_url, std::string api_key, std::string from,
                                 std::chrono::milliseconds timeout)
    : endpoint_(std::move(api_url) + "/emails"),
      api_key_(std::move(api_key)),
      from_(std::move(from)),
      timeout_(timeout) {}

Status ResendTransport::Send(const MailMessage& message) {
  PORTICO_RETURN_IF_ERROR(ValidateMailMessage(message));

  Json body = Json::MakeObject();
  body.Set("from", from_);
  body.Set("to", Json(Json::Array{Json(message.to)}));
  body.Set("subject", message.subject);
  if (message.template_id.empty()) {
    body.Set("text", message.text);
  } else {
    Json template_ref = Json::MakeObject();
    template_ref.Set("id", message.template_id);
    if (message.template_data.is_object() && !message.template_data.as_object().empty()) {
      template_ref.Set("variables", message.template_data);
    }
    body.Set("template", std::move(template_ref));
  }
  const std::string payload = body.Dump();

  CurlEasy curl(curl_easy_init());
  if (!curl) return Unavailable("mail delivery failed").WithInternal("curl_easy_init failed");
  CurlSlist headers;
  bool appended = SlistAppend(headers, "Authorization: Bearer " + api_key_) &&
                  SlistAppend(headers, "Content-Type: application/json") &&
                  SlistAppend(headers, "Accept: application/json") &&
                  SlistAppend(headers, "Expect:");  // no 100-continue round trip
  if (appended && !message.idempotency_key.empty()) {
    appended = SlistAppend(headers, "Idempotency-Key: " + message.idempotency_key);
  }
  if (!appended) return Unavailable("mail delivery failed").WithInternal("out of memory");

  Response response;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(timeout_.count());
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, endpoint_.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "portico-mail/1");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response);

  CURLcode result = curl_easy_perform(h);
  if (result != CURLE_OK) {
    // Network failure or timeout: the request may or may not have arrived; the
    // idempotency key makes the retry safe.
    return Unavailable("the mail provider could not be reached")
        .WithInternal(DescribeCurlError(result, error_buffer));
  }
  long http_status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status >= 200 && http_status < 300) return Status::Ok();

  // Resend's error body: {"statusCode": 422, "name": "validation_error", "message": "…"}.
  std::string name;
  std::string provider_message;
  if (StatusOr<Json> parsed = ParseJson(response.body); parsed.ok()) {
    if (const Json* n = parsed->Find("name"); n != nullptr && n->is_string()) name = n->as_string();
    if (const Json* m = parsed->Find("message"); m != nullptr && m->is_string()) {
      provider_message = m->as_string();
    }
  }
  if (provider_message.size() > kMaxProviderMessage) {
    provider_message.resize(kMaxProviderMessage);
    provider_message += "…";
  }
  provider_message = Scrub(std::move(provider_message), api_key_);
  name = Scrub(std::move(name), api_key_);
  std::string summary = "HTTP " + std::to_string(http_status) + (name.empty() ? "" : " " + name);
  std::string internal = Scrub(response.body.substr(0, 1024), api_key_);

  bool transient = http_status == 429 || http_status >= 500 ||
                   (http_status == 409 && name == "concurrent_idempotent_requests");
  if (transient) {
    Status status = Unavailable("the mail provider is unavailable (" + summary + ")");
    status.WithInternal(std::move(internal));
    if (response.retry_after_seconds) status.WithRetryAfter(*response.retry_after_seconds);
    return status;
  }
  return InvalidArgument("the mail provider rejected the message (" + summary + ")" +
                         (provider_message.empty() ? "" : ": " + provider_message))
      .WithInternal(std::move(internal));
}

}  // namespace portico::mail
