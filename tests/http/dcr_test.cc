// OAuth 2.0 Dynamic Client Registration and discovery over the real
// `portico serve`, on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <future>
#include <set>

#include "http/e2e_env.h"
#include "portico/crypto.h"
#include "portico/jose.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

constexpr char kJson[] = "Content-Type: application/json";
constexpr char kBaseUrl[] = "http://localhost:8080";  // PUBLIC_BASE_URL's default

class DcrTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { StartServer({}); }

  void StartServer(const EnvVars& extra) {
    db_ = std::make_unique<TestDatabase>(GetParam());
    EnvVars env = BaseEnv(*db_);
    for (const auto& [k, v] : extra) env[k] = v;
    std::string error;
    ASSERT_TRUE(server_.Start(env, &error)) << error;
    Json tenant = CreateTenant("acme");
    bootstrap_ = tenant.Find("bootstrapToken")->as_string();
    integration_key_ = tenant.Find("integrationKey")->as_string();
  }

  Json CreateTenant(const std::string& slug) {
    CommandResult r =
        RunPortico({"tenant", "create", "--slug", slug, "--name", "T"}, BaseEnv(*db_));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto json = ParseJson(r.out);
    return json.ok() ? *json : Json::MakeObject();
  }

  HttpResult Call(const std::string& method, const std::string& path, const std::string& body,
                  const std::string& token, std::vector<std::string> extra = {}) {
    std::vector<std::string> headers = {kJson};
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    for (auto& h : extra) headers.push_back(h);
    return Fetch(
        {.method = method, .url = server_.base_url() + path, .headers = headers, .body = body});
  }

  HttpResult Register(const std::string& body) {
    return Call("POST", "/oauth/register", body, bootstrap_);
  }

  // The path of registration_client_uri (the server advertises PUBLIC_BASE_URL).
  static std::string ClientPath(const Json& registration) {
    const std::string uri = registration.Find("registration_client_uri")->as_string();
    EXPECT_EQ(uri.rfind(kBaseUrl, 0), 0u) << uri;
    return uri.substr(std::string(kBaseUrl).size());
  }

  static Json Body(const HttpResult& r) {
    auto json = ParseJson(r.body);
    EXPECT_TRUE(json.ok()) << r.body;
    return json.ok() ? *json : Json::MakeObject();
  }

  static void ExpectOAuthError(const HttpResult& r, long status, const std::string& error) {
    EXPECT_EQ(r.status, status) << r.body;
    Json body = Body(r);
    const Json* code = body.Find("error");
    EXPECT_EQ(code ? code->as_string() : "", error) << r.body;
    EXPECT_NE(body.Find("error_description"), nullptr) << r.body;
  }

  std::unique_ptr<TestDatabase> db_;
  PorticoServer server_;
  std::string bootstrap_, integration_key_;
};

constexpr char kClient[] = R"({"client_name":"Agent","grant_types":["client_credentials"]})";

TEST_P(DcrTest, DiscoveryDocumentsAdvertiseTheEndpoints) {
  for (const char* path :
       {"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"}) {
    HttpResult r = Fetch({.url = server_.base_url() + path});
    ASSERT_EQ(r.status, 200) << path;
    EXPECT_NE(r.Header("cache-control").find("max-age"), std::string::npos);
    Json doc = Body(r);
    EXPECT_EQ(doc.Find("issuer")->as_string(), kBaseUrl);
    EXPECT_EQ(doc.Find("registration_endpoint")->as_string(),
              std::string(kBaseUrl) + "/oauth/register");
    EXPECT_NE(doc.Find("response_types_supported"), nullptr);
  }
}

