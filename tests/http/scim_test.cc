// SCIM 2.0 over the real `portico serve`, on SQLite and PostgreSQL: discovery,
// authentication, Users and Groups CRUD, filters, projection, ETags, tenancy.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <future>
#include <set>
#include <thread>

#include "db/open_database.h"
#include "db/session.h"
#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

constexpr char kScimJson[] = "Content-Type: application/scim+json";

class ScimTest : public ::testing::TestWithParam<Backend> {
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
                  std::vector<std::string> extra = {}, const std::string& auth = "") {
    std::vector<std::string> headers = {auth.empty() ? auth_ : auth, kScimJson};
    for (auto& h : extra) headers.push_back(h);
    return Fetch({.method = method, .url = Url(path), .headers = headers, .body = body});
  }
  static Json Body(const HttpResult& r) {
    auto json = ParseJson(r.body);
    EXPECT_TRUE(json.ok()) << r.body;
    return json.ok() ? *json : Json();
  }
  std::string CreateUser(const std::string& user_name, const std::string& extra = "") {
    HttpResult r =
        Send("POST", "/Users",
             R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":")" +
                 user_name + "\"" + extra + "}");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? Body(r).Find("id")->as_string() : "";
  }

  // What the database holds as the user's password: a hash, never the password.
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

TEST_P(ScimTest, DiscoveryNeedsNoAuthentication) {
  for (const char* path :
       {"/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/ResourceTypes/User",
        "/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group"}) {
    HttpResult r = Get(Url(path));
    EXPECT_EQ(r.status, 200) << path << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/scim+json") << path;
  }
  EXPECT_EQ(Body(Get(Url("/Schemas"))).Find("totalResults")->as_int(), 3);
}

TEST_P(ScimTest, MissingOrBadTokenIs401ScimErrorWithBearerChallenge) {
  for (const std::string& auth :
       {std::string("X-None: 1"), std::string("Authorization: Bearer nope")}) {
    HttpResult r = Fetch({.url = Url("/Users"), .headers = {auth}});
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.Header("www-authenticate").find("Bearer"), std::string::npos);
    Json body = Body(r);
    EXPECT_EQ(body.Find("schemas")->as_array()[0].as_string(),
              "urn:ietf:params:scim:api:messages:2.0:Error");
    EXPECT_EQ(body.Find("status")->as_string(), "401");
  }
}

TEST_P(ScimTest, CreateGetReplaceDeleteUser) {
  HttpResult created = Send("POST", "/Users",
                            R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
                                "userName":"bjensen","name":{"givenName":"Barbara"},
                                "password":"t1meMa$heen"})");
  ASSERT_EQ(created.status, 201) << created.body;
  Json user = Body(created);
  const std::string id = user.Find("id")->as_string();
  EXPECT_EQ(created.Header("location"), "http://localhost:8080/scim/v2/Users/" + id);
  EXPECT_EQ(created.Header("etag"), "W/\"1\"");
  EXPECT_EQ(user.Find("password"), nullptr);  // writeOnly, returned never
  EXPECT_EQ(StoredPasswordHash(user.Find("id")->as_string()).rfind("$argon2id$", 0), 0u);
  // The change owes an audit event, delivered through the outbox.
  EXPECT_TRUE(server_.WaitForLog("\"scim.user.created\"", std::chrono::seconds(10)))
      << server_.Log();
  EXPECT_EQ(server_.Log().find("t1meMa$heen"), std::string::npos);  // never logged

  HttpResult got = Send("GET", "/Users/" + id);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(Body(got).Find("userName")->as_string(), "bjensen");
  EXPECT_EQ(Send("GET", "/Users/" + id, "", {"If-None-Match: W/\"1\""}).status, 304);

  HttpResult replaced =
      Send("PUT", "/Users/" + id, R"({"userName":"bjensen","title":"CEO"})", {"If-Match: W/\"1\""});
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(replaced.Header("etag"), "W/\"2\"");
  EXPECT_EQ(Body(replaced).Find("name"), nullptr);  // PUT replaces: omitted means removed
  HttpResult stale = Send("PUT", "/Users/" + id, R"({"userName":"x"})", {"If-Match: W/\"1\""});
  EXPECT_EQ(stale.status, 412) << stale.body;
  HttpResult any =
      Send("PUT", "/Users/" + id, R"({"userName":"bjensen","title":"CTO"})", {"If-Match: *"});
  EXPECT_EQ(any.status, 200) << any.body;

  EXPECT_EQ(Send("DELETE", "/Users/" + id, "", {"If-Match: W/\"2\""}).status, 412);
  EXPECT_EQ(Send("DELETE", "/Users/" + id).status, 204);
  HttpResult gone = Send("GET", "/Users/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(Body(gone).Find("status")->as_string(), "404");
  // The same userName can be created again after a delete.
  CreateUser("bjensen");
}

