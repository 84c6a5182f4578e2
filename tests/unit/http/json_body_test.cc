#include "src/http/json_body.h"

#include <gtest/gtest.h>

namespace portico::http {
namespace {

Request WithBody(std::string body) {
  Request r;
  r.body = std::move(body);
  return r;
}

TEST(ParseJsonBodyTest, RejectsAnEmptyBody) {
  StatusOr<Json> r = ParseJsonBody(WithBody(""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().tag(), "invalid_json");
  EXPECT_EQ(r.status().message(), "request body is empty");
}

TEST(ParseJsonBodyTest, RejectsAnyTopLevelValueButAnObject) {
  for (const char* body : {"[]", "1", "\"x\"", "null", "true"}) {
    StatusOr<Json> r = ParseJsonBody(WithBody(body));
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().tag(), "invalid_json") << body;
    EXPECT_EQ(r.status().message(), "request body must be a JSON object") << body;
  }
}

TEST(ParseJsonBodyTest, RejectsMalformedJsonAndDuplicateMembers) {
  StatusOr<Json> malformed = ParseJsonBody(WithBody("{\"a\":"));
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), StatusCode::kInvalidArgument);

  StatusOr<Json> duplicate = ParseJsonBody(WithBody(R"({"a":1,"a":2})"));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParseJsonBodyTest, ReturnsTheObject) {
  StatusOr<Json> r = ParseJsonBody(WithBody(R"({"client_name":"x","n":2})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_NE(r->Find("client_name"), nullptr);
  EXPECT_EQ(r->Find("client_name")->as_string(), "x");
}

}  // namespace
}  // namespace portico::http
