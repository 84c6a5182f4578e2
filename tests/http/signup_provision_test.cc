// POST /api/public/signup/sessions/{id}/provision over the real `portico
// serve`, on SQLite and PostgreSQL: the whole flow with the code from a real
// SMTP server, working credentials, idempotent replay, concurrency and
// REVIEW_REQUIRED recovery with a new key.
#include <future>

#include "http/signup_flow.h"

namespace portico::testing {
namespace {

constexpr char kCountLiveIntegrationKeys[] =
    "SELECT COUNT(*) FROM credentials c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = :s "
    "AND c.kind = 'integration_key' AND c.revoked_at IS NULL";
constexpr char kCountLiveBootstrapTokens[] =
    "SELECT COUNT(*) FROM credentials c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = :s "
    "AND c.kind = 'bootstrap_token' AND c.revoked_at IS NULL";
constexpr char kCountTenants[] = "SELECT COUNT(*) FROM tenants WHERE slug = :s";
// detectors_seeded_at: the per-module defaults of the tenant's modules (scim and dcr here).
constexpr char kCountSeededSettings[] =
    "SELECT COUNT(*) FROM tenant_settings s JOIN tenants t ON t.id = s.tenant_id WHERE t.slug = :s "
    "AND s.name IN ('scim.settings', 'dcr.policy')";

using SignupProvisionTest = SignupFlowTest;

TEST_P(SignupProvisionTest, FullFlowGivesWorkingCredentialsAndReplaysTheSameSecrets) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string id = VerifiedSession("acme");
  HttpResult r = Provision(id, "key-acme-0001");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  Json body = JsonOf(r);
  EXPECT_EQ(StrOf(body, "status"), "PROVISIONED");
  ASSERT_TRUE(body.Find("tenant") != nullptr && body.Find("tenant")->is_object()) << r.body;
  EXPECT_EQ(StrOf(*body.Find("tenant"), "slug"), "acme");
  EXPECT_EQ(StrOf(*body.Find("tenant"), "name"), "Acme Corp");
  const std::string ik = StrOf(body, "integrationKey");
  const std::string bt = StrOf(body, "bootstrapToken");
  const std::string pl = StrOf(body, "publicLoginToken");
  EXPECT_EQ(ik.rfind("portico_ik_", 0), 0u) << r.body;
  EXPECT_EQ(bt.rfind("portico_bt_", 0), 0u) << r.body;
  EXPECT_EQ(pl.rfind("portico_pl_", 0), 0u) << r.body;
  const Json& steps = *body.Find("provisionStepState");
  for (const char* step :
       {"tenant_created_at", "clerk_org_created_at", "clerk_invite_sent_at", "detectors_seeded_at",
        "integration_key_created_at", "legal_acceptance_recorded_at",
        "bootstrap_token_issued_at"}) {
    EXPECT_NE(StrOf(steps, step), "<none>") << step;
  }
  const Json& endpoints = *body.Find("endpoints");
  EXPECT_EQ(StrOf(endpoints, "scimBaseUrl"), "http://localhost:8080/scim/v2");
  EXPECT_EQ(StrOf(endpoints, "registrationEndpoint"), "http://localhost:8080/oauth/register");
  EXPECT_EQ(StrOf(endpoints, "discoveryUrl"),
            "http://localhost:8080/.well-known/oauth-authorization-server");

  EXPECT_EQ(Count(kCountSeededSettings, "acme"), 2);
  HttpResult scim_settings = Fetch({.method = "GET",
                                    .url = server_->base_url() + "/api/tenant/scim-settings",
                                    .headers = {"Authorization: Bearer " + ik}});
  EXPECT_EQ(scim_settings.status, 200) << scim_settings.body;
  EXPECT_NE(scim_settings.body.find(R"("passwordSync":true)"), std::string::npos);

  // The integration key reads SCIM, and the admin is a user there.
  HttpResult users = Fetch({.method = "GET",
                            .url = server_->base_url() + "/scim/v2/Users",
                            .headers = {"Authorization: Bearer " + ik}});
  ASSERT_EQ(users.status, 200) << users.body;
  EXPECT_NE(users.body.find("admin@acme.example"), std::string::npos) << users.body;

  // The bootstrap token registers an OAuth client (RFC 7591 initial access token).
  HttpResult client =
      Fetch({.method = "POST",
             .url = server_->base_url() + "/oauth/register",
             .headers = {kJsonType, "Authorization: Bearer " + bt},
             .body = R"({"client_name": "agent", "grant_types": ["client_credentials"]})"});
  EXPECT_EQ(client.status, 201) << client.body;

