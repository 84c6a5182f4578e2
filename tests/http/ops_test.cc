// The real `portico serve` over loopback HTTP, on SQLite and PostgreSQL:
// health, readiness, request ids, body limits, JSON errors, client IPs.
#include <gtest/gtest.h>

#include <sstream>

#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

class OpsTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    std::string error;
    ASSERT_TRUE(server_.Start(Env(), &error)) << error;
  }
  virtual EnvVars Env() { return BaseEnv(*db_); }
  std::string Url(const std::string& path) const { return server_.base_url() + path; }

  // A tenant's integration key, created with the CLI against the same database.
  std::string CreateTenantKey(const std::string& slug) {
    CommandResult r = RunPortico({"tenant", "create", "--slug", slug, "--name", "Acme"}, BaseEnv(*db_));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto json = ParseJson(r.out);
    EXPECT_TRUE(json.ok()) << r.out;
    return json.ok() ? json->Find("integrationKey")->as_string() : "";
  }

  std::unique_ptr<TestDatabase> db_;
  PorticoServer server_;
};

TEST_P(OpsTest, HealthzAnswersOk) {
  HttpResult r = Get(Url("/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok"})");
  EXPECT_EQ(r.Header("content-type"), "application/json");
}

TEST_P(OpsTest, ReadyzChecksTheDatabase) {
  HttpResult r = Get(Url("/readyz"));
  EXPECT_EQ(r.status, 200) << r.body;
  auto body = ParseJson(r.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->Find("database")->as_string(), "ok");
}

TEST_P(OpsTest, EchoesAWellFormedRequestIdAndGeneratesOtherwise) {
  HttpResult given = Get(Url("/healthz"), {"X-Request-Id: abc-123.def"});
  EXPECT_EQ(given.Header("x-request-id"), "abc-123.def");
  HttpResult generated = Get(Url("/healthz"));
  EXPECT_FALSE(generated.Header("x-request-id").empty());
  HttpResult hostile = Get(Url("/healthz"), {"X-Request-Id: bad id with spaces\"{}"});
  EXPECT_NE(hostile.Header("x-request-id"), "bad id with spaces\"{}");
  EXPECT_FALSE(hostile.Header("x-request-id").empty());
  // Every request is one JSON access-log line carrying its request id.
  EXPECT_TRUE(server_.WaitForLog(R"("request_id":"abc-123.def")", std::chrono::seconds(5)))
      << server_.Log();
}

TEST_P(OpsTest, UnknownPathIs404InJson) {
  HttpResult r = Get(Url("/no/such/thing"));
  EXPECT_EQ(r.status, 404);
  auto body = ParseJson(r.body);
  ASSERT_TRUE(body.ok()) << r.body;
  EXPECT_NE(body->Find("error"), nullptr);
}

TEST_P(OpsTest, WrongMethodIs405WithAllow) {
  HttpResult r = Post(Url("/healthz"), "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_NE(r.Header("allow").find("GET"), std::string::npos);
}

TEST_P(OpsTest, BodyOverOneMebibyteIs413) {
  const std::string key = CreateTenantKey("big-body");
  std::string huge = R"({"name":")" + std::string(1100 * 1024, 'x') + R"("})";
  HttpResult r = Post(Url("/api/tenant/credentials"), huge,
                      {"Content-Type: application/json", "Authorization: Bearer " + key});
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 200);
  // Just under the limit is parsed (and rejected for its content, not its size).
  std::string fits = R"({"name":")" + std::string(1000 * 1024, 'x') + R"("})";
  HttpResult ok = Post(Url("/api/tenant/credentials"), fits,
                       {"Content-Type: application/json", "Authorization: Bearer " + key});
  EXPECT_EQ(ok.status, 400) << ok.body.substr(0, 200);
}

TEST_P(OpsTest, InvalidJsonIs400WithAClearMessage) {
  const std::string key = CreateTenantKey("bad-json");
  const std::vector<std::string> auth = {"Content-Type: application/json",
                                         "Authorization: Bearer " + key};
  for (const std::string& bad : {std::string("{"), std::string("{\"name\": }"),
                                 std::string("[1,2]"), std::string("\"text\""),
                                 std::string("{\"name\":\"a\",\"name\":\"b\"}"),
                                 std::string("{\"name\":\"a\"} trailing")}) {
    HttpResult r = Post(Url("/api/tenant/credentials"), bad, auth);
    EXPECT_EQ(r.status, 400) << bad;
    auto body = ParseJson(r.body);
    ASSERT_TRUE(body.ok()) << r.body;
    ASSERT_NE(body->Find("error_description"), nullptr) << r.body;
    EXPECT_FALSE(body->Find("error_description")->as_string().empty());
  }
  HttpResult dup = Post(Url("/api/tenant/credentials"), R"({"name":"a","name":"b"})", auth);
  EXPECT_NE(dup.body.find("name"), std::string::npos) << dup.body;
}

