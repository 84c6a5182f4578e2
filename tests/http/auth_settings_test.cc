// The tenant admin routes for account sign-up settings and password policy
// (GET/PUT /api/tenant/auth-settings, /api/tenant/password-policy) over the
// real `portico serve`, on SQLite and PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db/open_database.h"
#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kJson[] = "Content-Type: application/json";
constexpr char kSettingsPath[] = "/api/tenant/auth-settings";
constexpr char kPolicyPath[] = "/api/tenant/password-policy";
constexpr char kCaptchaSecret[] = "0x4AAAAAAAtestSecretForAuthSettings";

class AuthSettingsRoutesTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    std::string error;
    ASSERT_TRUE(server_.Start(BaseEnv(*db_), &error)) << error;
    Json tenant = CreateTenant("acme");
    tenant_id_ = tenant.Find("tenantId")->as_string();
    key_ = tenant.Find("integrationKey")->as_string();
    bootstrap_ = tenant.Find("bootstrapToken")->as_string();
  }

  Json CreateTenant(const std::string& slug) {
    CommandResult r =
        RunPortico({"tenant", "create", "--slug", slug, "--name", "T"}, BaseEnv(*db_));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto json = ParseJson(r.out);
    return json.ok() ? *json : Json::MakeObject();
  }

  HttpResult Call(const std::string& method, const std::string& path, const std::string& body,
                  const std::string& token, std::vector<std::string> headers = {kJson}) {
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    return Fetch(
        {.method = method, .url = server_.base_url() + path, .headers = headers, .body = body});
  }

  static Json Body(const HttpResult& r) {
    auto json = ParseJson(r.body);
    EXPECT_TRUE(json.ok()) << r.body;
    return json.ok() ? *json : Json::MakeObject();
  }

  static Json Doc(const std::string& text) {
    auto json = ParseJson(text);
    EXPECT_TRUE(json.ok()) << text;
    return json.ok() ? *json : Json();
  }

  // A 400 whose error_description mentions `named`.
  static void ExpectInvalid(const HttpResult& r, const std::string& named) {
    EXPECT_EQ(r.status, 400) << r.body;
    const Json body = Body(r);
    const Json* description = body.Find("error_description");
    ASSERT_NE(description, nullptr) << r.body;
    EXPECT_THAT(description->as_string(), HasSubstr(named));
  }

  // The raw "signup.auth" row as stored, read with the server's own database layer.
  Json StoredSettings() {
    auto url = db::ParseDatabaseUrl(db_->url());
    EXPECT_TRUE(url.ok());
    if (!url.ok()) return Json();
    auto database = db::OpenDatabase(*url, {.pool_size = 1});
    EXPECT_TRUE(database.ok()) << database.status().ToString();
    if (!database.ok()) return Json();
    std::optional<Json> stored;
    Status read = (*database)->Run([&](Stores& s) -> Status {
      PORTICO_ASSIGN_OR_RETURN(stored, s.tenant_settings().Get(tenant_id_, "signup.auth"));
      return Status::Ok();
    });
    EXPECT_TRUE(read.ok()) << read.ToString();
    return stored.value_or(Json());
  }

  std::unique_ptr<TestDatabase> db_;
  PorticoServer server_;
  std::string tenant_id_, key_, bootstrap_;
};

TEST_P(AuthSettingsRoutesTest, TenantWithoutSettingsGetsTheDefaults) {
  HttpResult r = Call("GET", kSettingsPath, "", key_);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  EXPECT_EQ(Body(r), Doc(R"({"enumerationProtection": false, "allowedOrigins": [],
                             "captcha": null, "sessionTtlSeconds": 604800})"));
}

