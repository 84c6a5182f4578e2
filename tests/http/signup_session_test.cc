// Self-serve signup sessions over the real `portico serve`, on SQLite and
// PostgreSQL, with the verification code read from a real SMTP server.
#include <gtest/gtest.h>

#include <future>
#include <regex>
#include <thread>

#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"
#include "support/test_servers.h"

namespace portico::testing {
namespace {

using std::chrono::seconds;

constexpr char kSessions[] = "/api/public/signup/sessions";
constexpr char kJson[] = "Content-Type: application/json";

Json BodyOf(const HttpResult& r) {
  StatusOr<Json> json = ParseJson(r.body);
  EXPECT_TRUE(json.ok()) << r.status << " " << r.body;
  return json.ok() ? *json : Json::MakeObject();
}

std::string Str(const Json& doc, std::string_view name) {
  const Json* v = doc.Find(name);
  return v != nullptr && v->is_string() ? v->as_string() : "<none>";
}

const Json& Details(const Json& body) {
  static const Json kEmpty = Json::MakeObject();
  const Json* d = body.Find("details");
  return d != nullptr && d->is_object() ? *d : kEmpty;
}

// Asserts the signup envelope {code, message, details} with `status` and `code`.
void ExpectEnvelope(const HttpResult& r, long status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  Json body = BodyOf(r);
  EXPECT_EQ(Str(body, "code"), code) << r.body;
  EXPECT_NE(Str(body, "message"), "<none>") << r.body;
  ASSERT_NE(body.Find("details"), nullptr) << r.body;
  EXPECT_TRUE(body.Find("details")->is_object()) << r.body;
}

class SignupSessionTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer({})); }

  void StartServer(const EnvVars& extra) {
    if (!db_) db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_GT(sink_.port(), 0);
    env_ = BaseEnv(*db_);
    env_["MAIL_URL"] = sink_.url();
    env_["RESEND_FROM_EMAIL"] = "Portico Signup <signup@portico.test>";
    env_["SIGNUP_OTP_TEMPLATE_ID"] = "tmpl-signup-otp";
    for (const auto& [k, v] : extra) env_[k] = v;
    server_ = std::make_unique<PorticoServer>();
    std::string error;
    ASSERT_TRUE(server_->Start(env_, &error)) << error;
  }

  std::string CreateBody(const std::string& slug, const std::string& email,
                         const std::string& extra_member = "") const {
    return "{" + extra_member + R"("companyName": "Acme Corp", "slug": ")" + slug +
           R"(", "modules": ["scim", "dcr"], "adminEmail": ")" + email +
           R"(", "legalAcceptance": {"termsVersion": "2026-01", "privacyVersion": "2026-01",
           "acceptedAt": "2026-01-01T00:00:00Z"}})";
  }

  HttpResult Post(const std::string& path, const std::string& body,
                  std::vector<std::string> headers = {kJson}) {
    return Fetch({.method = "POST",
                  .url = server_->base_url() + path,
                  .headers = std::move(headers),
                  .body = body});
  }
  HttpResult Get(const std::string& path) {
    return Fetch({.method = "GET", .url = server_->base_url() + path});
  }
  HttpResult Create(const std::string& slug, const std::string& email) {
    return Post(kSessions, CreateBody(slug, email), {kJson, "User-Agent: signup-e2e/1.0"});
  }
  HttpResult Verify(const std::string& id, const std::string& otp) {
    return Post(std::string(kSessions) + "/" + id + "/verify-email",
                R"({"otp": ")" + otp + R"("})");
  }

  // The 6-digit code of the latest mail to `email`, waiting for it to arrive
  // (the outbox delivers after the commit).
  std::string WaitForCode(const std::string& email, size_t nth = 1) {
    const std::regex code_line("verification code is: ([0-9]{6})");
    const auto deadline = std::chrono::steady_clock::now() + seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      std::vector<std::string> mine;
      for (const std::string& m : sink_.Messages()) {
        if (m.find("to=<" + email + ">") != std::string::npos) mine.push_back(m);
      }
      if (mine.size() >= nth) {
        std::smatch match;
        if (std::regex_search(mine[nth - 1], match, code_line)) return match[1];
        ADD_FAILURE() << "no code in the mail:\n" << mine[nth - 1];
        return "";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "no mail to " << email << " arrived\n" << server_->Log();
    return "";
  }

  std::unique_ptr<TestDatabase> db_;
  SmtpSink sink_;
  EnvVars env_;
  std::unique_ptr<PorticoServer> server_;
};

