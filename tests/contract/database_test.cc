#include <libpq-fe.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <stdexcept>
#include <thread>

#include "database_fixture.h"
#include "db/session.h"
#include "net_util.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;

class DatabaseContract : public DatabaseFixture {
 protected:
  bool TenantExists(const std::string& id) {
    return Query([&](Stores& s) { return s.tenants().FindById(id); }).ok();
  }
  bool CredentialExists(const std::string& hash) {
    return Query([&](Stores& s) { return s.credentials().FindByHash(hash); }).ok();
  }
};

TEST_P(DatabaseContract, TransactCommitsEveryWriteWhenWorkSucceeds) {
  Tenant tenant = MakeTenant("acme");
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.tenants().Insert(tenant));
    PORTICO_RETURN_IF_ERROR(s.credentials().Insert(MakeCredential(tenant.id, "k1")));
    return s.outbox().Enqueue("mail", "{}", T0()).status();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(TenantExists(tenant.id));
  EXPECT_TRUE(CredentialExists("k1"));
  EXPECT_EQ(*Query([](Stores& s) { return s.outbox().CountPending(); }), 1);
}

TEST_P(DatabaseContract, TransactRollsBackEverythingWhenWorkReturnsAnError) {
  Tenant tenant = MakeTenant("acme");
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.tenants().Insert(tenant));
    PORTICO_RETURN_IF_ERROR(s.credentials().Insert(MakeCredential(tenant.id, "k1")));
    PORTICO_RETURN_IF_ERROR(s.outbox().Enqueue("mail", "{}", T0()).status());
    return FailedPrecondition("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "changed my mind");
  EXPECT_FALSE(TenantExists(tenant.id));
  EXPECT_FALSE(CredentialExists("k1"));
  EXPECT_EQ(*Query([](Stores& s) { return s.outbox().CountPending(); }), 0);
}

TEST_P(DatabaseContract, TransactRollsBackAndReturnsInternalWhenWorkThrows) {
  Tenant tenant = MakeTenant("acme");
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.tenants().Insert(tenant));
    throw std::runtime_error("boom");
  });
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_EQ(status.message().find("boom"), std::string::npos);  // internals stay internal
  EXPECT_FALSE(TenantExists(tenant.id));
  // The session went back to the pool in a usable state.
  for (int i = 0; i < kPoolSize + 1; ++i) EXPECT_TRUE(db_->Ping().ok());
  EXPECT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
}

TEST_P(DatabaseContract, TransactStaysUsableAfterAConflictInsideIt) {
  Tenant taken = MakeTenant("taken");
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(taken); }).ok());
  Tenant fallback = MakeTenant("taken-2");
  Status status = db_->Transact([&](Stores& s) -> Status {
    Status first = s.tenants().Insert(MakeTenant("TAKEN"));
    EXPECT_EQ(first.code(), StatusCode::kAlreadyExists);
    // On PostgreSQL the failed insert must not poison the transaction.
    return s.tenants().Insert(fallback);
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(TenantExists(fallback.id));
}

TEST_P(DatabaseContract, NestedTransactIsRefusedAtOnce) {
  const auto start = std::chrono::steady_clock::now();
  Status inner;
  Status outer = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.tenants().Insert(MakeTenant("outer")));
    inner = db_->Transact([](Stores&) { return Status(); });
    return Status();
  });
  EXPECT_TRUE(outer.ok()) << outer.ToString();
  EXPECT_EQ(inner.code(), StatusCode::kInternal);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(Query([](Stores& s) { return s.tenants().FindBySlug("outer"); }).ok());
}

TEST_P(DatabaseContract, RunReturnsInternalWhenWorkThrows) {
  Status status = db_->Run([](Stores&) -> Status { throw std::runtime_error("boom"); });
  EXPECT_EQ(status.code(), StatusCode::kInternal);
  EXPECT_TRUE(db_->Ping().ok());
}

TEST_P(DatabaseContract, RunPassesTheWorkStatusThrough) {
  Status status = db_->Run([](Stores&) { return NotFound("nothing here"); });
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "nothing here");
}

TEST_P(DatabaseContract, ManyThreadsShareThePool) {
  constexpr int kThreads = 8;
  constexpr int kCallsEach = 40;
  Tenant tenant = MakeTenant("shared");
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kCallsEach; ++i) {
        Status status = db_->Run([&](Stores& s) -> Status {
          PORTICO_RETURN_IF_ERROR(s.tenants().FindById(tenant.id).status());
          if (i % 10 == 0) {
            return s.credentials().Insert(
                MakeCredential(tenant.id, "k" + std::to_string(t) + "_" + std::to_string(i)));
          }
          return Status();
        });
        if (!status.ok()) {
          ++failures;
          ADD_FAILURE() << status.ToString();
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Query([&](Stores& s) { return s.credentials().ListByTenant(tenant.id); })->size(),
            static_cast<size_t>(kThreads * kCallsEach / 10));
}

