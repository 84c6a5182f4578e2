#include "portico/metrics.h"

#include <cassert>
#include <charconv>
#include <cmath>
#include <type_traits>

namespace portico {
namespace {

[[maybe_unused]] bool IsMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// {a="x",b="y"} plus an optional extra label (le="…" for buckets); "" when there are none.
std::string LabelSet(const std::vector<std::string>& names, const std::vector<std::string>& values,
                     std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += EscapeLabelValue(i < values.size() ? values[i] : std::string());
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
  return out;
}

void Header(std::string& out, const std::string& name, const std::string& help,
            std::string_view type) {
  out += "# HELP " + name + " " + EscapeHelp(help) + "\n";
  out += "# TYPE " + name + " ";
  out += type;
  out += '\n';
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<int64_t>(value));
  }
  // Shortest text that reads back as the same double (0.1, not 0.10000000000000001).
  char buf[32];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, r.ptr);
}

CounterFamily& RateLimitRejections(Metrics& metrics) {
  return metrics.AddCounter("portico_rate_limit_rejections_total",
                            "Requests refused by a rate limit, by API and limit scope",
                            {"api", "scope"});
}

CounterFamily& SignupAttempts(Metrics& metrics) {
  return metrics.AddCounter("portico_signup_attempts_total",
                            "Sign-up attempts (flow: session = signup session API, account = "
                            "account sign-up API)",
                            {"flow"});
}

CounterFamily& SignupBlocked(Metrics& metrics) {
  return metrics.AddCounter("portico_signup_blocked_total",
                            "Sign-up attempts refused by anti-abuse, by flow and reason "
                            "(rate_limit, captcha, policy)",
                            {"flow", "reason"});
}

const std::vector<double>& LatencyBuckets() {
  static const std::vector<double> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                               0.25,  0.5,    1,     2.5,  5,     10};
  return kBuckets;
}

namespace metrics_internal {
size_t ThisThreadShard() {
  static std::atomic<size_t> next{0};
  thread_local const size_t shard = next.fetch_add(1, std::memory_order_relaxed) % kShards;
  return shard;
}
}  // namespace metrics_internal

uint64_t Counter::value() const {
  uint64_t total = 0;
  for (const Shard& shard : shards_) total += shard.value.load(std::memory_order_relaxed);
  return total;
}

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds),
      lines_per_shard_((bounds.size() + 1 + kPerLine - 1) / kPerLine),
      buckets_(new BucketLine[metrics_internal::kShards * lines_per_shard_]) {}

void Histogram::Observe(double value) {
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;  // le: a value on a bound counts in it
  const size_t shard = metrics_internal::ThisThreadShard();
  Bucket(shard, i).fetch_add(1, std::memory_order_relaxed);
  // A scrape may see count and sum one observation apart; Prometheus tolerates that.
  totals_[shard].sum.fetch_add(value, std::memory_order_relaxed);
  totals_[shard].count.fetch_add(1, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::bucket_counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t shard = 0; shard < metrics_internal::kShards; ++shard) {
    for (size_t i = 0; i < out.size(); ++i) {
      out[i] += Bucket(shard, i).load(std::memory_order_relaxed);
    }
  }
  return out;
}

uint64_t Histogram::count() const {
  uint64_t total = 0;
  for (const Totals& t : totals_) total += t.count.load(std::memory_order_relaxed);
  return total;
}

double Histogram::sum() const {
  double total = 0;
  for (const Totals& t : totals_) total += t.sum.load(std::memory_order_relaxed);
  return total;
}

template <typename Child>
Child& Family<Child>::WithLabels(const std::vector<std::string>& values) {
  assert(values.size() == label_names_.size());
  {
    std::shared_lock lock(mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
  }
  std::unique_lock lock(mu_);
  auto& slot = children_[values];
  if (slot == nullptr) {
    if constexpr (std::is_same_v<Child, Histogram>) {
      slot = std::make_unique<Histogram>(bounds_);
    } else {
      slot = std::make_unique<Child>();
    }
  }
  return *slot;
}

template <typename Child>
Child& Family<Child>::WithLabels(std::initializer_list<std::string_view> values) {
  assert(values.size() == label_names_.size());
  {
    std::shared_lock lock(mu_);
    auto it = children_.find(values);
    if (it != children_.end()) return *it->second;
  }
  return WithLabels(std::vector<std::string>(values.begin(), values.end()));
}

template <typename Child>
std::vector<std::pair<std::vector<std::string>, const Child*>> Family<Child>::Children() const {
  std::shared_lock lock(mu_);
  std::vector<std::pair<std::vector<std::string>, const Child*>> out;
  out.reserve(children_.size());
  for (const auto& [labels, child] : children_) out.emplace_back(labels, child.get());
  return out;
}

template class Family<Counter>;
template class Family<Histogram>;

Metrics::Entry& Metrics::Find(std::string_view name, Kind kind, std::string_view help,
                              const std::vector<std::string>& label_names) {
  assert(IsMetricName(name));
  for ([[maybe_unused]] const std::string& label : label_names) assert(IsMetricName(label));
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    it =
        entries_.emplace(std::string(name), Entry{kind, std::string(help), label_names, {}, {}, {}})
            .first;
  }
  assert(it->second.kind == kind && it->second.help == help &&
         it->second.label_names == label_names);
  return it->second;
}