// GET /Users/{id} and the userName eq filter, unprojected, copy the stored document's text
// instead of parsing and re-rendering it. They must answer byte for byte what the rendering
// path answers: a PUT's or PATCH's response (rendered from the parsed document) at the same
// version — escapes, the enterprise manager's $ref, computed groups, meta and all.
TEST_P(ScimTest, UnprojectedReadsAnswerExactlyWhatTheRenderingPathDoes) {
  const std::string boss = CreateUser("boss");
  const std::string id = CreateUser("unicode.user");
  HttpResult group =
      Send("POST", "/Groups",
           R"({"displayName":"Ädmins \"x\" \\ 😀","members":[{"value":")" + id + R"("}]})");
  ASSERT_EQ(group.status, 201) << group.body;
  const std::string body =
      R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User",)"
      R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],"userName":"unicode.user",)"
      R"("displayName":"Tab\there \"q\" \\ \u0001 \u00e9 😀 \/",)"
      R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":)"
      R"({"department":"R&D","manager":{"value":")" +
      boss +
      R"("}},)"
      R"("externalId":"ext-1","emails":[{"value":"u@x.example","type":"work","primary":true}],)"
      R"("name":{"givenName":"Ü","familyName":"Ser"},"active":true,"password":"S3cret-pass-123"})";
  HttpResult put = Send("PUT", "/Users/" + id, body);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body.find("S3cret"), std::string::npos);
  ASSERT_NE(put.body.find("\"groups\""), std::string::npos) << put.body;
  ASSERT_NE(put.body.find("/Users/" + boss + "\""), std::string::npos) << put.body;

  HttpResult got = Send("GET", "/Users/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, put.body);
  EXPECT_EQ(got.Header("etag"), put.Header("etag"));
  EXPECT_EQ(got.Header("content-type"), put.Header("content-type"));
  EXPECT_EQ(Body(got).Dump(), got.body);  // compact, as Dump writes it

  HttpResult list = Send("GET", "/Users?filter=userName%20eq%20%22UNICODE.user%22");
  ASSERT_EQ(list.status, 200) << list.body;
  Json page = Body(list);
  EXPECT_EQ(page.Dump(), list.body);
  ASSERT_EQ(page.Find("Resources")->as_array().size(), 1u);
  EXPECT_EQ(page.Find("Resources")->as_array()[0].Dump(), put.body);
  // The same page from the general list path (a filter that is not the userName lookup).
  HttpResult general = Send("GET", "/Users?filter=externalId%20eq%20%22ext-1%22");
  ASSERT_EQ(general.status, 200) << general.body;
  EXPECT_EQ(general.body, list.body);

  HttpResult patched = Send("PATCH", "/Users/" + id,
                            R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],)"
                            R"("Operations":[{"op":"replace","path":"title","value":"Boss"}]})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Send("GET", "/Users/" + id).body, patched.body);
  // A projection that changes nothing goes the rendering way: the same members.
  Json projected = Body(Send("GET", "/Users/" + id + "?excludedAttributes=id"));
  Json plain = Body(Send("GET", "/Users/" + id));
  ASSERT_EQ(projected.as_object().size(), plain.as_object().size());
  for (const auto& [name, value] : plain.as_object()) {
    const Json* other = projected.Find(name);
    ASSERT_NE(other, nullptr) << name;
    EXPECT_EQ(*other, value) << name;
  }
}

