#include "portico/log.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <cerrno>
#include <charconv>
#include <mutex>
#include <string>
#include <thread>

#include "portico/clock.h"

namespace portico {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

void WriteAll(const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
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

// Request threads only copy their line into a buffer; one writer thread
// turns many lines into one write(2). A write per line under a shared lock
// cost a third of the throughput of a cheap authenticated request. Lines
// stay whole and in order; warnings and errors are written at once; the
// buffer is flushed at exit. A crash (SIGKILL) can lose the last few
// milliseconds of lines, never a partial line.
class LogWriter {
 public:
  static LogWriter& Instance() {
    static LogWriter writer;
    return writer;
  }

  void Append(const std::string& line, bool urgent) {
    std::unique_lock lock(mu_);
    if (stopped_) {  // during exit: no writer thread any more
      WriteAll(line);
      return;
    }
    if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
    pending_ += line;
    if (urgent || pending_.size() >= kFlushBytes) {
      urgent_ = true;
      cv_.notify_one();
    }
  }

  // Waits until every line appended so far has been written.
  void Flush() {
    std::unique_lock lock(mu_);
    if (stopped_ || !thread_.joinable()) return;
    urgent_ = true;
    cv_.notify_one();
    flushed_.wait(lock, [this] { return stopped_ || (pending_.empty() && !writing_); });
  }

  ~LogWriter() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
      cv_.notify_one();
    }
    if (thread_.joinable()) thread_.join();
    WriteAll(pending_);
  }

 private:
  static constexpr size_t kFlushBytes = 64 * 1024;
  static constexpr auto kFlushEvery = std::chrono::milliseconds(5);

  void Run() {
    std::string batch;
    std::unique_lock lock(mu_);
    while (!stopped_) {
      cv_.wait_for(lock, kFlushEvery, [this] { return stopped_ || urgent_; });
      urgent_ = false;
      if (pending_.empty()) continue;
      batch.swap(pending_);
      writing_ = true;
      lock.unlock();
      WriteAll(batch);
      batch.clear();
      lock.lock();
      writing_ = false;
      flushed_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::condition_variable flushed_;
  std::string pending_;
  bool writing_ = false;
  bool urgent_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

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

// {"ts":…,"level":…,"event":… — the envelope every line starts with.
void StartLine(std::string& line, LogLevel level, std::string_view event) {
  line.reserve(256);
  line += "{\"ts\":\"";
  char ts[kRfc3339Length];  // digits and punctuation only: nothing to escape
  FormatRfc3339To(SystemClock().Now(), ts);
  line.append(ts, kRfc3339Length);
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += "\",\"event\":";
  JsonWriter(line).String(event);
}

bool Enabled(LogLevel level) { return static_cast<int>(level) >= g_min_level.load(); }

}  // namespace

void FlushLog() { LogWriter::Instance().Flush(); }

void SetLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }

void Log(LogLevel level, std::string_view event, const Json& fields) {
  if (!Enabled(level)) return;
  std::string line;
  StartLine(line, level, event);
  JsonWriter writer(line);
  if (fields.is_object()) {
    for (const auto& [name, value] : fields.as_object()) {
      // The three leading names belong to the envelope; keep the line valid JSON.
      if (name == "ts" || name == "level" || name == "event") {
        std::string renamed = "field_";
        renamed += name;
        writer.Key(renamed);
      } else {
        writer.Key(name);
      }
      writer.Value(value);
    }
  } else if (!fields.is_null()) {
    writer.Key("fields").Value(fields);
  }
  line += "}\n";

  LogWriter::Instance().Append(line, level >= LogLevel::kWarn);
}

LogLine::LogLine(LogLevel level, std::string_view event) : level_(level), enabled_(Enabled(level)) {
  if (enabled_) StartLine(line_, level, event);
}

// ,"name": — a field always follows the envelope, so the comma is certain,
// and names are the caller's literals: plain ASCII with nothing to escape
// (asserted), so they are copied as they are.
void LogLine::AppendName(std::string_view name) {
  assert(name != "ts" && name != "level" && name != "event");
  assert(std::all_of(name.begin(), name.end(), [](char c) {
    return c > 0x20 && c < 0x7f && c != '"' && c != '\\';
  }));
  line_ += ",\"";
  line_ += name;
  line_ += "\":";
}

LogLine& LogLine::String(std::string_view name, std::string_view value) {
  if (!enabled_) return *this;
  AppendName(name);
  JsonWriter(line_).String(value);
  return *this;
}

LogLine& LogLine::Int(std::string_view name, int64_t value) {
  if (!enabled_) return *this;
  AppendName(name);
  JsonWriter(line_).Int(value);
  return *this;
}

LogLine& LogLine::Fixed(std::string_view name, int64_t value, int decimals) {
  assert(decimals >= 1 && decimals <= 9);
  if (!enabled_) return *this;
  int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  // |value| without overflow at INT64_MIN.
  const uint64_t magnitude =
      value < 0 ? uint64_t{0} - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  char text[48];
  char* p = text;
  if (value < 0) *p++ = '-';
  p = std::to_chars(p, text + sizeof text, magnitude / static_cast<uint64_t>(scale)).ptr;
  *p++ = '.';
  uint64_t fraction = magnitude % static_cast<uint64_t>(scale);
  for (int i = decimals - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  p += decimals;
  AppendName(name);
  line_.append(text, p);
  return *this;
}

void LogLine::Write() {
  if (!enabled_) return;
  enabled_ = false;
  line_ += "}\n";
  LogWriter::Instance().Append(line_, level_ >= LogLevel::kWarn);
}

}  // namespace portico
