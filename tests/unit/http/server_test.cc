// Loopback tests: a real Server on an ephemeral port, spoken to over real
// sockets (plain POSIX, and libcurl where a real client's behaviour matters).

#include "src/http/server.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <future>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "portico/log.h"
#include "portico/parse_json.h"
#include "src/http/request_id.h"
#include "tests/unit/http/loopback_client.h"

namespace portico::http {
namespace {

using namespace std::chrono_literals;
using testing::HttpRequest;
using testing::LoopbackConnection;
using testing::WireResponse;

// Redirects fd 2 (where portico::Log writes) into a temporary file.
class StderrCapture {
 public:
  StderrCapture() {
    FlushLog();  // Log writes from a background thread: keep earlier lines out
    std::fflush(stderr);
    char path[] = "/tmp/portico_http_log_XXXXXX";
    file_ = ::mkstemp(path);
    ::unlink(path);
    saved_ = ::dup(STDERR_FILENO);
    ::dup2(file_, STDERR_FILENO);
  }
  ~StderrCapture() { Stop(); }

  // Restores stderr and returns what was written meanwhile.
  std::string Stop() {
    if (saved_ >= 0) {
      FlushLog();
      ::dup2(saved_, STDERR_FILENO);
      ::close(saved_);
      saved_ = -1;
      ::lseek(file_, 0, SEEK_SET);
      char buf[4096];
      ssize_t n;
      while ((n = ::read(file_, buf, sizeof buf)) > 0) text_.append(buf, static_cast<size_t>(n));
      ::close(file_);
    }
    return text_;
  }

 private:
  int file_ = -1;
  int saved_ = -1;
  std::string text_;
};

// The parsed log lines with the given event.
std::vector<Json> LogLines(const std::string& text, std::string_view event) {
  std::vector<Json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    StatusOr<Json> j = ParseJson(line);
    if (!j.ok() || !j->is_object()) continue;
    const Json* e = j->Find("event");
    if (e != nullptr && e->is_string() && e->as_string() == event) out.push_back(*j);
  }
  return out;
}

ErrorRenderer NamedRenderer(std::string name) {
  return [name](const Status& status, const Request& req) {
    Json body = Json::MakeObject();
    body.Set("renderer", name);
    body.Set("code", StatusCodeName(status.code()));
    body.Set("tag", status.tag());
    body.Set("message", status.message());
    body.Set("request_id", req.request_id);
    return Response::Json(DefaultHttpStatus(status.code()), body);
  };
}

Route Sync(std::string method, std::string pattern, Handler handler) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.family = "test";
  r.handler = std::move(handler);
  return r;
}

Route Async(std::string method, std::string pattern, AsyncHandler handler) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.family = "test";
  r.async_handler = std::move(handler);
  return r;
}

Json ParseBody(const WireResponse& r) {
  StatusOr<Json> j = ParseJson(r.body);
  EXPECT_TRUE(j.ok()) << r.body;
  return j.ok() ? *j : Json();
}

std::string Str(const Json& j, std::string_view key) {
  const Json* v = j.Find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "<missing>";
}

