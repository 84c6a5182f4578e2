// The account sign-up API (issue 6) over the real `portico serve`, on SQLite
// and PostgreSQL: sign-up into the shared user store, the mailed code from a
// real SMTP server, sign-in, both enumeration modes, validation, roles,
// bcrypt import, rate limits and browser origins.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "db/open_database.h"
#include "db/session.h"
#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"
#include "support/child_process.h"
#include "support/test_servers.h"

namespace portico::testing {
namespace {

constexpr char kJson[] = "Content-Type: application/json";
// Long, unusual, without the email in it: passes the default NIST policy.
constexpr char kGoodPassword[] = "correct horse battery staple 42";
// bcrypt (cost 4) of kGoodPassword, made with Python's crypt module (libxcrypt).
constexpr char kBcryptOfGoodPassword[] =
    "$2b$04$HwhF0ZiASsGCaXAB9i/g8.2bzsDlB/GGlgQy/ddvWvzdcI0sMlwLW";
// The same at cost 14, the highest an import accepts (seed 003): it must sign in too.
constexpr char kCostliestBcryptOfGoodPassword[] =
    "$2b$14$fjRCXd83ZiyseSu2pr.mpOnlFg6lRcwAX7rLjK41vkO1FWhnPKrTm";

Json JsonOf(const HttpResult& r) {
  StatusOr<Json> json = ParseJson(r.body);
  return json.ok() ? *json : Json::MakeObject();
}

// The string at a "/"-separated path of object members, "<none>" when absent.
std::string At(const Json& doc, const std::string& path) {
  const Json* cur = &doc;
  size_t start = 0;
  while (cur != nullptr) {
    const size_t slash = path.find('/', start);
    cur = cur->is_object() ? cur->Find(path.substr(start, slash - start)) : nullptr;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (cur == nullptr) return "<none>";
  if (cur->is_string()) return cur->as_string();
  return cur->Dump();
}

class AccountApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_GT(sink_.port(), 0);
  }

  EnvVars Env(const EnvVars& extra = {}) const {
    EnvVars env = BaseEnv(*db_);
    env["MAIL_URL"] = sink_.url();
    env["OTP_PEPPER"] = kTestOtpPepper;
    env["KEY_HASH_SECRET"] = kTestKeyHashSecret;
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
  }

  // Creates the tenant with the CLI, then starts the server.
  void Start(const EnvVars& extra = {}) {
    CommandResult created =
        RunPortico({"tenant", "create", "--slug", "acme", "--name", "Acme"}, Env(extra));
    ASSERT_EQ(created.exit_code, 0) << created.err;
    Json tenant = JsonOf(HttpResult{.status = 200, .body = created.out});
    public_token_ = At(tenant, "publicLoginToken");
    integration_key_ = At(tenant, "integrationKey");
    server_ = std::make_unique<PorticoServer>();
    std::string error;
    ASSERT_TRUE(server_->Start(Env(extra), &error)) << error;
  }

  HttpResult Post(const std::string& path, const std::string& body,
                  std::vector<std::string> headers = {}, const std::string& token = "") {
    headers.push_back(kJson);
    headers.push_back("Authorization: Bearer " + (token.empty() ? public_token_ : token));
    return Fetch({.method = "POST", .url = server_->base_url() + path, .headers = headers,
                  .body = body, .timeout_ms = 30000});
  }
  HttpResult SignUp(const std::string& body, std::vector<std::string> headers = {},
                    const std::string& token = "") {
    return Post("/api/auth/sign-up", body, std::move(headers), token);
  }
  HttpResult SignIn(const std::string& email, const std::string& password) {
    return Post("/api/auth/sign-in",
                R"({"email": ")" + email + R"(", "password": ")" + password + R"("})");
  }
  HttpResult PutSettings(const std::string& name, const std::string& body) {
    return Fetch({.method = "PUT",
                  .url = server_->base_url() + "/api/tenant/" + name,
                  .headers = {kJson, "Authorization: Bearer " + integration_key_},
                  .body = body});
  }
  HttpResult ScimGet(const std::string& path) {
    return Fetch({.method = "GET",
                  .url = server_->base_url() + "/scim/v2" + path,
                  .headers = {"Authorization: Bearer " + integration_key_}});
  }

