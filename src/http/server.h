#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "portico/metrics.h"
#include "portico/status.h"
#include "src/http/cidr.h"
#include "src/http/router.h"

namespace portico::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0 → ephemeral (tests)
  int threads = 0;       // reactor threads, which run the handlers; 0 → hardware_concurrency
  // A larger body → 413 in the route family's format (or the prefix fallback's).
  size_t max_body_bytes = 1 << 20;
  // Peers whose X-Forwarded-For is believed (see ResolveClientIp).
  std::vector<Cidr> trusted_proxies = {};
  std::chrono::milliseconds drain_timeout{30000};
  // Both set: HTTPS only, TLS 1.2 minimum (see EnableTls). Both empty: plain HTTP.
  std::string tls_cert_file = {};
  std::string tls_key_file = {};
  // Counts every answered request (portico_http_requests_total and
  // portico_http_request_duration_seconds, by route pattern — "unmatched"
  // when no route matched — method and status); null counts nothing. Must
  // outlive the server.
  Metrics* metrics = nullptr;
};

// The HTTP server: Pistache underneath, Router on top. Adds what Pistache
// 0.0.5 lacks: HTTP/1.1 keep-alive by default, percent-decoding, body limit in
// the family's format, X-Request-Id, client IP through trusted proxies, a
// last-resort catch, an access log line per request, and a graceful drain.
class Server {
 public:
  // `router` must outlive the server and stay unchanged while it runs.
  Server(ServerOptions options, const Router& router);
  ~Server();  // Shutdown()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and serves on background threads. Unavailable naming the address
  // when it cannot bind; FailedPrecondition when already started.
  Status Start();
  // The bound port (after a successful Start), else 0.
  uint16_t port() const;
  // Graceful: stop accepting new connections (new ones are closed unanswered),
  // let in-flight requests (including async ones, until their Reply) finish, up
  // to drain_timeout, then stop. Requests still running after that are cut.
  // Idempotent; call it from any thread but a handler's.
  void Shutdown();
  // Requests received and not yet answered on the wire. Thread-safe.
  size_t in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace portico::http