// The in-flight token is released just after the reactor wrote the response,
// which may be a moment after the client has read it.
bool InFlightDrainsToZero(const Server& server) {
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (server.in_flight() != 0) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router_.Add(Sync("GET", "/hello",
                     [](Request&) -> StatusOr<Response> { return Response::Text(200, "hello"); }));
    router_.Add(Sync("GET", "/echo/:id", [](Request& req) -> StatusOr<Response> {
      Json body = Json::MakeObject();
      body.Set("path", req.path);
      body.Set("route", req.route);
      body.Set("id", req.Param("id"));
      body.Set("a", req.Query("a").value_or("<none>"));
      body.Set("b", req.Query("b").value_or("<none>"));
      body.Set("request_id", req.request_id);
      body.Set("client_ip", req.client_ip);
      body.Set("x_custom", req.Header("X-Custom").value_or("<none>"));
      return Response::Json(200, body);
    }));
    Route upload = Sync("POST", "/upload", [](Request& req) -> StatusOr<Response> {
      return Response::Text(200, std::to_string(req.body.size()));
    });
    upload.errors = NamedRenderer("upload");
    router_.Add(std::move(upload));
    Route thrower = Sync("GET", "/throw", [](Request&) -> StatusOr<Response> {
      throw std::runtime_error("secret detail xyzzy");
    });
    thrower.errors = NamedRenderer("thrower");
    router_.Add(std::move(thrower));
    Route fail = Sync("GET", "/fail", [](Request&) -> StatusOr<Response> {
      return PermissionDenied("no access").WithTag("insufficient_scope").WithInternal("why: x");
    });
    fail.errors = NamedRenderer("fail");
    router_.Add(std::move(fail));
    router_.Add(Async("GET", "/async", [this](std::shared_ptr<Request> req, Reply reply) {
      std::lock_guard lock(threads_mu_);
      threads_.emplace_back([req, reply] {
        std::this_thread::sleep_for(50ms);
        reply(Response::Text(200, "async " + req->request_id));
        reply(Response::Text(500, "second reply must be ignored"));
      });
    }));
    router_.Add(Async("GET", "/async-drop", [](std::shared_ptr<Request>, Reply) {}));
    Route async_thrower = Async("GET", "/async-throw", [](std::shared_ptr<Request>, Reply) {
      throw std::runtime_error("async detail plugh");
    });
    async_thrower.errors = NamedRenderer("async-thrower");
    router_.Add(std::move(async_thrower));
    router_.Add(Async("GET", "/async-slow", [this](std::shared_ptr<Request>, Reply reply) {
      std::lock_guard lock(threads_mu_);
      threads_.emplace_back([reply] {
        std::this_thread::sleep_for(1s);
        reply(Response::Text(200, "async slow done"));
      });
    }));
    router_.Add(Sync("GET", "/slow", [](Request&) -> StatusOr<Response> {
      std::this_thread::sleep_for(1s);
      return Response::Text(200, "slow done");
    }));
    router_.Add(Sync("GET", "/headers", [](Request&) -> StatusOr<Response> {
      Response r = Response::Text(201, "made", "application/scim+json");
      r.WithHeader("Location", "http://localhost/x/1")
          .WithHeader("ETag", "W/\"3\"")
          .WithHeader("Retry-After", "120")
          .WithHeader("Cache-Control", "no-store")
          .WithHeader("WWW-Authenticate", "Bearer realm=\"a\"")
          .WithHeader("WWW-Authenticate", "Basic realm=\"b\"")
          .WithHeader("X-Evil", "a\r\nSet-Cookie: pwned=1")
          .WithHeader("Content-Length", "999");
      return r;
    }));
    router_.Add(Sync("GET", "/fields", [](Request& req) -> StatusOr<Response> {
      Json fields = Json::MakeArray();
      for (const auto& [name, value] : req.headers) {
        Json pair = Json::MakeArray();
        pair.Push(name);
        pair.Push(value);
        fields.Push(std::move(pair));
      }
      return Response::Json(200, fields);
    }));
    router_.Add(Sync("GET", "/tenant", [](Request& req) -> StatusOr<Response> {
      req.log_tenant = "tenant-42";
      return Response::NoContent();
    }));
    router_.Add(Sync("GET", "/thread", [this](Request&) -> StatusOr<Response> {
      std::lock_guard lock(threads_mu_);
      handler_threads_.insert(std::this_thread::get_id());
      return Response::Text(200, "ok");
    }));
    router_.Add(Sync("POST", "/count", [this](Request&) -> StatusOr<Response> {
      count_calls_.fetch_add(1);
      return Response::NoContent();
    }));
    router_.Add(Sync("PUT", "/scim/v2/Users/:id",
                     [](Request&) -> StatusOr<Response> { return Response::NoContent(); }));
    router_.SetFallback("/", NamedRenderer("root"));
    router_.SetFallback("/scim/v2", NamedRenderer("scim"));
  }

  ~ServerTest() override {
    if (server_) server_->Shutdown();
    std::lock_guard lock(threads_mu_);
    for (std::thread& t : threads_) t.join();
  }

  void Start(ServerOptions options = {}) {
    options.port = 0;
    if (options.threads == 0) options.threads = 2;
    server_ = std::make_unique<Server>(std::move(options), router_);
    Status s = server_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  // One request on a fresh connection.
  WireResponse Call(const std::string& request) {
    LoopbackConnection c;
    EXPECT_TRUE(c.Connect(server_->port()));
    EXPECT_TRUE(c.Send(request));
    std::optional<WireResponse> r = c.Read();
    EXPECT_TRUE(r.has_value()) << request;
    return r.value_or(WireResponse{});
  }

  Router router_;
  std::unique_ptr<Server> server_;
  std::mutex threads_mu_;
  std::vector<std::thread> threads_;
  std::set<std::thread::id> handler_threads_;
  std::atomic<int> count_calls_{0};
};

