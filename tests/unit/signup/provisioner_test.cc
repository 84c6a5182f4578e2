#include "signup/session/provisioner.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "portico/parse_json.h"
#include "signup/session/signup_service.h"
#include "signup/session/signup_session_store.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"
#include "tests/unit/signup/provisioner_fixture.h"

namespace portico::signup {
namespace {

using std::chrono::seconds;
using portico::testing::FakeClock;
using portico::testing::InMemoryDatabase;
using testing::Body;
using testing::kSecret;
using testing::Str;
using testing::VerifiedSession;

class ProvisionerTest : public ::testing::Test {
 protected:
  ProvisionerTest() : issuer_(kSecret, SecureRandom(), clock_) {
    options_.key_hash_secret = kSecret;
    options_.lease = seconds(30);
    // Counts the steps that ran, and fails or records one on request.
    options_.before_step = [this](std::string_view step) -> Status {
      if (step == fail_step_) return Unavailable("injected").WithTag("INJECTED_FAILURE");
      ran_.push_back(std::string(step));
      return Status::Ok();
    };
    options_.after_step = [this](std::string_view step) {
      if (step == stop_after_) throw std::string(step);  // a crash: the run stops here
    };
    provisioner_ =
        std::make_unique<Provisioner>(db_, issuer_, SecureRandom(), clock_, options_);
    session_ = VerifiedSession(clock_);
    EXPECT_TRUE(db_.Run([&](Stores& s) { return s.signup_sessions().Insert(session_); }).ok());
  }

  // Runs provision; a simulated crash (after_step throwing) becomes nullopt.
  std::optional<StatusOr<ProvisionResult>> Provision(const Json& body) {
    try {
      return provisioner_->Provision(session_.id, body);
    } catch (const std::string&) {
      return std::nullopt;
    }
  }

  SignupSession Stored() {
    SignupSession s;
    EXPECT_TRUE(db_.Run([&](Stores& st) -> Status {
                     PORTICO_ASSIGN_OR_RETURN(s, st.signup_sessions().Find(session_.id));
                     return Status::Ok();
                   }).ok());
    return s;
  }

  int LiveCredentials(CredentialKind kind) {
    const SignupSession s = Stored();
    int n = 0;
    EXPECT_TRUE(db_.Run([&](Stores& st) -> Status {
                     PORTICO_ASSIGN_OR_RETURN(std::vector<Credential> all,
                                              st.credentials().ListByTenant(*s.tenant_id));
                     for (const Credential& c : all) n += c.kind == kind && !c.revoked_at;
                     return Status::Ok();
                   }).ok());
    return n;
  }

