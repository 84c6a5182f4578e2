// Okta's provisioning requests, replayed against the real `portico serve` on SQLite and
// PostgreSQL. The requests and the answers Okta expects are those of Okta's "SCIM 2.0 Protocol
// Reference" (Okta and SCIM Version 2.0) and of the "Okta SCIM 2.0 Spec Test" suite that "Build a
// SCIM provisioning integration › Test your SCIM API" has integrators run. Each test names its
// section.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

constexpr char kUserUrn[] = "urn:ietf:params:scim:schemas:core:2.0:User";
constexpr char kGroupUrn[] = "urn:ietf:params:scim:schemas:core:2.0:Group";
constexpr char kListUrn[] = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
constexpr char kErrorUrn[] = "urn:ietf:params:scim:api:messages:2.0:Error";

// The value at a dotted path ("emails.0.value"; numbers index arrays), or nullptr.
const Json* At(const Json& json, std::string_view path) {
  const Json* at = &json;
  while (at != nullptr && !path.empty()) {
    const size_t dot = path.find('.');
    const std::string_view key = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    if (at->is_array()) {
      const size_t index = static_cast<size_t>(std::stoul(std::string(key)));
      at = index < at->as_array().size() ? &at->as_array()[index] : nullptr;
    } else if (at->is_object()) {
      at = at->Find(key);
    } else {
      at = nullptr;
    }
  }
  return at;
}

// The string at `path`, or "<absent>" when there is none.
std::string Str(const Json& json, std::string_view path) {
  const Json* at = At(json, path);
  return at != nullptr && at->is_string() ? at->as_string() : "<absent>";
}

// Whether the boolean at `path` is exactly `expected` (a JSON boolean, not a string).
::testing::AssertionResult IsBool(const Json& json, std::string_view path, bool expected) {
  const Json* at = At(json, path);
  if (at == nullptr || !at->is_bool()) {
    return ::testing::AssertionFailure() << path << " is not a boolean in " << json.Dump();
  }
  if (at->as_bool() != expected) {
    return ::testing::AssertionFailure()
           << path << " is " << at->as_bool() << " in " << json.Dump();
  }
  return ::testing::AssertionSuccess();
}

// The integer at `path` (Okta: "itemsPerPage, startIndex, and totalResults values need to be
// exchanged as integers, not as strings"), or -1.
int64_t Int(const Json& json, std::string_view path) {
  const Json* at = At(json, path);
  return at != nullptr && at->is_int() ? at->as_int() : -1;
}

size_t Size(const Json& json, std::string_view path) {
  const Json* at = At(json, path);
  return at != nullptr && at->is_array() ? at->as_array().size() : 0;
}

bool Contains(const Json& json, std::string_view path, std::string_view value) {
  const Json* at = At(json, path);
  if (at == nullptr || !at->is_array()) return false;
  for (const Json& item : at->as_array()) {
    if (item.is_string() && item.as_string() == value) return true;
  }
  return false;
}

// The member ids of a group document, sorted.
std::set<std::string> MemberIds(const Json& group) {
  std::set<std::string> ids;
  for (size_t i = 0; i < Size(group, "members"); ++i) {
    ids.insert(Str(group, "members." + std::to_string(i) + ".value"));
  }
  return ids;
}

// The headers of Okta's provisioning client (the protocol reference shows its User-Agent).
const std::vector<std::string> kOktaClient = {"User-Agent: Okta SCIM Client 1.0.0",
                                              "Accept: application/scim+json",
                                              "Content-Type: application/scim+json"};
// The headers every request of the Spec Test suite carries (its JSON body requests differ: see
// kSpecTestPost).
const std::vector<std::string> kSpecTestGet = {
    "Accept-Charset: utf-8", "Content-Type: application/scim+json; charset=utf-8",
    "Accept: application/scim+json", "User-Agent: OKTA SCIM Integration"};
const std::vector<std::string> kSpecTestPost = {"Content-Type: application/json",
                                                "Accept: application/scim+json; charset=utf-8"};

class OktaReplayTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    std::string error;
    ASSERT_TRUE(server_.Start(BaseEnv(*db_), &error)) << error;
    CommandResult r =
        RunPortico({"tenant", "create", "--slug", "okta-org", "--name", "Okta Org"}, BaseEnv(*db_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    StatusOr<Json> tenant = ParseJson(r.out);
    ASSERT_TRUE(tenant.ok()) << r.out;
    auth_ = "Authorization: Bearer " + Str(*tenant, "integrationKey");
  }

  HttpResult Send(const std::string& method, const std::string& path_and_query,
                  const std::string& body = "",
                  const std::vector<std::string>& client = kOktaClient) {
    std::vector<std::string> headers = client;
    headers.push_back(auth_);
    return Fetch({.method = method,
                  .url = server_.base_url() + "/scim/v2" + path_and_query,
                  .headers = headers,
                  .body = body});
  }

  static Json Body(const HttpResult& r) {
    StatusOr<Json> json = ParseJson(r.body);
    EXPECT_TRUE(json.ok()) << "not JSON: " << r.status << " " << r.body;
    return json.ok() ? *json : Json::MakeObject();
  }

  // A ListResponse with `total` results, all on this page.
  static Json ExpectList(const HttpResult& r, int64_t total) {
    EXPECT_EQ(r.status, 200) << r.body;
    Json list = Body(r);
    EXPECT_TRUE(Contains(list, "schemas", kListUrn)) << r.body;
    EXPECT_EQ(Int(list, "totalResults"), total) << r.body;
    EXPECT_EQ(Int(list, "startIndex"), 1) << r.body;
    EXPECT_EQ(Int(list, "itemsPerPage"), total) << r.body;
    const Json* resources = At(list, "Resources");
    EXPECT_TRUE(resources != nullptr && resources->is_array() &&
                resources->as_array().size() == static_cast<size_t>(total))
        << r.body;
    return list;
  }

  // The SCIM Error schema with a detail and the HTTP status (a string, RFC 7644 §3.12).
  static Json ExpectError(const HttpResult& r, long status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/scim+json");
    Json error = Body(r);
    EXPECT_TRUE(Contains(error, "schemas", kErrorUrn)) << r.body;
    EXPECT_EQ(Str(error, "status"), std::to_string(status)) << r.body;
    EXPECT_NE(Str(error, "detail"), "<absent>") << r.body;
    EXPECT_NE(Str(error, "detail"), "") << r.body;
    return error;
  }

  // "The SCIM server response to PATCH method requests can also be an HTTP 204 response, with no
  // body returned."
  static void ExpectPatchAccepted(const HttpResult& r) {
    EXPECT_TRUE(r.status == 200 || r.status == 204) << r.status << " " << r.body;
  }

  std::unique_ptr<TestDatabase> db_;
  PorticoServer server_;
  std::string auth_;
};

constexpr char kPatchOp[] = R"("schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"])";

// Protocol Reference › Create Users › Create the User: Okta's POST, with the placeholder
// `password` it always sends and an empty `groups`.
std::string CreateUserRequest(const std::string& user_name, const std::string& external_id) {
  return R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": ")" +
         user_name + R"(",
    "name": {
        "givenName": "Test",
        "familyName": "User"
    },
    "emails": [{
        "primary": true,
        "value": ")" +
         user_name + R"(",
        "type": "work"
    }],
    "displayName": "Test User",
    "locale": "en-US",
    "externalId": ")" +
         external_id + R"(",
    "groups": [],
    "password": "1mz050nq",
    "active": true
})";
}

