#pragma once

// Internal to db/: one SOCI session with the state its stores share, and the
// one place where exceptions from SOCI become Status.

#include <soci/soci.h>

#include <optional>
#include <string>
#include <string_view>

#include "db/open_database.h"
#include "portico/status.h"

namespace portico::db {

// The connect string SOCI wants for `url`: SQLite "db=PATH timeout=5";
// PostgreSQL keyword/value pairs parsed from the URL by libpq. Throws
// soci::soci_error when libpq cannot parse the URL.
std::string SociConnectString(const DatabaseUrl& url);

// Opens `sql` (or reopens it after a lost connection) and applies the
// per-session settings: on SQLite WAL, synchronous=NORMAL, foreign_keys=ON and
// busy_timeout=5000; on PostgreSQL client_min_messages=warning, so that libpq
// prints no NOTICEs on stderr. Throws soci::soci_error.
void OpenSession(soci::session& sql, const DatabaseUrl& url, bool reconnect);

// One pooled session and the flags its stores share. Not thread-safe: used by
// one lease holder at a time.
struct SessionContext {
  explicit SessionContext(Dialect d) : dialect(d) {}
  Dialect dialect;
  soci::session sql;
  bool broken = false;          // the connection was lost: reconnect before reuse
  bool in_transaction = false;  // inside Database::Transact
};

// True when the exception being handled means the connection is gone.
// Call only inside a catch block.
bool CurrentExceptionIsConnectionLoss(SessionContext& ctx);

// Maps the exception being handled (call only inside a catch block) to a
// Status: unique violation → AlreadyExists(conflict_message); foreign key
// violation → FailedPrecondition; lost connection or server down →
// Unavailable (and ctx.broken is set); SQLite busy/locked → Unavailable;
// anything else → Internal. The SQL error text goes only into
// Status::internal, never into the message.
Status CurrentExceptionToStatus(SessionContext& ctx, std::string_view conflict_message);

// Runs `f`, turning any exception into a Status (see above).
template <class F>
auto Guard(SessionContext& ctx, std::string_view conflict_message, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (...) {
    return CurrentExceptionToStatus(ctx, conflict_message);
  }
}

// Steps `st` to its end. A SQLite statement that has returned a row but not
// reached SQLITE_DONE keeps its read snapshot open (and an UPDATE … RETURNING
// keeps the write lock), so every statement is drained after its rows are
// read. Does not change the into() buffers once no row is left.
void Drain(soci::statement& st);

// Executes the parameterless statement `sql_text`, preparing it into `st` on
// first use (so it is prepared once per connection).
void ExecPrepared(SessionContext& ctx, std::optional<soci::statement>& st, const char* sql_text);

}  // namespace portico::db
