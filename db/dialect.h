#pragma once

// Internal to db/: the few places where SQLite and PostgreSQL need different
// SQL. Everything else is written once in the portable subset (ON CONFLICT,
// RETURNING, BIGINT Unix milliseconds, JSON text).

#include "db/open_database.h"

namespace portico::db {

// Picks the statement text for `dialect`.
constexpr const char* ForDialect(Dialect dialect, const char* sqlite, const char* postgres) {
  return dialect == Dialect::kPostgres ? postgres : sqlite;
}

// SQLite takes the write lock up front, so a transaction that reads then
// writes cannot fail half-way with SQLITE_BUSY when another writer got in
// first; PostgreSQL locks rows as it goes.
inline const char* BeginTransactionSql(Dialect dialect) {
  return ForDialect(dialect, "BEGIN IMMEDIATE", "BEGIN");
}

}  // namespace portico::db
