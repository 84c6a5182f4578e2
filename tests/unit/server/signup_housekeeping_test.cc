// Housekeeping's signup part: ended sessions are deleted after their
// retention, with their codes and idempotency records; consent records stay.
#include <gtest/gtest.h>

#include "portico/credential_issuer.h"
#include "signup/session/signup_session_store.h"
#include "src/server/housekeeping.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::server {
namespace {

using signup::SignupSession;
using signup::SignupStatus;
using std::chrono::hours;

class SignupHousekeepingTest : public ::testing::Test {
 protected:
  SignupHousekeepingTest()
      : issuer_(std::string(40, 'k'), SecureRandom(), clock_),
        secrets_(issuer_, SecureRandom()),
        registrations_(db_, issuer_, secrets_, clock_, Options()) {}

  static dcr::RegistrationOptions Options() {
    dcr::RegistrationOptions options;
    options.registration_endpoint = "https://id.example/oauth/register";
    options.server_policy.allowed_scopes = {"read"};
    return options;
  }

  // A session created now, in `status`, with its code in the OTP store.
  SignupSession Add(const std::string& slug, SignupStatus status) {
    SignupSession s;
    s.id = "ss-" + slug;
    s.status = status;
    s.company_name = slug;
    s.slug = slug;
    s.modules = {"scim"};
    s.admin_email = "admin@" + slug + ".example";
    s.created_at = s.updated_at = s.otp_sent_at = clock_.Now();
    s.expires_at = clock_.Now() + hours(24);
    OtpRecord code;
    code.id = "otp-" + slug;
    code.purpose = signup::kSignupOtpPurpose;
    code.subject = s.id;
    code.expires_at = clock_.Now() + hours(1);
    code.created_at = clock_.Now();
    EXPECT_TRUE(db_.Transact([&](Stores& st) -> Status {
                     PORTICO_RETURN_IF_ERROR(st.signup_sessions().Insert(s));
                     return st.otps().Put(code);
                   })
                    .ok());
    return s;
  }

  int64_t RunOnce(Housekeeping& housekeeping) {
    StatusOr<Json> report = housekeeping.RunOnce();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    if (!report.ok()) return -1;
    const Json* deleted = report->Find("signupSessionsDeleted");
    EXPECT_NE(deleted, nullptr);
    return deleted != nullptr ? deleted->as_int() : -1;
  }

  bool Exists(const SignupSession& s) { return db_.Snapshot().signup.sessions.count(s.id) > 0; }

  testing::FakeClock clock_;
  testing::InMemoryDatabase db_;
  CredentialIssuer issuer_;
  dcr::ClientSecrets secrets_;
  dcr::RegistrationService registrations_;
};

TEST_F(SignupHousekeepingTest, DeletesANeverProvisionedSessionAWeekAfterItsExpiry) {
  const SignupSession pending = Add("pending", SignupStatus::kPendingEmailVerification);
  Housekeeping housekeeping(db_, registrations_, clock_);
  clock_.Advance(hours(24 + 24 * 7 - 1));
  EXPECT_EQ(RunOnce(housekeeping), 0);
  EXPECT_TRUE(Exists(pending));
  clock_.Advance(hours(2));
  EXPECT_EQ(RunOnce(housekeeping), 1);
  EXPECT_FALSE(Exists(pending));
  EXPECT_TRUE(db_.Snapshot().otps.empty());
}

TEST_F(SignupHousekeepingTest, KeepsAProvisionedSessionThirtyDaysAndItsConsentForever) {
  SignupSession done = Add("done", SignupStatus::kProvisioned);
  ASSERT_TRUE(db_.Run([&](Stores& st) {
                   return st.signup_sessions().InsertConsentRecord(
                       {"c-1", done.id, "t-1", "u-1", "terms", "privacy", clock_.Now(),
                        clock_.Now(), "192.0.2.1", "ua"});
                 })
                  .ok());
  Housekeeping housekeeping(db_, registrations_, clock_);
  clock_.Advance(hours(24 * 30 - 1));
  EXPECT_EQ(RunOnce(housekeeping), 0);
  EXPECT_TRUE(Exists(done));
  clock_.Advance(hours(2));
  EXPECT_EQ(RunOnce(housekeeping), 1);
  EXPECT_FALSE(Exists(done));
  EXPECT_EQ(db_.Snapshot().signup.consents.count(done.id), 1u);
}

TEST_F(SignupHousekeepingTest, NeverDeletesASessionUnderReview) {
  const SignupSession review = Add("review", SignupStatus::kReviewRequired);
  Housekeeping housekeeping(db_, registrations_, clock_);
  clock_.Advance(hours(24 * 365));
  EXPECT_EQ(RunOnce(housekeeping), 0);
  EXPECT_TRUE(Exists(review));
}

TEST_F(SignupHousekeepingTest, UsesTheRetentionItIsGiven) {
  const SignupSession pending = Add("pending", SignupStatus::kEmailVerified);
  Housekeeping housekeeping(db_, registrations_, clock_,
                            signup::SignupRetention{.after_expiry = hours(1)});
  clock_.Advance(hours(26));
  EXPECT_EQ(RunOnce(housekeeping), 1);
  EXPECT_FALSE(Exists(pending));
}

TEST_F(SignupHousekeepingTest, DeletesABacklogLargerThanOneBatchInOnePass) {
  for (int i = 0; i < 1203; ++i) Add("s" + std::to_string(i), SignupStatus::kExpired);
  Housekeeping housekeeping(db_, registrations_, clock_);
  clock_.Advance(hours(24 * 9));
  EXPECT_EQ(RunOnce(housekeeping), 1203);
  EXPECT_TRUE(db_.Snapshot().signup.sessions.empty());
}

}  // namespace
}  // namespace portico::server
