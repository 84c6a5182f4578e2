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

TEST_P(SignupSessionStoreContract, ALostCompareAndSetLeavesTheTransactionUsable) {
  SignupSession s = MakeSession("acme");
  ASSERT_TRUE(Insert(s).ok());
  s.status = SignupStatus::kEmailVerified;
  Status status = db_->Transact([&](Stores& st) -> Status {
    Status stale = st.signup_sessions().Update(s, 7);
    EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition) << stale.ToString();
    return st.signup_sessions().Update(s, 1);
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Find(s.id)->status, SignupStatus::kEmailVerified);
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

// ---- Housekeeping: DeleteEndedSessions ----

OtpRecord CodeFor(const std::string& subject,
                  const std::string& purpose = signup::kSignupOtpPurpose) {
  OtpRecord r;
  r.id = Uuid();
  r.purpose = purpose;
  r.subject = subject;
  r.code_hash = "hash-" + subject;
  r.expires_at = At(minutes(10));
  r.created_at = T0();
  return r;
}

class SignupSessionHousekeepingContract : public SignupSessionStoreContract {
 protected:
  StatusOr<int64_t> DeleteEnded(TimePoint expired_before, TimePoint closed_before, int limit) {
    int64_t deleted = -1;
    Status status = db_->Transact([&](Stores& st) -> Status {
      PORTICO_ASSIGN_OR_RETURN(
          deleted, st.signup_sessions().DeleteEndedSessions(expired_before, closed_before, limit));
      return Status::Ok();
    });
    if (!status.ok()) return status;
    return deleted;
  }
  // A session inserted as it stands after `status` (the store keeps what it is given).
  SignupSession InsertAs(std::string slug, SignupStatus status, TimePoint created_at,
                         TimePoint updated_at) {
    SignupSession s = MakeSession(std::move(slug), created_at);
    s.status = status;
    s.updated_at = updated_at;
    if (status == SignupStatus::kProvisioned) s.tenant_id = tenant_.id;
    EXPECT_TRUE(Insert(s).ok());
    return s;
  }
  bool HasCode(const std::string& subject, const std::string& purpose = signup::kSignupOtpPurpose) {
    return Query([&](Stores& st) { return st.otps().Find(purpose, subject); }).ok();
  }
  bool HasKey(const std::string& session_id, const std::string& key_hash) {
    return Query([&](Stores& st) {
             return st.signup_sessions().FindIdempotencyRecord(session_id, key_hash);
           })
        .ok();
  }
};

TEST_P(SignupSessionHousekeepingContract, DeletesAnEndedSessionWithItsCodeAndKeysButNotItsConsent) {
  // `old` expires at T0 + 24 h, `recent` at T0 + 224 h.
  const SignupSession old = MakeSession("old-one");
  const SignupSession recent = MakeSession("recent-one", At(hours(200)));
  ASSERT_TRUE(Insert(old).ok());
  ASSERT_TRUE(Insert(recent).ok());
  ASSERT_TRUE(
      Query([&](Stores& st) -> Status {
        PORTICO_RETURN_IF_ERROR(st.otps().Put(CodeFor(old.id)));
        PORTICO_RETURN_IF_ERROR(st.otps().Put(CodeFor(recent.id)));
        // Another feature's code that happens to name the same subject.
        PORTICO_RETURN_IF_ERROR(st.otps().Put(CodeFor(old.id, "email_verification")));
        PORTICO_RETURN_IF_ERROR(st.signup_sessions().InsertIdempotencyRecord(
            {old.id, "key-a", "fp", "sealed", 201, T0()}));
        PORTICO_RETURN_IF_ERROR(
            st.signup_sessions().InsertIdempotencyRecord({recent.id, "key-b", "fp", "", 0, T0()}));
        return st.signup_sessions().InsertConsentRecord(
            {"c-old", old.id, tenant_.id, "u-1", "t1", "p1", T0(), T0(), "192.0.2.1", "ua/1"});
      }).ok());

  StatusOr<int64_t> deleted = DeleteEnded(At(hours(25)), At(hours(25)), 100);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(Find(old.id).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(HasCode(old.id));
  EXPECT_FALSE(HasKey(old.id, "key-a"));
  EXPECT_TRUE(HasCode(old.id, "email_verification"));
  EXPECT_TRUE(
      Query([&](Stores& st) { return st.signup_sessions().FindConsentRecord(old.id); }).ok());
  EXPECT_TRUE(Find(recent.id).ok());
  EXPECT_TRUE(HasCode(recent.id));
  EXPECT_TRUE(HasKey(recent.id, "key-b"));
  // Nothing more is due: a second pass deletes nothing.
  EXPECT_EQ(*DeleteEnded(At(hours(25)), At(hours(25)), 100), 0);
}

TEST_P(SignupSessionHousekeepingContract, NeverProvisionedSessionsGoOnceExpiredBeforeTheCutoff) {
  const SignupSession pending =
      InsertAs("pending", SignupStatus::kPendingEmailVerification, T0(), T0());
  const SignupSession verified =
      InsertAs("verified", SignupStatus::kEmailVerified, T0(), At(minutes(5)));
  const SignupSession expired = InsertAs("expired", SignupStatus::kExpired, T0(), At(hours(30)));
  // expires_at is T0 + 24 h for all three: not strictly before the cutoff yet.
  EXPECT_EQ(*DeleteEnded(At(hours(24)), At(hours(24)), 10), 0);
  EXPECT_EQ(*DeleteEnded(At(hours(24)) + milliseconds(1), T0(), 10), 3);
  for (const SignupSession* s : {&pending, &verified, &expired}) {
    EXPECT_EQ(Find(s->id).status().code(), StatusCode::kNotFound) << s->slug;
  }
}

TEST_P(SignupSessionHousekeepingContract,
       AProvisionedSessionStaysUntilItsRetentionAfterProvisioning) {
  // Provisioned 2 h after creation; its expiry (T0 + 24 h) long past.
  const SignupSession done = InsertAs("done", SignupStatus::kProvisioned, T0(), At(hours(2)));
  const SignupSession failed = InsertAs("failed", SignupStatus::kFailed, T0(), At(hours(3)));
  EXPECT_EQ(*DeleteEnded(At(hours(1000)), At(hours(2)), 10), 0);
  EXPECT_TRUE(Find(done.id).ok());
  EXPECT_EQ(*DeleteEnded(At(hours(1000)), At(hours(2)) + milliseconds(1), 10), 1);
  EXPECT_EQ(Find(done.id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Find(failed.id).ok());
  EXPECT_EQ(*DeleteEnded(At(hours(1000)), At(hours(3)) + milliseconds(1), 10), 1);
  EXPECT_EQ(Find(failed.id).status().code(), StatusCode::kNotFound);
}

TEST_P(SignupSessionHousekeepingContract, AProvisionedSessionIsKeptWhileItsExpiryIsRecent) {
  // Provisioned long ago by the closed_before clock, but not yet past the
  // expiry retention: both conditions must hold.
  const SignupSession done = InsertAs("done", SignupStatus::kProvisioned, T0(), At(hours(2)));
  EXPECT_EQ(*DeleteEnded(At(hours(24)), At(hours(1000)), 10), 0);
  EXPECT_TRUE(Find(done.id).ok());
}

TEST_P(SignupSessionHousekeepingContract, NeverDeletesASessionThatCanStillBeResumed) {
  const SignupSession running = InsertAs("running", SignupStatus::kProvisioning, T0(), T0());
  const SignupSession review = InsertAs("review", SignupStatus::kReviewRequired, T0(), T0());
  EXPECT_EQ(*DeleteEnded(At(hours(100000)), At(hours(100000)), 10), 0);
  EXPECT_TRUE(Find(running.id).ok());
  EXPECT_TRUE(Find(review.id).ok());
}

TEST_P(SignupSessionHousekeepingContract, DeletesAtMostTheLimitOldestExpiryFirst) {
  std::vector<SignupSession> sessions;
  for (int i = 0; i < 5; ++i) {
    sessions.push_back(MakeSession("batch-" + std::to_string(i), At(hours(4 - i))));
    ASSERT_TRUE(Insert(sessions.back()).ok());
  }
  const TimePoint cutoff = At(hours(1000));
  EXPECT_EQ(*DeleteEnded(cutoff, cutoff, 2), 2);
  // The two created last expire first.
  EXPECT_EQ(Find(sessions[4].id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Find(sessions[3].id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Find(sessions[2].id).ok());
  EXPECT_EQ(*DeleteEnded(cutoff, cutoff, 2), 2);
  EXPECT_EQ(*DeleteEnded(cutoff, cutoff, 2), 1);
  EXPECT_EQ(*DeleteEnded(cutoff, cutoff, 2), 0);
  EXPECT_EQ(*DeleteEnded(cutoff, cutoff, 0), 0);
}

TEST_P(SignupSessionHousekeepingContract, ADeletedSessionsSlugCanBeTakenAgain) {
  const SignupSession old = MakeSession("reused");
  ASSERT_TRUE(Insert(old).ok());
  EXPECT_EQ(*DeleteEnded(At(hours(200)), At(hours(200)), 10), 1);
  EXPECT_TRUE(Insert(MakeSession("reused", At(hours(1)))).ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, SignupSessionHousekeepingContract,
                         ::testing::ValuesIn(AllStoreTargets()), StoreTargetName());

INSTANTIATE_TEST_SUITE_P(Stores, SignupSessionStoreContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

}  // namespace
}  // namespace portico::testing
