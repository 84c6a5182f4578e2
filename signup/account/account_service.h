#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/credential_issuer.h"
#include "portico/database.h"
#include "portico/json.h"
#include "portico/metrics.h"
#include "portico/otp_verifier.h"
#include "portico/password_hasher.h"
#include "portico/random.h"
#include "portico/status.h"
#include "portico/tenant.h"
#include "signup/account/account_limits.h"
#include "signup/account/auth_settings.h"
#include "signup/account/captcha_verifier.h"
#include "signup/account/password_blocklist.h"

namespace portico::signup {

struct AccountServiceOptions {
  AccountRateLimits limits;
  // Optional provider template of the verification mail (the Resend transport).
  std::string verification_template_id;
  // Counts sign-up attempts, blocks (rate_limit, captcha, policy) and rate-limit
  // rejections; null counts nothing. Must outlive the service.
  Metrics* metrics = nullptr;
};

// Who calls the account API, from the Bearer credential and the request.
struct AccountCaller {
  Tenant tenant;
  // An integration key with tenant:admin (seed 003's PERSON_SIGN_UP
  // permission): may grant roles. A public login token may not.
  bool privileged = false;
  std::string client_ip;
  std::string user_agent;
  std::string origin;  // the Origin header; "" when none was sent
};

// A success: the HTTP status and seed 004's envelope
// {"success": true, "data": …, "message": …}.
struct AccountReply {
  int http_status = 200;
  Json body;
};

// The OTP purpose of account email verification (the shared OtpVerifier;
// the subject is "<tenant id>:<user id>").
inline constexpr char kAccountEmailOtpPurpose[] = "account-email";

// recommendedAction of EMAIL_EXISTS (seed 003).
inline constexpr char kActionSignIn[] = "SIGN_IN";
inline constexpr char kActionResetPassword[] = "RESET_PASSWORD";

// The account sign-up API (issue 6): sign-up, sign-in and email
// verification over the shared user store. Every method blocks — database
// round trips, argon2id hashing (tens of milliseconds), a CAPTCHA provider
// call — so call them on the hashing pool, never on a reactor thread.
// Errors are Statuses tagged with the codes of auth_requests.h. Thread-safe.
class AccountService {
 public:
  // Every reference must outlive the service; `captcha` may be null (then a
  // tenant that configured a CAPTCHA cannot sign anyone up: 503).
  AccountService(Database& db, const CredentialIssuer& issuer, const PasswordHasher& hasher,
                 const PasswordBlocklist& blocklist, const CaptchaVerifier* captcha,
                 const OtpVerifier& otp, const AuthSettingsStorage& settings, Random& random,
                 const Clock& clock, AccountServiceOptions options);

  // Resolves the Bearer credential: a public login token or an integration
  // key of an active tenant. Unauthenticated (one message for every case)
  // otherwise; PermissionDenied when the tenant is suspended.
  StatusOr<AccountCaller> Authenticate(std::string_view bearer) const;

  // POST /api/auth/sign-up. 201 with the user, a session and the
  // organization; in the tenant's enumeration-protected mode 202 with the
  // same opaque body for a new and an existing email. Errors:
  // ORIGIN_FORBIDDEN, RATE_LIMITED, ROLES_FORBIDDEN, VALIDATION_ERROR,
  // INVALID_CAPTCHA (or Unavailable when the provider cannot answer),
  // EMAIL_EXISTS with recommendedAction (default mode).
  StatusOr<AccountReply> SignUp(const AccountCaller& caller, const Json& body) const;

  // POST /api/auth/sign-in: email + password → a session. An unknown email,
  // an account without a password and a wrong password are the same 401
  // INVALID_CREDENTIALS, after the same hashing work. An imported bcrypt
  // hash (or an argon2id hash with old parameters) is replaced by a current
  // argon2id hash on the first successful sign-in.
  StatusOr<AccountReply> SignIn(const AccountCaller& caller, const Json& body) const;

  // POST /api/auth/verify-email: {email, code} → the account, now verified.
  // INVALID_CODE (details.reason OTP_INVALID / OTP_EXPIRED / OTP_LOCKED,
  // attemptsRemaining) for a wrong code and, alike, an unknown email.
  StatusOr<AccountReply> VerifyEmail(const AccountCaller& caller, const Json& body) const;

  // POST /api/auth/verify-email/resend: {email} → 202, the same for every
  // email; a new code is mailed when the account exists and is unverified.
  // RATE_LIMITED past the per-email mail limit (counted whether or not the
  // account exists, so the limit reveals nothing).
  StatusOr<AccountReply> ResendVerification(const AccountCaller& caller, const Json& body) const;

  // Whether some tenant allows `origin` (NormalizeOrigin's form) for browser
  // calls: what a CORS preflight, which carries no credential, can be
  // answered from. Reads every tenant's settings, cached for a few seconds.
  bool SomeTenantAllowsOrigin(std::string_view origin) const;

 private:
  struct TenantRules;
  StatusOr<TenantRules> LoadRules(const AccountCaller& caller) const;
  Status Limit(std::string_view bucket, const RateLimit& limit, std::string_view scope) const;
  // What verify-email and its resend both check first: the caller's origin
  // and the per-IP verification limit they share.
  Status AdmitVerification(const AccountCaller& caller) const;
  StatusOr<AccountReply> SignUpUncounted(const AccountCaller& caller, const Json& body) const;

  Database& db_;
  const CredentialIssuer& issuer_;
  const PasswordHasher& hasher_;
  const PasswordBlocklist& blocklist_;
  const CaptchaVerifier* captcha_;
  const OtpVerifier& otp_;
  const AuthSettingsStorage& settings_;
  Random& random_;
  const Clock& clock_;
  AccountServiceOptions options_;
  // options_.metrics' families (null without it).
  CounterFamily* attempts_ = nullptr;
  CounterFamily* blocked_ = nullptr;
  CounterFamily* rejections_ = nullptr;
};

}  // namespace portico::signup
