#include <string>
#include <vector>

#include "db/codec.h"
#include "db/soci_signup_stores.h"
#include "db/soci_stores.h"
#include "portico/parse_json.h"

namespace portico::db {
namespace {

using signup::SignupSession;
using signup::SignupStatus;

#define PORTICO_SIGNUP_COLUMNS                                                                  \
  "id, status, company_name, slug, modules, admin_email, terms_version, privacy_version, "      \
  "accepted_at, client_ip, user_agent, otp_sends, otp_sent_at, otp_expires_at, "                \
  "email_verified_at, provision_step_state, failure_reason, tenant_id, provision_lease_until, " \
  "created_at, updated_at, expires_at, version"

// The SQL form of signup::HoldsSlug: a session keeps its slug unless it is
// EXPIRED or FAILED, or expired before it started provisioning. The status
// names are SignupStatusName's.
#define PORTICO_SIGNUP_HOLDS                 \
  "status NOT IN ('EXPIRED', 'FAILED') AND " \
  "(status NOT IN ('PENDING_EMAIL_VERIFICATION', 'EMAIL_VERIFIED') OR expires_at > :now)"

constexpr char kReleaseLapsedHoldsSql[] =
    "UPDATE signup_sessions SET slug_hold = NULL WHERE slug_hold = :slug_key "
    "AND NOT (" PORTICO_SIGNUP_HOLDS ")";
constexpr char kInsertSignupSessionSql[] =
    "INSERT INTO signup_sessions (" PORTICO_SIGNUP_COLUMNS
    ", slug_hold) VALUES (:id, :status, :company_name, :slug, :modules, :admin_email, "
    ":terms_version, :privacy_version, :accepted_at, :client_ip, :user_agent, :otp_sends, "
    ":otp_sent_at, :otp_expires_at, :email_verified_at, :provision_step_state, :failure_reason, "
    ":tenant_id, :provision_lease_until, :created_at, :updated_at, :expires_at, :version, "
    ":slug_hold)";
constexpr char kFindSignupSessionSql[] =
    "SELECT " PORTICO_SIGNUP_COLUMNS " FROM signup_sessions WHERE id = :id";
// Only the mutable columns; a move to EXPIRED or FAILED (:release = 1) also
// gives the slug up.
constexpr char kUpdateSignupSessionSql[] =
    "UPDATE signup_sessions SET status = :status, "
    "slug_hold = CASE WHEN :release = 1 THEN NULL ELSE slug_hold END, "
    "otp_sends = :otp_sends, otp_sent_at = :otp_sent_at, otp_expires_at = :otp_expires_at, "
    "email_verified_at = :email_verified_at, provision_step_state = :provision_step_state, "
    "failure_reason = :failure_reason, tenant_id = :tenant_id, "
    "provision_lease_until = :provision_lease_until, updated_at = :updated_at, "
    "version = :version WHERE id = :id AND version = :expected_version";
constexpr char kSignupSessionExistsSql[] = "SELECT COUNT(*) FROM signup_sessions WHERE id = :id";
constexpr char kSlugHeldSql[] =
    "SELECT COUNT(*) FROM signup_sessions WHERE slug_hold = :slug_key AND " PORTICO_SIGNUP_HOLDS;

// The sessions DeleteEndedSessions may delete (see signup_session_store.h):
// never provisioned and a retention past their expiry, or PROVISIONED /
// FAILED and a longer retention past their last change.
#define PORTICO_SIGNUP_ENDED                                                       \
  "((status IN ('PENDING_EMAIL_VERIFICATION', 'EMAIL_VERIFIED', 'EXPIRED') "       \
  "AND expires_at < :expired_before) OR (status IN ('PROVISIONED', 'FAILED') AND " \
  "updated_at < :closed_before AND expires_at < :expired_before2))"

constexpr char kSelectEndedSql[] = "SELECT id FROM signup_sessions WHERE " PORTICO_SIGNUP_ENDED
                                   " ORDER BY expires_at, id "
                                   "LIMIT :limit";
constexpr char kDeleteEndedSql[] =
    "DELETE FROM signup_sessions WHERE id = :id AND " PORTICO_SIGNUP_ENDED;
// The session's own rows: its one-time code and its idempotency records (the
// consent record stays: it outlives the session, GDPR Art. 7(1)).
constexpr char kDeleteSessionOtpSql[] =
    "DELETE FROM otps WHERE purpose = :purpose AND subject = :id";
constexpr char kDeleteSessionKeysSql[] =
    "DELETE FROM signup_idempotency_keys WHERE session_id = :id";

#undef PORTICO_SIGNUP_ENDED
#undef PORTICO_SIGNUP_HOLDS
#undef PORTICO_SIGNUP_COLUMNS

constexpr char kSignupConflict[] = "another signup session holds this slug";

// Prepares `st`, whose use() and into() bindings are already exchanged.
void Finish(soci::statement& st, const char* sql_text) {
  st.alloc();
  st.prepare(sql_text);
  st.define_and_bind();
}

void SetOptionalTime(const std::optional<TimePoint>& t, long long& value, soci::indicator& ind) {
  value = t ? ToUnixMillis(*t) : 0;
  ind = t ? soci::i_ok : soci::i_null;
}

std::optional<TimePoint> OptionalTime(long long value, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return FromUnixMillis(value);
}

Status Corrupt(const std::string& id, const std::string& what) {
  return Internal("database error").WithInternal("corrupt signup session " + id + ": " + what);
}

}  // namespace

void SociSignupSessionStore::FillRow(const SignupSession& s, Row& row) {
  row.id = s.id;
  row.status = signup::SignupStatusName(s.status);
  row.company_name = s.company_name;
  row.slug = s.slug;
  row.modules = EncodeStringList(s.modules);
  row.admin_email = s.admin_email;
  row.terms_version = s.legal.terms_version;
  row.privacy_version = s.legal.privacy_version;
  row.accepted_at = ToUnixMillis(s.legal.accepted_at);
  row.client_ip = s.legal.client_ip;
  row.user_agent = s.legal.user_agent;
  row.otp_sends = s.otp_sends;
  row.otp_sent_at = ToUnixMillis(s.otp_sent_at);
  row.otp_expires_at = ToUnixMillis(s.otp_expires_at);
  SetOptionalTime(s.email_verified_at, row.email_verified_at, row.email_verified_ind);
  row.provision_step_state =
      s.provision_step_state.is_object() ? s.provision_step_state.Dump() : "{}";
  row.failure_reason = s.failure_reason.is_null() ? "" : s.failure_reason.Dump();
  row.failure_reason_ind = s.failure_reason.is_null() ? soci::i_null : soci::i_ok;
  row.tenant_id = s.tenant_id.value_or("");
  row.tenant_id_ind = s.tenant_id ? soci::i_ok : soci::i_null;
  SetOptionalTime(s.provision_lease_until, row.provision_lease_until, row.provision_lease_ind);
  row.created_at = ToUnixMillis(s.created_at);
  row.updated_at = ToUnixMillis(s.updated_at);
  row.expires_at = ToUnixMillis(s.expires_at);
  row.version = s.version;
}

StatusOr<SignupSession> SociSignupSessionStore::FromRow(const Row& row) {
  SignupSession s;
  s.id = row.id;
  const std::optional<SignupStatus> status = signup::ParseSignupStatus(row.status);
  if (!status) return Corrupt(row.id, "unknown status " + row.status);
  s.status = *status;
  s.company_name = row.company_name;
  s.slug = row.slug;
  PORTICO_ASSIGN_OR_RETURN(s.modules, DecodeStringList(row.modules));
  s.admin_email = row.admin_email;
  s.legal.terms_version = row.terms_version;
  s.legal.privacy_version = row.privacy_version;
  s.legal.accepted_at = FromUnixMillis(row.accepted_at);
  s.legal.client_ip = row.client_ip;
  s.legal.user_agent = row.user_agent;
  s.otp_sends = row.otp_sends;
  s.otp_sent_at = FromUnixMillis(row.otp_sent_at);
  s.otp_expires_at = FromUnixMillis(row.otp_expires_at);
  s.email_verified_at = OptionalTime(row.email_verified_at, row.email_verified_ind);
  StatusOr<Json> steps = ParseJson(row.provision_step_state);
  if (!steps.ok() || !steps->is_object()) return Corrupt(row.id, "provision_step_state");
  s.provision_step_state = std::move(steps).value();
  if (row.failure_reason_ind == soci::i_ok) {
    StatusOr<Json> reason = ParseJson(row.failure_reason);
    if (!reason.ok()) return Corrupt(row.id, "failure_reason");
    s.failure_reason = std::move(reason).value();
  }
  if (row.tenant_id_ind == soci::i_ok) s.tenant_id = row.tenant_id;
  s.provision_lease_until = OptionalTime(row.provision_lease_until, row.provision_lease_ind);
  s.created_at = FromUnixMillis(row.created_at);
  s.updated_at = FromUnixMillis(row.updated_at);
  s.expires_at = FromUnixMillis(row.expires_at);
  s.version = row.version;
  return s;
}

Status SociSignupSessionStore::Insert(const SignupSession& session) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, kSignupConflict, [&]() -> Status {
      FillRow(session, in_);
      key_ = AsciiLower(session.slug);
      now_ = ToUnixMillis(session.created_at);
      if (!release_holds_) {
        release_holds_.emplace(
            (ctx_.sql.prepare << kReleaseLapsedHoldsSql, soci::use(key_), soci::use(now_)));
      }
      release_holds_->execute(true);
      if (!insert_) {
        soci::statement& st = insert_.emplace(ctx_.sql);
        Row& r = in_;
        st.exchange(soci::use(r.id));
        st.exchange(soci::use(r.status));
        st.exchange(soci::use(r.company_name));
        st.exchange(soci::use(r.slug));
        st.exchange(soci::use(r.modules));
        st.exchange(soci::use(r.admin_email));
        st.exchange(soci::use(r.terms_version));
        st.exchange(soci::use(r.privacy_version));
        st.exchange(soci::use(r.accepted_at));
        st.exchange(soci::use(r.client_ip));
        st.exchange(soci::use(r.user_agent));
        st.exchange(soci::use(r.otp_sends));
        st.exchange(soci::use(r.otp_sent_at));
        st.exchange(soci::use(r.otp_expires_at));
        st.exchange(soci::use(r.email_verified_at, r.email_verified_ind));
        st.exchange(soci::use(r.provision_step_state));
        st.exchange(soci::use(r.failure_reason, r.failure_reason_ind));
        st.exchange(soci::use(r.tenant_id, r.tenant_id_ind));
        st.exchange(soci::use(r.provision_lease_until, r.provision_lease_ind));
        st.exchange(soci::use(r.created_at));
        st.exchange(soci::use(r.updated_at));
        st.exchange(soci::use(r.expires_at));
        st.exchange(soci::use(r.version));
        st.exchange(soci::use(key_));
        Finish(st, kInsertSignupSessionSql);
      }
      insert_->execute(true);
      return Status();
    });
  });
}

