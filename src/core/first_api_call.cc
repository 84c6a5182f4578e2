#include "portico/first_api_call.h"

#include <chrono>
#include <optional>

#include "portico/log.h"

namespace portico {

const std::vector<double>& FirstApiCallMinuteBuckets() {
  static const std::vector<double> kBuckets = {1,   5,    15,   30,    60,   180,
                                               720, 1440, 4320, 10080, 43200};
  return kBuckets;
}

FirstApiCallTracker::FirstApiCallTracker(Database& db, const Clock& clock, Metrics& metrics)
    : db_(db),
      clock_(clock),
      minutes_(metrics.AddHistogram(
          "portico_signup_to_first_api_call_minutes",
          "Minutes from a tenant's creation to its first authenticated SCIM or token call "
          "(once per tenant)",
          {}, FirstApiCallMinuteBuckets())) {}

void FirstApiCallTracker::Seen(std::string_view tenant_id) {
  {
    std::lock_guard lock(mu_);
    if (!seen_.emplace(tenant_id).second) return;
  }
  const TimePoint now = clock_.Now();
  std::optional<TimePoint> created;
  const Status status = db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(created, stores.tenants().MarkFirstApiCall(tenant_id, now));
    return Status::Ok();
  });
  if (!status.ok()) {
    // Forget the tenant so that its next call tries again.
    std::lock_guard lock(mu_);
    seen_.erase(std::string(tenant_id));
    Log(LogLevel::kWarn, "first_api_call_not_recorded",
        Json::MakeObject().Set("tenant", std::string(tenant_id)).Set("status", status.ToString()));
    return;
  }
  if (!created) return;  // another process, or an earlier run, saw it first
  const double minutes = std::chrono::duration<double, std::ratio<60>>(now - *created).count();
  minutes_.WithLabels(std::vector<std::string>{}).Observe(minutes < 0 ? 0 : minutes);
}

}  // namespace portico
