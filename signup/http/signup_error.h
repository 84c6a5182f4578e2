#pragma once

#include "portico/status.h"
#include "src/http/request.h"
#include "src/http/response.h"

namespace portico::signup {

inline constexpr char kFeatureDisabled[] = "FEATURE_DISABLED";

// Renders a non-OK Status as the one signup error envelope
//   {"code": "…", "message": "…", "details": {…}}
// with Cache-Control: no-store. `code` is the Status tag when it is one of
// the API's codes (INVALID_REQUEST, NOT_FOUND, SLUG_TAKEN, SESSION_EXPIRED,
// EMAIL_ALREADY_VERIFIED, RATE_LIMITED, CONFLICT, FEATURE_DISABLED, and
// provisioning's EMAIL_NOT_VERIFIED, PROVISIONING_IN_PROGRESS and
// ALREADY_PROVISIONED, all 409, and IDEMPOTENCY_KEY_REUSED, 422); the OTP
// verifier's OTP_INVALID / OTP_EXPIRED / OTP_LOCKED and malformed JSON are
// INVALID_REQUEST (their details kept); otherwise it follows the StatusCode
// (NOT_FOUND, CONFLICT, RATE_LIMITED, PAYLOAD_TOO_LARGE,
// UNSUPPORTED_MEDIA_TYPE 415, METHOD_NOT_ALLOWED 405, SERVICE_UNAVAILABLE,
// INTERNAL_ERROR …). HTTP status: DefaultHttpStatus, but SESSION_EXPIRED is
// 410 Gone. `details` is always an object (the Status details, or {}).
// Retry-After accompanies every retry_after_seconds; a 429 also carries the
// IETF RateLimit-Policy and RateLimit fields
// (draft-ietf-httpapi-ratelimit-headers) built from details.scope, .limit,
// .windowSeconds and .retryAfterSeconds:
//   RateLimit-Policy: "ip";q=20;w=3600
//   RateLimit: "ip";r=0;t=1187
// Never shows Status::internal. Thread-safe.
http::Response RenderSignupError(const Status& status, const http::Request& request);

// FEATURE_DISABLED (Unavailable, 503) with details.retryAfterSeconds and
// retry_after_seconds set: what every endpoint answers while
// SELF_SERVE_SIGNUP_ENABLED is false.
Status FeatureDisabled(int retry_after_seconds);

}  // namespace portico::signup