  FakeClock clock_;
  InMemoryDatabase db_;
  CredentialIssuer issuer_;
  ProvisionOptions options_;
  std::unique_ptr<Provisioner> provisioner_;
  SignupSession session_;
  std::string fail_step_;
  std::string stop_after_;
  std::vector<std::string> ran_;
};

TEST_F(ProvisionerTest, RunsTheSevenStepsInOrderAndAnswers201) {
  auto r = Provision(Body("key-00000001"));
  ASSERT_TRUE(r.has_value());
  ASSERT_TRUE(r->ok()) << r->status().ToString();
  EXPECT_EQ((*r)->http_status, 201);
  EXPECT_EQ(ran_, ProvisionSteps());
  EXPECT_EQ(Stored().status, SignupStatus::kProvisioned);
  EXPECT_FALSE(Stored().provision_lease_until.has_value());
}

TEST_F(ProvisionerTest, ResumesAtTheFirstIncompleteStepAfterACrash) {
  stop_after_ = kStepInvite;
  ASSERT_FALSE(Provision(Body("key-00000001")).has_value());
  EXPECT_EQ(Stored().status, SignupStatus::kProvisioning);
  stop_after_.clear();
  ran_.clear();
  clock_.Advance(seconds(31));  // the dead run's lease lapses
  auto r = Provision(Body("key-00000001"));
  ASSERT_TRUE(r.has_value() && r->ok());
  EXPECT_EQ((*r)->http_status, 201);
  EXPECT_EQ(ran_, (std::vector<std::string>{kStepDetectors, kStepIntegrationKey, kStepLegal,
                                            kStepBootstrap}));
  // The public login token minted before the crash is still the one shown.
  EXPECT_EQ(Str((*r)->body, "publicLoginToken").rfind("portico_pl_", 0), 0u);
  EXPECT_EQ(LiveCredentials(CredentialKind::kPublicLoginToken), 1);
}

TEST_F(ProvisionerTest, ALiveLeaseMakesASecondRequestInProgress) {
  stop_after_ = kStepTenant;
  ASSERT_FALSE(Provision(Body("key-00000001")).has_value());
  stop_after_.clear();
  auto r = Provision(Body("key-00000002"));
  ASSERT_TRUE(r.has_value());
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->status().tag(), kProvisioningInProgress);
  EXPECT_TRUE(r->status().retry_after_seconds().has_value());
}

TEST_F(ProvisionerTest, TheSameKeyAndBodyReplaysTheSameSecrets) {
  auto first = Provision(Body("key-00000001"));
  ASSERT_TRUE(first.has_value() && first->ok());
  ran_.clear();
  auto again = Provision(Body("key-00000001"));
  ASSERT_TRUE(again.has_value() && again->ok());
  EXPECT_TRUE(ran_.empty()) << "a replay runs no step";
  for (const char* name : {"integrationKey", "bootstrapToken", "publicLoginToken"}) {
    EXPECT_EQ(Str((*again)->body, name), Str((*first)->body, name)) << name;
    EXPECT_NE(Str((*again)->body, name), "<none>");
  }
}

TEST_F(ProvisionerTest, TheSameKeyWithAnotherBodyIsIdempotencyKeyReused) {
  ASSERT_TRUE(Provision(Body("key-00000001"))->ok());
  auto r = Provision(Body("key-00000001", R"(, "integrationKeyTemplate": {"name": "x"})"));
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->status().tag(), kIdempotencyKeyReused);
}

TEST_F(ProvisionerTest, SecretsAreStoredOnlySealed) {
  auto r = Provision(Body("key-00000001"));
  ASSERT_TRUE(r->ok());
  const std::string ik = Str((*r)->body, "integrationKey");
  bool found = false;
  EXPECT_TRUE(db_.Run([&](Stores& st) -> Status {
                   const std::string key_hash = HexEncode(
                       HmacSha256(kSecret, "portico signup idempotency key\nkey-00000001"));
                   PORTICO_ASSIGN_OR_RETURN(
                       IdempotencyRecord rec,
                       st.signup_sessions().FindIdempotencyRecord(session_.id, key_hash));
                   found = true;
                   EXPECT_EQ(rec.sealed_secrets.find(ik), std::string::npos);
                   EXPECT_EQ(rec.sealed_secrets.rfind("v1.", 0), 0u);
                   return Status::Ok();
                 }).ok());
  EXPECT_TRUE(found);
}

TEST_F(ProvisionerTest, ANewKeyAfterReviewRequiredRotatesTheEarlierSecrets) {
  fail_step_ = kStepBootstrap;
  auto failed = Provision(Body("key-00000001"));
  ASSERT_TRUE(failed.has_value() && failed->ok());
  EXPECT_EQ((*failed)->http_status, 202);
  EXPECT_EQ(Stored().status, SignupStatus::kReviewRequired);
  const Json* reason = (*failed)->body.Find("failureReason");
  ASSERT_TRUE(reason != nullptr && reason->is_object());
  EXPECT_EQ(Str(*reason, "step"), kStepBootstrap);
  // The same key replays the 202.
  EXPECT_EQ((*Provision(Body("key-00000001")))->http_status, 202);

  fail_step_.clear();
  ran_.clear();
  auto resumed = Provision(Body("key-00000002"));
  ASSERT_TRUE(resumed.has_value() && resumed->ok()) << resumed->status().ToString();
  EXPECT_EQ((*resumed)->http_status, 201);
  EXPECT_EQ(ran_, std::vector<std::string>{kStepBootstrap});
  for (const char* name : {"integrationKey", "bootstrapToken", "publicLoginToken"}) {
    EXPECT_NE(Str((*resumed)->body, name), "<none>") << name;
  }
  EXPECT_EQ(LiveCredentials(CredentialKind::kIntegrationKey), 1);
  EXPECT_EQ(LiveCredentials(CredentialKind::kPublicLoginToken), 1);
  EXPECT_EQ(LiveCredentials(CredentialKind::kBootstrapToken), 1);
  // The new key works; the first key's secret was revoked.
  EXPECT_TRUE(db_.Run([&](Stores& st) {
                   return issuer_.Verify(st.credentials(), Str((*resumed)->body, "integrationKey"))
                       .status();
                 }).ok());
}

