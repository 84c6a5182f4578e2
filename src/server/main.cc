#include <signal.h>

#include <string>
#include <vector>

#include "src/server/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  if (args.size() >= 2 && args[1] == "serve") {
    // Block the shutdown signals before any thread starts (threads inherit
    // the mask), so `serve` can sigwait for them and drain instead of dying
    // mid-request. Other commands keep the default: Ctrl-C ends them.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  }
  signal(SIGPIPE, SIG_IGN);

  return portico::server::RunCli(args);
}
