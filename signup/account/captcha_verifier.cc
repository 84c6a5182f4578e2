#include "signup/account/captcha_verifier.h"

#include <curl/curl.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portico/json.h"
#include "portico/parse_json.h"
#include "src/core/mail/curl_util.h"

namespace portico::signup {
namespace {

// Turnstile documents 2048 characters; hCaptcha tokens run to a few KB. A
// longer "token" is refused without spending a provider call on it.
constexpr size_t kMaxTokenBytes = 16 * 1024;
// Bounds on what is copied from the provider's answer into a Status.
constexpr size_t kMaxErrorCodes = 10;
constexpr size_t kMaxErrorCodeLength = 64;
constexpr size_t kMaxLoggedBody = 200;

// error-codes that blame the tenant's configuration or the provider, not the
// visitor: a 503 for the operator to see, not an INVALID_CAPTCHA the visitor
// would retry forever.
constexpr std::string_view kConfigurationErrors[] = {"missing-input-secret", "invalid-input-secret",
                                                     "sitekey-secret-mismatch", "bad-request",
                                                     "internal-error"};

Status Rejected(std::vector<std::string> codes) {
  Json list = Json::MakeArray();
  for (std::string& code : codes) list.Push(Json(std::move(code)));
  return InvalidArgument("the CAPTCHA was not accepted")
      .WithTag(kCaptchaInvalidTag)
      .WithDetails(Json::MakeObject().Set("errorCodes", std::move(list)));
}

Status ProviderUnavailable(std::string internal) {
  return Unavailable("CAPTCHA verification is unavailable; try again later")
      .WithInternal(std::move(internal));
}

// Replaces every occurrence of `secret` (defence in depth: a provider that
// echoed the request must not put the secret in a log line).
std::string Scrub(std::string text, const std::string& secret) {
  if (secret.empty()) return text;
  constexpr std::string_view kMask = "[redacted]";
  for (size_t pos = text.find(secret); pos != std::string::npos;
       pos = text.find(secret, pos + kMask.size())) {
    text.replace(pos, secret.size(), kMask);
  }
  return text;
}

struct Body {
  std::string data;
  size_t limit = 0;
  bool overflow = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* body = static_cast<Body*>(userdata);
  const size_t n = size * nmemb;
  if (body->data.size() + n > body->limit) {
    body->overflow = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  body->data.append(data, n);
  return n;
}

// Appends "name=value" percent-encoded; false when libcurl is out of memory.
bool AppendField(CURL* curl, std::string& form, std::string_view name, const std::string& value) {
  char* escaped = curl_easy_escape(curl, value.data(), static_cast<int>(value.size()));
  if (escaped == nullptr) return false;
  if (!form.empty()) form += '&';
  form.append(name).append("=").append(escaped);
  curl_free(escaped);
  return true;
}

std::string Lowered(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  return text;
}

std::vector<std::string> ErrorCodes(const Json& answer) {
  std::vector<std::string> codes;
  const Json* list = answer.Find("error-codes");
  if (list == nullptr || !list->is_array()) return codes;
  for (const Json& item : list->as_array()) {
    if (codes.size() == kMaxErrorCodes) break;
    if (!item.is_string() || item.as_string().empty()) continue;
    codes.push_back(item.as_string().substr(0, kMaxErrorCodeLength));
  }
  return codes;
}

// The tenant's own checks on an answer the provider called a success.
std::vector<std::string> FailedChecks(const CaptchaSettings& settings, const Json& answer) {
  std::vector<std::string> failed;
  if (!settings.expected_hostnames.empty()) {
    const Json* hostname = answer.Find("hostname");
    const std::string host =
        hostname != nullptr && hostname->is_string() ? Lowered(hostname->as_string()) : "";
    if (std::find(settings.expected_hostnames.begin(), settings.expected_hostnames.end(), host) ==
        settings.expected_hostnames.end()) {
      failed.emplace_back(kCaptchaHostnameMismatch);
    }
  }
  if (settings.min_score) {
    // No score (a v2 key answering a tenant that asked for v3) fails too.
    const Json* score = answer.Find("score");
    if (score == nullptr || !score->is_number() || score->as_double() < *settings.min_score) {
      failed.emplace_back(kCaptchaScoreTooLow);
    }
  }
  if (!settings.expected_action.empty()) {
    const Json* action = answer.Find("action");
    if (action == nullptr || !action->is_string() ||
        action->as_string() != settings.expected_action) {
      failed.emplace_back(kCaptchaActionMismatch);
    }
  }
  return failed;
}

}  // namespace

CurlCaptchaVerifier::CurlCaptchaVerifier(CurlCaptchaVerifierOptions options) : options_(options) {}

Status CurlCaptchaVerifier::Verify(const CaptchaSettings& settings,
                                   const CaptchaRequest& request) const {
  if (request.token.empty()) return Rejected({"missing-input-response"});
  if (request.token.size() > kMaxTokenBytes) return Rejected({"invalid-input-response"});
  const std::string provider(CaptchaProviderName(settings.provider));
  PORTICO_RETURN_IF_ERROR(mail::EnsureCurlInitialized());

  mail::CurlEasy curl(curl_easy_init());
  if (!curl) return ProviderUnavailable("curl_easy_init failed");
  CURL* h = curl.get();

  std::string form;
  bool encoded = AppendField(h, form, "secret", settings.secret) &&
                 AppendField(h, form, "response", request.token);
  if (encoded && !request.remote_ip.empty()) {
    encoded = AppendField(h, form, "remoteip", request.remote_ip);
  }
  if (encoded && settings.provider == CaptchaProvider::kHCaptcha && !settings.site_key.empty()) {
    encoded = AppendField(h, form, "sitekey", settings.site_key);
  }
  if (encoded && settings.provider == CaptchaProvider::kTurnstile &&
      !request.idempotency_key.empty()) {
    encoded = AppendField(h, form, "idempotency_key", request.idempotency_key);
  }
  mail::CurlSlist headers;
  encoded = encoded && mail::SlistAppend(headers, "Accept: application/json") &&
            mail::SlistAppend(headers, "Expect:");  // no 100-continue round trip
  if (!encoded) return ProviderUnavailable("out of memory building the siteverify request");

  const std::string url(settings.EffectiveVerifyUrl());
  Body body{.limit = options_.max_response_bytes};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const long timeout_ms = static_cast<long>(options_.timeout.count());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "portico-captcha/1");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  // POSTFIELDS sends application/x-www-form-urlencoded.
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, form.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);

