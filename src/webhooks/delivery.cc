#include "src/webhooks/delivery.h"

#include <charconv>
#include <cstdlib>
#include <memory>
#include <string>

#include "portico/log.h"
#include "src/webhooks/fanout.h"
#include "src/webhooks/sender.h"

namespace portico::webhooks {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::vector<milliseconds> StandardRetrySchedule() {
  return {seconds(5), minutes(5), minutes(30), hours(2), hours(5), hours(10), hours(10)};
}

StatusOr<std::vector<milliseconds>> ParseRetrySchedule(std::string_view text) {
  std::vector<milliseconds> schedule;
  if (text.empty()) return schedule;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const std::string_view part = text.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    int64_t ms = -1;
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), ms);
    if (part.empty() || error != std::errc() || end != part.data() + part.size() || ms < 0 ||
        ms > 86'400'000) {
      return InvalidArgument("a retry schedule is comma-separated milliseconds (0 to 86400000)");
    }
    schedule.push_back(milliseconds(ms));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return schedule;
}

std::vector<milliseconds> RetrySchedule() {
#ifdef PORTICO_TEST_HOOKS
  const char* enabled = std::getenv("PORTICO_ENABLE_TEST_HOOKS");
  const char* text = std::getenv("PORTICO_TEST_WEBHOOK_RETRY_MS");
  if (enabled != nullptr && std::string_view(enabled) == "1" && text != nullptr) {
    StatusOr<std::vector<milliseconds>> schedule = ParseRetrySchedule(text);
    if (schedule.ok()) return *schedule;
    Log(LogLevel::kWarn, "webhook.retry_schedule_ignored",
        Json::MakeObject().Set("error", schedule.status().message()));
  }
#endif
  return StandardRetrySchedule();
}

void RegisterHandlers(OutboxDispatcher& dispatcher, Database& db, const Clock& clock,
                      std::string_view key_hash_secret) {
  auto fanout = std::make_shared<const Fanout>(db, clock, [&dispatcher] { dispatcher.Wake(); });
  dispatcher.Register(kAuditTopic,
                      [fanout](const OutboxMessage& message) { return fanout->Handle(message); });
  auto sender = std::make_shared<const Sender>(db, clock, key_hash_secret);
  dispatcher.Register(
      kWebhookTopic, [sender](const OutboxMessage& message) { return sender->Deliver(message); },
      RetrySchedule());
}

}  // namespace portico::webhooks
