#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "database_fixture.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class OutboxStoreContract : public DatabaseFixture {
 protected:
  int64_t Enqueue(const std::string& payload, TimePoint now = T0()) {
    StatusOr<int64_t> id =
        Query([&](Stores& s) { return s.outbox().Enqueue("mail", payload, now); });
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : -1;
  }
  StatusOr<std::vector<OutboxMessage>> Claim(TimePoint now, int limit, TimePoint until) {
    return Query([&](Stores& s) { return s.outbox().Claim(now, limit, until); });
  }
  static std::vector<int64_t> Ids(const std::vector<OutboxMessage>& messages) {
    std::vector<int64_t> ids;
    for (const OutboxMessage& m : messages) ids.push_back(m.id);
    return ids;
  }
  int64_t Pending() {
    StatusOr<int64_t> n = Query([&](Stores& s) { return s.outbox().CountPending(); });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  }
};

TEST_P(OutboxStoreContract, EnqueueReturnsIncreasingIdsAndGetReadsTheMessage) {
  const int64_t first = Enqueue(R"({"to":"a@example.com"})", At(milliseconds(7)));
  const int64_t second = Enqueue("{}");
  EXPECT_GT(second, first);

  StatusOr<OutboxMessage> m = Query([&](Stores& s) { return s.outbox().Get(first); });
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->id, first);
  EXPECT_EQ(m->topic, "mail");
  EXPECT_EQ(m->payload, R"({"to":"a@example.com"})");
  EXPECT_EQ(m->attempts, 0);
  EXPECT_EQ(m->next_attempt_at, At(milliseconds(7)));  // due at once
  EXPECT_FALSE(m->delivered_at.has_value());
  EXPECT_FALSE(m->dead);
  EXPECT_EQ(m->last_error, "");
  EXPECT_EQ(m->created_at, At(milliseconds(7)));
}

// On SQLite the id is the connection's last insert rowid: it must be the
// message's own, also between other inserts in the same transaction (a
// provisioning run enqueues between tenant, credential and settings rows).
TEST_P(OutboxStoreContract, EnqueueIdsNameTheirOwnMessagesAmidOtherInserts) {
  int64_t first = 0, second = 0;
  const Status written = db_->Transact([&](Stores& s) -> Status {
    PORTICO_ASSIGN_OR_RETURN(first, s.outbox().Enqueue("mail", "first", T0()));
    PORTICO_RETURN_IF_ERROR(s.tenants().Insert(MakeTenant("between")));
    PORTICO_ASSIGN_OR_RETURN(second, s.outbox().Enqueue("audit", "second", T0()));
    return s.tenants().Insert(MakeTenant("after"));
  });
  ASSERT_TRUE(written.ok()) << written.ToString();
  EXPECT_GT(second, first);
  for (const auto& [id, payload] : {std::pair{first, "first"}, std::pair{second, "second"}}) {
    StatusOr<OutboxMessage> m = Query([&](Stores& s) { return s.outbox().Get(id); });
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->payload, payload);
  }
  EXPECT_GT(Enqueue("third"), second);
}

TEST_P(OutboxStoreContract, GetReturnsNotFoundForUnknownId) {
  EXPECT_EQ(Query([&](Stores& s) { return s.outbox().Get(424242); }).status().code(),
            StatusCode::kNotFound);
}

TEST_P(OutboxStoreContract, ClaimReturnsDueMessagesOldestFirstUpToLimit) {
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(Enqueue("m" + std::to_string(i)));

  StatusOr<std::vector<OutboxMessage>> claimed = Claim(T0(), 3, T0() + seconds(30));
  ASSERT_TRUE(claimed.ok()) << claimed.status().ToString();
  EXPECT_EQ(Ids(*claimed), (std::vector<int64_t>{ids[0], ids[1], ids[2]}));
  EXPECT_EQ((*claimed)[0].payload, "m0");
  EXPECT_EQ((*claimed)[0].topic, "mail");

  StatusOr<std::vector<OutboxMessage>> rest = Claim(T0(), 3, T0() + seconds(30));
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Ids(*rest), (std::vector<int64_t>{ids[3], ids[4]}));
}

