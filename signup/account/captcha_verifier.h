#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "portico/status.h"
#include "signup/account/auth_settings.h"

namespace portico::signup {

// The Status tag of a CAPTCHA that was missing or not accepted (the sign-up
// API answers 400 INVALID_CAPTCHA).
inline constexpr char kCaptchaInvalidTag[] = "INVALID_CAPTCHA";

// Error codes Portico adds to the provider's own in details.errorCodes.
inline constexpr char kCaptchaHostnameMismatch[] = "hostname-mismatch";
inline constexpr char kCaptchaScoreTooLow[] = "score-too-low";
inline constexpr char kCaptchaActionMismatch[] = "action-mismatch";

// What one sign-up presents for verification.
struct CaptchaRequest {
  std::string token;            // the widget's response token (captchaToken)
  std::string remote_ip;        // the client's IP ("" → not sent)
  std::string idempotency_key;  // Turnstile only: a UUID that makes a retry safe ("" → not sent)
};

// Checks a CAPTCHA token with its provider. Implementations are thread-safe.
class CaptchaVerifier {
 public:
  virtual ~CaptchaVerifier() = default;

  // OK when the provider accepted the token and every check the tenant
  // configured holds (expected hostname, reCAPTCHA minimum score, action).
  // InvalidArgument tagged kCaptchaInvalidTag, with details
  // {"errorCodes": [...]} (the provider's error-codes, or Portico's own
  // above, or "missing-input-response" for an empty token, which is refused
  // without asking the provider), when the token is missing or not accepted.
  // Unavailable when the provider cannot give an answer — unreachable,
  // timed out, 5xx or 429, an unreadable or oversized body — or rejects the
  // tenant's own configuration (invalid-input-secret and the like): fail
  // closed, a sign-up never passes unverified. The secret never appears in
  // the Status (message or internal).
  //
  // May block for the whole timeout: call it on a worker thread, never on a
  // reactor thread.
  virtual Status Verify(const CaptchaSettings& settings, const CaptchaRequest& request) const = 0;
};

struct CurlCaptchaVerifierOptions {
  // The whole exchange, connection included.
  std::chrono::milliseconds timeout{5000};
  // A siteverify answer is a few hundred bytes; a larger body is refused.
  size_t max_response_bytes = 64 * 1024;
};

// The siteverify protocol shared by hCaptcha, Cloudflare Turnstile and
// Google reCAPTCHA, over libcurl: POST application/x-www-form-urlencoded
// secret, response, remoteip (when known), sitekey (hCaptcha, when
// configured), idempotency_key (Turnstile, when given) to the settings'
// effective verify URL; the JSON answer {success, error-codes, hostname,
// challenge_ts, action?, score?} decides. No redirects are followed.
// Thread-safe: each call uses its own curl handle.
class CurlCaptchaVerifier : public CaptchaVerifier {
 public:
  explicit CurlCaptchaVerifier(CurlCaptchaVerifierOptions options = {});

  Status Verify(const CaptchaSettings& settings, const CaptchaRequest& request) const override;

 private:
  CurlCaptchaVerifierOptions options_;
};

}  // namespace portico::signup
