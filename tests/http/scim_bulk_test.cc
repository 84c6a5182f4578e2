// SCIM Bulk (RFC 7644 §3.7) over the real `portico serve`, on SQLite and PostgreSQL: bulkId
// references (backward, forward, unknown), failOnErrors, versions, the advertised limits.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <string>
#include <vector>

#include "db/open_database.h"
#include "db/session.h"
#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

constexpr char kScimJson[] = "Content-Type: application/scim+json";
constexpr char kBulkRequest[] =
    R"("schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"])";

// A POST of user `name` (also its bulkId) whose enterprise manager is "bulkId:<manager>".
std::string ManagedUser(const std::string& name, const std::string& manager) {
  return R"({"method":"POST","bulkId":")" + name + R"(","path":"/Users","data":{"userName":")" +
         name + R"(","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":)" +
         R"({"manager":{"value":"bulkId:)" + manager + R"("}}}})";
}

class ScimBulkTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    std::string error;
    ASSERT_TRUE(server_.Start(BaseEnv(*db_), &error)) << error;
    key_ = CreateTenantKey("acme");
    auth_ = "Authorization: Bearer " + key_;
  }
  std::string Url(const std::string& path) const { return server_.base_url() + "/scim/v2" + path; }
  std::string CreateTenantKey(const std::string& slug) {
    CommandResult r =
        RunPortico({"tenant", "create", "--slug", slug, "--name", "T"}, BaseEnv(*db_));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto json = ParseJson(r.out);
    return json.ok() ? json->Find("integrationKey")->as_string() : "";
  }
  HttpResult Send(const std::string& method, const std::string& path, const std::string& body = "",
                  const std::string& auth = "") {
    return Fetch({.method = method,
                  .url = Url(path),
                  .headers = {auth.empty() ? auth_ : auth, kScimJson},
                  .body = body});
  }
  // POST /Bulk with these Operations (a JSON array) and extra top-level members.
  HttpResult Bulk(const std::string& operations, const std::string& extra = "",
                  const std::string& auth = "") {
    return Send(
        "POST", "/Bulk",
        "{" + std::string(kBulkRequest) + "," + extra + R"("Operations":)" + operations + "}",
        auth);
  }
  static Json Body(const HttpResult& r) {
    auto json = ParseJson(r.body);
    EXPECT_TRUE(json.ok()) << r.body;
    return json.ok() ? *json : Json();
  }
  // The response's Operations, after checking it is a 200 BulkResponse.
  static Json::Array Operations(const HttpResult& r) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/scim+json");
    Json body = Body(r);
    const Json* schemas = body.Find("schemas");
    EXPECT_TRUE(schemas != nullptr && schemas->as_array().size() == 1 &&
                schemas->as_array()[0].as_string() ==
                    "urn:ietf:params:scim:api:messages:2.0:BulkResponse")
        << r.body;
    const Json* ops = body.Find("Operations");
    return ops != nullptr && ops->is_array() ? ops->as_array() : Json::Array();
  }
  static std::string Str(const Json& object, const char* name) {
    const Json* v = object.Find(name);
    return v != nullptr && v->is_string() ? v->as_string() : "";
  }
  static std::string IdOf(const Json& op) {
    const std::string location = Str(op, "location");
    return location.substr(location.rfind('/') + 1);
  }
  // The scimType of a failed operation's nested SCIM Error.
  static std::string ScimTypeOf(const Json& op) {
    const Json* response = op.Find("response");
    return response != nullptr ? Str(*response, "scimType") : "";
  }
  std::vector<std::string> MemberIds(const std::string& group_id) {
    HttpResult r = Send("GET", "/Groups/" + group_id);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    Json group = Body(r);
    if (const Json* members = group.Find("members")) {
      for (const Json& m : members->as_array()) ids.push_back(Str(m, "value"));
    }
    return ids;
  }
  int64_t UserCount() {
    HttpResult r = Send("GET", "/Users?count=0");
    EXPECT_EQ(r.status, 200) << r.body;
    return Body(r).Find("totalResults")->as_int();
  }
  Json BulkConfig(PorticoServer& server) {
    HttpResult r = Get(server.base_url() + "/scim/v2/ServiceProviderConfig");
    EXPECT_EQ(r.status, 200) << r.body;
    const Json config = Body(r);
    const Json* bulk = config.Find("bulk");
    return bulk != nullptr ? *bulk : Json();
  }
  std::string StoredPasswordHash(const std::string& user_id) {
    auto url = db::ParseDatabaseUrl(db_->url());
    EXPECT_TRUE(url.ok());
    soci::session sql;
    db::OpenSession(sql, *url, false);
    std::string hash;
    soci::indicator ind = soci::i_null;
    sql << "SELECT password_hash FROM users WHERE id = :id", soci::into(hash, ind),
        soci::use(user_id);
    return ind == soci::i_ok ? hash : "";
  }

  std::unique_ptr<TestDatabase> db_;
  PorticoServer server_;
  std::string key_, auth_;
};

