#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "db/open_database.h"
#include "portico/clock.h"
#include "portico/database.h"
#include "portico/random.h"
#include "net_util.h"
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

// A fresh, migrated database on the backend under test, with a pool of four
// sessions. Every contract suite derives from it and is instantiated for all
// backends.
class DatabaseFixture : public ::testing::TestWithParam<Backend> {
 protected:
  static constexpr int kPoolSize = 4;

  void SetUp() override {
    test_db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_FALSE(test_db_->url().empty());
    StatusOr<db::DatabaseUrl> url = db::ParseDatabaseUrl(test_db_->url());
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
    StatusOr<int> migrated = db::Migrate(url_);
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    StatusOr<std::unique_ptr<Database>> opened =
        db::OpenDatabase(url_, db::DatabaseOptions{.pool_size = kPoolSize});
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(opened).value();
  }

  void TearDown() override {
    db_.reset();
    test_db_.reset();
  }

  // Runs f(stores) on a leased session and returns what it returned (or the
  // Run failure).
  template <class F>
  auto Query(F&& f) -> decltype(f(std::declval<Stores&>())) {
    using Result = decltype(f(std::declval<Stores&>()));
    std::optional<Result> result;
    Status status = db_->Run([&](Stores& stores) -> Status {
      result.emplace(f(stores));
      return Status();
    });
    if (!status.ok()) return status;
    return std::move(*result);
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
