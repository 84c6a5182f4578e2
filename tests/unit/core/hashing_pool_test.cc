#include "portico/hashing_pool.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "tests/fakes/fake_random.h"

namespace portico {
namespace {

using std::chrono::seconds;

class HashingPoolTest : public ::testing::Test {
 protected:
  testing::FakeRandom random_;
  Argon2PasswordHasher hasher_{random_, Argon2Params::ForTests()};
};

// Occupies one worker until released; `started` tells the test it is running.
struct Blocker {
  std::latch started{1};
  std::latch release{1};
  std::function<void()> Job() {
    return [this] {
      started.count_down();
      release.wait();
    };
  }
};

TEST_F(HashingPoolTest, RunsJobsOnAWorkerThreadNotTheCallers) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 4});
  std::promise<std::thread::id> ran_on;
  ASSERT_TRUE(pool.Submit([&] { ran_on.set_value(std::this_thread::get_id()); }).ok());
  auto future = ran_on.get_future();
  ASSERT_EQ(future.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_NE(future.get(), std::this_thread::get_id());
}

TEST_F(HashingPoolTest, RunsAsManyJobsAtOnceAsItHasWorkers) {
  HashingPool pool(hasher_, {.threads = 3, .queue_capacity = 4});
  // Each job waits for the other two: this completes only if all three run at once.
  std::barrier meet(3);
  std::latch done(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(pool.Submit([&] {
                      meet.arrive_and_wait();
                      done.count_down();
                    })
                    .ok());
  }
  done.wait();
}

TEST_F(HashingPoolTest, RefusesWithResourceExhaustedWhenTheQueueIsFull) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 2});
  Blocker blocker;
  ASSERT_TRUE(pool.Submit(blocker.Job()).ok());
  blocker.started.wait();  // the worker is busy; the queue is empty
  std::atomic<int> ran{0};
  ASSERT_TRUE(pool.Submit([&] { ++ran; }).ok());
  ASSERT_TRUE(pool.Submit([&] { ++ran; }).ok());
  EXPECT_EQ(pool.queued(), 2u);

  const auto start = std::chrono::steady_clock::now();
  Status full = pool.Submit([&] { ran += 100; });
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(1));  // refused, not blocked
  EXPECT_EQ(full.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(full.message(), "busy");
  EXPECT_EQ(full.retry_after_seconds(), 1);

  blocker.release.count_down();
  pool.Shutdown();
  EXPECT_EQ(ran.load(), 2);  // the refused job never ran
}

TEST_F(HashingPoolTest, AcceptsAgainOnceTheQueueHasRoom) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 1});
  Blocker blocker;
  ASSERT_TRUE(pool.Submit(blocker.Job()).ok());
  blocker.started.wait();
  ASSERT_TRUE(pool.Submit([] {}).ok());
  EXPECT_EQ(pool.Submit([] {}).code(), StatusCode::kResourceExhausted);
  blocker.release.count_down();
  for (int i = 0; i < 1000 && pool.queued() > 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(pool.Submit([] {}).ok());
}

TEST_F(HashingPoolTest, ShutdownFinishesQueuedJobsBeforeReturning) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 8});
  Blocker blocker;
  ASSERT_TRUE(pool.Submit(blocker.Job()).ok());
  blocker.started.wait();
  std::atomic<int> ran{0};
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }).ok());

  std::thread stopper([&] { pool.Shutdown(); });
  // Once Shutdown has begun, new work is refused…
  while (pool.Submit([] {}).code() != StatusCode::kUnavailable) std::this_thread::yield();
  // …but what was queued before still runs.
  EXPECT_EQ(ran.load(), 0);
  blocker.release.count_down();
  stopper.join();
  EXPECT_EQ(ran.load(), 5);
}

TEST_F(HashingPoolTest, SubmitAfterShutdownIsUnavailableAndShutdownIsIdempotent) {
  HashingPool pool(hasher_, {.threads = 2, .queue_capacity = 2});
  pool.Shutdown();
  pool.Shutdown();
  bool ran = false;
  Status s = pool.Submit([&] { ran = true; });
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(ran);
}

