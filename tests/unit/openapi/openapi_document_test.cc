// The builder on small synthetic route tables: the route/documentation
// consistency it enforces and what it derives from the routes.
#include "src/openapi/openapi_document.h"

#include <gtest/gtest.h>

namespace portico::openapi {
namespace {

http::Route MakeRoute(std::string method, std::string pattern, std::string family = "ops") {
  return http::Route{.method = std::move(method),
                     .pattern = std::move(pattern),
                     .family = std::move(family),
                     .handler = [](http::Request&) -> StatusOr<http::Response> {
                       return http::Response::NoContent();
                     },
                     .summary = "a route"};
}

const DocumentOptions kOptions{
    .base_url = "https://id.example", .version = "1.2.3", .max_body_bytes = 1024};

const char kPublicOk[] = R"({"security":[],"responses":{"200":{"description":"ok"}}})";

StatusOr<Json> Build(const std::vector<http::Route>& routes, const std::vector<RouteDoc>& docs) {
  return BuildDocument(routes, docs, Json::MakeObject(), kOptions);
}

TEST(OpenApiPathTest, ConvertsColonParametersToTemplates) {
  EXPECT_EQ(OpenApiPath("/scim/v2/Users/:id"), "/scim/v2/Users/{id}");
  EXPECT_EQ(OpenApiPath("/a/:x/b/:y"), "/a/{x}/b/{y}");
  EXPECT_EQ(OpenApiPath("/healthz"), "/healthz");
  EXPECT_EQ(OpenApiPath("/a:b"), "/a:b");  // only a whole segment is a parameter
}

TEST(BuildDocumentTest, FailsNamingARouteWithoutDocumentation) {
  StatusOr<Json> doc =
      Build({MakeRoute("GET", "/a"), MakeRoute("POST", "/b")}, {{"GET", "/a", kPublicOk}});
  ASSERT_FALSE(doc.ok());
  EXPECT_EQ(doc.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(doc.status().message().find("POST /b"), std::string::npos) << doc.status().message();
}

TEST(BuildDocumentTest, FailsNamingDocumentationOfAMissingRoute) {
  StatusOr<Json> doc =
      Build({MakeRoute("GET", "/a")}, {{"GET", "/a", kPublicOk}, {"DELETE", "/a", kPublicOk}});
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("DELETE /a"), std::string::npos) << doc.status().message();
}

TEST(BuildDocumentTest, ToleratesAbsenceOfARouteMarkedMayBeAbsent) {
  StatusOr<Json> doc = Build({MakeRoute("GET", "/a")},
                             {{"GET", "/a", kPublicOk}, {"GET", "/metrics", kPublicOk, {}, true}});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->Find("paths")->Find("/metrics"), nullptr);
  // And documents it once it is there.
  doc = Build({MakeRoute("GET", "/a"), MakeRoute("GET", "/metrics")},
              {{"GET", "/a", kPublicOk}, {"GET", "/metrics", kPublicOk, {}, true}});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_NE(doc->Find("paths")->Find("/metrics"), nullptr);
}

TEST(BuildDocumentTest, LeavesTestHooksOut) {
  StatusOr<Json> doc = Build({MakeRoute("GET", "/a"), MakeRoute("GET", "/__test/sleep", "test")},
                             {{"GET", "/a", kPublicOk}});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->Find("paths")->Find("/__test/sleep"), nullptr);
}

TEST(BuildDocumentTest, RefusesAnOperationWithoutExplicitSecurity) {
  StatusOr<Json> doc = Build({MakeRoute("GET", "/a")},
                             {{"GET", "/a", R"({"responses":{"200":{"description":"ok"}}})"}});
  ASSERT_FALSE(doc.ok());
  EXPECT_NE(doc.status().message().find("security"), std::string::npos);
}