TEST_P(ScimTest, UserNameIsUniqueCaseInsensitivelyWithUniquenessError) {
  CreateUser("Zoë@Example.com");
  HttpResult dup = Send("POST", "/Users", R"({"userName":"ZOË@example.COM"})");
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(Body(dup).Find("scimType")->as_string(), "uniqueness");
}

TEST_P(ScimTest, ConcurrentIdenticalPostsGiveOneCreatedAndTheRestConflicts) {
  std::vector<std::future<long>> results;
  for (int i = 0; i < 50; ++i) {
    results.push_back(std::async(std::launch::async, [&] {
      return Send("POST", "/Users", R"({"userName":"race@example.com"})").status;
    }));
  }
  int created = 0, conflicts = 0;
  for (auto& f : results) {
    long status = f.get();
    if (status == 201)
      ++created;
    else if (status == 409)
      ++conflicts;
    else
      ADD_FAILURE() << "unexpected status " << status;
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(conflicts, 49);
}

TEST_P(ScimTest, FiltersProjectionAndPaging) {
  CreateUser("alice", R"(,"emails":[{"value":"alice@work.example","type":"work"}],"active":true)");
  CreateUser("bob", R"(,"emails":[{"value":"bob@home.example","type":"home"}],"active":false)");
  CreateUser("carol", R"(,"active":true)");
  auto list = [&](const std::string& query) { return Body(Send("GET", "/Users?" + query)); };
  EXPECT_EQ(list("filter=userName%20eq%20%22ALICE%22").Find("totalResults")->as_int(), 1);
  EXPECT_EQ(list("filter=active%20eq%20true").Find("totalResults")->as_int(), 2);
  EXPECT_EQ(list("filter=emails%5Btype%20eq%20%22work%22%20and%20value%20co%20%22%40work%22%5D")
                .Find("totalResults")
                ->as_int(),
            1);
  // Entra's Test Connection: a random userName → 200 with an empty list.
  Json none = list(
      "filter=userName%20eq%20%22"
      "7f0e0c9a-1b2b-4c3c-9d4d-5e6f7a8b9c0d"
      "%22");
  EXPECT_EQ(none.Find("totalResults")->as_int(), 0);
  EXPECT_TRUE(none.Find("Resources")->as_array().empty());
  Json page = list("sortBy=userName&sortOrder=descending&startIndex=2&count=1&attributes=userName");
  EXPECT_EQ(page.Find("totalResults")->as_int(), 3);
  ASSERT_EQ(page.Find("Resources")->as_array().size(), 1u);
  EXPECT_EQ(page.Find("Resources")->as_array()[0].Dump().find("emails"), std::string::npos);
  EXPECT_EQ(page.Find("Resources")->as_array()[0].Find("userName")->as_string(), "bob");
  Json count_only = list("count=0");
  EXPECT_EQ(count_only.Find("totalResults")->as_int(), 3);
  EXPECT_TRUE(count_only.Find("Resources")->as_array().empty());
  HttpResult bad = Send("GET", "/Users?filter=userName%20eq");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad).Find("scimType")->as_string(), "invalidFilter");
  HttpResult search = Send("POST", "/Users/.search",
                           R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                               "filter":"active eq false","attributes":["userName"]})");
  ASSERT_EQ(search.status, 200) << search.body;
  EXPECT_EQ(Body(search).Find("totalResults")->as_int(), 1);
}

