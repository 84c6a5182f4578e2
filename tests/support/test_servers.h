#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "portico/json.h"
#include "portico/parse_json.h"
#include "tests/support/child_process.h"

// Real servers for the mail tests: tests/support/smtp_sink.py and
// tests/support/http_recorder.py, each started on a free loopback port and
// stopped by PID when the test ends.
namespace portico::testing {

inline std::filesystem::path MakeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "portico-mail-XXXXXX").string();
  char* made = mkdtemp(pattern.data());
  EXPECT_NE(made, nullptr) << "mkdtemp failed";
  return made == nullptr ? std::filesystem::path() : std::filesystem::path(made);
}

inline std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Starts `script` (in tests/support) with the system Python and `args`, and
// reads the "PORT <n>" line. Returns the port, 0 after ADD_FAILURE.
inline int StartSupportScript(ChildProcess& process, const std::string& script,
                              std::vector<std::string> args) {
  std::vector<std::string> argv = {PORTICO_TEST_PYTHON,
                                   std::string(PORTICO_TEST_SUPPORT_DIR) + "/" + script};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string error;
  if (!process.Start(argv, &error)) {
    ADD_FAILURE() << "cannot start " << script << ": " << error;
    return 0;
  }
  std::optional<std::string> line = process.ReadLine(std::chrono::seconds(20));
  if (!line || line->rfind("PORT ", 0) != 0) {
    ADD_FAILURE() << script << " did not print its port (got: " << line.value_or("<nothing>")
                  << ")";
    return 0;
  }
  return std::atoi(line->c_str() + 5);
}

// tests/support/smtp_sink.py: a real SMTP server writing each accepted message
// to <dir>/<n>.eml.
class SmtpSink {
 public:
  explicit SmtpSink(std::vector<std::string> extra_args = {}) : dir_(MakeTempDir()) {
    std::vector<std::string> args = {"--port", "0", "--dir", dir_.string()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    port_ = StartSupportScript(process_, "smtp_sink.py", args);
  }
  ~SmtpSink() {
    process_.Terminate();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // The accepted messages in order (envelope line + raw DATA, CRLF endings).
  std::vector<std::string> Messages() const {
    std::vector<std::string> messages;
    for (int n = 1;; ++n) {
      std::filesystem::path path = dir_ / (std::to_string(n) + ".eml");
      if (!std::filesystem::exists(path)) break;
      messages.push_back(ReadFile(path));
    }
    return messages;
  }

 private:
  std::filesystem::path dir_;
  ChildProcess process_;
  int port_ = 0;
};

// tests/support/http_recorder.py: a real HTTP server recording each request.
class HttpRecorder {
 public:
  explicit HttpRecorder(std::vector<std::string> extra_args = {}) : dir_(MakeTempDir()) {
    std::vector<std::string> args = {"--port", "0", "--out", (dir_ / "requests.jsonl").string()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    port_ = StartSupportScript(process_, "http_recorder.py", args);
  }
  ~HttpRecorder() {
    process_.Terminate();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  int port() const { return port_; }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // The recorded requests, oldest first: {"seq", "method", "path", "headers"
  // (lower-case names), "body", "body_base64"}.
  std::vector<Json> Requests() const {
    std::vector<Json> requests;
    std::istringstream lines(ReadFile(dir_ / "requests.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      StatusOr<Json> parsed = ParseJson(line);
      if (!parsed.ok()) {
        ADD_FAILURE() << "unreadable record: " << line;
        continue;
      }
      requests.push_back(*parsed);
    }
    return requests;
  }

 private:
  std::filesystem::path dir_;
  ChildProcess process_;
  int port_ = 0;
};

// A loopback port with no server behind it. kRefusing: the socket is bound
// (so no one else takes the port) but never listens, so a connection is
// refused. kSilent: it listens, so the kernel completes the handshake, but
// never accepts or speaks: a hung server, for timeout tests.
class DeadPort {
 public:
  enum Mode { kRefusing, kSilent };
  explicit DeadPort(Mode mode) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    bool ok = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
              getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0 &&
              (mode == kRefusing || listen(fd_, 8) == 0);
    EXPECT_TRUE(ok) << "cannot set up a loopback socket";
    port_ = ntohs(addr.sin_port);
  }
  ~DeadPort() {
    if (fd_ >= 0) close(fd_);
  }
  DeadPort(const DeadPort&) = delete;
  DeadPort& operator=(const DeadPort&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace portico::testing