TEST_P(ScimBulkTest, CreatesAUserAndAGroupReferencingItByBulkIdInOneRequest) {
  HttpResult r = Bulk(R"([
    {"method":"POST","bulkId":"u1","path":"/Users",
     "data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice"}},
    {"method":"POST","bulkId":"g1","path":"/Groups",
     "data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Admins",
             "members":[{"value":"bulkId:u1"}]}}])");
  Json::Array ops = Operations(r);
  ASSERT_EQ(ops.size(), 2u) << r.body;
  for (const Json& op : ops) {
    EXPECT_EQ(Str(op, "method"), "POST");
    EXPECT_EQ(Str(op, "status"), "201") << op.Dump();
    EXPECT_EQ(Str(op, "version"), "W/\"1\"");
    EXPECT_EQ(op.Find("response"), nullptr);
  }
  EXPECT_EQ(Str(ops[0], "bulkId"), "u1");
  EXPECT_EQ(Str(ops[0], "location"), "http://localhost:8080/scim/v2/Users/" + IdOf(ops[0]));
  EXPECT_EQ(Str(ops[1], "bulkId"), "g1");
  EXPECT_EQ(Str(ops[1], "location"), "http://localhost:8080/scim/v2/Groups/" + IdOf(ops[1]));
  EXPECT_EQ(MemberIds(IdOf(ops[1])), std::vector<std::string>{IdOf(ops[0])});
  EXPECT_EQ(Send("GET", "/Users/" + IdOf(ops[0])).status, 200);
}

TEST_P(ScimBulkTest, ForwardReferenceToALaterPostResolves) {
  HttpResult r = Bulk(R"([
    {"method":"POST","bulkId":"g1","path":"/Groups",
     "data":{"displayName":"Early","members":[{"value":"bulkId:u1"}]}},
    {"method":"PATCH","path":"/Users/bulkId:u1","data":{
       "schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations":[{"op":"replace","path":"title","value":"Engineer"}]}},
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"late"}}])");
  Json::Array ops = Operations(r);
  ASSERT_EQ(ops.size(), 3u) << r.body;
  EXPECT_EQ(Str(ops[0], "status"), "201") << ops[0].Dump();
  EXPECT_EQ(Str(ops[1], "status"), "200") << ops[1].Dump();
  EXPECT_EQ(Str(ops[2], "status"), "201") << ops[2].Dump();
  const std::string user_id = IdOf(ops[2]);
  EXPECT_EQ(IdOf(ops[1]), user_id);
  EXPECT_EQ(Str(ops[1], "version"), "W/\"2\"");
  EXPECT_EQ(MemberIds(IdOf(ops[0])), std::vector<std::string>{user_id});
  EXPECT_EQ(Str(Body(Send("GET", "/Users/" + user_id)), "title"), "Engineer");
}

