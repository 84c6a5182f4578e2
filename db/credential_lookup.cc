#include "db/credential_lookup.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <charconv>
#include <cstdint>

#include "db/codec.h"

namespace portico::db {
namespace {

// The columns of the lookup, in order. credentials.tenant_id is t.id, and
// tenants.slug_key only serves uniqueness: neither is selected twice.
enum Column : int {
  kCredentialId,
  kKind,
  kCredentialName,
  kDisplayHint,
  kKeyHash,
  kScopes,
  kExpiresAt,
  kRevokedAt,
  kCredentialCreatedAt,
  kTenantId,
  kSlug,
  kTenantName,
  kModules,
  kStatus,
  kAdminEmail,
  kTenantCreatedAt,
};

// One text for both dialects: SQLite reads "$1" as a parameter named "$1",
// the first and only one, which is bound by position like PostgreSQL's.
constexpr char kLookupSql[] =
    "SELECT c.id, c.kind, c.name, c.display_hint, c.key_hash, c.scopes, c.expires_at, "
    "c.revoked_at, c.created_at, t.id, t.slug, t.name, t.modules, t.status, t.admin_email, "
    "t.created_at FROM credentials c JOIN tenants t ON t.id = c.tenant_id WHERE c.key_hash = $1";
// Named prepared statement on each PostgreSQL connection (SOCI names its own "st_N").
constexpr char kPostgresStatement[] = "portico_credential_with_tenant";

Status CorruptRow(std::string detail) {
  return Internal("database error").WithInternal(std::move(detail));
}

// Fills `out` from one row; `Row` reads column i as text, as a 64-bit integer
// (false when it is not one), or tells whether it is NULL.
template <class Row>
Status DecodeRow(const Row& row, CredentialWithTenant& out) {
  Credential& c = out.credential;
  Tenant& t = out.tenant;
  int64_t millis = 0;
  c.id.assign(row.Text(kCredentialId));
  const std::optional<CredentialKind> kind = ParseCredentialKind(row.Text(kKind));
  if (!kind) return CorruptRow("unknown credential kind " + std::string(row.Text(kKind)));
  c.kind = *kind;
  c.name.assign(row.Text(kCredentialName));
  c.display_hint.assign(row.Text(kDisplayHint));
  c.key_hash.assign(row.Text(kKeyHash));
  PORTICO_ASSIGN_OR_RETURN(c.scopes, DecodeStringList(row.Text(kScopes)));
  if (!row.IsNull(kExpiresAt)) {
    if (!row.Int(kExpiresAt, millis)) return CorruptRow("credentials.expires_at");
    c.expires_at = FromUnixMillis(millis);
  }
  if (!row.IsNull(kRevokedAt)) {
    if (!row.Int(kRevokedAt, millis)) return CorruptRow("credentials.revoked_at");
    c.revoked_at = FromUnixMillis(millis);
  }
  if (!row.Int(kCredentialCreatedAt, millis)) return CorruptRow("credentials.created_at");
  c.created_at = FromUnixMillis(millis);

  t.id.assign(row.Text(kTenantId));
  c.tenant_id = t.id;
  t.slug.assign(row.Text(kSlug));
  t.name.assign(row.Text(kTenantName));
  PORTICO_ASSIGN_OR_RETURN(t.modules, DecodeStringList(row.Text(kModules)));
  t.status.assign(row.Text(kStatus));
  if (!row.IsNull(kAdminEmail)) t.admin_email = std::string(row.Text(kAdminEmail));
  if (!row.Int(kTenantCreatedAt, millis)) return CorruptRow("tenants.created_at");
  t.created_at = FromUnixMillis(millis);
  return Status();
}

class SqliteRow {
 public:
  explicit SqliteRow(sqlite_api::sqlite3_stmt* st) : st_(st) {}
  std::string_view Text(int col) const {
    // Text before bytes: the order SQLite documents for a stable length.
    const unsigned char* p = sqlite_api::sqlite3_column_text(st_, col);
    const int n = sqlite_api::sqlite3_column_bytes(st_, col);
    return p == nullptr ? std::string_view()
                        : std::string_view(reinterpret_cast<const char*>(p), n);
  }
  bool IsNull(int col) const { return sqlite_api::sqlite3_column_type(st_, col) == SQLITE_NULL; }
  bool Int(int col, int64_t& out) const {
    if (sqlite_api::sqlite3_column_type(st_, col) != SQLITE_INTEGER) return false;
    out = sqlite_api::sqlite3_column_int64(st_, col);
    return true;
  }

 private:
  sqlite_api::sqlite3_stmt* st_;
};

class PostgresRow {
 public:
  explicit PostgresRow(const PGresult* res) : res_(res) {}
  std::string_view Text(int col) const {
    return std::string_view(PQgetvalue(res_, 0, col),
                            static_cast<size_t>(PQgetlength(res_, 0, col)));
  }
  bool IsNull(int col) const { return PQgetisnull(res_, 0, col) != 0; }
  bool Int(int col, int64_t& out) const {
    if (IsNull(col)) return false;
    const std::string_view text = Text(col);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  }

