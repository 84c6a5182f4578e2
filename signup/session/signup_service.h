#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/database.h"
#include "portico/json.h"
#include "portico/metrics.h"
#include "portico/otp_verifier.h"
#include "portico/random.h"
#include "portico/status.h"
#include "signup/session/signup_limits.h"
#include "signup/session/signup_session.h"

namespace portico::signup {

struct SignupOptions {
  // SIGNUP_SESSION_TTL_MINUTES: how long a session may take to start provisioning.
  std::chrono::seconds session_ttl = std::chrono::hours(24);
  // A new code at most this often, and at most this many codes per session
  // (the first included).
  std::chrono::seconds resend_cooldown{60};
  int max_otp_sends = 5;
  SignupRateLimits limits;
  // SIGNUP_OTP_TEMPLATE_ID: the provider template of the code mail (Resend);
  // the plain-text body always carries the code as well.
  std::string otp_template_id;
  // Counts the funnel (portico_signup_sessions_created_total,
  // portico_signup_emails_verified_total, attempts, blocked, rate-limit
  // rejections); null counts nothing. Must outlive the service.
  Metrics* metrics = nullptr;
};

// What the server observed about the caller.
struct ClientContext {
  std::string ip;          // the request's client IP
  std::string user_agent;  // "" when absent
};

// Wire codes (runbook seed 000 and the envelope of signup/http/signup_error.h)
// carried as Status tags by this service, besides INVALID_REQUEST
// (create_request.h) and the OTP verifier's OTP_INVALID / OTP_EXPIRED /
// OTP_LOCKED.
inline constexpr char kNotFoundCode[] = "NOT_FOUND";
inline constexpr char kSlugTaken[] = "SLUG_TAKEN";
inline constexpr char kSessionExpired[] = "SESSION_EXPIRED";
inline constexpr char kEmailAlreadyVerified[] = "EMAIL_ALREADY_VERIFIED";
inline constexpr char kRateLimited[] = "RATE_LIMITED";
inline constexpr char kConflict[] = "CONFLICT";

// Self-serve signup sessions up to a verified email: create (the code mailed
// through the outbox in the same transaction), verify-email, resend-otp and
// reads. Provisioning builds on the stored session. Thread-safe; every state
// is in the database, so any number of processes may serve one session.
//
// Errors (Status code, tag):
//   InvalidArgument INVALID_REQUEST  malformed request (details {field, reason})
//   InvalidArgument OTP_INVALID | OTP_EXPIRED | OTP_LOCKED  a wrong code
//                   (details {reason, attemptsRemaining}); the attempt is counted
//   NotFound NOT_FOUND               no session with that id
//   AlreadyExists SLUG_TAKEN         a tenant or a live session has the slug
//   FailedPrecondition SESSION_EXPIRED / EMAIL_ALREADY_VERIFIED  the session's state
//   ResourceExhausted RATE_LIMITED   retry_after_seconds set; details {scope
//                   (ip | domain | email | session), retryAfterSeconds, limit,
//                   windowSeconds}; scope session also has reason
//                   OTP_RESEND_COOLDOWN (1 per resend_cooldown) or
//                   OTP_SEND_LIMIT (max_otp_sends per session_ttl)
//   Aborted CONFLICT                 a concurrent change won; retrying is safe
//   Unavailable / Internal           the database
class SignupService {
 public:
  // `otp` must use the same clock. All references must outlive the service.
  SignupService(Database& db, const OtpVerifier& otp, Random& random, const Clock& clock,
                SignupOptions options);

  // POST /api/public/signup/sessions: validates `body` (ParseCreateRequest),
  // counts the create limits (IP, then domain, then address; a refused
  // request still counts), then in one transaction checks the slug against
  // tenants, stores the session (which takes the slug), issues the code and
  // queues its mail and an audit event. Returns the new session
  // (PENDING_EMAIL_VERIFICATION).
  StatusOr<SignupSession> Create(const Json& body, const ClientContext& client);

  // POST …/{id}/verify-email with {"otp"}: counts the verify limits (IP
  // before the lookup, so unknown ids cannot be probed freely; then domain
  // and address), then verifies the code and marks the session
  // EMAIL_VERIFIED in one transaction. A wrong code's attempt is committed.
  StatusOr<SignupSession> VerifyEmail(std::string_view session_id, const Json& body,
                                      const ClientContext& client);

  // POST …/{id}/resend-otp with {}: a new code replacing the old (its
  // attempts start afresh), mailed like the first; refused
  // (RATE_LIMITED, scope session) within resend_cooldown of the last send
  // or after max_otp_sends sends.
  StatusOr<SignupSession> ResendOtp(std::string_view session_id, const Json& body);

  // The session with its EffectiveStatus (EXPIRED once past its expiry
  // before provisioning).
  StatusOr<SignupSession> Get(std::string_view session_id);

  const SignupOptions& options() const { return options_; }

 private:
  Database& db_;
  const OtpVerifier& otp_;
  Random& random_;
  const Clock& clock_;
  SignupOptions options_;
  // Pointers into options_.metrics' families; all null without it.
  struct Counters {
    Counter* attempts = nullptr;
    Counter* created = nullptr;
    Counter* verified = nullptr;
    Counter* blocked_rate_limit = nullptr;
    CounterFamily* rejections = nullptr;
  } counters_;
  // Counts a RATE_LIMITED refusal by its scope (from the status details).
  void CountRejection(const Status& status) const;
};

// A short, stable, non-secret reference to a session for logs and audit
// events: 12 hex digits of SHA-256(id). The id itself is the caller's handle
// and is never logged.
std::string SessionRef(std::string_view session_id);

}  // namespace portico::signup
