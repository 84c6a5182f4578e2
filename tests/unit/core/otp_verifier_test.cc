#include "portico/otp_verifier.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>

#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_random.h"
#include "tests/fakes/in_memory_database.h"

namespace portico {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kPurpose[] = "signup_session";
constexpr char kSubject[] = "session-1";

// UniformBelow reads each draw as four big-endian bytes; NewUuid then takes
// 16 more bytes from the (cycling) script.
std::vector<uint8_t> ScriptForDraws(std::initializer_list<uint32_t> draws) {
  std::vector<uint8_t> out;
  for (uint32_t v : draws) {
    out.insert(out.end(), {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
                           static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)});
  }
  return out;
}

class OtpVerifierTest : public ::testing::Test {
 protected:
  OtpVerifierTest() : verifier_("pepper", random_, clock_) {}

  IssuedOtp Issue(std::string_view purpose = kPurpose, std::string_view subject = kSubject) {
    std::optional<StatusOr<IssuedOtp>> issued;
    EXPECT_TRUE(db_.Run([&](Stores& s) {
                     issued = verifier_.Issue(s.otps(), purpose, subject);
                     return issued->status();
                   })
                    .ok());
    return issued && issued->ok() ? **issued : IssuedOtp{};
  }

  Status Verify(std::string_view code, std::string_view purpose = kPurpose,
                std::string_view subject = kSubject) {
    return db_.Run([&](Stores& s) { return verifier_.Verify(s.otps(), purpose, subject, code); });
  }

  static std::string Wrong(const std::string& code) {
    std::string w = code;
    w[0] = w[0] == '9' ? '0' : static_cast<char>(w[0] + 1);
    return w;
  }

  static void ExpectReason(const Status& s, const char* reason, int remaining) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_EQ(s.tag(), reason) << s.ToString();
    ASSERT_TRUE(s.details().is_object());
    ASSERT_NE(s.details().Find("reason"), nullptr);
    EXPECT_EQ(s.details().Find("reason")->as_string(), reason);
    ASSERT_NE(s.details().Find("attemptsRemaining"), nullptr);
    EXPECT_EQ(s.details().Find("attemptsRemaining")->as_int(), remaining);
    EXPECT_FALSE(s.message().empty());
  }

  testing::FakeClock clock_;
  testing::FakeRandom random_;
  testing::InMemoryDatabase db_;
  OtpVerifier verifier_;
};

TEST_F(OtpVerifierTest, IssuesSixDigitsAndStoresOnlyAKeyedHash) {
  const IssuedOtp otp = Issue();
  ASSERT_EQ(otp.code.size(), 6u);
  for (char c : otp.code) EXPECT_TRUE(c >= '0' && c <= '9');
  EXPECT_EQ(otp.expires_at, clock_.Now() + seconds(600));
  const auto state = db_.Snapshot();
  ASSERT_EQ(state.otps.size(), 1u);
  const OtpRecord& r = state.otps[0];
  EXPECT_EQ(r.code_hash.size(), 64u);
  EXPECT_EQ(r.code_hash.find(otp.code), std::string::npos);
  EXPECT_EQ(r.purpose, kPurpose);
  EXPECT_EQ(r.subject, kSubject);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(r.expires_at, otp.expires_at);
  EXPECT_EQ(r.id.size(), 36u);
}

TEST_F(OtpVerifierTest, CorrectCodeVerifiesOnlyOnce) {
  const IssuedOtp otp = Issue();
  EXPECT_TRUE(Verify(otp.code).ok());
  ExpectReason(Verify(otp.code), "OTP_INVALID", 0);
}

TEST_F(OtpVerifierTest, NoCodeIsInvalid) { ExpectReason(Verify("123456"), "OTP_INVALID", 0); }

TEST_F(OtpVerifierTest, CodeIsLiveUntilJustBeforeTtl) {
  const IssuedOtp otp = Issue();
  clock_.Advance(seconds(600) - milliseconds(1));
  EXPECT_TRUE(Verify(otp.code).ok());
}

TEST_F(OtpVerifierTest, CodeExpiresAtExactlyTtl) {
  const IssuedOtp otp = Issue();
  clock_.Advance(seconds(600));
  ExpectReason(Verify(otp.code), "OTP_EXPIRED", 0);
}

