#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace portico::testing {

// A helper process for tests (a real SMTP or HTTP server script): started with
// posix_spawn, its stdout on a pipe the test reads line by line (e.g. "PORT
// 41234"), its stderr shared with the test's, and stopped by PID — SIGTERM,
// then SIGKILL if it has not exited within the grace period. The destructor
// terminates a process still running. Not thread-safe; one owner.
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess() { Terminate(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] (an absolute path; PATH is not searched) with argv and the
  // current environment. Returns false and sets `error` on failure.
  bool Start(const std::vector<std::string>& argv, std::string* error = nullptr) {
    if (pid_ > 0 || argv.empty()) {
      if (error != nullptr) *error = pid_ > 0 ? "already started" : "empty argv";
      return false;
    }
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      if (error != nullptr) *error = std::string("pipe2: ") + std::strerror(errno);
      return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    // dup2 clears close-on-exec on the child's stdout only; both pipe ends
    // (and any descriptor of a concurrently spawned sibling) close on exec.
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
      close(fds[0]);
      if (error != nullptr) *error = "posix_spawn " + argv[0] + ": " + std::strerror(rc);
      return false;
    }
    pid_ = pid;
    stdout_fd_ = fds[0];
    buffer_.clear();
    return true;
  }

  // The next line of the child's stdout without its newline, or nullopt when
  // the timeout passes or the child closed its stdout first.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      size_t newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
      }
      if (stdout_fd_ < 0) return std::nullopt;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{stdout_fd_, POLLIN, 0};
      int ready = poll(&pfd, 1, static_cast<int>(left.count()));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return std::nullopt;
      char chunk[4096];
      ssize_t n = read(stdout_fd_, chunk, sizeof(chunk));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {  // EOF: the child closed stdout (or exited)
        close(stdout_fd_);
        stdout_fd_ = -1;
        continue;
      }
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }

  // SIGTERM to this child only, wait up to `grace`, then SIGKILL. Returns the
  // wait status (see WIFEXITED), or -1 when nothing was running.
  int Terminate(std::chrono::milliseconds grace = std::chrono::seconds(5)) {
    if (stdout_fd_ >= 0) {
      close(stdout_fd_);
      stdout_fd_ = -1;
    }
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (true) {
      pid_t done = waitpid(pid_, &status, WNOHANG);
      if (done == pid_ || (done < 0 && errno != EINTR)) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

}  // namespace portico::testing
