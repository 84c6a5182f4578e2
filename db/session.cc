#include "db/session.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "portico/log.h"

namespace portico::db {
namespace {

// "sqlite::memory:" is one shared-cache in-memory database per process.
constexpr char kSharedMemoryUri[] = "file:portico-memory?mode=memory&cache=shared";

constexpr char kSqliteJournalModeSql[] = "PRAGMA journal_mode";
constexpr char kSqliteWalSql[] = "PRAGMA journal_mode = WAL";
constexpr char kSqliteSynchronousSql[] = "PRAGMA synchronous = NORMAL";
constexpr char kSqliteForeignKeysSql[] = "PRAGMA foreign_keys = ON";
// A 32 MiB page cache per connection instead of 2 MiB: growing tables were
// read back from the kernel one pread per page. (A memory map instead cost
// more than it saved: every checkpoint's remap flushed TLBs across cores.)
constexpr char kSqliteCacheSizeSql[] = "PRAGMA cache_size = -32768";
constexpr char kPostgresQuietSql[] = "SET client_min_messages TO warning";

constexpr int kSqliteBusy = 5;
constexpr int kSqliteLocked = 6;
constexpr int kSqliteCantOpen = 14;
constexpr int kSqliteConstraint = 19;

// An in-memory SQLite database lives while one connection to it is open; this
// one stays open for the life of the process, so Migrate's session and the
// pool's share one database.
void KeepSharedMemoryDatabaseAlive(const std::string& connect_string) {
  static std::mutex mu;
  static soci::session* keeper = nullptr;  // never freed: lives as long as the process
  std::lock_guard lock(mu);
  if (keeper != nullptr) return;
  auto session = std::make_unique<soci::session>(soci::sqlite3, connect_string);
  keeper = session.release();
}

// Process-wide SQLite settings, applied before the first connection opens
// (SQLite refuses them once initialised; then the defaults stay, which are
// merely slower). Pooled sessions are leased to one thread at a time, so
// multi-thread mode's missing per-connection mutexes are never needed, and
// without memory statistics an allocation takes no global mutex: together a
// fifth of a credential lookup.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

// SQLite's own busy timeout sleeps in steps of up to 100 ms, so a writer that
// finds the write lock taken may sleep long after it came free: under many
// concurrent writers, latency became that sleep pattern (p99 over a second).
// This handler retries after short sleeps instead (50 µs doubling to 1 ms),
// for about five seconds in all, as the timeout did.
int RetryBusy(void*, int attempt) {
  constexpr int kDoublings = 5;           // 50, 100, 200, 400, 800 µs
  constexpr int kMaxAttempts = 5 + 5000;  // then 1 ms steps: ~5 s
  if (attempt >= kMaxAttempts) return 0;
  const int micros = attempt < kDoublings ? 50 << attempt : 1000;
  std::this_thread::sleep_for(std::chrono::microseconds(micros));
  return 1;
}

void SetWalMode(soci::session& sql) {
  std::string mode;
  sql << kSqliteJournalModeSql, soci::into(mode);
  if (mode == "wal") return;
  // Switching to WAL needs an exclusive lock, and SQLite does not always run
  // the busy handler for it: processes starting together retry here.
  for (int attempt = 0;; ++attempt) {
    try {
      sql << kSqliteWalSql, soci::into(mode);
      return;
    } catch (const soci::sqlite3_soci_error& e) {
      if ((e.result() & 0xff) != kSqliteBusy || attempt >= 100) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
}

bool IsPostgresConnectionState(const std::string& state) {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" ||
         state == "53300";
}

bool MessageSaysConnectionLost(std::string_view what) {
  return what.find("server closed the connection") != std::string_view::npos ||
         what.find("no connection to the server") != std::string_view::npos ||
         what.find("terminating connection") != std::string_view::npos ||
         what.find("could not connect") != std::string_view::npos ||
         what.find("Connection refused") != std::string_view::npos ||
         what.find("connection to server") != std::string_view::npos;
}

bool PostgresConnectionBad(soci::session& sql) {
  auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
  return backend == nullptr || backend->conn_ == nullptr ||
         PQstatus(backend->conn_) != CONNECTION_OK;
}

Status Lost(SessionContext& ctx, std::string_view what) {
  ctx.broken = true;
  return Unavailable("database unavailable").WithInternal(std::string(what));
}

void LogPostgresNotice(void*, const char* message) {
  std::string_view text(message);
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  Log(LogLevel::kWarn, "db.server_notice", Json::MakeObject().Set("message", text));
}

// SOCI reads "name://rest" as a backend name and its parameters, so a libpq
// URI cannot be handed to it as is: libpq itself turns the URI into keyword/
// value pairs, which are quoted for its conninfo syntax.
std::string PostgresKeywordConninfo(const std::string& uri) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(uri.c_str(), &error);
  if (options == nullptr) {
    std::string message = error ? error : "invalid PostgreSQL URL";
    PQfreemem(error);
    // Without the URL itself: it may hold a password.
    throw soci::soci_error("cannot parse the PostgreSQL URL: " + message);
  }
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    if (!out.empty()) out += ' ';
    out += o->keyword;
    out += "='";
    for (const char* c = o->val; *c != '\0'; ++c) {
      if (*c == '\'' || *c == '\\') out += '\\';
      out += *c;
    }
    out += '\'';
  }
  PQconninfoFree(options);
  return out;
}

}  // namespace

std::string SociConnectString(const DatabaseUrl& url) {
  if (url.dialect == Dialect::kPostgres) return PostgresKeywordConninfo(url.postgres_conninfo);
  std::string path = url.sqlite_path == ":memory:" ? kSharedMemoryUri : url.sqlite_path;
  // SOCI splits the connect string on spaces unless the value is quoted.
  if (path.find(' ') != std::string::npos) path = "\"" + path + "\"";
  return "db=" + path + " timeout=5";
}

void OpenSession(soci::session& sql, const DatabaseUrl& url, bool reconnect) {
  if (reconnect) sql.close();
  const std::string connect_string = SociConnectString(url);
  if (url.dialect == Dialect::kPostgres) {
    sql.open(soci::postgresql, connect_string);
    // libpq would print server notices and warnings on stderr; they go to the log.
    auto* backend = static_cast<soci::postgresql_session_backend*>(sql.get_backend());
    PQsetNoticeProcessor(backend->conn_, LogPostgresNotice, nullptr);
    sql << kPostgresQuietSql;
    return;
  }
  ConfigureSqliteOnce();
  const bool memory = url.sqlite_path == ":memory:";
  if (memory) KeepSharedMemoryDatabaseAlive(connect_string);
  sql.open(soci::sqlite3, connect_string);
  sqlite_api::sqlite3_busy_handler(
      static_cast<soci::sqlite3_session_backend*>(sql.get_backend())->conn_, RetryBusy, nullptr);
  if (!memory) SetWalMode(sql);
  sql << kSqliteSynchronousSql;
  sql << kSqliteForeignKeysSql;
  if (!memory) sql << kSqliteCacheSizeSql;
}

bool CurrentExceptionIsConnectionLoss(SessionContext& ctx) {
  if (ctx.dialect != Dialect::kPostgres) return false;
  try {
    throw;
  } catch (const soci::postgresql_soci_error& e) {
    return IsPostgresConnectionState(e.sqlstate()) || PostgresConnectionBad(ctx.sql) ||
           MessageSaysConnectionLost(e.what());
  } catch (const soci::soci_error& e) {
    return PostgresConnectionBad(ctx.sql) || MessageSaysConnectionLost(e.what());
  } catch (...) {
    return false;
  }
}

Status CurrentExceptionToStatus(SessionContext& ctx, std::string_view conflict_message) {
  if (CurrentExceptionIsConnectionLoss(ctx)) {
    try {
      throw;
    } catch (const std::exception& e) {
      return Lost(ctx, e.what());
    }
  }
  try {
    throw;
  } catch (const soci::postgresql_soci_error& e) {
    const std::string state = e.sqlstate();
    if (state == "23505")
      return AlreadyExists(std::string(conflict_message)).WithInternal(e.what());
    if (state == "23503") {
      return FailedPrecondition("referenced record does not exist").WithInternal(e.what());
    }
    if (state == "40001" || state == "40P01") {
      return Aborted("concurrent update, retry").WithInternal(e.what());
    }
    return Internal("database error").WithInternal(state + " " + e.what());
  } catch (const soci::sqlite3_soci_error& e) {
    const int code = e.result() & 0xff;
    const std::string_view what = e.what();
    if (code == kSqliteConstraint) {
      // SQLite reports every constraint as 19; the message tells which.
      if (what.find("UNIQUE") != std::string_view::npos ||
          what.find("PRIMARY KEY") != std::string_view::npos) {
        return AlreadyExists(std::string(conflict_message)).WithInternal(e.what());
      }
      if (what.find("FOREIGN KEY") != std::string_view::npos) {
        return FailedPrecondition("referenced record does not exist").WithInternal(e.what());
      }
    }
    if (code == kSqliteBusy || code == kSqliteLocked || code == kSqliteCantOpen) {
      return Unavailable("database busy").WithInternal(e.what());
    }
    return Internal("database error").WithInternal(e.what());
  } catch (const std::exception& e) {
    return Internal("database error").WithInternal(e.what());
  } catch (...) {
    return Internal("database error").WithInternal("unknown exception");
  }
}

void Drain(soci::statement& st) {
  while (st.fetch()) {
  }
}

void ExecPrepared(SessionContext& ctx, std::optional<soci::statement>& st, const char* sql_text) {
  if (!st) st.emplace(ctx.sql.prepare << sql_text);
  st->execute(true);
}

}  // namespace portico::db
