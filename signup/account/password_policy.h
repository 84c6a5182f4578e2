#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"
#include "signup/account/password_blocklist.h"

namespace portico::signup {

// The tenant settings document (TenantSettingsStore) that holds a tenant's
// password policy.
inline constexpr char kPasswordPolicySettingName[] = "signup.passwordPolicy";

// weakPasswordReasons values (issue 6; seed 003's TOO_WEAK error).
inline constexpr char kPasswordTooShort[] = "TOO_SHORT";
inline constexpr char kPasswordTooLong[] = "TOO_LONG";
inline constexpr char kPasswordMissingUppercase[] = "MISSING_UPPERCASE";
inline constexpr char kPasswordMissingLowercase[] = "MISSING_LOWERCASE";
inline constexpr char kPasswordMissingDigit[] = "MISSING_DIGIT";
inline constexpr char kPasswordMissingSpecial[] = "MISSING_SPECIAL";
inline constexpr char kPasswordContainsEmail[] = "CONTAINS_EMAIL";
inline constexpr char kPasswordCommon[] = "COMMON";
inline constexpr char kPasswordBreached[] = "BREACHED";

// Length bounds, in Unicode code points (what a person counts as
// characters), not bytes: "pässwörd" is 8 long.
// NIST SP 800-63B-4 §3.1.1.2: at least 15 characters when the password is
// the only authentication factor — as it is for every Portico account today —
// and at least 8 when it is one of several factors, so a tenant may lower the
// minimum to 8, never below.
inline constexpr int kDefaultMinPasswordLength = 15;
inline constexpr int kLowestMinPasswordLength = 8;
// Verifiers SHOULD allow at least 64 characters; a tenant may not set less.
// The upper bound keeps the hashing input (and the request body) bounded.
inline constexpr int kDefaultMaxPasswordLength = 128;
inline constexpr int kLowestMaxPasswordLength = 64;
inline constexpr int kHighestMaxPasswordLength = 1024;

// A tenant's password rules. The defaults follow NIST SP 800-63B: a length
// floor, a generous ceiling, a blocklist, and no composition rules (they
// make passwords weaker in practice, §3.1.1.2: verifiers SHALL NOT impose
// them). Every printable character and the space are allowed, and so is any
// Unicode character; nothing is stripped or truncated.
//
// Unicode normalisation (NFKC/NFKD) is not applied: 800-63B makes it a
// SHOULD, not a SHALL. A password is hashed and compared as the exact UTF-8
// bytes the client sent, so a client whose keyboard produces a different
// form of the same character (precomposed "é" vs "e" + combining accent)
// must send it the same way each time — which the same device does.
//
// The composition rules are seed 004's ("1 uppercase, 1 number, 1 special
// char"), opt-in for tenants that must keep them. They are defined on ASCII
// as that seed is: an uppercase letter is A–Z, a lowercase letter a–z, a
// digit 0–9, and a special character anything else (punctuation, the space,
// and every non-ASCII character, so "Passwörd1" has a special character).
struct PasswordPolicy {
  int min_length = kDefaultMinPasswordLength;
  int max_length = kDefaultMaxPasswordLength;
  bool require_uppercase = false;
  bool require_lowercase = false;
  bool require_digit = false;
  bool require_special = false;
  // Check COMMON and BREACHED against the server's PasswordBlocklist.
  bool blocklist = true;

  friend bool operator==(const PasswordPolicy&, const PasswordPolicy&) = default;
};

// The tenant's policy from its "signup.passwordPolicy" document: members
// (all optional, absent ones keep the defaults above) minLength, maxLength
// (integers), requireUppercase, requireLowercase, requireDigit,
// requireSpecial, blocklist (booleans). InvalidArgument whose message names
// the member when one is malformed or unknown (a typo must not silently
// weaken a policy), when minLength < 8 (NIST's floor), maxLength is outside
// 64–1024, or minLength > maxLength. Pure; thread-safe.
StatusOr<PasswordPolicy> ParsePasswordPolicy(const Json& document);

// The same checks on a policy built in code (e.g. by a CLI flag): OK, or
// InvalidArgument as ParsePasswordPolicy's. Pure; thread-safe.
Status ValidatePasswordPolicy(const PasswordPolicy& policy);

// The document ParsePasswordPolicy reads back, with every member present
// (for storing and for rendering the policy to an administrator). Pure.
Json PasswordPolicyJson(const PasswordPolicy& policy);

// Every reason `password` breaks `policy`, in this order and each at most
// once (empty: acceptable):
//   TOO_SHORT / TOO_LONG  fewer than min_length / more than max_length code
//                         points (a byte that is not valid UTF-8 counts as one)
//   MISSING_UPPERCASE, MISSING_LOWERCASE, MISSING_DIGIT, MISSING_SPECIAL
//                         only when the policy requires that class
//   CONTAINS_EMAIL        the password contains the local part of `email`
//                         (before its last '@'), compared after Unicode simple
//                         case folding, when that part is at least 3 code
//                         points; a "+tag" sub-address is checked without its
//                         tag as well ("jane" for "jane+news@…")
//   COMMON, BREACHED      on `blocklist` (policy.blocklist only)
// All reasons are reported, not only the first, so a client can show every
// problem at once. Pure; thread-safe (PasswordBlocklist's lookups are).
std::vector<std::string> WeakPasswordReasons(const PasswordPolicy& policy,
                                             std::string_view password, std::string_view email,
                                             const PasswordBlocklist& blocklist);

// Unicode code points in `text`; a byte that starts no well-formed UTF-8
// sequence counts as one. Pure.
size_t CountCodePoints(std::string_view text);

}  // namespace portico::signup
