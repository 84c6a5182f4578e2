#pragma once

#include <cstdint>
#include <string>
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

// One line as Log writes it, with its fields appended in place instead of
// through a Json tree: for lines logged on every request. Nothing is built
// when the level is off. Field names are literals: printable ASCII without
// quote or backslash, and not "ts", "level" or "event" (asserted). Never pass
// a secret. Not thread-safe (one line, one thread).
class LogLine {
 public:
  LogLine(LogLevel level, std::string_view event);
  LogLine& String(std::string_view name, std::string_view value);
  LogLine& Int(std::string_view name, int64_t value);
  // value / 10^decimals as a decimal number with exactly `decimals` digits
  // after the point (1 to 9): Fixed("latency_ms", 12500, 3) writes 12.500.
  // Integer arithmetic only, for numbers logged on every request.
  LogLine& Fixed(std::string_view name, int64_t value, int decimals);
  // Hands the line to the writer; later calls do nothing.
  void Write();

 private:
  void AppendName(std::string_view name);

  LogLevel level_;
  bool enabled_;
  std::string line_;
};

}  // namespace portico
