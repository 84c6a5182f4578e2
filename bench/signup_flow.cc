// Load driver of bench/signup: the self-serve signup flow over HTTP with the
// verification codes taken from real mail.
//
// Cheap, so that it takes little of the 2 cores it shares with the server:
//   - CONNECTIONS keep-alive HTTP/1.1 connections to portico (no Connection
//     header: what real clients send), all on one epoll thread;
//   - a minimal SMTP receiver portico delivers to (MAIL_URL=smtp://127.0.0.1:SMTP_PORT),
//     on a thread of its own (SmtpSink): a code mail is matched to its
//     session by the recipient address, which is unique per session. Codes
//     never come from the database.
//
// Two measurements per round:
//   flows    create → (the code mailed) → verify-email → provision, with up to
//            MAX_IN_FLIGHT flows under way so that every connection has a
//            request to send while flows wait for their mail (later steps go
//            first); a flow counts once provision answered 201.
//   creates  POST …/sessions only, on every connection.
// After each, the driver waits for every mail the server owes (one per
// session created, two more per tenant provisioned) so that a backlog does not
// leak into the next measurement, and reports how long that took.
//
// Usage: portico_bench_signup --port P --smtp-port S [--connections 16]
//          [--seconds 10] [--rounds 3] [--label NAME] [--warmup-ms 1000]
//          [--only flows|creates]   (one measurement only, e.g. under a profiler)
//          [--max-in-flight 256]
// Prints one line per measurement and, at the end, the medians of the rounds.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

constexpr uint64_t kTagMail = 0;
constexpr uint64_t kTagHttp = 1;
constexpr char kCodeMarker[] = "verification code is: ";

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t Tag(uint64_t kind, uint32_t index) { return (kind << 32) | index; }

void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

