#pragma once

// Internal to db/: the SQL migrations compiled into the binary
// (db/migrations/<dialect>/NNN_name.sql, embedded by embed_migrations.cmake).

#include <span>

#include "db/open_database.h"

namespace portico::db {

struct EmbeddedMigration {
  int version;       // NNN
  const char* name;  // the file name's rest, e.g. "initial"
  const char* sql;   // the whole file, run as one script
};

// Ascending by version; versions are unique (checked when embedding).
std::span<const EmbeddedMigration> EmbeddedMigrations(Dialect dialect);

}  // namespace portico::db
