#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <string>

#include "db/dialect.h"
#include "db/migrations.h"
#include "db/open_database.h"
#include "db/session.h"
#include "portico/clock.h"
#include "portico/log.h"

namespace portico::db {
namespace {

constexpr char kCreateMigrationsTableSql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";
constexpr char kMigrationAppliedSql[] =
    "SELECT COUNT(*) FROM schema_migrations WHERE version = :version";
constexpr char kRecordMigrationSql[] =
    "INSERT INTO schema_migrations (version, name, applied_at) "
    "VALUES (:version, :name, :applied_at)";
constexpr char kAdvisoryLockSql[] = "SELECT pg_advisory_lock(:key)";
constexpr char kAdvisoryUnlockSql[] = "SELECT pg_advisory_unlock(:key)";
constexpr char kCommitSql[] = "COMMIT";
constexpr char kRollbackSql[] = "ROLLBACK";

// Runs a whole migration file. SOCI prepares one statement at a time and
// rewrites ":name" even inside comments, so scripts go to the native API.
void ExecScript(soci::session& sql, Dialect dialect, const char* script) {
  if (dialect == Dialect::kPostgres) {
    auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
    PGresult* result = PQexec(backend->conn_, script);
    const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
      PQclear(result);
      return;
    }
    const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string state_text = state ? state : "08000";  // no result: the connection is gone
    std::string message = PQerrorMessage(backend->conn_);
    PQclear(result);
    throw soci::postgresql_soci_error(message, state_text.c_str());
  }
  auto* backend = static_cast<soci::sqlite3_session_backend*>(sql.get_backend());
  char* error = nullptr;
  const int rc = sqlite_api::sqlite3_exec(backend->conn_, script, nullptr, nullptr, &error);
  if (rc != 0) {
    std::string message = error ? error : "sqlite3_exec failed";
    sqlite_api::sqlite3_free(error);
    throw soci::sqlite3_soci_error(message, rc);
  }
}

// Applies `m` unless it is already recorded. Returns whether it applied it.
bool ApplyOne(SessionContext& ctx, const EmbeddedMigration& m) {
  soci::session& sql = ctx.sql;
  sql << BeginTransactionSql(ctx.dialect);
  try {
    // Inside the transaction: on SQLite it holds the write lock, so a second
    // process migrating at the same time waits here, then sees our record.
    sql << kCreateMigrationsTableSql;
    int version = m.version;
    long long applied = 0;
    sql << kMigrationAppliedSql, soci::use(version), soci::into(applied);
    if (applied != 0) {
      sql << kRollbackSql;
      return false;
    }
    ExecScript(sql, ctx.dialect, m.sql);
    std::string name = m.name;
    long long now = ToUnixMillis(SystemClock().Now());
    sql << kRecordMigrationSql, soci::use(version), soci::use(name), soci::use(now);
    sql << kCommitSql;
    return true;
  } catch (...) {
    try {
      sql << kRollbackSql;
    } catch (...) {
      // The original error is the one worth reporting.
    }
    throw;
  }
}

}  // namespace

StatusOr<int> Migrate(const DatabaseUrl& url) {
  SessionContext ctx(url.dialect);
  try {
    OpenSession(ctx.sql, url, /*reconnect=*/false);
  } catch (const std::exception& e) {
    return Unavailable("cannot open the database to migrate it")
        .WithInternal(RedactDatabaseUrl(e.what()));
  }
  int applied = 0;
  const EmbeddedMigration* current = nullptr;
  try {
    long long key = kMigrationLockKey;
    // Session-level lock, released by unlock or when the session closes.
    if (url.dialect == Dialect::kPostgres) ctx.sql << kAdvisoryLockSql, soci::use(key);
    for (const EmbeddedMigration& m : EmbeddedMigrations(url.dialect)) {
      current = &m;
      if (ApplyOne(ctx, m)) {
        ++applied;
        Log(LogLevel::kInfo, "db.migration_applied",
            Json::MakeObject().Set("version", m.version).Set("name", m.name));
      }
    }
    current = nullptr;
    if (url.dialect == Dialect::kPostgres) ctx.sql << kAdvisoryUnlockSql, soci::use(key);
  } catch (...) {
    Status status = CurrentExceptionToStatus(ctx, "");
    if (status.code() == StatusCode::kUnavailable) return status;
    std::string which = current ? std::to_string(current->version) + "_" + current->name : "setup";
    return Internal("database migration failed")
        .WithInternal("migration " + which + ": " + status.internal());
  }
  return applied;
}

}  // namespace portico::db