TEST_F(ServerTest, CountsRequestsByRoutePatternMethodAndStatus) {
  Metrics metrics;
  ServerOptions options;
  options.metrics = &metrics;
  Start(std::move(options));
  EXPECT_EQ(Call(HttpRequest("GET", "/echo/abc")).status, 200);
  EXPECT_EQ(Call(HttpRequest("GET", "/echo/def")).status, 200);
  EXPECT_EQ(Call(HttpRequest("GET", "/no/such/path")).status, 404);
  EXPECT_EQ(Call(HttpRequest("GET", "/fail")).status, 403);
  EXPECT_EQ(Call(HttpRequest("GET", "/async")).status, 200);
  EXPECT_EQ(Call(HttpRequest("GET", "/async-throw")).status, 500);
  const std::string text = metrics.Render();
  for (const char* line :
       {"portico_http_requests_total{route=\"/echo/:id\",method=\"GET\",status=\"200\"} 2\n",
        "portico_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1\n",
        "portico_http_requests_total{route=\"/fail\",method=\"GET\",status=\"403\"} 1\n",
        "portico_http_requests_total{route=\"/async\",method=\"GET\",status=\"200\"} 1\n",
        "portico_http_requests_total{route=\"/async-throw\",method=\"GET\",status=\"500\"} 1\n",
        "portico_http_request_duration_seconds_count{route=\"/echo/:id\",method=\"GET\"} 2\n",
        // The async handler sleeps 50 ms before it replies: timed to the reply.
        "portico_http_request_duration_seconds_bucket{route=\"/"
        "async\",method=\"GET\",le=\"0.025\"} "
        "0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing in\n" << text;
  }
  EXPECT_EQ(text.find("/no/such/path"), std::string::npos);
  EXPECT_EQ(text.find("/echo/abc"), std::string::npos);
}

TEST_F(ServerTest, KeepsHttp11ConnectionOpenWithoutConnectionHeader) {
  Start();
  LoopbackConnection c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.Send(HttpRequest("GET", "/hello")));
  std::optional<WireResponse> first = c.Read();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "hello");
  // Pistache alone would say "Connection: Close" here.
  EXPECT_EQ(first->Header("Connection"), "Keep-Alive");

  ASSERT_TRUE(c.Send(HttpRequest("GET", "/hello")));
  std::optional<WireResponse> second = c.Read();
  ASSERT_TRUE(second) << "second request on the same connection was not answered";
  EXPECT_EQ(second->status, 200);
  EXPECT_FALSE(c.WaitClosed(200ms)) << "server closed a keep-alive connection";
}

TEST_F(ServerTest, ClosesAfterResponseWhenClientSendsConnectionClose) {
  Start();
  LoopbackConnection c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.Send(HttpRequest("GET", "/hello", "Connection: close\r\n")));
  std::optional<WireResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("Connection"), "Close");
  EXPECT_TRUE(c.WaitClosed()) << "server kept the connection open";
}

TEST_F(ServerTest, Http10ClosesUnlessKeepAliveIsAsked) {
  Start();
  {
    LoopbackConnection c;
    ASSERT_TRUE(c.Connect(server_->port()));
    ASSERT_TRUE(c.Send(HttpRequest("GET", "/hello", "", "", "HTTP/1.0")));
    std::optional<WireResponse> r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("Connection"), "Close");
    EXPECT_TRUE(c.WaitClosed());
  }
  {
    LoopbackConnection c;
    ASSERT_TRUE(c.Connect(server_->port()));
    ASSERT_TRUE(c.Send(HttpRequest("GET", "/hello", "Connection: Keep-Alive\r\n", "", "HTTP/1.0")));
    std::optional<WireResponse> r = c.Read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->Header("Connection"), "Keep-Alive");
    ASSERT_TRUE(c.Send(HttpRequest("GET", "/hello", "Connection: keep-alive\r\n", "", "HTTP/1.0")));
    EXPECT_TRUE(c.Read()) << "HTTP/1.0 keep-alive connection was not reused";
  }
}

size_t DiscardBody(char*, size_t size, size_t nmemb, void*) { return size * nmemb; }

size_t AppendBody(char* data, size_t size, size_t nmemb, void* out) {
  static_cast<std::string*>(out)->append(data, size * nmemb);
  return size * nmemb;
}

TEST_F(ServerTest, LibcurlReusesItsConnection) {
  Start();
  CURL* curl = curl_easy_init();
  ASSERT_NE(curl, nullptr);
  const std::string url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/hello";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &DiscardBody);
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  long new_connections = -1;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_easy_cleanup(curl);
  EXPECT_EQ(code, 200);
  EXPECT_EQ(new_connections, 0) << "curl had to reconnect for its second request";
}