  std::vector<std::string> MailsTo(const std::string& email) const {
    std::vector<std::string> mine;
    for (const std::string& m : sink_.Messages()) {
      if (m.find("to=<" + email + ">") != std::string::npos) mine.push_back(m);
    }
    return mine;
  }
  std::string WaitForMail(const std::string& email, const std::string& needle,
                          size_t skip = 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      size_t seen = 0;
      for (const std::string& m : MailsTo(email)) {
        if (m.find(needle) != std::string::npos && seen++ >= skip) return m;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }
  std::string CodeIn(const std::string& mail) {
    std::smatch match;
    const std::regex code_line("verification code is: ([0-9]{6})");
    return std::regex_search(mail, match, code_line) ? match[1].str() : "";
  }

  std::string Scalar(const std::string& sql_text, const std::string& param) {
    auto url = db::ParseDatabaseUrl(db_->url());
    EXPECT_TRUE(url.ok());
    soci::session sql;
    db::OpenSession(sql, *url, false);
    std::string out;
    soci::indicator ind = soci::i_ok;
    sql << sql_text, soci::use(param), soci::into(out, ind);
    return ind == soci::i_ok ? out : "<null>";
  }

  std::unique_ptr<TestDatabase> db_;
  SmtpSink sink_;
  std::unique_ptr<PorticoServer> server_;
  std::string public_token_;
  std::string integration_key_;
};

TEST_P(AccountApiTest, SignUpCreatesAScimUserASessionAndMailsACodeThatVerifiesTheEmail) {
  Start();
  HttpResult r = SignUp(R"({"email": "Jane.Doe@Example.COM", "password": ")" +
                        std::string(kGoodPassword) +
                        R"(", "name": "Jane Doe", "organizationName": "Jane's Shop"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("cache-control"), "no-store");
  const Json body = JsonOf(r);
  EXPECT_EQ(At(body, "success"), "true");
  EXPECT_EQ(At(body, "message"), "Account created successfully");
  const std::string user_id = At(body, "data/user/id");
  EXPECT_EQ(At(body, "data/user/email"), "Jane.Doe@example.com");
  EXPECT_EQ(At(body, "data/user/name"), "Jane Doe");
  EXPECT_EQ(At(body, "data/user/emailVerified"), "false");
  EXPECT_NE(At(body, "data/user/createdAt"), "<none>");
  const std::string token = At(body, "data/session/token");
  EXPECT_EQ(token.rfind("portico_st_", 0), 0u) << token;
  EXPECT_GE(token.size(), 11u + 43u);
  EXPECT_NE(At(body, "data/session/expiresAt"), "<none>");
  EXPECT_EQ(At(body, "data/organization/name"), "Jane's Shop");

  // The session token is stored only hashed; the organization has its owner.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM account_sessions WHERE token_hash = :t", token), "0");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM account_sessions WHERE user_id = :u", user_id), "1");
  EXPECT_EQ(Scalar("SELECT role FROM organization_members WHERE user_id = :u", user_id), "owner");

  // The account is a SCIM User of the tenant.
  HttpResult scim = ScimGet("/Users/" + user_id);
  ASSERT_EQ(scim.status, 200) << scim.body;
  const Json user = JsonOf(scim);
  EXPECT_EQ(At(user, "userName"), "Jane.Doe@example.com");
  EXPECT_EQ(At(user, "active"), "true");
  EXPECT_EQ(user.Find("password"), nullptr);

  const std::string mail = WaitForMail("Jane.Doe@example.com", "verification code is");
  const std::string code = CodeIn(mail);
  ASSERT_EQ(code.size(), 6u) << mail;
  HttpResult wrong = Post("/api/auth/verify-email",
                          R"({"email": "jane.doe@example.com", "code": ")" +
                              std::string(code == "000000" ? "111111" : "000000") + R"("})");
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_EQ(At(JsonOf(wrong), "error/code"), "INVALID_CODE");
  EXPECT_EQ(At(JsonOf(wrong), "error/details/reason"), "OTP_INVALID");
  EXPECT_EQ(At(JsonOf(wrong), "error/details/attemptsRemaining"), "4");
  HttpResult verified = Post("/api/auth/verify-email",
                             R"({"email": "jane.doe@example.com", "code": ")" + code + R"("})");
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(At(JsonOf(verified), "data/user/emailVerified"), "true");
  // Single use.
  HttpResult again = Post("/api/auth/verify-email",
                          R"({"email": "jane.doe@example.com", "code": ")" + code + R"("})");
  EXPECT_EQ(again.status, 400) << again.body;
}

