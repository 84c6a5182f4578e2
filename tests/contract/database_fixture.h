#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "db/open_database.h"
#include "net_util.h"
#include "portico/clock.h"
#include "portico/database.h"
#include "portico/random.h"
#include "support/test_database.h"

namespace portico::testing {

// A fixed instant, so stored times can be compared exactly (milliseconds).
inline TimePoint T0() { return FromUnixMillis(1'800'000'000'000); }
inline TimePoint At(std::chrono::milliseconds offset) { return T0() + offset; }

// Sample rows; ids are random so tests never collide.
inline std::string Uuid() { return NewUuid(SecureRandom()); }

inline Tenant MakeTenant(std::string slug) {
  Tenant t;
  t.id = Uuid();
  t.slug = std::move(slug);
  t.name = "Tenant " + t.slug;
  t.modules = {"scim", "dcr"};
  t.admin_email = "admin@" + t.slug + ".example";
  t.created_at = T0();
  return t;
}

inline Credential MakeCredential(const std::string& tenant_id, std::string key_hash,
                                 TimePoint created_at = T0()) {
  Credential c;
  c.id = Uuid();
  c.tenant_id = tenant_id;
  c.kind = CredentialKind::kIntegrationKey;
  c.name = "default";
  c.display_hint = "portico_ik_Ab3x…";
  c.key_hash = std::move(key_hash);
  c.scopes = {"scim:read", "scim:write"};
  c.created_at = created_at;
  return c;
}

// Runs f(stores) on a leased session of `db` and returns what it returned (or
// the Run failure).
template <class F>
auto QueryOn(Database& db, F&& f) -> decltype(f(std::declval<Stores&>())) {
  using Result = decltype(f(std::declval<Stores&>()));
  std::optional<Result> result;
  Status status = db.Run([&](Stores& stores) -> Status {
    result.emplace(f(stores));
    return Status();
  });
  if (!status.ok()) return status;
  return std::move(*result);
}

// A fresh database on `backend`, migrated, opened with a pool of `pool_size`
// sessions. Call with ASSERT_NO_FATAL_FAILURE.
inline void OpenFreshDatabase(Backend backend, int pool_size,
                              std::unique_ptr<TestDatabase>& test_db, db::DatabaseUrl& url,
                              std::unique_ptr<Database>& db) {
  test_db = std::make_unique<TestDatabase>(backend);
  ASSERT_FALSE(test_db->url().empty());
  StatusOr<db::DatabaseUrl> parsed = db::ParseDatabaseUrl(test_db->url());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  url = *parsed;
  StatusOr<int> migrated = db::Migrate(url);
  ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
  StatusOr<std::unique_ptr<Database>> opened =
      db::OpenDatabase(url, db::DatabaseOptions{.pool_size = pool_size});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  db = std::move(opened).value();
}

// A fresh, migrated database on the backend under test, with a pool of four
// sessions. Every contract suite derives from it and is instantiated for all
// backends.
class DatabaseFixture : public ::testing::TestWithParam<Backend> {
 protected:
  static constexpr int kPoolSize = 4;

  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(OpenFreshDatabase(GetParam(), kPoolSize, test_db_, url_, db_));
  }

  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }

  // Runs f(stores) on a leased session and returns what it returned (or the
  // Run failure).
  template <class F>
  auto Query(F&& f) -> decltype(f(std::declval<Stores&>())) {
    return QueryOn(*db_, std::forward<F>(f));
  }

  // A database of this backend that cannot be reached: a folder that does
  // not exist, or a port nothing listens on (with a password that must
  // never surface in an error).
  db::DatabaseUrl UnreachableUrl() const {
    db::DatabaseUrl url;
    if (GetParam() == Backend::kSqlite) {
      url.dialect = db::Dialect::kSqlite;
      url.sqlite_path = test_db_->dir() + "/no/such/dir/portico.db";
    } else {
      url.dialect = db::Dialect::kPostgres;
      url.postgres_conninfo =
          "postgresql://postgres:s3cret@127.0.0.1:" + std::to_string(UnusedPort()) + "/postgres";
    }
    return url;
  }

  std::unique_ptr<TestDatabase> test_db_;
  db::DatabaseUrl url_;
  std::unique_ptr<Database> db_;
};

}  // namespace portico::testing