TEST_P(ScimBulkTest, FailOnErrorsOneStopsAtTheFirstError) {
  HttpResult r = Bulk(R"([
    {"method":"POST","bulkId":"a","path":"/Users","data":{"userName":"first"}},
    {"method":"POST","bulkId":"b","path":"/Users","data":{"userName":"FIRST"}},
    {"method":"POST","bulkId":"c","path":"/Users","data":{"userName":"never"}}])",
                      R"("failOnErrors":1,)");
  Json::Array ops = Operations(r);
  ASSERT_EQ(ops.size(), 2u) << r.body;  // the third is neither attempted nor listed
  EXPECT_EQ(Str(ops[0], "status"), "201");
  EXPECT_EQ(Str(ops[1], "status"), "409");
  EXPECT_EQ(Str(ops[1], "bulkId"), "b");
  EXPECT_EQ(ops[1].Find("location"), nullptr);
  const Json* error = ops[1].Find("response");
  ASSERT_NE(error, nullptr) << ops[1].Dump();
  EXPECT_EQ(error->Find("schemas")->as_array()[0].as_string(),
            "urn:ietf:params:scim:api:messages:2.0:Error");
  EXPECT_EQ(Str(*error, "status"), "409");
  EXPECT_EQ(Str(*error, "scimType"), "uniqueness");
  EXPECT_EQ(UserCount(), 1);  // not atomic: the first operation stays done
}

TEST_P(ScimBulkTest, WithoutFailOnErrorsEveryOperationIsAttempted) {
  HttpResult r = Bulk(R"([
    {"method":"DELETE","path":"/Users/no-such-user"},
    {"method":"POST","bulkId":"c","path":"/Users","data":{"userName":"still"}}])");
  Json::Array ops = Operations(r);
  ASSERT_EQ(ops.size(), 2u) << r.body;
  EXPECT_EQ(Str(ops[0], "status"), "404");
  EXPECT_EQ(Str(ops[0], "location"), "http://localhost:8080/scim/v2/Users/no-such-user");
  EXPECT_EQ(Str(ops[1], "status"), "201");
}

TEST_P(ScimBulkTest, VersionMismatchInsideABulkIs412AndAMatchApplies) {
  HttpResult created = Send("POST", "/Users", R"({"userName":"carol"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(Body(created), "id");
  HttpResult r = Bulk(R"([
    {"method":"PUT","path":"/Users/)" +
                      id + R"(","version":"W/\"7\"","data":{"userName":"x"}},
    {"method":"PUT","path":"/Users/)" +
                      id +
                      R"(","version":"W/\"1\"","data":{"userName":"carol","title":"CFO"}},
    {"method":"DELETE","path":"/Users/)" +
                      id + R"(","version":"W/\"1\""}])");
  Json::Array ops = Operations(r);
  ASSERT_EQ(ops.size(), 3u) << r.body;
  EXPECT_EQ(Str(ops[0], "method"), "PUT");
  EXPECT_EQ(Str(ops[0], "status"), "412");
  EXPECT_EQ(Str(*ops[0].Find("response"), "status"), "412");
  EXPECT_EQ(Str(ops[0], "location"), "http://localhost:8080/scim/v2/Users/" + id);
  EXPECT_EQ(Str(ops[1], "status"), "200");
  EXPECT_EQ(Str(ops[1], "version"), "W/\"2\"");
  EXPECT_EQ(Str(ops[2], "status"), "412");  // the PUT before it moved the version on
  HttpResult got = Send("GET", "/Users/" + id);
  EXPECT_EQ(Str(Body(got), "title"), "CFO");
  EXPECT_EQ(got.Header("etag"), "W/\"2\"");
}