// Okta SCIM 2.0 Spec Test (Test your SCIM API): every "Required Test" step of the suite in order,
// with its headers and its assertions; "Optional Test: Verify Groups endpoint" too.
TEST_P(OktaReplayTest, SpecTestSuitePasses) {
  // The suite reads the first user of the list: one must exist.
  ASSERT_EQ(Send("POST", "/Users", CreateUserRequest("existing@okta.local", "00u1")).status, 201);

  // Test Users endpoint.
  HttpResult r = Send("GET", "/Users?count=1&startIndex=1", "", kSpecTestGet);
  ASSERT_EQ(r.status, 200) << r.body;
  Json list = Body(r);
  EXPECT_TRUE(Contains(list, "schemas", kListUrn));
  EXPECT_GE(Size(list, "Resources"), 1u);
  EXPECT_GE(Int(list, "itemsPerPage"), 0);
  EXPECT_GE(Int(list, "startIndex"), 0);
  EXPECT_GE(Int(list, "totalResults"), 0);
  for (const char* path :
       {"Resources.0.id", "Resources.0.name.familyName", "Resources.0.name.givenName",
        "Resources.0.userName", "Resources.0.emails.0.value"}) {
    EXPECT_NE(Str(list, path), "<absent>") << path;
    EXPECT_NE(Str(list, path), "") << path;
  }
  EXPECT_TRUE(IsBool(list, "Resources.0.active", true));
  const std::string isv_user_id = Str(list, "Resources.0.id");

  // Get Users/{{id}}.
  r = Send("GET", "/Users/" + isv_user_id, "", kSpecTestGet);
  ASSERT_EQ(r.status, 200) << r.body;
  Json user = Body(r);
  EXPECT_EQ(Str(user, "id"), isv_user_id);
  EXPECT_EQ(Str(user, "name.familyName"), "User");
  EXPECT_EQ(Str(user, "name.givenName"), "Test");
  EXPECT_EQ(Str(user, "userName"), "existing@okta.local");
  EXPECT_TRUE(IsBool(user, "active", true));
  EXPECT_EQ(Str(user, "emails.0.value"), "existing@okta.local");

  // Test invalid User by username.
  ExpectList(Send("GET", "/Users?filter=userName%20eq%20%22invalid-7d3f%40example.com%22", "",
                  kSpecTestGet),
             0);
  // Test invalid User by ID.
  ExpectError(Send("GET", "/Users/0c3a6b1e-2a1f-4d5e-9f8a-7b6c5d4e3f21", "", kSpecTestGet), 404);
  // Make sure random user doesn't exist.
  ExpectList(Send("GET", "/Users?filter=userName%20eq%20%22Rosalind.Rath%40example.com%22", "",
                  kSpecTestGet),
             0);

  // Create Okta user with realistic values.
  const std::string create_body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],)"
                                  R"("userName":"Rosalind.Rath@example.com","name":{"givenName":)"
                                  R"("Rosalind","familyName":"Rath"},"emails":[{"primary":true,)"
                                  R"("value":"Rosalind.Rath@example.com","type":"work"}],)"
                                  R"("displayName":"Rosalind Rath","active":true})";
  r = Send("POST", "/Users", create_body, kSpecTestPost);
  ASSERT_EQ(r.status, 201) << r.body;
  Json created = Body(r);
  EXPECT_TRUE(IsBool(created, "active", true));
  const std::string id_user_one = Str(created, "id");
  EXPECT_NE(id_user_one, "<absent>");
  EXPECT_EQ(Str(created, "name.familyName"), "Rath");
  EXPECT_EQ(Str(created, "name.givenName"), "Rosalind");
  EXPECT_TRUE(Contains(created, "schemas", kUserUrn));
  EXPECT_EQ(Str(created, "userName"), "Rosalind.Rath@example.com");
  EXPECT_EQ(Str(created, "emails.0.value"), "Rosalind.Rath@example.com");

  // Verify that user was created.
  r = Send("GET", "/Users/" + id_user_one, "", kSpecTestGet);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(Body(r), "userName"), "Rosalind.Rath@example.com");
  EXPECT_EQ(Str(Body(r), "name.familyName"), "Rath");
  EXPECT_EQ(Str(Body(r), "name.givenName"), "Rosalind");

  // Expect failure when recreating user with same values.
  EXPECT_EQ(Send("POST", "/Users", create_body, kSpecTestPost).status, 409);

  // Username Case Sensitivity Check: 200; userName is caseExact false (RFC 7643 §4.1.1), so the
  // upper-cased name finds the same user.
  Json caps =
      ExpectList(Send("GET", "/Users?filter=userName%20eq%20%22ROSALIND.RATH%40EXAMPLE.COM%22", "",
                      kSpecTestGet),
                 1);
  EXPECT_EQ(Str(caps, "Resources.0.id"), id_user_one);

  // Optional Test: Verify Groups endpoint.
  r = Send("GET", "/Groups", "", kSpecTestGet);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Int(Body(r), "totalResults"), 0);
  EXPECT_TRUE(At(Body(r), "Resources") != nullptr && At(Body(r), "Resources")->is_array());

  // Check status 401: an Authorization header that is not a Bearer token at all.
  std::vector<std::string> no_token = kSpecTestGet;
  no_token.push_back("Authorization: non-token");
  ExpectError(
      Fetch({.url = server_.base_url() +
                    "/scim/v2/Users?filter=userName%20eq%20%22ROSALIND.RATH%40EXAMPLE.COM%22",
             .headers = no_token}),
      401);

  // Check status 404.
  ExpectError(Send("GET", "/Users/00919288221112222", "", kSpecTestGet), 404);
}

