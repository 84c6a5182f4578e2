#include "portico/first_api_call.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "portico/log.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico {
namespace {

class FirstApiCallTrackerTest : public ::testing::Test {
 protected:
  FirstApiCallTrackerTest() { SetLogLevel(LogLevel::kError); }
  ~FirstApiCallTrackerTest() override { SetLogLevel(LogLevel::kInfo); }

  void SetUp() override {
    tenant_.id = "t-1";
    tenant_.slug = "acme";
    tenant_.name = "Acme";
    tenant_.created_at = clock_.Now();
    ASSERT_TRUE(db_.Run([&](Stores& s) { return s.tenants().Insert(tenant_); }).ok());
  }

  static std::string Count(const Metrics& metrics) {
    const std::string text = metrics.Render();
    const std::string name = "portico_signup_to_first_api_call_minutes_count ";
    const size_t at = text.find(name);
    if (at == std::string::npos) return "0";
    return text.substr(at + name.size(), text.find('\n', at) - at - name.size());
  }

  testing::FakeClock clock_;
  testing::InMemoryDatabase db_;
  Tenant tenant_;
};

TEST_F(FirstApiCallTrackerTest, ObservesTheMinutesSinceCreationOncePerTenant) {
  Metrics metrics;
  FirstApiCallTracker tracker(db_, clock_, metrics);
  clock_.Advance(std::chrono::minutes(20));
  tracker.Seen("t-1");
  clock_.Advance(std::chrono::minutes(20));
  tracker.Seen("t-1");
  EXPECT_EQ(Count(metrics), "1");
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("portico_signup_to_first_api_call_minutes_sum 20\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("portico_signup_to_first_api_call_minutes_bucket{le=\"15\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("portico_signup_to_first_api_call_minutes_bucket{le=\"30\"} 1\n"),
            std::string::npos);
}

TEST_F(FirstApiCallTrackerTest, AnotherProcessDoesNotCountTheTenantAgain) {
  Metrics first_metrics;
  FirstApiCallTracker first(db_, clock_, first_metrics);
  first.Seen("t-1");
  Metrics second_metrics;  // a restarted (or second) process on the same database
  FirstApiCallTracker second(db_, clock_, second_metrics);
  second.Seen("t-1");
  EXPECT_EQ(Count(first_metrics), "1");
  EXPECT_EQ(Count(second_metrics), "0");
}

TEST_F(FirstApiCallTrackerTest, RunsTheUpdateAtMostOncePerTenantPerProcess) {
  Metrics metrics;
  FirstApiCallTracker tracker(db_, clock_, metrics);
  for (int i = 0; i < 5; ++i) tracker.Seen("t-1");
  EXPECT_EQ(db_.CallCount("tenants.MarkFirstApiCall"), 1);
  EXPECT_EQ(Count(metrics), "1");
}

TEST_F(FirstApiCallTrackerTest, RetriesOnTheNextCallAfterADatabaseFailure) {
  Metrics metrics;
  FirstApiCallTracker tracker(db_, clock_, metrics);
  db_.SetUnavailable(true);
  tracker.Seen("t-1");
  EXPECT_EQ(Count(metrics), "0");
  db_.SetUnavailable(false);
  tracker.Seen("t-1");
  EXPECT_EQ(Count(metrics), "1");
}

TEST_F(FirstApiCallTrackerTest, UnknownTenantIsNotObserved) {
  Metrics metrics;
  FirstApiCallTracker tracker(db_, clock_, metrics);
  tracker.Seen("no-such-tenant");
  EXPECT_EQ(Count(metrics), "0");
}

}  // namespace
}  // namespace portico
