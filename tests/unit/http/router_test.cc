#include "src/http/router.h"

#include <gtest/gtest.h>

namespace portico::http {
namespace {

Handler Ok() {
  return [](Request&) -> StatusOr<Response> { return Response::Text(200, "ok"); };
}

Route Make(std::string method, std::string pattern) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.family = "test";
  r.handler = Ok();
  return r;
}

ErrorRenderer Tagged(std::string name) {
  return [name](const Status& status, const Request&) {
    return Response::Text(DefaultHttpStatus(status.code()), name);
  };
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(Make("GET", "/"));
    router_.Add(Make("GET", "/healthz"));
    router_.Add(Make("GET", "/scim/v2/Users"));
    router_.Add(Make("POST", "/scim/v2/Users"));
    router_.Add(Make("GET", "/scim/v2/Users/:id"));
    router_.Add(Make("PUT", "/scim/v2/Users/:id"));
    router_.Add(Make("GET", "/scim/v2/Users/.search"));
    router_.Add(Make("GET", "/a/:x/c"));
    router_.Add(Make("GET", "/a/b/d"));
    router_.Add(Make("GET", "/t/:tenant/items/:item"));
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralRoutes) {
  Router::Match m = router_.Find("GET", "/healthz");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/healthz");
  EXPECT_TRUE(m.params.empty());

  m = router_.Find("GET", "/");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/");
}

TEST_F(RouterTest, LiteralSegmentsWinOverParameters) {
  Router::Match m = router_.Find("GET", "/scim/v2/Users/.search");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/scim/v2/Users/.search");

  m = router_.Find("GET", "/scim/v2/Users/42");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/scim/v2/Users/:id");
  EXPECT_EQ(m.params.at("id"), "42");
}

TEST_F(RouterTest, BacktracksToTheParameterWhenTheLiteralBranchDeadEnds) {
  // "/a/b/…" enters the literal "b" branch, which only has "d".
  Router::Match m = router_.Find("GET", "/a/b/c");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/a/:x/c");
  EXPECT_EQ(m.params.at("x"), "b");
}

TEST_F(RouterTest, ExtractsSeveralParametersFromTheDecodedPath) {
  Router::Match m = router_.Find("GET", "/t/acme corp/items/x y");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("tenant"), "acme corp");
  EXPECT_EQ(m.params.at("item"), "x y");
}

TEST_F(RouterTest, ReportsAllowedMethodsWhenOnlyTheMethodIsWrong) {
  Router::Match m = router_.Find("DELETE", "/scim/v2/Users/42");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET", "PUT"}));

  m = router_.Find("HEAD", "/healthz");  // no automatic HEAD
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed_methods, (std::vector<std::string>{"GET"}));
}

TEST_F(RouterTest, UnknownPathsMatchNothing) {
  for (const char* path : {"/nope", "/healthz/", "/scim/v2/Users/", "/scim/v2/Users//x",
                           "/scim/v2/Users/1/extra", "/HEALTHZ", "", "healthz"}) {
    Router::Match m = router_.Find("GET", path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_TRUE(m.allowed_methods.empty()) << path;
  }
}

TEST_F(RouterTest, ParametersDoNotMatchEmptySegments) {
  Router::Match m = router_.Find("GET", "/t//items/x");
  EXPECT_EQ(m.route, nullptr);
}

TEST(RouterFallbackTest, LongestPrefixOnASegmentBoundaryWins) {
  Router router;
  router.SetFallback("/", Tagged("root"));
  router.SetFallback("/scim/v2", Tagged("scim"));
  router.SetFallback("/api/public/signup", Tagged("signup"));
  Request req;
  auto name = [&](std::string_view path) {
    return router.FallbackFor(path)(NotFound("x"), req).body;
  };
  EXPECT_EQ(name("/scim/v2/Nope"), "scim");
  EXPECT_EQ(name("/scim/v2"), "scim");
  EXPECT_EQ(name("/scim/v2x"), "root");
  EXPECT_EQ(name("/api/public/signup/sessions/1"), "signup");
  EXPECT_EQ(name("/other"), "root");
}

TEST(RouterFallbackTest, WithoutAPrefixTheGenericRendererAnswers) {
  Router router;
  router.SetFallback("/scim", Tagged("scim"));
  Request req;
  Response r = router.FallbackFor("/elsewhere")(NotFound("no such thing"), req);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, R"({"error":"not_found","error_description":"no such thing"})");
}

TEST(RouterTest2, RoutesAreListedInRegistrationOrder) {
  Router router;
  router.Add(Make("GET", "/b"));
  router.Add(Make("POST", "/a"));
  ASSERT_EQ(router.routes().size(), 2u);
  EXPECT_EQ(router.routes()[0].pattern, "/b");
  EXPECT_EQ(router.routes()[1].method, "POST");
}

#ifndef NDEBUG
TEST(RouterDeathTest, DuplicateMethodAndPatternAsserts) {
  Router router;
  router.Add(Make("GET", "/x/:id"));
  EXPECT_DEATH(router.Add(Make("GET", "/x/:id")), "duplicate");
}
#endif

TEST(RenderErrorTest, RouteRendererThenFallbackThenGeneric) {
  Route route = Make("GET", "/x");
  route.errors = Tagged("route");
  ErrorRenderer fallback = Tagged("fallback");
  Request req;
  EXPECT_EQ(RenderError(&route, fallback, NotFound("x"), req).body, "route");
  EXPECT_EQ(RenderError(nullptr, fallback, NotFound("x"), req).body, "fallback");
  Route plain = Make("GET", "/y");
  EXPECT_EQ(RenderError(&plain, fallback, NotFound("gone"), req).body,
            R"({"error":"not_found","error_description":"gone"})");
}

}  // namespace
}  // namespace portico::http
