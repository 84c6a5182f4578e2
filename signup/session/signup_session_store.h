#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/status.h"
#include "signup/session/signup_session.h"

namespace portico::signup {

// Signup sessions. One instance belongs to one database session (see
// portico/database.h): not thread-safe, use it inside Database::Run/Transact.
// Inside Database::Transact, a refused Insert (AlreadyExists) and an Update
// refused with NotFound or FailedPrecondition leave the transaction usable;
// after any other failure (InsertIdempotencyRecord's and
// InsertConsentRecord's AlreadyExists included) the caller must end its
// transaction (PostgreSQL has aborted it), as every caller does.
//
// Slug uniqueness is the database's: a session holds its slug
// (case-insensitively) through a unique key from Insert until it stops
// holding it (HoldsSlug false: expired before provisioning, EXPIRED or
// FAILED), so of concurrent inserts for one slug exactly one succeeds, on any
// number of processes. Tenants' slugs are the TenantStore's; a caller checks
// both in one transaction.
// One idempotency key of a session's provisioning (IETF Idempotency-Key
// semantics): the request's fingerprint and the secrets minted under it,
// sealed (AES-256-GCM under a key derived from KEY_HASH_SECRET and the
// idempotency key itself, so the stored row alone reveals nothing). Deleted
// once older than a day (DeleteIdempotencyRecordsBefore).
struct IdempotencyRecord {
  std::string session_id;
  std::string key_hash;        // hex HMAC-SHA256(KEY_HASH_SECRET, key)
  std::string fingerprint;     // hex SHA-256 of the canonical request body
  std::string sealed_secrets;  // "" or SealAesGcm of a JSON object {name: secret}
  int response_status = 0;     // 0 while running, then 201 or 202
  TimePoint created_at;
};

// The consent given with a signup (GDPR Art. 7), recorded once provisioning
// knows the tenant and the admin account. Immutable: the store has no update
// path and the table refuses UPDATE.
struct ConsentRecord {
  std::string id;
  std::string session_id;  // unique: one record per session
  std::string tenant_id;
  std::string admin_user_id;
  std::string terms_version;
  std::string privacy_version;
  TimePoint accepted_at;  // as the client stated it
  TimePoint recorded_at;  // when the server recorded it
  std::string client_ip;
  std::string user_agent;
};

// How long ended sessions are kept before housekeeping deletes them
// (SignupSessionStore::DeleteEndedSessions): a session that never started
// provisioning, a week past its expiry; a PROVISIONED (or FAILED) one, for
// support and audit, 30 days past its last change (when provisioning
// finished, or when an operator closed it).
struct SignupRetention {
  std::chrono::hours after_expiry{24 * 7};
  std::chrono::hours after_provisioning{24 * 30};
};

class SignupSessionStore {
 public:
  virtual ~SignupSessionStore() = default;

  // Stores a new session (version as given, normally 1) holding its slug.
  // First releases the slug from sessions that no longer hold it at
  // session.created_at. AlreadyExists when another session still holds the
  // slug (compared case-insensitively) or the id is taken (with ≥ 256 random
  // bits, never in practice).
  virtual Status Insert(const SignupSession& session) = 0;

  // NotFound when absent. The stored status, not EffectiveStatus.
  virtual StatusOr<SignupSession> Find(std::string_view id) = 0;

  // Compare-and-set: writes the mutable fields of `session` (status, OTP
  // fields, email_verified_at, provision_step_state, failure_reason,
  // tenant_id, provision_lease_until, updated_at) and sets version to
  // expected_version + 1; the rest (company, slug, modules, email, legal
  // acceptance, created_at, expires_at) never changes. Moving to EXPIRED or
  // FAILED releases the slug. NotFound when absent; FailedPrecondition when
  // the stored version is not `expected_version` (someone else wrote first).
  virtual Status Update(const SignupSession& session, int64_t expected_version) = 0;

  // Whether some session holds `slug` (case-insensitively) at `now`.
  virtual StatusOr<bool> IsSlugHeld(std::string_view slug, TimePoint now) = 0;

  // Idempotency records of provisioning, by (session_id, key_hash).
  // AlreadyExists when the pair exists.
  virtual Status InsertIdempotencyRecord(const IdempotencyRecord& record) = 0;
  // NotFound when absent.
  virtual StatusOr<IdempotencyRecord> FindIdempotencyRecord(std::string_view session_id,
                                                            std::string_view key_hash) = 0;
  // Writes sealed_secrets and response_status (the rest never changes).
  // NotFound when absent.
  virtual Status UpdateIdempotencyRecord(const IdempotencyRecord& record) = 0;
  // Deletes records created before `cutoff`; returns how many.
  virtual StatusOr<int64_t> DeleteIdempotencyRecordsBefore(TimePoint cutoff) = 0;

  // Housekeeping: deletes at most `limit` sessions that have ended — never
  // started provisioning (PENDING_EMAIL_VERIFICATION, EMAIL_VERIFIED,
  // EXPIRED) with expires_at before `expired_before`, or PROVISIONED or
  // FAILED with updated_at before `closed_before` (and expires_at before
  // `expired_before`) — with what belongs to them alone: their one-time code
  // (the OTP store's row under kSignupOtpPurpose and the session id) and
  // their idempotency records. Consent records, tenants, accounts and
  // credentials stay. PROVISIONING and REVIEW_REQUIRED sessions are never
  // deleted: they can still be resumed (an operator closes one as FAILED).
  // Each session is re-checked as it is deleted, so a concurrent change
  // keeps it. Call inside Database::Transact so that a session and its
  // rows go together. Returns how many sessions were deleted (fewer than
  // `limit`: nothing more was due).
  virtual StatusOr<int64_t> DeleteEndedSessions(TimePoint expired_before, TimePoint closed_before,
                                                int limit) = 0;

  // AlreadyExists when the session already has its consent record.
  virtual Status InsertConsentRecord(const ConsentRecord& record) = 0;
  // NotFound when absent.
  virtual StatusOr<ConsentRecord> FindConsentRecord(std::string_view session_id) = 0;
};

}  // namespace portico::signup
