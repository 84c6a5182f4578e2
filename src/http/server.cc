#include "src/http/server.h"

#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <pistache/peer.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "portico/log.h"
#include "src/http/request_id.h"
#include "src/http/tls.h"
#include "portico/percent_decode.h"

namespace portico::http {
namespace {

namespace PH = Pistache::Http;
using SteadyClock = std::chrono::steady_clock;

// Pistache counts request line + headers + body against maxRequestSize; give
// the headers this much room above the body limit, so that a body just over
// the limit reaches our check (and the family's 413 format) instead of
// Pistache's plain-text 413.
constexpr size_t kHeaderAllowance = 64 * 1024;

// RFC 9110 §5.6.2 token.
bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// No CR, LF or NUL: a value can never start another header (response splitting).
bool IsSafeFieldValue(std::string_view s) {
  // A loop, not find_first_of: libstdc++ calls memchr once per character.
  return std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

uint64_t NextId() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1);
}

// The state shared by the reactor threads (each has its own handler copy),
// async replies, and the Server.
struct Core {
  Core(ServerOptions o, const Router& r) : options(std::move(o)), router(r) {
    if (options.metrics != nullptr) {
      requests = &options.metrics->AddCounter(
          "portico_http_requests_total",
          "HTTP requests answered, by route pattern, method and status",
          {"route", "method", "status"});
      durations = &options.metrics->AddHistogram(
          "portico_http_request_duration_seconds",
          "Time from reading a request to handing its response to the kernel, by route pattern "
          "and method",
          {"route", "method"}, LatencyBuckets());
    }
  }

  const ServerOptions options;
  const Router& router;
  const uint64_t id = NextId();  // unique in this process, unlike the address
  CounterFamily* requests = nullptr;    // null without options.metrics
  HistogramFamily* durations = nullptr;

  std::atomic<size_t> in_flight{0};
  std::atomic<bool> draining{false};
  std::mutex drain_mu;
  std::condition_variable drain_cv;

  // Async replies send under a shared lock; Shutdown closes `sends_open`
  // under the exclusive lock before tearing Pistache down, so no reply ever
  // touches a destroyed transport (or a destroyed Router).
  std::shared_mutex send_mu;
  bool sends_open = true;

  // Open client sockets, fd → socket inode. Pistache 0.0.5 does not close the
  // sockets of connections still open when it shuts down (Peer's destructor
  // leaves the fd open), so Shutdown closes them. The inode tells a socket we
  // still own from a reused fd number: Pistache's idle-timeout path closes
  // sockets without onDisconnection.
  std::mutex peers_mu;
  std::unordered_map<int, ino_t> peers;