TEST_F(ServerTest, EchoesAValidRequestIdAndReplacesAnInvalidOne) {
  Start();
  WireResponse echoed = Call(HttpRequest("GET", "/echo/1", "X-Request-Id: abc-123.x:y_z\r\n"));
  EXPECT_EQ(echoed.Header("X-Request-Id"), "abc-123.x:y_z");
  EXPECT_EQ(Str(ParseBody(echoed), "request_id"), "abc-123.x:y_z");

  for (const std::string& bad :
       {std::string("has space"), std::string(129, 'a'), std::string("quote\"d")}) {
    WireResponse r = Call(HttpRequest("GET", "/echo/1", "X-Request-Id: " + bad + "\r\n"));
    ASSERT_TRUE(r.Header("X-Request-Id")) << bad;
    EXPECT_NE(*r.Header("X-Request-Id"), bad);
    EXPECT_TRUE(IsValidRequestId(*r.Header("X-Request-Id")));
    EXPECT_EQ(Str(ParseBody(r), "request_id"), *r.Header("X-Request-Id"));
  }

  WireResponse a = Call(HttpRequest("GET", "/hello"));
  WireResponse b = Call(HttpRequest("GET", "/hello"));
  ASSERT_TRUE(a.Header("X-Request-Id") && b.Header("X-Request-Id"));
  EXPECT_NE(*a.Header("X-Request-Id"), *b.Header("X-Request-Id"));
  // Error responses carry one too.
  EXPECT_TRUE(Call(HttpRequest("GET", "/nowhere")).Header("X-Request-Id"));
}

TEST_F(ServerTest, HeaderFieldsReachHandlersInOrderLowercasedAndTrimmed) {
  Start();
  WireResponse r = Call(HttpRequest(
      "GET", "/fields", "X-Custom: \t spaced value \t\r\nx-custom: second\r\nX-OTHER:v\r\n"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, R"([["host","test"],["x-custom","spaced value"],["x-custom","second"],)"
                    R"(["x-other","v"]])");
  // The first of repeated fields is the one Header() answers.
  WireResponse echo = Call(HttpRequest("GET", "/echo/1", "X-Custom: one\r\nX-Custom: two\r\n"));
  EXPECT_EQ(Str(ParseBody(echo), "x_custom"), "one");
}

TEST_F(ServerTest, HeaderBlockSplitAcrossReadsIsParsedOnceWhole) {
  Start();
  LoopbackConnection c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.Send("GET /echo/7 HTTP/1.1\r\nHost: test\r\nX-Cus"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(c.Send("tom: late"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(c.Send("\r\n\r"));
  std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(c.Send("\n"));
  std::optional<WireResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(Str(ParseBody(*r), "x_custom"), "late");
  EXPECT_EQ(Str(ParseBody(*r), "id"), "7");
  // The next request on the connection starts with no fields left over.
  ASSERT_TRUE(c.Send("GET /fields HTTP/1.1\r\n\r\n"));
  std::optional<WireResponse> next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "[]");
}

TEST_F(ServerTest, MalformedHeaderFieldsAre400AndRunNoHandler) {
  Start();
  for (const std::string& fields :
       {std::string("Bad Name: x\r\n"), std::string("X-Spaced : x\r\n"),
        std::string("NoColon\r\n"), std::string("X-A: a\r\n folded\r\n"),
        std::string(": empty name\r\n")}) {
    WireResponse r = Call(HttpRequest("POST", "/count", fields));
    EXPECT_EQ(r.status, 400) << fields;
  }
  EXPECT_EQ(count_calls_.load(), 0);
}

TEST_F(ServerTest, ContentLengthMustBeDigitsAndAgreeWithItsRepeats) {
  Start();
  for (const std::string& fields :
       {std::string("Content-Length: 1x\r\n"), std::string("Content-Length: -1\r\n"),
        std::string("Content-Length: \r\n"), std::string("Content-Length: 99999999999999999999\r\n"),
        std::string("Content-Length: 3\r\nContent-Length: 4\r\n")}) {
    WireResponse r = Call(HttpRequest("POST", "/count", fields) + "abcd");
    EXPECT_EQ(r.status, 400) << fields;
  }
  EXPECT_EQ(count_calls_.load(), 0);
  // Repeats that agree are one length (RFC 9112 §6.3 allows taking them so).
  WireResponse same = Call(HttpRequest("POST", "/upload", "Content-Length: 3\r\nContent-Length: 3\r\n") + "abc");
  EXPECT_EQ(same.status, 200);
  EXPECT_EQ(same.body, "3");
  // Chunked bodies still read through Pistache's body step.
  WireResponse chunked = Call(HttpRequest("POST", "/upload", "Transfer-Encoding: chunked\r\n") +
                              "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_EQ(chunked.status, 200);
  EXPECT_EQ(chunked.body, "5");
}

TEST_F(ServerTest, ResponseCarriesEachFramingHeaderOnceAndTheRequestVersion) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/headers"));
  EXPECT_EQ(r.version, "HTTP/1.1");
  EXPECT_EQ(r.HeaderCount("Content-Length"), 1u);
  EXPECT_EQ(r.HeaderCount("Connection"), 1u);
  EXPECT_EQ(r.HeaderCount("X-Request-Id"), 1u);
  WireResponse old = Call(HttpRequest("GET", "/hello", "", "", "HTTP/1.0"));
  EXPECT_EQ(old.version, "HTTP/1.0");
  EXPECT_EQ(old.status, 200);
  EXPECT_EQ(old.body, "hello");
}

TEST_F(ServerTest, BodyOverTheLimitGets413FromTheRouteRenderer) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  Start(options);
  WireResponse at_limit = Call(HttpRequest("POST", "/upload", "", std::string(1000, 'x')));
  EXPECT_EQ(at_limit.status, 200);
  EXPECT_EQ(at_limit.body, "1000");

  WireResponse over = Call(HttpRequest("POST", "/upload", "", std::string(1001, 'x')));
  EXPECT_EQ(over.status, 413);
  Json body = ParseBody(over);
  EXPECT_EQ(Str(body, "renderer"), "upload");
  EXPECT_EQ(Str(body, "code"), "TOO_LARGE");

  // Far over (but within Pistache's header allowance): still ours, not Pistache's text.
  WireResponse way_over = Call(HttpRequest("POST", "/upload", "", std::string(40000, 'x')));
  EXPECT_EQ(way_over.status, 413);
  EXPECT_EQ(Str(ParseBody(way_over), "renderer"), "upload");
}

TEST_F(ServerTest, BodyAnnouncedOverTheLimitIsRefusedBeforeItIsRead) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  Start(options);
  // Only the headers and a little of the body: the answer cannot wait for
  // five megabytes that would overflow Pistache's buffer (plain-text 413).
  LoopbackConnection c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.Send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 5000000\r\n\r\n" +
                     std::string(100, 'x')));
  std::optional<WireResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Str(ParseBody(*r), "renderer"), "upload");
  // The unread body must not be taken for a next request.
  EXPECT_EQ(r->Header("Connection"), "Close");
  EXPECT_TRUE(c.WaitClosed());

  // A "body" that holds a request of its own: it is never run.
  LoopbackConnection smuggler;
  ASSERT_TRUE(smuggler.Connect(server_->port()));
  ASSERT_TRUE(smuggler.Send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 2000\r\n\r\n"));
  std::optional<WireResponse> refused = smuggler.Read();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  smuggler.Send(HttpRequest("POST", "/count", "", "x"));
  EXPECT_TRUE(smuggler.WaitClosed());
  std::this_thread::sleep_for(100ms);  // time enough for a handler that should not run
  EXPECT_EQ(count_calls_.load(), 0);

  // Sent in full, far beyond Pistache's buffer: the same answer, not Pistache's text.
  WireResponse sent = Call(HttpRequest("POST", "/upload", "", std::string(300 * 1024, 'x')));
  EXPECT_EQ(sent.status, 413);
  EXPECT_EQ(Str(ParseBody(sent), "renderer"), "upload");
  // And the server goes on answering.
  EXPECT_EQ(Call(HttpRequest("POST", "/upload", "", std::string(10, 'x'))).status, 200);
}