TEST_P(DatabaseContract, PoolUsageCountsLeasedSessions) {
  EXPECT_EQ(db_->pool_usage().size, kPoolSize);
  EXPECT_EQ(db_->pool_usage().in_use, 0);
  Database::PoolUsage inside;
  ASSERT_TRUE(db_->Run([&](Stores&) {
                   inside = db_->pool_usage();
                   return Status::Ok();
                 })
                  .ok());
  EXPECT_EQ(inside.in_use, 1);
  EXPECT_EQ(db_->pool_usage().in_use, 0);
}

// A SQLite file's transactions run on a session of their own (its page cache
// then survives between them), so a transaction holds no pooled session: a
// read inside it finds the pool free, even a pool of one.
TEST_P(DatabaseContract, SqliteTransactionLeavesThePoolToReaders) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "PostgreSQL transactions lease a session";
  StatusOr<std::unique_ptr<Database>> opened = db::OpenDatabase(url_, {.pool_size = 1});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& db = **opened;
  Tenant tenant = MakeTenant("acme");
  Database::PoolUsage inside;
  bool read_ok = false;
  Status status = db.Transact([&](Stores& s) -> Status {
    inside = db.pool_usage();
    PORTICO_RETURN_IF_ERROR(s.tenants().Insert(tenant));
    // Another session: it must not see the uncommitted row, and must not wait.
    read_ok = db.Run([&](Stores& r) {
                  return r.tenants().FindById(tenant.id).status().code() == StatusCode::kNotFound
                             ? Status::Ok()
                             : Internal("saw an uncommitted row");
                }).ok();
    return Status::Ok();
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(inside.in_use, 0);
  EXPECT_TRUE(read_ok);
  // Committed on the writer session, seen by the pooled one (and its cache).
  EXPECT_TRUE(db.Run([&](Stores& r) { return r.tenants().FindById(tenant.id).status(); }).ok());
  ASSERT_TRUE(db.Run([&](Stores& r) { return r.tenants().Insert(MakeTenant("other")); }).ok());
  // Written by a pooled session, seen by the writer session's next transaction.
  EXPECT_TRUE(
      db.Transact([&](Stores& s) { return s.tenants().FindBySlug("other").status(); }).ok());
}

TEST_P(DatabaseContract, PingSucceedsOnAReachableDatabase) { EXPECT_TRUE(db_->Ping().ok()); }

TEST_P(DatabaseContract, OpenReportsUnavailableWithoutLeakingThePassword) {
  const db::DatabaseUrl url = UnreachableUrl();
  StatusOr<std::unique_ptr<Database>> opened = db::OpenDatabase(url, {.pool_size = 2});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), StatusCode::kUnavailable) << opened.status().ToString();
  EXPECT_EQ(opened.status().ToString().find("s3cret"), std::string::npos);
}

