#include "src/server/housekeeping.h"

#include <gtest/gtest.h>

#include "dcr/revoked_token_store.h"
#include "portico/parse_json.h"
#include "portico/tenant_service.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::server {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

TEST(HousekeepingTest, DeletesUnusedClientsExpiredRevocationsAndEndedWindows) {
  testing::FakeClock clock;
  testing::InMemoryDatabase db;
  CredentialIssuer issuer(std::string(40, 'k'), SecureRandom(), clock);
  dcr::ClientSecrets secrets(issuer, SecureRandom());
  TenantService tenants(db, issuer, SecureRandom(), clock);
  StatusOr<CreatedTenant> tenant = tenants.Create({.slug = "acme", .name = "Acme"});
  ASSERT_TRUE(tenant.ok());
  dcr::RegistrationOptions options;
  options.registration_endpoint = "https://id.example/oauth/register";
  options.server_policy.allowed_scopes = {"read"};
  options.client_ttl = hours(24);
  dcr::RegistrationService registrations(db, issuer, secrets, clock, options);
  StatusOr<Json> request = ParseJson(R"({"grant_types":["client_credentials"]})");
  ASSERT_TRUE(request.ok());
  ASSERT_TRUE(registrations.Register(tenant->bootstrap_token.secret, "192.0.2.1", *request).ok());
  ASSERT_TRUE(db.Run([&](Stores& s) -> Status {
                  PORTICO_RETURN_IF_ERROR(
                      s.revoked_tokens().Revoke("jti", "client", clock.Now() + seconds(10)));
                  return CheckRateLimit(s.rate_limits(), "bucket", {5, seconds(60)}, clock.Now());
                }).ok());

  Housekeeping housekeeping(db, registrations, clock);
  StatusOr<Json> early = housekeeping.RunOnce();
  ASSERT_TRUE(early.ok()) << early.status().ToString();
  EXPECT_EQ(early->Find("clientsDeleted")->as_int(), 0);
  EXPECT_EQ(early->Find("revokedTokensDeleted")->as_int(), 0);

  clock.Advance(hours(25));
  StatusOr<Json> late = housekeeping.RunOnce();
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  EXPECT_EQ(late->Find("clientsDeleted")->as_int(), 1);
  EXPECT_EQ(late->Find("revokedTokensDeleted")->as_int(), 1);
  // "bucket" and the tenant's registration window the Register above counted in.
  EXPECT_EQ(late->Find("rateLimitWindowsDeleted")->as_int(), 2);
  EXPECT_TRUE(db.Snapshot().oauth.clients.empty());
}

// Delivered messages go after a day, given-up ones after a month; pending
// ones stay however old, so nothing accepted is ever lost.
TEST(HousekeepingTest, DeletesFinishedOutboxMessagesAfterTheirRetention) {
  testing::FakeClock clock;
  testing::InMemoryDatabase db;
  CredentialIssuer issuer(std::string(40, 'k'), SecureRandom(), clock);
  dcr::ClientSecrets secrets(issuer, SecureRandom());
  dcr::RegistrationService registrations(db, issuer, secrets, clock, {});
  int64_t delivered = 0, dead = 0, pending = 0;
  ASSERT_TRUE(db.Run([&](Stores& s) -> Status {
                  PORTICO_ASSIGN_OR_RETURN(delivered, s.outbox().Enqueue("mail", "a", clock.Now()));
                  PORTICO_ASSIGN_OR_RETURN(dead, s.outbox().Enqueue("mail", "b", clock.Now()));
                  PORTICO_ASSIGN_OR_RETURN(pending, s.outbox().Enqueue("mail", "c", clock.Now()));
                  PORTICO_RETURN_IF_ERROR(s.outbox().MarkDelivered(delivered, 1, clock.Now()));
                  return s.outbox().MarkFailed(dead, 8, clock.Now(), "refused", true);
                }).ok());
  Housekeeping housekeeping(db, registrations, clock);
  auto deleted_after = [&](hours elapsed) -> int64_t {
    clock.Advance(elapsed);
    StatusOr<Json> report = housekeeping.RunOnce();
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? report->Find("outboxMessagesDeleted")->as_int() : -1;
  };
  EXPECT_EQ(deleted_after(hours(23)), 0);
  EXPECT_EQ(deleted_after(hours(2)), 1);  // the delivered one, a day on
  EXPECT_FALSE(db.Snapshot().outbox.count(delivered));
  EXPECT_EQ(deleted_after(hours(24 * 30)), 1);  // the dead one, a month on
  EXPECT_EQ(db.Snapshot().outbox.size(), 1u);
  EXPECT_TRUE(db.Snapshot().outbox.count(pending));
}

}  // namespace
}  // namespace portico::server
