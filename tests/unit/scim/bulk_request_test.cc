// ParseBulkRequest and the bulkId helpers: the BulkRequest message (RFC 7644 §3.7) as a value.
#include "scim/bulk/bulk_request.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "portico/parse_json.h"
#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

Json J(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
  return parsed.ok() ? *parsed : Json();
}

// A BulkRequest body around an Operations array.
Json Body(std::string_view operations, std::string_view extra = "") {
  return J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],)" +
           std::string(extra) + R"("Operations":)" + std::string(operations) + "}");
}

StatusOr<BulkRequest> Parse(std::string_view operations, std::string_view extra = "") {
  return ParseBulkRequest(Body(operations, extra), BulkLimits{});
}

void ExpectError(const StatusOr<BulkRequest>& parsed, StatusCode code, std::string_view tag,
                 std::string_view message_part = "") {
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), code) << parsed.status().ToString();
  EXPECT_EQ(parsed.status().tag(), tag) << parsed.status().ToString();
  EXPECT_NE(parsed.status().message().find(message_part), std::string::npos)
      << parsed.status().ToString();
}

TEST(BulkRequestTest, ParsesEveryMethodWithItsPathDataVersionAndBulkId) {
  auto parsed = Parse(R"([
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"alice"}},
    {"method":"PUT","path":"/Users/42","version":"W/\"3\"","data":{"userName":"bob"}},
    {"method":"PATCH","path":"/Groups/g-7","data":{"schemas":[],"Operations":[]}},
    {"method":"DELETE","bulkId":"d","path":"/Groups/g-8"}])",
                      R"("failOnErrors":2,)");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->fail_on_errors, 2);
  ASSERT_EQ(parsed->operations.size(), 4u);
  const BulkOperation& post = parsed->operations[0];
  EXPECT_EQ(post.method, BulkMethod::kPost);
  EXPECT_EQ(post.bulk_id, "u1");
  EXPECT_EQ(post.type, &UserResourceType());
  EXPECT_EQ(post.id, "");
  EXPECT_EQ(post.data.Find("userName")->as_string(), "alice");
  const BulkOperation& put = parsed->operations[1];
  EXPECT_EQ(put.method, BulkMethod::kPut);
  EXPECT_EQ(put.id, "42");
  EXPECT_EQ(put.version, "W/\"3\"");
  EXPECT_FALSE(put.bulk_id.has_value());
  EXPECT_EQ(parsed->operations[2].type, &GroupResourceType());
  EXPECT_EQ(parsed->operations[2].id, "g-7");
  EXPECT_EQ(parsed->operations[3].method, BulkMethod::kDelete);
  EXPECT_EQ(parsed->operations[3].bulk_id, "d");  // optional on other methods, echoed back
  EXPECT_TRUE(parsed->operations[3].data.is_null());
}

TEST(BulkRequestTest, MemberNamesAndMethodsAreCaseInsensitive) {
  Json body = J(R"({"SCHEMAS":["urn:ietf:params:scim:api:messages:2.0:bulkrequest"],
                    "operations":[{"Method":"post","BULKID":"x","Path":"/Groups",
                                   "Data":{"displayName":"G"}}]})");
  auto parsed = ParseBulkRequest(body, BulkLimits{});
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->operations[0].method, BulkMethod::kPost);
  EXPECT_STREQ(BulkMethodName(parsed->operations[0].method), "POST");
  EXPECT_FALSE(parsed->fail_on_errors.has_value());
}

TEST(BulkRequestTest, EmptyOperationsIsAValidNoOp) {
  auto parsed = Parse("[]");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(parsed->operations.empty());
}

