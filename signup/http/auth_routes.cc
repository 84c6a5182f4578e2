#include "signup/http/auth_routes.h"

#include <memory>
#include <string>
#include <utility>

#include "signup/account/auth_requests.h"
#include "signup/http/account_error.h"
#include "src/http/json_body.h"

namespace portico::signup {
namespace {

using Call = StatusOr<AccountReply> (AccountService::*)(const AccountCaller&, const Json&) const;

constexpr char kAllowedHeaders[] = "Authorization, Content-Type";
constexpr char kPreflightMaxAge[] = "600";

// The request's Origin when some tenant allows it: what CORS headers echo.
std::optional<std::string> CorsOrigin(const AccountService& service, const http::Request& req) {
  std::optional<std::string> origin = req.Header("origin");
  if (!origin || origin->empty()) return std::nullopt;
  StatusOr<std::string> normalized = NormalizeOrigin(*origin);
  if (!normalized.ok() || !service.SomeTenantAllowsOrigin(*normalized)) return std::nullopt;
  return origin;
}

void AddCorsHeaders(http::Response& response, const std::optional<std::string>& origin) {
  // Vary on every answer: a cache must not hand one origin's answer to another.
  response.WithHeader("Vary", "Origin");
  if (!origin) return;
  response.WithHeader("Access-Control-Allow-Origin", *origin);
  response.WithHeader("Access-Control-Expose-Headers", "Retry-After");
}

StatusOr<http::Response> Handle(const AccountService& service, Call call, http::Request& req) {
  std::optional<std::string> bearer = req.BearerToken();
  if (!bearer) {
    return Unauthenticated("Authorization: Bearer <publicLoginToken> is required");
  }
  PORTICO_ASSIGN_OR_RETURN(AccountCaller caller, service.Authenticate(*bearer));
  req.log_tenant = caller.tenant.id;
  caller.client_ip = req.client_ip;
  caller.user_agent = req.Header("user-agent").value_or("");
  caller.origin = req.Header("origin").value_or("");
  PORTICO_RETURN_IF_ERROR(http::CheckMediaType(req, {"application/json"}));
  StatusOr<Json> body = http::ParseJsonBody(req);
  if (!body.ok()) {
    return InvalidArgument("the request body is not valid JSON: " + body.status().message())
        .WithTag(kMalformedJson);
  }
  PORTICO_ASSIGN_OR_RETURN(AccountReply reply, (service.*call)(caller, *body));
  http::Response response = http::Response::Json(reply.http_status, reply.body);
  response.NoStore();
  return response;
}

}  // namespace

void AddAuthRoutes(http::Router& router, const AccountService& service, HashingPool& pool) {
  const AccountService* svc = &service;
  HashingPool* workers = &pool;
  const http::ErrorRenderer errors = [svc](const Status& status, const http::Request& req) {
    http::Response response = RenderAccountError(status, req);
    AddCorsHeaders(response, CorsOrigin(*svc, req));
    return response;
  };
  const auto post = [&](const char* path, Call call, std::string summary) {
    router.Add(http::Route{
        .method = "POST",
        .pattern = path,
        .family = "auth",
        .async_handler =
            [svc, workers, call, errors](std::shared_ptr<http::Request> req, http::Reply reply) {
              Status queued = workers->Submit([svc, call, req, reply, errors] {
                StatusOr<http::Response> response = Handle(*svc, call, *req);
                if (!response.ok()) {
                  reply(errors(response.status(), *req));
                  return;
                }
                AddCorsHeaders(*response, CorsOrigin(*svc, *req));
                reply(std::move(response));
              });
              if (!queued.ok()) reply(errors(queued, *req));
            },
        .errors = errors,
        .summary = std::move(summary)});
    router.Add(http::Route{
        .method = "OPTIONS",
        .pattern = path,
        .family = "auth",
        .handler = [svc](http::Request& req) -> StatusOr<http::Response> {
          // A preflight costs at most one cached settings scan: it may stay on the reactor.
          std::optional<std::string> origin = CorsOrigin(*svc, req);
          if (!origin) {
            return PermissionDenied("this origin may not use the sign-up API")
                .WithTag(kOriginForbidden);
          }
          http::Response response = http::Response::NoContent();
          AddCorsHeaders(response, origin);
          response.WithHeader("Access-Control-Allow-Methods", "POST");
          response.WithHeader("Access-Control-Allow-Headers", kAllowedHeaders);
          response.WithHeader("Access-Control-Max-Age", kPreflightMaxAge);
          return response;
        },
        .errors = errors,
        .summary = "CORS preflight"});
  };
  post(kSignUpPath, &AccountService::SignUp,
       "Create an account (email + password, passwordHash, or none) in the token's tenant");
  post(kSignInPath, &AccountService::SignIn, "Sign in with email and password: a session");
  post(kVerifyEmailPath, &AccountService::VerifyEmail, "Confirm an account's email with its code");
  post(kResendVerificationPath, &AccountService::ResendVerification,
       "Mail a new email verification code");
  router.SetFallback(kAuthPrefix, errors);
}

}  // namespace portico::signup
