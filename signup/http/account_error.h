#pragma once

#include "portico/status.h"
#include "src/http/request.h"
#include "src/http/response.h"

namespace portico::signup {

// Renders a non-OK Status as the account API's error envelope (seed 004):
//   {"success": false, "error": {"code", "message", "details"?,
//                                "recommendedAction"?, "retryAfter"?}}
// with Cache-Control: no-store. `code` is the Status tag when it is one of
// auth_requests.h's codes (or the CAPTCHA verifier's INVALID_CAPTCHA);
// otherwise it follows the StatusCode (UNAUTHORIZED 401 with
// WWW-Authenticate: Bearer, FORBIDDEN, NOT_FOUND, RATE_LIMITED,
// SERVICE_BUSY 503 for a full hashing pool, PAYLOAD_TOO_LARGE,
// UNSUPPORTED_MEDIA_TYPE, METHOD_NOT_ALLOWED, SERVICE_UNAVAILABLE,
// INTERNAL_ERROR). HTTP status: VALIDATION_ERROR 422, MALFORMED_JSON,
// INVALID_CAPTCHA and INVALID_CODE 400, ORIGIN_FORBIDDEN and
// ROLES_FORBIDDEN 403, EMAIL_EXISTS 409, INVALID_CREDENTIALS 401, else the
// StatusCode's. `details` is the Status details when they are an array (field
// errors) or an object; EMAIL_EXISTS lifts details.recommendedAction into the
// error (seed 003). Every retry_after_seconds gives Retry-After and
// error.retryAfter (seed 002). Never shows Status::internal. Thread-safe.
http::Response RenderAccountError(const Status& status, const http::Request& request);

}  // namespace portico::signup
