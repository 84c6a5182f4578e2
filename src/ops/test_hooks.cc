#include "src/ops/test_hooks.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <charconv>
#include <chrono>
#include <thread>

namespace portico::ops {

bool TestHooksCompiledIn() {
#ifdef PORTICO_TEST_HOOKS
  return true;
#else
  return false;
#endif
}

ProvisionFaultHooks MakeProvisionFaultHooks() {
  ProvisionFaultHooks hooks;
#ifdef PORTICO_TEST_HOOKS
  const char* enabled = std::getenv("PORTICO_ENABLE_TEST_HOOKS");
  if (enabled == nullptr || std::string(enabled) != "1") return hooks;
  const char* fail_env = std::getenv("PORTICO_TEST_FAIL_STEP");
  const std::string fail = fail_env != nullptr ? fail_env : "";
  int delay_ms = 0;
  if (const char* delay = std::getenv("PORTICO_TEST_STEP_DELAY_MS"); delay != nullptr) {
    std::from_chars(delay, delay + std::string_view(delay).size(), delay_ms);
    delay_ms = std::clamp(delay_ms, 0, 10000);
  }
  if (!fail.empty() || delay_ms > 0) {
    hooks.before_step = [step = fail, delay_ms](std::string_view current) -> Status {
      if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
      if (step.empty() || current != step) return Status::Ok();
      return Unavailable("injected failure (PORTICO_TEST_FAIL_STEP) at " + step)
          .WithTag("INJECTED_FAILURE");
    };
  }
  if (const char* crash = std::getenv("PORTICO_TEST_CRASH_AFTER_STEP");
      crash != nullptr && *crash != 0) {
    hooks.after_step = [step = std::string(crash)](std::string_view current) {
      if (current == step) kill(getpid(), SIGKILL);
    };
  }
#endif
  return hooks;
}

void AddTestHookRoutes([[maybe_unused]] http::Router& router) {
#ifdef PORTICO_TEST_HOOKS
  router.Add({.method = "GET",
              .pattern = "/__test/sleep",
              .family = "test",
              .async_handler =
                  [](std::shared_ptr<http::Request> req, http::Reply reply) {
                    int ms = 0;
                    const std::string value = req->Query("ms").value_or("0");
                    std::from_chars(value.data(), value.data() + value.size(), ms);
                    ms = std::clamp(ms, 0, 10000);
                    // Off the reactor thread, like real slow work (password hashing).
                    std::thread([ms, reply = std::move(reply)] {
                      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
                      reply(http::Response::Json(200, Json::MakeObject().Set("sleptMs", ms)));
                    }).detach();
                  },
              .summary = "test hook: answer after a delay"});
#endif
}

}  // namespace portico::ops
