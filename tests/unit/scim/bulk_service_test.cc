// BulkService over a real ScimService on the in-memory database: bulkId resolution (forward,
// in paths, unknown, failed, circular), failOnErrors, versions, per-operation transactions.
#include "scim/bulk/bulk_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <string_view>

#include "portico/parse_json.h"
#include "scim/scim_errors.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::scim {
namespace {

constexpr char kBase[] = "https://id.example/scim/v2";

// A POST of user `name` (also its bulkId) whose enterprise manager is "bulkId:<manager>".
std::string ManagedUser(const std::string& name, const std::string& manager) {
  return R"({"method":"POST","bulkId":")" + name + R"(","path":"/Users","data":{"userName":")" +
         name + R"(","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":)" +
         R"({"manager":{"value":"bulkId:)" + manager + R"("}}}})";
}

class BulkServiceTest : public ::testing::Test {
 protected:
  BulkServiceTest()
      : issuer_(std::string(40, 'k'), SecureRandom(), clock_),
        scim_(
            db_, issuer_, clock_, SecureRandom(),
            [this](std::string_view password) -> StatusOr<std::string> {
              ++hashes_;
              return "hashed:" + std::string(password);
            },
            ScimSettings{.base_url = kBase}),
        bulk_(scim_) {}

  static Json J(std::string_view text) {
    StatusOr<Json> parsed = ParseJson(text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString() << " in " << text;
    return parsed.ok() ? *parsed : Json();
  }

  BulkResult Run(std::string_view operations, std::string_view extra = "") {
    Json body = J(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],)" +
                  std::string(extra) + R"("Operations":)" + std::string(operations) + "}");
    StatusOr<BulkRequest> request = ParseBulkRequest(body, BulkLimits{});
    EXPECT_TRUE(request.ok()) << request.status().ToString();
    return request.ok() ? bulk_.Execute(caller_, *request) : BulkResult{};
  }

  // The id at the end of a result's location.
  static std::string IdOf(const BulkOperationResult& r) {
    if (!r.location) return "";
    return r.location->substr(r.location->rfind('/') + 1);
  }

  std::string CreateUser(const std::string& user_name) {
    auto written = scim_.Create(caller_, UserResourceType(),
                                J(R"({"userName":")" + user_name + "\"}"), Projection{});
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    return written.ok() ? written->resource.Find("id")->as_string() : "";
  }

  Json Get(const ResourceType& type, const std::string& id) {
    auto got = scim_.Get(caller_, type, id, Projection{});
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok()) return Json();
    if (got->text.empty()) return got->resource;
    StatusOr<Json> parsed = ParseJson(got->text);  // an unprojected user comes serialised
    EXPECT_TRUE(parsed.ok()) << got->text;
    return parsed.ok() ? *parsed : Json();
  }

  int64_t Count(const ResourceType& type) {
    auto list = scim_.List(caller_, type, ListParams{});
    EXPECT_TRUE(list.ok()) << list.status().ToString();
    return list.ok() ? list->total_results : -1;
  }

  static void ExpectReferenceError(const BulkOperationResult& r, std::string_view message_part) {
    EXPECT_EQ(r.error.code(), StatusCode::kAborted) << r.error.ToString();  // 409
    EXPECT_EQ(r.error.tag(), kInvalidValue);
    EXPECT_NE(r.error.message().find(message_part), std::string::npos) << r.error.ToString();
  }

  testing::FakeClock clock_;
  testing::InMemoryDatabase db_;
  CredentialIssuer issuer_;
  std::atomic<int> hashes_{0};
  ScimService scim_;
  BulkService bulk_;
  const ScimCaller caller_{"tenant-1"};
};

