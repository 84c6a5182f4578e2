#pragma once

// A deliberately small HTTP/1.x client over a plain POSIX socket, so the
// loopback tests control exactly what goes on the wire (no Connection header
// unless the test writes one) and can observe connection reuse and closing.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portico::http::testing {

struct WireResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;

  // First value of a header, case-insensitive name.
  std::optional<std::string> Header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k.size() != name.size()) continue;
      bool same = true;
      for (size_t i = 0; i < k.size() && same; ++i) {
        same = std::tolower(static_cast<unsigned char>(k[i])) ==
               std::tolower(static_cast<unsigned char>(name[i]));
      }
      if (same) return v;
    }
    return std::nullopt;
  }
  size_t HeaderCount(std::string_view name) const {
    size_t n = 0;
    for (const auto& [k, v] : headers) {
      (void)v;
      if (k.size() == name.size() && strncasecmp(k.data(), name.data(), k.size()) == 0) ++n;
    }
    return n;
  }
};

class LoopbackConnection {
 public:
  LoopbackConnection() = default;
  ~LoopbackConnection() { Close(); }
  LoopbackConnection(const LoopbackConnection&) = delete;
  LoopbackConnection& operator=(const LoopbackConnection&) = delete;

  // Connects to 127.0.0.1:port; false when refused.
  bool Connect(uint16_t port) {
    Close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      Close();
      return false;
    }
    return true;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response (Content-Length framed). nullopt on EOF, error or timeout.
  std::optional<WireResponse> Read(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    WireResponse r;
    std::string_view head(buffer_.data(), end);
    size_t line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    const size_t sp = status_line.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    r.version = std::string(status_line.substr(0, sp));
    r.status = std::atoi(std::string(status_line.substr(sp + 1, 3)).c_str());
    while (line_end != std::string_view::npos) {
      head.remove_prefix(line_end + 2);
      line_end = head.find("\r\n");
      std::string_view line = head.substr(0, line_end);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    size_t length = 0;
    if (auto cl = r.Header("Content-Length")) length = std::stoul(*cl);
    const size_t body_start = end + 4;
    while (buffer_.size() < body_start + length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(body_start, length);
    buffer_.erase(0, body_start + length);
    return r;
  }

  // True when the server closed (EOF or reset) within `timeout` with no more data.
  bool WaitClosed(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      pollfd p{fd_, POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) return true;
      buffer_.append(buf, static_cast<size_t>(n));  // unexpected data: keep it, keep waiting
    }
  }

  const std::string& unread() const { return buffer_; }

 private:
  bool Fill(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[16384];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

// "GET /path HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n" + body (Content-Length
// added when there is a body).
inline std::string HttpRequest(std::string_view method, std::string_view target,
                               std::string_view extra_headers = "", std::string_view body = "",
                               std::string_view version = "HTTP/1.1") {
  std::string r;
  r.append(method).append(" ").append(target).append(" ").append(version).append("\r\n");
  r.append("Host: test\r\n");
  r.append(extra_headers);
  if (!body.empty())
    r.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  r.append("\r\n");
  r.append(body);
  return r;
}

}  // namespace portico::http::testing
