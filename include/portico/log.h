#pragma once

#include <string_view>

#include "portico/json.h"

namespace portico {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// Writes one JSON object per line to stderr:
// {"ts":"…","level":"info","event":"…", …fields}. Thread-safe; a line is
// never interleaved with another. Lines are written by a background thread
// within a few milliseconds (warnings and errors at once) and flushed at
// exit. Never pass a secret in `fields`.
void Log(LogLevel level, std::string_view event, const Json& fields = Json::MakeObject());
// Blocks until every line logged so far has reached stderr.
void FlushLog();
// Lowest level written (default kInfo).
void SetLogLevel(LogLevel level);

}  // namespace portico