TEST_F(ServerTest, BodyOverTheLimitOnAnUnknownRouteUsesThePrefixFallback) {
  ServerOptions options;
  options.max_body_bytes = 10;
  Start(options);
  WireResponse r = Call(HttpRequest("POST", "/scim/v2/Nope", "", std::string(11, 'x')));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(Str(ParseBody(r), "renderer"), "scim");
}

TEST_F(ServerTest, DecodesPathParametersAndQueryOnce) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/echo/a%20b%2541?a=x+y%26z&b=%C3%A9"));
  ASSERT_EQ(r.status, 200) << r.body;
  Json body = ParseBody(r);
  EXPECT_EQ(Str(body, "path"), "/echo/a b%41");
  EXPECT_EQ(Str(body, "route"), "/echo/:id");
  EXPECT_EQ(Str(body, "id"), "a b%41");
  EXPECT_EQ(Str(body, "a"), "x y&z");
  EXPECT_EQ(Str(body, "b"), "\xc3\xa9");
}

TEST_F(ServerTest, RepeatedQueryParameterKeepsTheFirstValue) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/echo/1?a=first&b=x&a=second"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(ParseBody(r), "a"), "first");
}

TEST_F(ServerTest, MalformedPercentEscapeGets400FromTheFallback) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/scim/v2/Users/%zz"));
  EXPECT_EQ(r.status, 400);
  Json body = ParseBody(r);
  EXPECT_EQ(Str(body, "renderer"), "scim");
  EXPECT_EQ(Str(body, "code"), "INVALID_ARGUMENT");

  WireResponse q = Call(HttpRequest("GET", "/echo/1?a=%G1"));
  EXPECT_EQ(q.status, 400);
}

