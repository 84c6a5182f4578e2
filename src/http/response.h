#pragma once

#include <string>
#include <utility>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"

namespace portico::http {

// What a handler answers. The server adds Content-Length, Connection and
// X-Request-Id itself; `headers` carries everything else (Location, ETag,
// Retry-After, WWW-Authenticate, Cache-Control…). Content-Length, Connection
// and Transfer-Encoding in `headers` are ignored; a Content-Type there
// replaces `content_type`.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body = {};
  std::vector<std::pair<std::string, std::string>> headers = {};  // extra headers, sent as given

  static Response Json(int status, const portico::Json& body,
                       std::string content_type = "application/json");
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response NoContent();  // 204, no body, no Content-Type
  // Appends a header (repeated names are sent as one comma-joined field).
  // On a temporary the result is an rvalue, so that `return
  // Response::Json(…).NoStore();` moves the response instead of copying it.
  Response& WithHeader(std::string name, std::string value) &;
  Response&& WithHeader(std::string name, std::string value) &&;
  // Cache-Control: no-store, for answers that carry secrets or per-tenant settings.
  Response& NoStore() &;
  Response&& NoStore() &&;
};

// The conventional HTTP status of a code: InvalidArgument 400, Unauthenticated
// 401, PermissionDenied 403, NotFound 404, AlreadyExists / FailedPrecondition /
// Aborted 409, ResourceExhausted 429, TooLarge 413, Unimplemented 501,
// Unavailable 503, Internal 500 (OK 200).
int DefaultHttpStatus(StatusCode code);

// Fallback renderer for routes without a family format:
// {"error": "<tag or lower-case code name>", "error_description": message};
// 429 and 503 with retry_after_seconds add Retry-After. Never shows
// status.internal(). Thread-safe.
Response GenericErrorResponse(const Status& status);

}  // namespace portico::http
