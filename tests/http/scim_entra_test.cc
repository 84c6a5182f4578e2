// Microsoft Entra ID's provisioning requests, replayed against the real `portico serve` on SQLite
// and PostgreSQL. The requests and the answers Entra expects are those of Microsoft's "Tutorial:
// Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
// (use-scim-to-provision-users-and-groups) and "Known issues and resolutions with SCIM 2.0
// protocol compliance of the Microsoft Entra user provisioning service"
// (application-provisioning-config-problem-scim-compatibility). Each test names its section.
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
constexpr char kEnterpriseUrn[] = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

// Percent-encodes a query value (every byte but RFC 3986's unreserved ones).
std::string Encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

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

// The member ids of a group document (RFC 7643 §2.4: multi-valued attributes have no order).
std::set<std::string> MemberIds(const Json& group) {
  std::set<std::string> ids;
  for (size_t i = 0; i < Size(group, "members"); ++i) {
    ids.insert(Str(group, "members." + std::to_string(i) + ".value"));
  }
  return ids;
}

class EntraReplayTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    std::string error;
    ASSERT_TRUE(server_.Start(BaseEnv(*db_), &error)) << error;
    CommandResult r =
        RunPortico({"tenant", "create", "--slug", "contoso", "--name", "Contoso"}, BaseEnv(*db_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    StatusOr<Json> tenant = ParseJson(r.out);
    ASSERT_TRUE(tenant.ok()) << r.out;
    auth_ = "Authorization: Bearer " + Str(*tenant, "integrationKey");
  }

  // One request as Entra's provisioning service sends it: the Secret Token as a Bearer token,
  // bodies as application/scim+json.
  HttpResult Send(const std::string& method, const std::string& path_and_query,
                  const std::string& body = "") {
    std::vector<std::string> headers = {auth_, "Accept: application/scim+json"};
    if (!body.empty()) headers.push_back("Content-Type: application/scim+json");
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

  // "Response to a query/filter request should always be a ListResponse"; the tutorial's
  // examples carry totalResults, Resources, startIndex and itemsPerPage.
  static Json ExpectList(const HttpResult& r, int64_t total) {
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/scim+json");
    Json list = Body(r);
    EXPECT_TRUE(Contains(list, "schemas", kListUrn)) << r.body;
    const Json* total_results = At(list, "totalResults");
    EXPECT_TRUE(total_results != nullptr && total_results->is_int() &&
                total_results->as_int() == total)
        << "expected totalResults " << total << " in " << r.body;
    const Json* resources = At(list, "Resources");
    EXPECT_TRUE(resources != nullptr && resources->is_array() &&
                resources->as_array().size() == static_cast<size_t>(total))
        << r.body;
    const Json* start = At(list, "startIndex");
    EXPECT_TRUE(start != nullptr && start->is_int() && start->as_int() == 1) << r.body;
    const Json* per_page = At(list, "itemsPerPage");
    EXPECT_TRUE(per_page != nullptr && per_page->is_int()) << r.body;
    return list;
  }

  // The SCIM Error schema with the HTTP status as a string; `detail` is optional for Entra
  // ("The detail isn't required, only status") but Portico always explains.
  static void ExpectError(const HttpResult& r, long status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/scim+json");
    Json error = Body(r);
    EXPECT_TRUE(Contains(error, "schemas", kErrorUrn)) << r.body;
    EXPECT_EQ(Str(error, "status"), std::to_string(status)) << r.body;
  }

  // Entra expects 204 No Content from a group PATCH; 200 with the group is accepted too.
  static void ExpectGroupPatchAccepted(const HttpResult& r) {
    EXPECT_TRUE(r.status == 200 || r.status == 204) << r.status << " " << r.body;
  }

  HttpResult FindUsers(const std::string& filter) {
    return Send("GET", "/Users?filter=" + Encode(filter));
  }

  std::unique_ptr<TestDatabase> db_;
  PorticoServer server_;
  std::string auth_;
};

constexpr char kPatchOp[] = R"("schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"])";

std::string PatchBody(const std::string& operations) {
  return std::string("{") + kPatchOp + R"(,"Operations":)" + operations + "}";
}

// Tutorial › Create User (Request): exactly what Entra POSTs, for `user_name` and `email`.
std::string CreateUserRequest(const std::string& user_name, const std::string& email,
                              const std::string& external_id) {
  return R"({
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": ")" +
         external_id + R"(",
    "userName": ")" +
         user_name + R"(",
    "active": true,
    "emails": [{
        "primary": true,
        "type": "work",
        "value": ")" +
         email + R"("
    }],
    "meta": {
        "resourceType": "User"
    },
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName"
    },
    "roles": []
})";
}

