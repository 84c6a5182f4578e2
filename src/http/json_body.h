#pragma once

#include <initializer_list>
#include <string_view>

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

// OK when the request has no Content-Type or its media type (parameters
// ignored, case-insensitive) is one of `accepted`; else InvalidArgument tagged
// "unsupported_media_type" (each family renders it 415) naming them.
Status CheckMediaType(const Request& req, std::initializer_list<std::string_view> accepted);

}  // namespace portico::http