TEST(BuildDocumentTest, RefusesDuplicateAndMalformedEntries) {
  EXPECT_FALSE(
      Build({MakeRoute("GET", "/a")}, {{"GET", "/a", kPublicOk}, {"GET", "/a", kPublicOk}}).ok());
  EXPECT_FALSE(Build({MakeRoute("GET", "/a")}, {{"GET", "/a", "{not json"}}).ok());
}

TEST(BuildDocumentTest, DerivesSummaryTagOperationIdAndPathParameters) {
  StatusOr<Json> doc = Build({MakeRoute("DELETE", "/scim/v2/Users/:id", "scim")},
                             {{"DELETE", "/scim/v2/Users/:id", kPublicOk}});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->Find("openapi")->as_string(), "3.1.0");
  const Json* op = doc->Find("paths")->Find("/scim/v2/Users/{id}")->Find("delete");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->Find("summary")->as_string(), "a route");
  EXPECT_EQ(op->Find("tags")->as_array().at(0).as_string(), "scim");
  EXPECT_EQ(op->Find("operationId")->as_string(), "deleteScimV2UsersId");
  const Json& param = op->Find("parameters")->as_array().at(0);
  EXPECT_EQ(param.Find("name")->as_string(), "id");
  EXPECT_EQ(param.Find("in")->as_string(), "path");
  EXPECT_TRUE(param.Find("required")->as_bool());
}

TEST(BuildDocumentTest, RendersErrorsInTheFamilyFormatWithRateLimitHeadersOn429) {
  StatusOr<Json> doc = Build({MakeRoute("POST", "/scim/v2/Users", "scim"),
                              MakeRoute("POST", "/api/public/signup/sessions", "signup")},
                             {{"POST", "/scim/v2/Users", kPublicOk, {400}},
                              {"POST", "/api/public/signup/sessions", kPublicOk, {429}}});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const Json* scim = doc->Find("paths")->Find("/scim/v2/Users")->Find("post")->Find("responses");
  EXPECT_EQ(scim->Find("400")
                ->Find("content")
                ->Find("application/scim+json")
                ->Find("schema")
                ->Find("$ref")
                ->as_string(),
            "#/components/schemas/ScimError");
  ASSERT_NE(scim->Find("500"), nullptr);  // every route may fail unexpectedly
  const Json* limited = doc->Find("paths")
                            ->Find("/api/public/signup/sessions")
                            ->Find("post")
                            ->Find("responses")
                            ->Find("429");
  ASSERT_NE(limited, nullptr);
  EXPECT_EQ(
      limited->Find("content")->Find("application/json")->Find("schema")->Find("$ref")->as_string(),
      "#/components/schemas/SignupError");
  for (const char* header : {"Retry-After", "RateLimit", "RateLimit-Policy"}) {
    EXPECT_NE(limited->Find("headers")->Find(header), nullptr) << header;
  }
}

TEST(BuildDocumentTest, BoundsUnlimitedStringsAndArraysByTheBodyLimit) {
  StatusOr<Json> doc = Build(
      {MakeRoute("POST", "/a")},
      {{"POST", "/a",
        R"({"security":[],"requestBody":{"content":{"application/json":{"schema":{"type":"object",
            "properties":{"s":{"type":"string"},"t":{"type":"string","maxLength":5},
                          "e":{"type":"string","enum":["x"]},
                          "l":{"type":"array","items":{"type":"string"}}}}}}},
            "responses":{"200":{"description":"ok"}}})"}});
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  const Json* props = doc->Find("paths")
                          ->Find("/a")
                          ->Find("post")
                          ->Find("requestBody")
                          ->Find("content")
                          ->Find("application/json")
                          ->Find("schema")
                          ->Find("properties");
  EXPECT_EQ(props->Find("s")->Find("maxLength")->as_int(), 1024);
  EXPECT_EQ(props->Find("t")->Find("maxLength")->as_int(), 5);
  EXPECT_EQ(props->Find("e")->Find("maxLength"), nullptr);
  EXPECT_EQ(props->Find("l")->Find("maxItems")->as_int(), 512);
}

}  // namespace
}  // namespace portico::openapi