TEST_P(OutboxStoreContract, ClaimTakesTheLongestDueFirst) {
  const int64_t retried = Enqueue("retried");
  const int64_t waiting = Enqueue("waiting");
  // The first failed once and is due again ten seconds later.
  ASSERT_TRUE(Query([&](Stores& s) {
                return s.outbox().MarkFailed(retried, 1, T0() + seconds(10), "boom", false);
              }).ok());
  // One at a time: the one waiting since T0 goes before the one due at T0+10 s.
  StatusOr<std::vector<OutboxMessage>> first = Claim(T0() + seconds(20), 1, T0() + seconds(50));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Ids(*first), std::vector<int64_t>{waiting});
  EXPECT_EQ(Ids(*Claim(T0() + seconds(20), 1, T0() + seconds(50))), std::vector<int64_t>{retried});
}

TEST_P(OutboxStoreContract, ClaimedMessagesStayHiddenUntilTheLeaseRunsOut) {
  const int64_t id = Enqueue("m");
  const TimePoint lease_until = T0() + seconds(30);
  ASSERT_EQ(Ids(*Claim(T0(), 10, lease_until)), std::vector<int64_t>{id});

  EXPECT_TRUE(Claim(T0() + seconds(1), 10, T0() + seconds(31))->empty());
  EXPECT_TRUE(Claim(lease_until - milliseconds(1), 10, T0() + seconds(60))->empty());
  // Still pending while leased: the lease is not a delivery.
  EXPECT_EQ(Pending(), 1);
  // A dispatcher that died holding the lease does not lose the message.
  EXPECT_EQ(Ids(*Claim(lease_until, 10, lease_until + seconds(30))), std::vector<int64_t>{id});
}

TEST_P(OutboxStoreContract, ClaimSkipsMessagesScheduledForLater) {
  const int64_t later = Enqueue("later");
  const int64_t now = Enqueue("now");
  ASSERT_TRUE(Query([&](Stores& s) {
                return s.outbox().MarkFailed(later, 1, T0() + seconds(60), "timeout", false);
              }).ok());

  EXPECT_EQ(Ids(*Claim(T0(), 10, T0() + seconds(300))), std::vector<int64_t>{now});
  EXPECT_TRUE(Claim(T0() + seconds(59), 10, T0() + seconds(300))->empty());
  EXPECT_EQ(Ids(*Claim(T0() + seconds(60), 10, T0() + seconds(90))), std::vector<int64_t>{later});
}

TEST_P(OutboxStoreContract, ClaimReportsPreviousAttempts) {
  const int64_t id = Enqueue("m");
  ASSERT_TRUE(Query([&](Stores& s) {
                return s.outbox().MarkFailed(id, 2, T0(), "503 from provider", false);
              }).ok());
  StatusOr<std::vector<OutboxMessage>> claimed = Claim(T0(), 10, T0() + seconds(30));
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].attempts, 2);
  EXPECT_EQ((*claimed)[0].last_error, "503 from provider");
}

TEST_P(OutboxStoreContract, MarkDeliveredTakesTheMessageOutOfPendingAndClaims) {
  const int64_t id = Enqueue("m");
  const int64_t other = Enqueue("n");
  ASSERT_EQ(Claim(T0(), 10, T0() + seconds(30))->size(), 2u);
  ASSERT_TRUE(
      Query([&](Stores& s) { return s.outbox().MarkDelivered(id, 1, T0() + seconds(2)); }).ok());

  StatusOr<OutboxMessage> m = Query([&](Stores& s) { return s.outbox().Get(id); });
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->delivered_at, T0() + seconds(2));
  EXPECT_EQ(m->attempts, 1);
  EXPECT_EQ(Pending(), 1);
  EXPECT_EQ(Ids(*Claim(T0() + seconds(30), 10, T0() + seconds(60))), std::vector<int64_t>{other});
}

