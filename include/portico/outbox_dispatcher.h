#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "portico/clock.h"
#include "portico/database.h"
#include "portico/metrics.h"
#include "portico/outbox.h"
#include "portico/random.h"
#include "portico/status.h"

namespace portico {

struct OutboxPolicy {
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds backoff_base{1000};  // attempt n waits base * 2^(n-1), jittered
  std::chrono::milliseconds backoff_max{std::chrono::hours(1)};
  std::chrono::milliseconds lease{std::chrono::minutes(2)};  // a claimed message's lease
  int max_attempts = 25;
  int batch_size = 32;
  // Where delivery outcomes are counted (portico_outbox_deliveries_total,
  // portico_outbox_delivery_failures_total by topic); null counts nothing.
  // Must outlive the dispatcher.
  Metrics* metrics = nullptr;
};

// Delivers outbox messages at least once. A handler per topic receives the
// payload; OK marks the message delivered, Unavailable (or any error but
// InvalidArgument/FailedPrecondition) schedules a retry with exponential
// backoff (or the topic's retry schedule), InvalidArgument/FailedPrecondition
// (permanent) marks it dead.
// Unknown topics are retried (a newer process may know them). Thread-safe.
class OutboxDispatcher {
 public:
  using Handler = std::function<Status(const OutboxMessage&)>;

  OutboxDispatcher(Database& db, const Clock& clock, Random& random, OutboxPolicy policy = {});
  ~OutboxDispatcher();  // stops the thread if running

  void Register(std::string topic, Handler handler);
  // As Register, but this topic's failures are retried on a fixed schedule
  // instead of the policy's exponential backoff: after n failed attempts the
  // next one waits retry_schedule[n - 1] (jittered as usual), and the message
  // is dead after retry_schedule.size() + 1 attempts (max_attempts does not
  // apply). For receivers that expect a published schedule, such as Standard
  // Webhooks' 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
  void Register(std::string topic, Handler handler,
                std::vector<std::chrono::milliseconds> retry_schedule);

  // One pass: claims due messages and attempts each once. Returns how many
  // were delivered, or the store's error.
  StatusOr<int> RunOnce();

  // Background thread calling RunOnce every poll_interval (sooner after Wake).
  void Start();
  void Stop();
  void Wake();  // e.g. right after a commit that enqueued a message

  // The wait before attempt `attempts + 1` after `attempts` failures (no jitter).
  std::chrono::milliseconds BackoffFor(int attempts) const;

 private:
  struct Topic {
    Handler handler;
    bool scheduled = false;  // retry_schedule replaces the exponential backoff
    std::vector<std::chrono::milliseconds> retry_schedule;
  };

  void Loop();

  Database& db_;
  const Clock& clock_;
  Random& random_;
  OutboxPolicy policy_;
  CounterFamily* delivered_ = nullptr;  // from policy_.metrics
  CounterFamily* failures_ = nullptr;
  std::map<std::string, Topic> handlers_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
};

}  // namespace portico
