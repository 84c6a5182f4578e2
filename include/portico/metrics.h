#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace portico {

namespace metrics_internal {
// Hot counters are split into per-thread-group shards, each on its own cache
// line: two reactor threads incrementing one shared atomic would pass that
// line back and forth on every request. Readers (scrapes) add the shards up.
inline constexpr size_t kShards = 8;
inline constexpr size_t kCacheLine = 64;
// This thread's shard, fixed at its first use (threads are spread round robin).
size_t ThisThreadShard();
}  // namespace metrics_internal

// A monotonically increasing count. Lock-free; thread-safe.
class Counter {
 public:
  void Inc(uint64_t n = 1) {
    shards_[metrics_internal::ThisThreadShard()].value.fetch_add(n, std::memory_order_relaxed);
  }
  uint64_t value() const;

 private:
  struct alignas(metrics_internal::kCacheLine) Shard {
    std::atomic<uint64_t> value{0};
  };
  Shard shards_[metrics_internal::kShards];
};

// Observations counted into fixed buckets (upper bounds, ascending), with
// their sum. Lock-free; thread-safe; sharded like Counter.
class Histogram {
 public:
  explicit Histogram(const std::vector<double>& bounds);
  void Observe(double value);
  // Per-bucket (non-cumulative) counts, one per bound plus the +Inf bucket.
  std::vector<uint64_t> bucket_counts() const;
  uint64_t count() const;
  double sum() const;

 private:
  static constexpr size_t kPerLine = metrics_internal::kCacheLine / sizeof(uint64_t);
  struct alignas(metrics_internal::kCacheLine) Totals {
    std::atomic<double> sum{0};
    std::atomic<uint64_t> count{0};
  };
  struct alignas(metrics_internal::kCacheLine) BucketLine {
    std::atomic<uint64_t> counts[kPerLine] = {};
  };
  std::atomic<uint64_t>& Bucket(size_t shard, size_t i) const {
    return buckets_[shard * lines_per_shard_ + i / kPerLine].counts[i % kPerLine];
  }

  const std::vector<double>& bounds_;  // the family's, which outlives this
  const size_t lines_per_shard_;
  Totals totals_[metrics_internal::kShards];
  std::unique_ptr<BucketLine[]> buckets_;  // kShards × lines_per_shard_
};

// One metric name with its label names; a child per distinct label value
// tuple, created on first use and never removed (so label values must come
// from bounded sets: route patterns, never raw paths). Thread-safe: lookups of
// existing children take a shared lock only.
template <typename Child>
class Family {
 public:
  // `values` must have one entry per label name (asserted). The reference
  // stays valid for the family's lifetime: callers on hot paths may keep it.
  Child& WithLabels(std::initializer_list<std::string_view> values);
  Child& WithLabels(const std::vector<std::string>& values);

  const std::string& name() const { return name_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  // A consistent copy of the children's label tuples and pointers, for rendering.
  std::vector<std::pair<std::vector<std::string>, const Child*>> Children() const;

 private:
  friend class Metrics;
  Family(std::string name, std::string help, std::vector<std::string> label_names,
         std::vector<double> bounds = {})
      : name_(std::move(name)),
        help_(std::move(help)),
        label_names_(std::move(label_names)),
        bounds_(std::move(bounds)) {}

  const std::string name_;
  const std::string help_;
  const std::vector<std::string> label_names_;
  const std::vector<double> bounds_;  // histograms only
  mutable std::shared_mutex mu_;
  // Label tuples compared element by element, also against a list of views,
  // so that looking up an existing child allocates nothing.
  struct LabelsLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                          [](std::string_view x, std::string_view y) { return x < y; });
    }
  };
  std::map<std::vector<std::string>, std::unique_ptr<Child>, LabelsLess> children_;
};

extern template class Family<Counter>;
extern template class Family<Histogram>;
using CounterFamily = Family<Counter>;
using HistogramFamily = Family<Histogram>;

// A gauge sample produced at scrape time: label values (one per label name) and value.
struct GaugeSample {
  std::vector<std::string> labels;
  double value = 0;
};
// Called on each scrape (on the scraping thread); must be thread-safe. A
// callback that cannot read its source (database down) returns no samples.
using GaugeCallback = std::function<std::vector<GaugeSample>()>;

// The process's metrics: counters and histograms updated where things
// happen, gauges read through callbacks when scraped. Built once in the
// wiring (src/server/app.cc) and passed to whoever counts; no global. Every
// method is thread-safe.
//
// Registration is get-or-create by name, so two services may both ask for
// the same family; asking again with another type, help or label names is a
// programming error (asserted). Names and label names must match
// [a-zA-Z_:][a-zA-Z0-9_:]* (asserted).
class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  CounterFamily& AddCounter(std::string_view name, std::string_view help,
                            std::vector<std::string> label_names = {});
  // `bounds`: bucket upper bounds, strictly ascending, without +Inf (asserted).
  HistogramFamily& AddHistogram(std::string_view name, std::string_view help,
                                std::vector<std::string> label_names, std::vector<double> bounds);
  // Replaces an earlier callback of the same name.
  void AddGauge(std::string_view name, std::string_view help, std::vector<std::string> label_names,
                GaugeCallback callback);

  // Everything in the Prometheus text exposition format 0.0.4, families in
  // name order, each with # HELP and # TYPE lines; label values escaped
  // (\\, \", \n), help text escaped (\\, \n). Runs the gauge callbacks.
  std::string Render() const;

 private:
  enum class Kind { kCounter, kHistogram, kGauge };
  struct Entry {
    Kind kind;
    std::string help;
    std::vector<std::string> label_names;
    std::unique_ptr<CounterFamily> counter;
    std::unique_ptr<HistogramFamily> histogram;
    GaugeCallback gauge;
  };
  Entry& Find(std::string_view name, Kind kind, std::string_view help,
              const std::vector<std::string>& label_names);

  mutable std::mutex mu_;
  std::map<std::string, Entry, std::less<>> entries_;
};

// Series counted by more than one module, registered get-or-create so every
// counter agrees on help and labels (README "Metrics" lists them all).
//   portico_rate_limit_rejections_total{api, scope}: requests refused by a
//     rate limit; api = signup | auth | dcr, scope = ip | domain | email |
//     session | account | tenant.
CounterFamily& RateLimitRejections(Metrics& metrics);
//   portico_signup_attempts_total{flow}: sign-up attempts (flow = session:
//     POST /api/public/signup/sessions; account: POST /api/auth/sign-up).
CounterFamily& SignupAttempts(Metrics& metrics);
//   portico_signup_blocked_total{flow, reason}: attempts refused by anti-abuse
//     (reason = rate_limit | captcha | policy).
CounterFamily& SignupBlocked(Metrics& metrics);

// Bucket bounds in seconds for HTTP request latency: 1 ms … 10 s.
const std::vector<double>& LatencyBuckets();

// Escapes a label value for the text format: backslash, double quote, newline.
std::string EscapeLabelValue(std::string_view value);
// Formats a sample value: integers without a fraction, +Inf/-Inf/NaN spelled as the format wants.
std::string FormatMetricValue(double value);

}  // namespace portico