TEST_F(ServerTest, HandlerExceptionGives500WithoutItsMessageAndLogsIt) {
  Start();
  StderrCapture capture;
  WireResponse r = Call(HttpRequest("GET", "/throw"));
  const std::string log = capture.Stop();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("xyzzy"), std::string::npos) << r.body;
  Json body = ParseBody(r);
  EXPECT_EQ(Str(body, "renderer"), "thrower");
  EXPECT_EQ(Str(body, "message"), "internal error");
  std::vector<Json> lines = LogLines(log, "http_handler_exception");
  ASSERT_EQ(lines.size(), 1u) << log;
  EXPECT_EQ(Str(lines[0], "detail"), "secret detail xyzzy");
  EXPECT_TRUE(LogLines(log, "http_error").empty()) << "one exception, one log line";
}

TEST_F(ServerTest, AsyncHandlerExceptionGives500FromTheFamilyRenderer) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/async-throw"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(Str(ParseBody(r), "renderer"), "async-thrower");
  EXPECT_EQ(r.body.find("plugh"), std::string::npos) << r.body;
  EXPECT_TRUE(InFlightDrainsToZero(*server_));
}

TEST_F(ServerTest, NonOkStatusIsRenderedByTheFamilyRenderer) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/fail"));
  EXPECT_EQ(r.status, 403);
  Json body = ParseBody(r);
  EXPECT_EQ(Str(body, "renderer"), "fail");
  EXPECT_EQ(Str(body, "tag"), "insufficient_scope");
  EXPECT_EQ(r.body.find("why: x"), std::string::npos);
  EXPECT_EQ(Str(body, "request_id"), r.Header("X-Request-Id").value_or(""));
}

TEST_F(ServerTest, AsyncHandlerRepliesFromAnotherThread) {
  Start();
  LoopbackConnection c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.Send(HttpRequest("GET", "/async", "X-Request-Id: async-1\r\n")));
  std::optional<WireResponse> r = c.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "async async-1");
  // The connection stays usable and the second reply() was ignored.
  ASSERT_TRUE(c.Send(HttpRequest("GET", "/hello")));
  std::optional<WireResponse> next = c.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "hello");
}

TEST_F(ServerTest, AsyncHandlerThatDropsItsReplyGets500) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/async-drop"));
  EXPECT_EQ(r.status, 500);
  EXPECT_TRUE(InFlightDrainsToZero(*server_));
}

TEST_F(ServerTest, UnknownPathGets404AndWrongMethod405WithAllowFromFallbacks) {
  Start();
  WireResponse missing = Call(HttpRequest("GET", "/scim/v2/Nope"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Str(ParseBody(missing), "renderer"), "scim");

  WireResponse root_missing = Call(HttpRequest("GET", "/nope"));
  EXPECT_EQ(root_missing.status, 404);
  EXPECT_EQ(Str(ParseBody(root_missing), "renderer"), "root");

  WireResponse wrong = Call(HttpRequest("DELETE", "/scim/v2/Users/7"));
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("Allow"), "PUT");
  EXPECT_EQ(Str(ParseBody(wrong), "renderer"), "scim");
  EXPECT_EQ(Str(ParseBody(wrong), "tag"), "method_not_allowed");

  // No automatic HEAD or OPTIONS.
  EXPECT_EQ(Call(HttpRequest("HEAD", "/hello")).status, 405);
  WireResponse options = Call(HttpRequest("OPTIONS", "/hello"));
  EXPECT_EQ(options.status, 405);
  EXPECT_EQ(options.Header("Allow"), "GET");
}

