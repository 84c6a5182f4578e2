#include "signup/session/create_request.h"

#include <algorithm>
#include <array>
#include <utility>

#include "portico/tenant_service.h"
#include "portico/utf8.h"
#include "signup/session/rfc3339.h"

namespace portico::signup {
namespace {

constexpr size_t kMaxCompanyName = 200;  // code points
constexpr size_t kMaxVersion = 64;
constexpr size_t kMaxEmail = 254;  // RFC 5321 §4.5.3.1.3 path limit
constexpr size_t kMaxLocalPart = 64;
constexpr size_t kMaxLabel = 63;

constexpr std::array<std::string_view, 5> kCreateProperties = {"companyName", "slug", "modules",
                                                               "adminEmail", "legalAcceptance"};
constexpr std::array<std::string_view, 3> kLegalProperties = {"termsVersion", "privacyVersion",
                                                              "acceptedAt"};

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// RFC 5322 §3.2.3 atext.
bool IsAtext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c)) return true;
  return std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

// The first member of `object` outside `allowed`, or nullptr.
template <size_t N>
const std::string* UnknownMember(const Json& object,
                                 const std::array<std::string_view, N>& allowed) {
  for (const auto& [name, value] : object.as_object()) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) return &name;
  }
  return nullptr;
}

Status Unknown(std::string_view path) {
  return RequestError(path, "UNKNOWN_PROPERTY",
                      "unknown property \"" + std::string(path) + "\" is not accepted");
}

Status Required(std::string_view path) {
  return RequestError(path, "REQUIRED", std::string(path) + " is required");
}

Status WrongType(std::string_view path, std::string_view type) {
  return RequestError(path, "WRONG_TYPE", std::string(path) + " must be " + std::string(type));
}

// The string member `name` of `object` (reported as `path`).
StatusOr<std::string> StringMember(const Json& object, std::string_view name,
                                   std::string_view path) {
  const Json* value = object.Find(name);
  if (value == nullptr || value->is_null()) return Required(path);
  if (!value->is_string()) return WrongType(path, "a string");
  return value->as_string();
}

StatusOr<std::string> CompanyName(const Json& body) {
  PORTICO_ASSIGN_OR_RETURN(std::string raw, StringMember(body, "companyName", "companyName"));
  const std::string_view name = Trim(raw);
  const auto bad = [](std::string message) {
    return RequestError("companyName", "NAME_INVALID", std::move(message));
  };
  if (FindInvalidUtf8(name) != std::string_view::npos) return bad("companyName must be UTF-8");
  const size_t code_points =
      static_cast<size_t>(std::count_if(name.begin(), name.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      }));
  if (code_points == 0 || code_points > kMaxCompanyName) {
    return bad("companyName must be 1 to " + std::to_string(kMaxCompanyName) + " characters");
  }
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return bad("companyName must not contain control characters");
  }
  return std::string(name);
}

StatusOr<std::vector<std::string>> Modules(const Json& body) {
  const Json* value = body.Find("modules");
  if (value == nullptr || value->is_null()) return Required("modules");
  if (!value->is_array()) return WrongType("modules", "an array of strings");
  if (value->as_array().empty()) {
    return RequestError("modules", "MODULES_EMPTY", "modules must name at least one module");
  }
  const std::vector<std::string>& known = SignupModules();
  std::vector<std::string> modules;
  for (const Json& item : value->as_array()) {
    if (!item.is_string()) return WrongType("modules", "an array of strings");
    const std::string& m = item.as_string();
    if (std::find(known.begin(), known.end(), m) == known.end()) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      return RequestError("modules", "MODULE_UNKNOWN",
                          "modules holds the unknown module \"" + m + "\" (known: " + list + ")");
    }
    if (std::find(modules.begin(), modules.end(), m) != modules.end()) {
      return RequestError("modules", "MODULE_DUPLICATE",
                          "modules lists \"" + m + "\" more than once");
    }
    modules.push_back(m);
  }
  return modules;
}

StatusOr<std::string> Version(const Json& legal, std::string_view name, std::string_view path) {
  PORTICO_ASSIGN_OR_RETURN(std::string v, StringMember(legal, name, path));
  bool ok = !v.empty() && v.size() <= kMaxVersion;
  for (const char c : v) ok = ok && c > 0x20 && c < 0x7f;
  if (!ok) {
    return RequestError(path, "VERSION_INVALID",
                        std::string(path) + " must be 1 to " + std::to_string(kMaxVersion) +
                            " printable ASCII characters without spaces");
  }
  return v;
}

}  // namespace

Status RequestError(std::string_view field, std::string_view reason, std::string message) {
  return InvalidArgument(std::move(message))
      .WithTag(kInvalidRequest)
      .WithDetails(Json::MakeObject().Set("field", field).Set("reason", reason));
}

const std::vector<std::string>& SignupModules() { return KnownModules(); }

Status ValidateSignupSlug(std::string_view slug) {
  const auto bad = [](std::string message) {
    return RequestError("slug", "SLUG_INVALID", std::move(message));
  };
  if (slug.size() < 3 || slug.size() > 40) return bad("slug must be 3 to 40 characters");
  for (const char c : slug) {
    if (!IsLowerAlnum(c) && c != '-') {
      return bad("slug may contain only lowercase letters, digits and hyphens");
    }
  }
  if (!IsLowerAlnum(slug.front()) || !IsLowerAlnum(slug.back())) {
    return bad("slug must start and end with a letter or digit");
  }
  // Every other rule of the tenant service's passed, so what it still refuses
  // is its reserved list: one list for sessions and tenants.
  if (!ValidateSlug(slug).ok()) {
    return RequestError("slug", "SLUG_RESERVED", "slug \"" + std::string(slug) + "\" is reserved");
  }
  return Status::Ok();
}

