#include <atomic>
#include <thread>
#include <vector>

#include "database_fixture.h"

namespace portico::testing {
namespace {

class TenantStoreContract : public DatabaseFixture {};

TEST_P(TenantStoreContract, InsertThenFindByIdReturnsEveryField) {
  Tenant tenant = MakeTenant("acme");
  tenant.status = "suspended";
  tenant.created_at = At(std::chrono::milliseconds(123));
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());

  StatusOr<Tenant> found = Query([&](Stores& s) { return s.tenants().FindById(tenant.id); });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, tenant.id);
  EXPECT_EQ(found->slug, "acme");
  EXPECT_EQ(found->name, tenant.name);
  EXPECT_EQ(found->modules, (std::vector<std::string>{"scim", "dcr"}));
  EXPECT_EQ(found->status, "suspended");
  EXPECT_EQ(found->admin_email, tenant.admin_email);
  EXPECT_EQ(found->created_at, tenant.created_at);
}

TEST_P(TenantStoreContract, AbsentAdminEmailAndEmptyModulesRoundTrip) {
  Tenant tenant = MakeTenant("bare");
  tenant.admin_email.reset();
  tenant.modules.clear();
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());

  StatusOr<Tenant> found = Query([&](Stores& s) { return s.tenants().FindById(tenant.id); });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_FALSE(found->admin_email.has_value());
  EXPECT_TRUE(found->modules.empty());
}

TEST_P(TenantStoreContract, FindBySlugIgnoresCase) {
  Tenant tenant = MakeTenant("acme-corp");
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());

  for (const char* spelling : {"acme-corp", "ACME-CORP", "Acme-Corp"}) {
    StatusOr<Tenant> found = Query([&](Stores& s) { return s.tenants().FindBySlug(spelling); });
    ASSERT_TRUE(found.ok()) << spelling << ": " << found.status().ToString();
    EXPECT_EQ(found->id, tenant.id);
    EXPECT_EQ(found->slug, "acme-corp");
  }
}

TEST_P(TenantStoreContract, InsertRejectsSlugTakenInAnotherCaseWithAlreadyExists) {
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(MakeTenant("acme")); }).ok());

  Status second = Query([&](Stores& s) { return s.tenants().Insert(MakeTenant("ACME")); });
  EXPECT_EQ(second.code(), StatusCode::kAlreadyExists) << second.ToString();
  // The SQL error is for logs only.
  EXPECT_EQ(second.message().find("UNIQUE"), std::string::npos);
  EXPECT_EQ(second.message().find("duplicate key"), std::string::npos);
  EXPECT_FALSE(second.internal().empty());
}

TEST_P(TenantStoreContract, InsertRejectsTakenIdWithAlreadyExists) {
  Tenant first = MakeTenant("one");
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(first); }).ok());
  Tenant second = MakeTenant("two");
  second.id = first.id;

  Status status = Query([&](Stores& s) { return s.tenants().Insert(second); });
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  EXPECT_EQ(Query([&](Stores& s) { return s.tenants().FindBySlug("two"); }).status().code(),
            StatusCode::kNotFound);
}

TEST_P(TenantStoreContract, FindReturnsNotFoundForUnknownTenant) {
  EXPECT_EQ(Query([&](Stores& s) { return s.tenants().FindById(Uuid()); }).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Query([&](Stores& s) { return s.tenants().FindBySlug("nobody"); }).status().code(),
            StatusCode::kNotFound);
}

TEST_P(TenantStoreContract, ValuesAreBoundNotSpliced) {
  // A slug a concatenating store would turn into SQL.
  Tenant tenant = MakeTenant("x'); DROP TABLE tenants; --");
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
  StatusOr<Tenant> found = Query([&](Stores& s) { return s.tenants().FindBySlug(tenant.slug); });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, tenant.id);
}

TEST_P(TenantStoreContract, MarkFirstApiCallSucceedsOnceAndReturnsCreatedAt) {
  Tenant tenant = MakeTenant("first-call");
  tenant.created_at = At(std::chrono::milliseconds(5000));
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());

  StatusOr<std::optional<TimePoint>> first = Query([&](Stores& s) {
    return s.tenants().MarkFirstApiCall(tenant.id, At(std::chrono::minutes(3)));
  });
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ(**first, tenant.created_at);

  StatusOr<std::optional<TimePoint>> again = Query([&](Stores& s) {
    return s.tenants().MarkFirstApiCall(tenant.id, At(std::chrono::minutes(4)));
  });
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->has_value());

  StatusOr<std::optional<TimePoint>> unknown = Query([&](Stores& s) {
    return s.tenants().MarkFirstApiCall("no-such-tenant", At(std::chrono::minutes(4)));
  });
  ASSERT_TRUE(unknown.ok()) << unknown.status().ToString();
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(TenantStoreContract, ConcurrentFirstApiCallsHaveExactlyOneWinner) {
  Tenant tenant = MakeTenant("racing");
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      StatusOr<std::optional<TimePoint>> r = Query([&](Stores& s) {
        return s.tenants().MarkFirstApiCall(tenant.id, At(std::chrono::seconds(9)));
      });
      if (!r.ok()) {
        ADD_FAILURE() << r.status().ToString();
        return;
      }
      if (r->has_value()) winners.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(winners.load(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, TenantStoreContract, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