TEST_P(ScimTest, RootSearchPagesUsersThenGroups) {
  const std::string ann = CreateUser("ann", R"(,"displayName":"Team Ann")");
  CreateUser("bob", R"(,"displayName":"Bob")");
  HttpResult red = Send("POST", "/Groups", R"({"displayName":"Team Red"})");
  ASSERT_EQ(red.status, 201) << red.body;
  ASSERT_EQ(Send("POST", "/Groups", R"({"displayName":"Blue"})").status, 201);
  const auto search = [&](const std::string& fields) {
    return Send("POST", "/.search",
                R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"])" +
                    fields + "}");
  };

  HttpResult both = search(R"(,"filter":"displayName sw \"Team\"","attributes":["displayName"])");
  ASSERT_EQ(both.status, 200) << both.body;
  Json page = Body(both);
  EXPECT_EQ(page.Find("totalResults")->as_int(), 2);
  const Json::Array& found = page.Find("Resources")->as_array();
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].Find("id")->as_string(), ann);
  EXPECT_EQ(found[0].Find("meta"), nullptr);  // projected per type
  EXPECT_EQ(found[1].Find("id")->as_string(), Body(red).Find("id")->as_string());

  // startIndex and count run across both types: the second item is the group.
  Json second = Body(search(R"(,"filter":"displayName sw \"Team\"","startIndex":2,"count":1)"));
  EXPECT_EQ(second.Find("totalResults")->as_int(), 2);
  ASSERT_EQ(second.Find("Resources")->as_array().size(), 1u);
  EXPECT_EQ(second.Find("Resources")->as_array()[0].Find("displayName")->as_string(), "Team Red");

  // userName exists only on Users: Groups contribute nothing instead of failing the search.
  Json users_only = Body(search(R"(,"filter":"userName eq \"ANN\"")"));
  EXPECT_EQ(users_only.Find("totalResults")->as_int(), 1);
  EXPECT_EQ(Body(search("")).Find("totalResults")->as_int(), 4);

  HttpResult broken = search(R"(,"filter":"displayName sw")");
  EXPECT_EQ(broken.status, 400);
  EXPECT_EQ(Body(broken).Find("scimType")->as_string(), "invalidFilter");
  HttpResult sorted = search(R"(,"sortBy":"displayName")");
  EXPECT_EQ(sorted.status, 400);
  EXPECT_EQ(Body(sorted).Find("scimType")->as_string(), "invalidValue");
  EXPECT_EQ(Send("POST", "/.search", "{}", {}, "Authorization: Bearer nope").status, 401);
}

TEST_P(ScimTest, CursorPagingWalksEveryUserOnce) {
  for (int i = 0; i < 5; ++i) CreateUser("user" + std::to_string(i));
  std::set<std::string> seen;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    Json page = Body(Send("GET", "/Users?count=2&cursor=" + cursor));
    for (const Json& r : page.Find("Resources")->as_array()) seen.insert(r.Find("id")->as_string());
    const Json* next = page.Find("nextCursor");
    if (next == nullptr) break;
    cursor = next->as_string();
  }
  EXPECT_EQ(seen.size(), 5u);
  HttpResult bad = Send("GET", "/Users?count=2&cursor=forged");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad).Find("scimType")->as_string(), "invalidCursor");
}