bool SetNonBlocking(int fd) {
  const int flags = fcntl(fd, F_GETFL, 0);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// Latencies of one step, in microseconds.
struct Samples {
  std::vector<int64_t> us;
  void Add(int64_t v) { us.push_back(std::max<int64_t>(0, v)); }
  // The p-quantile in milliseconds (nearest rank), 0 when empty.
  double Ms(double p) {
    if (us.empty()) return 0;
    std::sort(us.begin(), us.end());
    size_t rank = static_cast<size_t>(std::ceil(p * static_cast<double>(us.size())));
    rank = std::clamp<size_t>(rank, 1, us.size());
    return static_cast<double>(us[rank - 1]) / 1000.0;
  }
};

enum class Mode { kFlows, kCreates };
enum class Step { kNone, kCreate, kVerify, kProvision };

struct Flow {
  std::string slug;
  std::string id;    // from the create's answer
  std::string code;  // from the mail
  int64_t create_sent = 0;
  int64_t created = 0;
  int64_t mailed = 0;
  bool answered = false;  // create answered 201
  bool has_code = false;
  bool wanted = false;  // the flows measurement still runs it
};

struct HttpConn {
  int fd = -1;
  std::string out;
  size_t out_off = 0;
  std::string in;
  Step step = Step::kNone;
  int flow = -1;
  int64_t sent_at = 0;
};

// One measurement's figures.
struct Result {
  double rate = 0;  // flows/s or creates/s
  int64_t errors = 0;
  double drain_s = 0;
  Samples create, mail, verify, provision;
};

// A mail as the sink received it.
struct Mail {
  std::vector<std::string> recipients;
  std::string code;  // the verification code; "" for the invite and the "is ready" mail
  int64_t at = 0;    // NowUs() on arrival
};

// The SMTP receiver portico delivers to (RFC 5321, the subset libcurl's
// client uses), on a thread and an epoll set of its own: every reply goes out
// as soon as its line has arrived, as a real mail server's would, instead of
// waiting behind the load loop's HTTP work (the server's outbox dispatcher
// sends one mail at a time, so each reply's delay is its throughput). Mails
// reach the load loop through Take(), announced on the `notify` eventfd.
class SmtpSink {
 public:
  SmtpSink(int port, int notify) : port_(port), notify_(notify) {}

  // Binds 127.0.0.1:port and starts the thread; exits the process on failure.
  void Start() {
    epoll_ = epoll_create1(0);
    if (epoll_ < 0) Die("epoll_create1");
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    if (listener_ < 0) Die("socket");
    const int one = 1;
    setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    if (bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("bind smtp");
    if (listen(listener_, 64) != 0) Die("listen smtp");
    SetNonBlocking(listener_);
    Watch(listener_, EPOLLIN, Tag(kTagListener, 0), EPOLL_CTL_ADD);
    std::thread([this] { Loop(); }).detach();  // runs until the process exits
  }

  // The mails received since the last call. Thread-safe.
  std::vector<Mail> Take() {
    std::lock_guard lock(mu_);
    return std::exchange(mails_, {});
  }

 private:
  static constexpr uint64_t kTagListener = 0;
  static constexpr uint64_t kTagConn = 1;

  struct SmtpConn {
    std::string in;
    std::string out;
    bool in_data = false;
    std::string data;  // starts with "\r\n" so the terminator is always "\r\n.\r\n"
    std::vector<std::string> recipients;
  };

  void Watch(int fd, uint32_t events, uint64_t tag, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (epoll_ctl(epoll_, op, fd, &ev) != 0) Die("epoll_ctl smtp");
  }

  void Loop() {
    epoll_event events[64];
    for (;;) {
      const int n = epoll_wait(epoll_, events, 64, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        Die("epoll_wait smtp");
      }
      for (int k = 0; k < n; ++k) {
        const uint64_t tag = events[k].data.u64;
        if (tag >> 32 == kTagListener) {
          Accept();
        } else {
          OnSmtp(static_cast<int>(tag & 0xffffffffu), events[k].events);
        }
      }
    }
  }

  // Queues the mail for the load loop and wakes it.
  void Deliver(const SmtpConn& s) {
    Mail mail;
    mail.recipients = s.recipients;
    mail.at = NowUs();
    const size_t at = s.data.find(kCodeMarker);
    if (at != std::string::npos) mail.code = s.data.substr(at + sizeof kCodeMarker - 1, 6);
    {
      std::lock_guard lock(mu_);
      mails_.push_back(std::move(mail));
    }
    const uint64_t one = 1;
    if (write(notify_, &one, sizeof one) < 0 && errno != EAGAIN) Die("eventfd write");
  }

  void Accept() {
    for (;;) {
      const int fd = accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      SetNonBlocking(fd);
      SmtpConn& s = conns_[fd];
      s = SmtpConn{};
      Watch(fd, EPOLLIN, Tag(kTagConn, static_cast<uint32_t>(fd)), EPOLL_CTL_ADD);
      Reply(fd, "220 bench-sink ESMTP\r\n");
    }
  }

  void Reply(int fd, std::string_view text) {
    SmtpConn& s = conns_[fd];
    s.out.append(text);
    while (!s.out.empty()) {
      const ssize_t n = write(fd, s.out.data(), s.out.size());
      if (n > 0) {
        s.out.erase(0, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        Watch(fd, EPOLLIN | EPOLLOUT, Tag(kTagConn, static_cast<uint32_t>(fd)), EPOLL_CTL_MOD);
        return;
      }
      return;  // the peer went away; the read side closes the connection
    }
  }

  void CloseSmtp(int fd) {
    close(fd);
    conns_.erase(fd);
  }

  void OnSmtp(int fd, uint32_t events) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    if (events & EPOLLOUT) {
      Reply(fd, "");
      if (conns_[fd].out.empty()) {
        Watch(fd, EPOLLIN, Tag(kTagConn, static_cast<uint32_t>(fd)), EPOLL_CTL_MOD);
      }
    }
    char buffer[16384];
    for (;;) {
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n > 0) {
        conns_[fd].in.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      CloseSmtp(fd);
      return;
    }
    if (!SmtpLines(fd)) CloseSmtp(fd);
  }

  // Handles the complete lines received; false once the session is over.
  bool SmtpLines(int fd) {
    SmtpConn& s = conns_[fd];
    for (;;) {
      if (s.in_data) {
        s.data.append(s.in);
        s.in.clear();
        const size_t end = s.data.find("\r\n.\r\n");
        if (end == std::string::npos) return true;
        s.in = s.data.substr(end + 5);
        s.data.resize(end);
        Deliver(s);
        s.in_data = false;
        s.data.clear();
        s.recipients.clear();
        Reply(fd, "250 2.0.0 queued\r\n");
        continue;
      }
      const size_t eol = s.in.find("\r\n");
      if (eol == std::string::npos) return true;
      std::string line = s.in.substr(0, eol);
      s.in.erase(0, eol + 2);
      std::string verb = line.substr(0, 4);
      for (char& ch : verb) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (verb == "EHLO" || verb == "HELO") {
        Reply(fd, "250 bench-sink\r\n");
      } else if (verb == "MAIL") {
        s.recipients.clear();
        Reply(fd, "250 2.1.0 ok\r\n");
      } else if (verb == "RCPT") {
        const size_t open = line.find('<');
        const size_t close_at = line.find('>', open);
        if (open != std::string::npos && close_at != std::string::npos) {
          s.recipients.push_back(line.substr(open + 1, close_at - open - 1));
        }
        Reply(fd, "250 2.1.5 ok\r\n");
      } else if (verb == "DATA") {
        s.in_data = true;
        s.data = "\r\n";
        Reply(fd, "354 end with <CRLF>.<CRLF>\r\n");
      } else if (verb == "QUIT") {
        Reply(fd, "221 2.0.0 bye\r\n");
        return false;
      } else if (verb == "RSET" || verb == "NOOP") {
        s.recipients.clear();
        Reply(fd, "250 2.0.0 ok\r\n");
      } else {
        Reply(fd, "502 5.5.1 not implemented\r\n");
      }
    }
  }

  const int port_;
  const int notify_;
  int epoll_ = -1;
  int listener_ = -1;
  std::unordered_map<int, SmtpConn> conns_;
  std::mutex mu_;
  std::vector<Mail> mails_;
};

struct Options {
  int port = 0;
  int smtp_port = 0;
  int connections = 16;
  int seconds = 10;
  int rounds = 3;
  int warmup_ms = 1000;
  // Flows under way at most: enough that the connections never wait for the
  // mail (Little's law: flows/s × the mail's latency, which the outbox
  // dispatcher's 500 ms poll dominates), not so many that they all do.
  int max_in_flight = 256;
  std::string label = "portico";
  bool flows = true, creates = true;
};

class Driver {
 public:
  explicit Driver(Options options) : o_(std::move(options)), conns_(o_.connections) {
    std::random_device rd;
    char tag[16];
    std::snprintf(tag, sizeof tag, "%06x", rd() & 0xffffff);
    run_tag_ = tag;
  }

  void Init() {
    epoll_ = epoll_create1(0);
    if (epoll_ < 0) Die("epoll_create1");
    mail_event_ = eventfd(0, EFD_NONBLOCK);
    if (mail_event_ < 0) Die("eventfd");
    Watch(mail_event_, EPOLLIN, Tag(kTagMail, 0), EPOLL_CTL_ADD);
    sink_ = std::make_unique<SmtpSink>(o_.smtp_port, mail_event_);
    sink_->Start();
  }

  Result Run(Mode mode) {
    mode_ = mode;
    Result result;
    result_ = &result;
    accepting_ = true;
    const int64_t start = NowUs();
    window_start_ = start + static_cast<int64_t>(o_.warmup_ms) * 1000;
    deadline_ = start + static_cast<int64_t>(o_.seconds) * 1'000'000;
    counted_ = 0;
    for (int i = 0; i < o_.connections; ++i) Connect(i);
    for (int i = 0; i < o_.connections; ++i) Assign(i);
    for (int64_t now = NowUs(); now < deadline_; now = NowUs()) {
      Poll(static_cast<int>(std::min<int64_t>(100, (deadline_ - now) / 1000 + 1)));
    }
    // No new requests; the answers of those under way still count for the mail owed.
    accepting_ = false;
    provision_ready_.clear();
    verify_ready_.clear();
    for (Flow& f : flows_) f.wanted = false;
    in_flight_ = 0;  // the unfinished are abandoned, not counted
    const int64_t give_up = NowUs() + 30'000'000;
    while (Busy() && NowUs() < give_up) Poll(50);
    for (HttpConn& c : conns_) Close(c);
    const double window_s = static_cast<double>(deadline_ - window_start_) / 1e6;
    result.rate = static_cast<double>(counted_) / window_s;

    // Every mail owed before the next measurement.
    const int64_t drain_start = NowUs();
    const int64_t drain_give_up = drain_start + 120'000'000;
    while (mails_ < mails_owed_ && NowUs() < drain_give_up) Poll(50);
    if (mails_ < mails_owed_) {
      std::fprintf(stderr, "WARNING: %lld of %lld mails still missing after 120 s\n",
                   static_cast<long long>(mails_owed_ - mails_),
                   static_cast<long long>(mails_owed_));
    }
    result.drain_s = static_cast<double>(NowUs() - drain_start) / 1e6;
    result_ = nullptr;
    return result;
  }

  const std::string& label() const { return o_.label; }

 private:
  void Watch(int fd, uint32_t events, uint64_t tag, int op) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (epoll_ctl(epoll_, op, fd, &ev) != 0) Die("epoll_ctl");
  }

  void Connect(int i) {
    HttpConn& c = conns_[i];
    c = HttpConn{};
    c.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c.fd < 0) Die("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(o_.port));
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) Die("connect");
    const int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SetNonBlocking(c.fd);
    Watch(c.fd, EPOLLIN, Tag(kTagHttp, static_cast<uint32_t>(i)), EPOLL_CTL_ADD);
  }

  void Close(HttpConn& c) {
    if (c.fd >= 0) close(c.fd);  // also leaves the epoll set
    c.fd = -1;
    c.step = Step::kNone;
  }

  bool Busy() const {
    return std::any_of(conns_.begin(), conns_.end(),
                       [](const HttpConn& c) { return c.step != Step::kNone; });
  }

  void Poll(int timeout_ms) {
    epoll_event events[64];
    const int n = epoll_wait(epoll_, events, 64, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) return;
      Die("epoll_wait");
    }
    for (int k = 0; k < n; ++k) {
      const uint64_t tag = events[k].data.u64;
      const auto index = static_cast<uint32_t>(tag & 0xffffffffu);
      switch (tag >> 32) {
        case kTagMail: {
          uint64_t count = 0;
          if (read(mail_event_, &count, sizeof count) < 0 && errno != EAGAIN) Die("eventfd read");
          for (const Mail& mail : sink_->Take()) OnMail(mail);
          break;
        }
        case kTagHttp:
          OnHttp(static_cast<int>(index), events[k].events);
          break;
      }
    }
  }

  // ---- HTTP ----

  void Send(int i, Step step, int flow, const std::string& method_path, const std::string& body) {
    HttpConn& c = conns_[i];
    c.step = step;
    c.flow = flow;
    c.out = method_path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o_.port) +
            "\r\nUser-Agent: portico-bench-signup/1\r\nContent-Type: application/json\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
    c.out_off = 0;
    c.sent_at = NowUs();
    Flush(i);
  }

  void Flush(int i) {
    HttpConn& c = conns_[i];
    while (c.out_off < c.out.size()) {
      const ssize_t n = write(c.fd, c.out.data() + c.out_off, c.out.size() - c.out_off);
      if (n > 0) {
        c.out_off += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        Watch(c.fd, EPOLLIN | EPOLLOUT, Tag(kTagHttp, static_cast<uint32_t>(i)), EPOLL_CTL_MOD);
        return;
      }
      Die("write http");
    }
  }

  void StartCreate(int i) {
    const int index = static_cast<int>(flows_.size());
    Flow& f = flows_.emplace_back();
    f.slug = "b" + run_tag_ + "-" + std::to_string(index);
    f.create_sent = NowUs();
    f.wanted = mode_ == Mode::kFlows;
    by_email_.emplace(Email(f), index);
    if (f.wanted) ++in_flight_;
    Send(i, Step::kCreate, index, "POST /api/public/signup/sessions",
         R"({"companyName":"Bench )" + f.slug + R"(","slug":")" + f.slug +
             R"(","modules":["scim","dcr","signup"],"adminEmail":")" + Email(f) +
             R"(","legalAcceptance":{"termsVersion":"2026-01","privacyVersion":"2026-02",)"
             R"("acceptedAt":"2026-01-01T00:00:00Z"}})");
  }

  static std::string Email(const Flow& f) { return "admin@" + f.slug + ".example"; }

  // Gives connection i its next request, or leaves it idle.
  void Assign(int i) {
    HttpConn& c = conns_[i];
    if (!accepting_ || c.step != Step::kNone) return;
    if (mode_ == Mode::kCreates) return StartCreate(i);
    // Finishing flows first keeps as few as possible in flight.
    if (!provision_ready_.empty()) {
      const int index = provision_ready_.front();
      provision_ready_.pop_front();
      Send(i, Step::kProvision, index,
           "POST /api/public/signup/sessions/" + flows_[index].id + "/provision",
           R"({"idempotencyKey":"bench-)" + flows_[index].slug + R"("})");
      return;
    }
    if (!verify_ready_.empty()) {
      const int index = verify_ready_.front();
      verify_ready_.pop_front();
      Send(i, Step::kVerify, index,
           "POST /api/public/signup/sessions/" + flows_[index].id + "/verify-email",
           R"({"otp":")" + flows_[index].code + R"("})");
      return;
    }
    if (in_flight_ < o_.max_in_flight) StartCreate(i);
  }

  void AssignIdle() {
    for (int i = 0; i < o_.connections; ++i) Assign(i);
  }

  void OnHttp(int i, uint32_t events) {
    HttpConn& c = conns_[i];
    if (c.fd < 0) return;
    if (events & EPOLLOUT) {
      Flush(i);
      if (c.out_off == c.out.size()) {
        Watch(c.fd, EPOLLIN, Tag(kTagHttp, static_cast<uint32_t>(i)), EPOLL_CTL_MOD);
      }
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
    char buffer[16384];
    for (;;) {
      const ssize_t n = read(c.fd, buffer, sizeof buffer);
      if (n > 0) {
        c.in.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      // Closed by the server: a request under way is lost (an error), then reconnect.
      if (c.step != Step::kNone) Failed(c.step, c.flow, 0, "connection closed by the server");
      Close(c);
      if (accepting_) {
        Connect(i);
        Assign(i);
      }
      return;
    }
    ParseResponses(i);
  }

  void ParseResponses(int i) {
    HttpConn& c = conns_[i];
    for (;;) {
      const size_t head_end = c.in.find("\r\n\r\n");
      if (head_end == std::string::npos) return;
      const std::string_view head(c.in.data(), head_end);
      if (head.size() < 12) Die("malformed HTTP answer");
      const int status = std::atoi(std::string(head.substr(9, 3)).c_str());
      size_t length = 0;
      bool close_after = false;
      size_t line = head.find("\r\n");
      while (line != std::string_view::npos) {
        const size_t next = head.find("\r\n", line + 2);
        std::string_view h = head.substr(
            line + 2, next == std::string_view::npos ? std::string_view::npos : next - line - 2);
        std::string lower(h);
        for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (lower.rfind("content-length:", 0) == 0) {
          length = static_cast<size_t>(std::strtoull(lower.c_str() + 15, nullptr, 10));
        } else if (lower.rfind("connection:", 0) == 0 && lower.find("close") != std::string::npos) {
          close_after = true;
        }
        line = next;
      }
      if (c.in.size() < head_end + 4 + length) return;
      const std::string body = c.in.substr(head_end + 4, length);
      c.in.erase(0, head_end + 4 + length);
      OnAnswer(i, status, body);
      if (close_after) {
        ++reconnects_;
        Close(c);
        if (accepting_) {
          Connect(i);
          Assign(i);
        }
        return;
      }
      Assign(i);
    }
  }

  bool InWindow(int64_t t) const { return t >= window_start_ && t <= deadline_; }

  // A request that did not get its expected answer: counted, the first few shown.
  void Failed(Step step, int index, int status, const std::string& body) {
    if (result_ != nullptr) ++result_->errors;
    if (index >= 0) {
      Flow& f = flows_[index];
      if (f.wanted) --in_flight_;
      f.wanted = false;
    }
    static const char* const kNames[] = {"-", "create", "verify-email", "provision"};
    if (reported_errors_++ < 5) {
      std::fprintf(stderr, "WARNING: %s answered %d: %.300s\n", kNames[static_cast<int>(step)],
                   status, body.c_str());
    }
  }

  void OnAnswer(int i, int status, const std::string& body) {
    HttpConn& c = conns_[i];
    const int64_t now = NowUs();
    const Step step = c.step;
    const int index = c.flow;
    c.step = Step::kNone;
    c.flow = -1;
    if (step == Step::kNone || index < 0) Die("an answer nobody asked for");
    Flow& f = flows_[index];
    const bool in_window = InWindow(now);
    switch (step) {
      case Step::kCreate: {
        const int64_t latency = now - c.sent_at;
        if (status != 201) return Failed(step, index, status, body);
        ++mails_owed_;
        f.id = JsonString(body, "sessionId");
        f.answered = true;
        f.created = now;
        if (in_window) {
          result_->create.Add(latency);
          if (mode_ == Mode::kCreates) ++counted_;
        }
        if (f.wanted && f.has_code) {  // the mail was faster than the answer
          if (in_window) result_->mail.Add(0);
          verify_ready_.push_back(index);
        }
        return;
      }
      case Step::kVerify:
        if (status != 200) return Failed(step, index, status, body);
        if (in_window) result_->verify.Add(now - c.sent_at);
        if (f.wanted) provision_ready_.push_back(index);
        return;
      case Step::kProvision:
        if (status != 201) return Failed(step, index, status, body);
        mails_owed_ += 2;  // the invite and the "is ready" mail
        if (f.wanted) --in_flight_;
        f.wanted = false;
        if (in_window) {
          result_->provision.Add(now - c.sent_at);
          ++counted_;
        }
        return;
      case Step::kNone:
        return;
    }
  }

  // The string value of "name" in a flat JSON answer ("" when absent).
  static std::string JsonString(const std::string& body, std::string_view name) {
    std::string key(1, '"');  // appended, not concatenated: GCC 12's -Wrestrict misfires on that
    key.append(name).push_back('"');
    size_t at = body.find(key);
    if (at == std::string::npos) return "";
    at = body.find('"', body.find(':', at + key.size()) + 1);
    if (at == std::string::npos) return "";
    const size_t end = body.find('"', at + 1);
    return end == std::string::npos ? "" : body.substr(at + 1, end - at - 1);
  }

  void OnMail(const Mail& mail) {
    ++mails_;
    if (mail.code.empty()) return;  // the invite or the "is ready" mail
    const std::string& code = mail.code;
    const int64_t now = mail.at;
    for (const std::string& to : mail.recipients) {
      auto it = by_email_.find(to);
      if (it == by_email_.end()) continue;
      Flow& f = flows_[it->second];
      if (f.has_code) continue;  // a redelivery (at least once)
      f.has_code = true;
      f.code = code;
      f.mailed = now;
      if (!f.wanted) continue;
      if (InWindow(now) && f.answered) result_->mail.Add(now - f.created);
      if (f.answered) {
        verify_ready_.push_back(it->second);
        AssignIdle();
      }
    }
  }

  Options o_;
  std::string run_tag_;
  int epoll_ = -1;
  int mail_event_ = -1;
  std::unique_ptr<SmtpSink> sink_;
  std::vector<HttpConn> conns_;
  std::vector<Flow> flows_;
  std::unordered_map<std::string, int> by_email_;
  std::deque<int> verify_ready_, provision_ready_;
  Mode mode_ = Mode::kFlows;
  bool accepting_ = false;
  int in_flight_ = 0;  // flows started and not finished
  int64_t window_start_ = 0, deadline_ = 0;
  int64_t counted_ = 0;
  int64_t mails_ = 0, mails_owed_ = 0;
  int64_t reconnects_ = 0;
  int reported_errors_ = 0;
  Result* result_ = nullptr;
};

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[(v.size() - 1) / 2];
}

