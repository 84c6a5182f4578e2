#include "dcr/http/token_routes.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "src/http/router.h"
#include "tests/unit/dcr/token_test_support.h"

namespace portico::dcr::testing {
namespace {

std::optional<std::string> HeaderOf(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (http::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

class TokenRoutesTest : public TokenTestBase {
 protected:
  TokenRoutesTest() { AddTokenRoutes(router_, *service_, *keys_); }

  // Runs the matched route's handler the way the server does, rendering an
  // error with the route's renderer.
  http::Response Call(const std::string& method, const std::string& path, std::string body,
                      std::vector<std::pair<std::string, std::string>> headers = {
                          {"content-type", "application/x-www-form-urlencoded"}}) {
    http::Router::Match match = router_.Find(method, path);
    EXPECT_NE(match.route, nullptr) << method << " " << path;
    if (match.route == nullptr) return http::Response();
    http::Request req{.method = method, .path = path, .route = match.route->pattern};
    req.headers = std::move(headers);
    req.body = std::move(body);
    last_request_ = req;
    StatusOr<http::Response> response = match.route->handler(req);
    last_request_.log_tenant = req.log_tenant;
    EXPECT_EQ(match.route->family, "dcr");
    return response.ok() ? *response : match.route->errors(response.status(), req);
  }

  http::Response Post(const std::string& path, const FormParams::Pairs& params,
                      const TestClient& client) {
    return Call("POST", path, FormBody(params),
                {{"content-type", "application/x-www-form-urlencoded"},
                 {"authorization", BasicAuthorization(client.client_id, client.secret)}});
  }

  http::Router router_;
  http::Request last_request_;
};

TEST_F(TokenRoutesTest, TokenResponseIsAnUncacheableBearerToken) {
  const TestClient client = AddClient({.scope = "read"});
  const http::Response response = Post(kTokenPath, {{"grant_type", "client_credentials"}}, client);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(HeaderOf(response, "Cache-Control"), "no-store");
  EXPECT_EQ(HeaderOf(response, "Pragma"), "no-cache");
  const Json body = ParseOrDie(response.body);
  EXPECT_FALSE(body.Find("access_token")->as_string().empty());
  EXPECT_EQ(body.Find("token_type")->as_string(), "Bearer");
  EXPECT_EQ(body.Find("expires_in")->as_int(), 3600);
  EXPECT_EQ(body.Find("scope")->as_string(), "read");
  EXPECT_EQ(last_request_.log_tenant, kTenant);
}

TEST_F(TokenRoutesTest, FailedClientAuthenticationIs401InvalidClientWithBasicChallenge) {
  const TestClient client = AddClient();
  TestClient wrong = client;
  wrong.secret = "nope";
  const http::Response response = Post(kTokenPath, {{"grant_type", "client_credentials"}}, wrong);
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(ParseOrDie(response.body).Find("error")->as_string(), "invalid_client");
  ASSERT_TRUE(HeaderOf(response, "WWW-Authenticate").has_value());
  EXPECT_EQ(HeaderOf(response, "WWW-Authenticate")->rfind("Basic", 0), 0u);
}

TEST_F(TokenRoutesTest, OAuthErrorsAre400WithTheirCode) {
  const TestClient client = AddClient({.scope = "read"});
  http::Response response = Post(kTokenPath, {{"grant_type", "password"}}, client);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ParseOrDie(response.body).Find("error")->as_string(), "unsupported_grant_type");
  response = Post(kTokenPath, {{"grant_type", "client_credentials"}, {"scope", "admin"}}, client);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ParseOrDie(response.body).Find("error")->as_string(), "invalid_scope");
}

TEST_F(TokenRoutesTest, NonFormBodiesAreInvalidRequest) {
  const TestClient client = AddClient();
  for (const char* type : {"application/json", "text/plain", ""}) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"authorization", BasicAuthorization(client.client_id, client.secret)}};
    if (*type != '\0') headers.emplace_back("content-type", type);
    const http::Response response =
        Call("POST", kTokenPath, "grant_type=client_credentials", headers);
    EXPECT_EQ(response.status, 400) << type;
    EXPECT_EQ(ParseOrDie(response.body).Find("error")->as_string(), "invalid_request") << type;
  }
  // Parameters of the media type are fine.
  EXPECT_EQ(Call("POST", kTokenPath, "grant_type=client_credentials",
                 {{"content-type", "Application/X-WWW-Form-Urlencoded; charset=UTF-8"},
                  {"authorization", BasicAuthorization(client.client_id, client.secret)}})
                .status,
            200);
}