TEST_P(AuthSettingsRoutesTest, PutStoresSettingsAndNeverShowsTheSecret) {
  const std::string document = R"({
    "enumerationProtection": true,
    "allowedOrigins": ["https://App.Example.com:443", "http://localhost:3000"],
    "captcha": {"provider": "turnstile", "secret": ")" +
                               std::string(kCaptchaSecret) + R"(",
                "siteKey": "0x4AAAAAAAsite", "expectedHostnames": ["app.example.com"],
                "expectedAction": "signup"},
    "sessionTtlSeconds": 86400})";
  HttpResult put = Call("PUT", kSettingsPath, document, key_);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_THAT(put.body, Not(HasSubstr(kCaptchaSecret)));
  const Json expected = Doc(R"({
    "enumerationProtection": true,
    "allowedOrigins": ["https://app.example.com", "http://localhost:3000"],
    "captcha": {"provider": "turnstile", "secretSet": true, "siteKey": "0x4AAAAAAAsite",
                "expectedHostnames": ["app.example.com"], "expectedAction": "signup"},
    "sessionTtlSeconds": 86400})");
  EXPECT_EQ(Body(put), expected);

  HttpResult get = Call("GET", kSettingsPath, "", key_);
  ASSERT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(Body(get), expected);
  EXPECT_THAT(get.body, Not(HasSubstr(kCaptchaSecret)));

  // At rest the secret is sealed; the origins are stored normalised.
  const Json stored = StoredSettings();
  EXPECT_THAT(stored.Dump(), Not(HasSubstr(kCaptchaSecret)));
  ASSERT_NE(stored.Find("captcha"), nullptr) << stored.Dump();
  EXPECT_NE(stored.Find("captcha")->Find("sealedSecret"), nullptr) << stored.Dump();
  EXPECT_EQ(*stored.Find("allowedOrigins"), *expected.Find("allowedOrigins"));
}

TEST_P(AuthSettingsRoutesTest, PutWithoutSecretKeepsTheStoredOneForTheSameProvider) {
  ASSERT_EQ(Call("PUT", kSettingsPath,
                 R"({"captcha": {"provider": "recaptcha", "secret": ")" +
                     std::string(kCaptchaSecret) + R"("}})",
                 key_)
                .status,
            200);
  // The GET body, edited and PUT back without the secret.
  Json edited = Body(Call("GET", kSettingsPath, "", key_));
  edited.Find("captcha")->Set("minScore", 0.7);
  edited.Set("enumerationProtection", true);
  HttpResult kept = Call("PUT", kSettingsPath, edited.Dump(), key_);
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(*Body(kept).Find("captcha")->Find("secretSet"), Json(true));
  EXPECT_EQ(*Body(kept).Find("captcha")->Find("minScore"), Json(0.7));
  EXPECT_NE(StoredSettings().Find("captcha")->Find("sealedSecret"), nullptr);

  // Another provider, or another verify URL, needs the secret again.
  ExpectInvalid(Call("PUT", kSettingsPath, R"({"captcha": {"provider": "hcaptcha"}})", key_),
                "captcha.secret is required");
  ExpectInvalid(Call("PUT", kSettingsPath,
                     R"({"captcha": {"provider": "recaptcha",
                                     "verifyUrl": "https://collector.example/siteverify"}})",
                     key_),
                "captcha.secret is required");
  // Turning the CAPTCHA off and on again forgets the secret.
  ASSERT_EQ(Call("PUT", kSettingsPath, R"({"captcha": null})", key_).status, 200);
  EXPECT_EQ(*Body(Call("GET", kSettingsPath, "", key_)).Find("captcha"), Json());
  ExpectInvalid(Call("PUT", kSettingsPath, R"({"captcha": {"provider": "recaptcha"}})", key_),
                "captcha.secret is required");
}

