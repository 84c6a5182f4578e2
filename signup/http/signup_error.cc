#include "signup/http/signup_error.h"

#include <string>
#include <string_view>

#include "signup/session/create_request.h"
#include "signup/session/provisioner.h"
#include "signup/session/signup_service.h"

namespace portico::signup {
namespace {

bool IsApiCode(std::string_view tag) {
  for (std::string_view code :
       {std::string_view(kInvalidRequest), std::string_view(kNotFoundCode),
        std::string_view(kSlugTaken), std::string_view(kSessionExpired),
        std::string_view(kEmailAlreadyVerified), std::string_view(kRateLimited),
        std::string_view(kConflict), std::string_view(kFeatureDisabled),
        std::string_view(kEmailNotVerified), std::string_view(kProvisioningInProgress),
        std::string_view(kIdempotencyKeyReused), std::string_view(kAlreadyProvisioned)}) {
    if (tag == code) return true;
  }
  return false;
}

std::string CodeFor(const Status& status) {
  const std::string& tag = status.tag();
  if (IsApiCode(tag)) return tag;
  if (tag == "OTP_INVALID" || tag == "OTP_EXPIRED" || tag == "OTP_LOCKED" ||
      tag == "invalid_json" || tag == "duplicate_member") {
    return kInvalidRequest;
  }
  if (tag == "unsupported_media_type") return "UNSUPPORTED_MEDIA_TYPE";
  if (tag == "method_not_allowed") return "METHOD_NOT_ALLOWED";
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return kInvalidRequest;
    case StatusCode::kUnauthenticated:
      return "UNAUTHORIZED";
    case StatusCode::kPermissionDenied:
      return "FORBIDDEN";
    case StatusCode::kNotFound:
      return kNotFoundCode;
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return kConflict;
    case StatusCode::kResourceExhausted:
      return kRateLimited;
    case StatusCode::kTooLarge:
      return "PAYLOAD_TOO_LARGE";
    case StatusCode::kUnimplemented:
      return "NOT_IMPLEMENTED";
    case StatusCode::kUnavailable:
      return "SERVICE_UNAVAILABLE";
    case StatusCode::kOk:
    case StatusCode::kInternal:
      break;
  }
  return "INTERNAL_ERROR";
}

int64_t IntDetail(const Json& details, std::string_view name, int64_t fallback) {
  const Json* v = details.Find(name);
  return v != nullptr && v->is_int() ? v->as_int() : fallback;
}

// RFC 8941 sf-string content: printable ASCII without '"' and '\'.
std::string PolicyName(const Json& details) {
  const Json* scope = details.Find("scope");
  std::string name;
  if (scope != nullptr && scope->is_string()) {
    for (char c : scope->as_string()) {
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') name.push_back(c);
    }
  }
  return name.empty() ? "default" : name;
}

}  // namespace

http::Response RenderSignupError(const Status& status, const http::Request&) {
  const std::string code = CodeFor(status);
  int http_status = http::DefaultHttpStatus(status.code());
  if (code == kSessionExpired) http_status = 410;
  if (code == kFeatureDisabled) http_status = 503;
  if (code == "UNSUPPORTED_MEDIA_TYPE") http_status = 415;
  if (code == "METHOD_NOT_ALLOWED") http_status = 405;
  if (code == kInvalidRequest) http_status = 400;
  if (code == kIdempotencyKeyReused) http_status = 422;
  if (code == kEmailNotVerified || code == kProvisioningInProgress || code == kAlreadyProvisioned) {
    http_status = 409;
  }

  const Json details = status.details().is_object() ? status.details() : Json::MakeObject();
  Json body = Json::MakeObject();
  body.Set("code", code).Set("message", status.message()).Set("details", details);
  http::Response response = http::Response::Json(http_status, body);
  response.NoStore();
  if (status.retry_after_seconds()) {
    response.WithHeader("Retry-After", std::to_string(*status.retry_after_seconds()));
  }
  if (http_status == 429) {
    const int64_t retry =
        IntDetail(details, "retryAfterSeconds", status.retry_after_seconds().value_or(1));
    const std::string name = "\"" + PolicyName(details) + "\"";
    const int64_t limit = IntDetail(details, "limit", 0);
    const int64_t window = IntDetail(details, "windowSeconds", 0);
    if (limit > 0 && window > 0) {
      response.WithHeader("RateLimit-Policy",
                          name + ";q=" + std::to_string(limit) + ";w=" + std::to_string(window));
    }
    response.WithHeader("RateLimit", name + ";r=0;t=" + std::to_string(retry));
  }
  return response;
}

Status FeatureDisabled(int retry_after_seconds) {
  return Unavailable("self-serve signup is turned off on this server; try again later")
      .WithTag(kFeatureDisabled)
      .WithRetryAfter(retry_after_seconds)
      .WithDetails(Json::MakeObject().Set("retryAfterSeconds", retry_after_seconds));
}

}  // namespace portico::signup