  void Release() {
    if (in_flight.fetch_sub(1) == 1 && draining.load()) {
      std::lock_guard lock(drain_mu);
      drain_cv.notify_all();
    }
  }
};

// One request counted in flight until destroyed: after its response bytes were
// handed to the kernel, or when Pistache drops the write (peer gone). Holds a
// plain pointer: Server::Impl keeps the Core alive until Pistache (and with it
// every pending write) is gone, and an AsyncExchange keeps its own reference.
class InFlight {
 public:
  explicit InFlight(Core* core) : core_(core) { core_->in_flight.fetch_add(1); }
  ~InFlight() {
    if (core_ != nullptr) core_->Release();
  }
  InFlight(InFlight&& other) noexcept : core_(std::exchange(other.core_, nullptr)) {}
  InFlight& operator=(InFlight&&) = delete;
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  Core* core_;
};

// What the server knows about a request besides the Request itself.
struct Exchange {
  Core* core = nullptr;
  const Route* route = nullptr;
  SteadyClock::time_point start;
  PH::Version version = PH::Version::Http11;
  bool keep_alive = true;
};

// Decided here, not by Pistache: its Http::Handler::onInput would tell an
// HTTP/1.1 client that sends no Connection header to close. RFC 9112 §9.3:
// HTTP/1.1 connections persist unless "close" is sent; HTTP/1.0 ones only
// with "keep-alive". Every Connection field counts.
bool WantsKeepAlive(PH::Version version, const Request& req) {
  bool close = false;
  bool keep_alive = false;
  for (const auto& [name, value] : req.headers) {
    if (name != "connection") continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view token = rest.substr(0, comma);
      while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
        token.remove_prefix(1);
      while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
        token.remove_suffix(1);
      if (EqualsIgnoreCase(token, "close")) close = true;
      if (EqualsIgnoreCase(token, "keep-alive")) keep_alive = true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (close) return false;
  return version == PH::Version::Http11 || keep_alive;
}

void LogStatus(const Status& status, const Exchange& ex, const Request& req) {
  // Client errors are the client's business; a 5xx, or anything carrying an
  // internal detail, is ours.
  const int http_status = DefaultHttpStatus(status.code());
  if (http_status < 500 && status.internal().empty()) return;
  Json fields = Json::MakeObject();
  fields.Set("route", ex.route != nullptr ? ex.route->pattern : std::string("unmatched"));
  fields.Set("request_id", req.request_id);
  fields.Set("status", status.ToString());
  Log(http_status >= 500 ? LogLevel::kError : LogLevel::kWarn, "http_error", fields);
}

// The family's rendering of `status`; never throws. `log` false when the
// failure was logged already.
Response Render(const Exchange& ex, const Status& status, const Request& req, bool log = true) {
  if (log) LogStatus(status, ex, req);
  try {
    if (ex.route != nullptr) return RenderError(ex.route, nullptr, status, req);
    // req.path is the decoded path, or the raw one when it would not decode.
    return RenderError(nullptr, ex.core->router.FallbackRef(req.path), status, req);
  } catch (const std::exception& e) {
    Log(LogLevel::kError, "http_renderer_exception", Json::Object{{"detail", e.what()}});
  } catch (...) {
    Log(LogLevel::kError, "http_renderer_exception");
  }
  return GenericErrorResponse(Internal("internal error"));
}

// The route label is the pattern (bounded), never the raw path. Each thread
// remembers the children it used: the family lookup takes a lock that every
// reactor thread shares. Keyed by the server's id, since a thread (an async
// reply's) may outlive one server and serve the next.
void CountRequest(const Exchange& ex, const Request& req, int status) {
  const Core& core = *ex.core;
  if (core.requests == nullptr) return;
  struct Key {
    uint64_t core;
    const Route* route;
    std::string method;
    int status;
    auto operator<=>(const Key&) const = default;
  };
  struct Children {
    Counter* requests;
    Histogram* duration;
  };
  thread_local std::map<Key, Children> memo;
  auto [it, added] = memo.try_emplace(Key{core.id, ex.route, req.method, status}, Children{});
  if (added) {
    const std::string_view route =
        ex.route != nullptr ? std::string_view(ex.route->pattern) : "unmatched";
    it->second.requests = &core.requests->WithLabels({route, req.method, std::to_string(status)});
    it->second.duration = &core.durations->WithLabels({route, req.method});
  }
  it->second.requests->Inc();
  it->second.duration->Observe(std::chrono::duration<double>(SteadyClock::now() - ex.start).count());
}

void AccessLog(const Exchange& ex, const Request& req, int status, size_t bytes) {
  LogLine line(LogLevel::kInfo, "http_request");
  const int64_t latency_us =
      std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - ex.start).count();
  line.String("method", req.method)
      .String("route", ex.route != nullptr ? std::string_view(ex.route->pattern) : "unmatched")
      .Int("status", status)
      .Fixed("latency_ms", latency_us, 3)
      .String("request_id", req.request_id)
      .String("client_ip", req.client_ip);
  if (!req.log_tenant.empty()) line.String("tenant", req.log_tenant);
  line.Int("bytes", static_cast<int64_t>(bytes)).Write();
}

// The response as it goes on the wire: status line, Connection, X-Request-Id,
// Content-Type, the handler's headers (already checked: token names, values
// without CR/LF), Content-Length, body. Written here in one string rather than
// through Pistache's ResponseWriter, which formats through four ostreams and
// a header map per response (a tenth of a /healthz request).
std::string WireResponse(PH::Version version, int status, bool close, std::string_view request_id,
                         std::string_view content_type,
                         const std::vector<std::pair<std::string, std::string>>& more,
                         std::string_view body) {
  const char* phrase = PH::codeString(static_cast<PH::Code>(status));
  const std::string_view reason = phrase != nullptr ? phrase : "";  // optional (RFC 9112 §4)
  size_t size = 160 + reason.size() + request_id.size() + content_type.size() + body.size();
  for (const auto& [name, value] : more) size += name.size() + value.size() + 4;
  std::string wire;
  wire.reserve(size);
  wire += version == PH::Version::Http10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char digits[24];
  wire.append(digits, std::to_chars(digits, digits + sizeof digits, status).ptr);
  wire += ' ';
  wire += reason;
  wire += close ? "\r\nConnection: Close" : "\r\nConnection: Keep-Alive";
  wire += "\r\nX-Request-Id: ";
  wire += request_id;
  if (!content_type.empty()) {
    wire += "\r\nContent-Type: ";
    wire += content_type;
  }
  for (const auto& [name, value] : more) {
    wire += "\r\n";
    wire += name;
    wire += ": ";
    wire += value;
  }
  wire += "\r\nContent-Length: ";
  wire.append(digits, std::to_chars(digits, digits + sizeof digits, body.size()).ptr);
  wire += "\r\n\r\n";
  wire += body;
  return wire;
}

// Writes `response` and ends the exchange: Connection decision, headers,
// access log, and the in-flight token released once Pistache is done with the
// bytes. On a reactor thread, or (async) under Core::send_mu.
void Send(Core& core, PH::ResponseWriter& writer, const Exchange& ex, const Request& req,
          Response&& response, InFlight&& token) {
  const bool close = !ex.keep_alive || core.draining.load();
  std::string content_type = std::move(response.content_type);
  std::vector<std::pair<std::string, std::string>>& more = response.headers;
  size_t kept = 0;
  for (size_t i = 0; i < more.size(); ++i) {
    auto& [name, value] = more[i];
    if (!IsToken(name) || !IsSafeFieldValue(value)) {
      Log(LogLevel::kWarn, "http_header_dropped",
          Json::Object{{"name", IsToken(name) ? name : std::string("?")}});
      continue;
    }
    // Framing and connection management belong to the server.
    if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "connection") ||
        EqualsIgnoreCase(name, "transfer-encoding") || EqualsIgnoreCase(name, "x-request-id")) {
      continue;
    }
    if (EqualsIgnoreCase(name, "content-type")) {
      content_type = std::move(value);
      continue;
    }
    if (kept != i) more[kept] = std::move(more[i]);
    ++kept;
  }
  more.resize(kept);
  if (response.status == 204 || response.status == 304 || !IsSafeFieldValue(content_type)) {
    content_type.clear();
  }

  AccessLog(ex, req, response.status, response.body.size());
  CountRequest(ex, req, response.status);

  std::shared_ptr<Pistache::Tcp::Peer> peer = writer.getPeer();
  if (peer == nullptr) return;  // the client is gone; the token is released here
  std::string wire = WireResponse(ex.version, response.status, close, req.request_id,
                                  content_type, more, response.body);
  const size_t length = wire.size();
  const int close_fd = close ? peer->fd() : -1;
  // The promise resolves on the reactor thread right after the bytes were
  // written (the fd is still this connection's then); Pistache drops it unresolved
  // when the peer is gone, which destroys the callbacks and so the token.
  auto guard = std::make_shared<InFlight>(std::move(token));
  peer->send(Pistache::RawBuffer(std::move(wire), length))
      .then(
          [guard, close_fd](ssize_t) {
            // Half-close: the client reads the whole response, then EOF; the
            // reactor closes the socket when the client closes its side.
            if (close_fd >= 0) ::shutdown(close_fd, SHUT_WR);
          },
          [guard](std::exception_ptr) {});
}

