// Signup provisioning's idempotency and consent records (migration 006).
#include "db/soci_signup_stores.h"
#include "db/soci_stores.h"

namespace portico::db {
namespace {

constexpr char kInsertIdempotencySql[] =
    "INSERT INTO signup_idempotency_keys (session_id, key_hash, fingerprint, sealed_secrets, "
    "response_status, created_at) VALUES (:session_id, :key_hash, :fingerprint, :sealed, "
    ":response_status, :created_at)";
constexpr char kFindIdempotencySql[] =
    "SELECT fingerprint, sealed_secrets, response_status, created_at FROM "
    "signup_idempotency_keys WHERE session_id = :session_id AND key_hash = :key_hash";
constexpr char kUpdateIdempotencySql[] =
    "UPDATE signup_idempotency_keys SET sealed_secrets = :sealed, response_status = "
    ":response_status WHERE session_id = :session_id AND key_hash = :key_hash";
constexpr char kDeleteIdempotencySql[] =
    "DELETE FROM signup_idempotency_keys WHERE created_at < :cutoff";
constexpr char kInsertConsentSql[] =
    "INSERT INTO signup_consent_records (id, session_id, tenant_id, admin_user_id, "
    "terms_version, privacy_version, accepted_at, recorded_at, client_ip, user_agent) VALUES "
    "(:id, :session_id, :tenant_id, :admin_user_id, :terms_version, :privacy_version, "
    ":accepted_at, :recorded_at, :client_ip, :user_agent)";
constexpr char kFindConsentSql[] =
    "SELECT id, tenant_id, admin_user_id, terms_version, privacy_version, accepted_at, "
    "recorded_at, client_ip, user_agent FROM signup_consent_records WHERE session_id = "
    ":session_id";

}  // namespace

Status SociSignupSessionStore::InsertIdempotencyRecord(const signup::IdempotencyRecord& record) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, "idempotency record exists", [&]() -> Status {
      long long created_at = ToUnixMillis(record.created_at);
      int response_status = record.response_status;
      ctx_.sql << kInsertIdempotencySql, soci::use(record.session_id),
          soci::use(record.key_hash), soci::use(record.fingerprint),
          soci::use(record.sealed_secrets), soci::use(response_status), soci::use(created_at);
      return Status();
    });
  });
}

StatusOr<signup::IdempotencyRecord> SociSignupSessionStore::FindIdempotencyRecord(
    std::string_view session_id, std::string_view key_hash) {
  return Guard(ctx_, "", [&]() -> StatusOr<signup::IdempotencyRecord> {
    signup::IdempotencyRecord record;
    record.session_id.assign(session_id);
    record.key_hash.assign(key_hash);
    long long created_at = 0;
    soci::indicator found = soci::i_null;
    ctx_.sql << kFindIdempotencySql, soci::use(record.session_id), soci::use(record.key_hash),
        soci::into(record.fingerprint, found), soci::into(record.sealed_secrets),
        soci::into(record.response_status), soci::into(created_at);
    if (!ctx_.sql.got_data()) return NotFound("no idempotency record");
    record.created_at = FromUnixMillis(created_at);
    return record;
  });
}

Status SociSignupSessionStore::UpdateIdempotencyRecord(const signup::IdempotencyRecord& record) {
  return Guard(ctx_, "", [&]() -> Status {
    int response_status = record.response_status;
    soci::statement st = (ctx_.sql.prepare << kUpdateIdempotencySql,
                          soci::use(record.sealed_secrets), soci::use(response_status),
                          soci::use(record.session_id), soci::use(record.key_hash));
    st.execute(true);
    if (st.get_affected_rows() == 0) return NotFound("no idempotency record");
    return Status();
  });
}

StatusOr<int64_t> SociSignupSessionStore::DeleteIdempotencyRecordsBefore(TimePoint cutoff) {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    long long at = ToUnixMillis(cutoff);
    soci::statement st = (ctx_.sql.prepare << kDeleteIdempotencySql, soci::use(at));
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

Status SociSignupSessionStore::InsertConsentRecord(const signup::ConsentRecord& record) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, "consent record exists", [&]() -> Status {
      long long accepted_at = ToUnixMillis(record.accepted_at);
      long long recorded_at = ToUnixMillis(record.recorded_at);
      ctx_.sql << kInsertConsentSql, soci::use(record.id), soci::use(record.session_id),
          soci::use(record.tenant_id), soci::use(record.admin_user_id),
          soci::use(record.terms_version), soci::use(record.privacy_version),
          soci::use(accepted_at), soci::use(recorded_at), soci::use(record.client_ip),
          soci::use(record.user_agent);
      return Status();
    });
  });
}

StatusOr<signup::ConsentRecord> SociSignupSessionStore::FindConsentRecord(
    std::string_view session_id) {
  return Guard(ctx_, "", [&]() -> StatusOr<signup::ConsentRecord> {
    signup::ConsentRecord r;
    r.session_id.assign(session_id);
    long long accepted_at = 0, recorded_at = 0;
    ctx_.sql << kFindConsentSql, soci::use(r.session_id), soci::into(r.id),
        soci::into(r.tenant_id), soci::into(r.admin_user_id), soci::into(r.terms_version),
        soci::into(r.privacy_version), soci::into(accepted_at), soci::into(recorded_at),
        soci::into(r.client_ip), soci::into(r.user_agent);
    if (!ctx_.sql.got_data()) return NotFound("no consent record");
    r.accepted_at = FromUnixMillis(accepted_at);
    r.recorded_at = FromUnixMillis(recorded_at);
    return r;
  });
}

}  // namespace portico::db