 private:
  const PGresult* res_;
};

// Resets the SQLite statement however the lookup ends: a reset statement
// holds no read snapshot and no pointer to the bound key.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite_api::sqlite3_stmt* st) : st_(st) {}
  ~ResetOnExit() { sqlite_api::sqlite3_reset(st_); }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite_api::sqlite3_stmt* st_;
};

class ClearOnExit {
 public:
  explicit ClearOnExit(PGresult* res) : res_(res) {}
  ~ClearOnExit() { PQclear(res_); }
  ClearOnExit(const ClearOnExit&) = delete;
  ClearOnExit& operator=(const ClearOnExit&) = delete;

 private:
  PGresult* res_;
};

[[noreturn]] void ThrowSqlite(sqlite_api::sqlite3* db, int rc, const char* what) {
  throw soci::sqlite3_soci_error(std::string(what) + ": " + sqlite_api::sqlite3_errmsg(db), rc);
}

// SOCI's exception for a failed libpq call, with the server's SQLSTATE when
// there is one (a lost connection has none: Guard then asks the connection).
[[noreturn]] void ThrowPostgres(PGconn* conn, const PGresult* res, const char* what) {
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* message = res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn);
  throw soci::postgresql_soci_error(std::string(what) + ": " + message,
                                    state != nullptr ? state : "XX000");
}

}  // namespace

CredentialWithTenantLookup::~CredentialWithTenantLookup() {
  if (sqlite_stmt_ != nullptr) sqlite_api::sqlite3_finalize(sqlite_stmt_);
}

StatusOr<CredentialWithTenant> CredentialWithTenantLookup::Find(std::string_view key_hash) {
  return ctx_.dialect == Dialect::kPostgres ? FindPostgres(key_hash) : FindSqlite(key_hash);
}

StatusOr<CredentialWithTenant> CredentialWithTenantLookup::FindSqlite(std::string_view key_hash) {
  sqlite_api::sqlite3* db =
      static_cast<soci::sqlite3_session_backend*>(ctx_.sql.get_backend())->conn_;
  if (sqlite_stmt_ == nullptr) {
    const int rc = sqlite_api::sqlite3_prepare_v3(
        db, kLookupSql, sizeof kLookupSql, SQLITE_PREPARE_PERSISTENT, &sqlite_stmt_, nullptr);
    if (rc != SQLITE_OK) {
      sqlite_stmt_ = nullptr;
      ThrowSqlite(db, rc, "prepare credential lookup");
    }
  }
  ResetOnExit reset(sqlite_stmt_);
  // SQLITE_STATIC: the key outlives the step, and the reset drops the binding.
  int rc = sqlite_api::sqlite3_bind_text(sqlite_stmt_, 1, key_hash.data(),
                                         static_cast<int>(key_hash.size()), SQLITE_STATIC);
  if (rc != SQLITE_OK) ThrowSqlite(db, rc, "bind credential lookup");
  rc = sqlite_api::sqlite3_step(sqlite_stmt_);
  if (rc == SQLITE_DONE) return NotFound("credential not found");
  if (rc != SQLITE_ROW) ThrowSqlite(db, rc, "credential lookup");
  CredentialWithTenant out;
  PORTICO_RETURN_IF_ERROR(DecodeRow(SqliteRow(sqlite_stmt_), out));
  return out;
}

StatusOr<CredentialWithTenant> CredentialWithTenantLookup::FindPostgres(std::string_view key_hash) {
  PGconn* conn = static_cast<soci::postgresql_session_backend*>(ctx_.sql.get_backend())->conn_;
  if (!postgres_prepared_) {
    PGresult* res = PQprepare(conn, kPostgresStatement, kLookupSql, 1, nullptr);
    ClearOnExit clear(res);
    if (res == nullptr || PQresultStatus(res) != PGRES_COMMAND_OK) {
      ThrowPostgres(conn, res, "prepare credential lookup");
    }
    postgres_prepared_ = true;
  }
  key_.assign(key_hash);
  const char* values[] = {key_.c_str()};
  PGresult* res = PQexecPrepared(conn, kPostgresStatement, 1, values, nullptr, nullptr,
                                 /*resultFormat=text*/ 0);
  ClearOnExit clear(res);
  if (res == nullptr || PQresultStatus(res) != PGRES_TUPLES_OK) {
    ThrowPostgres(conn, res, "credential lookup");
  }
  if (PQntuples(res) == 0) return NotFound("credential not found");
  if (PQnfields(res) != kTenantCreatedAt + 1) return CorruptRow("credential lookup: column count");
  CredentialWithTenant out;
  PORTICO_RETURN_IF_ERROR(DecodeRow(PostgresRow(res), out));
  return out;
}

}  // namespace portico::db