// An async request between its handler call and its Reply.
class AsyncExchange {
 public:
  AsyncExchange(std::shared_ptr<Core> core, Exchange ex, PH::ResponseWriter writer,
                std::shared_ptr<Request> request, InFlight token)
      : core_(std::move(core)),
        ex_(std::move(ex)),
        writer_(std::move(writer)),
        request_(std::move(request)),
        token_(std::move(token)) {}

  ~AsyncExchange() {
    if (!done_.load()) {
      Complete(Internal("internal error")
                   .WithInternal("async handler dropped its Reply without calling it"));
    }
  }

  // Sends the reply unless one was sent already or the server is gone.
  void Complete(StatusOr<Response> result, bool log = true) noexcept {
    bool expected = false;
    if (!done_.compare_exchange_strong(expected, true)) return;  // replied already
    try {
      std::shared_lock lock(ex_.core->send_mu);
      if (!ex_.core->sends_open) return;  // the server is gone, and maybe the Router
      Response response =
          result.ok() ? std::move(result).value() : Render(ex_, result.status(), *request_, log);
      Send(*ex_.core, writer_, ex_, *request_, std::move(response), std::move(token_));
    } catch (...) {
      // Nothing left to tell the client; the token is released with this object.
    }
  }

 private:
  std::shared_ptr<Core> core_;  // outlives the Server when the reply comes late
  Exchange ex_;
  PH::ResponseWriter writer_;
  std::shared_ptr<Request> request_;
  InFlight token_;
  std::atomic<bool> done_{false};
};

