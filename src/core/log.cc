#include "portico/log.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cerrno>
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

void AppendMember(std::string& line, std::string_view name, const Json& value) {
  line.push_back(',');
  Json(name).DumpTo(line);
  line.push_back(':');
  value.DumpTo(line);
}

}  // namespace

void FlushLog() { LogWriter::Instance().Flush(); }

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

  LogWriter::Instance().Append(line, level >= LogLevel::kWarn);
}

}  // namespace portico