TEST_P(ScimBulkTest, UnknownBulkIdIs409InvalidValueAndTheOthersGoOn) {
  HttpResult r = Bulk(R"([
    {"method":"POST","bulkId":"g1","path":"/Groups",
     "data":{"displayName":"G","members":[{"value":"bulkId:ghost"}]}},
    {"method":"POST","bulkId":"u1","path":"/Users","data":{"userName":"fine"}}])");
  Json::Array ops = Operations(r);
  ASSERT_EQ(ops.size(), 2u) << r.body;
  EXPECT_EQ(Str(ops[0], "status"), "409");
  EXPECT_EQ(ScimTypeOf(ops[0]), "invalidValue");
  EXPECT_NE(Str(*ops[0].Find("response"), "detail").find("ghost"), std::string::npos);
  EXPECT_EQ(Str(ops[1], "status"), "201");
  EXPECT_EQ(Body(Send("GET", "/Groups?count=0")).Find("totalResults")->as_int(), 0);
}

TEST_P(ScimBulkTest, CircularReferenceIs409InvalidValue) {
  HttpResult r = Bulk("[" + ManagedUser("a", "b") + "," + ManagedUser("b", "a") + "]");
  Json::Array ops = Operations(r);
  ASSERT_EQ(ops.size(), 2u) << r.body;
  for (const Json& op : ops) {
    EXPECT_EQ(Str(op, "status"), "409") << op.Dump();
    EXPECT_EQ(ScimTypeOf(op), "invalidValue");
  }
  EXPECT_EQ(UserCount(), 0);
}

TEST_P(ScimBulkTest, PasswordsInABulkAreHashedAndNeverEchoed) {
  HttpResult r = Bulk(R"([
    {"method":"POST","bulkId":"u1","path":"/Users",
     "data":{"userName":"pw","password":"t1meMa$heen"}}])");
  Json::Array ops = Operations(r);
  ASSERT_EQ(ops.size(), 1u) << r.body;
  EXPECT_EQ(Str(ops[0], "status"), "201");
  EXPECT_EQ(r.body.find("t1meMa$heen"), std::string::npos);
  EXPECT_EQ(StoredPasswordHash(IdOf(ops[0])).rfind("$argon2id$", 0), 0u);
}

TEST_P(ScimBulkTest, MalformedRequestsAre400) {
  HttpResult no_schema =
      Send("POST", "/Bulk", R"({"Operations":[{"method":"DELETE","path":"/Users/1"}]})");
  EXPECT_EQ(no_schema.status, 400) << no_schema.body;
  EXPECT_EQ(Str(Body(no_schema), "scimType"), "invalidValue");
  HttpResult no_ops = Send("POST", "/Bulk", "{" + std::string(kBulkRequest) + "}");
  EXPECT_EQ(no_ops.status, 400);
  EXPECT_EQ(Str(Body(no_ops), "scimType"), "invalidSyntax");
  HttpResult no_bulk_id = Bulk(R"([{"method":"POST","path":"/Users","data":{"userName":"x"}}])");
  EXPECT_EQ(no_bulk_id.status, 400);
  EXPECT_EQ(Str(Body(no_bulk_id), "scimType"), "invalidValue");
  HttpResult bad_path = Bulk(R"([{"method":"DELETE","path":"/Users"}])");
  EXPECT_EQ(bad_path.status, 400);
  EXPECT_EQ(Str(Body(bad_path), "scimType"), "invalidValue");
  HttpResult bad_json = Send("POST", "/Bulk", "{");
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_EQ(Str(Body(bad_json), "scimType"), "invalidSyntax");
  EXPECT_EQ(UserCount(), 0);
}