  // Same key and body: the same answer, secrets included.
  HttpResult replay = Provision(id, "key-acme-0001");
  ASSERT_EQ(replay.status, 201) << replay.body;
  Json again = JsonOf(replay);
  EXPECT_EQ(StrOf(again, "integrationKey"), ik);
  EXPECT_EQ(StrOf(again, "bootstrapToken"), bt);
  EXPECT_EQ(StrOf(again, "publicLoginToken"), pl);

  // Same key, another body: 422.
  HttpResult reused =
      Provision(id, "key-acme-0001", R"(, "integrationKeyTemplate": {"scopes": ["scim:read"]})");
  EXPECT_EQ(reused.status, 422) << reused.body;
  EXPECT_EQ(StrOf(JsonOf(reused), "code"), "IDEMPOTENCY_KEY_REUSED");

  // Another key on a provisioned session: no secrets for it.
  HttpResult other = Provision(id, "key-acme-0002");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(StrOf(JsonOf(other), "code"), "ALREADY_PROVISIONED");

  // GET shows the markers, never a secret.
  HttpResult read = GetSession(id);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(StrOf(JsonOf(read), "status"), "PROVISIONED");
  EXPECT_NE(StrOf(*JsonOf(read).Find("provisionStepState"), "bootstrap_token_issued_at"),
            "<none>");
  for (const std::string& secret : {ik, bt, pl}) {
    EXPECT_EQ(read.body.find(secret), std::string::npos);
  }

