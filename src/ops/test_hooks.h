#pragma once

#include <functional>
#include <string_view>

#include "portico/status.h"
#include "src/http/router.h"

namespace portico::ops {

// Test-only routes, compiled in only with -DPORTICO_TEST_HOOKS=ON (the test
// build) and registered only when PORTICO_ENABLE_TEST_HOOKS=1 as well:
//   GET /__test/sleep?ms=N   answers after N ms (≤ 10 s): an in-flight request for drain tests
// A release build has neither the code nor the routes.
void AddTestHookRoutes(http::Router& router);
bool TestHooksCompiledIn();

// Fault injection into signup provisioning (test builds with hooks enabled
// only; otherwise both functions are empty):
//   PORTICO_TEST_FAIL_STEP=<step>         `before_step` fails that step as a
//                                         dependency failure (→ REVIEW_REQUIRED)
//   PORTICO_TEST_CRASH_AFTER_STEP=<step>  `after_step` SIGKILLs the process
//                                         right after that step's commit
//   PORTICO_TEST_STEP_DELAY_MS=<n>        `before_step` sleeps n ms (≤ 10 s)
//                                         before every step, so that tests can
//                                         overlap requests with a run
// Step names are the runbook's (tenant_created_at, …). Read from the
// environment once, when called. Thread-safe.
struct ProvisionFaultHooks {
  std::function<Status(std::string_view step)> before_step;
  std::function<void(std::string_view step)> after_step;
};
ProvisionFaultHooks MakeProvisionFaultHooks();

}  // namespace portico::ops