TEST_F(BulkServiceTest, CreatesAUserAndAGroupThatReferencesItByBulkId) {
  BulkResult result = Run(R"([
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"alice"}},
    {"method":"POST","bulkId":"g1","path":"/Groups",
     "data":{"displayName":"Admins","members":[{"value":"bulkId:u1"}]}}])");
  ASSERT_EQ(result.operations.size(), 2u);
  EXPECT_EQ(result.errors, 0);
  const BulkOperationResult& user = result.operations[0];
  EXPECT_TRUE(user.error.ok()) << user.error.ToString();
  EXPECT_EQ(user.status, 201);
  EXPECT_EQ(user.bulk_id, "u1");
  EXPECT_EQ(user.version, "W/\"1\"");
  ASSERT_TRUE(user.location.has_value());
  EXPECT_EQ(user.location->rfind(std::string(kBase) + "/Users/", 0), 0u);
  const BulkOperationResult& group = result.operations[1];
  EXPECT_TRUE(group.error.ok()) << group.error.ToString();
  EXPECT_EQ(group.status, 201);
  EXPECT_EQ(group.location->rfind(std::string(kBase) + "/Groups/", 0), 0u);

  Json stored = Get(GroupResourceType(), IdOf(group));
  ASSERT_NE(stored.Find("members"), nullptr) << stored.Dump();
  ASSERT_EQ(stored.Find("members")->as_array().size(), 1u);
  EXPECT_EQ(stored.Find("members")->as_array()[0].Find("value")->as_string(), IdOf(user));
}

TEST_F(BulkServiceTest, ForwardReferenceRunsTheReferencedPostFirstAndKeepsRequestOrder) {
  BulkResult result = Run(R"([
    {"method":"POST","bulkId":"g1","path":"/Groups",
     "data":{"displayName":"Early","members":[{"value":"bulkId:u1"}]}},
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"late"}}])");
  ASSERT_EQ(result.operations.size(), 2u);
  EXPECT_EQ(result.operations[0].bulk_id, "g1");
  EXPECT_EQ(result.operations[1].bulk_id, "u1");
  EXPECT_EQ(result.errors, 0) << result.operations[0].error.ToString();
  Json group = Get(GroupResourceType(), IdOf(result.operations[0]));
  ASSERT_NE(group.Find("members"), nullptr) << group.Dump();
  EXPECT_EQ(group.Find("members")->as_array()[0].Find("value")->as_string(),
            IdOf(result.operations[1]));
  EXPECT_EQ(Count(UserResourceType()), 1);  // the POST ran once, not again in its own turn
}

TEST_F(BulkServiceTest, ReferencesInPathsAndPatchValuesResolve) {
  BulkResult result = Run(R"([
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"bob"}},
    {"method":"PATCH","path":"/Groups/bulkId:g1","data":{
       "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"add","path":"members","value":[{"value":"bulkId:u1"}]}]}},
    {"method":"POST","bulkId":"g1","path":"/Groups","data":{"displayName":"G"}},
    {"method":"PUT","path":"/Users/bulkId:u1","data":{"userName":"bob","title":"CTO"}}])");
  ASSERT_EQ(result.operations.size(), 4u);
  for (const BulkOperationResult& r : result.operations) {
    EXPECT_TRUE(r.error.ok()) << r.index << ": " << r.error.ToString();
  }
  const std::string group_id = IdOf(result.operations[2]);
  EXPECT_EQ(result.operations[1].location, std::string(kBase) + "/Groups/" + group_id);
  EXPECT_EQ(result.operations[1].status, 200);
  EXPECT_EQ(result.operations[1].version, "W/\"2\"");
  EXPECT_EQ(result.operations[3].version, "W/\"2\"");
  Json group = Get(GroupResourceType(), group_id);
  ASSERT_NE(group.Find("members"), nullptr) << group.Dump();
  EXPECT_EQ(group.Find("members")->as_array()[0].Find("value")->as_string(),
            IdOf(result.operations[0]));
  EXPECT_EQ(Get(UserResourceType(), IdOf(result.operations[0])).Find("title")->as_string(), "CTO");
}

