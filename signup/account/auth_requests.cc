#include "signup/account/auth_requests.h"

#include <set>
#include <utility>

#include "signup/account/bcrypt_import.h"
#include "signup/account/password_policy.h"
#include "signup/session/create_request.h"

namespace portico::signup {
namespace {

void Add(std::vector<FieldError>& errors, std::string field, std::string code,
         std::string message) {
  errors.push_back(FieldError{std::move(field), std::move(code), std::move(message), {}});
}

// Properties outside `allowed` are UNKNOWN_FIELD, each named.
bool CheckObject(const Json& body, std::initializer_list<std::string_view> allowed,
                 std::vector<FieldError>& errors) {
  if (!body.is_object()) {
    Add(errors, "", kWrongType, "the request body must be a JSON object");
    return false;
  }
  for (const auto& [name, value] : body.as_object()) {
    bool known = false;
    for (std::string_view a : allowed) known = known || name == a;
    if (!known) Add(errors, name, kUnknownField, "unknown field \"" + name + "\"");
  }
  return true;
}

// The string member `name`: nullopt when absent or null (REQUIRED added when
// `required`), or not a string (WRONG_TYPE added).
std::optional<std::string> StringField(const Json& body, std::string_view name, bool required,
                                       std::vector<FieldError>& errors) {
  const Json* value = body.Find(name);
  if (value == nullptr || value->is_null()) {
    if (required) Add(errors, std::string(name), kRequiredField, std::string(name) + " is required");
    return std::nullopt;
  }
  if (!value->is_string()) {
    Add(errors, std::string(name), kWrongType, std::string(name) + " must be a string");
    return std::nullopt;
  }
  return value->as_string();
}

bool HasControlCharacter(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Email(const Json& body, std::vector<FieldError>& errors) {
  std::optional<std::string> raw = StringField(body, "email", true, errors);
  if (!raw) return "";
  StatusOr<std::string> email = NormaliseEmail(*raw);
  if (!email.ok()) {
    // The session API's rules, reported under this API's field name and code.
    std::string message = email.status().message();
    if (message.rfind("adminEmail", 0) == 0) message.replace(0, 10, "email");
    Add(errors, "email", kInvalidEmailFormat, std::move(message));
    return "";
  }
  return *email;
}

bool IsRoleCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '.' || c == ':' || c == '-';
}

std::optional<std::vector<std::string>> Roles(const Json& body, std::vector<FieldError>& errors) {
  const Json* value = body.Find("roles");
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) {
    Add(errors, "roles", kWrongType, "roles must be an array of strings");
    return std::nullopt;
  }
  std::vector<std::string> roles;
  std::set<std::string> seen;
  if (value->as_array().size() > kMaxRoles) {
    Add(errors, "roles", kInvalidValue, "roles holds more than 20 entries");
    return std::nullopt;
  }
  for (const Json& role : value->as_array()) {
    if (!role.is_string()) {
      Add(errors, "roles", kWrongType, "roles must be an array of strings");
      return std::nullopt;
    }
    const std::string& r = role.as_string();
    bool ok = !r.empty() && r.size() <= kMaxRoleLength;
    for (const char c : r) ok = ok && IsRoleCharacter(c);
    if (!ok) {
      Add(errors, "roles", kInvalidValue,
          "each role must be 1 to 64 letters, digits, '_', '.', ':' or '-'");
      return std::nullopt;
    }
    if (!seen.insert(r).second) {
      Add(errors, "roles", kInvalidValue, "role \"" + r + "\" is listed twice");
      return std::nullopt;
    }
    roles.push_back(r);
  }
  return roles;
}

}  // namespace

Status ValidationFailed(const std::vector<FieldError>& errors) {
  Json details = Json::MakeArray();
  for (const FieldError& e : errors) {
    Json entry = Json::MakeObject();
    entry.Set("field", e.field).Set("code", e.code).Set("message", e.message);
    if (!e.weak_password_reasons.empty()) {
      Json reasons = Json::MakeArray();
      for (const std::string& r : e.weak_password_reasons) reasons.Push(Json(r));
      entry.Set("weakPasswordReasons", std::move(reasons));
    }
    details.Push(std::move(entry));
  }
  const std::string first = errors.empty() ? "invalid input" : errors.front().message;
  return InvalidArgument(errors.size() == 1 ? first
                                            : first + " (and " + std::to_string(errors.size() - 1) +
                                                  " more problems)")
      .WithTag(kValidationError)
      .WithDetails(std::move(details));
}