// Protocol Reference › SCIM User operations: Create Users (Determine if the User already exists,
// Create the User, the 409 for an existing one), Retrieve a specific User, Update a specific User
// (PUT: Retrieve the User, Update the User), Update a specific User (PATCH: deactivate), and
// reactivation. Okta never DELETEs users.
TEST_P(OktaReplayTest, UserOperationsAsDocumented) {
  // Determine if the User already exists.
  const std::string exists =
      "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100";
  Json none = ExpectList(Send("GET", exists), 0);
  EXPECT_EQ(Size(none, "Resources"), 0u);

  // Create the User.
  HttpResult r =
      Send("POST", "/Users", CreateUserRequest("test.user@okta.local", "00ujl29u0le5T6Aj10h7"));
  ASSERT_EQ(r.status, 201) << r.body;
  Json user = Body(r);
  const std::string id = Str(user, "id");
  ASSERT_NE(id, "<absent>");
  EXPECT_TRUE(Contains(user, "schemas", kUserUrn));
  EXPECT_EQ(Str(user, "userName"), "test.user@okta.local");
  EXPECT_EQ(Str(user, "name.givenName"), "Test");
  EXPECT_EQ(Str(user, "name.familyName"), "User");
  EXPECT_EQ(Str(user, "emails.0.value"), "test.user@okta.local");
  EXPECT_TRUE(IsBool(user, "emails.0.primary", true));
  EXPECT_EQ(Str(user, "emails.0.type"), "work");
  EXPECT_EQ(Str(user, "displayName"), "Test User");
  EXPECT_EQ(Str(user, "locale"), "en-US");
  EXPECT_EQ(Str(user, "externalId"), "00ujl29u0le5T6Aj10h7");
  EXPECT_TRUE(IsBool(user, "active", true));
  EXPECT_EQ(Str(user, "meta.resourceType"), "User");
  EXPECT_EQ(user.Find("password"), nullptr);  // returned "never"
  EXPECT_EQ(r.body.find("1mz050nq"), std::string::npos);

  // The next existence check finds it, with the id Okta stores.
  Json found = ExpectList(Send("GET", exists), 1);
  EXPECT_EQ(Str(found, "Resources.0.id"), id);

  // Creating it again: 409 with the error schema "to stop the provisioning job".
  r = Send("POST", "/Users", CreateUserRequest("test.user@okta.local", "00ujl29u0le5T6Aj10h7"));
  Json conflict = ExpectError(r, 409);
  EXPECT_EQ(Str(conflict, "scimType"), "uniqueness");

  // Retrieve a specific User.
  r = Send("GET", "/Users/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(Body(r), "id"), id);
  EXPECT_EQ(Str(Body(r), "userName"), "test.user@okta.local");

  // Update a specific User (PUT): Okta GETs the user, changes what changed and PUTs it all back,
  // the read-only id, groups and meta included.
  r = Send("PUT", "/Users/" + id, R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "id": ")" + id + R"(",
    "userName": "test.user@okta.local",
    "name": {
        "givenName": "Another",
        "middleName": "Excited",
        "familyName": "User"
    },
    "emails": [{
        "primary": true,
        "value": "test.user@okta.local",
        "type": "work",
        "display": "test.user@okta.local"
    }],
    "active": true,
    "groups": [],
    "meta": {
        "resourceType": "User"
    }
})");
  ASSERT_EQ(r.status, 200) << r.body;
  Json replaced = Body(r);
  EXPECT_EQ(Str(replaced, "id"), id);
  EXPECT_EQ(Str(replaced, "name.givenName"), "Another");
  EXPECT_EQ(Str(replaced, "name.middleName"), "Excited");
  EXPECT_EQ(Str(replaced, "name.familyName"), "User");
  EXPECT_EQ(Str(replaced, "emails.0.display"), "test.user@okta.local");
  EXPECT_TRUE(IsBool(replaced, "active", true));
  EXPECT_EQ(Str(Body(Send("GET", "/Users/" + id)), "name.middleName"), "Excited");

  // Update a specific User (PATCH): deactivation is a path-less replace.
  r = Send("PATCH", "/Users/" + id, R"({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "replace",
        "value": {
            "active": false
        }
    }]
})");
  ExpectPatchAccepted(r);
  if (r.status == 200) {
    EXPECT_TRUE(IsBool(Body(r), "active", false));
    EXPECT_EQ(Str(Body(r), "name.givenName"), "Another");
  }
  HttpResult after = Send("GET", "/Users/" + id);
  EXPECT_TRUE(IsBool(Body(after), "active", false));
  // Still found by userName: when the user is assigned again Okta matches and reactivates it.
  Json inactive = ExpectList(Send("GET", exists), 1);
  EXPECT_TRUE(IsBool(inactive, "Resources.0.active", false));

  r = Send(
      "PATCH", "/Users/" + id,
      std::string("{") + kPatchOp + R"(,"Operations":[{"op":"replace","value":{"active":true}}]})");
  ExpectPatchAccepted(r);
  EXPECT_TRUE(IsBool(Body(Send("GET", "/Users/" + id)), "active", true));
}

