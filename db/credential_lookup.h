#pragma once

// Internal to db/: the credential + tenant lookup that every authenticated
// request runs, on the backends' own C APIs instead of through SOCI.
//
// Through SOCI the lookup cost more than the rest of the request: SOCI copies
// each column into its own buffer before the into() strings, and on SQLite the
// statement then had to be stepped to its end (another VDBE run) to release
// the read snapshot. Here the columns go straight into the result, the SQLite
// statement is reset right after its row (which ends the read transaction, so
// the next request sees every committed write, revocations included), and on
// PostgreSQL it is one named prepared statement: one round trip per lookup.

#include <optional>
#include <string>
#include <string_view>

#include "db/session.h"
#include "portico/credential.h"

namespace sqlite_api {
struct sqlite3_stmt;  // SOCI declares SQLite's C API in this namespace
}  // namespace sqlite_api

namespace portico::db {

// Bound to one pooled session; prepared on first use and released with the
// object (which must go before its connection closes or reconnects).
// Not thread-safe, like the session.
class CredentialWithTenantLookup {
 public:
  explicit CredentialWithTenantLookup(SessionContext& ctx) : ctx_(ctx) {}
  ~CredentialWithTenantLookup();
  CredentialWithTenantLookup(const CredentialWithTenantLookup&) = delete;
  CredentialWithTenantLookup& operator=(const CredentialWithTenantLookup&) = delete;

  // The credential whose key_hash is exactly `key_hash`, with its tenant.
  // NotFound when there is none; Internal for a row that does not decode.
  // Database failures throw soci::sqlite3_soci_error / postgresql_soci_error,
  // as SOCI would, so that Guard maps them (busy, lost connection, …).
  StatusOr<CredentialWithTenant> Find(std::string_view key_hash);

 private:
  StatusOr<CredentialWithTenant> FindSqlite(std::string_view key_hash);
  StatusOr<CredentialWithTenant> FindPostgres(std::string_view key_hash);

  SessionContext& ctx_;
  sqlite_api::sqlite3_stmt* sqlite_stmt_ = nullptr;
  bool postgres_prepared_ = false;
  std::string key_;  // NUL-terminated copy for libpq's text parameter
};

}  // namespace portico::db