TEST(BulkRequestTest, CollectsReferencesFromThePathAndAnywhereInDataOnce) {
  auto parsed = Parse(R"([
    {"method":"PATCH","path":"/Groups/bulkId:g1","data":{"Operations":[
       {"op":"add","path":"members","value":[{"value":"bulkId:u1"},{"value":"bulkId:u2"},
                                             {"value":"bulkId:u1"},{"value":"plain-id"}]}]}},
    {"method":"POST","bulkId":"u3","path":"/Users","data":{"userName":"m",
       "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
         {"manager":{"value":"bulkId:u2"}}}}])");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->operations[0].id, "bulkId:g1");
  EXPECT_EQ(parsed->operations[0].references, (std::vector<std::string>{"g1", "u1", "u2"}));
  EXPECT_EQ(parsed->operations[1].references, (std::vector<std::string>{"u2"}));
}

TEST(BulkRequestTest, RejectsMalformedRequestsWithTheirScimType) {
  const BulkLimits limits;
  ExpectError(ParseBulkRequest(J("[]"), limits), StatusCode::kInvalidArgument, kInvalidSyntax);
  ExpectError(
      ParseBulkRequest(J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]})"),
                       limits),
      StatusCode::kInvalidArgument, kInvalidSyntax, "'Operations' is required");
  ExpectError(ParseBulkRequest(J(R"({"Operations":[]})"), limits), StatusCode::kInvalidArgument,
              kInvalidValue, "schemas");
  ExpectError(
      ParseBulkRequest(
          J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[]})"),
          limits),
      StatusCode::kInvalidArgument, kInvalidValue, "schemas");
  ExpectError(Parse(R"({"method":"POST"})"), StatusCode::kInvalidArgument, kInvalidSyntax, "array");
  ExpectError(Parse("[]", R"("failOnErrors":0,)"), StatusCode::kInvalidArgument, kInvalidValue,
              "failOnErrors");
  ExpectError(Parse("[]", R"("failOnErrors":"1",)"), StatusCode::kInvalidArgument, kInvalidSyntax,
              "failOnErrors");
  ExpectError(Parse("[]", R"("operations":[],)"), StatusCode::kInvalidArgument, kInvalidSyntax,
              "twice");
}

TEST(BulkRequestTest, RejectsBadOperationsNamingTheirIndex) {
  struct Case {
    const char* operation;
    std::string_view tag;
    const char* message_part;
  };
  const Case cases[] = {
      {R"("POST")", kInvalidSyntax, "object"},
      {R"({"path":"/Users","bulkId":"a","data":{}})", kInvalidValue, "'method' is required"},
      {R"({"method":"GET","path":"/Users/1"})", kInvalidValue, "'GET'"},
      {R"({"method":"POST","path":"/Users","data":{}})", kInvalidValue, "'bulkId' is required"},
      {R"({"method":"POST","bulkId":"","path":"/Users","data":{}})", kInvalidValue, "empty"},
      {R"({"method":"POST","bulkId":7,"path":"/Users","data":{}})", kInvalidSyntax, "string"},
      {R"({"method":"POST","bulkId":"a","data":{}})", kInvalidValue, "'path' is required"},
      {R"({"method":"POST","bulkId":"a","path":"/Users/1","data":{}})", kInvalidValue,
       "/Users or /Groups"},
      {R"({"method":"POST","bulkId":"a","path":"/Widgets","data":{}})", kInvalidValue,
       "/Users or /Groups"},
      {R"({"method":"PUT","path":"/Users","data":{}})", kInvalidValue, "one resource"},
      {R"({"method":"DELETE","path":"/Users/"})", kInvalidValue, "one resource"},
      {R"({"method":"DELETE","path":"/Users/1/x"})", kInvalidValue, "one resource"},
      {R"({"method":"PATCH","path":"https://x.example/scim/v2/Users/1","data":{}})", kInvalidValue,
       "one resource"},
      {R"({"method":"POST","bulkId":"a","path":"/Users"})", kInvalidSyntax, "'data'"},
      {R"({"method":"PUT","path":"/Users/1","data":[]})", kInvalidSyntax, "'data'"},
      {R"({"method":"PATCH","path":"/Users/1","version":1,"data":{}})", kInvalidSyntax,
       "'version'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.operation);
    const std::string operations =
        std::string(R"([{"method":"DELETE","path":"/Users/ok"},)") + c.operation + "]";
    auto parsed = Parse(operations);
    ExpectError(parsed, StatusCode::kInvalidArgument, c.tag, c.message_part);
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().message().rfind("Operations[1]: ", 0), 0u);
    }
  }
}

