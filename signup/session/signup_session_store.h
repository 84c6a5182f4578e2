#pragma once

#include <cstdint>
#include <string_view>

#include "portico/clock.h"
#include "portico/status.h"
#include "signup/session/signup_session.h"

namespace portico::signup {

// Signup sessions. One instance belongs to one database session (see
// portico/database.h): not thread-safe, use it inside Database::Run/Transact.
//
// Slug uniqueness is the database's: a session holds its slug
// (case-insensitively) through a unique key from Insert until it stops
// holding it (HoldsSlug false: expired before provisioning, EXPIRED or
// FAILED), so of concurrent inserts for one slug exactly one succeeds, on any
// number of processes. Tenants' slugs are the TenantStore's; a caller checks
// both in one transaction.
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
};

}  // namespace portico::signup