StatusOr<std::string> NormaliseEmail(std::string_view raw) {
  const auto bad = [](std::string message) {
    return RequestError("adminEmail", "EMAIL_INVALID", std::move(message));
  };
  const std::string_view email = Trim(raw);
  if (email.empty() || email.size() > kMaxEmail) {
    return bad("adminEmail must be an email address of at most 254 characters");
  }
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return bad("adminEmail must contain exactly one @");
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty() || local.size() > kMaxLocalPart) {
    return bad("adminEmail's local part must be 1 to 64 characters");
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return bad("adminEmail's local part must not start or end with a dot or hold two in a row");
  }
  for (const char c : local) {
    if (c != '.' && !IsAtext(c)) {
      return bad("adminEmail's local part holds a character that is not allowed");
    }
  }
  std::string normalised(local);
  normalised.push_back('@');
  size_t labels = 0;
  std::string_view last_label;
  size_t start = 0;
  while (true) {
    const size_t dot = domain.find('.', start);
    const std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty() || label.size() > kMaxLabel || label.front() == '-' || label.back() == '-') {
      return bad(
          "adminEmail's domain must be dot-separated names of 1 to 63 letters, digits "
          "and inner hyphens");
    }
    for (const char c : label) {
      const bool upper = c >= 'A' && c <= 'Z';
      if (!IsLowerAlnum(c) && !upper && c != '-') {
        return bad("adminEmail's domain may contain only letters, digits, hyphens and dots");
      }
      normalised.push_back(upper ? static_cast<char>(c - 'A' + 'a') : c);
    }
    ++labels;
    last_label = label;
    if (dot == std::string_view::npos) break;
    normalised.push_back('.');
    start = dot + 1;
  }
  if (labels < 2 || std::all_of(last_label.begin(), last_label.end(), IsDigit)) {
    return bad("adminEmail's domain must be a name such as example.com");
  }
  return normalised;
}

std::string_view EmailDomain(std::string_view email) {
  const size_t at = email.rfind('@');
  return at == std::string_view::npos ? std::string_view() : email.substr(at + 1);
}

StatusOr<CreateRequest> ParseCreateRequest(const Json& body, TimePoint now) {
  if (!body.is_object()) {
    return RequestError("", "WRONG_TYPE", "the request body must be a JSON object");
  }
  // Unknown properties first, anywhere: a client must not learn which of its
  // extra fields would have been honoured.
  if (const std::string* name = UnknownMember(body, kCreateProperties)) return Unknown(*name);
  const Json* legal = body.Find("legalAcceptance");
  if (legal != nullptr && legal->is_object()) {
    if (const std::string* name = UnknownMember(*legal, kLegalProperties)) {
      return Unknown("legalAcceptance." + *name);
    }
  }

  CreateRequest request;
  PORTICO_ASSIGN_OR_RETURN(request.company_name, CompanyName(body));
  PORTICO_ASSIGN_OR_RETURN(request.slug, StringMember(body, "slug", "slug"));
  PORTICO_RETURN_IF_ERROR(ValidateSignupSlug(request.slug));
  PORTICO_ASSIGN_OR_RETURN(request.modules, Modules(body));
  PORTICO_ASSIGN_OR_RETURN(std::string email, StringMember(body, "adminEmail", "adminEmail"));
  PORTICO_ASSIGN_OR_RETURN(request.admin_email, NormaliseEmail(email));

  if (legal == nullptr || legal->is_null()) return Required("legalAcceptance");
  if (!legal->is_object()) return WrongType("legalAcceptance", "an object");
  PORTICO_ASSIGN_OR_RETURN(request.terms_version,
                           Version(*legal, "termsVersion", "legalAcceptance.termsVersion"));
  PORTICO_ASSIGN_OR_RETURN(request.privacy_version,
                           Version(*legal, "privacyVersion", "legalAcceptance.privacyVersion"));
  PORTICO_ASSIGN_OR_RETURN(std::string accepted,
                           StringMember(*legal, "acceptedAt", "legalAcceptance.acceptedAt"));
  const std::optional<TimePoint> accepted_at = ParseRfc3339(accepted);
  if (!accepted_at) {
    return RequestError("legalAcceptance.acceptedAt", "DATE_INVALID",
                        "legalAcceptance.acceptedAt must be an RFC 3339 date-time, e.g. "
                        "2026-03-03T12:00:00Z");
  }
  if (*accepted_at > now + kAcceptedAtSkew) {
    return RequestError("legalAcceptance.acceptedAt", "DATE_INVALID",
                        "legalAcceptance.acceptedAt lies in the future");
  }
  request.accepted_at = *accepted_at;
  return request;
}

StatusOr<std::string> ParseVerifyRequest(const Json& body) {
  if (!body.is_object()) {
    return RequestError("", "WRONG_TYPE", "the request body must be a JSON object");
  }
  constexpr std::array<std::string_view, 1> kVerifyProperties = {"otp"};
  if (const std::string* name = UnknownMember(body, kVerifyProperties)) return Unknown(*name);
  PORTICO_ASSIGN_OR_RETURN(std::string otp, StringMember(body, "otp", "otp"));
  if (otp.size() != 6 || !std::all_of(otp.begin(), otp.end(), IsDigit)) {
    return RequestError("otp", "OTP_FORMAT", "otp must be the 6-digit code from the email");
  }
  return otp;
}

Status ParseResendRequest(const Json& body) {
  if (!body.is_object()) {
    return RequestError("", "WRONG_TYPE", "the request body must be a JSON object");
  }
  constexpr std::array<std::string_view, 0> kNone = {};
  if (const std::string* name = UnknownMember(body, kNone)) return Unknown(*name);
  return Status::Ok();
}

}  // namespace portico::signup