TEST_F(BulkServiceTest, EnterpriseManagerReferenceResolves) {
  BulkResult result = Run("[" + ManagedUser("emp", "boss") + "," +
                          R"({"method":"POST","bulkId":"boss","path":"/Users",)"
                          R"("data":{"userName":"boss"}}])");
  ASSERT_EQ(result.errors, 0) << result.operations[0].error.ToString();
  Json employee = Get(UserResourceType(), IdOf(result.operations[0]));
  const Json* ext = employee.Find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
  ASSERT_NE(ext, nullptr) << employee.Dump();
  EXPECT_EQ(ext->Find("manager")->Find("value")->as_string(), IdOf(result.operations[1]));
}

TEST_F(BulkServiceTest, UnknownBulkIdFailsThatOperationWith409AndTheOthersGoOn) {
  BulkResult result = Run(R"([
    {"method":"POST","bulkId":"g1","path":"/Groups",
     "data":{"displayName":"G","members":[{"value":"bulkId:ghost"}]}},
    {"method":"DELETE","path":"/Users/bulkId:ghost"},
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"fine"}}])");
  ASSERT_EQ(result.operations.size(), 3u);
  EXPECT_EQ(result.errors, 2);
  ExpectReferenceError(result.operations[0], "no POST operation has bulkId 'ghost'");
  EXPECT_FALSE(result.operations[0].location.has_value());
  ExpectReferenceError(result.operations[1], "Operations[1]: ");
  EXPECT_FALSE(result.operations[1].location.has_value());  // no id to point at
  EXPECT_TRUE(result.operations[2].error.ok());
  EXPECT_EQ(Count(GroupResourceType()), 0);
  EXPECT_EQ(Count(UserResourceType()), 1);
}

TEST_F(BulkServiceTest, ReferenceToAFailedPostFails) {
  CreateUser("taken");
  BulkResult result = Run(R"([
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"taken"}},
    {"method":"POST","bulkId":"g1","path":"/Groups",
     "data":{"displayName":"G","members":[{"value":"bulkId:u1"}]}}])");
  ASSERT_EQ(result.operations.size(), 2u);
  EXPECT_EQ(result.operations[0].error.tag(), kUniqueness);
  ExpectReferenceError(result.operations[1], "the operation with bulkId 'u1' failed");
  EXPECT_EQ(Count(GroupResourceType()), 0);
}

TEST_F(BulkServiceTest, CircularAndSelfReferencesFailWithoutLooping) {
  BulkResult result = Run(
      "[" + ManagedUser("a", "b") + "," + ManagedUser("b", "a") + "," + ManagedUser("me", "me") +
      "," + R"({"method":"POST","bulkId":"ok","path":"/Users","data":{"userName":"ok"}}])");
  ASSERT_EQ(result.operations.size(), 4u);
  ExpectReferenceError(result.operations[1], "circular bulkId reference through 'a'");
  ExpectReferenceError(result.operations[0], "the operation with bulkId 'b' failed");
  ExpectReferenceError(result.operations[2], "circular bulkId reference through 'me'");
  EXPECT_TRUE(result.operations[3].error.ok());
  EXPECT_EQ(Count(UserResourceType()), 1);
}

TEST_F(BulkServiceTest, FailOnErrorsStopsAfterThatManyErrors) {
  BulkResult result = Run(R"([
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"first"}},
    {"method":"DELETE","path":"/Users/missing"},
    {"method":"POST","bulkId":"u2","path":"/Users","data":{"userName":"never"}}])",
                          R"("failOnErrors":1,)");
  ASSERT_EQ(result.operations.size(), 2u);  // the third is not attempted, nor listed
  EXPECT_TRUE(result.operations[0].error.ok());
  EXPECT_EQ(result.operations[1].error.code(), StatusCode::kNotFound);
  EXPECT_EQ(result.operations[1].location, std::string(kBase) + "/Users/missing");
  // Each operation is its own transaction: the first stays created.
  EXPECT_EQ(Count(UserResourceType()), 1);
}

