#include "signup/http/signup_routes.h"

#include <utility>

#include "signup/http/signup_error.h"
#include "signup/http/signup_page.h"
#include "signup/session/create_request.h"
#include "signup/session/session_view.h"
#include "src/http/json_body.h"

namespace portico::signup {
namespace {

ClientContext Client(const http::Request& req) {
  return ClientContext{req.client_ip, req.Header("user-agent").value_or("")};
}

// The JSON object body; an empty body is {} when `empty_ok` (resend-otp).
StatusOr<Json> Body(const http::Request& req, bool empty_ok) {
  PORTICO_RETURN_IF_ERROR(http::CheckMediaType(req, {"application/json"}));
  if (empty_ok && req.body.empty()) return Json::MakeObject();
  StatusOr<Json> body = http::ParseJsonBody(req);
  if (!body.ok()) {
    return InvalidArgument(body.status().message())
        .WithTag(kInvalidRequest)
        .WithDetails(Json::MakeObject().Set("reason", "MALFORMED_JSON"));
  }
  return body;
}

http::Response View(int status, const SignupSession& session, const SignupOptions& options) {
  http::Response response = http::Response::Json(status, SessionJson(session, options));
  response.NoStore();
  return response;
}

}  // namespace

void AddSignupRoutes(http::Router& router, SignupService& service, SignupRouteOptions options) {
  const bool enabled = options.enabled;
  const int retry_after = options.disabled_retry_after_seconds;
  // While the feature is off every answer under the prefix is FEATURE_DISABLED,
  // whatever went wrong (or right) first.
  const http::ErrorRenderer errors = [enabled, retry_after](const Status& status,
                                                            const http::Request& req) {
    return RenderSignupError(enabled ? status : FeatureDisabled(retry_after), req);
  };
  const auto route = [&](std::string method, std::string pattern, http::Handler handler,
                         std::string summary) {
    router.Add(http::Route{.method = std::move(method),
                           .pattern = std::move(pattern),
                           .family = "signup",
                           .handler = [enabled, retry_after, handler = std::move(handler)](
                                          http::Request& req) -> StatusOr<http::Response> {
                             if (!enabled) return FeatureDisabled(retry_after);
                             return handler(req);
                           },
                           .errors = errors,
                           .summary = std::move(summary)});
  };
  const std::string session_path = std::string(kSessionsPath) + "/:sessionId";
  const std::string base_url = options.base_url;

  route(
      "POST", kSessionsPath,
      [&service, base_url](http::Request& req) -> StatusOr<http::Response> {
        PORTICO_ASSIGN_OR_RETURN(Json body, Body(req, /*empty_ok=*/false));
        PORTICO_ASSIGN_OR_RETURN(SignupSession session, service.Create(body, Client(req)));
        http::Response response = View(201, session, service.options());
        response.WithHeader("Location", base_url + kSessionsPath + "/" + session.id);
        return response;
      },
      "Create a signup session; the verification code is emailed");
  route(
      "GET", session_path,
      [&service](http::Request& req) -> StatusOr<http::Response> {
        PORTICO_ASSIGN_OR_RETURN(SignupSession session, service.Get(req.Param("sessionId")));
        return View(200, session, service.options());
      },
      "Read a signup session's status (never a secret)");
  route(
      "POST", session_path + "/verify-email",
      [&service](http::Request& req) -> StatusOr<http::Response> {
        PORTICO_ASSIGN_OR_RETURN(Json body, Body(req, /*empty_ok=*/false));
        PORTICO_ASSIGN_OR_RETURN(SignupSession session,
                                 service.VerifyEmail(req.Param("sessionId"), body, Client(req)));
        return View(200, session, service.options());
      },
      "Verify the admin email with the 6-digit code");
  route(
      "POST", session_path + "/resend-otp",
      [&service](http::Request& req) -> StatusOr<http::Response> {
        PORTICO_ASSIGN_OR_RETURN(Json body, Body(req, /*empty_ok=*/true));
        PORTICO_ASSIGN_OR_RETURN(SignupSession session,
                                 service.ResendOtp(req.Param("sessionId"), body));
        return View(200, session, service.options());
      },
      "Email a new verification code (replaces the previous one)");
  if (options.provisioner != nullptr) {
    Provisioner* provisioner = options.provisioner;
    route(
        "POST", session_path + "/provision",
        [provisioner](http::Request& req) -> StatusOr<http::Response> {
          PORTICO_ASSIGN_OR_RETURN(Json body, Body(req, /*empty_ok=*/false));
          PORTICO_ASSIGN_OR_RETURN(ProvisionResult result,
                                   provisioner->Provision(req.Param("sessionId"), body));
          http::Response response = http::Response::Json(result.http_status, result.body);
          response.NoStore();
          return response;
        },
        "Provision the tenant of a verified session (resumable, idempotent)");
  }
  AddSignupPageRoutes(router, {.enabled = enabled});
  router.SetFallback(kSignupPrefix, errors);
}

}  // namespace portico::signup
