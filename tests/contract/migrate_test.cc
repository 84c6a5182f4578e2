#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <latch>
#include <thread>

#include "database_fixture.h"
#include "db/migrations.h"
#include "db/session.h"
#include "net_util.h"

namespace portico::testing {
namespace {

// Reads schema_migrations behind the store layer's back.
struct MigrationRow {
  int version = 0;
  std::string name;
  long long applied_at = 0;
};

std::vector<MigrationRow> ReadMigrations(const TestDatabase& test_db) {
  const db::DatabaseUrl url = *db::ParseDatabaseUrl(test_db.url());
  soci::session sql;
  if (url.dialect == db::Dialect::kSqlite) {
    sql.open(soci::sqlite3, db::SociConnectString(url));
  } else {
    sql.open(soci::postgresql, db::SociConnectString(url));
  }
  std::vector<MigrationRow> rows;
  MigrationRow row;
  soci::statement st = (sql.prepare << "SELECT version, name, applied_at FROM schema_migrations "
                                       "ORDER BY version",
                        soci::into(row.version), soci::into(row.name), soci::into(row.applied_at));
  if (st.execute(true)) {
    do rows.push_back(row);
    while (st.fetch());
  }
  return rows;
}

db::Dialect DialectOf(Backend backend) {
  return backend == Backend::kPostgres ? db::Dialect::kPostgres : db::Dialect::kSqlite;
}

class MigrateContract : public DatabaseFixture {};

TEST_P(MigrateContract, RecordsEveryEmbeddedMigrationWithNameAndTime) {
  const auto embedded = db::EmbeddedMigrations(DialectOf(GetParam()));
  std::vector<MigrationRow> rows = ReadMigrations(*test_db_);
  ASSERT_EQ(rows.size(), embedded.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].version, embedded[i].version);
    EXPECT_EQ(rows[i].name, embedded[i].name);
    EXPECT_GT(rows[i].applied_at, ToUnixMillis(T0()) - 1'000'000'000'000LL);
  }
}

TEST_P(MigrateContract, SecondRunAppliesNothing) {
  StatusOr<int> again = db::Migrate(url_);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(ReadMigrations(*test_db_).size(), db::EmbeddedMigrations(url_.dialect).size());
}

TEST_P(MigrateContract, ConcurrentRunsOnAFreshDatabaseApplyEachMigrationOnce) {
  TestDatabase fresh(GetParam());
  ASSERT_FALSE(fresh.url().empty());
  StatusOr<db::DatabaseUrl> url = db::ParseDatabaseUrl(fresh.url());
  ASSERT_TRUE(url.ok());

  constexpr int kRunners = 3;  // each its own session, as separate processes would be
  std::latch start(kRunners);
  std::vector<StatusOr<int>> results(kRunners, StatusOr<int>(0));
  std::vector<std::thread> runners;
  for (int i = 0; i < kRunners; ++i) {
    runners.emplace_back([&, i] {
      start.arrive_and_wait();
      results[i] = db::Migrate(*url);
    });
  }
  for (std::thread& t : runners) t.join();

  int applied = 0;
  for (const StatusOr<int>& r : results) {
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    applied += *r;
  }
  const size_t expected = db::EmbeddedMigrations(url->dialect).size();
  EXPECT_EQ(applied, static_cast<int>(expected));
  EXPECT_EQ(ReadMigrations(fresh).size(), expected);

  // And the schema works.
  StatusOr<std::unique_ptr<Database>> opened = db::OpenDatabase(*url, {.pool_size = 2});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Status inserted = (*opened)->Run([](Stores& s) { return s.tenants().Insert(MakeTenant("a")); });
  EXPECT_TRUE(inserted.ok()) << inserted.ToString();
}

TEST_P(MigrateContract, ReportsUnavailableWhenTheDatabaseCannotBeReached) {
  const db::DatabaseUrl url = UnreachableUrl();
  StatusOr<int> migrated = db::Migrate(url);
  EXPECT_EQ(migrated.status().code(), StatusCode::kUnavailable) << migrated.status().ToString();
  EXPECT_EQ(migrated.status().ToString().find("s3cret"), std::string::npos);
}

// Migration 010 rebuilds SQLite's outbox without AUTOINCREMENT: rows survive,
// and the next id stays above every id handed out before, even when those
// messages were deleted.
TEST_P(MigrateContract, SqliteMigration010KeepsOutboxIdsAboveEveryIdHandedOut) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "a SQLite table rebuild";
  const std::string path = test_db_->dir() + "/at9.db";
  {
    soci::session sql(soci::sqlite3, path);
    auto* backend = static_cast<soci::sqlite3_session_backend*>(sql.get_backend());
    const auto exec = [&](const std::string& script) {
      char* error = nullptr;
      const int rc =
          sqlite_api::sqlite3_exec(backend->conn_, script.c_str(), nullptr, nullptr, &error);
      EXPECT_EQ(rc, 0) << (error ? error : "") << " in " << script.substr(0, 80);
      sqlite_api::sqlite3_free(error);
    };
    exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at BIGINT NOT NULL)");
    for (const db::EmbeddedMigration& m : db::EmbeddedMigrations(db::Dialect::kSqlite)) {
      if (m.version > 9) break;
      exec(m.sql);
      exec("INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" + m.name +
           "', 0)");
    }
    // Ids 1 to 3 handed out; 3 (the newest) already delivered and deleted.
    for (int i = 0; i < 3; ++i) {
      exec(
          "INSERT INTO outbox (topic, payload, next_attempt_at, created_at) "
          "VALUES ('mail', '{}', 0, 0)");
    }
    exec("DELETE FROM outbox WHERE id = 3");
  }
  db::DatabaseUrl url;
  url.dialect = db::Dialect::kSqlite;
  url.sqlite_path = path;
  StatusOr<int> applied = db::Migrate(url);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(*applied, static_cast<int>(db::EmbeddedMigrations(db::Dialect::kSqlite).size()) - 9);

  StatusOr<std::unique_ptr<Database>> opened = db::OpenDatabase(url, {.pool_size = 1});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& db = **opened;
  int64_t next_id = 0;
  Status status = db.Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.outbox().Get(2).status());
    PORTICO_ASSIGN_OR_RETURN(int64_t pending, s.outbox().CountPending());
    EXPECT_EQ(pending, 2);
    PORTICO_ASSIGN_OR_RETURN(next_id, s.outbox().Enqueue("mail", "{}", T0()));
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(next_id, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, MigrateContract, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

TEST(EmbeddedMigrations, BothDialectsHaveTheSameVersionsAndNames) {
  const auto sqlite = db::EmbeddedMigrations(db::Dialect::kSqlite);
  const auto postgres = db::EmbeddedMigrations(db::Dialect::kPostgres);
  ASSERT_FALSE(sqlite.empty());
  ASSERT_EQ(sqlite.size(), postgres.size());
  for (size_t i = 0; i < sqlite.size(); ++i) {
    EXPECT_EQ(sqlite[i].version, postgres[i].version);
    EXPECT_STREQ(sqlite[i].name, postgres[i].name);
    if (i > 0) {
      EXPECT_GT(sqlite[i].version, sqlite[i - 1].version);
    }
  }
}

}  // namespace
}  // namespace portico::testing