TEST_P(OutboxStoreContract, MarkFailedRecordsAttemptsErrorAndRetryTime) {
  const int64_t id = Enqueue("m");
  ASSERT_TRUE(Query([&](Stores& s) {
                return s.outbox().MarkFailed(id, 3, T0() + seconds(40), "connection refused",
                                             false);
              }).ok());
  StatusOr<OutboxMessage> m = Query([&](Stores& s) { return s.outbox().Get(id); });
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->attempts, 3);
  EXPECT_EQ(m->next_attempt_at, T0() + seconds(40));
  EXPECT_EQ(m->last_error, "connection refused");
  EXPECT_FALSE(m->dead);
  EXPECT_FALSE(m->delivered_at.has_value());
  EXPECT_EQ(Pending(), 1);
}

TEST_P(OutboxStoreContract, DeadMessagesAreNeitherPendingNorClaimed) {
  const int64_t id = Enqueue("m");
  ASSERT_TRUE(
      Query([&](Stores& s) { return s.outbox().MarkFailed(id, 8, T0(), "gave up", true); }).ok());
  EXPECT_TRUE(Query([&](Stores& s) { return s.outbox().Get(id); })->dead);
  EXPECT_EQ(Pending(), 0);
  EXPECT_TRUE(Claim(T0() + seconds(3600), 10, T0() + seconds(3700))->empty());
}

TEST_P(OutboxStoreContract, MarkingUnknownMessagesReturnsNotFound) {
  EXPECT_EQ(Query([&](Stores& s) { return s.outbox().MarkDelivered(424242, 1, T0()); }).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(
      Query([&](Stores& s) { return s.outbox().MarkFailed(424242, 1, T0(), "x", false); }).code(),
      StatusCode::kNotFound);
}

TEST_P(OutboxStoreContract, CountPendingCountsUndeliveredLiveMessages) {
  EXPECT_EQ(Pending(), 0);
  const int64_t a = Enqueue("a");
  const int64_t b = Enqueue("b");
  Enqueue("c");
  EXPECT_EQ(Pending(), 3);
  ASSERT_TRUE(Query([&](Stores& s) { return s.outbox().MarkDelivered(a, 1, T0()); }).ok());
  ASSERT_TRUE(Query([&](Stores& s) { return s.outbox().MarkFailed(b, 5, T0(), "x", true); }).ok());
  EXPECT_EQ(Pending(), 1);
}

TEST_P(OutboxStoreContract, DeleteFinishedRemovesOldDeliveredAndDeadMessagesOnly) {
  const int64_t old_delivered = Enqueue("old-delivered", T0());
  const int64_t new_delivered = Enqueue("new-delivered", T0());
  const int64_t old_dead = Enqueue("old-dead", T0());
  const int64_t new_dead = Enqueue("new-dead", At(seconds(100)));
  const int64_t old_pending = Enqueue("old-pending", T0());
  ASSERT_TRUE(Query([&](Stores& s) {
                return s.outbox().MarkDelivered(old_delivered, 1, At(seconds(10)));
              }).ok());
  ASSERT_TRUE(Query([&](Stores& s) {
                return s.outbox().MarkDelivered(new_delivered, 1, At(seconds(60)));
              }).ok());
  for (int64_t dead : {old_dead, new_dead}) {
    ASSERT_TRUE(Query([&](Stores& s) {
                  return s.outbox().MarkFailed(dead, 5, At(seconds(200)), "x", true);
                }).ok());
  }

  // Delivered before 50 s, or dead and created before 50 s.
  StatusOr<int64_t> deleted = Query(
      [&](Stores& s) { return s.outbox().DeleteFinished(At(seconds(50)), At(seconds(50)), 100); });
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 2);
  for (int64_t gone : {old_delivered, old_dead}) {
    EXPECT_EQ(Query([&](Stores& s) { return s.outbox().Get(gone); }).status().code(),
              StatusCode::kNotFound);
  }
  for (int64_t kept : {new_delivered, new_dead, old_pending}) {
    EXPECT_TRUE(Query([&](Stores& s) { return s.outbox().Get(kept); }).ok()) << kept;
  }
  EXPECT_EQ(Pending(), 1);

  // The limit bounds one call, oldest first; later calls take the rest.
  StatusOr<int64_t> one = Query(
      [&](Stores& s) { return s.outbox().DeleteFinished(At(seconds(500)), At(seconds(500)), 1); });
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, 1);
  EXPECT_EQ(Query([&](Stores& s) { return s.outbox().Get(new_delivered); }).status().code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(Query([&](Stores& s) { return s.outbox().Get(new_dead); }).ok());
  EXPECT_EQ(*Query([&](Stores& s) {
    return s.outbox().DeleteFinished(At(seconds(500)), At(seconds(500)), 0);
  }),
            0);
  EXPECT_TRUE(Query([&](Stores& s) { return s.outbox().Get(old_pending); }).ok());
}

