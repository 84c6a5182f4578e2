#pragma once

#include <atomic>
#include <chrono>

#include "portico/clock.h"

namespace portico::testing {

// A clock that moves only when told to. Thread-safe.
class FakeClock : public Clock {
 public:
  explicit FakeClock(TimePoint start = FromUnixMillis(1'800'000'000'000)) : now_(start) {}
  TimePoint Now() const override { return now_.load(); }
  void Advance(std::chrono::milliseconds by) { now_ = now_.load() + by; }
  void Set(TimePoint t) { now_ = t; }

 private:
  std::atomic<TimePoint> now_;
};

}  // namespace portico::testing