// Tutorial › Understand the Microsoft Entra SCIM implementation › General: "Microsoft Entra ID
// makes requests to fetch a random user and group to ensure that the endpoint and the credentials
// are valid. It's also done as a part of the Test Connection flow." Nothing matches: an empty
// ListResponse (Get User by query - Zero results), and 404 for an unknown id (Get User, "User not
// found").
TEST_P(EntraReplayTest, TestConnectionFindsNoRandomUserOrGroup) {
  const std::string guid = "8a1c2b6e-49f4-4c8e-9d3a-6f7e0b5c1d2e";
  // Form-style encoding (spaces as '+') and percent-encoding both reach the filter parser.
  ExpectList(Send("GET", "/Users?filter=userName+eq+%22" + guid + "%22"), 0);
  ExpectList(FindUsers("userName eq \"" + guid + "\""), 0);
  ExpectList(Send("GET", "/Groups?excludedAttributes=members&filter=" +
                             Encode("displayName eq \"" + guid + "\"")),
             0);
  ExpectError(Send("GET", "/Users/" + guid), 404);
  ExpectError(Send("GET", "/Groups/" + guid), 404);
  // A wrong Secret Token is what Test Connection reports as a credentials failure.
  HttpResult denied = Fetch({.url = server_.base_url() + "/scim/v2/Users?filter=" +
                                    Encode("userName eq \"" + guid + "\""),
                             .headers = {"Authorization: Bearer not-the-secret-token"}});
  ExpectError(denied, 401);
}

