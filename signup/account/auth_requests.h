#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"

namespace portico::signup {

// The error codes of the account API (seeds 002–004, reconciled; issue 6).
inline constexpr char kValidationError[] = "VALIDATION_ERROR";  // 422, details: field errors
inline constexpr char kMalformedJson[] = "MALFORMED_JSON";      // 400
inline constexpr char kEmailExists[] = "EMAIL_EXISTS";          // 409, recommendedAction
inline constexpr char kOriginForbidden[] = "ORIGIN_FORBIDDEN";  // 403
inline constexpr char kRolesForbidden[] = "ROLES_FORBIDDEN";    // 403: roles need a privileged key
inline constexpr char kInvalidCaptcha[] = "INVALID_CAPTCHA";    // 400
inline constexpr char kInvalidCredentials[] = "INVALID_CREDENTIALS";  // 401 (sign-in)
inline constexpr char kInvalidCode[] = "INVALID_CODE";                // 400 (verify-email)
inline constexpr char kAccountRateLimited[] = "RATE_LIMITED";         // 429, retryAfter

// Field error codes (details[].code of VALIDATION_ERROR).
inline constexpr char kUnknownField[] = "UNKNOWN_FIELD";
inline constexpr char kRequiredField[] = "REQUIRED";
inline constexpr char kWrongType[] = "WRONG_TYPE";
inline constexpr char kInvalidEmailFormat[] = "INVALID_EMAIL_FORMAT";
inline constexpr char kTooWeak[] = "TOO_WEAK";
inline constexpr char kInvalidLength[] = "INVALID_LENGTH";
inline constexpr char kInvalidValue[] = "INVALID_VALUE";
inline constexpr char kMutuallyExclusive[] = "MUTUALLY_EXCLUSIVE";

// One entry of VALIDATION_ERROR's details: {"field", "code", "message"} plus,
// for TOO_WEAK, "weakPasswordReasons".
struct FieldError {
  std::string field;
  std::string code;
  std::string message;
  std::vector<std::string> weak_password_reasons;
};

// 422 VALIDATION_ERROR with every problem in details (so a form can show them
// all at once); the message names the first. `errors` must not be empty.
Status ValidationFailed(const std::vector<FieldError>& errors);

// POST /api/auth/sign-up, syntactically checked. Policy checks that need the
// tenant (password strength, roles permission, CAPTCHA, origins) are the
// service's.
struct SignUpRequest {
  std::string email;  // normalised: trimmed, domain lowercased
  std::optional<std::string> password;
  std::optional<std::string> password_hash;  // $2b$ bcrypt, already validated
  std::string name;                          // "" when absent
  std::optional<std::string> organization_name;
  std::optional<std::string> captcha_token;
  std::optional<std::string> callback_origin;
  std::optional<std::vector<std::string>> roles;  // present when the body had "roles"
};

// Limits of the sign-up body (issue 6; seed 002 for name and callbackOrigin).
inline constexpr size_t kMaxNameLength = 200;          // code points
inline constexpr size_t kMinOrganizationNameLength = 2;  // code points, after trimming
inline constexpr size_t kMaxOrganizationNameLength = 100;
inline constexpr size_t kMaxCallbackOriginLength = 512;
inline constexpr size_t kMaxCaptchaTokenLength = 4096;
inline constexpr size_t kMaxRoles = 20;
inline constexpr size_t kMaxRoleLength = 64;

// Parses a sign-up body against its allowlist (email, password, passwordHash,
// name, organizationName, captchaToken, callbackOrigin, roles; anything else
// is UNKNOWN_FIELD — OWASP API3 mass assignment). Appends every problem to
// `errors` (field, code, message) and returns what could be read:
//   email             REQUIRED, WRONG_TYPE, INVALID_EMAIL_FORMAT
//   password / passwordHash  WRONG_TYPE; both given → MUTUALLY_EXCLUSIVE;
//                     passwordHash not an accepted bcrypt hash → its code
//                     (bcrypt_import.h)
//   name              WRONG_TYPE, INVALID_LENGTH (over 200), INVALID_VALUE
//                     (control characters)
//   organizationName  WRONG_TYPE, INVALID_LENGTH (2–100 after trimming),
//                     INVALID_VALUE
//   callbackOrigin    WRONG_TYPE, INVALID_LENGTH (over 512; the service checks it
//                     against the tenant's allowed origins)
//   captchaToken      WRONG_TYPE, INVALID_LENGTH
//   roles             WRONG_TYPE (an array of strings), INVALID_VALUE (empty,
//                     over 64 characters, outside [A-Za-z0-9_.:-], duplicated,
//                     more than 20)
// A body that is not an object is one WRONG_TYPE error with field "".
// Pure; thread-safe.
SignUpRequest ParseSignUpRequest(const Json& body, std::vector<FieldError>& errors);

// POST /api/auth/sign-in: {email, password}, both required strings.
struct SignInRequest {
  std::string email;
  std::string password;
};
SignInRequest ParseSignInRequest(const Json& body, std::vector<FieldError>& errors);

// POST /api/auth/verify-email: {email, code}; POST …/verify-email/resend: {email}.
struct VerifyEmailRequest {
  std::string email;
  std::string code;
};
VerifyEmailRequest ParseVerifyEmailRequest(const Json& body, std::vector<FieldError>& errors);
std::string ParseResendRequest(const Json& body, std::vector<FieldError>& errors);

}  // namespace portico::signup