// Protocol Reference › Retrieve Users: Okta imports page by page with startIndex and count, and
// "The SCIM server must consistently return the same ordering of results for the requests,
// regardless of which values are provided for the count and startIndex".
TEST_P(OktaReplayTest, ImportPagesWithStartIndexAndCount) {
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) {
    HttpResult r = Send(
        "POST", "/Users",
        CreateUserRequest("import" + std::to_string(i) + "@okta.local", "00u" + std::to_string(i)));
    ASSERT_EQ(r.status, 201) << r.body;
    created.insert(Str(Body(r), "id"));
  }
  Json all = ExpectList(Send("GET", "/Users?startIndex=1&count=100"), 5);
  std::vector<std::string> order;
  for (size_t i = 0; i < 5; ++i)
    order.push_back(Str(all, "Resources." + std::to_string(i) + ".id"));

  std::vector<std::string> paged;
  for (int start = 1; start <= 5; start += 2) {
    HttpResult r = Send("GET", "/Users?startIndex=" + std::to_string(start) + "&count=2");
    ASSERT_EQ(r.status, 200) << r.body;
    Json page = Body(r);
    EXPECT_EQ(Int(page, "totalResults"), 5);
    EXPECT_EQ(Int(page, "startIndex"), start);
    EXPECT_EQ(Int(page, "itemsPerPage"), start == 5 ? 1 : 2);
    for (size_t i = 0; i < Size(page, "Resources"); ++i) {
      paged.push_back(Str(page, "Resources." + std::to_string(i) + ".id"));
    }
  }
  EXPECT_EQ(paged, order);
  EXPECT_EQ(std::set<std::string>(order.begin(), order.end()), created);
}

