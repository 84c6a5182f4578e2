#include "signup/http/account_error.h"

#include <string>
#include <string_view>

#include "signup/account/auth_requests.h"
#include "signup/account/captcha_verifier.h"

namespace portico::signup {
namespace {

struct ApiCode {
  std::string_view code;
  int http_status;
};

constexpr ApiCode kApiCodes[] = {
    {kValidationError, 422},     {kMalformedJson, 400},      {kEmailExists, 409},
    {kOriginForbidden, 403},     {kRolesForbidden, 403},     {kInvalidCaptcha, 400},
    {kInvalidCredentials, 401},  {kInvalidCode, 400},        {kAccountRateLimited, 429},
};

std::string CodeFor(const Status& status, int& http_status) {
  http_status = http::DefaultHttpStatus(status.code());
  for (const ApiCode& api : kApiCodes) {
    if (status.tag() == api.code) {
      http_status = api.http_status;
      return std::string(api.code);
    }
  }
  const std::string& tag = status.tag();
  if (tag == "invalid_json" || tag == "duplicate_member") {
    http_status = 400;
    return kMalformedJson;
  }
  if (tag == "unsupported_media_type") {
    http_status = 415;
    return "UNSUPPORTED_MEDIA_TYPE";
  }
  if (tag == "method_not_allowed") {
    http_status = 405;
    return "METHOD_NOT_ALLOWED";
  }
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return "INVALID_REQUEST";
    case StatusCode::kUnauthenticated:
      return "UNAUTHORIZED";
    case StatusCode::kPermissionDenied:
      return "FORBIDDEN";
    case StatusCode::kNotFound:
      return "NOT_FOUND";
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kAborted:
      return "CONFLICT";
    case StatusCode::kResourceExhausted:
      // Not the caller's limit: every hashing worker is busy (load shedding).
      http_status = 503;
      return "SERVICE_BUSY";
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

}  // namespace

http::Response RenderAccountError(const Status& status, const http::Request&) {
  int http_status = 500;
  const std::string code = CodeFor(status, http_status);
  Json error = Json::MakeObject();
  error.Set("code", code).Set("message", status.message());
  const Json& details = status.details();
  if (code == kEmailExists) {
    if (const Json* action = details.Find("recommendedAction")) {
      error.Set("recommendedAction", *action);
    }
  } else if (details.is_array() || (details.is_object() && !details.as_object().empty())) {
    error.Set("details", details);
  }
  if (status.retry_after_seconds()) error.Set("retryAfter", *status.retry_after_seconds());
  Json body = Json::MakeObject();
  body.Set("success", false).Set("error", std::move(error));
  http::Response response = http::Response::Json(http_status, body);
  response.NoStore();
  if (status.retry_after_seconds()) {
    response.WithHeader("Retry-After", std::to_string(*status.retry_after_seconds()));
  }
  if (http_status == 401) response.WithHeader("WWW-Authenticate", "Bearer");
  return response;
}

}  // namespace portico::signup