TEST_P(AuthSettingsRoutesTest, InvalidSettingsAreRefusedAndNothingChanges) {
  ASSERT_EQ(Call("PUT", kSettingsPath, R"({"enumerationProtection": true})", key_).status, 200);
  ExpectInvalid(
      Call("PUT", kSettingsPath, R"({"allowedOrigins": ["http://app.example.com"]})", key_),
      "allowedOrigins[0]");
  ExpectInvalid(Call("PUT", kSettingsPath, R"({"allowedOrigins": ["https://a.example/"]})", key_),
                "path");
  ExpectInvalid(
      Call("PUT", kSettingsPath, R"({"enumerationProtection": true, "captha": null})", key_),
      "unknown member captha");
  ExpectInvalid(Call("PUT", kSettingsPath, R"({"sessionTtlSeconds": 60})", key_),
                "sessionTtlSeconds");
  ExpectInvalid(
      Call("PUT", kSettingsPath,
           R"({"captcha": {"provider": "hcaptcha", "secret": "s", "minScore": 0.5}})", key_),
      "captcha.minScore");
  EXPECT_EQ(Call("PUT", kSettingsPath, "{not json", key_).status, 400);
  EXPECT_EQ(Call("PUT", kSettingsPath, R"({"enumerationProtection": false})", key_,
                 {"Content-Type: text/plain"})
                .status,
            415);
  EXPECT_EQ(*Body(Call("GET", kSettingsPath, "", key_)).Find("enumerationProtection"), Json(true));
}

TEST_P(AuthSettingsRoutesTest, PasswordPolicyDefaultsUpdatesAndValidation) {
  HttpResult defaults = Call("GET", kPolicyPath, "", key_);
  ASSERT_EQ(defaults.status, 200) << defaults.body;
  EXPECT_EQ(Body(defaults), Doc(R"({"minLength": 15, "maxLength": 128, "requireUppercase": false,
                                   "requireLowercase": false, "requireDigit": false,
                                   "requireSpecial": false, "blocklist": true})"));

  HttpResult put = Call("PUT", kPolicyPath, R"({"minLength": 12, "requireDigit": true})", key_);
  ASSERT_EQ(put.status, 200) << put.body;
  const Json effective = Doc(R"({"minLength": 12, "maxLength": 128, "requireUppercase": false,
                                 "requireLowercase": false, "requireDigit": true,
                                 "requireSpecial": false, "blocklist": true})");
  EXPECT_EQ(Body(put), effective);
  EXPECT_EQ(Body(Call("GET", kPolicyPath, "", key_)), effective);

  ExpectInvalid(Call("PUT", kPolicyPath, R"({"minLength": 6})", key_), "minLength");
  ExpectInvalid(Call("PUT", kPolicyPath, R"({"maxLength": 10000})", key_), "maxLength");
  ExpectInvalid(Call("PUT", kPolicyPath, R"({"minLenght": 20})", key_), "unknown member minLenght");
  EXPECT_EQ(Body(Call("GET", kPolicyPath, "", key_)), effective);
}

TEST_P(AuthSettingsRoutesTest, RoutesNeedATenantAdminIntegrationKey) {
  for (const char* path : {kSettingsPath, kPolicyPath}) {
    for (const char* method : {"GET", "PUT"}) {
      HttpResult none = Call(method, path, "{}", "");
      EXPECT_EQ(none.status, 401) << method << " " << path;
      EXPECT_THAT(none.Header("www-authenticate"), HasSubstr("Bearer")) << method << " " << path;
      EXPECT_EQ(Call(method, path, "{}", "not-a-key").status, 401) << method << " " << path;
      // The bootstrap token registers OAuth clients; it does not administer the tenant.
      EXPECT_EQ(Call(method, path, "{}", bootstrap_).status, 401) << method << " " << path;
    }
  }
  HttpResult minted = Call("POST", "/api/tenant/credentials",
                           R"({"name": "reader", "scopes": ["scim:read"]})", key_);
  ASSERT_EQ(minted.status, 201) << minted.body;
  const std::string reader = Body(minted).Find("secret")->as_string();
  EXPECT_EQ(Call("GET", kSettingsPath, "", reader).status, 403);
  EXPECT_EQ(Call("PUT", kPolicyPath, "{}", reader).status, 403);
}

TEST_P(AuthSettingsRoutesTest, EachTenantSeesOnlyItsOwnSettings) {
  const std::string other_key = CreateTenant("globex").Find("integrationKey")->as_string();
  ASSERT_EQ(
      Call("PUT", kSettingsPath, R"({"allowedOrigins": ["https://acme.example"]})", key_).status,
      200);
  ASSERT_EQ(Call("PUT", kPolicyPath, R"({"minLength": 20})", key_).status, 200);
  EXPECT_EQ(*Body(Call("GET", kSettingsPath, "", other_key)).Find("allowedOrigins"),
            Json::MakeArray());
  EXPECT_EQ(*Body(Call("GET", kPolicyPath, "", other_key)).Find("minLength"), Json(15));
}

INSTANTIATE_TEST_SUITE_P(Backends, AuthSettingsRoutesTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