TEST_F(TokenRoutesTest, RepeatedParameterIsInvalidRequest) {
  const TestClient client = AddClient();
  const http::Response response =
      Post(kTokenPath, {{"grant_type", "client_credentials"}, {"grant_type", "client_credentials"}},
           client);
  EXPECT_EQ(response.status, 400);
  EXPECT_EQ(ParseOrDie(response.body).Find("error")->as_string(), "invalid_request");
}

TEST_F(TokenRoutesTest, ParametersInTheQueryStringAreRefused) {
  const TestClient client = AddClient({.method = "client_secret_post"});
  http::Router::Match match = router_.Find("POST", kTokenPath);
  ASSERT_NE(match.route, nullptr);
  http::Request req{.method = "POST", .path = kTokenPath};
  req.query = {{"client_secret", client.secret}};
  req.headers = {{"content-type", "application/x-www-form-urlencoded"}};
  req.body = FormBody({{"grant_type", "client_credentials"}, {"client_id", client.client_id}});
  StatusOr<http::Response> response = match.route->handler(req);
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().tag(), "invalid_request");
}

TEST_F(TokenRoutesTest, IntrospectionAnswersActiveOrInactiveUncached) {
  const TestClient client = AddClient();
  const std::string token =
      ParseOrDie(Post(kTokenPath, {{"grant_type", "client_credentials"}}, client).body)
          .Find("access_token")
          ->as_string();
  http::Response response = Post(kIntrospectionPath, {{"token", token}}, client);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(HeaderOf(response, "Cache-Control"), "no-store");
  EXPECT_EQ(HeaderOf(response, "Pragma"), "no-cache");
  EXPECT_TRUE(ParseOrDie(response.body).Find("active")->as_bool());
  response = Post(kIntrospectionPath, {{"token", "garbage"}}, client);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, R"({"active":false})");
}

TEST_F(TokenRoutesTest, RevocationAnswers200WithAnEmptyBody) {
  const TestClient client = AddClient();
  const std::string token =
      ParseOrDie(Post(kTokenPath, {{"grant_type", "client_credentials"}}, client).body)
          .Find("access_token")
          ->as_string();
  http::Response response = Post(kRevocationPath, {{"token", token}}, client);
  EXPECT_EQ(response.status, 200);
  EXPECT_TRUE(response.body.empty());
  EXPECT_FALSE(ParseOrDie(Post(kIntrospectionPath, {{"token", token}}, client).body)
                   .Find("active")
                   ->as_bool());
  // An unknown token: 200 all the same.
  EXPECT_EQ(Post(kRevocationPath, {{"token", "unknown"}}, client).status, 200);
}

TEST_F(TokenRoutesTest, JwksIsThePublicKeySetCacheableForMinutes) {
  const http::Response response = Call("GET", kJwksPath, "", {});
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(HeaderOf(response, "Cache-Control"), "public, max-age=300");
  const Json jwks = ParseOrDie(response.body);
  ASSERT_EQ(jwks.Find("keys")->as_array().size(), 1u);
  EXPECT_EQ(jwks.Find("keys")->as_array()[0].Find("d"), nullptr);
  EXPECT_TRUE(JwkSet::Parse(jwks).ok());
}

TEST_F(TokenRoutesTest, JwksIsUnavailableWhenTheDatabaseIs) {
  db_.SetUnavailable(true);
  const http::Response response = Call("GET", kJwksPath, "", {});
  EXPECT_EQ(response.status, 503);
}

}  // namespace
}  // namespace portico::dcr::testing
