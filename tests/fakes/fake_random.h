#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

#include "portico/random.h"

namespace portico::testing {

// Replays a scripted byte sequence (cycling), or counts up from a seed when
// none is given, so tests can predict codes and ids. Thread-safe.
class FakeRandom : public Random {
 public:
  FakeRandom() = default;
  explicit FakeRandom(std::vector<uint8_t> script) : script_(std::move(script)) {}

  void Fill(uint8_t* out, size_t size) override {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < size; ++i) {
      out[i] = script_.empty() ? static_cast<uint8_t>(counter_++) : script_[pos_++ % script_.size()];
    }
  }
  void SetScript(std::vector<uint8_t> script) {
    std::lock_guard lock(mu_);
    script_ = std::move(script);
    pos_ = 0;
  }

 private:
  std::mutex mu_;
  std::vector<uint8_t> script_;
  size_t pos_ = 0;
  uint8_t counter_ = 1;
};

}  // namespace portico::testing
