#include "portico/webhook_store.h"

#include "oauth_store_fixture.h"

namespace portico::testing {
namespace {

WebhookEndpoint MakeEndpoint(const std::string& tenant_id, std::string id,
                             TimePoint created_at = T0()) {
  WebhookEndpoint e;
  e.id = std::move(id);
  e.tenant_id = tenant_id;
  e.url = "https://hooks.example/in?x=1&y=%C3%A9";
  e.events = {"scim.user.created", "client.*"};
  e.sealed_secret = "v1.bm9uY2U.c2VhbGVk";
  e.enabled = true;
  e.created_at = created_at;
  return e;
}

class WebhookStoreContract : public OAuthStoreFixture {
 protected:
  Status Insert(const WebhookEndpoint& e) {
    return Query([&](Stores& s) { return s.webhooks().Insert(e); });
  }
  StatusOr<WebhookEndpoint> Find(const std::string& id) {
    return Query([&](Stores& s) { return s.webhooks().Find(id); });
  }
  StatusOr<std::vector<WebhookEndpoint>> List(const std::string& tenant_id) {
    return Query([&](Stores& s) { return s.webhooks().ListByTenant(tenant_id); });
  }
  std::vector<std::string> ListIds(const std::string& tenant_id) {
    std::vector<std::string> ids;
    auto list = List(tenant_id);
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    if (list.ok()) {
      for (const WebhookEndpoint& e : *list) ids.push_back(e.id);
    }
    return ids;
  }
};

TEST_P(WebhookStoreContract, InsertThenFindReturnsEveryField) {
  const WebhookEndpoint e = MakeEndpoint(tenant_.id, "we_1", At(std::chrono::milliseconds(7)));
  ASSERT_TRUE(Insert(e).ok());
  auto found = Find("we_1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, e.id);
  EXPECT_EQ(found->tenant_id, tenant_.id);
  EXPECT_EQ(found->url, e.url);
  EXPECT_EQ(found->events, e.events);
  EXPECT_EQ(found->sealed_secret, e.sealed_secret);
  EXPECT_TRUE(found->enabled);
  EXPECT_EQ(found->created_at, e.created_at);
}

TEST_P(WebhookStoreContract, FindOfAnUnknownIdIsNotFound) {
  EXPECT_EQ(Find("we_missing").status().code(), StatusCode::kNotFound);
}

TEST_P(WebhookStoreContract, ADuplicateIdIsAlreadyExists) {
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_1")).ok());
  EXPECT_EQ(Insert(MakeEndpoint(other_.id, "we_1")).code(), StatusCode::kAlreadyExists);
}

TEST_P(WebhookStoreContract, InsertForAnUnknownTenantIsNotFoundAndLeavesTheTransactionUsable) {
  Status status = db_->Transact([&](Stores& s) -> Status {
    EXPECT_EQ(s.webhooks().Insert(MakeEndpoint("no-such-tenant", "we_x")).code(),
              StatusCode::kNotFound);
    return s.webhooks().Insert(MakeEndpoint(tenant_.id, "we_1"));
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(ListIds(tenant_.id), std::vector<std::string>{"we_1"});
}

TEST_P(WebhookStoreContract, ListByTenantIsOldestFirstAndPerTenant) {
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_b", At(std::chrono::milliseconds(2)))).ok());
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_c", At(std::chrono::milliseconds(1)))).ok());
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_a", At(std::chrono::milliseconds(2)))).ok());
  ASSERT_TRUE(Insert(MakeEndpoint(other_.id, "we_o")).ok());
  EXPECT_EQ(ListIds(tenant_.id), (std::vector<std::string>{"we_c", "we_a", "we_b"}));
  EXPECT_EQ(ListIds(other_.id), std::vector<std::string>{"we_o"});
  EXPECT_TRUE(ListIds("no-such-tenant").empty());
}

TEST_P(WebhookStoreContract, ListIncludesDisabledEndpoints) {
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_1")).ok());
  ASSERT_TRUE(
      Query([&](Stores& s) { return s.webhooks().SetEnabled(tenant_.id, "we_1", false); }).ok());
  auto list = List(tenant_.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_FALSE((*list)[0].enabled);
}

TEST_P(WebhookStoreContract, SetEnabledTogglesOnlyTheTenantsOwnEndpoint) {
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_1")).ok());
  EXPECT_EQ(
      Query([&](Stores& s) { return s.webhooks().SetEnabled(other_.id, "we_1", false); }).code(),
      StatusCode::kNotFound);
  EXPECT_TRUE(Find("we_1")->enabled);
  ASSERT_TRUE(
      Query([&](Stores& s) { return s.webhooks().SetEnabled(tenant_.id, "we_1", false); }).ok());
  EXPECT_FALSE(Find("we_1")->enabled);
  // Setting the value it already has is no error.
  EXPECT_TRUE(
      Query([&](Stores& s) { return s.webhooks().SetEnabled(tenant_.id, "we_1", false); }).ok());
  ASSERT_TRUE(
      Query([&](Stores& s) { return s.webhooks().SetEnabled(tenant_.id, "we_1", true); }).ok());
  EXPECT_TRUE(Find("we_1")->enabled);
  EXPECT_EQ(
      Query([&](Stores& s) { return s.webhooks().SetEnabled(tenant_.id, "we_none", true); }).code(),
      StatusCode::kNotFound);
}

TEST_P(WebhookStoreContract, DeleteRemovesOnlyTheTenantsOwnEndpoint) {
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_1")).ok());
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_2")).ok());
  EXPECT_EQ(Query([&](Stores& s) { return s.webhooks().Delete(other_.id, "we_1"); }).code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(Query([&](Stores& s) { return s.webhooks().Delete(tenant_.id, "we_1"); }).ok());
  EXPECT_EQ(Find("we_1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ListIds(tenant_.id), std::vector<std::string>{"we_2"});
  EXPECT_EQ(Query([&](Stores& s) { return s.webhooks().Delete(tenant_.id, "we_1"); }).code(),
            StatusCode::kNotFound);
}

TEST_P(WebhookStoreContract, ARolledBackInsertLeavesNothing) {
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.webhooks().Insert(MakeEndpoint(tenant_.id, "we_1")));
    return Aborted("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_EQ(Find("we_1").status().code(), StatusCode::kNotFound);
}

TEST_P(WebhookStoreContract, DeletingATenantDeletesItsEndpoints) {
  if (!IsSql()) GTEST_SKIP() << "the fake has no tenant deletion";
  ASSERT_TRUE(Insert(MakeEndpoint(tenant_.id, "we_1")).ok());
  ASSERT_TRUE(Insert(MakeEndpoint(other_.id, "we_2")).ok());
  DeleteTenantRow(tenant_.id);
  EXPECT_EQ(Find("we_1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Find("we_2").ok());
}

INSTANTIATE_TEST_SUITE_P(Targets, WebhookStoreContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

}  // namespace
}  // namespace portico::testing