TEST_F(ProvisionerTest, AProvisionedSessionAskedWithAnotherKeyIsAlreadyProvisioned) {
  ASSERT_TRUE(Provision(Body("key-00000001"))->ok());
  auto r = Provision(Body("key-00000002"));
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->status().tag(), kAlreadyProvisioned);
}

TEST_F(ProvisionerTest, MisconfiguredMailIsReviewRequiredAtTheInvite) {
  options_.check_mail = [] { return FailedPrecondition("no RESEND_API_KEY"); };
  provisioner_ = std::make_unique<Provisioner>(db_, issuer_, SecureRandom(), clock_, options_);
  auto r = Provision(Body("key-00000001"));
  ASSERT_TRUE(r.has_value() && r->ok());
  EXPECT_EQ((*r)->http_status, 202);
  const Json* reason = (*r)->body.Find("failureReason");
  EXPECT_EQ(Str(*reason, "code"), kMailMisconfigured);
  EXPECT_EQ(Str(*reason, "step"), kStepInvite);
}

TEST_F(ProvisionerTest, AnUnverifiedSessionIsEmailNotVerified) {
  SignupSession s = Stored();
  s.status = SignupStatus::kPendingEmailVerification;
  ASSERT_TRUE(db_.Run([&](Stores& st) { return st.signup_sessions().Update(s, s.version); }).ok());
  auto r = Provision(Body("key-00000001"));
  ASSERT_FALSE(r->ok());
  EXPECT_EQ(r->status().tag(), kEmailNotVerified);
}

TEST(ParseProvisionRequestTest, RejectsUnknownPropertiesBadKeysAndUnknownScopes) {
  EXPECT_EQ(ParseProvisionRequest(Body("key-00000001", R"(, "tenantId": "x")")).status().tag(),
            "INVALID_REQUEST");
  EXPECT_FALSE(ParseProvisionRequest(Body("short")).ok());
  EXPECT_FALSE(ParseProvisionRequest(Body("has space in it")).ok());
  EXPECT_FALSE(ParseProvisionRequest(Body(std::string(129, 'a'))).ok());
  EXPECT_FALSE(
      ParseProvisionRequest(Body("key-00000001", R"(, "integrationKeyTemplate": {"scopes": ["x"]})"))
          .ok());
  EXPECT_FALSE(ParseProvisionRequest(
                   Body("key-00000001", R"(, "integrationKeyTemplate": {"role": "owner"})"))
                   .ok());
}

TEST(ParseProvisionRequestTest, TheFingerprintIgnoresScopeOrderButNotScopes) {
  auto a = ParseProvisionRequest(
      Body("key-00000001", R"(, "integrationKeyTemplate": {"scopes": ["scim:read", "scim:write"]})"));
  auto b = ParseProvisionRequest(
      Body("key-00000001", R"(, "integrationKeyTemplate": {"scopes": ["scim:write", "scim:read"]})"));
  auto c = ParseProvisionRequest(
      Body("key-00000001", R"(, "integrationKeyTemplate": {"scopes": ["scim:read"]})"));
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->fingerprint, b->fingerprint);
  EXPECT_NE(a->fingerprint, c->fingerprint);
}

}  // namespace
}  // namespace portico::signup