  const CURLcode result = curl_easy_perform(h);
  if (body.overflow) {
    return ProviderUnavailable(provider + " siteverify answer is larger than " +
                               std::to_string(options_.max_response_bytes) + " bytes");
  }
  if (result != CURLE_OK) {
    return ProviderUnavailable(
        provider + " siteverify failed: " +
        Scrub(mail::DescribeCurlError(result, error_buffer), settings.secret));
  }
  long http_status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &http_status);
  const std::string context = provider + " siteverify HTTP " + std::to_string(http_status);
  if (http_status == 429 || http_status >= 500) return ProviderUnavailable(context);

  StatusOr<Json> answer = ParseJson(body.data);
  const Json* success = answer.ok() ? answer->Find("success") : nullptr;
  if (success == nullptr || !success->is_bool()) {
    return ProviderUnavailable(context + ", not a siteverify answer: " +
                               Scrub(body.data.substr(0, kMaxLoggedBody), settings.secret));
  }
  std::vector<std::string> codes = ErrorCodes(*answer);
  if (success->as_bool()) {
    if (http_status < 200 || http_status >= 300) {
      return ProviderUnavailable(context + " with success true");
    }
    std::vector<std::string> failed = FailedChecks(settings, *answer);
    if (!failed.empty()) return Rejected(std::move(failed));
    return Status::Ok();
  }
  for (const std::string& code : codes) {
    if (std::find(std::begin(kConfigurationErrors), std::end(kConfigurationErrors), code) !=
        std::end(kConfigurationErrors)) {
      return ProviderUnavailable(context + ": the provider refused the tenant's configuration (" +
                                 code + ")");
    }
  }
  if (codes.empty()) codes.emplace_back("invalid-input-response");
  return Rejected(std::move(codes));
}

}  // namespace portico::signup