// A webhook's id is derived from its audit message's id, and receivers drop a
// repeated one: an id must never come back, even once every message is
// finished and deleted (SQLite assigns MAX(id) + 1 since migration 010).
TEST_P(OutboxStoreContract, DeleteFinishedKeepsTheNewestMessageSoIdsNeverRepeat) {
  const int64_t a = Enqueue("a");
  const int64_t b = Enqueue("b");
  for (int64_t id : {a, b}) {
    ASSERT_TRUE(Query([&](Stores& s) { return s.outbox().MarkDelivered(id, 1, T0()); }).ok());
  }
  StatusOr<int64_t> deleted = Query(
      [&](Stores& s) { return s.outbox().DeleteFinished(At(seconds(50)), At(seconds(50)), 100); });
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 1);
  EXPECT_TRUE(Query([&](Stores& s) { return s.outbox().Get(b); }).ok());
  const int64_t c = Enqueue("c");
  EXPECT_GT(c, b);
  // Once newer messages exist, the old newest one goes too.
  ASSERT_TRUE(Query([&](Stores& s) { return s.outbox().MarkDelivered(c, 1, T0()); }).ok());
  ASSERT_EQ(*Query([&](Stores& s) {
    return s.outbox().DeleteFinished(At(seconds(50)), At(seconds(50)), 100);
  }),
            1);
  EXPECT_EQ(Query([&](Stores& s) { return s.outbox().Get(b); }).status().code(),
            StatusCode::kNotFound);
}

TEST_P(OutboxStoreContract, CountDeadCountsOnlyMessagesGivenUpOn) {
  const auto dead = [&] {
    StatusOr<int64_t> n = Query([&](Stores& s) { return s.outbox().CountDead(); });
    EXPECT_TRUE(n.ok()) << n.status().ToString();
    return n.ok() ? *n : -1;
  };
  EXPECT_EQ(dead(), 0);
  const int64_t a = Enqueue("a");
  const int64_t b = Enqueue("b");
  const int64_t c = Enqueue("c");
  ASSERT_TRUE(Query([&](Stores& s) { return s.outbox().MarkFailed(a, 1, T0(), "x", false); }).ok());
  ASSERT_TRUE(Query([&](Stores& s) { return s.outbox().MarkFailed(b, 5, T0(), "x", true); }).ok());
  ASSERT_TRUE(Query([&](Stores& s) { return s.outbox().MarkDelivered(c, 1, T0()); }).ok());
  EXPECT_EQ(dead(), 1);
  EXPECT_EQ(Pending(), 1);
}

TEST_P(OutboxStoreContract, ConcurrentClaimersNeverGetTheSameMessage) {
  constexpr int kMessages = 60;
  std::set<int64_t> enqueued;
  for (int i = 0; i < kMessages; ++i) enqueued.insert(Enqueue("m" + std::to_string(i)));

  std::mutex mu;
  std::vector<int64_t> claimed;
  std::vector<std::thread> claimers;
  for (int t = 0; t < 3; ++t) {
    claimers.emplace_back([&] {
      for (;;) {
        StatusOr<std::vector<OutboxMessage>> batch = Claim(T0(), 4, T0() + seconds(300));
        if (!batch.ok()) {
          ADD_FAILURE() << batch.status().ToString();
          return;
        }
        if (batch->empty()) return;
        std::lock_guard lock(mu);
        for (const OutboxMessage& m : *batch) claimed.push_back(m.id);
      }
    });
  }
  for (std::thread& t : claimers) t.join();

  std::set<int64_t> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(unique.size(), claimed.size()) << "a message was claimed twice";
  EXPECT_EQ(unique, enqueued);
}

INSTANTIATE_TEST_SUITE_P(Backends, OutboxStoreContract, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
