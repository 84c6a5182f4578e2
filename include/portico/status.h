#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "portico/json.h"

namespace portico {

// Abseil's code names; each API family maps them (and the tag) to its own
// wire format in exactly one file.
enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input: 400 / 422
  kUnauthenticated,     // missing or bad credential: 401
  kPermissionDenied,    // authenticated but not allowed: 403
  kNotFound,            // 404
  kAlreadyExists,       // uniqueness conflict: 409
  kFailedPrecondition,  // state does not allow it (e.g. If-Match mismatch, not verified yet)
  kAborted,             // concurrent conflict, retry later: 409
  kResourceExhausted,   // rate limit or quota: 429 (retry_after_seconds set)
  kTooLarge,            // request body over the limit: 413
  kUnimplemented,       // 501
  kUnavailable,         // dependency down (database, mail): 503
  kInternal,            // broken invariant or unexpected failure: 500
};

const char* StatusCodeName(StatusCode code);

// The one error type. `message` is safe to show a client; `internal` is for
// logs only. `tag` is the protocol's machine-readable code where one exists
// (`invalid_redirect_uri`, scimType `uniqueness`, signup `RATE_LIMITED`).
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& tag() const { return tag_; }
  const Json& details() const { return details_; }
  const std::string& internal() const { return internal_; }
  std::optional<int> retry_after_seconds() const { return retry_after_seconds_; }

  Status& WithTag(std::string tag) & { tag_ = std::move(tag); return *this; }
  Status&& WithTag(std::string tag) && { tag_ = std::move(tag); return std::move(*this); }
  Status& WithDetails(Json details) & { details_ = std::move(details); return *this; }
  Status&& WithDetails(Json details) && { details_ = std::move(details); return std::move(*this); }
  Status& WithInternal(std::string internal) & { internal_ = std::move(internal); return *this; }
  Status&& WithInternal(std::string internal) && { internal_ = std::move(internal); return std::move(*this); }
  Status& WithRetryAfter(int seconds) & { retry_after_seconds_ = seconds; return *this; }
  Status&& WithRetryAfter(int seconds) && { retry_after_seconds_ = seconds; return std::move(*this); }

  // "INVALID_ARGUMENT[tag]: message (internal)" — for logs and test failures.
  std::string ToString() const;

  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string tag_;
  Json details_;
  std::string internal_;
  std::optional<int> retry_after_seconds_;
};

inline Status InvalidArgument(std::string m) { return Status(StatusCode::kInvalidArgument, std::move(m)); }
inline Status Unauthenticated(std::string m) { return Status(StatusCode::kUnauthenticated, std::move(m)); }
inline Status PermissionDenied(std::string m) { return Status(StatusCode::kPermissionDenied, std::move(m)); }
inline Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
inline Status AlreadyExists(std::string m) { return Status(StatusCode::kAlreadyExists, std::move(m)); }
inline Status FailedPrecondition(std::string m) { return Status(StatusCode::kFailedPrecondition, std::move(m)); }
inline Status Aborted(std::string m) { return Status(StatusCode::kAborted, std::move(m)); }
inline Status ResourceExhausted(std::string m) { return Status(StatusCode::kResourceExhausted, std::move(m)); }
inline Status TooLarge(std::string m) { return Status(StatusCode::kTooLarge, std::move(m)); }
inline Status Unimplemented(std::string m) { return Status(StatusCode::kUnimplemented, std::move(m)); }
inline Status Unavailable(std::string m) { return Status(StatusCode::kUnavailable, std::move(m)); }
inline Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}
  StatusOr(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }

  bool ok() const { return v_.index() == 0; }
  Status status() const { return ok() ? Status() : std::get<Status>(v_); }

  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace portico

#define PORTICO_CONCAT_INNER_(a, b) a##b
#define PORTICO_CONCAT_(a, b) PORTICO_CONCAT_INNER_(a, b)

#define PORTICO_RETURN_IF_ERROR(expr)           \
  do {                                          \
    ::portico::Status portico_status_ = (expr); \
    if (!portico_status_.ok()) return portico_status_; \
  } while (0)

#define PORTICO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()

// PORTICO_ASSIGN_OR_RETURN(auto x, Fn()); declares or assigns on success.
#define PORTICO_ASSIGN_OR_RETURN(lhs, expr) \
  PORTICO_ASSIGN_OR_RETURN_IMPL_(PORTICO_CONCAT_(portico_statusor_, __LINE__), lhs, expr)