TEST_P(ScimBulkTest, TooManyOperationsIs413TooLarge) {
  const int64_t max = BulkConfig(server_).Find("maxOperations")->as_int();
  ASSERT_GT(max, 0);
  auto deletes = [](int64_t n) {
    std::string ops = "[";
    for (int64_t i = 0; i < n; ++i) {
      ops += std::string(i > 0 ? "," : "") + R"({"method":"DELETE","path":"/Users/u)" +
             std::to_string(i) + "\"}";
    }
    return ops + "]";
  };
  HttpResult over = Bulk(deletes(max + 1));
  EXPECT_EQ(over.status, 413) << over.body.substr(0, 300);
  Json error = Body(over);
  EXPECT_EQ(Str(error, "status"), "413");
  EXPECT_EQ(Str(error, "scimType"), "tooLarge");
  // Exactly the advertised number is accepted (failOnErrors keeps the job short).
  Json::Array ops = Operations(Bulk(deletes(max), R"("failOnErrors":1,)"));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(Str(ops[0], "status"), "404");
}

TEST_P(ScimBulkTest, ServiceProviderConfigAdvertisesTheLimitsTheHandlerEnforces) {
  Json bulk = BulkConfig(server_);
  ASSERT_NE(bulk.Find("supported"), nullptr) << bulk.Dump();
  EXPECT_TRUE(bulk.Find("supported")->as_bool());
  EXPECT_EQ(bulk.Find("maxOperations")->as_int(), 1000);
  const int64_t max_payload = bulk.Find("maxPayloadSize")->as_int();
  EXPECT_EQ(max_payload, 1 << 20);  // the default server body limit: never more than that

  // Over the payload limit: refused as tooLarge whichever check meets it first (here the
  // server's own body limit, which equals it).
  auto padded = [](int64_t size) {
    std::string body = "{" + std::string(kBulkRequest) + R"(,"Operations":[],"pad":")";
    body += std::string(static_cast<size_t>(size) - body.size() - 2, 'x');
    return body + "\"}";
  };
  HttpResult over = Send("POST", "/Bulk", padded(max_payload + 1));
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(Str(Body(over), "scimType"), "tooLarge");

  // A server accepting bigger bodies still holds Bulk to the advertised maxPayloadSize.
  server_.Kill();
  PorticoServer big;
  EnvVars env = BaseEnv(*db_);
  env["PORTICO_MAX_BODY_BYTES"] = std::to_string(4 << 20);
  std::string error;
  ASSERT_TRUE(big.Start(env, &error)) << error;
  EXPECT_EQ(BulkConfig(big).Find("maxPayloadSize")->as_int(), max_payload);
  auto post = [&](const std::string& body) {
    return Fetch({.method = "POST",
                  .url = big.base_url() + "/scim/v2/Bulk",
                  .headers = {auth_, kScimJson},
                  .body = body});
  };
  HttpResult refused = post(padded(max_payload + 1));
  EXPECT_EQ(refused.status, 413) << refused.body;
  EXPECT_EQ(Str(Body(refused), "scimType"), "tooLarge");
  EXPECT_NE(Str(Body(refused), "detail").find("maxPayloadSize"), std::string::npos)
      << refused.body;  // the handler's check, not the server's
  HttpResult at_limit = post(padded(max_payload));
  EXPECT_EQ(at_limit.status, 200) << at_limit.body.substr(0, 300);
}

TEST_P(ScimBulkTest, ReadOnlyKeyGets403) {
  HttpResult minted = Fetch({.method = "POST",
                             .url = server_.base_url() + "/api/tenant/credentials",
                             .headers = {auth_, "Content-Type: application/json"},
                             .body = R"({"name":"reader","scopes":["scim:read"]})"});
  ASSERT_EQ(minted.status, 201) << minted.body;
  const std::string reader = "Authorization: Bearer " + Str(Body(minted), "secret");
  HttpResult denied = Bulk(
      R"([{"method":"POST","bulkId":"u","path":"/Users","data":{"userName":"x"}}])", "", reader);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(Str(Body(denied), "status"), "403");
  HttpResult anonymous = Fetch({.method = "POST",
                                .url = Url("/Bulk"),
                                .headers = {kScimJson},
                                .body = "{" + std::string(kBulkRequest) + R"(,"Operations":[]})"});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(UserCount(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, ScimBulkTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
