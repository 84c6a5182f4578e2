// The bare baseline for the benchmarks: Pistache answering "hello" with no
// routing, logging or database. Usage: portico_bench_hello PORT [THREADS]
#include <pistache/endpoint.h>
#include <pistache/http.h>
#include <signal.h>

#include <cstdlib>

namespace {

class Hello : public Pistache::Http::Handler {
 public:
  HTTP_PROTOTYPE(Hello)
  void onRequest(const Pistache::Http::Request& request,
                 Pistache::Http::ResponseWriter response) override {
    // Pistache 0.0.5 answers "Connection: Close" unless the client sent
    // "Connection: keep-alive"; real clients (and wrk) send nothing and expect
    // HTTP/1.1 persistence. The baseline gets the same fix portico has, so the
    // comparison is between two servers that keep connections alive.
    namespace H = Pistache::Http;
    auto sent = request.headers().tryGet<H::Header::Connection>();
    const bool close = sent && sent->control() == H::ConnectionControl::Close;
    if (request.version() == H::Version::Http11 && !close) {
      auto connection = response.headers().tryGet<H::Header::Connection>();
      if (connection) {
        *connection = H::Header::Connection(H::ConnectionControl::KeepAlive);
      } else {
        response.headers().add<H::Header::Connection>(H::ConnectionControl::KeepAlive);
      }
    }
    response.send(H::Code::Ok, "hello");
  }
};

}  // namespace

int main(int argc, char** argv) {
  const int port = argc > 1 ? std::atoi(argv[1]) : 9080;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 2;
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Pistache::Http::Endpoint endpoint(
      Pistache::Address(Pistache::Ipv4::loopback(), Pistache::Port(static_cast<uint16_t>(port))));
  endpoint.init(Pistache::Http::Endpoint::options().threads(threads));
  endpoint.setHandler(Pistache::Http::make_handler<Hello>());
  endpoint.serveThreaded();
  int received = 0;
  sigwait(&signals, &received);
  endpoint.shutdown();
  return 0;
}
