// THE FAULT TEST: the server is killed (SIGKILL, PORTICO_TEST_CRASH_AFTER_STEP)
// right after each of the seven provisioning steps in turn, restarted, and
// provision is re-run with the same idempotency key: nothing is made twice
// or lost. Both backends.
#include "http/signup_flow.h"

namespace portico::testing {
namespace {

class SignupFaultTest : public SignupFlowTest {};

TEST_P(SignupFaultTest, KilledAfterEachStepResumesToOneCompleteTenant) {
  for (const std::string step :
       {"tenant_created_at", "clerk_org_created_at", "clerk_invite_sent_at", "detectors_seeded_at",
        "integration_key_created_at", "legal_acceptance_recorded_at",
        "bootstrap_token_issued_at"}) {
    SCOPED_TRACE(step);
    // One slug per step, on one database.
    std::string slug = "fault-" + step.substr(0, step.find('_'));
    if (step == "clerk_org_created_at") slug = "fault-org";
    if (step == "clerk_invite_sent_at") slug = "fault-invite";
    const std::string email = "admin@" + slug + ".example";
    const std::string key = "fault-key-" + slug;

    // The killed process may hold the invite claimed in the outbox (its dispatcher runs
    // meanwhile): the restarted one retries it once the claim's lease lapses, 1 s here.
    ASSERT_NO_FATAL_FAILURE(Start({{"PORTICO_TEST_CRASH_AFTER_STEP", step},
                                   {"SIGNUP_PROVISION_LEASE_SECONDS", "2"},
                                   {"PORTICO_OUTBOX_LEASE_MS", "1000"}}));
    const std::string id = VerifiedSession(slug);
    HttpResult crashed = Provision(id, key);
    EXPECT_EQ(crashed.status, 0) << "the process dies before answering: " << crashed.body;
    std::optional<int> exit = server_->Wait(std::chrono::seconds(10));
    ASSERT_TRUE(exit.has_value()) << "the server did not die";
    EXPECT_EQ(*exit, -SIGKILL);

    // Restarted without the switch. A crash mid-run leaves the dead run's
    // lease (2 s here) in place: retrying on PROVISIONING_IN_PROGRESS until it
    // lapses is what a client does.
    ASSERT_NO_FATAL_FAILURE(
        Start({{"SIGNUP_PROVISION_LEASE_SECONDS", "2"}, {"PORTICO_OUTBOX_LEASE_MS", "1000"}}));
    HttpResult resumed;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      resumed = Provision(id, key);
      if (resumed.status != 409 || std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    ASSERT_EQ(resumed.status, 201) << resumed.body;
    Json body = JsonOf(resumed);
    EXPECT_EQ(StrOf(body, "status"), "PROVISIONED");
    EXPECT_EQ(StrOf(body, "integrationKey").rfind("portico_ik_", 0), 0u) << resumed.body;
    EXPECT_EQ(StrOf(body, "bootstrapToken").rfind("portico_bt_", 0), 0u) << resumed.body;

    EXPECT_EQ(Count("SELECT COUNT(*) FROM tenants WHERE slug = :s", slug), 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM users u JOIN tenants t ON t.id = u.tenant_id "
                    "WHERE t.slug = :s",
                    slug),
              1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM credentials c JOIN tenants t ON t.id = c.tenant_id "
                    "WHERE t.slug = :s AND c.kind = 'integration_key' AND c.revoked_at IS NULL",
                    slug),
              1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM signup_consent_records WHERE session_id = :s", id), 1);
    EXPECT_NE(WaitForMail(email, "administrator"), "") << "the invite was lost";

    HttpResult read = GetSession(id);
    Json view = JsonOf(read);
    EXPECT_EQ(StrOf(view, "status"), "PROVISIONED");
    const Json* markers = view.Find("provisionStepState");
    ASSERT_NE(markers, nullptr) << read.body;
    for (const char* marker :
         {"tenant_created_at", "clerk_org_created_at", "clerk_invite_sent_at",
          "detectors_seeded_at", "integration_key_created_at", "legal_acceptance_recorded_at",
          "bootstrap_token_issued_at"}) {
      EXPECT_NE(StrOf(*markers, marker), "<none>") << marker;
    }
    server_->Kill();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SignupFaultTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
