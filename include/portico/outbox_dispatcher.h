#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "portico/clock.h"
#include "portico/database.h"
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
};

// Delivers outbox messages at least once. A handler per topic receives the
// payload; OK marks the message delivered, Unavailable (or any error but
// InvalidArgument/FailedPrecondition) schedules a retry with exponential
// backoff, InvalidArgument/FailedPrecondition (permanent) marks it dead.
// Unknown topics are retried (a newer process may know them). Thread-safe.
class OutboxDispatcher {
 public:
  using Handler = std::function<Status(const OutboxMessage&)>;

  OutboxDispatcher(Database& db, const Clock& clock, Random& random, OutboxPolicy policy = {});
  ~OutboxDispatcher();  // stops the thread if running

  void Register(std::string topic, Handler handler);

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
  void Loop();

  Database& db_;
  const Clock& clock_;
  Random& random_;
  OutboxPolicy policy_;
  std::map<std::string, Handler> handlers_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
};

}  // namespace portico