// Tutorial › SCIM protocol requests and responses › User Operations: Create User, Get User, Get
// User by query, Get User by query - Zero results, Update User [Multi-valued properties], Update
// User [Single-valued properties], Disable User, Delete User — in the order the provisioning
// service sends them for one user.
TEST_P(EntraReplayTest, UserOperationsAsDocumented) {
  const std::string user_name = "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1";
  const std::string email = "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com";
  const std::string external_id = "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef";

  // Matching before creating: nobody has that userName yet.
  ExpectList(FindUsers("userName eq \"" + user_name + "\""), 0);

  // Create User → 201 with the user as stored.
  HttpResult created = Send("POST", "/Users", CreateUserRequest(user_name, email, external_id));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("content-type"), "application/scim+json");
  Json user = Body(created);
  const std::string id = Str(user, "id");
  ASSERT_NE(id, "<absent>");
  EXPECT_TRUE(Contains(user, "schemas", kUserUrn)) << created.body;
  EXPECT_EQ(Str(user, "externalId"), external_id);
  EXPECT_EQ(Str(user, "userName"), user_name);
  EXPECT_TRUE(IsBool(user, "active", true));
  EXPECT_EQ(Size(user, "emails"), 1u);
  EXPECT_EQ(Str(user, "emails.0.value"), email);
  EXPECT_EQ(Str(user, "emails.0.type"), "work");
  EXPECT_TRUE(IsBool(user, "emails.0.primary", true));
  EXPECT_EQ(Str(user, "name.formatted"), "givenName familyName");
  EXPECT_EQ(Str(user, "name.familyName"), "familyName");
  EXPECT_EQ(Str(user, "name.givenName"), "givenName");
  EXPECT_EQ(Str(user, "meta.resourceType"), "User");
  EXPECT_NE(Str(user, "meta.created"), "<absent>");
  EXPECT_NE(Str(user, "meta.lastModified"), "<absent>");

  // Get User (User found).
  HttpResult got = Send("GET", "/Users/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  Json fetched = Body(got);
  EXPECT_EQ(Str(fetched, "id"), id);
  EXPECT_EQ(Str(fetched, "userName"), user_name);
  EXPECT_EQ(Str(fetched, "externalId"), external_id);
  EXPECT_TRUE(IsBool(fetched, "active", true));
  EXPECT_EQ(Str(fetched, "emails.0.value"), email);

  // Get User by query: by userName, by externalId (the default matching attributes) and by the
  // work email ("a GET to /Users with a filter must allow for both userName eq … and
  // emails[type eq "work"].value eq … queries").
  for (const std::string& filter :
       {"userName eq \"" + user_name + "\"", "externalId eq \"" + external_id + "\"",
        "emails[type eq \"work\"].value eq \"" + email + "\""}) {
    Json found = ExpectList(FindUsers(filter), 1);
    EXPECT_EQ(Str(found, "Resources.0.id"), id) << filter;
    EXPECT_EQ(Str(found, "Resources.0.userName"), user_name) << filter;
    EXPECT_EQ(Str(found, "Resources.0.name.givenName"), "givenName") << filter;
  }

  // Get User by query - Zero results.
  Json none = ExpectList(FindUsers("userName eq \"non-existent user\""), 0);
  EXPECT_EQ(Size(none, "Resources"), 0u);

  // Update User [Multi-valued properties].
  HttpResult multi = Send("PATCH", "/Users/" + id, R"({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
            {
            "op": "Replace",
            "path": "emails[type eq \"work\"].value",
            "value": "updatedEmail@microsoft.com"
            },
            {
            "op": "Replace",
            "path": "name.familyName",
            "value": "updatedFamilyName"
            }
    ]
})");
  ASSERT_EQ(multi.status, 200) << multi.body;
  Json updated = Body(multi);
  EXPECT_EQ(Str(updated, "id"), id);
  ASSERT_EQ(Size(updated, "emails"), 1u) << multi.body;  // replaced, not added
  EXPECT_EQ(Str(updated, "emails.0.value"), "updatedEmail@microsoft.com");
  EXPECT_EQ(Str(updated, "emails.0.type"), "work");
  EXPECT_TRUE(IsBool(updated, "emails.0.primary", true));
  EXPECT_EQ(Str(updated, "name.familyName"), "updatedFamilyName");
  EXPECT_EQ(Str(updated, "name.givenName"), "givenName");
  ExpectList(FindUsers("emails[type eq \"work\"].value eq \"updatedEmail@microsoft.com\""), 1);

  // Update User [Single-valued properties].
  const std::string new_user_name = "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com";
  HttpResult single = Send("PATCH", "/Users/" + id, R"({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Replace",
        "path": "userName",
        "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    }]
})");
  ASSERT_EQ(single.status, 200) << single.body;
  EXPECT_EQ(Str(Body(single), "userName"), new_user_name);
  EXPECT_TRUE(IsBool(Body(single), "active", true));
  ExpectList(FindUsers("userName eq \"" + new_user_name + "\""), 1);
  ExpectList(FindUsers("userName eq \"" + user_name + "\""), 0);

  // Disable User. Soft-deleted users are still returned ("The user object should be returned in
  // a request whether or not the user is active").
  HttpResult disabled = Send("PATCH", "/Users/" + id, R"({
    "Operations": [
        {
            "op": "Replace",
            "path": "active",
            "value": false
        }
    ],
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ]
})");
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_TRUE(IsBool(Body(disabled), "active", false));
  EXPECT_TRUE(IsBool(Body(Send("GET", "/Users/" + id)), "active", false));
  Json inactive = ExpectList(FindUsers("userName eq \"" + new_user_name + "\""), 1);
  EXPECT_TRUE(IsBool(inactive, "Resources.0.active", false));

  // ... and restoring it ("restoring the user active=true").
  HttpResult restored = Send("PATCH", "/Users/" + id,
                             PatchBody(R"([{"op":"Replace","path":"active","value":true}])"));
  ASSERT_EQ(restored.status, 200) << restored.body;
  EXPECT_TRUE(IsBool(Body(restored), "active", true));

  // Delete User → 204, then the user is gone.
  HttpResult deleted = Send("DELETE", "/Users/" + id);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  EXPECT_TRUE(deleted.body.empty()) << deleted.body;
  ExpectError(Send("GET", "/Users/" + id), 404);
  ExpectList(FindUsers("userName eq \"" + new_user_name + "\""), 0);
}

