#include "src/http/response.h"

#include <gtest/gtest.h>

#include "portico/parse_json.h"

namespace portico::http {
namespace {

std::optional<std::string> HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return std::nullopt;
}

TEST(DefaultHttpStatusTest, MapsEveryCode) {
  const std::pair<StatusCode, int> cases[] = {
      {StatusCode::kOk, 200},
      {StatusCode::kInvalidArgument, 400},
      {StatusCode::kUnauthenticated, 401},
      {StatusCode::kPermissionDenied, 403},
      {StatusCode::kNotFound, 404},
      {StatusCode::kAlreadyExists, 409},
      {StatusCode::kFailedPrecondition, 409},
      {StatusCode::kAborted, 409},
      {StatusCode::kResourceExhausted, 429},
      {StatusCode::kTooLarge, 413},
      {StatusCode::kUnimplemented, 501},
      {StatusCode::kUnavailable, 503},
      {StatusCode::kInternal, 500},
  };
  for (const auto& [code, http] : cases)
    EXPECT_EQ(DefaultHttpStatus(code), http) << StatusCodeName(code);
}

TEST(GenericErrorResponseTest, UsesTheTagOrTheLowerCaseCodeName) {
  Response tagged =
      GenericErrorResponse(InvalidArgument("bad uri").WithTag("invalid_redirect_uri"));
  EXPECT_EQ(tagged.status, 400);
  EXPECT_EQ(tagged.content_type, "application/json");
  EXPECT_EQ(tagged.body, R"({"error":"invalid_redirect_uri","error_description":"bad uri"})");

  Response untagged = GenericErrorResponse(FailedPrecondition("not yet"));
  EXPECT_EQ(untagged.status, 409);
  EXPECT_EQ(untagged.body, R"({"error":"failed_precondition","error_description":"not yet"})");
}

TEST(GenericErrorResponseTest, NeverShowsTheInternalDetail) {
  Response r = GenericErrorResponse(Internal("internal error").WithInternal("db password=hunter2"));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body.find("hunter2"), std::string::npos);
}

TEST(GenericErrorResponseTest, AddsRetryAfterOnlyFor429And503) {
  EXPECT_EQ(HeaderOf(GenericErrorResponse(ResourceExhausted("slow down").WithRetryAfter(7)),
                     "Retry-After"),
            "7");
  EXPECT_EQ(HeaderOf(GenericErrorResponse(Unavailable("db down").WithRetryAfter(3)), "Retry-After"),
            "3");
  EXPECT_EQ(HeaderOf(GenericErrorResponse(ResourceExhausted("slow down")), "Retry-After"),
            std::nullopt);
  EXPECT_EQ(HeaderOf(GenericErrorResponse(InvalidArgument("x").WithRetryAfter(5)), "Retry-After"),
            std::nullopt);
}

TEST(ResponseTest, FactoriesSetStatusTypeAndBody) {
  Json body = Json::MakeObject();
  body.Set("a", 1);
  Response j = Response::Json(201, body, "application/scim+json");
  EXPECT_EQ(j.status, 201);
  EXPECT_EQ(j.content_type, "application/scim+json");
  EXPECT_EQ(j.body, R"({"a":1})");

  Response t = Response::Text(200, "ok");
  EXPECT_EQ(t.content_type, "text/plain; charset=utf-8");
  EXPECT_EQ(t.body, "ok");

  Response n = Response::NoContent();
  EXPECT_EQ(n.status, 204);
  EXPECT_TRUE(n.body.empty());
  EXPECT_TRUE(n.content_type.empty());

  n.WithHeader("ETag", "\"v1\"").WithHeader("ETag", "\"v2\"");
  ASSERT_EQ(n.headers.size(), 2u);
  EXPECT_EQ(n.headers[1].second, "\"v2\"");
}

}  // namespace
}  // namespace portico::http