SignUpRequest ParseSignUpRequest(const Json& body, std::vector<FieldError>& errors) {
  SignUpRequest request;
  if (!CheckObject(body,
                   {"email", "password", "passwordHash", "name", "organizationName",
                    "captchaToken", "callbackOrigin", "roles"},
                   errors)) {
    return request;
  }
  request.email = Email(body, errors);

  request.password = StringField(body, "password", false, errors);
  request.password_hash = StringField(body, "passwordHash", false, errors);
  if (request.password && request.password_hash) {
    Add(errors, "passwordHash", kMutuallyExclusive,
        "send password or passwordHash, not both");
    request.password_hash.reset();
  } else if (request.password_hash) {
    Status valid = ValidateBcryptHash(*request.password_hash);
    if (!valid.ok()) {
      const Json* code = valid.details().Find("code");
      Add(errors, "passwordHash",
          code != nullptr && code->is_string() ? code->as_string() : kInvalidValue,
          valid.message());
      request.password_hash.reset();
    }
  }

  if (std::optional<std::string> name = StringField(body, "name", false, errors)) {
    if (CountCodePoints(*name) > kMaxNameLength) {
      Add(errors, "name", kInvalidLength, "name must be at most 200 characters");
    } else if (HasControlCharacter(*name)) {
      Add(errors, "name", kInvalidValue, "name must not contain control characters");
    } else {
      request.name = std::string(TrimSpaces(*name));
    }
  }
  if (std::optional<std::string> org = StringField(body, "organizationName", false, errors)) {
    const std::string_view trimmed = TrimSpaces(*org);
    const size_t length = CountCodePoints(trimmed);
    if (length < kMinOrganizationNameLength || length > kMaxOrganizationNameLength) {
      Add(errors, "organizationName", kInvalidLength,
          "organizationName must be 2 to 100 characters");
    } else if (HasControlCharacter(trimmed)) {
      Add(errors, "organizationName", kInvalidValue,
          "organizationName must not contain control characters");
    } else {
      request.organization_name = std::string(trimmed);
    }
  }
  if (std::optional<std::string> token = StringField(body, "captchaToken", false, errors)) {
    if (token->empty() || token->size() > kMaxCaptchaTokenLength) {
      Add(errors, "captchaToken", kInvalidLength, "captchaToken must be 1 to 4096 characters");
    } else {
      request.captcha_token = std::move(*token);
    }
  }
  if (std::optional<std::string> origin = StringField(body, "callbackOrigin", false, errors)) {
    if (origin->empty() || origin->size() > kMaxCallbackOriginLength) {
      Add(errors, "callbackOrigin", kInvalidLength, "callbackOrigin must be 1 to 512 characters");
    } else {
      request.callback_origin = std::move(*origin);
    }
  }
  request.roles = Roles(body, errors);
  return request;
}

SignInRequest ParseSignInRequest(const Json& body, std::vector<FieldError>& errors) {
  SignInRequest request;
  if (!CheckObject(body, {"email", "password"}, errors)) return request;
  request.email = Email(body, errors);
  request.password = StringField(body, "password", true, errors).value_or("");
  return request;
}

VerifyEmailRequest ParseVerifyEmailRequest(const Json& body, std::vector<FieldError>& errors) {
  VerifyEmailRequest request;
  if (!CheckObject(body, {"email", "code"}, errors)) return request;
  request.email = Email(body, errors);
  request.code = StringField(body, "code", true, errors).value_or("");
  return request;
}

std::string ParseResendRequest(const Json& body, std::vector<FieldError>& errors) {
  if (!CheckObject(body, {"email"}, errors)) return "";
  return Email(body, errors);
}

}  // namespace portico::signup