// Known issues › Flags to alter the SCIM behavior: the PATCH bodies Entra sends "Without feature
// flag" (the default for non-gallery apps) and "With feature flag" (aadOptscim062020), for
// "Requests made to disable users", "Requests made to add a single-value string attribute" and
// "Requests to replace multiple attributes".
TEST_P(EntraReplayTest, PatchRequestsWithAndWithoutTheComplianceFlag) {
  HttpResult created = Send("POST", "/Users",
                            CreateUserRequest("Test_User_flags@testuser.com", "flags@testuser.com",
                                              "3f8a2d0c-5a8e-4b1f-9c44-1d2e3f4a5b6c"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(Body(created), "id");
  auto patch = [&](const std::string& body) {
    HttpResult r = Send("PATCH", "/Users/" + id, body);
    EXPECT_EQ(r.status, 200) << body << "\n→ " << r.body;
    return Body(r);
  };

  // Disable, without the flag: the boolean as the string "False".
  Json user = patch(R"({
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "Replace",
            "path": "active",
            "value": "False"
        }
    ]
  })");
  EXPECT_TRUE(IsBool(user, "active", false));
  // ... the same user is then found by active eq false, so it was stored as a boolean.
  ExpectList(FindUsers("active eq false"), 1);
  user = patch(PatchBody(R"([{"op":"Replace","path":"active","value":"True"}])"));
  EXPECT_TRUE(IsBool(user, "active", true));
  // Disable, with the flag.
  user = patch(R"({
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "replace",
            "path": "active",
            "value": false
        }
    ]
  })");
  EXPECT_TRUE(IsBool(user, "active", false));

  // Add a single-value string attribute, without the flag ("Add") and with it ("add").
  user = patch(R"({
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
      {
        "op": "Add",
        "path": "nickName",
        "value": "Babs"
      }
    ]
  })");
  EXPECT_EQ(Str(user, "nickName"), "Babs");
  user = patch(R"({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [
      {
        "op": "add",
        "path": "nickName",
        "value": "Barbara"
      }
    ]
  })");
  EXPECT_EQ(Str(user, "nickName"), "Barbara");

  // Replace multiple attributes, without the flag: one capitalised operation per attribute.
  user = patch(R"({
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "Replace",
            "path": "displayName",
            "value": "Pvlo"
        },
        {
            "op": "Replace",
            "path": "emails[type eq \"work\"].value",
            "value": "TestBcwqnm@test.microsoft.com"
        },
        {
            "op": "Replace",
            "path": "name.givenName",
            "value": "Gtfd"
        },
        {
            "op": "Replace",
            "path": "name.familyName",
            "value": "Pkqf"
        },
        {
            "op": "Replace",
            "path": "externalId",
            "value": "Eqpj"
        },
        {
            "op": "Replace",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
            "value": "Eqpj"
        }
    ]
  })");
  EXPECT_EQ(Str(user, "displayName"), "Pvlo");
  EXPECT_EQ(Size(user, "emails"), 1u);
  EXPECT_EQ(Str(user, "emails.0.value"), "TestBcwqnm@test.microsoft.com");
  EXPECT_EQ(Str(user, "name.givenName"), "Gtfd");
  EXPECT_EQ(Str(user, "name.familyName"), "Pkqf");
  EXPECT_EQ(Str(user, "externalId"), "Eqpj");
  const Json* enterprise = user.Find(kEnterpriseUrn);
  ASSERT_NE(enterprise, nullptr) << user.Dump();
  EXPECT_EQ(Str(*enterprise, "employeeNumber"), "Eqpj");

  // Replace multiple attributes, with the flag: a path-less replace whose keys are dotted
  // (name.givenName) or URN-qualified (…:employeeNumber).
  user = patch(R"({
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "replace",
            "path": "emails[type eq \"work\"].value",
            "value": "TestMhvaes@test.microsoft.com"
        },
        {
            "op": "replace",
            "value": {
                "displayName": "Bjfe",
                "name.givenName": "Kkom",
                "name.familyName": "Unua",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
            }
        }
    ]
  })");
  EXPECT_EQ(Size(user, "emails"), 1u);
  EXPECT_EQ(Str(user, "emails.0.value"), "TestMhvaes@test.microsoft.com");
  EXPECT_EQ(Str(user, "displayName"), "Bjfe");
  EXPECT_EQ(Str(user, "name.givenName"), "Kkom");
  EXPECT_EQ(Str(user, "name.familyName"), "Unua");
  enterprise = user.Find(kEnterpriseUrn);
  ASSERT_NE(enterprise, nullptr) << user.Dump();
  EXPECT_EQ(Str(*enterprise, "employeeNumber"), "Aklq");
  // Unchanged by any of it: userName and the work email's type and primary flag.
  EXPECT_EQ(Str(user, "userName"), "Test_User_flags@testuser.com");
  EXPECT_EQ(Str(user, "emails.0.type"), "work");
  EXPECT_TRUE(IsBool(user, "emails.0.primary", true));
}

