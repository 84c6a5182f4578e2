// Per-hash cost for bench/accounts: times Argon2PasswordHasher::Hash with the
// production parameters (argon2id m=19 MiB t=2 p=1), as a sign-up pays it.
// Usage: portico_bench_hash_cost [runs (default 200)] [threads (default 1)]
// With THREADS > 1, that many threads hash at once (as the HashingPool's
// workers do under a sign-up flood) and every call's time is counted.
// Prints one line: "runs median_ms p99_ms hashes_per_s".
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "portico/password_hasher.h"
#include "portico/random.h"

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 200;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  if (runs < 1 || threads < 1) {
    std::fprintf(stderr, "usage: %s [runs >= 1] [threads >= 1]\n", argv[0]);
    return 2;
  }
  const portico::Argon2PasswordHasher hasher(portico::SecureRandom());
  // One untimed call: the first touches fresh pages and would skew a short run.
  if (!hasher.Hash("warm-up-password-0123").ok()) return 1;

  using Clock = std::chrono::steady_clock;
  std::mutex mu;
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(runs) * static_cast<size_t>(threads));
  bool failed = false;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      std::vector<double> mine;
      bool ok = true;
      for (int i = 0; i < runs && ok; ++i) {
        const Clock::time_point begin = Clock::now();
        ok = hasher.Hash("correct-horse-battery-staple").ok();
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
      }
      std::lock_guard lock(mu);
      failed = failed || !ok;
      ms.insert(ms.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) {
    std::fprintf(stderr, "Hash failed\n");
    return 1;
  }
  std::sort(ms.begin(), ms.end());
  // Nearest rank, as wrk reports its percentiles.
  const auto rank = [&](double p) {
    size_t i = static_cast<size_t>(p * static_cast<double>(ms.size()) + 0.999999);
    return ms[std::clamp<size_t>(i, 1, ms.size()) - 1];
  };
  std::printf("%zu %.2f %.2f %.1f\n", ms.size(), rank(0.5), rank(0.99),
              static_cast<double>(ms.size()) / seconds);
  return 0;
}