TEST_P(ScimTest, GroupsWithMembersAndComputedUserGroups) {
  const std::string alice = CreateUser("alice");
  const std::string bob = CreateUser("bob");
  HttpResult created = Send("POST", "/Groups",
                            R"({"displayName":"Admins","members":[{"value":")" + alice + R"("}]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string group = Body(created).Find("id")->as_string();
  EXPECT_EQ(Body(created).Find("members")->as_array().size(), 1u);
  EXPECT_EQ(
      Body(Send("GET", "/Users/" + alice)).Find("groups")->as_array()[0].Find("value")->as_string(),
      group);
  EXPECT_EQ(Body(Send("GET", "/Groups/" + group + "?excludedAttributes=members")).Find("members"),
            nullptr);
  HttpResult unknown =
      Send("POST", "/Groups", R"({"displayName":"X","members":[{"value":"no-such-user"}]})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(Body(unknown).Find("scimType")->as_string(), "invalidValue");
  HttpResult replaced = Send("PUT", "/Groups/" + group,
                             R"({"displayName":"Admins","members":[{"value":")" + bob + R"("}]})");
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(Body(replaced).Find("members")->as_array()[0].Find("value")->as_string(), bob);
  // A deleted user is gone from every group.
  EXPECT_EQ(Send("DELETE", "/Users/" + bob).status, 204);
  EXPECT_EQ(Body(Send("GET", "/Groups/" + group)).Find("members"), nullptr);
}

TEST_P(ScimTest, TenantsCannotSeeOrChangeEachOthersResources) {
  const std::string alice = CreateUser("alice");
  const std::string other = "Authorization: Bearer " + CreateTenantKey("other");
  EXPECT_EQ(Send("GET", "/Users/" + alice, "", {}, other).status, 404);
  EXPECT_EQ(Send("PUT", "/Users/" + alice, R"({"userName":"mallory"})", {}, other).status, 404);
  EXPECT_EQ(Send("DELETE", "/Users/" + alice, "", {}, other).status, 404);
  EXPECT_EQ(Body(Send("GET", "/Users", "", {}, other)).Find("totalResults")->as_int(), 0);
  EXPECT_EQ(Send("GET", "/Users/" + alice).status, 200);
  // The other tenant may use the same userName.
  EXPECT_EQ(Send("POST", "/Users", R"({"userName":"alice"})", {}, other).status, 201);
}

TEST_P(ScimTest, BadBodiesGetSpecificScimErrors) {
  HttpResult not_json = Send("POST", "/Users", "{nope");
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(Body(not_json).Find("scimType")->as_string(), "invalidSyntax");
  HttpResult wrong_type = Send("POST", "/Users", R"({"userName":"a","active":"maybe"})");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(Body(wrong_type).Find("scimType")->as_string(), "invalidValue");
  HttpResult form = Fetch({.method = "POST",
                           .url = Url("/Users"),
                           .headers = {auth_, "Content-Type: text/plain"},
                           .body = "{}"});
  EXPECT_EQ(form.status, 415);
}

constexpr char kPatchOp[] = R"("schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"])";

TEST_P(ScimTest, EntraStylePatchesApply) {
  const std::string id = CreateUser("entra@example.com", R"(,"active":true)");
  HttpResult r = Send("PATCH", "/Users/" + id, std::string("{") + kPatchOp + R"(,"Operations":[
                        {"op":"Replace","path":"active","value":"False"},
                        {"op":"Add","path":"emails[type eq \"work\"].value","value":"e@work.example"},
                        {"op":"replace","value":{"name.givenName":"Eve",
                          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager":"m-1"}}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json user = Body(r);
  EXPECT_FALSE(user.Find("active")->as_bool());
  EXPECT_EQ(user.Find("emails")->as_array()[0].Find("value")->as_string(), "e@work.example");
  EXPECT_EQ(user.Find("name")->Find("givenName")->as_string(), "Eve");
  EXPECT_EQ(user.Find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                ->Find("manager")
                ->Find("value")
                ->as_string(),
            "m-1");
  EXPECT_EQ(r.Header("etag"), "W/\"2\"");
  // The filter now finds the email the patch created.
  Json found = Body(
      Send("GET",
           "/Users?filter=emails%5Btype%20eq%20%22work%22%5D.value%20eq%20%22E%40WORK.example%22"));
  EXPECT_EQ(found.Find("totalResults")->as_int(), 1) << found.Dump();
}

TEST_P(ScimTest, PatchIsAllOrNothing) {
  const std::string id = CreateUser("atomic", R"(,"title":"Before")");
  HttpResult r = Send("PATCH", "/Users/" + id, std::string("{") + kPatchOp + R"(,"Operations":[
                        {"op":"replace","path":"title","value":"After"},
                        {"op":"replace","path":"meta.created","value":"2000-01-01T00:00:00Z"}]})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(Body(r).Find("scimType")->as_string(), "mutability");
  HttpResult after = Send("GET", "/Users/" + id);
  EXPECT_EQ(Body(after).Find("title")->as_string(), "Before");
  EXPECT_EQ(after.Header("etag"), "W/\"1\"");
  HttpResult bad_path = Send(
      "PATCH", "/Users/" + id,
      std::string("{") + kPatchOp + R"(,"Operations":[{"op":"remove","path":"emails[type eq"}]})");
  EXPECT_EQ(bad_path.status, 400);
  HttpResult no_ops =
      Send("PATCH", "/Users/" + id, std::string("{") + kPatchOp + R"(,"Operations":[]})");
  EXPECT_EQ(no_ops.status, 200) << no_ops.body;
}

TEST_P(ScimTest, OktaStyleGroupPatchesChangeMembership) {
  const std::string a = CreateUser("okta-a");
  const std::string b = CreateUser("okta-b");
  HttpResult created = Send("POST", "/Groups", R"({"displayName":"Okta Group","members":[]})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string g = Body(created).Find("id")->as_string();
  HttpResult added = Send("PATCH", "/Groups/" + g,
                          std::string("{") + kPatchOp +
                              R"(,"Operations":[{"op":"add","path":"members","value":[{"value":")" +
                              a + R"(","display":"A"},{"value":")" + b + R"("}]}]})");
  // Without attributes a group PATCH answers 204 with the new ETag (RFC 7644 §3.5.2), so a
  // one-member change never reads back a large member list.
  ASSERT_EQ(added.status, 204) << added.body;
  EXPECT_TRUE(added.body.empty());
  EXPECT_EQ(added.Header("etag"), "W/\"2\"");
  HttpResult read = Send("GET", "/Groups/" + g);
  EXPECT_EQ(Body(read).Find("members")->as_array().size(), 2u);
  HttpResult renamed =
      Send("PATCH", "/Groups/" + g + "?attributes=displayName",
           std::string("{") + kPatchOp + R"(,"Operations":[{"op":"replace","value":{"id":")" + g +
               R"(","displayName":"Renamed"}}]})");
  ASSERT_EQ(renamed.status, 200) << renamed.body;
  EXPECT_EQ(Body(renamed).Find("displayName")->as_string(), "Renamed");
  EXPECT_EQ(Body(renamed).Find("members"), nullptr);  // not asked for
  HttpResult removed =
      Send("PATCH", "/Groups/" + g + "?excludedAttributes=displayName",
           std::string("{") + kPatchOp +
               R"(,"Operations":[{"op":"remove","path":"members","value":[{"value":")" + a +
               R"("}]}]})");
  ASSERT_EQ(removed.status, 200) << removed.body;
  ASSERT_EQ(Body(removed).Find("members")->as_array().size(), 1u);
  EXPECT_EQ(Body(removed).Find("members")->as_array()[0].Find("value")->as_string(), b);
  HttpResult entra_remove =
      Send("PATCH", "/Groups/" + g + "?attributes=members",
           std::string("{") + kPatchOp +
               R"(,"Operations":[{"op":"Remove","path":"members[value eq \")" + b + R"(\"]"}]})");
  ASSERT_EQ(entra_remove.status, 200) << entra_remove.body;
  EXPECT_EQ(Body(entra_remove).Find("members"), nullptr);
}