CounterFamily& Metrics::AddCounter(std::string_view name, std::string_view help,
                                   std::vector<std::string> label_names) {
  std::lock_guard lock(mu_);
  Entry& entry = Find(name, Kind::kCounter, help, label_names);
  if (entry.counter == nullptr) {
    entry.counter.reset(
        new CounterFamily(std::string(name), std::string(help), std::move(label_names)));
  }
  return *entry.counter;
}

HistogramFamily& Metrics::AddHistogram(std::string_view name, std::string_view help,
                                       std::vector<std::string> label_names,
                                       std::vector<double> bounds) {
  for (size_t i = 1; i < bounds.size(); ++i) assert(bounds[i - 1] < bounds[i]);
  std::lock_guard lock(mu_);
  Entry& entry = Find(name, Kind::kHistogram, help, label_names);
  if (entry.histogram == nullptr) {
    entry.histogram.reset(new HistogramFamily(std::string(name), std::string(help),
                                              std::move(label_names), std::move(bounds)));
  }
  return *entry.histogram;
}

void Metrics::AddGauge(std::string_view name, std::string_view help,
                       std::vector<std::string> label_names, GaugeCallback callback) {
  std::lock_guard lock(mu_);
  Entry& entry = Find(name, Kind::kGauge, help, label_names);
  entry.gauge = std::move(callback);
}

std::string Metrics::Render() const {
  // Copy what to render under the lock; run gauge callbacks (which may query
  // the database) outside it, so a slow scrape never blocks registration.
  struct Item {
    std::string name;
    const Entry* entry;
    GaugeCallback gauge;
  };
  std::vector<Item> items;
  {
    std::lock_guard lock(mu_);
    for (const auto& [name, entry] : entries_) items.push_back({name, &entry, entry.gauge});
  }
  std::string out;
  for (const Item& item : items) {
    const Entry& e = *item.entry;  // entries are never removed; their fields are immutable
    switch (e.kind) {
      case Kind::kCounter:
        Header(out, item.name, e.help, "counter");
        for (const auto& [labels, counter] : e.counter->Children()) {
          out += item.name + LabelSet(e.label_names, labels) + " " +
                 std::to_string(counter->value()) + "\n";
        }
        break;
      case Kind::kGauge: {
        Header(out, item.name, e.help, "gauge");
        if (!item.gauge) break;
        for (const GaugeSample& sample : item.gauge()) {
          out += item.name + LabelSet(e.label_names, sample.labels) + " " +
                 FormatMetricValue(sample.value) + "\n";
        }
        break;
      }
      case Kind::kHistogram: {
        Header(out, item.name, e.help, "histogram");
        const std::vector<double>& bounds = e.histogram->bounds_;
        for (const auto& [labels, histogram] : e.histogram->Children()) {
          const std::vector<uint64_t> counts = histogram->bucket_counts();
          uint64_t cumulative = 0;
          for (size_t i = 0; i < counts.size(); ++i) {
            cumulative += counts[i];
            const std::string le = i < bounds.size() ? FormatMetricValue(bounds[i]) : "+Inf";
            out += item.name + "_bucket" + LabelSet(e.label_names, labels, "le", le) + " " +
                   std::to_string(cumulative) + "\n";
          }
          // _count equals the +Inf bucket, as the format requires.
          out += item.name + "_sum" + LabelSet(e.label_names, labels) + " " +
                 FormatMetricValue(histogram->sum()) + "\n";
          out += item.name + "_count" + LabelSet(e.label_names, labels) + " " +
                 std::to_string(cumulative) + "\n";
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace portico
