#include <algorithm>
#include <limits>
#include <tuple>

#include "db/soci_oauth_stores.h"
#include "db/soci_stores.h"
#include "portico/parse_json.h"

namespace portico::db {
namespace {

#define PORTICO_CLIENT_COLUMNS                                                             \
  "client_id, tenant_id, metadata, fingerprint, secret_hash, secret_expires_at, "          \
  "previous_secret_hash, previous_secret_expires_at, registration_token_hash, issued_at, " \
  "updated_at, version, last_used_at, tokens_live_until"

constexpr char kInsertClientSql[] =
    "INSERT INTO oauth_clients (" PORTICO_CLIENT_COLUMNS
    ") VALUES (:client_id, :tenant_id, :metadata, :fingerprint, :secret_hash, "
    ":secret_expires_at, :previous_secret_hash, :previous_secret_expires_at, "
    ":registration_token_hash, :issued_at, :updated_at, :version, :last_used_at, "
    ":tokens_live_until) ON CONFLICT (client_id) DO NOTHING";
constexpr char kFindClientByIdSql[] =
    "SELECT " PORTICO_CLIENT_COLUMNS " FROM oauth_clients WHERE client_id = :client_id";
// The client_id breaks ties between registrations in the same millisecond, so
// every caller picks the same one.
constexpr char kFindClientByFingerprintSql[] =
    "SELECT " PORTICO_CLIENT_COLUMNS
    " FROM oauth_clients WHERE tenant_id = :tenant_id AND fingerprint = :fingerprint "
    "ORDER BY issued_at, client_id LIMIT 1";
constexpr char kUpdateClientSql[] =
    "UPDATE oauth_clients SET tenant_id = :tenant_id, metadata = :metadata, "
    "fingerprint = :fingerprint, secret_hash = :secret_hash, "
    "secret_expires_at = :secret_expires_at, previous_secret_hash = :previous_secret_hash, "
    "previous_secret_expires_at = :previous_secret_expires_at, "
    "registration_token_hash = :registration_token_hash, issued_at = :issued_at, "
    "updated_at = :updated_at, version = :version, last_used_at = :last_used_at, "
    "tokens_live_until = :tokens_live_until "
    "WHERE client_id = :client_id AND version = :expected_version";
constexpr char kClientExistsSql[] = "SELECT COUNT(*) FROM oauth_clients WHERE client_id = :id";
constexpr char kDeleteClientSql[] = "DELETE FROM oauth_clients WHERE client_id = :client_id";
constexpr char kCountClientsByTenantSql[] =
    "SELECT COUNT(*) FROM oauth_clients WHERE tenant_id = :tenant_id";
// Both times only move forward. A NULL :live leaves tokens_live_until as it
// is (NULL compares as unknown, so the CASE keeps the stored value; a stored
// NULL is replaced by NULL).
constexpr char kTouchClientSql[] =
    "UPDATE oauth_clients SET "
    "last_used_at = CASE WHEN last_used_at < :used_at THEN :used_at_again "
    "ELSE last_used_at END, "
    "tokens_live_until = CASE WHEN tokens_live_until IS NULL OR tokens_live_until < :live "
    "THEN :live_again ELSE tokens_live_until END "
    "WHERE client_id = :client_id";
// The subquery picks the oldest candidates; the outer WHERE repeats the
// conditions, so that a row changed meanwhile (PostgreSQL re-evaluates the
// outer WHERE on the row version it waited for) is left alone.
constexpr char kDeleteUnusedClientsSql[] =
    "DELETE FROM oauth_clients WHERE client_id IN ("
    "SELECT client_id FROM oauth_clients WHERE last_used_at < :unused_before "
    "AND (tokens_live_until IS NULL OR tokens_live_until <= :now) "
    "ORDER BY last_used_at, client_id LIMIT :limit) "
    "AND last_used_at < :unused_before_again "
    "AND (tokens_live_until IS NULL OR tokens_live_until <= :now_again) "
    "RETURNING " PORTICO_CLIENT_COLUMNS;

#undef PORTICO_CLIENT_COLUMNS

constexpr char kClientConflict[] = "a client with this client_id already exists";

void SetOptionalText(const std::optional<std::string>& v, std::string& value,
                     soci::indicator& ind) {
  value = v.value_or("");
  ind = v ? soci::i_ok : soci::i_null;
}

void SetOptionalTime(const std::optional<TimePoint>& t, long long& value, soci::indicator& ind) {
  value = t ? ToUnixMillis(*t) : 0;
  ind = t ? soci::i_ok : soci::i_null;
}

// Prepares `st`, whose use() and into() bindings are already exchanged.
void Finish(soci::statement& st, const char* sql_text) {
  st.alloc();
  st.prepare(sql_text);
  st.define_and_bind();
}

std::optional<TimePoint> OptionalTime(long long value, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return FromUnixMillis(value);
}

}  // namespace

void SociClientStore::FillRow(const dcr::ClientRecord& c, Row& row) {
  row.client_id = c.client_id;
  row.tenant_id = c.tenant_id;
  row.metadata = c.metadata.Dump();
  row.fingerprint = c.fingerprint;
  SetOptionalText(c.secret_hash, row.secret_hash, row.secret_hash_ind);
  SetOptionalTime(c.secret_expires_at, row.secret_expires_at, row.secret_expires_ind);
  SetOptionalText(c.previous_secret_hash, row.previous_secret_hash, row.previous_secret_hash_ind);
  SetOptionalTime(c.previous_secret_expires_at, row.previous_secret_expires_at,
                  row.previous_secret_expires_ind);
  row.registration_token_hash = c.registration_token_hash;
  row.issued_at = ToUnixMillis(c.issued_at);
  row.updated_at = ToUnixMillis(c.updated_at);
  row.version = c.version;
  row.last_used_at = ToUnixMillis(c.last_used_at);
  SetOptionalTime(c.tokens_live_until, row.tokens_live_until, row.tokens_live_until_ind);
}

StatusOr<dcr::ClientRecord> SociClientStore::FromRow(const Row& row) {
  dcr::ClientRecord c;
  c.client_id = row.client_id;
  c.tenant_id = row.tenant_id;
  StatusOr<Json> metadata = ParseJson(row.metadata);
  if (!metadata.ok()) {
    return Internal("database error")
        .WithInternal("corrupt metadata of client " + row.client_id + ": " +
                      metadata.status().message());
  }
  c.metadata = std::move(metadata).value();
  c.fingerprint = row.fingerprint;
  if (row.secret_hash_ind == soci::i_ok) c.secret_hash = row.secret_hash;
  c.secret_expires_at = OptionalTime(row.secret_expires_at, row.secret_expires_ind);
  if (row.previous_secret_hash_ind == soci::i_ok) c.previous_secret_hash = row.previous_secret_hash;
  c.previous_secret_expires_at =
      OptionalTime(row.previous_secret_expires_at, row.previous_secret_expires_ind);
  c.registration_token_hash = row.registration_token_hash;
  c.issued_at = FromUnixMillis(row.issued_at);
  c.updated_at = FromUnixMillis(row.updated_at);
  c.version = row.version;
  c.last_used_at = FromUnixMillis(row.last_used_at);
  c.tokens_live_until = OptionalTime(row.tokens_live_until, row.tokens_live_until_ind);
  return c;
}

void SociClientStore::IntoRow(soci::statement& st) {
  Row& r = out_;
  st.exchange(soci::into(r.client_id));
  st.exchange(soci::into(r.tenant_id));
  st.exchange(soci::into(r.metadata));
  st.exchange(soci::into(r.fingerprint));
  st.exchange(soci::into(r.secret_hash, r.secret_hash_ind));
  st.exchange(soci::into(r.secret_expires_at, r.secret_expires_ind));
  st.exchange(soci::into(r.previous_secret_hash, r.previous_secret_hash_ind));
  st.exchange(soci::into(r.previous_secret_expires_at, r.previous_secret_expires_ind));
  st.exchange(soci::into(r.registration_token_hash));
  st.exchange(soci::into(r.issued_at));
  st.exchange(soci::into(r.updated_at));
  st.exchange(soci::into(r.version));
  st.exchange(soci::into(r.last_used_at));
  st.exchange(soci::into(r.tokens_live_until, r.tokens_live_until_ind));
}

void SociClientStore::UseColumns(soci::statement& st, Row& r) {
  st.exchange(soci::use(r.tenant_id));
  st.exchange(soci::use(r.metadata));
  st.exchange(soci::use(r.fingerprint));
  st.exchange(soci::use(r.secret_hash, r.secret_hash_ind));
  st.exchange(soci::use(r.secret_expires_at, r.secret_expires_ind));
  st.exchange(soci::use(r.previous_secret_hash, r.previous_secret_hash_ind));
  st.exchange(soci::use(r.previous_secret_expires_at, r.previous_secret_expires_ind));
  st.exchange(soci::use(r.registration_token_hash));
  st.exchange(soci::use(r.issued_at));
  st.exchange(soci::use(r.updated_at));
  st.exchange(soci::use(r.version));
  st.exchange(soci::use(r.last_used_at));
  st.exchange(soci::use(r.tokens_live_until, r.tokens_live_until_ind));
}

// A missing tenant fails the foreign key: FailedPrecondition (session.h).
// A taken client_id inserts nothing instead of failing the statement: on
// PostgreSQL that keeps the transaction usable without a savepoint around
// every registration (two round trips each).
Status SociClientStore::Insert(const dcr::ClientRecord& client) {
  return Guard(ctx_, kClientConflict, [&]() -> Status {
    FillRow(client, in_);
    if (!insert_) {
      soci::statement& st = insert_.emplace(ctx_.sql);
      Row& r = in_;
      st.exchange(soci::use(r.client_id));
      UseColumns(st, r);
      Finish(st, kInsertClientSql);
    }
    insert_->execute(true);
    if (insert_->get_affected_rows() == 0) return AlreadyExists(kClientConflict);
    return Status();
  });
}

StatusOr<dcr::ClientRecord> SociClientStore::FindById(std::string_view client_id) {
  return Guard(ctx_, "", [&]() -> StatusOr<dcr::ClientRecord> {
    key_.assign(client_id);
    if (!find_by_id_) {
      soci::statement& st = find_by_id_.emplace(ctx_.sql);
      st.exchange(soci::use(key_));
      IntoRow(st);
      Finish(st, kFindClientByIdSql);
    }
    if (!find_by_id_->execute(true)) return NotFound("client not found");
    StatusOr<dcr::ClientRecord> client = FromRow(out_);
    Drain(*find_by_id_);
    return client;
  });
}

StatusOr<std::optional<dcr::ClientRecord>> SociClientStore::FindByFingerprint(
    std::string_view tenant_id, std::string_view fingerprint) {
  // An empty fingerprint marks a client that is never deduplicated.
  if (fingerprint.empty()) return std::optional<dcr::ClientRecord>();
  return Guard(ctx_, "", [&]() -> StatusOr<std::optional<dcr::ClientRecord>> {
    key_.assign(tenant_id);
    key2_.assign(fingerprint);
    if (!find_by_fingerprint_) {
      soci::statement& st = find_by_fingerprint_.emplace(ctx_.sql);
      st.exchange(soci::use(key_));
      st.exchange(soci::use(key2_));
      IntoRow(st);
      Finish(st, kFindClientByFingerprintSql);
    }
    if (!find_by_fingerprint_->execute(true)) return std::optional<dcr::ClientRecord>();
    StatusOr<dcr::ClientRecord> client = FromRow(out_);
    Drain(*find_by_fingerprint_);
    if (!client.ok()) return client.status();
    return std::optional<dcr::ClientRecord>(std::move(client).value());
  });
}

Status SociClientStore::Update(const dcr::ClientRecord& client, int64_t expected_version) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, kClientConflict, [&]() -> Status {
      FillRow(client, in_);
      in_.version = expected_version + 1;
      number_ = expected_version;
      if (!update_) {
        soci::statement& st = update_.emplace(ctx_.sql);
        Row& r = in_;
        UseColumns(st, r);
        st.exchange(soci::use(r.client_id));
        st.exchange(soci::use(number_));
        Finish(st, kUpdateClientSql);
      }
      update_->execute(true);
      if (update_->get_affected_rows() > 0) return Status();
      // No row matched: absent, or another writer bumped the version first.
      key_ = in_.client_id;
      if (!exists_) {
        exists_.emplace(
            (ctx_.sql.prepare << kClientExistsSql, soci::use(key_), soci::into(count_)));
      }
      exists_->execute(true);
      Drain(*exists_);
      if (count_ == 0) return NotFound("client not found");
      return FailedPrecondition("the client was changed concurrently; read it again");
    });
  });
}

