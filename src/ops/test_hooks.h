#pragma once

#include "src/http/router.h"

namespace portico::ops {

// Test-only routes, compiled in only with -DPORTICO_TEST_HOOKS=ON (the test
// build) and registered only when PORTICO_ENABLE_TEST_HOOKS=1 as well:
//   GET /__test/sleep?ms=N   answers after N ms (≤ 10 s): an in-flight request for drain tests
// A release build has neither the code nor the routes.
void AddTestHookRoutes(http::Router& router);
bool TestHooksCompiledIn();

}  // namespace portico::ops
