#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/json.h"

namespace portico::signup {

// Where a self-serve signup session stands (runbook seed 000: the wire names
// are SignupStatusName's, exactly).
//
//   PENDING_EMAIL_VERIFICATION --verify-email--> EMAIL_VERIFIED --provision-->
//   PROVISIONING --> PROVISIONED | REVIEW_REQUIRED (--provision, new key--> PROVISIONING …)
//
// A session that has not started provisioning reads as EXPIRED once its
// expires_at has passed (EffectiveStatus); one that has started never
// expires, so that a half-provisioned tenant can always be resumed. FAILED is
// terminal (an operator gave up on it) and, like EXPIRED, releases the slug.
enum class SignupStatus {
  kPendingEmailVerification,
  kEmailVerified,
  kProvisioning,
  kProvisioned,
  kReviewRequired,
  kExpired,
  kFailed,
};

// Inline (not in a .cc) so that db/ can store statuses without linking the
// signup module.
inline const char* SignupStatusName(SignupStatus status) {
  switch (status) {
    case SignupStatus::kPendingEmailVerification:
      return "PENDING_EMAIL_VERIFICATION";
    case SignupStatus::kEmailVerified:
      return "EMAIL_VERIFIED";
    case SignupStatus::kProvisioning:
      return "PROVISIONING";
    case SignupStatus::kProvisioned:
      return "PROVISIONED";
    case SignupStatus::kReviewRequired:
      return "REVIEW_REQUIRED";
    case SignupStatus::kExpired:
      return "EXPIRED";
    case SignupStatus::kFailed:
      return "FAILED";
  }
  return "FAILED";
}

// The status named `name` exactly, or nullopt.
inline std::optional<SignupStatus> ParseSignupStatus(std::string_view name) {
  for (SignupStatus s :
       {SignupStatus::kPendingEmailVerification, SignupStatus::kEmailVerified,
        SignupStatus::kProvisioning, SignupStatus::kProvisioned, SignupStatus::kReviewRequired,
        SignupStatus::kExpired, SignupStatus::kFailed}) {
    if (name == SignupStatusName(s)) return s;
  }
  return std::nullopt;
}

// The legal acceptance snapshot of the create request, with what the server
// itself observed (GDPR Art. 7: who consented to which version, when, from where).
struct LegalAcceptance {
  std::string terms_version;
  std::string privacy_version;
  TimePoint accepted_at;   // as the client stated it (RFC 3339), to the millisecond
  std::string client_ip;   // the request's client IP (TRUSTED_PROXIES applied)
  std::string user_agent;  // the request's User-Agent, "" when absent
};

// One signup session as stored. Holds no secret: the OTP lives (hashed) in
// the OTP store under (kSignupOtpPurpose, id), and provisioning's credentials
// are never kept here.
struct SignupSession {
  std::string id;  // ≥ 256 random bits, base64url: unguessable, the caller's handle
  SignupStatus status = SignupStatus::kPendingEmailVerification;
  std::string company_name;
  std::string slug;  // lowercase; held (unique) while the session is live, see HoldsSlug
  std::vector<std::string> modules;
  std::string admin_email;  // normalised (domain lowercased)
  LegalAcceptance legal;

  // Verification codes sent (the create's included), when the last went out
  // and when it expires.
  int otp_sends = 0;
  TimePoint otp_sent_at;
  TimePoint otp_expires_at;
  std::optional<TimePoint> email_verified_at;

  // For provisioning: step marker name (tenant_created_at, …) → RFC 3339
  // time, the stable failure {code, message, step} or null, the tenant once
  // created, and the lease of the provisioning run in progress (another run
  // must wait until it passes).
  Json provision_step_state = Json::MakeObject();
  Json failure_reason;  // null, or an object
  std::optional<std::string> tenant_id;
  std::optional<TimePoint> provision_lease_until;

  TimePoint created_at;
  TimePoint updated_at;
  TimePoint expires_at;  // see SignupStatus
  int64_t version = 1;   // bumped by every SignupSessionStore::Update
};

// The OTP verifier's purpose for signup sessions (the subject is the session id).
inline constexpr char kSignupOtpPurpose[] = "signup-session";

// Whether the session has not yet started provisioning.
inline bool BeforeProvisioning(SignupStatus status) {
  return status == SignupStatus::kPendingEmailVerification ||
         status == SignupStatus::kEmailVerified;
}

// The status a reader sees at `now`: EXPIRED for a session past its expiry
// that never started provisioning, else the stored one.
inline SignupStatus EffectiveStatus(const SignupSession& session, TimePoint now) {
  if (BeforeProvisioning(session.status) && now >= session.expires_at) {
    return SignupStatus::kExpired;
  }
  return session.status;
}

// Whether the session keeps its slug from other sessions at `now`: every
// status but EXPIRED and FAILED, as long as it has not expired
// (EffectiveStatus). The SQL store's release condition is the same rule.
inline bool HoldsSlug(const SignupSession& session, TimePoint now) {
  const SignupStatus status = EffectiveStatus(session, now);
  return status != SignupStatus::kExpired && status != SignupStatus::kFailed;
}

}  // namespace portico::signup