TEST_P(DcrTest, RegisterReadReplaceDelete) {
  HttpResult created = Register(kClient);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("cache-control"), "no-store");
  Json reg = Body(created);
  const std::string path = ClientPath(reg);
  const std::string token = reg.Find("registration_access_token")->as_string();
  EXPECT_EQ(created.Header("location"), reg.Find("registration_client_uri")->as_string());
  EXPECT_FALSE(reg.Find("client_secret")->as_string().empty());
  EXPECT_EQ(reg.Find("client_secret_expires_at")->as_int(), 0);
  EXPECT_EQ(reg.Find("token_endpoint_auth_method")->as_string(), "client_secret_basic");

  HttpResult read = Call("GET", path, "", token);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(Body(read).Find("client_id")->as_string(), reg.Find("client_id")->as_string());
  EXPECT_EQ(Body(read).Find("client_secret"), nullptr);

  const std::string id = reg.Find("client_id")->as_string();
  HttpResult replaced = Call(
      "PUT", path,
      R"({"client_id":")" + id + R"(","grant_types":["client_credentials"],"client_name":"B"})",
      token);
  ASSERT_EQ(replaced.status, 200) << replaced.body;
  EXPECT_EQ(Body(replaced).Find("client_name")->as_string(), "B");

  EXPECT_EQ(Call("DELETE", path, "", token).status, 204);
  ExpectOAuthError(Call("GET", path, "", token), 401, "invalid_token");
  EXPECT_TRUE(server_.WaitForLog("\"client.deleted\"", std::chrono::seconds(10))) << server_.Log();
}

TEST_P(DcrTest, ManagementNeverRevealsWhetherAClientExists) {
  HttpResult a = Register(kClient);
  HttpResult b = Register(kClient);
  ASSERT_EQ(a.status, 201);
  ASSERT_EQ(b.status, 201);
  const std::string b_token = Body(b).Find("registration_access_token")->as_string();
  HttpResult cross = Call("GET", ClientPath(Body(a)), "", b_token);
  ExpectOAuthError(cross, 401, "invalid_token");
  EXPECT_NE(cross.Header("www-authenticate").find("Bearer"), std::string::npos);
  ExpectOAuthError(Call("GET", "/oauth/register/pc_nope", "", b_token), 401, "invalid_token");
  ExpectOAuthError(Call("DELETE", "/oauth/register/pc_nope", "", ""), 401, "invalid_token");
  // A malformed update from someone without the token is still 401.
  ExpectOAuthError(Call("PUT", ClientPath(Body(a)), "{", "portico_rt_x"), 401, "invalid_token");
}

TEST_P(DcrTest, InitialAccessTokenRules) {
  HttpResult none = Call("POST", "/oauth/register", kClient, "");
  ExpectOAuthError(none, 401, "invalid_token");
  EXPECT_NE(none.Header("www-authenticate").find("invalid_token"), std::string::npos);
  ExpectOAuthError(Call("POST", "/oauth/register", kClient, "portico_bt_forged"), 401,
                   "invalid_token");
  EXPECT_EQ(Call("POST", "/oauth/register", kClient, integration_key_).status, 201);
}

TEST_P(DcrTest, BadMetadataGetsTheRfcErrorCodes) {
  ExpectOAuthError(
      Register(
          R"j({"grant_types":["client_credentials"],"redirect_uris":["javascript:alert(1)"]})j"),
      400, "invalid_redirect_uri");
  ExpectOAuthError(Register(R"({"grant_types":["client_credentials"],"scope":"admin"})"), 400,
                   "invalid_client_metadata");
  ExpectOAuthError(Register(R"({"client_name":"a","client_name":"b"})"), 400,
                   "invalid_client_metadata");
  ExpectOAuthError(Register("not json"), 400, "invalid_client_metadata");
  ExpectOAuthError(
      Register(R"({"grant_types":["client_credentials"],"software_statement":"x.y.z"})"), 400,
      "invalid_software_statement");
  HttpResult wrong_type =
      Fetch({.method = "POST",
             .url = server_.base_url() + "/oauth/register",
             .headers = {"Content-Type: text/plain", "Authorization: Bearer " + bootstrap_},
             .body = kClient});
  ExpectOAuthError(wrong_type, 415, "invalid_request");
  ExpectOAuthError(Call("GET", "/oauth/nowhere", "", ""), 404, "invalid_request");
}

