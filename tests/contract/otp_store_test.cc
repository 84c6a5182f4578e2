#include <atomic>
#include <latch>
#include <thread>

#include "database_fixture.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

class OtpStoreContract : public DatabaseFixture {
 protected:
  static OtpRecord MakeOtp(std::string subject, std::string code_hash = "c0de") {
    OtpRecord r;
    r.id = Uuid();
    r.purpose = "signup_session";
    r.subject = std::move(subject);
    r.code_hash = std::move(code_hash);
    r.expires_at = T0() + minutes(10);
    r.created_at = T0();
    return r;
  }

  Status Put(const OtpRecord& r) {
    return Query([&](Stores& s) { return s.otps().Put(r); });
  }
  StatusOr<OtpRecord> Find(const std::string& subject) {
    return Query([&](Stores& s) { return s.otps().Find("signup_session", subject); });
  }
  StatusOr<int> AddFailedAttempt(const std::string& id, int max) {
    return Query([&](Stores& s) { return s.otps().AddFailedAttempt(id, max); });
  }
  StatusOr<bool> Consume(const std::string& id, int max, TimePoint now) {
    return Query([&](Stores& s) { return s.otps().Consume(id, max, now); });
  }
};

TEST_P(OtpStoreContract, PutThenFindReturnsEveryField) {
  OtpRecord r = MakeOtp("s1");
  r.attempts = 2;
  ASSERT_TRUE(Put(r).ok());

  StatusOr<OtpRecord> found = Find("s1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, r.id);
  EXPECT_EQ(found->purpose, "signup_session");
  EXPECT_EQ(found->subject, "s1");
  EXPECT_EQ(found->code_hash, "c0de");
  EXPECT_EQ(found->expires_at, r.expires_at);
  EXPECT_EQ(found->attempts, 2);
  EXPECT_FALSE(found->consumed_at.has_value());
  EXPECT_EQ(found->created_at, r.created_at);
}

TEST_P(OtpStoreContract, FindReturnsNotFoundForUnknownPurposeOrSubject) {
  ASSERT_TRUE(Put(MakeOtp("s1")).ok());
  EXPECT_EQ(Find("s2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(
      Query([&](Stores& s) { return s.otps().Find("email_verification", "s1"); }).status().code(),
      StatusCode::kNotFound);
}

TEST_P(OtpStoreContract, PutReplacesTheCodeForTheSamePurposeAndSubject) {
  OtpRecord first = MakeOtp("s1", "old");
  ASSERT_TRUE(Put(first).ok());
  ASSERT_TRUE(AddFailedAttempt(first.id, 5).ok());
  ASSERT_TRUE(*Consume(first.id, 5, T0()));

  OtpRecord second = MakeOtp("s1", "new");
  second.expires_at = T0() + minutes(20);
  second.created_at = T0() + minutes(1);
  ASSERT_TRUE(Put(second).ok());

  StatusOr<OtpRecord> found = Find("s1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, second.id);
  EXPECT_EQ(found->code_hash, "new");
  EXPECT_EQ(found->attempts, 0);
  EXPECT_FALSE(found->consumed_at.has_value());
  EXPECT_EQ(found->expires_at, second.expires_at);
  EXPECT_EQ(found->created_at, second.created_at);
  // The replaced code is gone.
  EXPECT_EQ(AddFailedAttempt(first.id, 5).status().code(), StatusCode::kNotFound);
}

TEST_P(OtpStoreContract, PutRejectsAnIdHeldByAnotherSubject) {
  OtpRecord first = MakeOtp("s1");
  ASSERT_TRUE(Put(first).ok());
  OtpRecord clash = MakeOtp("s2");
  clash.id = first.id;
  EXPECT_EQ(Put(clash).code(), StatusCode::kAlreadyExists);
}

TEST_P(OtpStoreContract, AddFailedAttemptCountsUpAndStopsAtMax) {
  OtpRecord r = MakeOtp("s1");
  ASSERT_TRUE(Put(r).ok());
  for (int expected = 1; expected <= 3; ++expected) {
    StatusOr<int> attempts = AddFailedAttempt(r.id, 3);
    ASSERT_TRUE(attempts.ok()) << attempts.status().ToString();
    EXPECT_EQ(*attempts, expected);
  }
  EXPECT_EQ(AddFailedAttempt(r.id, 3).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Find("s1")->attempts, 3);
}

TEST_P(OtpStoreContract, AddFailedAttemptOnConsumedCodeChangesNothing) {
  OtpRecord r = MakeOtp("s1");
  ASSERT_TRUE(Put(r).ok());
  ASSERT_TRUE(*Consume(r.id, 5, T0()));
  EXPECT_EQ(AddFailedAttempt(r.id, 5).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Find("s1")->attempts, 0);
}

TEST_P(OtpStoreContract, AddFailedAttemptReturnsNotFoundForUnknownId) {
  EXPECT_EQ(AddFailedAttempt(Uuid(), 5).status().code(), StatusCode::kNotFound);
}

TEST_P(OtpStoreContract, ConsumeSucceedsExactlyOnce) {
  OtpRecord r = MakeOtp("s1");
  ASSERT_TRUE(Put(r).ok());
  StatusOr<bool> first = Consume(r.id, 5, T0() + minutes(1));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  EXPECT_FALSE(*Consume(r.id, 5, T0() + minutes(1)));
  EXPECT_EQ(Find("s1")->consumed_at, T0() + minutes(1));
}

TEST_P(OtpStoreContract, ConsumeRespectsExpiry) {
  OtpRecord r = MakeOtp("s1");
  ASSERT_TRUE(Put(r).ok());
  // Expired at the instant of expires_at, and after it.
  EXPECT_FALSE(*Consume(r.id, 5, r.expires_at));
  EXPECT_FALSE(*Consume(r.id, 5, r.expires_at + milliseconds(1)));
  EXPECT_FALSE(Find("s1")->consumed_at.has_value());
  EXPECT_TRUE(*Consume(r.id, 5, r.expires_at - milliseconds(1)));
}

TEST_P(OtpStoreContract, ConsumeRefusesCodeAtMaxAttempts) {
  OtpRecord r = MakeOtp("s1");
  ASSERT_TRUE(Put(r).ok());
  ASSERT_TRUE(AddFailedAttempt(r.id, 2).ok());
  ASSERT_TRUE(AddFailedAttempt(r.id, 2).ok());
  EXPECT_FALSE(*Consume(r.id, 2, T0()));
  // A higher limit lets the same code through.
  EXPECT_TRUE(*Consume(r.id, 3, T0()));
}

TEST_P(OtpStoreContract, ConsumeReturnsFalseForUnknownId) {
  StatusOr<bool> consumed = Consume(Uuid(), 5, T0());
  ASSERT_TRUE(consumed.ok()) << consumed.status().ToString();
  EXPECT_FALSE(*consumed);
}

TEST_P(OtpStoreContract, RacingConsumersOnTwoSessionsHaveExactlyOneWinner) {
  for (int round = 0; round < 10; ++round) {
    OtpRecord r = MakeOtp("race" + std::to_string(round));
    ASSERT_TRUE(Put(r).ok());
    std::atomic<int> winners{0};
    std::atomic<int> failures{0};
    // Both threads hold a leased session before either consumes.
    std::latch both_leased(2);
    auto consumer = [&] {
      Status status = db_->Run([&](Stores& s) -> Status {
        both_leased.arrive_and_wait();
        StatusOr<bool> consumed = s.otps().Consume(r.id, 5, T0());
        if (!consumed.ok()) return consumed.status();
        if (*consumed) ++winners;
        return Status();
      });
      if (!status.ok()) {
        ++failures;
        ADD_FAILURE() << status.ToString();
      }
    };
    std::thread a(consumer);
    std::thread b(consumer);
    a.join();
    b.join();
    EXPECT_EQ(failures.load(), 0);
    EXPECT_EQ(winners.load(), 1) << "round " << round;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, OtpStoreContract, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