TEST_P(DatabaseContract, OpenRejectsAnEmptyPool) {
  EXPECT_EQ(db::OpenDatabase(url_, {.pool_size = 0}).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(DatabaseContract, SqliteDatabaseRunsInWriteAheadLogMode) {
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "a SQLite journal setting";
  // journal_mode=WAL is stored in the file, so a fresh connection sees it.
  soci::session sql(soci::sqlite3, db::SociConnectString(url_));
  std::string mode;
  sql << "PRAGMA journal_mode", soci::into(mode);
  EXPECT_EQ(mode, "wal");
}

// --- PostgreSQL outage: a private cluster this test stops and restarts. ---

std::string Capture(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buffer[512];
  while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) out += buffer;
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

class PrivateCluster {
 public:
  PrivateCluster() {
    std::string pattern = (std::filesystem::temp_directory_path() / "portico_pg_XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) return;
    dir_ = pattern;
    url_ = Capture(Script() + " start " + dir_);
    std::ifstream port_file(dir_ + "/port");
    port_file >> port_;
  }
  ~PrivateCluster() {
    if (dir_.empty()) return;
    Stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::string& url() const { return url_; }
  // An immediate stop, as in a crash. The cluster runs with
  // synchronous_commit=off, so a checkpoint first keeps the committed schema.
  void Stop() {
    PGconn* conn = PQconnectdb(url_.c_str());
    PQclear(PQexec(conn, "CHECKPOINT"));
    PQfinish(conn);
    std::system((Script() + " stop " + dir_).c_str());
  }
  // The same data directory on the same port, as an operator would restart it.
  bool Restart() {
    const std::string pg_ctl = "/usr/lib/postgresql/15/bin/pg_ctl";
    const std::string as_pg = ::geteuid() == 0 ? "runuser -u postgres -- " : "";
    const std::string command =
        as_pg + pg_ctl + " -D " + dir_ + "/data -l " + dir_ + "/data/server.log -w -t 30 -o \"-p " +
        std::to_string(port_) + " -k " + dir_ +
        "/sock -c listen_addresses=127.0.0.1 -c fsync=off\" start" + " >/dev/null";
    return std::system(command.c_str()) == 0;
  }

 private:
  static std::string Script() { return std::string(PORTICO_SOURCE_DIR) + "/scripts/pg-cluster"; }
  std::string dir_;
  std::string url_;
  int port_ = 0;
};

TEST_P(DatabaseContract, PingReportsUnavailableWhileTheServerIsDownAndRecoversAfter) {
  if (GetParam() == Backend::kSqlite) GTEST_SKIP() << "SQLite has no server to stop";
  PrivateCluster cluster;
  ASSERT_FALSE(cluster.url().empty()) << "scripts/pg-cluster start failed";
  StatusOr<db::DatabaseUrl> url = db::ParseDatabaseUrl(cluster.url());
  ASSERT_TRUE(url.ok());
  ASSERT_TRUE(db::Migrate(*url).ok());
  constexpr int kSessions = 3;
  StatusOr<std::unique_ptr<Database>> opened = db::OpenDatabase(*url, {.pool_size = kSessions});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& db = **opened;
  Tenant tenant = MakeTenant("survivor");
  ASSERT_TRUE(db.Run([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
  ASSERT_TRUE(db.Ping().ok());

  cluster.Stop();
  Status ping = db.Ping();
  EXPECT_EQ(ping.code(), StatusCode::kUnavailable) << ping.ToString();
  Status run = db.Run([&](Stores& s) { return s.tenants().FindById(tenant.id).status(); });
  EXPECT_EQ(run.code(), StatusCode::kUnavailable) << run.ToString();
  Status transact = db.Transact([&](Stores& s) { return s.tenants().Insert(MakeTenant("x")); });
  EXPECT_EQ(transact.code(), StatusCode::kUnavailable) << transact.ToString();
  EXPECT_EQ(db.Ping().code(), StatusCode::kUnavailable);  // still down: no false recovery

  ASSERT_TRUE(cluster.Restart());
  ping = db.Ping();
  EXPECT_TRUE(ping.ok()) << ping.ToString();

  // Every session heals, including those idle through the outage: hold all
  // of them at once so none is skipped.
  std::latch all_leased(kSessions);
  std::atomic<int> found{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kSessions; ++i) {
    threads.emplace_back([&] {
      Status status = db.Run([&](Stores& s) -> Status {
        all_leased.arrive_and_wait();
        PORTICO_ASSIGN_OR_RETURN(Tenant t, s.tenants().FindById(tenant.id));
        if (t.slug == "survivor") ++found;
        return Status();
      });
      EXPECT_TRUE(status.ok()) << status.ToString();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(found.load(), kSessions);
  EXPECT_TRUE(db.Transact([&](Stores& s) { return s.tenants().Insert(MakeTenant("after")); }).ok());
}

INSTANTIATE_TEST_SUITE_P(Backends, DatabaseContract, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

// --- sqlite::memory: ---

TEST(SqliteMemoryDatabase, MigrateAndThePoolShareOneDatabase) {
  const auto cwd_before = std::filesystem::directory_iterator(std::filesystem::current_path());
  StatusOr<db::DatabaseUrl> url = db::ParseDatabaseUrl("sqlite::memory:");
  ASSERT_TRUE(url.ok());
  ASSERT_TRUE(db::Migrate(*url).ok());
  StatusOr<std::unique_ptr<Database>> opened = db::OpenDatabase(*url, {.pool_size = 4});
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Database& db = **opened;
  // One database per process: a unique slug keeps repeated runs apart.
  Tenant tenant = MakeTenant("in-memory-" + Uuid().substr(0, 8));
  ASSERT_TRUE(db.Run([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());

  // Concurrent callers queue for the single session instead of failing.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 20; ++j) {
        if (db.Run([&](Stores& s) { return s.tenants().FindById(tenant.id).status(); }).ok()) {
          ++ok;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 80);

  // Still migrated: a second Migrate finds nothing to do.
  StatusOr<int> again = db::Migrate(*url);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
  // Nothing was written to the working directory.
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::current_path())) {
    EXPECT_EQ(entry.path().filename().string().find("portico-memory"), std::string::npos);
    EXPECT_EQ(entry.path().filename().string().find("memory"), std::string::npos) << entry.path();
  }
}

}  // namespace
}  // namespace portico::testing