TEST_P(DcrTest, UnknownMetadataIsDroppedAndLanguageTagsKept) {
  HttpResult r = Register(R"({"grant_types":["client_credentials"],"client_name":"Agent",)"
                          R"j("client_name#fr":"Agent (fr)","x_unknown":1})j");
  ASSERT_EQ(r.status, 201) << r.body;
  Json reg = Body(r);
  EXPECT_EQ(reg.Find("x_unknown"), nullptr);
  ASSERT_NE(reg.Find("client_name#fr"), nullptr);
  EXPECT_EQ(reg.Find("client_name#fr")->as_string(), "Agent (fr)");
  HttpResult read =
      Call("GET", ClientPath(reg), "", reg.Find("registration_access_token")->as_string());
  EXPECT_EQ(Body(read).Find("x_unknown"), nullptr);
  EXPECT_EQ(Body(read).Find("client_name#fr")->as_string(), "Agent (fr)");
}

TEST_P(DcrTest, ConcurrentRegistrationsAllSucceedWithDistinctIds) {
  std::vector<std::future<HttpResult>> calls;
  for (int i = 0; i < 24; ++i) {
    calls.push_back(std::async(std::launch::async, [&] { return Register(kClient); }));
  }
  std::set<std::string> ids;
  for (auto& call : calls) {
    HttpResult r = call.get();
    ASSERT_EQ(r.status, 201) << r.body;
    ids.insert(Body(r).Find("client_id")->as_string());
  }
  EXPECT_EQ(ids.size(), 24u);
}

TEST_P(DcrTest, TenantPolicyNarrowsWhatClientsMayRegister) {
  auto put_policy = [&](const std::string& policy) {
    return Call("PUT", "/api/tenant/dcr-policy", policy, integration_key_);
  };
  HttpResult bad = put_policy(R"({"maxClient": 3})");
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("maxClient"), std::string::npos);
  ASSERT_EQ(
      put_policy(R"({"allowedScopes":["mcp"],"defaultScopes":["mcp"],"maxClients":1})").status,
      200);
  HttpResult policy = Call("GET", "/api/tenant/dcr-policy", "", integration_key_);
  EXPECT_EQ(Body(policy).Find("maxClients")->as_int(), 1);
  ExpectOAuthError(Register(R"({"grant_types":["client_credentials"],"scope":"read"})"), 400,
                   "invalid_client_metadata");
  HttpResult ok = Register(kClient);
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(Body(ok).Find("scope")->as_string(), "mcp");
  ExpectOAuthError(Register(kClient), 403, "access_denied");
  // The bootstrap token registers clients but does not administer the tenant.
  EXPECT_EQ(Call("GET", "/api/tenant/dcr-policy", "", bootstrap_).status, 401);
}

// Form-encoded POST to an /oauth endpoint, optionally with Basic credentials.
HttpResult FormPost(const std::string& url, const std::string& form,
                    const std::string& basic_user = "", const std::string& basic_password = "") {
  std::vector<std::string> headers = {"Content-Type: application/x-www-form-urlencoded"};
  if (!basic_user.empty()) {
    headers.push_back("Authorization: Basic " + Base64Encode(basic_user + ":" + basic_password));
  }
  return Fetch({.method = "POST", .url = url, .headers = headers, .body = form});
}