// Tutorial › Design your user and group schema: Entra maps `mail` to emails[type eq "work"].value
// and `manager` to the enterprise extension's manager, whose example value is the manager's id
// as a bare string. A user provisioned without a mail gets one later: the PATCH that targets the
// missing work email creates it, and the uniqueness query on the work email then finds the user.
TEST_P(EntraReplayTest, WorkEmailAndManagerArriveByPatchLater) {
  HttpResult manager = Send("POST", "/Users", R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "externalId": "58342554-38d6-4ec8-948c-50044d0a33fd",
    "userName": "Test_User_manager@testuser.com",
    "active": true,
    "meta": {"resourceType": "User"},
    "roles": []
  })");
  ASSERT_EQ(manager.status, 201) << manager.body;
  const std::string manager_id = Str(Body(manager), "id");
  HttpResult created = Send("POST", "/Users", R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
    "externalId": "6c75de36-30fa-4d2d-a196-6bdcdb6b6539",
    "userName": "Test_User_fbb9dda4-fcde-4f98-a68b-6c5599e17c27",
    "active": true,
    "meta": {"resourceType": "User"},
    "name": {"familyName": "familyName", "givenName": "givenName"},
    "roles": []
  })");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(Body(created), "id");
  EXPECT_EQ(At(Body(created), "emails"), nullptr);

  HttpResult r = Send("PATCH", "/Users/" + id, PatchBody(R"([
    {"op":"Add","path":"emails[type eq \"work\"].value","value":"late.mail@testuser.com"},
    {"op":"Add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
     "value":")" + manager_id + R"("}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  Json user = Body(r);
  ASSERT_EQ(Size(user, "emails"), 1u) << r.body;
  EXPECT_EQ(Str(user, "emails.0.value"), "late.mail@testuser.com");
  EXPECT_EQ(Str(user, "emails.0.type"), "work");
  const Json* enterprise = user.Find(kEnterpriseUrn);
  ASSERT_NE(enterprise, nullptr) << r.body;
  EXPECT_EQ(Str(*enterprise, "manager.value"), manager_id);
  Json found =
      ExpectList(FindUsers("emails[type eq \"work\"].value eq \"late.mail@testuser.com\""), 1);
  EXPECT_EQ(Str(found, "Resources.0.id"), id);

  // A later change of mail replaces the work email rather than adding a second one ("there
  // can't be two different email addresses with the "work" subtype").
  r = Send("PATCH", "/Users/" + id,
           PatchBody(R"([{"op":"Replace","path":"emails[type eq \"work\"].value",
                          "value":"new.mail@testuser.com"}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(Size(Body(r), "emails"), 1u) << r.body;
  EXPECT_EQ(Str(Body(r), "emails.0.value"), "new.mail@testuser.com");
  ExpectList(FindUsers("emails[type eq \"work\"].value eq \"late.mail@testuser.com\""), 0);

  // Clearing the manager in Entra removes the attribute.
  r = Send("PATCH", "/Users/" + id, PatchBody(R"([{"op":"Remove",
               "path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}])"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r).Find(kEnterpriseUrn), nullptr) << r.body;
}

// Tutorial › Design your user and group schema: the example user carries the enterprise manager
// as a bare id ("Manager": "123456") in the resource itself, as on a POST. Replayed without the
// example's custom extension (CustomExtensionName), which a service provider that does not define
// it rightly rejects.
TEST_P(EntraReplayTest, CreateUserWithManagerAsABareString) {
  HttpResult created = Send("POST", "/Users", R"({
     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
     "userName":"bjensen@testuser.com",
     "id": "48af03ac28ad4fb88478",
     "externalId":"bjensen",
     "name":{
       "familyName":"Jensen",
       "givenName":"Barbara"
     },
     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
     "Manager": "123456"
   },
   "meta": {
     "resourceType": "User",
     "created": "2010-01-23T04:56:22Z",
     "lastModified": "2011-05-13T04:42:34Z",
     "version": "W\/\"3694e05e9dff591\"",
     "location":
 "https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646"
   }
})");
  ASSERT_EQ(created.status, 201) << created.body;
  Json user = Body(created);
  EXPECT_NE(Str(user, "id"), "48af03ac28ad4fb88478");  // id is the service provider's
  const Json* enterprise = user.Find(kEnterpriseUrn);
  ASSERT_NE(enterprise, nullptr) << created.body;
  EXPECT_EQ(Str(*enterprise, "manager.value"), "123456");
}

// A PATCH with nothing to do. Neither vendor documents sending one, but RFC 7644 §3.5.2 does not
// forbid an empty "Operations" array and the issue lists it: 200, and nothing changes (the
// version stays, so If-Match tags the client holds remain valid).
TEST_P(EntraReplayTest, EmptyOperationsChangeNothing) {
  HttpResult created = Send("POST", "/Users",
                            CreateUserRequest("Test_User_noop@testuser.com", "noop@testuser.com",
                                              "4b0d6c1e-2f3a-4e5b-8c7d-9e0f1a2b3c4d"));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(Body(created), "id");
  HttpResult r = Send("PATCH", "/Users/" + id, PatchBody("[]"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("etag"), created.Header("etag"));
  EXPECT_EQ(Str(Body(r), "meta.lastModified"), Str(Body(created), "meta.lastModified"));
  EXPECT_EQ(Str(Body(r), "userName"), "Test_User_noop@testuser.com");

  HttpResult group =
      Send("POST", "/Groups",
           R"({"schemas":[")" + std::string(kGroupUrn) + R"("],"displayName":"noop"})");
  ASSERT_EQ(group.status, 201) << group.body;
  const std::string group_id = Str(Body(group), "id");
  HttpResult g = Send("PATCH", "/Groups/" + group_id, PatchBody("[]"));
  ExpectGroupPatchAccepted(g);
  HttpResult after = Send("GET", "/Groups/" + group_id);
  EXPECT_EQ(after.Header("etag"), group.Header("etag"));
  EXPECT_EQ(Str(Body(after), "displayName"), "noop");
}

// Tutorial › Group Operations › Create Group: the request body as documented, whose "schemas"
// also names Microsoft's own group schema
// (http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group).
TEST_P(EntraReplayTest, CreateGroupWithMicrosoftsGroupSchemaUrn) {
  // The known-issues page lists this invalid schema URI as fixed in December 2018, but the
  // tutorial still shows this body: an unknown URI in "schemas" is ignored, not rejected.
  HttpResult created = Send("POST", "/Groups", R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group",
                "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
    "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    "displayName": "displayName",
    "meta": {
        "resourceType": "Group"
    }
})");
  ASSERT_EQ(created.status, 201) << created.body;
  Json group = Body(created);
  EXPECT_NE(Str(group, "id"), "<absent>");
  EXPECT_EQ(Str(group, "externalId"), "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159");
  EXPECT_EQ(Str(group, "displayName"), "displayName");
  EXPECT_TRUE(Contains(group, "schemas", kGroupUrn)) << created.body;
}

// Tutorial › Group Operations: Create Group, Get Group, Get Group by displayName, Update Group
// [Non-member attributes], Update Group [Add Members], Update Group [Remove Members], Delete
// Group; plus "Requests made to remove a group member" from the known-issues page (a value list
// without the flag, a members[value eq …] path with it). "Groups are created with an empty members
// list", retrieved with excludedAttributes=members, and a group PATCH may answer 204.
TEST_P(EntraReplayTest, GroupOperationsAsDocumented) {
  // Entra provisions the users before the groups they belong to.
  std::vector<std::string> users;
  for (const char* name : {"Test_User_member1@testuser.com", "Test_User_member2@testuser.com"}) {
    HttpResult u =
        Send("POST", "/Users",
             CreateUserRequest(name, std::string("mail.") + name, std::string("ext-") + name));
    ASSERT_EQ(u.status, 201) << u.body;
    users.push_back(Str(Body(u), "id"));
  }
  const std::string by_name =
      "/Groups?excludedAttributes=members&filter=" + Encode("displayName eq \"displayName\"");
  ExpectList(Send("GET", by_name), 0);

  // Create Group. The documented body also lists Microsoft's own group schema URN, which
  // CreateGroupWithMicrosoftsGroupSchemaUrn replays; this sequence sends the core schema only.
  HttpResult created = Send("POST", "/Groups", R"({
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
    "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    "displayName": "displayName",
    "meta": {
        "resourceType": "Group"
    }
})");
  ASSERT_EQ(created.status, 201) << created.body;
  Json group = Body(created);
  const std::string id = Str(group, "id");
  ASSERT_NE(id, "<absent>");
  EXPECT_TRUE(Contains(group, "schemas", kGroupUrn)) << created.body;
  EXPECT_EQ(Str(group, "externalId"), "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159");
  EXPECT_EQ(Str(group, "displayName"), "displayName");
  EXPECT_EQ(Str(group, "meta.resourceType"), "Group");
  EXPECT_EQ(Size(group, "members"), 0u);

  // Get Group, members excluded.
  HttpResult got = Send("GET", "/Groups/" + id + "?excludedAttributes=members");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(Str(Body(got), "id"), id);
  EXPECT_EQ(Str(Body(got), "displayName"), "displayName");
  EXPECT_EQ(Str(Body(got), "externalId"), "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159");
  EXPECT_EQ(At(Body(got), "members"), nullptr) << got.body;

  // Get Group by displayName.
  Json found = ExpectList(Send("GET", by_name), 1);
  EXPECT_EQ(Str(found, "Resources.0.id"), id);
  EXPECT_EQ(Str(found, "Resources.0.displayName"), "displayName");
  EXPECT_EQ(At(found, "Resources.0.members"), nullptr) << found.Dump();

  // Update Group [Non-member attributes].
  ExpectGroupPatchAccepted(Send("PATCH", "/Groups/" + id, R"({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Replace",
        "path": "displayName",
        "value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
    }]
})"));
  EXPECT_EQ(Str(Body(Send("GET", "/Groups/" + id + "?excludedAttributes=members")), "displayName"),
            "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName");

  // Update Group [Add Members], one request per member, each with "$ref": null.
  for (const std::string& user : users) {
    ExpectGroupPatchAccepted(Send("PATCH", "/Groups/" + id, R"({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Add",
        "path": "members",
        "value": [{
            "$ref": null,
            "value": ")" + user + R"("
        }]
    }]
})"));
  }
  EXPECT_EQ(MemberIds(Body(Send("GET", "/Groups/" + id))),
            std::set<std::string>(users.begin(), users.end()));
  EXPECT_EQ(Str(Body(Send("GET", "/Users/" + users[0])), "groups.0.value"), id);

  // Update Group [Remove Members]: the value list (the default, without the flag).
  ExpectGroupPatchAccepted(Send("PATCH", "/Groups/" + id, R"({
    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
    "Operations": [{
        "op": "Remove",
        "path": "members",
        "value": [{
            "$ref": null,
            "value": ")" + users[0] + R"("
        }]
    }]
})"));
  EXPECT_EQ(MemberIds(Body(Send("GET", "/Groups/" + id))), std::set<std::string>{users[1]});
  EXPECT_EQ(At(Body(Send("GET", "/Users/" + users[0])), "groups"), nullptr);

  // Remove a group member with the flag: a filter in the path.
  ExpectGroupPatchAccepted(Send("PATCH", "/Groups/" + id, R"({
    "schemas": [
        "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    ],
    "Operations": [
        {
            "op": "remove",
            "path": "members[value eq \")" + users[1] + R"(\"]"
        }
    ]
})"));
  EXPECT_TRUE(MemberIds(Body(Send("GET", "/Groups/" + id))).empty());
  // The users themselves are untouched.
  EXPECT_EQ(Send("GET", "/Users/" + users[1]).status, 200);

  // Delete Group.
  HttpResult deleted = Send("DELETE", "/Groups/" + id);
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  ExpectError(Send("GET", "/Groups/" + id), 404);
  ExpectList(Send("GET", "/Groups?excludedAttributes=members&filter=" +
                             Encode("displayName eq "
                                    "\"1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName\"")),
             0);
}

INSTANTIATE_TEST_SUITE_P(Backends, EntraReplayTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
