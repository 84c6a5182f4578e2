// GET /metrics on the real `portico serve`, on SQLite and PostgreSQL: the
// signup funnel (create, verify, provision, a blocked create), SCIM
// operations and the first API call move the series a dashboard divides.
#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "http/signup_flow.h"

namespace portico::testing {
namespace {

// One scrape: "name{labels}" (as rendered) → value.
using Scrape = std::map<std::string, double>;

Scrape ParseScrape(const std::string& text) {
  Scrape samples;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

double ValueOf(const Scrape& scrape, const std::string& series) {
  auto it = scrape.find(series);
  return it == scrape.end() ? 0 : it->second;
}

class MetricsTest : public SignupFlowTest {
 protected:
  Scrape ScrapeMetrics(PorticoServer& server) {
    HttpResult r = Get(server.base_url() + "/metrics");
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    return ParseScrape(r.body);
  }

  HttpResult CreateUser(const std::string& key, const std::string& user_name) {
    return Fetch(
        {.method = "POST",
         .url = server_->base_url() + "/scim/v2/Users",
         .headers = {"Authorization: Bearer " + key, "Content-Type: application/scim+json"},
         .body = R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                              "userName": ")" +
                 user_name + R"("})"});
  }
};

constexpr char kFirstCallCount[] = "portico_signup_to_first_api_call_minutes_count";

TEST_P(MetricsTest, FunnelScimAndFirstApiCallMoveTheSeries) {
  // One create per admin address per hour: a second create for it is blocked.
  ASSERT_NO_FATAL_FAILURE(
      Start({{"SIGNUP_CREATE_LIMIT_EMAIL", "1/1h"}, {"AUTH_SIGNUP_LIMIT_IP", "1/1h"}}));
  const Scrape before = ScrapeMetrics(*server_);

  const std::string id = VerifiedSession("metrics-co");
  HttpResult provisioned = Provision(id, "metrics-key-0001");
  ASSERT_EQ(provisioned.status, 201) << provisioned.body;
  const std::string key = StrOf(JsonOf(provisioned), "integrationKey");

  // The same admin address again, for another slug: refused by the email limit.
  HttpResult blocked = Post(kSignupSessions, R"({"companyName": "Other", "slug": "metrics-other",
      "modules": ["scim"], "adminEmail": "admin@metrics-co.example", "legalAcceptance":
      {"termsVersion": "2026-01", "privacyVersion": "2026-02",
       "acceptedAt": "2026-01-01T00:00:00Z"}})");
  ASSERT_EQ(blocked.status, 429) << blocked.body;

  // Account sign-ups: one per client IP per hour, so the second is blocked.
  const std::string public_token = StrOf(JsonOf(provisioned), "publicLoginToken");
  const auto sign_up = [&](const std::string& email) {
    return Fetch({.method = "POST",
                  .url = server_->base_url() + "/api/auth/sign-up",
                  .headers = {kJsonType, "Authorization: Bearer " + public_token},
                  .body = R"({"email": ")" + email +
                          R"(", "password": "correct horse battery staple 42", "name": "J"})",
                  .timeout_ms = 30000});
  };
  ASSERT_EQ(sign_up("jane@metrics-co.example").status, 201);
  ASSERT_EQ(sign_up("john@metrics-co.example").status, 429);

  ASSERT_EQ(CreateUser(key, "alice@metrics-co.example").status, 201);
  EXPECT_EQ(CreateUser(key, "alice@metrics-co.example").status, 409);  // uniqueness
  EXPECT_EQ(Get(server_->base_url() + "/no/such/path").status, 404);

  const Scrape after = ScrapeMetrics(*server_);
  const auto delta = [&](const std::string& series) {
    return ValueOf(after, series) - ValueOf(before, series);
  };
  EXPECT_EQ(delta("portico_signup_attempts_total{flow=\"session\"}"), 2);
  EXPECT_EQ(delta("portico_signup_sessions_created_total"), 1);
  EXPECT_EQ(delta("portico_signup_emails_verified_total"), 1);
  EXPECT_EQ(delta("portico_signup_provisioned_total{outcome=\"provisioned\"}"), 1);
  EXPECT_EQ(delta("portico_signup_provisioned_total{outcome=\"review_required\"}"), 0);
  EXPECT_EQ(delta("portico_signup_blocked_total{flow=\"session\",reason=\"rate_limit\"}"), 1);
  EXPECT_EQ(delta("portico_rate_limit_rejections_total{api=\"signup\",scope=\"email\"}"), 1);
  EXPECT_EQ(delta("portico_signup_attempts_total{flow=\"account\"}"), 2);
  EXPECT_EQ(delta("portico_signup_blocked_total{flow=\"account\",reason=\"rate_limit\"}"), 1);
  EXPECT_EQ(delta("portico_rate_limit_rejections_total{api=\"auth\",scope=\"ip\"}"), 1);
  EXPECT_EQ(delta("portico_scim_operations_total{operation=\"create\",resource=\"User\","
                  "outcome=\"success\"}"),
            1);
  EXPECT_EQ(delta("portico_scim_operations_total{operation=\"create\",resource=\"User\","
                  "outcome=\"failure\"}"),
            1);
  // Two authenticated SCIM calls, one first call.
  EXPECT_EQ(delta(kFirstCallCount), 1);
  EXPECT_EQ(delta("portico_signup_to_first_api_call_minutes_bucket{le=\"1\"}"), 1);
  // HTTP series by route pattern; an unknown path is "unmatched", never itself.
  EXPECT_EQ(delta("portico_http_requests_total{route=\"/scim/v2/Users\",method=\"POST\","
                  "status=\"201\"}"),
            1);
  EXPECT_EQ(delta("portico_http_requests_total{route=\"/api/public/signup/sessions/:sessionId/"
                  "provision\",method=\"POST\",status=\"201\"}"),
            1);
  EXPECT_EQ(delta("portico_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"}"),
            1);
  EXPECT_GE(delta("portico_http_request_duration_seconds_count{route=\"/scim/v2/Users\","
                  "method=\"POST\"}"),
            2);
  for (const auto& [series, value] : after) {
    EXPECT_EQ(series.find("/no/such/path"), std::string::npos) << series;
  }
  // Gauges read at scrape time.
  EXPECT_GE(ValueOf(after, "portico_db_pool_sessions{state=\"size\"}"), 1);
  EXPECT_TRUE(after.count("portico_db_pool_sessions{state=\"in_use\"}"));
  EXPECT_TRUE(after.count("portico_outbox_messages{state=\"pending\"}"));
  EXPECT_TRUE(after.count("portico_outbox_messages{state=\"dead\"}"));
  EXPECT_TRUE(after.count("portico_password_hash_queue_depth"));

  // A restarted process does not count the tenant's first call again: the
  // marker is in the database.
  ASSERT_NO_FATAL_FAILURE(Start({{"SIGNUP_CREATE_LIMIT_EMAIL", "1/1h"}}));
  ASSERT_EQ(CreateUser(key, "bob@metrics-co.example").status, 201);
  const Scrape restarted = ScrapeMetrics(*server_);
  EXPECT_EQ(ValueOf(restarted, kFirstCallCount), 0);
  EXPECT_EQ(ValueOf(restarted,
                    "portico_scim_operations_total{operation=\"create\","
                    "resource=\"User\",outcome=\"success\"}"),
            1);
}

