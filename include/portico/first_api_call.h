#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "portico/clock.h"
#include "portico/database.h"
#include "portico/metrics.h"

namespace portico {

// Feeds signup_to_first_api_call: the minutes from a tenant's creation
// (provisioning) to its first authenticated SCIM or token call. The marker
// lives in the database (TenantStore::MarkFirstApiCall), so a tenant counts
// once across processes and restarts; an in-process set keeps the UPDATE to
// at most one per tenant per process. Thread-safe.
class FirstApiCallTracker {
 public:
  // Registers portico_signup_to_first_api_call_minutes in `metrics`. All
  // references must outlive the tracker.
  FirstApiCallTracker(Database& db, const Clock& clock, Metrics& metrics);

  // Call after a tenant's caller authenticated. The first call per tenant in
  // this process runs one UPDATE; a database failure is logged and retried
  // on the tenant's next call. Never fails the caller's request.
  void Seen(std::string_view tenant_id);

 private:
  Database& db_;
  const Clock& clock_;
  HistogramFamily& minutes_;
  std::mutex mu_;
  std::unordered_set<std::string> seen_;  // guarded by mu_
};

// Bucket bounds in minutes for signup_to_first_api_call: 1 min … 30 days.
const std::vector<double>& FirstApiCallMinuteBuckets();

}  // namespace portico