Status SociClientStore::Delete(std::string_view client_id) {
  return Guard(ctx_, "", [&]() -> Status {
    key_.assign(client_id);
    if (!delete_) delete_.emplace((ctx_.sql.prepare << kDeleteClientSql, soci::use(key_)));
    delete_->execute(true);
    if (delete_->get_affected_rows() == 0) return NotFound("client not found");
    return Status();
  });
}

StatusOr<int64_t> SociClientStore::CountByTenant(std::string_view tenant_id) {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    key_.assign(tenant_id);
    if (!count_by_tenant_) {
      count_by_tenant_.emplace(
          (ctx_.sql.prepare << kCountClientsByTenantSql, soci::use(key_), soci::into(count_)));
    }
    count_by_tenant_->execute(true);
    const int64_t count = count_;
    Drain(*count_by_tenant_);
    return count;
  });
}

Status SociClientStore::Touch(std::string_view client_id, TimePoint used_at,
                              std::optional<TimePoint> tokens_live_until) {
  return Guard(ctx_, "", [&]() -> Status {
    key_.assign(client_id);
    time_ = ToUnixMillis(used_at);
    SetOptionalTime(tokens_live_until, time2_, time2_ind_);
    if (!touch_) {
      touch_.emplace((ctx_.sql.prepare << kTouchClientSql, soci::use(time_), soci::use(time_),
                      soci::use(time2_, time2_ind_), soci::use(time2_, time2_ind_),
                      soci::use(key_)));
    }
    touch_->execute(true);
    if (touch_->get_affected_rows() == 0) return NotFound("client not found");
    return Status();
  });
}

