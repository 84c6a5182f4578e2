#pragma once

#include <string_view>

#include "portico/json.h"
#include "portico/status.h"

namespace portico {

struct JsonParseOptions {
  int max_depth = 64;
};

// Strict RFC 8259 parsing. On failure returns InvalidArgument with tag
// "invalid_json" and a message saying what is wrong and at which byte offset.
// Duplicate member names in one object are an error (tag "duplicate_member",
// the name in the message), as is trailing content after the value.
// Thread-safe.
StatusOr<Json> ParseJson(std::string_view text, const JsonParseOptions& options = {});

}  // namespace portico