  // The invite and the success mail reached the admin.
  EXPECT_NE(WaitForMail("admin@acme.example", "administrator"), "");
  EXPECT_NE(WaitForMail("admin@acme.example", "is ready on Portico"), "");
  EXPECT_EQ(Count(kCountTenants, "acme"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM signup_consent_records WHERE session_id = :s", id), 1);
}

TEST_P(SignupProvisionTest, ATemplateNamesTheKeyAndLimitsItsScopes) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string id = VerifiedSession("acme");
  HttpResult r = Provision(
      id, "key-template-1",
      R"(, "integrationKeyTemplate": {"name": "ci", "scopes": ["scim:read"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string ik = StrOf(JsonOf(r), "integrationKey");
  HttpResult write = Fetch({.method = "POST",
                            .url = server_->base_url() + "/scim/v2/Users",
                            .headers = {"Content-Type: application/scim+json",
                                        "Authorization: Bearer " + ik},
                            .body = R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                       "userName": "bob@acme.example"})"});
  EXPECT_EQ(write.status, 403) << "scim:read cannot write: " << write.body;
  EXPECT_EQ(Count("SELECT COUNT(*) FROM credentials WHERE name = :n", "ci"), 1);
}

TEST_P(SignupProvisionTest, UnknownPropertyAndBadKeyAre400) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string id = VerifiedSession("acme");
  HttpResult unknown = Provision(id, "key-acme-0001", R"(, "tenantId": "x")");
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("tenantId"), std::string::npos);
  HttpResult short_key = Provision(id, "short");
  EXPECT_EQ(short_key.status, 400) << short_key.body;
  HttpResult bad_scope =
      Provision(id, "key-acme-0001", R"(, "integrationKeyTemplate": {"scopes": ["root"]})");
  EXPECT_EQ(bad_scope.status, 400) << bad_scope.body;
  HttpResult unknown_session = Provision("no-such-session", "key-acme-0001");
  EXPECT_EQ(unknown_session.status, 404) << unknown_session.body;
}

TEST_P(SignupProvisionTest, ProvisionBeforeVerificationIs409EmailNotVerified) {
  ASSERT_NO_FATAL_FAILURE(Start());
  const std::string id = CreateSession("acme");
  HttpResult r = Provision(id, "key-acme-0001");
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(StrOf(JsonOf(r), "code"), "EMAIL_NOT_VERIFIED");
  EXPECT_EQ(Count(kCountTenants, "acme"), 0);
}

TEST_P(SignupProvisionTest, ConcurrentProvisionsMakeOneTenantAndTheOtherIsInProgress) {
  ASSERT_NO_FATAL_FAILURE(Start({{"PORTICO_TEST_STEP_DELAY_MS", "150"}}));
  const std::string id = VerifiedSession("acme");
  auto first = std::async(std::launch::async, [&] { return Provision(id, "key-acme-0001"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  HttpResult second = Provision(id, "key-acme-0002");
  HttpResult won = first.get();
  EXPECT_EQ(won.status, 201) << won.body;
  EXPECT_EQ(second.status, 409) << second.body;
  EXPECT_EQ(StrOf(JsonOf(second), "code"), "PROVISIONING_IN_PROGRESS");
  EXPECT_FALSE(second.Header("retry-after").empty());
  EXPECT_EQ(Count(kCountTenants, "acme"), 1);
}

TEST_P(SignupProvisionTest, TwoProcessesOnOneDatabaseProvisionOnce) {
  ASSERT_NO_FATAL_FAILURE(Start({{"PORTICO_TEST_STEP_DELAY_MS", "150"}}));
  PorticoServer other;
  std::string error;
  ASSERT_TRUE(other.Start(Env({{"PORTICO_TEST_STEP_DELAY_MS", "150"}}), &error)) << error;
  const std::string id = VerifiedSession("acme");
  auto a = std::async(std::launch::async, [&] { return Provision(id, "key-proc-0001"); });
  auto b = std::async(std::launch::async,
                      [&] { return Provision(id, "key-proc-0001", "", &other); });
  HttpResult ra = a.get();
  HttpResult rb = b.get();
  const int created = (ra.status == 201) + (rb.status == 201);
  const int busy = (ra.status == 409) + (rb.status == 409);
  EXPECT_EQ(created, 1) << ra.body << "\n" << rb.body;
  EXPECT_EQ(busy, 1) << ra.body << "\n" << rb.body;
  EXPECT_EQ(Count(kCountTenants, "acme"), 1);
  // The loser's retry with the same key replays the winner's answer.
  HttpResult replay = Provision(id, "key-proc-0001", "", &other);
  EXPECT_EQ(replay.status, 201) << replay.body;
}

TEST_P(SignupProvisionTest, FailedStepIsReviewRequiredThenANewKeyResumesWithNewSecrets) {
  ASSERT_NO_FATAL_FAILURE(Start({{"PORTICO_TEST_FAIL_STEP", "legal_acceptance_recorded_at"}}));
  const std::string id = VerifiedSession("acme");
  HttpResult failed = Provision(id, "key-first-0001");
  ASSERT_EQ(failed.status, 202) << failed.body;
  Json body = JsonOf(failed);
  EXPECT_EQ(StrOf(body, "status"), "REVIEW_REQUIRED");
  ASSERT_TRUE(body.Find("failureReason") != nullptr && body.Find("failureReason")->is_object());
  EXPECT_EQ(StrOf(*body.Find("failureReason"), "step"), "legal_acceptance_recorded_at");
  EXPECT_NE(StrOf(*body.Find("failureReason"), "code"), "<none>");
  EXPECT_EQ(failed.body.find("portico_ik_"), std::string::npos) << "no secret in a 202";
  HttpResult read = GetSession(id);
  EXPECT_EQ(StrOf(JsonOf(read), "status"), "REVIEW_REQUIRED");
  EXPECT_TRUE(JsonOf(read).Find("failureReason")->is_object()) << read.body;
  // The same key replays the 202.
  EXPECT_EQ(Provision(id, "key-first-0001").status, 202);

  // Runbook recovery step 3: fix the cause, re-run with a new key.
  ASSERT_NO_FATAL_FAILURE(Start());
  HttpResult resumed = Provision(id, "key-second-0001");
  ASSERT_EQ(resumed.status, 201) << resumed.body;
  const std::string ik = StrOf(JsonOf(resumed), "integrationKey");
  HttpResult users = Fetch({.method = "GET",
                            .url = server_->base_url() + "/scim/v2/Users",
                            .headers = {"Authorization: Bearer " + ik}});
  EXPECT_EQ(users.status, 200) << users.body;
  // The key minted under the first idempotency key was replaced.
  EXPECT_EQ(Count(kCountLiveIntegrationKeys, "acme"), 1);
  EXPECT_EQ(Count(kCountLiveBootstrapTokens, "acme"), 1);
  EXPECT_EQ(Count(kCountTenants, "acme"), 1);
  EXPECT_TRUE(JsonOf(GetSession(id)).Find("failureReason")->is_null());
}

INSTANTIATE_TEST_SUITE_P(Backends, SignupProvisionTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