TEST_P(ScimTest, PasswordPatchIsAcceptedAndNeverReturned) {
  const std::string id = CreateUser("pw-user");
  const std::string before = StoredPasswordHash(id);
  HttpResult r =
      Send("PATCH", "/Users/" + id,
           std::string("{") + kPatchOp +
               R"(,"Operations":[{"op":"replace","path":"password","value":"n3w-Secret!"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("n3w-Secret"), std::string::npos);
  const std::string after = StoredPasswordHash(id);
  EXPECT_EQ(after.rfind("$argon2id$", 0), 0u) << after;
  EXPECT_NE(after, before);
  EXPECT_EQ(r.Header("etag"), "W/\"2\"");
}

// A tenant whose users sign in through their IdP turns password sync off:
// no SCIM write may then plant a password, and nothing else changes.
TEST_P(ScimTest, PasswordSyncOffRefusesPasswordsOnEveryWriteUntilTurnedBackOn) {
  auto settings = [&](const std::string& method, const std::string& body, const std::string& key) {
    return Fetch({.method = method,
                  .url = server_.base_url() + "/api/tenant/scim-settings",
                  .headers = {"Authorization: Bearer " + key, "Content-Type: application/json"},
                  .body = body});
  };
  HttpResult defaults = settings("GET", "", key_);
  ASSERT_EQ(defaults.status, 200) << defaults.body;
  EXPECT_EQ(defaults.body, R"({"passwordSync":true})");
  EXPECT_EQ(defaults.Header("cache-control"), "no-store");
  EXPECT_EQ(settings("GET", "", "nope").status, 401);
  EXPECT_EQ(settings("PUT", R"({"passwordSync":)", key_).status, 400);  // malformed JSON
  HttpResult not_json =
      Fetch({.method = "PUT",
             .url = server_.base_url() + "/api/tenant/scim-settings",
             .headers = {"Authorization: Bearer " + key_, "Content-Type: text/plain"},
             .body = R"({"passwordSync":false})"});
  EXPECT_EQ(not_json.status, 415) << not_json.body;
  HttpResult unknown = settings("PUT", R"({"passwordSync":false,"extra":1})", key_);
  EXPECT_EQ(unknown.status, 400) << unknown.body;
  EXPECT_NE(unknown.body.find("extra"), std::string::npos) << unknown.body;
  EXPECT_EQ(settings("PUT", R"({"passwordSync":"no"})", key_).status, 400);
  ASSERT_EQ(settings("PUT", R"({"passwordSync":false})", key_).status, 200);

  const std::string user = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],)";
  HttpResult create = Send("POST", "/Users", user + R"("userName":"sso","password":"x-Secret-1"})");
  EXPECT_EQ(create.status, 400) << create.body;
  EXPECT_EQ(Body(create).Find("scimType")->as_string(), "invalidValue");
  EXPECT_NE(create.body.find("passwordSync"), std::string::npos) << create.body;
  const std::string id = CreateUser("sso");  // without a password: as before
  EXPECT_EQ(
      Send("PUT", "/Users/" + id, user + R"("userName":"sso","password":"x-Secret-1"})").status,
      400);
  HttpResult patch =
      Send("PATCH", "/Users/" + id,
           std::string("{") + kPatchOp +
               R"(,"Operations":[{"op":"replace","path":"password","value":"x-Secret-1"}]})");
  EXPECT_EQ(patch.status, 400) << patch.body;
  EXPECT_EQ(StoredPasswordHash(id), "");

  ASSERT_EQ(settings("PUT", R"({"passwordSync":true})", key_).status, 200);
  HttpResult allowed =
      Send("PATCH", "/Users/" + id,
           std::string("{") + kPatchOp +
               R"(,"Operations":[{"op":"replace","path":"password","value":"x-Secret-1"}]})");
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_EQ(StoredPasswordHash(id).rfind("$argon2id$", 0), 0u);
}

