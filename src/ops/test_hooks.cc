#include "src/ops/test_hooks.h"

#include <algorithm>
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
