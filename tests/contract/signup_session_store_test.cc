#include "signup/session/signup_session_store.h"

#include <latch>
#include <mutex>
#include <thread>
#include <vector>

#include "oauth_store_fixture.h"

namespace portico::testing {
namespace {

using signup::SignupSession;
using signup::SignupStatus;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;

SignupSession MakeSession(std::string slug, TimePoint created_at = T0()) {
  SignupSession s;
  s.id = "ss_" + Uuid();
  s.status = SignupStatus::kPendingEmailVerification;
  s.company_name = "Company " + slug;
  s.slug = std::move(slug);
  s.modules = {"scim", "dcr"};
  s.admin_email = "Jane@" + s.slug + ".example";
  s.legal = {"terms-1", "privacy-2", created_at - minutes(1), "203.0.113.7", "agent/1.0"};
  s.otp_sends = 1;
  s.otp_sent_at = created_at;
  s.otp_expires_at = created_at + minutes(10);
  s.created_at = s.updated_at = created_at;
  s.expires_at = created_at + hours(24);
  s.version = 1;
  return s;
}

class SignupSessionStoreContract : public OAuthStoreFixture {
 protected:
  Status Insert(const SignupSession& s) {
    return Query([&](Stores& st) { return st.signup_sessions().Insert(s); });
  }
  StatusOr<SignupSession> Find(const std::string& id) {
    return Query([&](Stores& st) { return st.signup_sessions().Find(id); });
  }
  Status Update(const SignupSession& s, int64_t expected) {
    return Query([&](Stores& st) { return st.signup_sessions().Update(s, expected); });
  }
  StatusOr<bool> Held(const std::string& slug, TimePoint now) {
    return Query([&](Stores& st) { return st.signup_sessions().IsSlugHeld(slug, now); });
  }
};

TEST_P(SignupSessionStoreContract, InsertedSessionReadsBackExactly) {
  const SignupSession s = MakeSession("acme");
  ASSERT_TRUE(Insert(s).ok());
  StatusOr<SignupSession> found = Find(s.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, s.id);
  EXPECT_EQ(found->status, SignupStatus::kPendingEmailVerification);
  EXPECT_EQ(found->company_name, s.company_name);
  EXPECT_EQ(found->slug, "acme");
  EXPECT_EQ(found->modules, s.modules);
  EXPECT_EQ(found->admin_email, s.admin_email);
  EXPECT_EQ(found->legal.terms_version, "terms-1");
  EXPECT_EQ(found->legal.privacy_version, "privacy-2");
  EXPECT_EQ(found->legal.accepted_at, s.legal.accepted_at);
  EXPECT_EQ(found->legal.client_ip, "203.0.113.7");
  EXPECT_EQ(found->legal.user_agent, "agent/1.0");
  EXPECT_EQ(found->otp_sends, 1);
  EXPECT_EQ(found->otp_sent_at, s.otp_sent_at);
  EXPECT_EQ(found->otp_expires_at, s.otp_expires_at);
  EXPECT_FALSE(found->email_verified_at.has_value());
  EXPECT_EQ(found->provision_step_state, Json::MakeObject());
  EXPECT_TRUE(found->failure_reason.is_null());
  EXPECT_FALSE(found->tenant_id.has_value());
  EXPECT_FALSE(found->provision_lease_until.has_value());
  EXPECT_EQ(found->created_at, s.created_at);
  EXPECT_EQ(found->updated_at, s.updated_at);
  EXPECT_EQ(found->expires_at, s.expires_at);
  EXPECT_EQ(found->version, 1);
}

TEST_P(SignupSessionStoreContract, UnknownIdIsNotFound) {
  EXPECT_EQ(Find("nope").status().code(), StatusCode::kNotFound);
}

TEST_P(SignupSessionStoreContract, UpdateWritesTheMutableFieldsAndBumpsTheVersion) {
  SignupSession s = MakeSession("acme");
  ASSERT_TRUE(Insert(s).ok());
  SignupSession changed = s;
  changed.status = SignupStatus::kReviewRequired;
  changed.otp_sends = 3;
  changed.otp_sent_at = At(milliseconds(5'000));
  changed.otp_expires_at = At(milliseconds(605'000));
  changed.email_verified_at = At(milliseconds(7'000));
  changed.provision_step_state =
      Json::MakeObject().Set("tenant_created_at", "2027-01-15T08:00:00.000Z");
  changed.failure_reason = Json::MakeObject()
                               .Set("code", "MAIL_TRANSPORT")
                               .Set("message", "mail is down")
                               .Set("step", "clerk_invite_sent_at");
  changed.tenant_id = tenant_.id;
  changed.provision_lease_until = At(milliseconds(60'000));
  changed.updated_at = At(milliseconds(8'000));
  // Not mutable: ignored by Update.
  changed.slug = "other";
  changed.admin_email = "evil@other.example";
  changed.company_name = "Other";
  changed.legal.client_ip = "198.51.100.1";
  changed.expires_at = At(hours(1000));
  ASSERT_TRUE(Update(changed, 1).ok());

  StatusOr<SignupSession> found = Find(s.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(found->status, SignupStatus::kReviewRequired);
  EXPECT_EQ(found->otp_sends, 3);
  EXPECT_EQ(found->otp_sent_at, At(milliseconds(5'000)));
  EXPECT_EQ(found->otp_expires_at, At(milliseconds(605'000)));
  EXPECT_EQ(found->email_verified_at, At(milliseconds(7'000)));
  EXPECT_EQ(found->provision_step_state, changed.provision_step_state);
  EXPECT_EQ(found->failure_reason, changed.failure_reason);
  EXPECT_EQ(found->tenant_id, tenant_.id);
  EXPECT_EQ(found->provision_lease_until, At(milliseconds(60'000)));
  EXPECT_EQ(found->updated_at, At(milliseconds(8'000)));
  EXPECT_EQ(found->slug, "acme");
  EXPECT_EQ(found->admin_email, s.admin_email);
  EXPECT_EQ(found->company_name, s.company_name);
  EXPECT_EQ(found->legal.client_ip, "203.0.113.7");
  EXPECT_EQ(found->expires_at, s.expires_at);
}

TEST_P(SignupSessionStoreContract, UpdateIsACompareAndSetOnTheVersion) {
  SignupSession s = MakeSession("acme");
  ASSERT_TRUE(Insert(s).ok());
  s.status = SignupStatus::kEmailVerified;
  ASSERT_TRUE(Update(s, 1).ok());
  Status stale = Update(s, 1);
  EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition) << stale.ToString();
  EXPECT_TRUE(Update(s, 2).ok());
  EXPECT_EQ(Find(s.id)->version, 3);
  SignupSession ghost = MakeSession("ghost");
  EXPECT_EQ(Update(ghost, 1).code(), StatusCode::kNotFound);
}

TEST_P(SignupSessionStoreContract, ALiveSessionHoldsItsSlugCaseInsensitively) {
  ASSERT_TRUE(Insert(MakeSession("acme")).ok());
  Status second = Insert(MakeSession("acme", At(hours(1))));
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists) << second.ToString();
  EXPECT_EQ(Insert(MakeSession("ACME", At(hours(1)))).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(Insert(MakeSession("acme-two")).ok());
  EXPECT_TRUE(*Held("acme", At(hours(1))));
  EXPECT_TRUE(*Held("Acme", At(hours(1))));
  EXPECT_FALSE(*Held("acme-three", At(hours(1))));
}

TEST_P(SignupSessionStoreContract, ASessionPastItsExpiryLetsItsSlugGo) {
  const SignupSession old = MakeSession("acme");
  ASSERT_TRUE(Insert(old).ok());
  EXPECT_TRUE(*Held("acme", old.expires_at - milliseconds(1)));
  EXPECT_FALSE(*Held("acme", old.expires_at));
  EXPECT_EQ(Insert(MakeSession("acme", old.expires_at - milliseconds(1))).code(),
            StatusCode::kAlreadyExists);
  const SignupSession fresh = MakeSession("acme", old.expires_at);
  EXPECT_TRUE(Insert(fresh).ok());
  // The old one keeps its row; only the hold moved.
  EXPECT_TRUE(Find(old.id).ok());
  EXPECT_EQ(Insert(MakeSession("acme", old.expires_at + hours(1))).code(),
            StatusCode::kAlreadyExists);
}

TEST_P(SignupSessionStoreContract, ASessionInProvisioningKeepsItsSlugPastItsExpiry) {
  for (SignupStatus status :
       {SignupStatus::kProvisioning, SignupStatus::kReviewRequired, SignupStatus::kProvisioned}) {
    SignupSession s = MakeSession("slug-" + std::to_string(static_cast<int>(status)));
    ASSERT_TRUE(Insert(s).ok());
    s.status = status;
    ASSERT_TRUE(Update(s, 1).ok());
    const TimePoint later = s.expires_at + hours(100);
    EXPECT_TRUE(*Held(s.slug, later)) << SignupStatusName(status);
    EXPECT_EQ(Insert(MakeSession(s.slug, later)).code(), StatusCode::kAlreadyExists)
        << SignupStatusName(status);
  }
}

TEST_P(SignupSessionStoreContract, ExpiredOrFailedSessionsReleaseTheirSlug) {
  for (SignupStatus status : {SignupStatus::kExpired, SignupStatus::kFailed}) {
    SignupSession s = MakeSession("slug-" + std::to_string(static_cast<int>(status)));
    ASSERT_TRUE(Insert(s).ok());
    s.status = status;
    ASSERT_TRUE(Update(s, 1).ok());
    EXPECT_FALSE(*Held(s.slug, T0())) << SignupStatusName(status);
    EXPECT_TRUE(Insert(MakeSession(s.slug, T0())).ok()) << SignupStatusName(status);
  }
}

TEST_P(SignupSessionStoreContract, ARefusedInsertLeavesTheTransactionUsable) {
  ASSERT_TRUE(Insert(MakeSession("acme")).ok());
  const SignupSession other = MakeSession("other-slug");
  Status status = db_->Transact([&](Stores& st) -> Status {
    Status taken = st.signup_sessions().Insert(MakeSession("acme"));
    EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists);
    return st.signup_sessions().Insert(other);
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(Find(other.id).ok());
}

TEST_P(SignupSessionStoreContract, ARolledBackInsertHoldsNothing) {
  const SignupSession s = MakeSession("acme");
  Status status = db_->Transact([&](Stores& st) -> Status {
    PORTICO_RETURN_IF_ERROR(st.signup_sessions().Insert(s));
    return Aborted("roll back");
  });
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_EQ(Find(s.id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Insert(MakeSession("acme")).ok());
}

TEST_P(SignupSessionStoreContract, ConcurrentInsertsForOneSlugLetExactlyOneThrough) {
  constexpr int kThreads = 20;  // more than the pool: leases queue as well
  std::latch start(kThreads);
  std::mutex mu;
  int inserted = 0, taken = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      const SignupSession s = MakeSession("contested");
      start.arrive_and_wait();
      Status status = db_->Transact([&](Stores& st) -> Status {
        // As the service does: the tenant check and the insert in one transaction.
        StatusOr<Tenant> tenant = st.tenants().FindBySlug(s.slug);
        if (tenant.ok()) return AlreadyExists("tenant");
        return st.signup_sessions().Insert(s);
      });
      std::lock_guard lock(mu);
      if (status.ok()) ++inserted;
      if (status.code() == StatusCode::kAlreadyExists) ++taken;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(inserted, 1);
  EXPECT_EQ(taken, kThreads - 1);
}

TEST_P(SignupSessionStoreContract, IdempotencyRecordsAreKeyedBySessionAndKeyAndExpire) {
  signup::IdempotencyRecord r{"s-1", "hash-a", "fp", "", 0, T0()};
  ASSERT_TRUE(Query([&](Stores& st) { return st.signup_sessions().InsertIdempotencyRecord(r); })
                  .ok());
  EXPECT_EQ(Query([&](Stores& st) { return st.signup_sessions().InsertIdempotencyRecord(r); })
                .code(),
            StatusCode::kAlreadyExists);
  r.sealed_secrets = "v1.sealed";
  r.response_status = 201;
  ASSERT_TRUE(Query([&](Stores& st) { return st.signup_sessions().UpdateIdempotencyRecord(r); })
                  .ok());
  auto found = Query([&](Stores& st) {
    return st.signup_sessions().FindIdempotencyRecord("s-1", "hash-a");
  });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->fingerprint, "fp");
  EXPECT_EQ(found->sealed_secrets, "v1.sealed");
  EXPECT_EQ(found->response_status, 201);
  EXPECT_EQ(found->created_at, T0());
  EXPECT_EQ(Query([&](Stores& st) {
              return st.signup_sessions().FindIdempotencyRecord("s-1", "hash-b");
            }).status().code(),
            StatusCode::kNotFound);
  signup::IdempotencyRecord later{"s-1", "hash-b", "fp", "", 0, At(hours(25))};
  ASSERT_TRUE(Query([&](Stores& st) {
                return st.signup_sessions().InsertIdempotencyRecord(later);
              }).ok());
  auto deleted = Query([&](Stores& st) {
    return st.signup_sessions().DeleteIdempotencyRecordsBefore(At(hours(24)));
  });
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
  EXPECT_TRUE(Query([&](Stores& st) {
                return st.signup_sessions().FindIdempotencyRecord("s-1", "hash-b");
              }).ok());
}

TEST_P(SignupSessionStoreContract, AConsentRecordIsWrittenOncePerSession) {
  signup::ConsentRecord c{"c-1", "s-1", "t-1", "u-1", "t1", "p1", T0(), At(hours(1)),
                          "192.0.2.1", "ua/1"};
  ASSERT_TRUE(Query([&](Stores& st) { return st.signup_sessions().InsertConsentRecord(c); }).ok());
  c.id = "c-2";
  EXPECT_EQ(Query([&](Stores& st) { return st.signup_sessions().InsertConsentRecord(c); }).code(),
            StatusCode::kAlreadyExists);
  auto found = Query([&](Stores& st) { return st.signup_sessions().FindConsentRecord("s-1"); });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, "c-1");
  EXPECT_EQ(found->admin_user_id, "u-1");
  EXPECT_EQ(found->accepted_at, T0());
  EXPECT_EQ(found->recorded_at, At(hours(1)));
  EXPECT_EQ(found->client_ip, "192.0.2.1");
}

INSTANTIATE_TEST_SUITE_P(Stores, SignupSessionStoreContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

}  // namespace
}  // namespace portico::testing