StatusOr<std::vector<dcr::ClientRecord>> SociClientStore::DeleteUnused(TimePoint unused_before,
                                                                       TimePoint now,
                                                                       size_t limit) {
  if (limit == 0) return std::vector<dcr::ClientRecord>();
  return Guard(ctx_, "", [&]() -> StatusOr<std::vector<dcr::ClientRecord>> {
    time_ = ToUnixMillis(unused_before);
    time2_ = ToUnixMillis(now);
    number_ = static_cast<long long>(
        std::min<size_t>(limit, static_cast<size_t>(std::numeric_limits<long long>::max())));
    if (!delete_unused_) {
      soci::statement& st = delete_unused_.emplace(ctx_.sql);
      st.exchange(soci::use(time_));
      st.exchange(soci::use(time2_));
      st.exchange(soci::use(number_));
      st.exchange(soci::use(time_));
      st.exchange(soci::use(time2_));
      IntoRow(st);
      Finish(st, kDeleteUnusedClientsSql);
    }
    std::vector<dcr::ClientRecord> out;
    Status status;
    if (delete_unused_->execute(true)) {
      do {
        StatusOr<dcr::ClientRecord> client = FromRow(out_);
        if (client.ok()) {
          out.push_back(std::move(client).value());
        } else {
          status = client.status();
        }
      } while (delete_unused_->fetch());
    }
    if (!status.ok()) return status;
    // RETURNING promises no order.
    std::sort(out.begin(), out.end(), [](const dcr::ClientRecord& a, const dcr::ClientRecord& b) {
      return std::tie(a.last_used_at, a.client_id) < std::tie(b.last_used_at, b.client_id);
    });
    return out;
  });
}

}  // namespace portico::db
