#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "portico/random.h"
#include "portico/webhook_signature.h"
#include "src/webhooks/webhook_endpoints.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::webhooks {
namespace {

using testing::FakeClock;
using testing::InMemoryDatabase;

constexpr char kKeyHashSecret[] = "test-key-hash-secret-0123456789abcdef012345";

class EndpointServiceTest : public ::testing::Test {
 protected:
  EndpointServiceTest() : service_(db_, kKeyHashSecret, SecureRandom(), clock_) {
    db_.MutableStateForTest([](InMemoryDatabase::State& state) {
      Tenant t;
      t.id = "t1";
      t.slug = "acme";
      t.name = "Acme";
      state.tenants.push_back(t);
    });
  }

  FakeClock clock_;
  InMemoryDatabase db_;
  EndpointService service_;
};

TEST_F(EndpointServiceTest, AddStoresTheSecretSealedAndReturnsItOnce) {
  auto created = service_.Add("t1", "https://hooks.example/in", {"user.created", "scim.user.*"});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->endpoint.id.rfind("we_", 0), 0u);
  EXPECT_EQ(created->secret.rfind("whsec_", 0), 0u);
  auto key = DecodeWebhookSecret(created->secret);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), kWebhookSecretBytes);

  const std::vector<WebhookEndpoint>& stored = db_.Snapshot().webhooks.endpoints;
  ASSERT_EQ(stored.size(), 1u);
  const WebhookEndpoint& row = stored[0];
  EXPECT_EQ(row.id, created->endpoint.id);
  EXPECT_EQ(row.tenant_id, "t1");
  EXPECT_EQ(row.url, "https://hooks.example/in");
  EXPECT_EQ(row.events, (std::vector<std::string>{"user.created", "scim.user.*"}));
  EXPECT_TRUE(row.enabled);
  EXPECT_EQ(row.created_at, clock_.Now());
  // Never in clear: neither the secret nor its key appears in the row.
  EXPECT_EQ(row.sealed_secret.find(created->secret), std::string::npos);
  EXPECT_EQ(row.sealed_secret.find(created->secret.substr(6)), std::string::npos);
  // It opens with the key derived from KEY_HASH_SECRET, for this endpoint only.
  const std::string sealing_key = SecretSealingKey(kKeyHashSecret);
  EXPECT_EQ(OpenSecret(sealing_key, row.id, row.sealed_secret), created->secret);
  EXPECT_FALSE(OpenSecret(sealing_key, "we_other", row.sealed_secret).has_value());
  EXPECT_FALSE(OpenSecret(SecretSealingKey("another secret"), row.id, row.sealed_secret));
}

TEST_F(EndpointServiceTest, EveryEndpointGetsItsOwnIdAndSecret) {
  auto a = service_.Add("t1", "https://hooks.example/a", {"*"});
  auto b = service_.Add("t1", "https://hooks.example/b", {"*"});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->endpoint.id, b->endpoint.id);
  EXPECT_NE(a->secret, b->secret);
}

TEST_F(EndpointServiceTest, AddRefusesBadInputBeforeTouchingTheDatabase) {
  EXPECT_EQ(service_.Add("t1", "http://hooks.example/in", {"*"}).status().tag(), "invalid_url");
  EXPECT_EQ(service_.Add("t1", "https://hooks.example/in", {"user.deleted"}).status().tag(),
            "invalid_events");
  EXPECT_EQ(db_.CallCount("webhooks.Insert"), 0);
}

TEST_F(EndpointServiceTest, AddForAnUnknownTenantIsNotFound) {
  EXPECT_EQ(service_.Add("t-none", "https://hooks.example/in", {"*"}).status().code(),
            StatusCode::kNotFound);
}

TEST_F(EndpointServiceTest, ListAndRemove) {
  auto a = service_.Add("t1", "https://hooks.example/a", {"*"});
  clock_.Advance(std::chrono::milliseconds(1));
  auto b = service_.Add("t1", "https://hooks.example/b", {"*"});
  ASSERT_TRUE(a.ok() && b.ok());
  auto list = service_.List("t1");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, a->endpoint.id);
  EXPECT_EQ((*list)[1].id, b->endpoint.id);
  ASSERT_TRUE(service_.Remove("t1", a->endpoint.id).ok());
  EXPECT_EQ(service_.Remove("t1", a->endpoint.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(service_.List("t1")->size(), 1u);
}

}  // namespace
}  // namespace portico::webhooks
