#include <algorithm>

#include "oauth_store_fixture.h"
#include "portico/tenant_settings.h"

namespace portico::testing {
namespace {

Json Policy() {
  return Json::MakeObject()
      .Set("open_registration", false)
      .Set("max_clients", 500)
      .Set("allowed_grant_types", Json(Json::Array{Json("client_credentials")}))
      .Set("notes", "élan — 日本 🚀")
      .Set("limits", Json::MakeObject().Set("per_ip", Json::MakeObject().Set("hits", 10)));
}

class TenantSettingsStoreContract : public OAuthStoreFixture {
 protected:
  StatusOr<std::optional<Json>> Get(const std::string& tenant_id, const std::string& name) {
    return Query([&](Stores& s) { return s.tenant_settings().Get(tenant_id, name); });
  }
  Status Put(const std::string& tenant_id, const std::string& name, const Json& value) {
    return Query([&](Stores& s) { return s.tenant_settings().Put(tenant_id, name, value); });
  }
};

TEST_P(TenantSettingsStoreContract, GetOfAnAbsentDocumentIsNullopt) {
  auto got = Get(tenant_.id, "dcr.policy");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_FALSE(got->has_value());
}

TEST_P(TenantSettingsStoreContract, PutThenGetReturnsTheSameDocument) {
  ASSERT_TRUE(Put(tenant_.id, "dcr.policy", Policy()).ok());
  auto got = Get(tenant_.id, "dcr.policy");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, Policy()) << (*got)->Dump();
}

TEST_P(TenantSettingsStoreContract, PutReplacesTheDocument) {
  ASSERT_TRUE(Put(tenant_.id, "dcr.policy", Policy()).ok());
  const Json replacement = Json::MakeObject().Set("open_registration", true);
  ASSERT_TRUE(Put(tenant_.id, "dcr.policy", replacement).ok());
  auto got = Get(tenant_.id, "dcr.policy");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ(**got, replacement);
}

TEST_P(TenantSettingsStoreContract, DocumentsAreKeptPerTenantAndName) {
  ASSERT_TRUE(Put(tenant_.id, "dcr.policy", Policy()).ok());
  ASSERT_TRUE(Put(tenant_.id, "signup.policy", Json("text document")).ok());
  ASSERT_TRUE(Put(other_.id, "dcr.policy", Json(Json::Array{})).ok());
  EXPECT_EQ(**Get(tenant_.id, "dcr.policy"), Policy());
  EXPECT_EQ(**Get(tenant_.id, "signup.policy"), Json("text document"));
  EXPECT_EQ(**Get(other_.id, "dcr.policy"), Json(Json::Array{}));
  EXPECT_FALSE(Get(other_.id, "signup.policy")->has_value());
}

TEST_P(TenantSettingsStoreContract, ListByNameReturnsEveryTenantsDocumentOfThatNameOnly) {
  ASSERT_TRUE(Put(tenant_.id, "signup.auth", Json(1)).ok());
  ASSERT_TRUE(Put(other_.id, "signup.auth", Json(2)).ok());
  ASSERT_TRUE(Put(tenant_.id, "dcr.policy", Policy()).ok());
  auto listed = Query([&](Stores& s) { return s.tenant_settings().ListByName("signup.auth"); });
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  std::vector<std::pair<std::string, Json>> expected = {{tenant_.id, Json(1)}, {other_.id, Json(2)}};
  std::sort(expected.begin(), expected.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  EXPECT_EQ(*listed, expected);
  auto none = Query([&](Stores& s) { return s.tenant_settings().ListByName("nothing"); });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(TenantSettingsStoreContract, PutForAnUnknownTenantIsNotFound) {
  EXPECT_EQ(Put("no-such-tenant", "dcr.policy", Policy()).code(), StatusCode::kNotFound);
  auto got = Get("no-such-tenant", "dcr.policy");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_P(TenantSettingsStoreContract, AnUnknownTenantLeavesTheTransactionUsable) {
  Status status = db_->Transact([&](Stores& s) -> Status {
    EXPECT_EQ(s.tenant_settings().Put("no-such-tenant", "x", Json(1)).code(),
              StatusCode::kNotFound);
    return s.tenant_settings().Put(tenant_.id, "x", Json(2));
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(**Get(tenant_.id, "x"), Json(2));
}

TEST_P(TenantSettingsStoreContract, DeletingATenantDeletesItsSettings) {
  if (!IsSql()) GTEST_SKIP() << "the fake has no tenant deletion";
  ASSERT_TRUE(Put(tenant_.id, "dcr.policy", Policy()).ok());
  ASSERT_TRUE(Put(other_.id, "dcr.policy", Policy()).ok());
  DeleteTenantRow(tenant_.id);
  EXPECT_EQ(CountRows("SELECT COUNT(*) FROM tenant_settings"), 1);
  EXPECT_FALSE(Get(tenant_.id, "dcr.policy")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Targets, TenantSettingsStoreContract,
                         ::testing::ValuesIn(AllStoreTargets()), StoreTargetName());

}  // namespace
}  // namespace portico::testing