// What the server keeps per connection.
struct PeerState {
  // Printed once per connection: Pistache formats it anew on every call,
  // which cost as much as a tenth of a /healthz request.
  std::string ip;
  // A body announced over the limit was refused unread: the request is
  // answered 413 and nothing after it on this connection is parsed (the
  // unread body must never be taken for a next request).
  bool discarding = false;
  // The header fields of the request being parsed, names lowercased, in the
  // order sent (see PeerParser::HeaderFields).
  std::vector<std::pair<std::string, std::string>> headers;
};

// The outcome of reading a request before any handler runs.
struct Prepared {
  Status status;                     // non-OK: answer with it, run no handler
  std::vector<std::string> allowed;  // non-empty with status: 405 and Allow
};

// Takes the parsed header fields from `peer`. With `peer.discarding`, the
// announced Content-Length is over the limit and the body was not read (see
// PeerParser).
Prepared Prepare(const Core& core, const PH::Request& preq, PeerState& peer, Request& req,
                 Exchange& ex) {
  Prepared out;
  req.method = PH::methodString(preq.method());
  const std::string& peer_ip = peer.ip;
  const bool body_too_large = peer.discarding;
  req.headers = std::move(peer.headers);
  peer.headers.clear();
  const std::string* request_id = nullptr;
  const std::string* forwarded_for = nullptr;
  for (const auto& [name, value] : req.headers) {
    if (name == "x-request-id") request_id = &value;
    if (name == "x-forwarded-for") forwarded_for = &value;
  }
  req.request_id =
      request_id != nullptr && IsValidRequestId(*request_id) ? *request_id : NewRequestId();

  if (forwarded_for == nullptr || core.options.trusted_proxies.empty()) {
    req.client_ip = peer_ip;
  } else {
    req.client_ip = ResolveClientIp(peer_ip, *forwarded_for, core.options.trusted_proxies);
  }
  // The unread rest of a body too large would be taken for the next request.
  ex.keep_alive = !body_too_large && WantsKeepAlive(ex.version, req);

  const std::string& raw_path = preq.resource();
  std::optional<std::string> path = PercentDecode(raw_path);
  if (!path) {
    req.path = raw_path;
    out.status = InvalidArgument("malformed percent-encoding in the request path");
    return out;
  }
  req.path = std::move(*path);

  Router::Match match = core.router.Find(req.method, req.path);
  if (match.route != nullptr) {
    ex.route = match.route;
    req.route = match.route->pattern;
    req.params = std::move(match.params);
  }

  if (body_too_large || preq.body().size() > core.options.max_body_bytes) {
    out.status = TooLarge("request body exceeds the limit of " +
                          std::to_string(core.options.max_body_bytes) + " bytes");
    return out;
  }
  if (match.route == nullptr) {
    if (match.allowed_methods.empty()) {
      out.status = NotFound("no resource at this path");
    } else {
      // No StatusCode means 405: the renderer gets this tag, the server sets 405.
      out.status = InvalidArgument("method " + req.method + " is not allowed on this resource")
                       .WithTag("method_not_allowed");
      out.allowed = std::move(match.allowed_methods);
    }
    return out;
  }

  const PH::Uri::Query& query = preq.query();
  for (auto it = query.parameters_begin(); it != query.parameters_end(); ++it) {
    std::optional<std::string> key = PercentDecode(it->first, /*plus_as_space=*/true);
    std::optional<std::string> value = PercentDecode(it->second, /*plus_as_space=*/true);
    if (!key || !value) {
      out.status = InvalidArgument("malformed percent-encoding in the query string");
      return out;
    }
    req.query.emplace_back(std::move(*key), std::move(*value));
  }
  // Pistache keeps the query in a hash map (first value per name, order lost);
  // sort so handlers see a stable order.
  std::sort(req.query.begin(), req.query.end());

  req.body = preq.body();
  return out;
}