TEST_P(SignupSessionTest, CreateThenTheMailedCodeVerifiesAndGetShowsEmailVerified) {
  HttpResult created = Create("acme", "jane@acme.example");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Header("cache-control"), "no-store");
  Json body = BodyOf(created);
  const std::string id = Str(body, "sessionId");
  ASSERT_GE(id.size(), 43u) << "at least 256 random bits";
  EXPECT_EQ(Str(body, "status"), "PENDING_EMAIL_VERIFICATION");
  EXPECT_NE(Str(body, "otpExpiresAt"), "<none>");
  EXPECT_NE(Str(body, "sessionExpiresAt"), "<none>");
  EXPECT_EQ(created.Header("location"),
            std::string("http://localhost:8080") + kSessions + "/" + id);

  const std::string code = WaitForCode("jane@acme.example");
  ASSERT_EQ(code.size(), 6u);
  const std::vector<std::string> mails = sink_.Messages();
  EXPECT_NE(mails[0].find("signup@portico.test"), std::string::npos);

  HttpResult verified = Verify(id, code);
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(Str(BodyOf(verified), "status"), "EMAIL_VERIFIED");

  HttpResult read = Get(std::string(kSessions) + "/" + id);
  ASSERT_EQ(read.status, 200) << read.body;
  Json view = BodyOf(read);
  EXPECT_EQ(Str(view, "status"), "EMAIL_VERIFIED");
  EXPECT_TRUE(view.Find("provisionStepState")->is_object());
  EXPECT_TRUE(view.Find("failureReason")->is_null());
  EXPECT_NE(Str(view, "sessionExpiresAt"), "<none>");
  EXPECT_EQ(read.body.find(code), std::string::npos) << "never a secret";
  EXPECT_EQ(read.body.find("jane@"), std::string::npos) << "the address only masked";

  // A second verification of the same session is a clear conflict.
  ExpectEnvelope(Verify(id, code), 409, "EMAIL_ALREADY_VERIFIED");
}

TEST_P(SignupSessionTest, AWrongCodeIsInvalidRequestWithTheReasonAndAttemptsLeft) {
  HttpResult created = Create("acme", "jane@acme.example");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(BodyOf(created), "sessionId");
  const std::string code = WaitForCode("jane@acme.example");
  const std::string wrong = code == "000000" ? "000001" : "000000";
  HttpResult r = Verify(id, wrong);
  ExpectEnvelope(r, 400, "INVALID_REQUEST");
  Json details = Details(BodyOf(r));
  EXPECT_EQ(Str(details, "reason"), "OTP_INVALID");
  ASSERT_NE(details.Find("attemptsRemaining"), nullptr) << r.body;
  EXPECT_EQ(details.Find("attemptsRemaining")->as_int(), 4);
  HttpResult malformed = Verify(id, "12ab56");
  ExpectEnvelope(malformed, 400, "INVALID_REQUEST");
  EXPECT_EQ(Str(Details(BodyOf(malformed)), "field"), "otp");
  EXPECT_EQ(Verify(id, code).status, 200) << "the right code still works";
}

