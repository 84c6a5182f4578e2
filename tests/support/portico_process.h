#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace portico::testing {

// Path of the `portico` binary under test (PORTICO_BIN, set by CMake).
std::string PorticoBinary();

using EnvVars = std::map<std::string, std::string>;

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or not started
  std::string out;
  std::string err;
};

// Runs `portico args…` to completion with exactly `env` (plus PATH) as its
// environment, in `cwd` when given. Thread-safe.
CommandResult RunPortico(const std::vector<std::string>& args, const EnvVars& env,
                         const std::string& cwd = "",
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A `portico serve` child process on an ephemeral loopback port, its stderr
// (the JSON log) captured to a file. Killed (SIGKILL) in the destructor if
// still running.
class PorticoServer {
 public:
  PorticoServer() = default;
  ~PorticoServer();
  PorticoServer(const PorticoServer&) = delete;
  PorticoServer& operator=(const PorticoServer&) = delete;

  // Starts `portico serve` with `env` (PORTICO_LISTEN defaults to
  // 127.0.0.1:0) and waits for its "listening" log line. False (with the
  // log in `error`) when it exits or does not listen within the timeout.
  bool Start(const EnvVars& env, std::string* error = nullptr,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  uint16_t port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  pid_t pid() const { return pid_; }

  void Signal(int signal);
  // Waits for exit; the exit code, or nullopt on timeout (or -signal when killed).
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  void Kill();  // SIGKILL and reap
  // Everything it has logged so far.
  std::string Log() const;
  // Waits until the log contains `needle`; false on timeout.
  bool WaitForLog(const std::string& needle, std::chrono::milliseconds timeout) const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::string log_path_;
  std::optional<int> exit_code_;
};

// A free loopback TCP port (bound and released; racy but fine for tests).
uint16_t FreePort();

}  // namespace portico::testing