TEST_F(BulkServiceTest, FailOnErrorsAboveTheErrorCountRunsEverything) {
  BulkResult result = Run(R"([
    {"method":"DELETE","path":"/Users/missing"},
    {"method":"POST","bulkId":"u2","path":"/Users","data":{"userName":"second"}}])",
                          R"("failOnErrors":2,)");
  ASSERT_EQ(result.operations.size(), 2u);
  EXPECT_EQ(result.errors, 1);
  EXPECT_TRUE(result.operations[1].error.ok());
}

TEST_F(BulkServiceTest, FailOnErrorsCountsAReferencedPostRunEarly) {
  CreateUser("taken");
  // The group's forward reference runs the failing POST first: that error stops the job
  // before the group itself is attempted.
  BulkResult result = Run(R"([
    {"method":"POST","bulkId":"g1","path":"/Groups",
     "data":{"displayName":"G","members":[{"value":"bulkId:u1"}]}},
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"taken"}}])",
                          R"("failOnErrors":1,)");
  ASSERT_EQ(result.operations.size(), 1u);
  EXPECT_EQ(result.operations[0].bulk_id, "u1");
  EXPECT_EQ(result.operations[0].error.tag(), kUniqueness);
}

TEST_F(BulkServiceTest, VersionIsTheIfMatchOfPutPatchAndDelete) {
  const std::string id = CreateUser("carol");
  BulkResult result = Run(R"([
    {"method":"PUT","path":"/Users/)" +
                          id + R"(","version":"W/\"1\"","data":{"userName":"carol2"}},
    {"method":"PATCH","path":"/Users/)" +
                          id + R"(","version":"W/\"1\"","data":{
       "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"replace","path":"title","value":"x"}]}},
    {"method":"DELETE","path":"/Users/)" +
                          id + R"(","version":"W/\"1\""},
    {"method":"DELETE","path":"/Users/)" +
                          id + R"(","version":"W/\"2\""}])");
  ASSERT_EQ(result.operations.size(), 4u);
  EXPECT_TRUE(result.operations[0].error.ok()) << result.operations[0].error.ToString();
  EXPECT_EQ(result.operations[0].version, "W/\"2\"");
  EXPECT_EQ(result.operations[1].error.code(), StatusCode::kFailedPrecondition);  // 412
  EXPECT_EQ(result.operations[2].error.code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(result.operations[3].error.ok()) << result.operations[3].error.ToString();
  EXPECT_EQ(result.operations[3].status, 204);
  EXPECT_FALSE(result.operations[3].version.has_value());
  EXPECT_EQ(result.operations[3].location, std::string(kBase) + "/Users/" + id);
  EXPECT_EQ(Count(UserResourceType()), 0);
}

TEST_F(BulkServiceTest, PasswordsAreHashedWithTheServicesHasher) {
  BulkResult result = Run(R"([
    {"method":"POST","bulkId":"u1","path":"/Users",
     "data":{"userName":"p","password":"s3cret!"}}])");
  ASSERT_EQ(result.errors, 0) << result.operations[0].error.ToString();
  EXPECT_EQ(hashes_.load(), 1);
}

TEST_F(BulkServiceTest, LongForwardReferenceChainResolvesIteratively) {
  // u0 → u1 → … → u(n-1), each created only after the one it names: n nested resolutions.
  constexpr int kChain = 300;
  std::string ops = "[";
  for (int i = 0; i < kChain; ++i) {
    if (i > 0) ops += ",";
    ops += R"({"method":"POST","bulkId":"u)" + std::to_string(i) +
           R"(","path":"/Users","data":{"userName":"u)" + std::to_string(i) + "\"";
    if (i + 1 < kChain) {
      ops += R"(,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":)"
             R"({"value":"bulkId:u)" +
             std::to_string(i + 1) + "\"}}";
    }
    ops += "}}";
  }
  ops += "]";
  BulkResult result = Run(ops);
  ASSERT_EQ(result.operations.size(), static_cast<size_t>(kChain));
  EXPECT_EQ(result.errors, 0);
  EXPECT_EQ(Count(UserResourceType()), kChain);
}

}  // namespace
}  // namespace portico::scim