TEST_P(ScimTest, EveryFailureUnderScimIsAScimError) {
  auto expect_scim_error = [&](const HttpResult& r, long status, const std::string& scim_type) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/scim+json") << r.body;
    Json body = Body(r);
    EXPECT_EQ(body.Find("status")->as_string(), std::to_string(status));
    const Json* type = body.Find("scimType");
    EXPECT_EQ(type ? type->as_string() : "", scim_type) << r.body;
  };
  expect_scim_error(Send("POST", "/Users", R"({"userName":"a","userName":"b"})"), 400,
                    "invalidSyntax");
  expect_scim_error(Send("POST", "/Users", std::string(1100 * 1024, ' ')), 413, "");
  expect_scim_error(Send("GET", "/Nope"), 404, "");
  expect_scim_error(Send("DELETE", "/Users"), 405, "");
  expect_scim_error(Send("GET", "/Users?sortOrder=sideways"), 400, "invalidValue");
}

TEST_P(ScimTest, ReadOnlyKeyCannotWrite) {
  HttpResult minted = Fetch({.method = "POST",
                             .url = server_.base_url() + "/api/tenant/credentials",
                             .headers = {auth_, "Content-Type: application/json"},
                             .body = R"({"name":"reader","scopes":["scim:read"]})"});
  ASSERT_EQ(minted.status, 201) << minted.body;
  const std::string reader = "Authorization: Bearer " + Body(minted).Find("secret")->as_string();
  EXPECT_EQ(Send("GET", "/Users", "", {}, reader).status, 200);
  HttpResult denied = Send("POST", "/Users", R"({"userName":"x"})", {}, reader);
  EXPECT_EQ(denied.status, 403) << denied.body;
  EXPECT_EQ(Body(denied).Find("status")->as_string(), "403");
}

INSTANTIATE_TEST_SUITE_P(Backends, ScimTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
