#include "dcr/http/oauth_error.h"

#include <string>
#include <string_view>

namespace portico::dcr {
namespace {

// Error codes of RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, RFC 7591
// §3.2.2, RFC 7592 and RFC 8707 §2 that a tag may carry through unchanged.
bool IsOAuthErrorCode(std::string_view tag) {
  for (std::string_view code :
       {"invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
        "unsupported_grant_type", "invalid_scope", "invalid_token", "insufficient_scope",
        "unsupported_token_type", "invalid_redirect_uri", "invalid_client_metadata",
        "invalid_software_statement", "unapproved_software_statement", "server_error",
        "temporarily_unavailable", "access_denied", "invalid_target"}) {
    if (tag == code) return true;
  }
  return false;
}

std::string ErrorCode(const Status& status) {
  if (IsOAuthErrorCode(status.tag())) return status.tag();
  switch (status.code()) {
    case StatusCode::kUnauthenticated:
      return "invalid_token";
    case StatusCode::kPermissionDenied:
      return "insufficient_scope";
    case StatusCode::kResourceExhausted:
      return "rate_limited";
    case StatusCode::kUnavailable:
      return "temporarily_unavailable";
    case StatusCode::kInternal:
    case StatusCode::kUnimplemented:
      return "server_error";
    default:
      return "invalid_request";
  }
}

// A quoted-string for an auth-param (RFC 9110 §5.6.4): the description is
// client-safe text, but may hold quotes or backslashes.
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

http::Response RenderOAuthError(const Status& status, const http::Request&) {
  int http_status = http::DefaultHttpStatus(status.code());
  if (status.tag() == "unsupported_media_type") http_status = 415;
  if (status.tag() == "method_not_allowed") http_status = 405;
  const std::string error = ErrorCode(status);
  Json body = Json::MakeObject();
  body.Set("error", error);
  body.Set("error_description", status.message());
  http::Response response = http::Response::Json(http_status, body);
  response.NoStore();
  if (http_status == 401) {
    response.WithHeader("WWW-Authenticate",
                        error == "invalid_client"
                            ? std::string("Basic realm=\"portico\"")
                            : "Bearer realm=\"portico\", error=" + Quoted(error) +
                                  ", error_description=" + Quoted(status.message()));
  }
  if (status.retry_after_seconds()) {
    response.WithHeader("Retry-After", std::to_string(*status.retry_after_seconds()));
  }
  return response;
}

}  // namespace portico::dcr
