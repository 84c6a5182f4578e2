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
  return Guard(ctx_, "idempotency record exists", [&]() -> Status {
    KeyRow& k = key_in_;
    k.session_id = record.session_id;
    k.key_hash = record.key_hash;
    k.fingerprint = record.fingerprint;
    k.sealed_secrets = record.sealed_secrets;
    k.response_status = record.response_status;
    k.created_at = ToUnixMillis(record.created_at);
    if (!insert_key_) {
      insert_key_.emplace((ctx_.sql.prepare << kInsertIdempotencySql, soci::use(k.session_id),
                           soci::use(k.key_hash), soci::use(k.fingerprint),
                           soci::use(k.sealed_secrets), soci::use(k.response_status),
                           soci::use(k.created_at)));
    }
    insert_key_->execute(true);
    return Status();
  });
}

StatusOr<signup::IdempotencyRecord> SociSignupSessionStore::FindIdempotencyRecord(
    std::string_view session_id, std::string_view key_hash) {
  return Guard(ctx_, "", [&]() -> StatusOr<signup::IdempotencyRecord> {
    KeyRow& k = key_out_;
    k.session_id.assign(session_id);
    k.key_hash.assign(key_hash);
    if (!find_key_) {
      find_key_.emplace((ctx_.sql.prepare << kFindIdempotencySql, soci::use(k.session_id),
                         soci::use(k.key_hash), soci::into(k.fingerprint),
                         soci::into(k.sealed_secrets), soci::into(k.response_status),
                         soci::into(k.created_at)));
    }
    if (!find_key_->execute(true)) return NotFound("no idempotency record");
    signup::IdempotencyRecord record;
    record.session_id = k.session_id;
    record.key_hash = k.key_hash;
    record.fingerprint = k.fingerprint;
    record.sealed_secrets = k.sealed_secrets;
    record.response_status = k.response_status;
    record.created_at = FromUnixMillis(k.created_at);
    Drain(*find_key_);
    return record;
  });
}

Status SociSignupSessionStore::UpdateIdempotencyRecord(const signup::IdempotencyRecord& record) {
  return Guard(ctx_, "", [&]() -> Status {
    KeyRow& k = key_in_;
    k.sealed_secrets = record.sealed_secrets;
    k.response_status = record.response_status;
    k.session_id = record.session_id;
    k.key_hash = record.key_hash;
    if (!update_key_) {
      update_key_.emplace((ctx_.sql.prepare << kUpdateIdempotencySql, soci::use(k.sealed_secrets),
                           soci::use(k.response_status), soci::use(k.session_id),
                           soci::use(k.key_hash)));
    }
    update_key_->execute(true);
    if (update_key_->get_affected_rows() == 0) return NotFound("no idempotency record");
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
  return Guard(ctx_, "consent record exists", [&]() -> Status {
    ConsentRow& c = consent_in_;
    c.id = record.id;
    c.session_id = record.session_id;
    c.tenant_id = record.tenant_id;
    c.admin_user_id = record.admin_user_id;
    c.terms_version = record.terms_version;
    c.privacy_version = record.privacy_version;
    c.accepted_at = ToUnixMillis(record.accepted_at);
    c.recorded_at = ToUnixMillis(record.recorded_at);
    c.client_ip = record.client_ip;
    c.user_agent = record.user_agent;
    if (!insert_consent_) {
      insert_consent_.emplace(
          (ctx_.sql.prepare << kInsertConsentSql, soci::use(c.id), soci::use(c.session_id),
           soci::use(c.tenant_id), soci::use(c.admin_user_id), soci::use(c.terms_version),
           soci::use(c.privacy_version), soci::use(c.accepted_at), soci::use(c.recorded_at),
           soci::use(c.client_ip), soci::use(c.user_agent)));
    }
    insert_consent_->execute(true);
    return Status();
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
