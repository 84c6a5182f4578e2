#include "portico/log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "portico/parse_json.h"

namespace portico {
namespace {

// Sends stderr to a temporary file for the lifetime of the object.
class CapturedStderr {
 public:
  CapturedStderr() {
    char path[] = "/tmp/portico_log_test_XXXXXX";
    fd_ = mkstemp(path);
    path_ = path;
    saved_ = dup(STDERR_FILENO);
    dup2(fd_, STDERR_FILENO);
  }
  ~CapturedStderr() {
    Restore();
    unlink(path_.c_str());
  }
  // Restores stderr and returns the captured lines.
  std::vector<std::string> Lines() {
    Restore();
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    FlushLog();
    dup2(saved_, STDERR_FILENO);
    close(saved_);
    close(fd_);
    saved_ = -1;
  }
  int fd_ = -1;
  int saved_ = -1;
  std::string path_;
};

TEST(LogTest, WritesOneJsonLineWithEnvelopeFirst) {
  CapturedStderr captured;
  Json fields = Json::MakeObject();
  fields.Set("tenantId", "t-1").Set("count", 3).Set("event", "clash");
  Log(LogLevel::kWarn, "tenant.created", fields);
  const auto lines = captured.Lines();
  ASSERT_EQ(lines.size(), 1u);
  StatusOr<Json> parsed = ParseJson(lines[0]);
  ASSERT_TRUE(parsed.ok()) << lines[0];
  const auto& members = parsed->as_object();
  ASSERT_EQ(members.size(), 6u) << lines[0];
  EXPECT_EQ(members[0].first, "ts");
  EXPECT_TRUE(std::regex_match(members[0].second.as_string(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
      << lines[0];
  EXPECT_EQ(members[1], (Json::Member{"level", "warn"}));
  EXPECT_EQ(members[2], (Json::Member{"event", "tenant.created"}));
  EXPECT_EQ(members[3], (Json::Member{"tenantId", "t-1"}));
  EXPECT_EQ(members[4], (Json::Member{"count", 3}));
  EXPECT_EQ(members[5], (Json::Member{"field_event", "clash"})) << "no duplicate names";
}

TEST(LogTest, DropsLinesBelowTheLevel) {
  CapturedStderr captured;
  Log(LogLevel::kDebug, "hidden");
  SetLogLevel(LogLevel::kDebug);
  Log(LogLevel::kDebug, "shown");
  SetLogLevel(LogLevel::kError);
  Log(LogLevel::kWarn, "hidden-too");
  Log(LogLevel::kError, "bad");
  SetLogLevel(LogLevel::kInfo);
  const auto lines = captured.Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(R"("event":"shown")"), std::string::npos);
  EXPECT_NE(lines[1].find(R"("level":"error")"), std::string::npos);
}

TEST(LogTest, ConcurrentLinesNeverInterleave) {
  CapturedStderr captured;
  std::vector<std::thread> threads;
  const std::string filler(500, 'x');
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Json f = Json::MakeObject();
        f.Set("thread", t).Set("i", i).Set("filler", filler);
        Log(LogLevel::kInfo, "line", f);
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto lines = captured.Lines();
  ASSERT_EQ(lines.size(), 1600u);
  for (const std::string& line : lines) ASSERT_TRUE(ParseJson(line).ok()) << line;
}

TEST(LogTest, LogLineWritesTheSameLineAsLogWithFieldsInOrder) {
  CapturedStderr captured;
  LogLine(LogLevel::kWarn, "http_request")
      .String("route", "/a \"b\"")
      .Int("status", 503)
      .Fixed("latency_ms", 125, 2)
      .Write();
  Log(LogLevel::kWarn, "http_request",
      Json::MakeObject().Set("route", "/a \"b\"").Set("status", 503).Set("latency_ms", 1.25));
  const auto lines = captured.Lines();
  ASSERT_EQ(lines.size(), 2u);
  // Identical but for the timestamp.
  const size_t ts_end = std::string(R"({"ts":"2024-01-01T00:00:00.000Z")").size();
  ASSERT_GT(lines[0].size(), ts_end);
  EXPECT_EQ(lines[0].substr(ts_end), lines[1].substr(ts_end));
  StatusOr<Json> parsed = ParseJson(lines[0]);
  ASSERT_TRUE(parsed.ok()) << lines[0];
  const auto& members = parsed->as_object();
  ASSERT_EQ(members.size(), 6u) << lines[0];
  EXPECT_EQ(members[1], (Json::Member{"level", "warn"}));
  EXPECT_EQ(members[2], (Json::Member{"event", "http_request"}));
  EXPECT_EQ(members[3], (Json::Member{"route", "/a \"b\""}));
  EXPECT_EQ(members[4], (Json::Member{"status", 503}));
  EXPECT_EQ(members[5], (Json::Member{"latency_ms", 1.25}));
}

TEST(LogTest, LogLineFixedWritesExactDecimals) {
  CapturedStderr captured;
  LogLine(LogLevel::kWarn, "fixed")
      .Fixed("a", 12500, 3)
      .Fixed("b", 7, 3)
      .Fixed("c", -1234, 2)
      .Fixed("d", 0, 1)
      .Fixed("e", std::numeric_limits<int64_t>::min(), 9)
      .Write();
  const auto lines = captured.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("a":12.500,"b":0.007,"c":-12.34,"d":0.0,"e":-9223372036.854775808})"),
            std::string::npos)
      << lines[0];
  StatusOr<Json> parsed = ParseJson(lines[0]);
  ASSERT_TRUE(parsed.ok()) << lines[0];
  EXPECT_DOUBLE_EQ(parsed->Find("a")->as_double(), 12.5);
}

TEST(LogTest, LogLineBelowTheLevelWritesNothing) {
  CapturedStderr captured;
  LogLine(LogLevel::kDebug, "hidden").String("a", "b").Write();
  LogLine line(LogLevel::kInfo, "once");
  line.Write();
  line.Write();
  const auto lines = captured.Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("event":"once")"), std::string::npos);
}

}  // namespace
}  // namespace portico