// Peer data keys: a connection accepted while draining; the PeerState.
constexpr char kRejectedPeer[] = "portico.reject";
constexpr char kPeerState[] = "portico.peer";


// Pistache's request parser with its three steps replaced: a body announced
// over the limit is answered as soon as its headers are in, in the family's
// error format (read on, it would end in Pistache's plain-text 413 once its
// buffer, limit + header allowance, overflowed); and header fields are read
// into the PeerState as they are (see HeaderFields).
class PeerParser : public PH::RequestParser {
 public:
  PeerParser(size_t max_request_bytes, size_t max_body_bytes, PeerState* state)
      : PH::RequestParser(max_request_bytes) {
    allSteps[0] = std::make_unique<RequestLineOrDiscard>(&request, state);
    allSteps[1] = std::make_unique<HeaderFields>(&request, state);
    allSteps[2] = std::make_unique<BoundedBody>(&request, max_body_bytes, state);
  }

 private:
  class RequestLineOrDiscard : public PH::Private::RequestLineStep {
   public:
    RequestLineOrDiscard(PH::Request* request, PeerState* state)
        : RequestLineStep(request), state_(state) {}
    PH::Private::State apply(Pistache::StreamCursor& cursor) override {
      if (!state_->discarding) return RequestLineStep::apply(cursor);
      cursor.advance(cursor.remaining());
      return PH::Private::State::Again;
    }

   private:
    PeerState* state_;
  };

  // Pistache's own step builds a typed header object for every registered
  // name (Host, Authorization, …) and files each field in two hash maps, which
  // Pistache then copies twice per request: a third of a /healthz request.
  // The server reads fields by name from a list, so this step keeps them as
  // text, in order, and gives Pistache only the two its body step reads
  // (Content-Length, Transfer-Encoding). Stricter than Pistache where RFC 9112
  // asks: a field name must be a token (no space before the colon, no
  // obs-fold), Content-Length must be digits and agree with any repeat.
  class HeaderFields : public PH::Private::HeadersStep {
   public:
    HeaderFields(PH::Request* request, PeerState* state) : HeadersStep(request), state_(state) {}

