#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/json.h"
#include "portico/status.h"

namespace portico::signup {

// The wire code of every request error of the signup API (runbook seed 000).
inline constexpr char kInvalidRequest[] = "INVALID_REQUEST";

// POST /api/public/signup/sessions, validated and normalised.
struct CreateRequest {
  std::string company_name;          // trimmed
  std::string slug;                  // as given (already lowercase: the rules demand it)
  std::vector<std::string> modules;  // in request order, no duplicates
  std::string admin_email;           // NormaliseEmail's form
  std::string terms_version;
  std::string privacy_version;
  TimePoint accepted_at;
};

// How far in the future a client's acceptedAt may lie (clock skew).
inline constexpr std::chrono::minutes kAcceptedAtSkew{5};

// Parses the create body against a strict allowlist (OWASP API3:2023, mass
// assignment): exactly companyName, slug, modules, adminEmail and
// legalAcceptance {termsVersion, privacyVersion, acceptedAt}, all required.
// On the first problem returns InvalidArgument tagged INVALID_REQUEST whose
// message names the property and whose details are {"field", "reason"}:
//   UNKNOWN_PROPERTY  a property outside the allowlist (field: its path, e.g.
//                     "role" or "legalAcceptance.ip"); checked first
//   REQUIRED, WRONG_TYPE
//   NAME_INVALID      companyName: 1–200 characters after trimming, no control characters
//   SLUG_INVALID, SLUG_RESERVED  (see ValidateSignupSlug)
//   MODULES_EMPTY, MODULE_UNKNOWN, MODULE_DUPLICATE  (modules: a non-empty
//                     array of strings from SignupModules(), each once)
//   EMAIL_INVALID     (see NormaliseEmail)
//   VERSION_INVALID   termsVersion / privacyVersion: 1–64 printable ASCII
//                     characters without spaces
//   DATE_INVALID      acceptedAt: not RFC 3339, or more than kAcceptedAtSkew after `now`
// Pure; thread-safe.
StatusOr<CreateRequest> ParseCreateRequest(const Json& body, TimePoint now);

// The modules a signup may enable: "scim", "dcr", "signup" (the tenant
// service's KnownModules, so a session never asks for what provisioning
// cannot create).
const std::vector<std::string>& SignupModules();

// Slug rules (the tenant service's, so provisioning accepts what a session
// held): 3–40 characters of lowercase ASCII letters, digits and hyphens,
// starting and ending with a letter or digit (SLUG_INVALID, the message says
// which rule), and not reserved (SLUG_RESERVED: api, admin, www, scim, oauth,
// signup, login, auth, static, assets, …). Errors as ParseCreateRequest's,
// field "slug". Pure; thread-safe.
Status ValidateSignupSlug(std::string_view slug);

// Checks and normalises an email address: surrounding ASCII whitespace is
// trimmed; then an ASCII dot-atom local part (RFC 5322 atext, 1–64
// characters, no leading, trailing or doubled dot), one '@', and a domain of
// at least two dot-separated labels (letters, digits, inner hyphens, 1–63
// characters each; a last label that is not all digits); at most 254
// characters in all. The domain is lowercased; the local part keeps its case
// (RFC 5321 §2.4). Internationalised addresses are refused. InvalidArgument
// (INVALID_REQUEST, field "adminEmail", reason EMAIL_INVALID) otherwise.
// Pure; thread-safe.
StatusOr<std::string> NormaliseEmail(std::string_view raw);

// The domain of a normalised address ("" when it has no '@').
std::string_view EmailDomain(std::string_view email);

// A request error as ParseCreateRequest returns it: InvalidArgument tagged
// INVALID_REQUEST with details {"field", "reason"}.
Status RequestError(std::string_view field, std::string_view reason, std::string message);

// POST …/verify-email: exactly {"otp": "<6 ASCII digits>"}. Errors as
// ParseCreateRequest's (UNKNOWN_PROPERTY, REQUIRED, WRONG_TYPE; OTP_FORMAT
// for a string that is not 6 digits: refused before it costs an attempt).
StatusOr<std::string> ParseVerifyRequest(const Json& body);

// POST …/resend-otp: an empty object (the handler passes {} for an empty
// body); any property is UNKNOWN_PROPERTY.
Status ParseResendRequest(const Json& body);

}  // namespace portico::signup