TEST_P(AccountApiTest, SignInGivesASessionAndRefusesWrongPasswordsAndUnknownEmailsAlike) {
  Start();
  ASSERT_EQ(SignUp(R"({"email": "sam@example.com", "password": ")" + std::string(kGoodPassword) +
                   R"("})")
                .status,
            201);
  HttpResult ok = SignIn("SAM@example.com", kGoodPassword);
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(At(JsonOf(ok), "data/user/email"), "sam@example.com");
  EXPECT_EQ(At(JsonOf(ok), "data/session/token").rfind("portico_st_", 0), 0u);

  HttpResult wrong = SignIn("sam@example.com", "not the password at all, sorry");
  HttpResult unknown = SignIn("nobody@example.com", kGoodPassword);
  for (const HttpResult* r : {&wrong, &unknown}) {
    EXPECT_EQ(r->status, 401) << r->body;
    EXPECT_EQ(At(JsonOf(*r), "error/code"), "INVALID_CREDENTIALS");
    EXPECT_EQ(At(JsonOf(*r), "error/message"), "the email or password is wrong");
  }
}

TEST_P(AccountApiTest, ExistingEmailIs409WithTheNextStepForItsOwner) {
  Start();
  ASSERT_EQ(SignUp(R"({"email": "taken@example.com", "password": ")" +
                   std::string(kGoodPassword) + R"("})")
                .status,
            201);
  HttpResult again = SignUp(R"({"email": "TAKEN@example.com", "password": ")" +
                            std::string(kGoodPassword) + R"("})");
  ASSERT_EQ(again.status, 409) << again.body;
  EXPECT_EQ(At(JsonOf(again), "success"), "false");
  EXPECT_EQ(At(JsonOf(again), "error/code"), "EMAIL_EXISTS");
  EXPECT_EQ(At(JsonOf(again), "error/recommendedAction"), "SIGN_IN");

  // A user the IdP pushed through SCIM has no password: reset it.
  HttpResult scim = Fetch({.method = "POST",
                           .url = server_->base_url() + "/scim/v2/Users",
                           .headers = {"Content-Type: application/scim+json",
                                       "Authorization: Bearer " + integration_key_},
                           .body = R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                       "userName": "idp@example.com"})"});
  ASSERT_EQ(scim.status, 201) << scim.body;
  HttpResult idp = SignUp(R"({"email": "idp@example.com", "password": ")" +
                          std::string(kGoodPassword) + R"("})");
  ASSERT_EQ(idp.status, 409) << idp.body;
  EXPECT_EQ(At(JsonOf(idp), "error/recommendedAction"), "RESET_PASSWORD");
}

TEST_P(AccountApiTest, ProtectedModeAnswersNewAndExistingEmailsAlikeAndMailsTheOwner) {
  Start();
  ASSERT_EQ(SignUp(R"({"email": "owner@example.com", "password": ")" +
                   std::string(kGoodPassword) + R"("})")
                .status,
            201);
  ASSERT_EQ(PutSettings("auth-settings", R"({"enumerationProtection": true})").status, 200);

  HttpResult existing = SignUp(R"({"email": "owner@example.com", "password": ")" +
                               std::string(kGoodPassword) + R"("})");
  HttpResult fresh = SignUp(R"({"email": "fresh@example.com", "password": ")" +
                            std::string(kGoodPassword) + R"("})");
  ASSERT_EQ(existing.status, 202) << existing.body;
  ASSERT_EQ(fresh.status, 202) << fresh.body;
  EXPECT_EQ(existing.body, fresh.body);
  EXPECT_EQ(At(JsonOf(fresh), "data"), "null");
  EXPECT_EQ(fresh.body.find("portico_st_"), std::string::npos);

  // The new account exists and got its code; the owner learns of the attempt.
  EXPECT_FALSE(WaitForMail("fresh@example.com", "verification code is").empty());
  EXPECT_FALSE(WaitForMail("owner@example.com", "already has one").empty());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM users WHERE user_name_key = :k", "fresh@example.com"),
            "1");
  // And can sign in once it has a password.
  EXPECT_EQ(SignIn("fresh@example.com", kGoodPassword).status, 200);
}