TEST_F(OtpVerifierTest, HonoursCustomTtl) {
  OtpVerifier short_lived("pepper", random_, clock_, OtpPolicy{seconds(30), 5});
  IssuedOtp otp;
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   auto issued = short_lived.Issue(s.otps(), kPurpose, kSubject);
                   if (issued.ok()) otp = *issued;
                   return issued.status();
                 })
                  .ok());
  clock_.Advance(seconds(30));
  const Status s = db_.Run(
      [&](Stores& st) { return short_lived.Verify(st.otps(), kPurpose, kSubject, otp.code); });
  ExpectReason(s, "OTP_EXPIRED", 0);
}

TEST_F(OtpVerifierTest, FiveWrongAttemptsLockTheCodeEvenForTheRightOne) {
  const IssuedOtp otp = Issue();
  for (int remaining = 4; remaining >= 1; --remaining) {
    ExpectReason(Verify(Wrong(otp.code)), "OTP_INVALID", remaining);
  }
  ExpectReason(Verify(Wrong(otp.code)), "OTP_LOCKED", 0);
  ExpectReason(Verify(otp.code), "OTP_LOCKED", 0);
  EXPECT_EQ(db_.Snapshot().otps[0].attempts, 5);
}

TEST_F(OtpVerifierTest, MalformedCodeUsesAnAttempt) {
  const IssuedOtp otp = Issue();
  ExpectReason(Verify("abcdef"), "OTP_INVALID", 4);
  ExpectReason(Verify(""), "OTP_INVALID", 3);
  ExpectReason(Verify(otp.code + "0"), "OTP_INVALID", 2);
  EXPECT_TRUE(Verify(otp.code).ok());
}

TEST_F(OtpVerifierTest, CodeForAnotherSubjectOrPurposeFails) {
  const IssuedOtp otp = Issue(kPurpose, "session-1");
  ExpectReason(Verify(otp.code, kPurpose, "session-2"), "OTP_INVALID", 0);
  ExpectReason(Verify(otp.code, "email_verification", "session-1"), "OTP_INVALID", 0);
  EXPECT_TRUE(Verify(otp.code, kPurpose, "session-1").ok());
}

TEST_F(OtpVerifierTest, HashBindsPurposeAndSubject) {
  // A row moved to another (purpose, subject) must not accept the code: the
  // hash covers both, not just the digits.
  const IssuedOtp otp = Issue(kPurpose, "session-1");
  OtpRecord moved = db_.Snapshot().otps[0];
  moved.id = "moved-subject";
  moved.subject = "session-2";
  OtpRecord other_purpose = db_.Snapshot().otps[0];
  other_purpose.id = "moved-purpose";
  other_purpose.purpose = "email_verification";
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   PORTICO_RETURN_IF_ERROR(s.otps().Put(moved));
                   return s.otps().Put(other_purpose);
                 })
                  .ok());
  ExpectReason(Verify(otp.code, kPurpose, "session-2"), "OTP_INVALID", 4);
  ExpectReason(Verify(otp.code, "email_verification", "session-1"), "OTP_INVALID", 4);
}

TEST_F(OtpVerifierTest, ReissueReplacesTheEarlierCode) {
  random_.SetScript(ScriptForDraws({111111}));
  const IssuedOtp first = Issue();
  random_.SetScript(ScriptForDraws({222222}));
  const IssuedOtp second = Issue();
  ASSERT_EQ(first.code, "111111");
  ASSERT_EQ(second.code, "222222");
  ExpectReason(Verify(first.code), "OTP_INVALID", 4);
  EXPECT_TRUE(Verify(second.code).ok());
}

TEST_F(OtpVerifierTest, ReissueResetsAttempts) {
  const IssuedOtp first = Issue();
  for (int i = 0; i < 5; ++i) (void)Verify(Wrong(first.code));
  const IssuedOtp second = Issue();
  EXPECT_TRUE(Verify(second.code).ok());
}

TEST_F(OtpVerifierTest, CodeComesFromUniformBelowWithZeroPadding) {
  random_.SetScript(ScriptForDraws({42}));
  EXPECT_EQ(Issue().code, "000042");
}

