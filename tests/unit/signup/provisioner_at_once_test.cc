// Provisioning without test hooks (as deployed): a fresh run commits all
// seven steps in one transaction; anything else falls back to the step-by-step
// run with the same answers.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "portico/parse_json.h"
#include "signup/session/provisioner.h"
#include "signup/session/signup_session_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"
#include "tests/unit/signup/provisioner_fixture.h"

namespace portico::signup {
namespace {

using portico::testing::FakeClock;
using portico::testing::InMemoryDatabase;
using testing::Body;
using testing::kSecret;
using testing::Str;
using testing::VerifiedSession;

class ProvisionerAtOnceTest : public ::testing::Test {
 protected:
  ProvisionerAtOnceTest() : issuer_(kSecret, SecureRandom(), clock_) {
    options_.key_hash_secret = kSecret;
    options_.check_mail = [this]() -> Status {
      return mail_ok_ ? Status::Ok() : FailedPrecondition("mail is misconfigured");
    };
    provisioner_ = std::make_unique<Provisioner>(db_, issuer_, SecureRandom(), clock_, options_);
    session_ = VerifiedSession(clock_);
    EXPECT_TRUE(db_.Run([&](Stores& s) { return s.signup_sessions().Insert(session_); }).ok());
  }

  SignupSession Stored() { return db_.Snapshot().signup.sessions.at(session_.id).session; }

  int Live(CredentialKind kind) {
    int n = 0;
    for (const Credential& c : db_.Snapshot().credentials) n += c.kind == kind && !c.revoked_at;
    return n;
  }

  int Mails() {
    int n = 0;
    for (const auto& [id, m] : db_.Snapshot().outbox) n += m.topic == "mail";
    return n;
  }

  FakeClock clock_;
  InMemoryDatabase db_;
  CredentialIssuer issuer_;
  ProvisionOptions options_;
  std::unique_ptr<Provisioner> provisioner_;
  SignupSession session_;
  bool mail_ok_ = true;
};

TEST_F(ProvisionerAtOnceTest, AFreshRunWritesTheSessionAndTheKeysRecordOnce) {
  StatusOr<ProvisionResult> r = provisioner_->Provision(session_.id, Body("key-00000001"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->http_status, 201);
  // Step by step, the claim and every step write the session (8 updates) and
  // three steps seal the record again (4 record updates).
  EXPECT_EQ(db_.CallCount("signup_sessions.Update"), 1);
  EXPECT_EQ(db_.CallCount("signup_sessions.UpdateIdempotencyRecord"), 1);
  EXPECT_EQ(db_.CallCount("tenants.FindById"), 0);
  EXPECT_EQ(db_.CallCount("accounts.FindUserByEmail"), 1);  // the organization step's
  const SignupSession stored = Stored();
  EXPECT_EQ(stored.status, SignupStatus::kProvisioned);
  EXPECT_FALSE(stored.provision_lease_until.has_value());
  for (const std::string& step : ProvisionSteps()) {
    EXPECT_NE(stored.provision_step_state.Find(step), nullptr) << step;
  }
  EXPECT_EQ(r->body.Find("provisionStepState")->as_object().size(), ProvisionSteps().size());
  EXPECT_EQ(Str(r->body, "integrationKey").rfind("portico_ik_", 0), 0u);
  EXPECT_EQ(Str(r->body, "bootstrapToken").rfind("portico_bt_", 0), 0u);
  EXPECT_EQ(Str(r->body, "publicLoginToken").rfind("portico_pl_", 0), 0u);
  EXPECT_EQ(Live(CredentialKind::kIntegrationKey), 1);
  EXPECT_EQ(Live(CredentialKind::kBootstrapToken), 1);
  EXPECT_EQ(Live(CredentialKind::kPublicLoginToken), 1);
  const InMemoryDatabase::State state = db_.Snapshot();
  const auto consent = state.signup.consents.find(session_.id);
  ASSERT_NE(consent, state.signup.consents.end());
  ASSERT_EQ(state.directory.users.size(), 1u);
  EXPECT_EQ(consent->second.admin_user_id, state.directory.users.begin()->first);
  EXPECT_EQ(Mails(), 2);  // the invite and the "is ready" mail
}

TEST_F(ProvisionerAtOnceTest, TheSameKeyReplaysTheSecretsTheFirstAnswerShowed) {
  StatusOr<ProvisionResult> first = provisioner_->Provision(session_.id, Body("key-00000001"));
  StatusOr<ProvisionResult> again = provisioner_->Provision(session_.id, Body("key-00000001"));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(again->http_status, 201);
  EXPECT_EQ(Str(again->body, "integrationKey"), Str(first->body, "integrationKey"));
  EXPECT_EQ(Str(again->body, "bootstrapToken"), Str(first->body, "bootstrapToken"));
  EXPECT_EQ(Live(CredentialKind::kIntegrationKey), 1);
  StatusOr<ProvisionResult> other = provisioner_->Provision(session_.id, Body("key-00000002"));
  EXPECT_EQ(other.status().tag(), kAlreadyProvisioned);
}

TEST_F(ProvisionerAtOnceTest, AFailingStepFallsBackAndKeepsTheStepsBeforeIt) {
  mail_ok_ = false;
  StatusOr<ProvisionResult> r = provisioner_->Provision(session_.id, Body("key-00000001"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->http_status, 202);
  EXPECT_EQ(Str(*r->body.Find("failureReason"), "code"), kMailMisconfigured);
  EXPECT_EQ(Str(*r->body.Find("failureReason"), "step"), kStepInvite);
  // As step by step: the tenant and the organization stay, nothing after.
  const SignupSession stored = Stored();
  EXPECT_EQ(stored.status, SignupStatus::kReviewRequired);
  EXPECT_NE(stored.provision_step_state.Find(kStepTenant), nullptr);
  EXPECT_NE(stored.provision_step_state.Find(kStepOrg), nullptr);
  EXPECT_EQ(stored.provision_step_state.Find(kStepInvite), nullptr);
  EXPECT_EQ(db_.Snapshot().tenants.size(), 1u);
  EXPECT_EQ(Mails(), 0);
}

TEST_F(ProvisionerAtOnceTest, ANewKeyAfterReviewRequiredResumesStepByStep) {
  db_.FailOperation("signup_sessions.InsertConsentRecord");
  StatusOr<ProvisionResult> failed = provisioner_->Provision(session_.id, Body("key-00000001"));
  ASSERT_TRUE(failed.ok()) << failed.status().ToString();
  EXPECT_EQ(failed->http_status, 202);
  EXPECT_EQ(Str(*failed->body.Find("failureReason"), "step"), kStepLegal);
  db_.FailOperation("");
  StatusOr<ProvisionResult> r = provisioner_->Provision(session_.id, Body("key-00000002"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->http_status, 201);
  EXPECT_EQ(Stored().status, SignupStatus::kProvisioned);
  // The secrets sealed under the first key were replaced, one live each.
  EXPECT_EQ(Live(CredentialKind::kIntegrationKey), 1);
  EXPECT_EQ(Live(CredentialKind::kPublicLoginToken), 1);
  EXPECT_EQ(Live(CredentialKind::kBootstrapToken), 1);
  EXPECT_EQ(db_.Snapshot().tenants.size(), 1u);
}

TEST_F(ProvisionerAtOnceTest, AnUnknownSessionIsNotFoundWithoutAFallback) {
  StatusOr<ProvisionResult> r = provisioner_->Provision("no-such-session", Body("key-00000001"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(db_.CallCount("signup_sessions.Find"), 1);
}

}  // namespace
}  // namespace portico::signup