StatusOr<SignupSession> SociSignupSessionStore::Find(std::string_view id) {
  return Guard(ctx_, "", [&]() -> StatusOr<SignupSession> {
    key_.assign(id);
    if (!find_) {
      soci::statement& st = find_.emplace(ctx_.sql);
      Row& r = out_;
      st.exchange(soci::into(r.id));
      st.exchange(soci::into(r.status));
      st.exchange(soci::into(r.company_name));
      st.exchange(soci::into(r.slug));
      st.exchange(soci::into(r.modules));
      st.exchange(soci::into(r.admin_email));
      st.exchange(soci::into(r.terms_version));
      st.exchange(soci::into(r.privacy_version));
      st.exchange(soci::into(r.accepted_at));
      st.exchange(soci::into(r.client_ip));
      st.exchange(soci::into(r.user_agent));
      st.exchange(soci::into(r.otp_sends));
      st.exchange(soci::into(r.otp_sent_at));
      st.exchange(soci::into(r.otp_expires_at));
      st.exchange(soci::into(r.email_verified_at, r.email_verified_ind));
      st.exchange(soci::into(r.provision_step_state));
      st.exchange(soci::into(r.failure_reason, r.failure_reason_ind));
      st.exchange(soci::into(r.tenant_id, r.tenant_id_ind));
      st.exchange(soci::into(r.provision_lease_until, r.provision_lease_ind));
      st.exchange(soci::into(r.created_at));
      st.exchange(soci::into(r.updated_at));
      st.exchange(soci::into(r.expires_at));
      st.exchange(soci::into(r.version));
      st.exchange(soci::use(key_));
      Finish(st, kFindSignupSessionSql);
    }
    if (!find_->execute(true)) return NotFound("signup session not found");
    StatusOr<SignupSession> session = FromRow(out_);
    Drain(*find_);
    return session;
  });
}

