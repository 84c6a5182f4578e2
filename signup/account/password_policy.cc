#include "signup/account/password_policy.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "portico/case_fold.h"
#include "portico/utf8.h"

namespace portico::signup {
namespace {

// The shortest local part worth matching: "jo" inside a password is chance.
constexpr size_t kMinEmailPartLength = 3;

Status Malformed(std::string_view member, std::string_view want) {
  return InvalidArgument("password policy: " + std::string(member) + " must be " +
                         std::string(want));
}

StatusOr<bool> Flag(const Json& value, std::string_view member) {
  if (!value.is_bool()) return Malformed(member, "true or false");
  return value.as_bool();
}

StatusOr<int> Length(const Json& value, std::string_view member) {
  if (!value.is_int() || value.as_int() < 0) return Malformed(member, "a non-negative integer");
  // The range is ValidatePasswordPolicy's to judge; clamping only keeps the value in an int.
  return static_cast<int>(std::min<int64_t>(value.as_int(), INT32_MAX));
}

// Whether the folded password contains `part` (folded), when `part` is long enough.
bool ContainsPart(const std::string& folded_password, std::string_view part) {
  if (CountCodePoints(part) < kMinEmailPartLength) return false;
  return folded_password.find(FoldCase(part)) != std::string::npos;
}

bool ContainsEmail(std::string_view password, std::string_view email) {
  const size_t at = email.rfind('@');
  if (at == std::string_view::npos) return false;
  const std::string_view local = email.substr(0, at);
  const std::string folded = FoldCase(password);
  if (ContainsPart(folded, local)) return true;
  const size_t plus = local.find('+');
  return plus != std::string_view::npos && ContainsPart(folded, local.substr(0, plus));
}

}  // namespace

size_t CountCodePoints(std::string_view text) {
  size_t count = 0;
  uint32_t cp;
  for (size_t i = 0; i < text.size(); ++count) {
    const size_t length = DecodeUtf8(text, i, &cp);
    i += length == 0 ? 1 : length;
  }
  return count;
}

Status ValidatePasswordPolicy(const PasswordPolicy& policy) {
  if (policy.min_length < kLowestMinPasswordLength) {
    return InvalidArgument("password policy: minLength must be at least " +
                           std::to_string(kLowestMinPasswordLength) +
                           " (NIST SP 800-63B; 15 when the password is the only factor)");
  }
  if (policy.max_length < kLowestMaxPasswordLength ||
      policy.max_length > kHighestMaxPasswordLength) {
    return InvalidArgument("password policy: maxLength must be between " +
                           std::to_string(kLowestMaxPasswordLength) + " and " +
                           std::to_string(kHighestMaxPasswordLength));
  }
  if (policy.min_length > policy.max_length) {
    return InvalidArgument("password policy: minLength must not exceed maxLength");
  }
  return Status::Ok();
}

StatusOr<PasswordPolicy> ParsePasswordPolicy(const Json& document) {
  if (!document.is_object()) return InvalidArgument("password policy must be a JSON object");
  PasswordPolicy policy;
  for (const auto& [name, value] : document.as_object()) {
    if (name == "minLength") {
      PORTICO_ASSIGN_OR_RETURN(policy.min_length, Length(value, name));
    } else if (name == "maxLength") {
      PORTICO_ASSIGN_OR_RETURN(policy.max_length, Length(value, name));
    } else if (name == "requireUppercase") {
      PORTICO_ASSIGN_OR_RETURN(policy.require_uppercase, Flag(value, name));
    } else if (name == "requireLowercase") {
      PORTICO_ASSIGN_OR_RETURN(policy.require_lowercase, Flag(value, name));
    } else if (name == "requireDigit") {
      PORTICO_ASSIGN_OR_RETURN(policy.require_digit, Flag(value, name));
    } else if (name == "requireSpecial") {
      PORTICO_ASSIGN_OR_RETURN(policy.require_special, Flag(value, name));
    } else if (name == "blocklist") {
      PORTICO_ASSIGN_OR_RETURN(policy.blocklist, Flag(value, name));
    } else {
      return InvalidArgument("password policy: unknown member " + name);
    }
  }
  PORTICO_RETURN_IF_ERROR(ValidatePasswordPolicy(policy));
  return policy;
}

Json PasswordPolicyJson(const PasswordPolicy& policy) {
  Json out = Json::MakeObject();
  out.Set("minLength", policy.min_length)
      .Set("maxLength", policy.max_length)
      .Set("requireUppercase", policy.require_uppercase)
      .Set("requireLowercase", policy.require_lowercase)
      .Set("requireDigit", policy.require_digit)
      .Set("requireSpecial", policy.require_special)
      .Set("blocklist", policy.blocklist);
  return out;
}

std::vector<std::string> WeakPasswordReasons(const PasswordPolicy& policy,
                                             std::string_view password, std::string_view email,
                                             const PasswordBlocklist& blocklist) {
  std::vector<std::string> reasons;
  const size_t length = CountCodePoints(password);
  if (length < static_cast<size_t>(policy.min_length)) reasons.emplace_back(kPasswordTooShort);
  if (length > static_cast<size_t>(policy.max_length)) reasons.emplace_back(kPasswordTooLong);

  bool upper = false, lower = false, digit = false, special = false;
  for (const char ch : password) {
    if (ch >= 'A' && ch <= 'Z') {
      upper = true;
    } else if (ch >= 'a' && ch <= 'z') {
      lower = true;
    } else if (ch >= '0' && ch <= '9') {
      digit = true;
    } else {
      special = true;  // ASCII punctuation, space, control, or a byte of a non-ASCII character
    }
  }
  if (policy.require_uppercase && !upper) reasons.emplace_back(kPasswordMissingUppercase);
  if (policy.require_lowercase && !lower) reasons.emplace_back(kPasswordMissingLowercase);
  if (policy.require_digit && !digit) reasons.emplace_back(kPasswordMissingDigit);
  if (policy.require_special && !special) reasons.emplace_back(kPasswordMissingSpecial);

  if (ContainsEmail(password, email)) reasons.emplace_back(kPasswordContainsEmail);
  if (policy.blocklist) {
    if (blocklist.IsCommon(password)) reasons.emplace_back(kPasswordCommon);
    if (blocklist.IsBreached(password)) reasons.emplace_back(kPasswordBreached);
  }
  return reasons;
}

}  // namespace portico::signup