TEST_F(ServerTest, WritesOneAccessLogLinePerRequestWithoutQueryOrHeaders) {
  Start();
  StderrCapture capture;
  Call(HttpRequest("GET", "/echo/7?secret=query-value", "Authorization: Bearer tok-secret\r\n"));
  Call(HttpRequest("GET", "/tenant", "X-Request-Id: rid-tenant\r\n"));
  Call(HttpRequest("GET", "/missing"));
  const std::string log = capture.Stop();
  EXPECT_EQ(log.find("query-value"), std::string::npos) << log;
  EXPECT_EQ(log.find("tok-secret"), std::string::npos) << log;

  std::vector<Json> lines = LogLines(log, "http_request");
  ASSERT_EQ(lines.size(), 3u) << log;
  const Json& echo = lines[0];
  EXPECT_EQ(Str(echo, "method"), "GET");
  EXPECT_EQ(Str(echo, "route"), "/echo/:id");
  ASSERT_NE(echo.Find("status"), nullptr);
  EXPECT_EQ(echo.Find("status")->as_int(), 200);
  ASSERT_NE(echo.Find("latency_ms"), nullptr);
  EXPECT_TRUE(echo.Find("latency_ms")->is_number());
  EXPECT_EQ(Str(echo, "client_ip"), "127.0.0.1");
  EXPECT_NE(Str(echo, "request_id"), "<missing>");
  ASSERT_NE(echo.Find("bytes"), nullptr);
  EXPECT_GT(echo.Find("bytes")->as_int(), 0);
  EXPECT_EQ(echo.Find("tenant"), nullptr);

  EXPECT_EQ(Str(lines[1], "tenant"), "tenant-42");
  EXPECT_EQ(Str(lines[1], "request_id"), "rid-tenant");
  EXPECT_EQ(lines[1].Find("status")->as_int(), 204);
  EXPECT_EQ(Str(lines[2], "route"), "unmatched");
  EXPECT_EQ(lines[2].Find("status")->as_int(), 404);
}

TEST_F(ServerTest, CustomResponseHeadersArrive) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/headers"));
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.Header("Location"), "http://localhost/x/1");
  EXPECT_EQ(r.Header("ETag"), "W/\"3\"");
  EXPECT_EQ(r.Header("Retry-After"), "120");
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  EXPECT_EQ(r.HeaderCount("WWW-Authenticate"), 2u);
  EXPECT_EQ(r.HeaderCount("Content-Type"), 1u);
  EXPECT_EQ(r.Header("Content-Type"), "application/scim+json");
  EXPECT_EQ(r.Header("Content-Length"), "4");
  EXPECT_EQ(r.body, "made");
  // A value with CR/LF is dropped, never split into a second header.
  EXPECT_EQ(r.Header("X-Evil"), std::nullopt);
  EXPECT_EQ(r.Header("Set-Cookie"), std::nullopt);
}

TEST_F(ServerTest, NoContentHasNoContentType) {
  Start();
  WireResponse r = Call(HttpRequest("GET", "/tenant"));
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.Header("Content-Type"), std::nullopt);
}

TEST_F(ServerTest, ForwardedForFromAnUntrustedPeerIsIgnored) {
  Start();  // no trusted proxies
  WireResponse r = Call(HttpRequest("GET", "/echo/1", "X-Forwarded-For: 198.51.100.7\r\n"));
  EXPECT_EQ(Str(ParseBody(r), "client_ip"), "127.0.0.1");
}

TEST_F(ServerTest, ForwardedForFromATrustedPeerIsBelieved) {
  ServerOptions options;
  StatusOr<std::vector<Cidr>> trusted = ParseCidrList("127.0.0.1/32");
  ASSERT_TRUE(trusted.ok());
  options.trusted_proxies = *trusted;
  Start(options);
  WireResponse r =
      Call(HttpRequest("GET", "/echo/1", "X-Forwarded-For: 6.6.6.6, 198.51.100.7, 127.0.0.1\r\n"));
  EXPECT_EQ(Str(ParseBody(r), "client_ip"), "198.51.100.7");
  WireResponse direct = Call(HttpRequest("GET", "/echo/1"));
  EXPECT_EQ(Str(ParseBody(direct), "client_ip"), "127.0.0.1");
}

