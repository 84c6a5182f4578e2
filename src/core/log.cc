#include "portico/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>

#include "portico/clock.h"

namespace portico {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

const char* LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

void AppendMember(std::string& line, std::string_view name, const Json& value) {
  line.push_back(',');
  Json(name).DumpTo(line);
  line.push_back(':');
  value.DumpTo(line);
}

}  // namespace

void SetLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }

void Log(LogLevel level, std::string_view event, const Json& fields) {
  if (static_cast<int>(level) < g_min_level.load()) return;
  std::string line = "{\"ts\":";
  Json(FormatRfc3339(SystemClock().Now())).DumpTo(line);
  line += ",\"level\":";
  Json(LevelName(level)).DumpTo(line);
  line += ",\"event\":";
  Json(event).DumpTo(line);
  if (fields.is_object()) {
    for (const auto& [name, value] : fields.as_object()) {
      // The three leading names belong to the envelope; keep the line valid JSON.
      if (name == "ts" || name == "level" || name == "event") {
        AppendMember(line, "field_" + name, value);
      } else {
        AppendMember(line, name, value);
      }
    }
  } else if (!fields.is_null()) {
    AppendMember(line, "fields", fields);
  }
  line += "}\n";

  // One write(2) per line under a mutex: lines never interleave within this
  // process, and a single write keeps them whole for the reader of the pipe.
  std::lock_guard lock(WriteMutex());
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report a logging failure
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace portico
