#include "dcr/http/registration_routes.h"

#include <optional>
#include <string>
#include <utility>

#include "dcr/http/oauth_error.h"
#include "src/http/json_body.h"

namespace portico::dcr {
namespace {

std::optional<std::string_view> View(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

// RFC 7591 §3.1: the metadata is a JSON document. A malformed one is
// invalid_client_metadata (the JSON parser's message says where).
StatusOr<Json> MetadataBody(const http::Request& req) {
  PORTICO_RETURN_IF_ERROR(http::CheckMediaType(req, {"application/json"}));
  StatusOr<Json> body = http::ParseJsonBody(req);
  if (!body.ok()) {
    return InvalidArgument(body.status().message()).WithTag("invalid_client_metadata");
  }
  return body;
}

http::Response Information(int status, const ClientInformation& info) {
  http::Response response = http::Response::Json(status, info.body);
  response.NoStore().WithHeader("Pragma", "no-cache");
  return response;
}

http::Route Route(std::string method, std::string pattern, http::Handler handler,
                  std::string summary) {
  return http::Route{.method = std::move(method),
                     .pattern = std::move(pattern),
                     .family = "dcr",
                     .handler = std::move(handler),
                     .errors = RenderOAuthError,
                     .summary = std::move(summary)};
}

}  // namespace

void AddRegistrationRoutes(http::Router& router, RegistrationService& service) {
  const std::string client_path = std::string(kRegistrationPath) + "/:client_id";
  router.Add(Route(
      "POST", kRegistrationPath,
      [&service](http::Request& req) -> StatusOr<http::Response> {
        PORTICO_ASSIGN_OR_RETURN(Json body, MetadataBody(req));
        const std::optional<std::string> token = req.BearerToken();
        PORTICO_ASSIGN_OR_RETURN(ClientInformation info,
                                 service.Register(View(token), req.client_ip, body));
        http::Response response = Information(201, info);
        response.WithHeader("Location", info.body.Find("registration_client_uri")->as_string());
        return response;
      },
      "Register an OAuth client (RFC 7591)"));
  router.Add(Route(
      "GET", client_path,
      [&service](http::Request& req) -> StatusOr<http::Response> {
        PORTICO_ASSIGN_OR_RETURN(ClientInformation info,
                                 service.Read(req.Param("client_id"), View(req.BearerToken())));
        return Information(200, info);
      },
      "Read a client registration (RFC 7592)"));
  router.Add(Route(
      "PUT", client_path,
      [&service](http::Request& req) -> StatusOr<http::Response> {
        const std::optional<std::string> token = req.BearerToken();
        StatusOr<Json> body = MetadataBody(req);
        if (!body.ok()) {
          // A bad token is 401 whatever the body (RFC 7592 §2): check it first.
          PORTICO_RETURN_IF_ERROR(service.Read(req.Param("client_id"), View(token)).status());
          return body.status();
        }
        const std::optional<std::string> rotate = req.Query("rotate_secret");
        if (rotate && *rotate != "true" && *rotate != "false") {
          return InvalidArgument("rotate_secret must be true or false");
        }
        PORTICO_ASSIGN_OR_RETURN(ClientInformation info,
                                 service.Replace(req.Param("client_id"), View(token), *body,
                                                 rotate && *rotate == "true"));
        return Information(200, info);
      },
      "Replace a client registration (RFC 7592)"));
  router.Add(Route(
      "DELETE", client_path,
      [&service](http::Request& req) -> StatusOr<http::Response> {
        PORTICO_RETURN_IF_ERROR(service.Delete(req.Param("client_id"), View(req.BearerToken())));
        http::Response response = http::Response::NoContent();
        response.NoStore();
        return response;
      },
      "Delete a client registration (RFC 7592)"));
  router.SetFallback("/oauth", RenderOAuthError);
}

}  // namespace portico::dcr