TEST(BulkRequestTest, RejectsADuplicateBulkId) {
  ExpectError(Parse(R"([{"method":"POST","bulkId":"a","path":"/Users","data":{}},
                        {"method":"POST","bulkId":"a","path":"/Groups","data":{}}])"),
              StatusCode::kInvalidArgument, kInvalidValue, "Operations[1]: bulkId 'a'");
}

TEST(BulkRequestTest, MoreOperationsThanTheLimitIsTooLargeBeforeTheyAreChecked) {
  const BulkLimits limits{.max_operations = 2, .max_payload_bytes = 1 << 20};
  // Three malformed operations: the count is refused first (RFC 7644 §3.7.4).
  auto parsed = ParseBulkRequest(Body("[1,2,3]"), limits);
  ExpectError(parsed, StatusCode::kTooLarge, kTooLarge, "maxOperations (2)");
  EXPECT_TRUE(ParseBulkRequest(Body(R"([{"method":"DELETE","path":"/Users/1"},
                                {"method":"DELETE","path":"/Users/2"}])"),
                               limits)
                  .ok());
}

TEST(BulkRequestTest, PayloadOverTheLimitIsTooLarge) {
  const BulkLimits limits{.max_operations = 10, .max_payload_bytes = 100};
  EXPECT_TRUE(CheckBulkPayloadSize(100, limits).ok());
  Status over = CheckBulkPayloadSize(101, limits);
  EXPECT_EQ(over.code(), StatusCode::kTooLarge);
  EXPECT_EQ(over.tag(), kTooLarge);
  EXPECT_NE(over.message().find("maxPayloadSize (100 bytes)"), std::string::npos);
}

TEST(BulkRequestTest, PayloadLimitNeverExceedsTheServerBodyLimit) {
  EXPECT_EQ(BulkLimitsFor(64 << 20).max_payload_bytes, kBulkMaxPayloadBytes);
  EXPECT_EQ(BulkLimitsFor(4096).max_payload_bytes, 4096);
  EXPECT_EQ(BulkLimitsFor(4096).max_operations, kBulkMaxOperations);
}

TEST(BulkRequestTest, BulkIdReferenceNeedsThePrefixAndAName) {
  EXPECT_EQ(BulkIdReference("bulkId:qwerty"), "qwerty");
  EXPECT_FALSE(BulkIdReference("bulkId:").has_value());
  EXPECT_FALSE(BulkIdReference("bulkid:qwerty").has_value());  // the keyword is case-exact
  EXPECT_FALSE(BulkIdReference("2819c223").has_value());
  EXPECT_FALSE(BulkIdReference(" bulkId:x").has_value());
}

TEST(BulkRequestTest, ResolveReplacesKnownReferencesAtAnyDepthAndLeavesTheRest) {
  Json data = J(R"({"displayName":"bulkId:u1 team","members":[{"value":"bulkId:u1"},
                   {"value":"bulkId:nope"},{"value":"id-3"}],"nested":{"list":[["bulkId:u2"]]},
                   "n":1,"b":true,"z":null})");
  Json resolved = ResolveBulkIds(data, {{"u1", "id-1"}, {"u2", "id-2"}});
  EXPECT_EQ(resolved.Dump(),
            R"({"displayName":"bulkId:u1 team","members":[{"value":"id-1"},)"
            R"({"value":"bulkId:nope"},{"value":"id-3"}],"nested":{"list":[["id-2"]]},)"
            R"("n":1,"b":true,"z":null})");
}

}  // namespace
}  // namespace portico::scim