TEST_P(SignupSessionTest, ResendWithinTheCooldownIs429WithRetryAfter) {
  HttpResult created = Create("acme", "jane@acme.example");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = Str(BodyOf(created), "sessionId");
  HttpResult r = Post(std::string(kSessions) + "/" + id + "/resend-otp", "");
  ExpectEnvelope(r, 429, "RATE_LIMITED");
  EXPECT_FALSE(r.Header("retry-after").empty());
  const int retry = std::stoi(r.Header("retry-after"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 60);
  EXPECT_EQ(Str(Details(BodyOf(r)), "scope"), "session");
}

TEST_P(SignupSessionTest, UnknownPropertyIs400NamingIt) {
  HttpResult r = Post(kSessions, CreateBody("acme", "jane@acme.example", R"("tenantId": "t-1", )"));
  ExpectEnvelope(r, 400, "INVALID_REQUEST");
  Json body = BodyOf(r);
  EXPECT_NE(Str(body, "message").find("tenantId"), std::string::npos) << r.body;
  EXPECT_EQ(Str(Details(body), "field"), "tenantId");
  EXPECT_EQ(Str(Details(body), "reason"), "UNKNOWN_PROPERTY");
}

TEST_P(SignupSessionTest, ReservedAndTakenSlugsAreRefused) {
  HttpResult reserved = Create("admin", "jane@acme.example");
  ExpectEnvelope(reserved, 400, "INVALID_REQUEST");
  EXPECT_EQ(Str(Details(BodyOf(reserved)), "reason"), "SLUG_RESERVED");

  CommandResult tenant =
      RunPortico({"tenant", "create", "--slug", "globex", "--name", "Globex"}, env_);
  ASSERT_EQ(tenant.exit_code, 0) << tenant.err;
  ExpectEnvelope(Create("globex", "jane@globex.example"), 409, "SLUG_TAKEN");

  ASSERT_EQ(Create("initech", "a@initech.example").status, 201);
  HttpResult held = Create("initech", "b@initech.example");
  ExpectEnvelope(held, 409, "SLUG_TAKEN");
  EXPECT_EQ(Str(Details(BodyOf(held)), "field"), "slug");
  // The operator cannot take it either: the session's provisioning would fail.
  CommandResult operator_create =
      RunPortico({"tenant", "create", "--slug", "initech", "--name", "Initech"}, env_);
  EXPECT_EQ(operator_create.exit_code, 1) << operator_create.err;
  EXPECT_NE(operator_create.err.find("signup session"), std::string::npos) << operator_create.err;
}

TEST_P(SignupSessionTest, UnknownSessionIs404) {
  ExpectEnvelope(Get(std::string(kSessions) + "/no-such-session"), 404, "NOT_FOUND");
  ExpectEnvelope(Verify("no-such-session", "123456"), 404, "NOT_FOUND");
}

TEST_P(SignupSessionTest, TwentyConcurrentCreatesForOneSlugGiveExactlyOne201) {
  // More reactor threads than the default two, so the creates really overlap.
  ASSERT_NO_FATAL_FAILURE(
      StartServer({{"SIGNUP_CREATE_LIMIT_IP", "off"}, {"PORTICO_HTTP_THREADS", "8"}}));
  constexpr int kRequests = 20;
  std::vector<std::future<HttpResult>> results;
  for (int i = 0; i < kRequests; ++i) {
    const std::string body =
        CreateBody("contested", "user" + std::to_string(i) + "@contested.example");
    results.push_back(
        std::async(std::launch::async, [this, body] { return Post(kSessions, body); }));
  }
  int created = 0, taken = 0;
  for (auto& f : results) {
    HttpResult r = f.get();
    if (r.status == 201) ++created;
    if (r.status == 409 && Str(BodyOf(r), "code") == "SLUG_TAKEN") ++taken;
    if (r.status != 201 && r.status != 409) ADD_FAILURE() << r.status << " " << r.body;
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(taken, kRequests - 1);
}

TEST_P(SignupSessionTest, OverTheCreateLimitIs429WithTheRateLimitFields) {
  ASSERT_NO_FATAL_FAILURE(StartServer({{"SIGNUP_CREATE_LIMIT_IP", "2/1h"}}));
  ASSERT_EQ(Create("one-co", "a@one.example").status, 201);
  ASSERT_EQ(Create("two-co", "b@two.example").status, 201);
  HttpResult r = Create("three-co", "c@three.example");
  ExpectEnvelope(r, 429, "RATE_LIMITED");
  Json details = Details(BodyOf(r));
  EXPECT_EQ(Str(details, "scope"), "ip");
  ASSERT_NE(details.Find("retryAfterSeconds"), nullptr) << r.body;
  const int64_t retry = details.Find("retryAfterSeconds")->as_int();
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 3600);
  EXPECT_EQ(r.Header("retry-after"), std::to_string(retry));
  EXPECT_EQ(r.Header("ratelimit-policy"), "\"ip\";q=2;w=3600");
  EXPECT_EQ(r.Header("ratelimit"), "\"ip\";r=0;t=" + std::to_string(retry));
}

TEST_P(SignupSessionTest, FeatureSwitchOffAnswers503FeatureDisabled) {
  ASSERT_NO_FATAL_FAILURE(StartServer({{"SELF_SERVE_SIGNUP_ENABLED", "false"}}));
  for (const HttpResult& r :
       {Create("acme", "jane@acme.example"), Get(std::string(kSessions) + "/anything"),
        Verify("anything", "123456"),
        Post(std::string(kSessions) + "/anything/provision",
             R"({"idempotencyKey": "k-12345678"})")}) {
    ExpectEnvelope(r, 503, "FEATURE_DISABLED");
    Json details = Details(BodyOf(r));
    ASSERT_NE(details.Find("retryAfterSeconds"), nullptr) << r.body;
    EXPECT_EQ(r.Header("retry-after"), std::to_string(details.Find("retryAfterSeconds")->as_int()));
  }
  EXPECT_TRUE(sink_.Messages().empty());
}

TEST_P(SignupSessionTest, AMalformedLimitStopsTheServerNamingTheVariable) {
  EnvVars env = env_;
  env["SIGNUP_VERIFY_LIMIT_EMAIL"] = "lots";
  env["PORTICO_LISTEN"] = "127.0.0.1:0";
  CommandResult r = RunPortico({"serve"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("SIGNUP_VERIFY_LIMIT_EMAIL"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Backends, SignupSessionTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