TEST_F(HashingPoolTest, DestructorDrainsQueuedJobs) {
  std::atomic<int> ran{0};
  {
    HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 16});
    for (int i = 0; i < 16; ++i) ASSERT_TRUE(pool.Submit([&] { ++ran; }).ok());
  }
  EXPECT_EQ(ran.load(), 16);
}

TEST_F(HashingPoolTest, ConcurrentSubmittersEachJobRunsExactlyOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  std::atomic<int> accepted{0}, refused{0}, ran{0};
  {
    // A small queue, so some submissions are refused while others race in.
    HashingPool pool(hasher_, {.threads = 2, .queue_capacity = 16});
    std::vector<std::thread> submitters;
    for (int t = 0; t < kThreads; ++t) {
      submitters.emplace_back([&] {
        for (int i = 0; i < kPerThread; ++i) {
          Status s = pool.Submit([&] { ++ran; });
          if (s.ok()) {
            ++accepted;
          } else {
            EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
            ++refused;
          }
        }
      });
    }
    for (auto& t : submitters) t.join();
  }
  EXPECT_EQ(accepted + refused, kThreads * kPerThread);
  EXPECT_GT(accepted.load(), 0);
  EXPECT_EQ(ran.load(), accepted.load());
}

TEST_F(HashingPoolTest, AJobThatThrowsDoesNotKillItsWorker) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 4});
  ASSERT_TRUE(pool.Submit([] { throw std::runtime_error("boom"); }).ok());
  ASSERT_TRUE(pool.Submit([] { throw 42; }).ok());
  std::promise<void> after;
  ASSERT_TRUE(pool.Submit([&] { after.set_value(); }).ok());
  EXPECT_EQ(after.get_future().wait_for(seconds(10)), std::future_status::ready);
}

TEST_F(HashingPoolTest, SubmitHashDeliversAVerifiablePhcString) {
  HashingPool pool(hasher_, {.threads = 2, .queue_capacity = 4});
  std::promise<StatusOr<std::string>> result;
  ASSERT_TRUE(pool.SubmitHash("pw", [&](StatusOr<std::string> h) { result.set_value(h); }).ok());
  StatusOr<std::string> hashed = result.get_future().get();
  ASSERT_TRUE(hashed.ok()) << hashed.status().ToString();
  EXPECT_TRUE(hasher_.Verify("pw", *hashed).value());
}

TEST_F(HashingPoolTest, SubmitHashPassesTheHashersErrorToDone) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 4});
  std::promise<StatusOr<std::string>> result;
  ASSERT_TRUE(pool.SubmitHash(std::string(kMaxPasswordBytes + 1, 'a'),
                              [&](StatusOr<std::string> h) { result.set_value(h); })
                  .ok());
  EXPECT_EQ(result.get_future().get().status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HashingPoolTest, SubmitVerifyReportsMatchAndMismatchWithoutRehashForCurrentHashes) {
  HashingPool pool(hasher_, {.threads = 2, .queue_capacity = 4});
  const std::string phc = hasher_.Hash("right").value();
  std::promise<StatusOr<VerifyOutcome>> good, bad;
  ASSERT_TRUE(pool.SubmitVerify("right", phc, [&](auto r) { good.set_value(r); }).ok());
  ASSERT_TRUE(pool.SubmitVerify("wrong", phc, [&](auto r) { bad.set_value(r); }).ok());
  StatusOr<VerifyOutcome> g = good.get_future().get();
  StatusOr<VerifyOutcome> b = bad.get_future().get();
  ASSERT_TRUE(g.ok() && b.ok());
  EXPECT_TRUE(g->matches);
  EXPECT_FALSE(g->rehashed.has_value());
  EXPECT_FALSE(b->matches);
  EXPECT_FALSE(b->rehashed.has_value());
}

