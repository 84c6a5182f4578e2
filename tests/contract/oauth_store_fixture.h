#pragma once

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "database_fixture.h"
#include "db/session.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::testing {

// Where the OAuth-side store contracts run: both SQL backends, and the
// in-memory fake that service tests use in their place, so that the fake
// cannot drift from the real stores.
enum class StoreTarget { kSqlite, kPostgres, kInMemory };

inline std::vector<StoreTarget> AllStoreTargets() {
  return {StoreTarget::kSqlite, StoreTarget::kPostgres, StoreTarget::kInMemory};
}

struct StoreTargetName {
  template <class ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    switch (info.param) {
      case StoreTarget::kSqlite:
        return BackendName(Backend::kSqlite);
      case StoreTarget::kPostgres:
        return BackendName(Backend::kPostgres);
      case StoreTarget::kInMemory:
        return "InMemory";
    }
    return "Unknown";
  }
};

// A fresh, migrated database (pool of four sessions), or a fresh
// InMemoryDatabase, with two tenants.
class OAuthStoreFixture : public ::testing::TestWithParam<StoreTarget> {
 protected:
  static constexpr int kPoolSize = 4;

  void SetUp() override {
    if (GetParam() == StoreTarget::kInMemory) {
      db_ = std::make_unique<InMemoryDatabase>();
    } else {
      ASSERT_NO_FATAL_FAILURE(OpenFreshDatabase(
          GetParam() == StoreTarget::kPostgres ? Backend::kPostgres : Backend::kSqlite, kPoolSize,
          test_db_, url_, db_));
    }
    tenant_ = MakeTenant("acme");
    other_ = MakeTenant("other");
    ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant_); }).ok());
    ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(other_); }).ok());
  }

  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }

  bool IsSql() const { return GetParam() != StoreTarget::kInMemory; }

  // Runs f(stores) on a leased session and returns what it returned (or the
  // Run failure).
  template <class F>
  auto Query(F&& f) -> decltype(f(std::declval<Stores&>())) {
    return QueryOn(*db_, std::forward<F>(f));
  }

  // A session of its own, behind the stores' back (SQL targets only), with
  // foreign keys enforced as the pool's sessions enforce them.
  std::unique_ptr<soci::session> RawSession() const {
    auto sql = std::make_unique<soci::session>();
    db::OpenSession(*sql, url_, /*reconnect=*/false);
    return sql;
  }

  // Deletes a tenant row directly: TenantStore has no Delete, but the schema
  // promises that a tenant's rows go with it.
  void DeleteTenantRow(const std::string& tenant_id) const {
    std::unique_ptr<soci::session> sql = RawSession();
    std::string id = tenant_id;
    *sql << "DELETE FROM tenants WHERE id = :id", soci::use(id);
  }

  long long CountRows(const std::string& count_sql) const {
    std::unique_ptr<soci::session> sql = RawSession();
    long long n = -1;
    *sql << count_sql, soci::into(n);
    return n;
  }

  std::unique_ptr<TestDatabase> test_db_;
  db::DatabaseUrl url_;
  std::unique_ptr<Database> db_;
  Tenant tenant_;
  Tenant other_;
};

}  // namespace portico::testing