    PH::Private::State apply(Pistache::StreamCursor& cursor) override {
      const std::string_view data(cursor.offset(), cursor.remaining());
      // Nothing is consumed until the whole block, up to the empty line, is in.
      size_t block_size = 0;
      if (!data.starts_with("\r\n")) {
        const size_t blank = data.find("\r\n\r\n");
        if (blank == std::string_view::npos) return PH::Private::State::Again;
        block_size = blank + 2;
      }
      auto& fields = state_->headers;
      fields.clear();
      std::optional<uint64_t> content_length;
      std::string_view block = data.substr(0, block_size);
      while (!block.empty()) {
        const size_t eol = block.find("\r\n");  // the block ends with one
        const std::string_view line = block.substr(0, eol);
        block.remove_prefix(eol + 2);
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
          raise("Malformed header field");
        }
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
          value.remove_prefix(1);
        }
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
          value.remove_suffix(1);
        }
        std::string name(line.substr(0, colon));
        for (char& c : name) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        if (name == "content-length") {
          const std::optional<uint64_t> length = ParseContentLength(value);
          if (!length || (content_length && *content_length != *length)) {
            raise("Invalid Content-Length");
          }
          if (!content_length) {
            message->headers().add(std::make_shared<PH::Header::ContentLength>(*length));
          }
          content_length = length;
        } else if (name == "transfer-encoding") {
          auto encoding = std::make_shared<PH::Header::TransferEncoding>();
          encoding->parseRaw(value.data(), value.size());
          message->headers().add(std::move(encoding));
        }
        fields.emplace_back(std::move(name), std::string(value));
      }
      cursor.advance(block_size + 2);
      return PH::Private::State::Next;
    }

   private:
    // 1*DIGIT, at most 19 of them (no overflow).
    static std::optional<uint64_t> ParseContentLength(std::string_view text) {
      if (text.empty() || text.size() > 19) return std::nullopt;
      uint64_t value = 0;
      for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<uint64_t>(c - '0');
      }
      return value;
    }

    PeerState* state_;
  };

  class BoundedBody : public PH::Private::BodyStep {
   public:
    BoundedBody(PH::Request* request, size_t max_body_bytes, PeerState* state)
        : BodyStep(request), max_body_bytes_(max_body_bytes), state_(state) {}
    PH::Private::State apply(Pistache::StreamCursor& cursor) override {
      const auto length = message->headers().tryGet<PH::Header::ContentLength>();
      if (length != nullptr && length->value() > max_body_bytes_) {
        state_->discarding = true;
        return PH::Private::State::Done;  // to onRequest, with the body unread
      }
      return BodyStep::apply(cursor);
    }

   private:
    size_t max_body_bytes_;
    PeerState* state_;
  };
};

class PisHandler : public PH::Handler {
 public:
  HTTP_PROTOTYPE(PisHandler)

