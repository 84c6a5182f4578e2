#include "src/http/request_id.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace portico::http {
namespace {

TEST(RequestIdTest, AcceptsOnlyTheSafeAlphabetUpTo128) {
  EXPECT_TRUE(IsValidRequestId("abc-DEF_123.x:y"));
  EXPECT_TRUE(IsValidRequestId(std::string(128, 'a')));
  EXPECT_FALSE(IsValidRequestId(std::string(129, 'a')));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId("a b"));
  EXPECT_FALSE(IsValidRequestId("a\"b"));
  EXPECT_FALSE(IsValidRequestId("a\r\nX: y"));
  EXPECT_FALSE(IsValidRequestId("caf\xc3\xa9"));
}

TEST(RequestIdTest, NewIdsAreValidSixteenCharactersAndDistinctAcrossThreads) {
  std::mutex mu;
  std::set<std::string> seen;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 1000; ++i) mine.push_back(NewRequestId());  // crosses batch refills
      std::lock_guard lock(mu);
      seen.insert(mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 4000u);
  for (const std::string& id : seen) {
    ASSERT_EQ(id.size(), 16u) << id;
    ASSERT_TRUE(IsValidRequestId(id)) << id;
    ASSERT_EQ(id.find_first_of(".:"), std::string::npos) << id;  // base64url alphabet only
  }
}

}  // namespace
}  // namespace portico::http
