#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "portico/database.h"
#include "portico/status.h"

namespace portico::db {

enum class Dialect { kSqlite, kPostgres };

// A parsed DATABASE_URL.
struct DatabaseUrl {
  Dialect dialect = Dialect::kSqlite;
  // SQLite: the file path, or ":memory:" for "sqlite::memory:".
  std::string sqlite_path;
  // PostgreSQL: the URL as given, handed to libpq (which accepts URIs).
  std::string postgres_conninfo;
};

// Accepts "sqlite:PATH", "sqlite::memory:", "postgresql://…" and "postgres://…".
// Returns InvalidArgument, with a message naming DATABASE_URL, for anything else.
// Thread-safe.
StatusOr<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

// `url` with any password replaced by "***", for logs and error details.
std::string RedactDatabaseUrl(std::string_view url);

struct DatabaseOptions {
  // Sessions in the pool. "sqlite::memory:" always uses one (see OpenDatabase).
  int pool_size = 8;
};

// Opens a pool of `pool_size` sessions, all connected before it returns. A
// SQLite file database opens one more, on which every Transact runs (one
// writer at a time), so that its page cache survives from one transaction to
// the next; pool_usage() counts the pool only.
// Returns Unavailable (message free of any password) when the database cannot
// be reached or opened; InvalidArgument for a pool size below 1.
//
// SQLite sessions run with journal_mode=WAL, synchronous=NORMAL,
// foreign_keys=ON and busy_timeout=5000. "sqlite::memory:" is ONE in-memory
// database per process (a shared-cache URI kept alive for the life of the
// process), so Migrate and OpenDatabase see the same data; its pool is forced
// to one session, because shared-cache table locks fail at once (SQLITE_LOCKED)
// instead of honouring the busy timeout.
//
// Sessions that lose their connection are reconnected on their next lease,
// so a database restart heals without restarting the process.
//
// Transact does not nest: calling Transact from inside a Transact work
// function of the same Database on the same thread returns Internal at once
// (it would otherwise wait for a second session's write lock on SQLite).
// Run called from inside such work leases another session: it does not see
// the transaction's uncommitted writes, and on SQLite its writes wait for the
// transaction's lock (busy timeout) — keep all of a transaction's work on the
// Stores it was given.
// On PostgreSQL a failed statement aborts the enclosing transaction; the
// inserts that can meet a uniqueness conflict (tenants, credentials, OTPs)
// therefore run under a savepoint inside Transact, so that after their
// AlreadyExists the transaction stays usable on both dialects alike.
//
// The returned Database is thread-safe.
StatusOr<std::unique_ptr<Database>> OpenDatabase(const DatabaseUrl& url,
                                                 const DatabaseOptions& options);

// Applies the pending numbered migrations embedded in the binary (from
// db/migrations/<dialect>/NNN_name.sql), each in its own transaction, and
// records each in schema_migrations(version, name, applied_at). Returns how
// many were applied (0 when up to date). Safe when several processes start at
// once: on PostgreSQL the whole run holds pg_advisory_lock(kMigrationLockKey);
// on SQLite each migration runs under BEGIN IMMEDIATE with a busy timeout and
// re-checks whether it is still pending. Unavailable when the database cannot
// be reached; Internal when a migration fails (its transaction rolled back).
// Thread-safe.
StatusOr<int> Migrate(const DatabaseUrl& url);

// The advisory lock key held by Migrate on PostgreSQL ("portico" in ASCII).
inline constexpr long long kMigrationLockKey = 0x706f727469636fLL;

}  // namespace portico::db