  explicit PisHandler(std::shared_ptr<Core> core) : core_(std::move(core)) {}

  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
    // What Http::Handler::onConnection does (private there): every peer needs
    // its request parser.
    auto state = std::make_shared<PeerState>();
    state->ip = ResolveClientIp(peer->address().host(), std::nullopt, {});
    // The parser points at the state: both live as long as the peer.
    peer->putData(ParserData, std::make_shared<PeerParser>(
                                  getMaxRequestSize(), core_->options.max_body_bytes, state.get()));
    peer->putData(kPeerState, std::move(state));
    const int fd = peer->fd();
    if (core_->draining.load()) {
      // Draining: new connections are closed unanswered. Linux still delivers
      // bytes that arrived before the shutdown, so the mark stops onRequest
      // from running a handler for them.
      peer->putData(kRejectedPeer, core_);
      ::shutdown(fd, SHUT_RDWR);
      return;
    }
    struct stat st;
    if (::fstat(fd, &st) == 0) {
      std::lock_guard lock(core_->peers_mu);
      core_->peers[fd] = st.st_ino;
    }
  }

  void onDisconnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override {
    {
      std::lock_guard lock(core_->peers_mu);
      core_->peers.erase(peer->fd());
    }
    PH::Handler::onDisconnection(peer);
  }

  void onRequest(const PH::Request& preq, PH::ResponseWriter writer) override {
    Exchange ex;
    ex.core = core_.get();
    ex.start = SteadyClock::now();
    ex.version = preq.version();
    std::shared_ptr<PeerState> peer_state;
    if (std::shared_ptr<Pistache::Tcp::Peer> peer = writer.getPeer()) {
      if (core_->draining.load() && peer->tryGetData(kRejectedPeer) != nullptr) return;
      peer_state = std::static_pointer_cast<PeerState>(peer->tryGetData(kPeerState));
    }
    if (peer_state == nullptr) return;  // the client is gone; nobody to answer
    InFlight token(core_.get());
    try {
      Request req;
      Prepared prepared = Prepare(*core_, preq, *peer_state, req, ex);
      if (!prepared.status.ok()) {
        Response response = Render(ex, prepared.status, req);
        if (!prepared.allowed.empty()) {
          response.status = 405;
          std::string allow;
          for (const std::string& m : prepared.allowed) allow += (allow.empty() ? "" : ", ") + m;
          response.WithHeader("Allow", std::move(allow));
        }
        Send(*core_, writer, ex, req, std::move(response), std::move(token));
        return;
      }
      if (ex.route->handler) {
        RunSync(ex, req, writer, std::move(token));
      } else {
        RunAsync(std::move(ex), std::move(req), std::move(writer), std::move(token));
      }
    } catch (const std::exception& e) {
      // Our own adapter failed (allocation, Pistache). Pistache would answer
      // 500 with what() as the body; answer nothing rather than leak it.
      Log(LogLevel::kError, "http_adapter_exception", Json::Object{{"detail", e.what()}});
    } catch (...) {
      Log(LogLevel::kError, "http_adapter_exception");
    }
  }

  // The one log line of a handler exception; what() stays out of the response.
  static void LogException(const Route& route, const Request& req, const char* what) {
    Json fields = Json::MakeObject();
    fields.Set("route", route.pattern);
    fields.Set("request_id", req.request_id);
    fields.Set("detail", what);
    Log(LogLevel::kError, "http_handler_exception", fields);
  }

  void RunSync(const Exchange& ex, Request& req, PH::ResponseWriter& writer, InFlight token) {
    std::optional<StatusOr<Response>> result;
    try {
      result.emplace(ex.route->handler(req));
    } catch (const std::exception& e) {
      LogException(*ex.route, req, e.what());
    } catch (...) {
      LogException(*ex.route, req, "non-standard exception");
    }
    Response response = !result        ? Render(ex, Internal("internal error"), req, false)
                        : result->ok() ? std::move(*result).value()
                                       : Render(ex, result->status(), req);
    Send(*core_, writer, ex, req, std::move(response), std::move(token));
  }

  void RunAsync(Exchange ex, Request req, PH::ResponseWriter writer, InFlight token) {
    auto request = std::make_shared<Request>(std::move(req));
    const Route* route = ex.route;
    auto exchange = std::make_shared<AsyncExchange>(core_, std::move(ex), std::move(writer),
                                                    request, std::move(token));
    Reply reply = [exchange](StatusOr<Response> result) { exchange->Complete(std::move(result)); };
    try {
      route->async_handler(request, std::move(reply));
    } catch (const std::exception& e) {
      LogException(*route, *request, e.what());
      exchange->Complete(Internal("internal error"), /*log=*/false);
    } catch (...) {
      LogException(*route, *request, "non-standard exception");
      exchange->Complete(Internal("internal error"), /*log=*/false);
    }
  }

  std::shared_ptr<Core> core_;
};

}  // namespace

struct Server::Impl {
  enum class State { kNew, kRunning, kStopped };