TEST_F(HashingPoolTest, SubmitVerifyRehashesAMatchingOutdatedHash) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 4});
  // openwall's bcrypt test vector, as a migration would import it.
  const std::string bcrypt = "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
  std::promise<StatusOr<VerifyOutcome>> right, wrong;
  ASSERT_TRUE(pool.SubmitVerify("U*U", bcrypt, [&](auto r) { right.set_value(r); }).ok());
  ASSERT_TRUE(pool.SubmitVerify("nope", bcrypt, [&](auto r) { wrong.set_value(r); }).ok());
  StatusOr<VerifyOutcome> r = right.get_future().get();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->matches);
  ASSERT_TRUE(r->rehashed.has_value());
  EXPECT_FALSE(hasher_.NeedsRehash(*r->rehashed));
  EXPECT_TRUE(hasher_.Verify("U*U", *r->rehashed).value());
  StatusOr<VerifyOutcome> w = wrong.get_future().get();
  ASSERT_TRUE(w.ok());
  EXPECT_FALSE(w->matches);
  EXPECT_FALSE(w->rehashed.has_value());  // never rehash on a wrong password
}

TEST_F(HashingPoolTest, SubmitVerifyPassesMalformedHashErrorToDone) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 4});
  std::promise<StatusOr<VerifyOutcome>> result;
  ASSERT_TRUE(pool.SubmitVerify("pw", "$argon2id$v=19$m=4194304,t=1,p=1$AAAA$AAAA",
                                [&](auto r) { result.set_value(r); })
                  .ok());
  EXPECT_EQ(result.get_future().get().status().code(), StatusCode::kInvalidArgument);
}

TEST_F(HashingPoolTest, SubmitDummyVerifyCallsDoneOnAWorker) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 4});
  std::promise<std::thread::id> done;
  ASSERT_TRUE(
      pool.SubmitDummyVerify("pw", [&] { done.set_value(std::this_thread::get_id()); }).ok());
  EXPECT_NE(done.get_future().get(), std::this_thread::get_id());
}

TEST_F(HashingPoolTest, HashHelpersAreRefusedWhenFullAndNeverCallDone) {
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 1});
  Blocker blocker;
  ASSERT_TRUE(pool.Submit(blocker.Job()).ok());
  blocker.started.wait();
  ASSERT_TRUE(pool.Submit([] {}).ok());
  std::atomic<int> called{0};
  EXPECT_EQ(pool.SubmitHash("a", [&](auto) { ++called; }).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(pool.SubmitVerify("a", "b", [&](auto) { ++called; }).code(),
            StatusCode::kResourceExhausted);
  EXPECT_EQ(pool.SubmitDummyVerify("a", [&] { ++called; }).code(), StatusCode::kResourceExhausted);
  blocker.release.count_down();
  pool.Shutdown();
  EXPECT_EQ(called.load(), 0);
}

// Linux keeps a nice value per thread: the workers' must change, the caller's not.
int ThreadNice() { return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())); }

// The nice value a worker of `pool` runs at, or -100 when no worker answered.
int WorkerNice(HashingPool& pool) {
  std::promise<int> worker_nice;
  if (!pool.Submit([&] { worker_nice.set_value(ThreadNice()); }).ok()) return -100;
  auto future = worker_nice.get_future();
  if (future.wait_for(seconds(10)) != std::future_status::ready) return -100;
  return future.get();
}

TEST_F(HashingPoolTest, WorkersRunAtTheConfiguredNiceIncrementAndTheCallerIsUntouched) {
  const int before = ThreadNice();
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 4, .nice = 5});
  EXPECT_EQ(WorkerNice(pool), std::min(19, before + 5));
  EXPECT_EQ(ThreadNice(), before);
}

TEST_F(HashingPoolTest, WorkersKeepTheCallersNiceValueByDefault) {
  const int before = ThreadNice();
  HashingPool pool(hasher_, {.threads = 1, .queue_capacity = 4});
  EXPECT_EQ(WorkerNice(pool), before);
}

}  // namespace
}  // namespace portico