Status SociSignupSessionStore::Update(const SignupSession& session, int64_t expected_version) {
  // No savepoint (see soci_signup_stores.h): nothing here can conflict, and a
  // lost compare-and-set is no error to recover from.
  return Guard(ctx_, kSignupConflict, [&]() -> Status {
    FillRow(session, in_);
    in_.version = expected_version + 1;
    expected_ = expected_version;
    release_ =
        session.status == SignupStatus::kExpired || session.status == SignupStatus::kFailed ? 1 : 0;
    if (!update_) {
      soci::statement& st = update_.emplace(ctx_.sql);
      Row& r = in_;
      st.exchange(soci::use(r.status));
      st.exchange(soci::use(release_));
      st.exchange(soci::use(r.otp_sends));
      st.exchange(soci::use(r.otp_sent_at));
      st.exchange(soci::use(r.otp_expires_at));
      st.exchange(soci::use(r.email_verified_at, r.email_verified_ind));
      st.exchange(soci::use(r.provision_step_state));
      st.exchange(soci::use(r.failure_reason, r.failure_reason_ind));
      st.exchange(soci::use(r.tenant_id, r.tenant_id_ind));
      st.exchange(soci::use(r.provision_lease_until, r.provision_lease_ind));
      st.exchange(soci::use(r.updated_at));
      st.exchange(soci::use(r.version));
      st.exchange(soci::use(r.id));
      st.exchange(soci::use(expected_));
      Finish(st, kUpdateSignupSessionSql);
    }
    update_->execute(true);
    if (update_->get_affected_rows() > 0) return Status();
    // No row matched: absent, or another writer bumped the version first.
    key_ = in_.id;
    if (!exists_) {
      exists_.emplace(
          (ctx_.sql.prepare << kSignupSessionExistsSql, soci::use(key_), soci::into(count_)));
    }
    exists_->execute(true);
    Drain(*exists_);
    if (count_ == 0) return NotFound("signup session not found");
    return FailedPrecondition("the signup session was changed concurrently; read it again");
  });
}

