#pragma once

// Internal to db/: the SOCI implementation of the signup session store, one
// per pooled session (see soci_stores.h). The contract is in
// signup/session/signup_session_store.h; the SQL lives in
// soci_signup_session_store.cc.

#include <soci/soci.h>

#include <optional>
#include <string>
#include <string_view>

#include "db/session.h"
#include "signup/session/signup_session_store.h"

namespace portico::db {

class StatementSavepoint;  // soci_stores.h

class SociSignupSessionStore : public signup::SignupSessionStore {
 public:
  SociSignupSessionStore(SessionContext& ctx, StatementSavepoint& savepoint)
      : ctx_(ctx), savepoint_(savepoint) {}
  // Releases lapsed holds on the slug, then inserts: two statements under
  // one savepoint; the unique slug_hold key decides between concurrent inserts.
  Status Insert(const signup::SignupSession& session) override;
  StatusOr<signup::SignupSession> Find(std::string_view id) override;
  // Update, InsertIdempotencyRecord and InsertConsentRecord run without a
  // savepoint (two round trips each on PostgreSQL, on every signup's path):
  // see the interface on what a refusal leaves of the caller's transaction.
  Status Update(const signup::SignupSession& session, int64_t expected_version) override;
  StatusOr<bool> IsSlugHeld(std::string_view slug, TimePoint now) override;
  // One SELECT of the due ids, then per id a conditional DELETE of the
  // session and, when it went, of its code and idempotency records:
  // housekeeping's, one-shot statements.
  StatusOr<int64_t> DeleteEndedSessions(TimePoint expired_before, TimePoint closed_before,
                                        int limit) override;
  // Provisioning's records (db/soci_signup_provision_records.cc): every
  // provisioning run finds, inserts and updates its key's record and
  // inserts a consent record, so those statements are prepared once per
  // connection too; the rest are one-shot.
  Status InsertIdempotencyRecord(const signup::IdempotencyRecord& record) override;
  StatusOr<signup::IdempotencyRecord> FindIdempotencyRecord(std::string_view session_id,
                                                            std::string_view key_hash) override;
  Status UpdateIdempotencyRecord(const signup::IdempotencyRecord& record) override;
  StatusOr<int64_t> DeleteIdempotencyRecordsBefore(TimePoint cutoff) override;
  Status InsertConsentRecord(const signup::ConsentRecord& record) override;
  StatusOr<signup::ConsentRecord> FindConsentRecord(std::string_view session_id) override;

 private:
  // The columns of a signup_sessions row, in the order every statement lists them.
  struct Row {
    std::string id, status, company_name, slug, modules, admin_email;
    std::string terms_version, privacy_version, client_ip, user_agent;
    long long accepted_at = 0;
    int otp_sends = 0;
    long long otp_sent_at = 0, otp_expires_at = 0;
    long long email_verified_at = 0;
    soci::indicator email_verified_ind = soci::i_null;
    std::string provision_step_state, failure_reason, tenant_id;
    soci::indicator failure_reason_ind = soci::i_null;
    soci::indicator tenant_id_ind = soci::i_null;
    long long provision_lease_until = 0;
    soci::indicator provision_lease_ind = soci::i_null;
    long long created_at = 0, updated_at = 0, expires_at = 0, version = 0;
  };

  static void FillRow(const signup::SignupSession& session, Row& row);
  static StatusOr<signup::SignupSession> FromRow(const Row& row);

  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
  Row in_;   // values bound to INSERT / UPDATE
  Row out_;  // values selected
  std::string key_;
  long long now_ = 0, now2_ = 0, expected_ = 0, count_ = 0;
  int release_ = 0;
  std::optional<soci::statement> release_holds_, insert_, find_, update_, exists_, held_;

  // Values bound to the prepared statements of provisioning's records.
  struct KeyRow {
    std::string session_id, key_hash, fingerprint, sealed_secrets;
    int response_status = 0;
    long long created_at = 0;
  };
  struct ConsentRow {
    std::string id, session_id, tenant_id, admin_user_id, terms_version, privacy_version;
    std::string client_ip, user_agent;
    long long accepted_at = 0, recorded_at = 0;
  };
  KeyRow key_in_, key_out_;
  ConsentRow consent_in_;
  std::optional<soci::statement> insert_key_, find_key_, update_key_, insert_consent_;
};

}  // namespace portico::db
