#include <string>

#include "scim/http/scim_routes.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

constexpr std::string_view kErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";

bool IsScimType(const std::string& tag) {
  for (std::string_view t :
       {kInvalidFilter, kTooMany, kUniqueness, kMutability, kInvalidSyntax, kInvalidPath, kNoTarget,
        kInvalidValue, kInvalidVers, kSensitive, kInvalidCursor, kExpiredCursor, kTooLarge}) {
    if (tag == t) return true;
  }
  return false;
}

}  // namespace

Json ScimErrorJson(const Status& status, int* http_status_out) {
  int http_status = http::DefaultHttpStatus(status.code());
  std::string scim_type = status.tag();
  if (status.code() == StatusCode::kFailedPrecondition) http_status = 412;  // RFC 7644 §3.14
  if (scim_type == "unsupported_media_type") {
    http_status = 415;
    scim_type.clear();
  }
  if (scim_type == "method_not_allowed") {
    http_status = 405;
    scim_type.clear();
  }
  // Malformed JSON bodies are SCIM's invalidSyntax (RFC 7644 §3.12).
  if (scim_type == "invalid_json" || scim_type == "duplicate_member") {
    scim_type = std::string(kInvalidSyntax);
  }
  Json body = Json::MakeObject();
  Json schemas = Json::MakeArray();
  schemas.Push(kErrorSchema);
  body.Set("schemas", std::move(schemas));
  body.Set("status", std::to_string(http_status));
  if (IsScimType(scim_type)) body.Set("scimType", scim_type);
  body.Set("detail", status.message());
  if (http_status_out != nullptr) *http_status_out = http_status;
  return body;
}

http::Response RenderScimError(const Status& status, const http::Request&) {
  int http_status = 500;
  Json body = ScimErrorJson(status, &http_status);
  http::Response response = http::Response::Json(http_status, body, "application/scim+json");
  if (status.code() == StatusCode::kUnauthenticated) {
    response.WithHeader("WWW-Authenticate", "Bearer realm=\"portico-scim\"");
  }
  if (status.retry_after_seconds()) {
    response.WithHeader("Retry-After", std::to_string(*status.retry_after_seconds()));
  }
  return response;
}

}  // namespace portico::scim