TEST_P(OpsTest, TenantApiNeedsAValidIntegrationKey) {
  HttpResult none = Get(Url("/api/tenant"));
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(none.Header("www-authenticate").find("Bearer"), std::string::npos);
  HttpResult forged = Get(Url("/api/tenant"), {"Authorization: Bearer portico_ik_forged"});
  EXPECT_EQ(forged.status, 401);
  const std::string key = CreateTenantKey("key-check");
  HttpResult ok = Get(Url("/api/tenant"), {"Authorization: Bearer " + key});
  ASSERT_EQ(ok.status, 200) << ok.body;
  auto body = ParseJson(ok.body);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(body->Find("slug")->as_string(), "key-check");
  EXPECT_EQ(ok.body.find(key), std::string::npos) << "a secret must never be echoed";
}

TEST_P(OpsTest, MintedCredentialWorksUntilRevoked) {
  const std::string admin = CreateTenantKey("rotate");
  const std::vector<std::string> auth = {"Content-Type: application/json",
                                         "Authorization: Bearer " + admin};
  HttpResult minted = Post(Url("/api/tenant/credentials"),
                           R"({"name":"ci","scopes":["scim:read"]})", auth);
  ASSERT_EQ(minted.status, 201) << minted.body;
  auto body = ParseJson(minted.body);
  ASSERT_TRUE(body.ok());
  const std::string secret = body->Find("secret")->as_string();
  const std::string id = body->Find("id")->as_string();
  EXPECT_EQ(Get(Url("/api/tenant"), {"Authorization: Bearer " + secret}).status, 200);
  // Without tenant:admin it cannot manage credentials.
  EXPECT_EQ(Get(Url("/api/tenant/credentials"), {"Authorization: Bearer " + secret}).status, 403);
  HttpResult revoked = Fetch({.method = "DELETE", .url = Url("/api/tenant/credentials/" + id),
                              .headers = {"Authorization: Bearer " + admin}});
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_EQ(Get(Url("/api/tenant"), {"Authorization: Bearer " + secret}).status, 401);
  HttpResult unknown = Post(Url("/api/tenant/credentials"), R"({"name":"x","admin":true})", auth);
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("admin"), std::string::npos) << unknown.body;
}

TEST_P(OpsTest, SecretsNeverReachTheLog) {
  const std::string key = CreateTenantKey("quiet");
  Get(Url("/api/tenant"), {"Authorization: Bearer " + key});
  Get(Url("/api/tenant?token=" + key));
  ASSERT_TRUE(server_.WaitForLog(R"("route":"/api/tenant")", std::chrono::seconds(5)));
  EXPECT_EQ(server_.Log().find(key), std::string::npos);
  EXPECT_EQ(server_.Log().find(kTestKeyHashSecret), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, OpsTest, ::testing::ValuesIn(AllBackends()), BackendParamName());

// X-Forwarded-For is believed only from TRUSTED_PROXIES.
class TrustedProxyTest : public OpsTest {
 protected:
  EnvVars Env() override {
    EnvVars env = BaseEnv(*db_);
    if (trusted_) env["TRUSTED_PROXIES"] = "127.0.0.1/32, ::1";
    return env;
  }
  std::string LoggedClientIp(const std::string& request_id) {
    EXPECT_TRUE(server_.WaitForLog(request_id, std::chrono::seconds(5)));
    std::istringstream lines(server_.Log());
    for (std::string l; std::getline(lines, l);) {
      if (l.find(request_id) == std::string::npos || l.find("http_request") == std::string::npos) {
        continue;
      }
      auto json = ParseJson(l);
      if (json.ok() && json->Find("client_ip")) return json->Find("client_ip")->as_string();
    }
    return "";
  }
  bool trusted_ = false;
};

class UntrustedProxyTest : public TrustedProxyTest {};

TEST_P(UntrustedProxyTest, IgnoresForwardedForFromAnUntrustedPeer) {
  Get(Url("/healthz"), {"X-Request-Id: xff-untrusted", "X-Forwarded-For: 203.0.113.7"});
  EXPECT_EQ(LoggedClientIp("xff-untrusted"), "127.0.0.1");
}

class BelievedProxyTest : public TrustedProxyTest {
 protected:
  void SetUp() override {
    trusted_ = true;
    OpsTest::SetUp();
  }
};

TEST_P(BelievedProxyTest, BelievesForwardedForFromATrustedPeer) {
  Get(Url("/healthz"), {"X-Request-Id: xff-trusted", "X-Forwarded-For: 203.0.113.7"});
  EXPECT_EQ(LoggedClientIp("xff-trusted"), "203.0.113.7");
  // The rightmost untrusted hop wins: a client cannot spoof by prepending.
  Get(Url("/healthz"),
      {"X-Request-Id: xff-chain", "X-Forwarded-For: 198.51.100.9, 203.0.113.8, 127.0.0.1"});
  EXPECT_EQ(LoggedClientIp("xff-chain"), "203.0.113.8");
}

INSTANTIATE_TEST_SUITE_P(Backends, UntrustedProxyTest, ::testing::Values(Backend::kSqlite),
                         BackendParamName());
INSTANTIATE_TEST_SUITE_P(Backends, BelievedProxyTest, ::testing::Values(Backend::kSqlite),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
