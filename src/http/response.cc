#include "src/http/response.h"

#include <cctype>

namespace portico::http {

Response Response::Json(int status, const portico::Json& body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  body.DumpTo(r.body);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response& Response::WithHeader(std::string name, std::string value) & {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response&& Response::WithHeader(std::string name, std::string value) && {
  return std::move(WithHeader(std::move(name), std::move(value)));
}

Response& Response::NoStore() & { return WithHeader("Cache-Control", "no-store"); }

Response&& Response::NoStore() && { return std::move(NoStore()); }

int DefaultHttpStatus(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kAlreadyExists:
      return 409;
    case StatusCode::kFailedPrecondition:
      return 409;
    case StatusCode::kAborted:
      return 409;
    case StatusCode::kResourceExhausted:
      return 429;
    case StatusCode::kTooLarge:
      return 413;
    case StatusCode::kUnimplemented:
      return 501;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

Response GenericErrorResponse(const Status& status) {
  std::string error = status.tag();
  if (error.empty()) {
    for (const char* p = StatusCodeName(status.code()); *p != '\0'; ++p) {
      error.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(*p))));
    }
  }
  portico::Json body = portico::Json::MakeObject();
  body.Set("error", std::move(error));
  body.Set("error_description", status.message());
  const int http_status = DefaultHttpStatus(status.code());
  Response r = Response::Json(http_status, body);
  if ((http_status == 429 || http_status == 503) && status.retry_after_seconds()) {
    r.WithHeader("Retry-After", std::to_string(*status.retry_after_seconds()));
  }
  return r;
}

}  // namespace portico::http