StatusOr<bool> SociSignupSessionStore::IsSlugHeld(std::string_view slug, TimePoint now) {
  return Guard(ctx_, "", [&]() -> StatusOr<bool> {
    key_ = AsciiLower(slug);
    now2_ = ToUnixMillis(now);
    if (!held_) {
      held_.emplace((ctx_.sql.prepare << kSlugHeldSql, soci::use(key_), soci::use(now2_),
                     soci::into(count_)));
    }
    held_->execute(true);
    Drain(*held_);
    return count_ > 0;
  });
}

StatusOr<int64_t> SociSignupSessionStore::DeleteEndedSessions(TimePoint expired_before,
                                                              TimePoint closed_before, int limit) {
  if (limit <= 0) return int64_t{0};
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    long long expired = ToUnixMillis(expired_before);
    long long closed = ToUnixMillis(closed_before);
    std::vector<std::string> ids(static_cast<size_t>(limit));
    ctx_.sql << kSelectEndedSql, soci::use(expired), soci::use(closed), soci::use(expired),
        soci::use(limit), soci::into(ids);
    if (!ctx_.sql.got_data()) ids.clear();

    std::string id;
    std::string purpose = signup::kSignupOtpPurpose;
    soci::statement session = (ctx_.sql.prepare << kDeleteEndedSql, soci::use(id),
                               soci::use(expired), soci::use(closed), soci::use(expired));
    soci::statement otp =
        (ctx_.sql.prepare << kDeleteSessionOtpSql, soci::use(purpose), soci::use(id));
    soci::statement keys = (ctx_.sql.prepare << kDeleteSessionKeysSql, soci::use(id));
    int64_t deleted = 0;
    for (const std::string& due : ids) {
      id = due;
      session.execute(true);
      // Changed since the SELECT (e.g. by another process): not ours to delete.
      if (session.get_affected_rows() == 0) continue;
      otp.execute(true);
      keys.execute(true);
      ++deleted;
    }
    return deleted;
  });
}

}  // namespace portico::db
