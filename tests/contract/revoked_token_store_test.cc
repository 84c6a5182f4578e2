#include "dcr/revoked_token_store.h"

#include <atomic>
#include <thread>
#include <vector>

#include "oauth_store_fixture.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;

class RevokedTokenStoreContract : public OAuthStoreFixture {
 protected:
  Status Revoke(const std::string& jti, TimePoint expires_at) {
    return Query([&](Stores& s) { return s.revoked_tokens().Revoke(jti, "client-1", expires_at); });
  }
  StatusOr<bool> IsRevoked(const std::string& jti) {
    return Query([&](Stores& s) { return s.revoked_tokens().IsRevoked(jti); });
  }
  StatusOr<int64_t> DeleteExpired(TimePoint now) {
    return Query([&](Stores& s) { return s.revoked_tokens().DeleteExpired(now); });
  }
};

TEST_P(RevokedTokenStoreContract, ARevokedTokenIsRevokedAndOthersAreNot) {
  EXPECT_FALSE(*IsRevoked("jti-1"));
  ASSERT_TRUE(Revoke("jti-1", At(milliseconds(1'000))).ok());
  EXPECT_TRUE(*IsRevoked("jti-1"));
  EXPECT_FALSE(*IsRevoked("jti-2"));
  EXPECT_FALSE(*IsRevoked(""));
}

TEST_P(RevokedTokenStoreContract, IsRevokedOnOneSessionAnswersEachTokenInTurn) {
  // The check is prepared once per session and re-executed.
  ASSERT_TRUE(Revoke("a", At(milliseconds(1'000))).ok());
  Status status = db_->Run([&](Stores& s) -> Status {
    for (int round = 0; round < 3; ++round) {
      EXPECT_TRUE(*s.revoked_tokens().IsRevoked("a"));
      EXPECT_FALSE(*s.revoked_tokens().IsRevoked("b"));
    }
    return Status();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_P(RevokedTokenStoreContract, RecordOnceIsTrueOnlyForTheFirstRecording) {
  auto record = [&](const std::string& jti) {
    return Query([&](Stores& s) {
      return s.revoked_tokens().RecordOnce(jti, "client-1", At(milliseconds(1'000)));
    });
  };
  EXPECT_TRUE(*record("assertion-1"));
  EXPECT_FALSE(*record("assertion-1"));
  EXPECT_TRUE(*IsRevoked("assertion-1"));
  EXPECT_TRUE(*record("assertion-2"));
}

TEST_P(RevokedTokenStoreContract, OfConcurrentRecordOnceCallsExactlyOneWins) {
  constexpr int kThreads = 4;  // the pool's size: each thread its own session
  for (int round = 0; round < 5; ++round) {
    const std::string jti = "race-" + std::to_string(round);
    std::atomic<int> winners{0};
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&] {
        // Inside a transaction, as a caller racing on PostgreSQL would be.
        Status st = db_->Transact([&](Stores& s) -> Status {
          PORTICO_ASSIGN_OR_RETURN(
              bool first, s.revoked_tokens().RecordOnce(jti, "client-1", At(milliseconds(1'000))));
          if (first) winners.fetch_add(1);
          return Status::Ok();
        });
        if (!st.ok()) failures.fetch_add(1);
      });
    }
    for (std::thread& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(winners.load(), 1) << jti;
  }
}

TEST_P(RevokedTokenStoreContract, RevokingTwiceIsOkAndKeepsOneRow) {
  ASSERT_TRUE(Revoke("jti-1", At(milliseconds(1'000))).ok());
  ASSERT_TRUE(Revoke("jti-1", At(milliseconds(1'000))).ok());
  EXPECT_TRUE(*IsRevoked("jti-1"));
  EXPECT_EQ(*DeleteExpired(At(milliseconds(1'000))), 1);
  EXPECT_FALSE(*IsRevoked("jti-1"));
}

TEST_P(RevokedTokenStoreContract, RevokingTwiceInsideATransactionLeavesItUsable) {
  ASSERT_TRUE(Revoke("jti-1", At(milliseconds(1'000))).ok());
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.revoked_tokens().Revoke("jti-1", "client-1", At(milliseconds(5))));
    return s.revoked_tokens().Revoke("jti-2", "client-1", At(milliseconds(5)));
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(*IsRevoked("jti-2"));
}

TEST_P(RevokedTokenStoreContract, DeleteExpiredDeletesRowsOfTokensExpiredByNow) {
  ASSERT_TRUE(Revoke("expired", At(milliseconds(50))).ok());
  ASSERT_TRUE(Revoke("expires-now", At(milliseconds(100))).ok());
  ASSERT_TRUE(Revoke("live", At(milliseconds(101))).ok());
  auto deleted = DeleteExpired(At(milliseconds(100)));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 2);
  EXPECT_FALSE(*IsRevoked("expired"));
  EXPECT_FALSE(*IsRevoked("expires-now"));
  EXPECT_TRUE(*IsRevoked("live"));
  EXPECT_EQ(*DeleteExpired(At(milliseconds(100))), 0);
}

INSTANTIATE_TEST_SUITE_P(Targets, RevokedTokenStoreContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

}  // namespace
}  // namespace portico::testing