  std::shared_ptr<Core> core;
  std::unique_ptr<PH::Endpoint> endpoint;
  std::mutex mu;  // Start and Shutdown
  State state = State::kNew;
  std::atomic<uint16_t> port{0};

  void CloseLeftoverPeers() {
    std::lock_guard lock(core->peers_mu);
    for (const auto& [fd, inode] : core->peers) {
      struct stat st;
      if (::fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == inode) ::close(fd);
    }
    core->peers.clear();
  }
};

Server::Server(ServerOptions options, const Router& router) : impl_(std::make_unique<Impl>()) {
  impl_->core = std::make_shared<Core>(std::move(options), router);
}

Server::~Server() { Shutdown(); }

Status Server::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->state != Impl::State::kNew)
    return FailedPrecondition("server already started or stopped");
  const ServerOptions& options = impl_->core->options;
  int threads = options.threads;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Pistache parses a bare IPv6 literal's last group as a port: bracket it.
  const std::string host = options.host.find(':') != std::string::npos && options.host[0] != '['
                               ? "[" + options.host + "]"
                               : options.host;
  const std::string address = host + ":" + std::to_string(options.port);
  try {
    impl_->endpoint =
        std::make_unique<PH::Endpoint>(Pistache::Address(host, Pistache::Port(options.port)));
    auto endpoint_options =
        PH::Endpoint::options()
            .threads(threads)
            .threadsName("portico-http")
            .flags(Pistache::Tcp::Options::ReuseAddr | Pistache::Tcp::Options::NoDelay)
            .maxRequestSize(options.max_body_bytes + kHeaderAllowance);
    impl_->endpoint->init(endpoint_options);
    if (!options.tls_cert_file.empty()) {
      if (Status tls = EnableTls(*impl_->endpoint, options.tls_cert_file, options.tls_key_file);
          !tls.ok()) {
        impl_->endpoint.reset();
        return tls;
      }
    }
    impl_->endpoint->setHandler(std::make_shared<PisHandler>(impl_->core));
    impl_->endpoint->serveThreaded();
    impl_->port = static_cast<uint16_t>(impl_->endpoint->getPort());
  } catch (const std::exception& e) {
    impl_->endpoint.reset();
    return Unavailable("cannot listen on " + address + ": " + e.what());
  }
  impl_->state = Impl::State::kRunning;
  Json fields = Json::MakeObject();
  fields.Set("host", options.host);
  fields.Set("port", static_cast<int>(impl_->port.load()));
  fields.Set("threads", threads);
  fields.Set("tls", !options.tls_cert_file.empty());
  Log(LogLevel::kInfo, "http_listening", fields);
  return Status::Ok();
}

uint16_t Server::port() const { return impl_->port.load(); }

void Server::Shutdown() {
  std::lock_guard lock(impl_->mu);
  if (impl_->state != Impl::State::kRunning) {
    impl_->state = Impl::State::kStopped;
    return;
  }
  Core& core = *impl_->core;
  core.draining.store(true);
  const auto started = SteadyClock::now();
  {
    std::unique_lock drain_lock(core.drain_mu);
    core.drain_cv.wait_for(drain_lock, core.options.drain_timeout,
                           [&core] { return core.in_flight.load() == 0; });
  }
  const size_t cut = core.in_flight.load();
  {
    std::unique_lock send_lock(core.send_mu);
    core.sends_open = false;
  }
  // Joins the acceptor and reactor threads and closes the listening socket.
  impl_->endpoint->shutdown();
  impl_->endpoint.reset();
  impl_->CloseLeftoverPeers();
  impl_->state = Impl::State::kStopped;

  Json fields = Json::MakeObject();
  fields.Set("drain_ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  SteadyClock::now() - started)
                                                  .count()));
  fields.Set("requests_cut", static_cast<int64_t>(cut));
  Log(cut == 0 ? LogLevel::kInfo : LogLevel::kWarn, "http_stopped", fields);
}

size_t Server::in_flight() const { return impl_->core->in_flight.load(); }

}  // namespace portico::http
