#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "portico/password_hasher.h"
#include "portico/status.h"

namespace portico {

struct HashingPoolOptions {
  size_t threads = 2;          // workers; each runs one hash at a time (~memory_kib each)
  size_t queue_capacity = 64;  // jobs waiting for a worker (0 is taken as 1); beyond, refused
  // Added to each worker thread's nice value when it starts (Linux keeps one
  // per thread; capped at 19; 0 leaves the workers as their creator). A
  // positive value makes the scheduler run cheap requests' threads first when
  // hashing keeps every core busy; hashing then gets what is left. A worker
  // that cannot change its priority logs a warning and runs as it is.
  int nice = 0;
};

struct VerifyOutcome {
  bool matches = false;
  // Set when the password matched a hash made with other parameters (or
  // bcrypt): the caller should store this fresh hash in its place.
  std::optional<std::string> rehashed;
};

// A bounded worker pool for password hashing, so slow work never blocks an
// HTTP reactor thread. Jobs run on the pool's own threads in FIFO order;
// when every worker is busy and `queue_capacity` jobs wait, Submit refuses
// at once instead of blocking (load shedding). Callbacks (`done`) run on a
// worker thread: they must be quick and thread-safe (e.g. send a response).
// A job or callback that throws is logged and dropped; the worker lives on.
// All methods are thread-safe, except that Shutdown and the destructor must
// not be called from inside a job.
class HashingPool {
 public:
  // `hasher` must outlive the pool. Starts `options.threads` workers
  // (0 is taken as 1); a failure to start a thread throws std::system_error
  // (a fatal error at start-up).
  HashingPool(const PasswordHasher& hasher, HashingPoolOptions options);
  ~HashingPool();  // Shutdown()
  HashingPool(const HashingPool&) = delete;
  HashingPool& operator=(const HashingPool&) = delete;

  // Queues `job`. OK once queued; ResourceExhausted "busy" (retry after 1 s)
  // when the queue is full; Unavailable once Shutdown has begun. A job that
  // is refused is destroyed without running.
  Status Submit(std::function<void()> job);

  // Hashes `password` on a worker and calls `done` with PasswordHasher::Hash's
  // result. Returns as Submit; `done` is called only if OK was returned.
  Status SubmitHash(std::string password, std::function<void(StatusOr<std::string>)> done);

  // Verifies `password` against `encoded` on a worker and calls `done` with
  // the outcome (rehashed when it matched and NeedsRehash) or Verify's error.
  // Returns as Submit; `done` is called only if OK was returned.
  Status SubmitVerify(std::string password, std::string encoded,
                      std::function<void(StatusOr<VerifyOutcome>)> done);

  // Runs PasswordHasher::DummyVerify on a worker, then calls `done`: for
  // "no such account" paths. Returns as Submit.
  Status SubmitDummyVerify(std::string password, std::function<void()> done);

  // Stops accepting jobs, lets the workers finish every queued job, then
  // joins them. Idempotent; concurrent callers all return after the join.
  void Shutdown();

  // Jobs waiting for a worker (not counting running ones); for metrics.
  size_t queued() const;

 private:
  void WorkerLoop();

  const PasswordHasher& hasher_;
  const size_t capacity_;
  const int nice_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::mutex join_mu_;                       // serialises Shutdown's join
  std::vector<std::thread> workers_;
};

}  // namespace portico