TEST_P(AccountApiTest, ValidationErrorsNameEveryFieldAndMalformedBodiesAre400) {
  Start();
  HttpResult r = SignUp(
      R"({"email": "not-an-email", "password": "short", "isAdmin": true, "name": 7})");
  ASSERT_EQ(r.status, 422) << r.body;
  const Json body = JsonOf(r);
  EXPECT_EQ(At(body, "error/code"), "VALIDATION_ERROR");
  const Json* details = body.Find("error")->Find("details");
  ASSERT_TRUE(details != nullptr && details->is_array()) << r.body;
  std::map<std::string, std::string> codes;
  for (const Json& d : details->as_array()) codes[At(d, "field")] = At(d, "code");
  EXPECT_EQ(codes["isAdmin"], "UNKNOWN_FIELD");
  EXPECT_EQ(codes["email"], "INVALID_EMAIL_FORMAT");
  EXPECT_EQ(codes["name"], "WRONG_TYPE");

  HttpResult weak = SignUp(R"({"email": "weak@example.com", "password": "weak@example"})");
  ASSERT_EQ(weak.status, 422) << weak.body;
  const Json weak_body = JsonOf(weak);
  const Json* weak_details = weak_body.Find("error")->Find("details");
  ASSERT_TRUE(weak_details != nullptr && weak_details->is_array()) << weak.body;
  const Json& entry = weak_details->as_array().at(0);
  EXPECT_EQ(At(entry, "code"), "TOO_WEAK");
  EXPECT_EQ(At(entry, "weakPasswordReasons"), R"(["TOO_SHORT","CONTAINS_EMAIL"])");

  HttpResult both = SignUp(R"({"email": "b@example.com", "password": ")" +
                           std::string(kGoodPassword) + R"(", "passwordHash": ")" +
                           kBcryptOfGoodPassword + R"("})");
  EXPECT_EQ(both.status, 422);
  EXPECT_NE(both.body.find("MUTUALLY_EXCLUSIVE"), std::string::npos) << both.body;

  HttpResult malformed = SignUp(R"({"email": )");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(At(JsonOf(malformed), "error/code"), "MALFORMED_JSON");

  HttpResult anonymous =
      Fetch({.method = "POST", .url = server_->base_url() + "/api/auth/sign-up",
             .headers = {kJson}, .body = R"({"email": "a@example.com"})"});
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_EQ(anonymous.Header("www-authenticate"), "Bearer");
  EXPECT_EQ(At(JsonOf(anonymous), "error/code"), "UNAUTHORIZED");
  // Nothing was written by any of them.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM users WHERE tenant_id <> :x", ""), "0");
}