TEST_P(DcrTest, ARegisteredClientGetsTokensAndLosesThemWhenDeleted) {
  HttpResult created = Register(
      R"({"grant_types":["client_credentials"],"scope":"read write","client_name":"Agent"})");
  ASSERT_EQ(created.status, 201) << created.body;
  Json reg = Body(created);
  const std::string id = reg.Find("client_id")->as_string();
  const std::string secret = reg.Find("client_secret")->as_string();
  const std::string token_url = server_.base_url() + "/oauth/token";

  HttpResult issued = FormPost(token_url, "grant_type=client_credentials&scope=read", id, secret);
  ASSERT_EQ(issued.status, 200) << issued.body;
  EXPECT_EQ(issued.Header("cache-control"), "no-store");
  Json tokens = Body(issued);
  EXPECT_EQ(tokens.Find("token_type")->as_string(), "Bearer");
  EXPECT_EQ(tokens.Find("scope")->as_string(), "read");
  const std::string access_token = tokens.Find("access_token")->as_string();

  // RFC 9068: an ES256 JWT whose key is published at jwks_uri.
  HttpResult jwks = Fetch({.url = server_.base_url() + "/oauth/jwks.json"});
  ASSERT_EQ(jwks.status, 200);
  StatusOr<JwkSet> keys = JwkSet::Parse(Body(jwks));
  ASSERT_TRUE(keys.ok()) << jwks.body;
  JwsPolicy policy;
  policy.allowed_algs = {"ES256"};
  policy.required_typ = "at+jwt";
  StatusOr<VerifiedJws> verified = VerifyJws(access_token, *keys, policy);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->payload.Find("client_id")->as_string(), id);
  EXPECT_EQ(verified->payload.Find("iss")->as_string(), kBaseUrl);

  // Wrong secret: invalid_client with a Basic challenge.
  HttpResult wrong = FormPost(token_url, "grant_type=client_credentials", id, "portico_cs_nope");
  ExpectOAuthError(wrong, 401, "invalid_client");
  EXPECT_NE(wrong.Header("www-authenticate").find("Basic"), std::string::npos);
  ExpectOAuthError(FormPost(token_url, "grant_type=password", id, secret), 400,
                   "unsupported_grant_type");
  ExpectOAuthError(FormPost(token_url, "grant_type=client_credentials&scope=admin", id, secret),
                   400, "invalid_scope");

  const std::string introspect = server_.base_url() + "/oauth/introspect";
  EXPECT_EQ(
      Body(FormPost(introspect, "token=" + access_token, id, secret)).Find("active")->as_bool(),
      true);
  // Deleting the registration ends the secret and the tokens issued under it.
  ASSERT_EQ(Call("DELETE", ClientPath(reg), "", reg.Find("registration_access_token")->as_string())
                .status,
            204);
  ExpectOAuthError(FormPost(token_url, "grant_type=client_credentials", id, secret), 401,
                   "invalid_client");
  HttpResult other = Register(kClient);
  ASSERT_EQ(other.status, 201);
  Json other_reg = Body(other);
  HttpResult after =
      FormPost(introspect, "token=" + access_token, other_reg.Find("client_id")->as_string(),
               other_reg.Find("client_secret")->as_string());
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_FALSE(Body(after).Find("active")->as_bool());
}

TEST_P(DcrTest, PrivateKeyJwtClientsAuthenticateWithSignedAssertions) {
  StatusOr<EcSigningKey> key = EcSigningKey::Generate();
  ASSERT_TRUE(key.ok());
  Json jwk = key->PublicJwk();
  HttpResult created = Register(R"({"grant_types":["client_credentials"],)"
                                R"("token_endpoint_auth_method":"private_key_jwt",)"
                                R"("jwks":{"keys":[)" +
                                jwk.Dump() + "]}}");
  ASSERT_EQ(created.status, 201) << created.body;
  Json reg = Body(created);
  EXPECT_EQ(reg.Find("client_secret"), nullptr);
  const std::string id = reg.Find("client_id")->as_string();
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto assertion = [&](const std::string& jti) {
    Json claims = Json::MakeObject();
    claims.Set("iss", id).Set("sub", id).Set("aud", std::string(kBaseUrl) + "/oauth/token");
    claims.Set("jti", jti).Set("iat", now).Set("exp", now + 60);
    StatusOr<std::string> jwt = key->SignJwt(Json::MakeObject(), claims);
    EXPECT_TRUE(jwt.ok());
    return "grant_type=client_credentials&client_assertion_type="
           "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=" +
           *jwt;
  };
  const std::string token_url = server_.base_url() + "/oauth/token";
  const std::string form = assertion("assertion-1");
  HttpResult issued = FormPost(token_url, form);
  ASSERT_EQ(issued.status, 200) << issued.body;
  // The same assertion again is a replay.
  ExpectOAuthError(FormPost(token_url, form), 401, "invalid_client");
  EXPECT_EQ(FormPost(token_url, assertion("assertion-2")).status, 200);
}

class OpenRegistrationTest : public DcrTest {
 protected:
  void SetUp() override {
    StartServer({{"DCR_OPEN_REGISTRATION", "true"}, {"DCR_OPEN_REGISTRATION_TENANT", "public"}});
  }
};

TEST_P(OpenRegistrationTest, RegistersWithoutATokenIntoTheNamedTenant) {
  HttpResult r = Call("POST", "/oauth/register", kClient, "");
  ASSERT_EQ(r.status, 201) << r.body;
  // A bad token is still refused: open registration is for requests without one.
  ExpectOAuthError(Call("POST", "/oauth/register", kClient, "portico_bt_forged"), 401,
                   "invalid_token");
}

INSTANTIATE_TEST_SUITE_P(Backends, DcrTest, ::testing::ValuesIn(AllBackends()), BackendParamName());
INSTANTIATE_TEST_SUITE_P(Backends, OpenRegistrationTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