// Protocol Reference › SCIM Group operations (Group Push): Create Groups, Retrieve Groups (the
// displayName existence check), Retrieve specific Groups, Update a specific Group name (a
// path-less replace that carries the group's own id), Update specific Group membership (remove by
// filter + add in one PATCH; the full push with replace; the PUT of App Integration Wizard
// integrations), Delete a specific Group.
TEST_P(OktaReplayTest, GroupPushAsDocumented) {
  std::vector<std::string> users;
  for (const char* name : {"test.user@okta.local", "second.user@okta.local"}) {
    HttpResult r = Send("POST", "/Users", CreateUserRequest(name, std::string("00u-") + name));
    ASSERT_EQ(r.status, 201) << r.body;
    users.push_back(Str(Body(r), "id"));
  }
  const std::string exists =
      "/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100";
  ExpectList(Send("GET", exists), 0);

  // Create Groups.
  HttpResult r = Send("POST", "/Groups", R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "displayName": "Test SCIMv2",
    "members": []
})");
  ASSERT_EQ(r.status, 201) << r.body;
  Json group = Body(r);
  const std::string id = Str(group, "id");
  ASSERT_NE(id, "<absent>");
  EXPECT_TRUE(Contains(group, "schemas", kGroupUrn));
  EXPECT_EQ(Str(group, "displayName"), "Test SCIMv2");
  EXPECT_EQ(Str(group, "meta.resourceType"), "Group");
  EXPECT_EQ(Size(group, "members"), 0u);

  // Retrieve Groups: the existence check by displayName, and the import.
  Json found = ExpectList(Send("GET", exists), 1);
  EXPECT_EQ(Str(found, "Resources.0.id"), id);
  EXPECT_EQ(Str(found, "Resources.0.displayName"), "Test SCIMv2");
  Json imported = ExpectList(Send("GET", "/Groups?startIndex=1&count=100"), 1);
  EXPECT_EQ(Str(imported, "Resources.0.id"), id);

  // Retrieve specific Groups.
  r = Send("GET", "/Groups/" + id);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(Body(r), "id"), id);
  EXPECT_EQ(Str(Body(r), "displayName"), "Test SCIMv2");

  // Update a specific Group name: the value echoes the group's id.
  r = Send("PATCH", "/Groups/" + id, R"({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "replace",
        "value": {
            "id": ")" + id + R"(",
            "displayName": "Test SCIMv20"
        }
    }]
})");
  ExpectPatchAccepted(r);
  if (r.status == 200) {
    EXPECT_EQ(Str(Body(r), "displayName"), "Test SCIMv20");
  }
  EXPECT_EQ(Str(Body(Send("GET", "/Groups/" + id)), "displayName"), "Test SCIMv20");
  EXPECT_EQ(Str(Body(Send("GET", "/Groups/" + id)), "id"), id);

  // Update specific Group membership. "The group name update operation is triggered each time
  // there's a group membership update operation": the unchanged name first.
  r = Send("PATCH", "/Groups/" + id,
           std::string("{") + kPatchOp + R"(,"Operations":[{"op":"replace","value":{"id":")" + id +
               R"(","displayName":"Test SCIMv20"}}]})");
  ExpectPatchAccepted(r);
  r = Send("PATCH", "/Groups/" + id,
           R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{
            "op": "remove",
            "path": "members[value eq \")" +
               users[1] + R"(\"]"
            },
            {
            "op": "add",
            "path": "members",
            "value": [{
                "value": ")" +
               users[0] + R"(",
                "display": "test.user@okta.local"
            }]
        }]
    })");
  ExpectPatchAccepted(r);
  Json after = Body(Send("GET", "/Groups/" + id));
  EXPECT_EQ(MemberIds(after), std::set<std::string>{users[0]});
  EXPECT_EQ(Str(after, "displayName"), "Test SCIMv20");
  EXPECT_EQ(Str(Body(Send("GET", "/Users/" + users[0])), "groups.0.value"), id);

  // The full push: replace all members with the supplied ones.
  r = Send("PATCH", "/Groups/" + id, R"({
  "schemas": [
    "urn:ietf:params:scim:api:messages:2.0:PatchOp"
  ],
  "Operations": [
    {
      "op": "replace",
      "path": "members",
      "value": [
        {
          "value": ")" + users[0] + R"(",
          "display": "test.user@okta.local"
        },
        {
          "value": ")" + users[1] + R"(",
          "display": "test.user@okta.local"
        }
      ]
    }
  ]
})");
  ExpectPatchAccepted(r);
  EXPECT_EQ(MemberIds(Body(Send("GET", "/Groups/" + id))),
            (std::set<std::string>{users[0], users[1]}));

  // A later push removes one by filter.
  r = Send("PATCH", "/Groups/" + id,
           std::string("{") + kPatchOp +
               R"(,"Operations":[{"op":"remove","path":"members[value eq \")" + users[0] +
               R"(\"]"}]})");
  ExpectPatchAccepted(r);
  EXPECT_EQ(MemberIds(Body(Send("GET", "/Groups/" + id))), std::set<std::string>{users[1]});

  // App Integration Wizard integrations PUT the whole group instead.
  r = Send("PUT", "/Groups/" + id,
           R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Test SCIMv2",
        "members": [
                {
                "value": ")" +
               users[0] + R"(",
                "display": "test.user@okta.local"
                }
        ]
    })");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Str(Body(r), "id"), id);
  EXPECT_EQ(Str(Body(r), "displayName"), "Test SCIMv2");
  EXPECT_EQ(MemberIds(Body(r)), std::set<std::string>{users[0]});

  // Delete a specific Group: 204, and it is gone; its members are not.
  r = Send("DELETE", "/Groups/" + id);
  EXPECT_EQ(r.status, 204) << r.body;
  ExpectError(Send("GET", "/Groups/" + id), 404);
  ExpectList(Send("GET", exists), 0);
  EXPECT_EQ(Send("GET", "/Users/" + users[0]).status, 200);
  EXPECT_EQ(At(Body(Send("GET", "/Users/" + users[0])), "groups"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, OktaReplayTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