TEST_P(AccountApiTest, AccountWithoutPasswordCannotSignInAndIsToldToReset) {
  Start();
  HttpResult r = SignUp(R"({"email": "passwordless@example.com"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(SignIn("passwordless@example.com", kGoodPassword).status, 401);
  HttpResult again = SignUp(R"({"email": "passwordless@example.com"})");
  EXPECT_EQ(At(JsonOf(again), "error/recommendedAction"), "RESET_PASSWORD");
}

TEST_P(AccountApiTest, RolesNeedAPrivilegedKey) {
  Start();
  HttpResult with_public = SignUp(R"({"email": "r@example.com", "roles": ["admin"]})");
  EXPECT_EQ(with_public.status, 403) << with_public.body;
  EXPECT_EQ(At(JsonOf(with_public), "error/code"), "ROLES_FORBIDDEN");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM users WHERE tenant_id <> :x", ""), "0");

  HttpResult with_key =
      SignUp(R"({"email": "r@example.com", "roles": ["admin", "billing"]})", {}, integration_key_);
  ASSERT_EQ(with_key.status, 201) << with_key.body;
  HttpResult scim = ScimGet("/Users/" + At(JsonOf(with_key), "data/user/id"));
  EXPECT_EQ(At(JsonOf(scim), "roles"), R"([{"value":"admin"},{"value":"billing"}])");
}

TEST_P(AccountApiTest, ImportedBcryptHashSignsInAndIsReplacedByArgon2id) {
  Start();
  HttpResult r = SignUp(R"({"email": "legacy@example.com", "passwordHash": ")" +
                        std::string(kBcryptOfGoodPassword) + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = At(JsonOf(r), "data/user/id");
  EXPECT_EQ(Scalar("SELECT password_hash FROM users WHERE id = :id", id), kBcryptOfGoodPassword);
  EXPECT_EQ(SignIn("legacy@example.com", "wrong password, definitely wrong").status, 401);
  EXPECT_EQ(Scalar("SELECT password_hash FROM users WHERE id = :id", id), kBcryptOfGoodPassword);
  ASSERT_EQ(SignIn("legacy@example.com", kGoodPassword).status, 200);
  EXPECT_EQ(Scalar("SELECT password_hash FROM users WHERE id = :id", id).rfind("$argon2id$", 0),
            0u);
  EXPECT_EQ(SignIn("legacy@example.com", kGoodPassword).status, 200);

  HttpResult costly = SignUp(R"({"email": "costly@example.com", "passwordHash": ")" +
                             std::string(kCostliestBcryptOfGoodPassword) + R"("})");
  ASSERT_EQ(costly.status, 201) << costly.body;
  EXPECT_EQ(SignIn("costly@example.com", kGoodPassword).status, 200);

  HttpResult unsupported = SignUp(
      R"({"email": "old@example.com", "passwordHash": "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"})");
  EXPECT_EQ(unsupported.status, 422);
  EXPECT_NE(unsupported.body.find("UNSUPPORTED_PASSWORD_HASH"), std::string::npos)
      << unsupported.body;
}

