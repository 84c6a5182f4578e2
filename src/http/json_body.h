#pragma once

#include "portico/json.h"
#include "portico/status.h"
#include "src/http/request.h"

namespace portico::http {

// The request body as a JSON object. Empty body → InvalidArgument tag
// "invalid_json" "request body is empty"; malformed JSON → ParseJson's status
// (strict; duplicate members rejected); any other top-level value →
// InvalidArgument tag "invalid_json" "request body must be a JSON object".
// Content-Type checks are left to each family. Thread-safe.
StatusOr<Json> ParseJsonBody(const Request& req);

}  // namespace portico::http
