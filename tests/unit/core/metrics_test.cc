#include "portico/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace portico {
namespace {

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(MetricsTest, CounterRendersHelpTypeAndLabelledSamples) {
  Metrics metrics;
  CounterFamily& requests =
      metrics.AddCounter("portico_test_requests_total", "Requests served", {"route", "status"});
  requests.WithLabels({"/a/:id", "200"}).Inc();
  requests.WithLabels({"/a/:id", "200"}).Inc(2);
  requests.WithLabels({"/b", "404"}).Inc();
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "# HELP portico_test_requests_total Requests served\n"));
  EXPECT_TRUE(Contains(text, "# TYPE portico_test_requests_total counter\n"));
  EXPECT_TRUE(Contains(text, "portico_test_requests_total{route=\"/a/:id\",status=\"200\"} 3\n"));
  EXPECT_TRUE(Contains(text, "portico_test_requests_total{route=\"/b\",status=\"404\"} 1\n"));
}

TEST(MetricsTest, UnlabelledCounterHasNoBraces) {
  Metrics metrics;
  metrics.AddCounter("portico_test_total", "x").WithLabels(std::vector<std::string>{}).Inc();
  EXPECT_TRUE(Contains(metrics.Render(), "\nportico_test_total 1\n"));
}

TEST(MetricsTest, FamilyWithoutChildrenStillHasHelpAndType) {
  Metrics metrics;
  metrics.AddCounter("portico_unused_total", "Never incremented", {"a"});
  const std::string text = metrics.Render();
  EXPECT_EQ(text,
            "# HELP portico_unused_total Never incremented\n"
            "# TYPE portico_unused_total counter\n");
}

TEST(MetricsTest, AddCounterIsGetOrCreate) {
  Metrics metrics;
  CounterFamily& a = metrics.AddCounter("portico_shared_total", "Shared", {"k"});
  CounterFamily& b = metrics.AddCounter("portico_shared_total", "Shared", {"k"});
  EXPECT_EQ(&a, &b);
  a.WithLabels({"v"}).Inc();
  b.WithLabels({"v"}).Inc();
  EXPECT_EQ(a.WithLabels({"v"}).value(), 2u);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Metrics metrics;
  metrics.AddCounter("portico_escape_total", "Help with \\ and\nnewline", {"v"})
      .WithLabels({"a\"b\\c\nd"})
      .Inc();
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "portico_escape_total{v=\"a\\\"b\\\\c\\nd\"} 1\n")) << text;
  EXPECT_TRUE(Contains(text, "# HELP portico_escape_total Help with \\\\ and\\nnewline\n")) << text;
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Metrics metrics;
  HistogramFamily& latency =
      metrics.AddHistogram("portico_test_seconds", "Latency", {"route"}, {0.1, 0.5, 1});
  Histogram& h = latency.WithLabels({"/x"});
  h.Observe(0.05);
  h.Observe(0.1);  // on a bound: counts in that bucket (le)
  h.Observe(0.7);
  h.Observe(3);
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "# TYPE portico_test_seconds histogram\n"));
  EXPECT_TRUE(Contains(text, "portico_test_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n")) << text;
  EXPECT_TRUE(Contains(text, "portico_test_seconds_bucket{route=\"/x\",le=\"0.5\"} 2\n"));
  EXPECT_TRUE(Contains(text, "portico_test_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"));
  EXPECT_TRUE(Contains(text, "portico_test_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"));
  EXPECT_TRUE(Contains(text, "portico_test_seconds_sum{route=\"/x\"} 3.85\n")) << text;
  EXPECT_TRUE(Contains(text, "portico_test_seconds_count{route=\"/x\"} 4\n"));
}

TEST(MetricsTest, UnlabelledHistogramBucketsCarryOnlyLe) {
  Metrics metrics;
  metrics.AddHistogram("portico_minutes", "Minutes", {}, {1, 5})
      .WithLabels(std::vector<std::string>{})
      .Observe(2);
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "portico_minutes_bucket{le=\"1\"} 0\n")) << text;
  EXPECT_TRUE(Contains(text, "portico_minutes_bucket{le=\"5\"} 1\n"));
  EXPECT_TRUE(Contains(text, "portico_minutes_count 1\n"));
}

TEST(MetricsTest, GaugeCallbackRunsAtEveryScrape) {
  Metrics metrics;
  int depth = 3;
  metrics.AddGauge("portico_queue_depth", "Queue depth", {"queue"},
                   [&depth]() -> std::vector<GaugeSample> {
                     return {{{"hash"}, double(depth)}};
                   });
  EXPECT_TRUE(Contains(metrics.Render(), "portico_queue_depth{queue=\"hash\"} 3\n"));
  depth = 7;
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "# TYPE portico_queue_depth gauge\n"));
  EXPECT_TRUE(Contains(text, "portico_queue_depth{queue=\"hash\"} 7\n"));
}

TEST(MetricsTest, GaugeWithoutSamplesRendersOnlyItsHeader) {
  Metrics metrics;
  metrics.AddGauge("portico_gone", "Source unavailable", {},
                   []() -> std::vector<GaugeSample> { return {}; });
  EXPECT_EQ(metrics.Render(),
            "# HELP portico_gone Source unavailable\n# TYPE portico_gone gauge\n");
}

TEST(MetricsTest, FamiliesRenderInNameOrder) {
  Metrics metrics;
  metrics.AddCounter("portico_b_total", "b");
  metrics.AddCounter("portico_a_total", "a");
  const std::string text = metrics.Render();
  EXPECT_LT(text.find("portico_a_total"), text.find("portico_b_total"));
}

TEST(MetricsTest, FormatMetricValueSpellsSpecialValues) {
  EXPECT_EQ(FormatMetricValue(42), "42");
  EXPECT_EQ(FormatMetricValue(0.1), "0.1");
  EXPECT_EQ(FormatMetricValue(-2.5), "-2.5");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  Metrics metrics;
  CounterFamily& family = metrics.AddCounter("portico_race_total", "race", {"k"});
  HistogramFamily& hist = metrics.AddHistogram("portico_race_seconds", "race", {"k"}, {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        family.WithLabels({i % 2 == 0 ? "even" : "odd"}).Inc();
        hist.WithLabels({"x"}).Observe(0.5);
        if (i % 1000 == 0) (void)metrics.Render();  // scrapes race with updates
      }
      (void)t;
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(family.WithLabels({"even"}).value(), 20000u);
  EXPECT_EQ(family.WithLabels({"odd"}).value(), 20000u);
  EXPECT_EQ(hist.WithLabels({"x"}).count(), 40000u);
  EXPECT_DOUBLE_EQ(hist.WithLabels({"x"}).sum(), 20000);
}

}  // namespace
}  // namespace portico