int IntFlag(int argc, char** argv, int& i) {
  if (i + 1 >= argc) {
    std::fprintf(stderr, "%s needs a value\n", argv[i]);
    std::exit(2);
  }
  return std::atoi(argv[++i]);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--port") {
      o.port = IntFlag(argc, argv, i);
    } else if (a == "--smtp-port") {
      o.smtp_port = IntFlag(argc, argv, i);
    } else if (a == "--connections") {
      o.connections = IntFlag(argc, argv, i);
    } else if (a == "--seconds") {
      o.seconds = IntFlag(argc, argv, i);
    } else if (a == "--rounds") {
      o.rounds = IntFlag(argc, argv, i);
    } else if (a == "--max-in-flight") {
      o.max_in_flight = IntFlag(argc, argv, i);
    } else if (a == "--warmup-ms") {
      o.warmup_ms = IntFlag(argc, argv, i);
    } else if (a == "--label" && i + 1 < argc) {
      o.label = argv[++i];
    } else if (a == "--only" && i + 1 < argc) {
      const std::string_view only = argv[++i];
      o.flows = only == "flows";
      o.creates = only == "creates";
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (o.port <= 0 || o.smtp_port <= 0 || o.connections <= 0 || o.seconds <= 0 || o.rounds <= 0 ||
      o.warmup_ms < 0 || o.warmup_ms >= o.seconds * 1000 || !(o.flows || o.creates) ||
      o.max_in_flight <= 0) {
    std::fprintf(stderr,
                 "usage: portico_bench_signup --port P --smtp-port S [--connections 16] "
                 "[--seconds 10] [--rounds 3] [--warmup-ms 1000] [--label NAME] "
                 "[--only flows|creates] [--max-in-flight 256]\n");
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  Driver driver(o);
  driver.Init();

  // Per figure, one sample per round; the summary takes the medians.
  std::vector<double> flows, creates, errors;
  std::vector<double> c50, c99, m50, m99, v50, v99, p50, p99, cc50, cc99;
  for (int round = 1; round <= o.rounds; ++round) {
    Result f = o.flows ? driver.Run(Mode::kFlows) : Result{};
    flows.push_back(f.rate);
    c50.push_back(f.create.Ms(0.5));
    c99.push_back(f.create.Ms(0.99));
    m50.push_back(f.mail.Ms(0.5));
    m99.push_back(f.mail.Ms(0.99));
    v50.push_back(f.verify.Ms(0.5));
    v99.push_back(f.verify.Ms(0.99));
    p50.push_back(f.provision.Ms(0.5));
    p99.push_back(f.provision.Ms(0.99));
    if (o.flows) {
      std::fprintf(stderr,
                   "round %d (%s): %.1f flows/s | p50/p99 ms: create %.1f/%.1f mail %.1f/%.1f "
                   "verify %.1f/%.1f provision %.1f/%.1f | errors %lld | mail "
                   "drained in %.1f s\n",
                   round, o.label.c_str(), f.rate, c50.back(), c99.back(), m50.back(), m99.back(),
                   v50.back(), v99.back(), p50.back(), p99.back(), static_cast<long long>(f.errors),
                   f.drain_s);
    }
    Result c = o.creates ? driver.Run(Mode::kCreates) : Result{};
    creates.push_back(c.rate);
    cc50.push_back(c.create.Ms(0.5));
    cc99.push_back(c.create.Ms(0.99));
    errors.push_back(static_cast<double>(f.errors + c.errors));
    if (o.creates) {
      std::fprintf(stderr,
                   "round %d (%s): %.1f creates/s | p50/p99 ms %.1f/%.1f | errors %lld | mail "
                   "drained in %.1f s\n",
                   round, o.label.c_str(), c.rate, cc50.back(), cc99.back(),
                   static_cast<long long>(c.errors), c.drain_s);
    }
  }
  if (o.flows) {
    std::printf(
        "%-10s full flows %6.0f/s  (p50/p99 ms: create %.1f/%.1f, mail %.1f/%.1f, verify "
        "%.1f/%.1f, provision %.1f/%.1f)\n",
        o.label.c_str(), Median(flows), Median(c50), Median(c99), Median(m50), Median(m99),
        Median(v50), Median(v99), Median(p50), Median(p99));
  }
  if (o.creates) {
    std::printf("%-10s creates    %6.0f/s  (p50/p99 ms: %.1f/%.1f)\n", o.label.c_str(),
                Median(creates), Median(cc50), Median(cc99));
  }
  if (*std::max_element(errors.begin(), errors.end()) > 0) {
    std::printf("%-10s SOME REQUESTS FAILED: see the warnings above\n", o.label.c_str());
  }
  return 0;
}