TEST_P(MetricsTest, ReviewRequiredIsCountedOnce) {
  ASSERT_NO_FATAL_FAILURE(Start({{"PORTICO_TEST_FAIL_STEP", "tenant_created_at"}}));
  const std::string id = VerifiedSession("metrics-review");
  ASSERT_EQ(Provision(id, "metrics-key-0002").status, 202);
  ASSERT_EQ(Provision(id, "metrics-key-0002").status, 202);  // the recorded answer, replayed
  const Scrape after = ScrapeMetrics(*server_);
  EXPECT_EQ(ValueOf(after, "portico_signup_provisioned_total{outcome=\"review_required\"}"), 1);
  EXPECT_EQ(ValueOf(after, "portico_signup_provisioned_total{outcome=\"provisioned\"}"), 0);
}

// fraudulent_signup_block_rate counts every reason, and the DCR limiter
// reports its refusals like the others.
TEST_P(MetricsTest, CaptchaPolicyAndDcrLimitRefusalsAreCounted) {
  ASSERT_NO_FATAL_FAILURE(Start());
  CommandResult created =
      RunPortico({"tenant", "create", "--slug", "metrics-blocks", "--name", "B"}, Env());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  StatusOr<Json> parsed = ParseJson(created.out);
  ASSERT_TRUE(parsed.ok()) << created.out;
  const Json& tenant = *parsed;
  const std::string admin = "Authorization: Bearer " + StrOf(tenant, "integrationKey");
  const std::string plt = "Authorization: Bearer " + StrOf(tenant, "publicLoginToken");
  const std::string bt = "Authorization: Bearer " + StrOf(tenant, "bootstrapToken");
  const auto put = [&](const std::string& path, const std::string& body) {
    return Fetch({.method = "PUT",
                  .url = server_->base_url() + path,
                  .headers = {kJsonType, admin},
                  .body = body});
  };
  // A CAPTCHA whose provider is never reached: a sign-up without a token is refused first.
  ASSERT_EQ(put("/api/tenant/auth-settings",
                R"({"allowedOrigins": ["https://app.example.com"], "captcha": {"provider":
                "turnstile", "secret": "1x0000000000000000000000000000000AA",
                "verifyUrl": "http://127.0.0.1:9/siteverify"}})")
                .status,
            200);
  ASSERT_EQ(put("/api/tenant/dcr-policy", R"({"registrationsPerMinute": 1})").status, 200);
  const Scrape before = ScrapeMetrics(*server_);

  const auto sign_up = [&](std::vector<std::string> headers) {
    headers.push_back(kJsonType);
    headers.push_back(plt);
    return Fetch({.method = "POST",
                  .url = server_->base_url() + "/api/auth/sign-up",
                  .headers = headers,
                  .body = R"({"email": "jane@blocks.example",
                              "password": "correct horse battery staple 42"})",
                  .timeout_ms = 30000});
  };
  HttpResult foreign = sign_up({"Origin: https://evil.example"});
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  HttpResult no_captcha = sign_up({});
  EXPECT_EQ(no_captcha.status, 400) << no_captcha.body;
  EXPECT_NE(no_captcha.body.find("INVALID_CAPTCHA"), std::string::npos) << no_captcha.body;

  const auto register_client = [&] {
    return Fetch({.method = "POST",
                  .url = server_->base_url() + "/oauth/register",
                  .headers = {kJsonType, bt},
                  .body = R"({"grant_types": ["client_credentials"]})"});
  };
  EXPECT_EQ(register_client().status, 201);
  EXPECT_EQ(register_client().status, 429);

  const Scrape after = ScrapeMetrics(*server_);
  const auto delta = [&](const std::string& series) {
    return ValueOf(after, series) - ValueOf(before, series);
  };
  EXPECT_EQ(delta("portico_signup_blocked_total{flow=\"account\",reason=\"policy\"}"), 1);
  EXPECT_EQ(delta("portico_signup_blocked_total{flow=\"account\",reason=\"captcha\"}"), 1);
  EXPECT_EQ(delta("portico_signup_attempts_total{flow=\"account\"}"), 2);
  EXPECT_EQ(delta("portico_rate_limit_rejections_total{api=\"dcr\",scope=\"tenant\"}"), 1);
}

TEST_P(MetricsTest, MetricsTokenProtectsTheEndpoint) {
  ASSERT_NO_FATAL_FAILURE(Start({{"METRICS_TOKEN", "scrape-secret-123"}}));
  HttpResult anonymous = Get(server_->base_url() + "/metrics");
  EXPECT_EQ(anonymous.status, 401);
  EXPECT_NE(anonymous.Header("www-authenticate").find("Bearer"), std::string::npos);
  EXPECT_EQ(Get(server_->base_url() + "/metrics", {"Authorization: Bearer wrong"}).status, 401);
  HttpResult ok =
      Get(server_->base_url() + "/metrics", {"Authorization: Bearer scrape-secret-123"});
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("# TYPE portico_http_requests_total counter"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, MetricsTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