TEST_F(ServerTest, ListensOnIpv6LoopbackAndReportsTheIpv6Peer) {
  const int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 any{};
  any.sin6_family = AF_INET6;
  any.sin6_addr = in6addr_loopback;
  const bool ipv6 = probe >= 0 && ::bind(probe, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0;
  if (probe >= 0) ::close(probe);
  if (!ipv6) GTEST_SKIP() << "no IPv6 loopback here";

  ServerOptions options;
  options.host = "::1";
  options.port = 0;
  options.threads = 1;
  server_ = std::make_unique<Server>(options, router_);
  Status s = server_->Start();
  ASSERT_TRUE(s.ok()) << s.ToString();
  CURL* curl = curl_easy_init();
  ASSERT_NE(curl, nullptr);
  std::string body;
  const std::string url = "http://[::1]:" + std::to_string(server_->port()) + "/echo/v6";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  curl_easy_cleanup(curl);
  StatusOr<Json> json = ParseJson(body);
  ASSERT_TRUE(json.ok()) << body;
  EXPECT_EQ(Str(*json, "client_ip"), "::1");
}

TEST_F(ServerTest, HandlersRunOnTheConfiguredNumberOfReactorThreads) {
  ServerOptions options;
  options.threads = 2;
  Start(options);
  // Pistache assigns a connection to reactor fd % threads. Client and server
  // share this process's descriptors: a connection answered before the next
  // one opens takes two (client, accepted), so one spare descriptor after
  // each makes the accepted ones alternate in parity, whatever the timing.
  std::vector<std::unique_ptr<LoopbackConnection>> connections;
  std::vector<int> spares;
  for (int i = 0; i < 16; ++i) {
    auto c = std::make_unique<LoopbackConnection>();
    ASSERT_TRUE(c->Connect(server_->port()));
    ASSERT_TRUE(c->Send(HttpRequest("GET", "/thread")));
    ASSERT_TRUE(c->Read());
    connections.push_back(std::move(c));
    spares.push_back(::open("/dev/null", O_RDONLY));
    std::lock_guard lock(threads_mu_);
    if (handler_threads_.size() >= 2) break;
  }
  for (int fd : spares) ::close(fd);
  std::lock_guard lock(threads_mu_);
  EXPECT_EQ(handler_threads_.size(), 2u);
  EXPECT_EQ(handler_threads_.count(std::this_thread::get_id()), 0u);
}

TEST_F(ServerTest, ShutdownLetsAnInFlightRequestFinishAndTurnsNewConnectionsAway) {
  Start();
  const uint16_t port = server_->port();
  auto slow = std::async(std::launch::async, [port] {
    LoopbackConnection c;
    if (!c.Connect(port) || !c.Send(HttpRequest("GET", "/slow"))) return WireResponse{};
    return c.Read(10s).value_or(WireResponse{});
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server_->in_flight() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(server_->in_flight(), 1u);

  const auto shutdown_started = std::chrono::steady_clock::now();
  std::thread stopper([this] { server_->Shutdown(); });
  std::this_thread::sleep_for(100ms);

  // Mid-drain: a new connection is refused, or accepted and closed unanswered.
  // Its request must not run a handler either (it may have side effects).
  LoopbackConnection late;
  if (late.Connect(port)) {
    late.Send(HttpRequest("POST", "/count", "", "x"));
    EXPECT_FALSE(late.Read(3s).has_value()) << "a connection opened during the drain was served";
  }

  WireResponse r = slow.get();
  stopper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "slow done");
  EXPECT_EQ(server_->in_flight(), 0u);
  EXPECT_EQ(count_calls_.load(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - shutdown_started, 5s);

  // After Shutdown, the port is closed.
  LoopbackConnection after;
  EXPECT_FALSE(after.Connect(port));
}

TEST_F(ServerTest, ShutdownWaitsForAsyncRepliesToo) {
  Start();
  const uint16_t port = server_->port();
  auto slow = std::async(std::launch::async, [port] {
    LoopbackConnection c;
    if (!c.Connect(port) || !c.Send(HttpRequest("GET", "/async-slow"))) return WireResponse{};
    return c.Read(10s).value_or(WireResponse{});
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server_->in_flight() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(server_->in_flight(), 1u);
  server_->Shutdown();
  WireResponse r = slow.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "async slow done");
}

TEST_F(ServerTest, ShutdownGivesUpAfterTheDrainTimeout) {
  ServerOptions options;
  options.drain_timeout = 100ms;
  Start(options);
  const uint16_t port = server_->port();
  auto slow = std::async(std::launch::async, [port] {
    LoopbackConnection c;
    if (!c.Connect(port) || !c.Send(HttpRequest("GET", "/async-slow"))) return false;
    return c.Read(10s).has_value();
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (server_->in_flight() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  const auto started = std::chrono::steady_clock::now();
  server_->Shutdown();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 900ms);
  EXPECT_FALSE(slow.get()) << "the cut request should get no response";
}

TEST_F(ServerTest, ShutdownClosesIdleKeepAliveConnections) {
  Start();
  LoopbackConnection c;
  ASSERT_TRUE(c.Connect(server_->port()));
  ASSERT_TRUE(c.Send(HttpRequest("GET", "/hello")));
  ASSERT_TRUE(c.Read());
  server_->Shutdown();
  EXPECT_TRUE(c.WaitClosed(2s));
}

TEST_F(ServerTest, ShutdownIsIdempotentAndSafeBeforeStart) {
  Server never_started(ServerOptions{}, router_);
  never_started.Shutdown();
  Start();
  server_->Shutdown();
  server_->Shutdown();
  EXPECT_TRUE(InFlightDrainsToZero(*server_));
}

TEST_F(ServerTest, StartFailsWithUnavailableNamingTheAddressWhenThePortIsTaken) {
  Start();
  ServerOptions options;
  options.port = server_->port();
  Server second(options, router_);
  Status s = second.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("127.0.0.1:" + std::to_string(server_->port())), std::string::npos)
      << s.message();
}

}  // namespace
}  // namespace portico::http