TEST_F(OtpVerifierTest, CodeSkipsDrawsThatWouldCauseModuloBias) {
  // 0xFFFFFFFF % 10^6 = 967295; a biased generator would return that.
  // Draws from 4'294'000'000 up lie in the rejection zone and are skipped.
  random_.SetScript(ScriptForDraws({0xFFFFFFFFu, 4'294'000'000u, 999'999}));
  EXPECT_EQ(Issue().code, "999999");
}

TEST_F(OtpVerifierTest, DigitsAreUniformOverManyCodes) {
  OtpVerifier secure("pepper", SecureRandom(), clock_);
  constexpr int kCodes = 100'000;
  std::array<std::array<int, 10>, 6> counts{};
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   for (int i = 0; i < kCodes; ++i) {
                     PORTICO_ASSIGN_OR_RETURN(IssuedOtp otp, secure.Issue(s.otps(), "p", "s"));
                     for (int pos = 0; pos < 6; ++pos) ++counts[pos][otp.code[pos] - '0'];
                   }
                   return Status::Ok();
                 })
                  .ok());
  // Chi-square with 9 degrees of freedom; 80 is far beyond any plausible
  // fluctuation (p < 1e-12), so only a real bias fails.
  for (int pos = 0; pos < 6; ++pos) {
    double chi2 = 0;
    const double expected = kCodes / 10.0;
    for (int d = 0; d < 10; ++d) {
      chi2 += (counts[pos][d] - expected) * (counts[pos][d] - expected) / expected;
    }
    EXPECT_LT(chi2, 80.0) << "position " << pos;
  }
}

TEST_F(OtpVerifierTest, ConcurrentCorrectSubmissionsSucceedExactlyOnce) {
  OtpVerifier secure("pepper", SecureRandom(), clock_);
  for (int round = 0; round < 200; ++round) {
    IssuedOtp otp;
    ASSERT_TRUE(db_.Run([&](Stores& s) {
                     auto issued = secure.Issue(s.otps(), kPurpose, kSubject);
                     if (issued.ok()) otp = *issued;
                     return issued.status();
                   })
                    .ok());
    std::atomic<int> ok{0};
    std::atomic<int> invalid{0};
    std::barrier start(2);
    auto submit = [&] {
      start.arrive_and_wait();
      const Status s = db_.Run(
          [&](Stores& st) { return secure.Verify(st.otps(), kPurpose, kSubject, otp.code); });
      if (s.ok()) {
        ++ok;
      } else if (s.tag() == "OTP_INVALID") {
        ++invalid;
      }
    };
    std::thread a(submit);
    std::thread b(submit);
    a.join();
    b.join();
    ASSERT_EQ(ok.load(), 1) << "round " << round;
    ASSERT_EQ(invalid.load(), 1) << "round " << round;
  }
}

TEST_F(OtpVerifierTest, UnavailableStorePassesThrough) {
  const IssuedOtp otp = Issue();
  db_.FailOperation("otps.Find");
  EXPECT_EQ(Verify(otp.code).code(), StatusCode::kUnavailable);
  db_.FailOperation("otps.Put");
  EXPECT_TRUE(
      db_.Run([&](Stores& s) { return verifier_.Issue(s.otps(), "p", "s").status(); }).code() ==
      StatusCode::kUnavailable);
}

TEST_F(OtpVerifierTest, AttemptRaceLostToLockIsLocked) {
  // Another session used the last attempt between our read and our update.
  const IssuedOtp otp = Issue();
  OtpRecord r = db_.Snapshot().otps[0];
  class RacingStore : public OtpStore {
   public:
    explicit RacingStore(OtpRecord r) : r_(std::move(r)) {}
    Status Put(const OtpRecord&) override { return Status::Ok(); }
    StatusOr<OtpRecord> Find(std::string_view, std::string_view) override { return r_; }
    StatusOr<int> AddFailedAttempt(std::string_view, int) override {
      return FailedPrecondition("at max");
    }
    StatusOr<bool> Consume(std::string_view, int, TimePoint) override { return false; }

   private:
    OtpRecord r_;
  } racing(r);
  ExpectReason(verifier_.Verify(racing, kPurpose, kSubject, Wrong(otp.code)), "OTP_LOCKED", 0);
  // And a correct code whose conditional consume loses is invalid, not OK.
  ExpectReason(verifier_.Verify(racing, kPurpose, kSubject, otp.code), "OTP_INVALID", 0);
}

}  // namespace
}  // namespace portico
