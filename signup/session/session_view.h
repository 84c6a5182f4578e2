#pragma once

#include <string>
#include <string_view>

#include "portico/json.h"
#include "signup/session/signup_service.h"
#include "signup/session/signup_session.h"

namespace portico::signup {

// The public view of a session, as every signup endpoint answers it:
//   sessionId, status (as given: callers pass EffectiveStatus), companyName,
//   slug, modules, adminEmail (masked: "j***@example.com"), emailVerified,
//   emailVerifiedAt (when verified), otpExpiresAt, otpSendsRemaining,
//   resendAvailableAt, sessionExpiresAt, createdAt, provisionStepState,
//   failureReason (null or {code, message, step}), tenantId (once provisioned)
// Times are RFC 3339 UTC. Never a secret (no code, no credential, and the
// address only masked: the id alone grants this view). Pure; thread-safe.
Json SessionJson(const SignupSession& session, const SignupOptions& options);

// "j***@example.com" for "jane@example.com"; "***" without an '@'.
std::string MaskEmail(std::string_view email);

}  // namespace portico::signup
