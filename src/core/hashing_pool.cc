#include "portico/hashing_pool.h"

#include <openssl/crypto.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <utility>

#include "portico/log.h"

namespace portico {
namespace {

// Passwords wait in queued jobs; wipe each copy once it has been used.
void Wipe(std::string& secret) {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
  secret.clear();
}

// Lowers the calling thread's priority by `increment` nice steps. On Linux
// setpriority(PRIO_PROCESS, tid) applies to that one thread, not the process.
void LowerThreadPriority(int increment) {
  if (increment <= 0) return;
  const pid_t tid = gettid();
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
  if (current == -1 && errno != 0) return;  // cannot happen for our own thread
  const int target = std::min(19, current + std::min(increment, 39));
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid), target) != 0) {
    Log(LogLevel::kWarn, "hashing_pool.nice_failed",
        Json::MakeObject().Set("error", std::strerror(errno)));
  }
}

}  // namespace

HashingPool::HashingPool(const PasswordHasher& hasher, HashingPoolOptions options)
    : hasher_(hasher),
      capacity_(options.queue_capacity == 0 ? 1 : options.queue_capacity),
      nice_(options.nice) {
  const size_t threads = options.threads == 0 ? 1 : options.threads;
  workers_.reserve(threads);
  try {
    for (size_t i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  } catch (...) {
    Shutdown();  // join the workers already started before rethrowing
    throw;
  }
}

HashingPool::~HashingPool() { Shutdown(); }

Status HashingPool::Submit(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return Unavailable("shutting down");
    if (queue_.size() >= capacity_) return ResourceExhausted("busy").WithRetryAfter(1);
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return Status::Ok();
}

Status HashingPool::SubmitHash(std::string password,
                               std::function<void(StatusOr<std::string>)> done) {
  return Submit([this, password = std::move(password), done = std::move(done)]() mutable {
    StatusOr<std::string> hashed = hasher_.Hash(password);
    Wipe(password);
    done(std::move(hashed));
  });
}

Status HashingPool::SubmitVerify(std::string password, std::string encoded,
                                 std::function<void(StatusOr<VerifyOutcome>)> done) {
  return Submit([this, password = std::move(password), encoded = std::move(encoded),
                 done = std::move(done)]() mutable {
    StatusOr<bool> matches = hasher_.Verify(password, encoded);
    if (!matches.ok()) {
      Wipe(password);
      done(matches.status());
      return;
    }
    VerifyOutcome outcome{.matches = *matches};
    if (outcome.matches && hasher_.NeedsRehash(encoded)) {
      // A failed rehash must not fail the sign-in: the old hash still works.
      StatusOr<std::string> fresh = hasher_.Hash(password);
      if (fresh.ok()) outcome.rehashed = std::move(*fresh);
    }
    Wipe(password);
    done(std::move(outcome));
  });
}

Status HashingPool::SubmitDummyVerify(std::string password, std::function<void()> done) {
  return Submit([this, password = std::move(password), done = std::move(done)]() mutable {
    hasher_.DummyVerify(password);
    Wipe(password);
    done();
  });
}

void HashingPool::Shutdown() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  std::lock_guard join_lock(join_mu_);
  for (std::thread& worker : workers_) {
    if (worker.joinable()) worker.join();
  }
}

size_t HashingPool::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void HashingPool::WorkerLoop() {
  LowerThreadPriority(nice_);
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      // Drain before exiting: a queued job owes its caller a callback.
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      Log(LogLevel::kError, "hashing_pool.job_failed", Json::MakeObject().Set("error", e.what()));
    } catch (...) {
      Log(LogLevel::kError, "hashing_pool.job_failed");
    }
  }
}

}  // namespace portico