TEST_P(AccountApiTest, SignUpsPerIpAreLimitedWithRetryAfter) {
  Start({{"AUTH_SIGNUP_LIMIT_IP", "2/1h"}});
  for (const char* email : {"one@example.com", "two@example.com"}) {
    EXPECT_EQ(SignUp(R"({"email": ")" + std::string(email) + R"("})").status, 201);
  }
  HttpResult limited = SignUp(R"({"email": "three@example.com"})");
  ASSERT_EQ(limited.status, 429) << limited.body;
  EXPECT_EQ(At(JsonOf(limited), "error/code"), "RATE_LIMITED");
  const int retry = std::stoi(limited.Header("retry-after"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 3600);
  EXPECT_EQ(At(JsonOf(limited), "error/retryAfter"), std::to_string(retry));
}

TEST_P(AccountApiTest, VerificationMailsAreLimitedPerEmailWhetherOrNotTheAccountExists) {
  Start();
  ASSERT_EQ(SignUp(R"({"email": "v@example.com"})").status, 201);  // mail 1
  const std::string resend = "/api/auth/verify-email/resend";
  EXPECT_EQ(Post(resend, R"({"email": "v@example.com"})").status, 202);  // mail 2
  EXPECT_EQ(Post(resend, R"({"email": "v@example.com"})").status, 202);  // mail 3
  HttpResult fourth = Post(resend, R"({"email": "v@example.com"})");
  EXPECT_EQ(fourth.status, 429) << fourth.body;
  // An unknown email answers exactly as a known one until its own limit.
  HttpResult unknown = Post(resend, R"({"email": "ghost@example.com"})");
  EXPECT_EQ(unknown.status, 202);
  EXPECT_EQ(unknown.body, Post(resend, R"({"email": "other-ghost@example.com"})").body);
  // The newest code is the one that works.
  const std::string third = WaitForMail("v@example.com", "verification code is", 2);
  ASSERT_FALSE(third.empty());
  HttpResult verified = Post("/api/auth/verify-email",
                             R"({"email": "v@example.com", "code": ")" + CodeIn(third) + R"("})");
  EXPECT_EQ(verified.status, 200) << verified.body;
}

TEST_P(AccountApiTest, BrowserOriginsMustBeTheTenantsAndPreflightsAnswerOnlyThose) {
  Start();
  HttpResult refused = SignUp(R"({"email": "o@example.com"})", {"Origin: https://app.example"});
  ASSERT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(At(JsonOf(refused), "error/code"), "ORIGIN_FORBIDDEN");
  EXPECT_EQ(refused.Header("access-control-allow-origin"), "");

  HttpResult preflight = Fetch({.method = "OPTIONS",
                                .url = server_->base_url() + "/api/auth/sign-up",
                                .headers = {"Origin: https://app.example",
                                            "Access-Control-Request-Method: POST"}});
  EXPECT_EQ(preflight.status, 403);

  ASSERT_EQ(PutSettings("auth-settings", R"({"allowedOrigins": ["https://app.example"]})").status,
            200);
  // Preflights learn a tenant's new origin within the cache's few seconds.
  HttpResult allowed_preflight;
  for (int i = 0; i < 150; ++i) {
    allowed_preflight = Fetch({.method = "OPTIONS",
                               .url = server_->base_url() + "/api/auth/sign-up",
                               .headers = {"Origin: https://app.example",
                                           "Access-Control-Request-Method: POST",
                                           "Access-Control-Request-Headers: authorization, "
                                           "content-type"}});
    if (allowed_preflight.status == 204) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(allowed_preflight.status, 204) << allowed_preflight.body;
  EXPECT_EQ(allowed_preflight.Header("access-control-allow-origin"), "https://app.example");
  EXPECT_NE(allowed_preflight.Header("access-control-allow-headers").find("Authorization"),
            std::string::npos);

  HttpResult ok = SignUp(R"({"email": "o@example.com"})", {"Origin: https://app.example"});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.Header("access-control-allow-origin"), "https://app.example");
  HttpResult other = SignUp(R"({"email": "p@example.com"})", {"Origin: https://evil.example"});
  EXPECT_EQ(other.status, 403);
  // callbackOrigin, too, must be one of them.
  HttpResult callback = SignUp(
      R"({"email": "q@example.com", "callbackOrigin": "https://evil.example"})");
  EXPECT_EQ(callback.status, 422) << callback.body;
}

TEST_P(AccountApiTest, ConfiguredCaptchaIsRequiredAndCheckedWithTheProvider) {
  // A real siteverify server (Cloudflare Turnstile's protocol) on loopback.
  const std::filesystem::path dir = MakeTempDir();
  ChildProcess siteverify;
  const int port = StartSupportScript(
      siteverify, "siteverify_server.py",
      {"--provider", "turnstile", "--secret", "turnstile-secret-0123456789", "--out",
       (dir / "forms.jsonl").string()});
  ASSERT_GT(port, 0);
  Start();
  HttpResult configured = PutSettings(
      "auth-settings", R"({"captcha": {"provider": "turnstile", "secret": "turnstile-secret-0123456789",
        "verifyUrl": "http://127.0.0.1:)" + std::to_string(port) + R"(/siteverify"}})");
  ASSERT_EQ(configured.status, 200) << configured.body;
  EXPECT_EQ(configured.body.find("turnstile-secret"), std::string::npos);

  HttpResult missing = SignUp(R"({"email": "c@example.com"})");
  EXPECT_EQ(missing.status, 400) << missing.body;
  EXPECT_EQ(At(JsonOf(missing), "error/code"), "INVALID_CAPTCHA");
  HttpResult rejected =
      SignUp(R"({"email": "c@example.com", "captchaToken": "fail=invalid-input-response"})");
  EXPECT_EQ(rejected.status, 400) << rejected.body;
  EXPECT_NE(rejected.body.find("invalid-input-response"), std::string::npos);
  HttpResult down = SignUp(R"({"email": "c@example.com", "captchaToken": "status=500"})");
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM users WHERE tenant_id <> :x", ""), "0");

  HttpResult ok = SignUp(R"({"email": "c@example.com", "captchaToken": "ok"})");
  ASSERT_EQ(ok.status, 201) << ok.body;
  // The provider was asked with the tenant's secret and the client's address.
  const std::string forms = ReadFile(dir / "forms.jsonl");
  EXPECT_NE(forms.find(R"("secret": "turnstile-secret-0123456789")"), std::string::npos) << forms;
  EXPECT_NE(forms.find(R"("remoteip": "127.0.0.1")"), std::string::npos) << forms;
  EXPECT_EQ(server_->Log().find("turnstile-secret"), std::string::npos);
  siteverify.Terminate();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

INSTANTIATE_TEST_SUITE_P(Backends, AccountApiTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
