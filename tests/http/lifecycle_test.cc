// Process lifecycle of the real binary: configuration errors, the CLI,
// migrations racing, graceful shutdown, and readiness across a database outage.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <future>
#include <thread>

#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ConfigTest, MalformedValuesExitTwoNamingTheVariable) {
  TestDatabase db(Backend::kSqlite);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"PORTICO_LISTEN", "nonsense"},       {"PORTICO_LISTEN", "127.0.0.1:99999"},
      {"PUBLIC_BASE_URL", "ftp://x"},       {"DATABASE_URL", "mysql://x"},
      {"SELF_SERVE_SIGNUP_ENABLED", "maybe"}, {"TRUSTED_PROXIES", "10.0.0.0/99"},
      {"DCR_OPEN_REGISTRATION", "yes please"}, {"OTP_PEPPER", "short"},
      {"MAIL_URL", "carrier-pigeon:"},
  };
  for (const auto& [name, value] : cases) {
    EnvVars env = BaseEnv(db);
    env[name] = value;
    CommandResult r = RunPortico({"serve"}, env, "", seconds(20));
    EXPECT_EQ(r.exit_code, 2) << name << "=" << value << "\n" << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << name << "=" << value << "\n" << r.err;
  }
}

TEST(ConfigTest, PostgresRequiresBothSecrets) {
  EnvVars env{{"DATABASE_URL", "postgresql://postgres@127.0.0.1:1/none"}};
  CommandResult r = RunPortico({"serve"}, env);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("OTP_PEPPER"), std::string::npos) << r.err;
}

TEST(ConfigTest, SqliteGeneratesAPrivateSecretsFileOnceAndReusesIt) {
  TestDatabase db(Backend::kSqlite);
  EnvVars env{{"DATABASE_URL", db.url()}};
  CommandResult first = RunPortico({"tenant", "create", "--slug", "first", "--name", "F"}, env);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("secrets_generated"), std::string::npos) << first.err;
  const std::string secrets = db.dir() + "/portico.secrets";
  struct stat st {};
  ASSERT_EQ(stat(secrets.c_str(), &st), 0) << secrets;
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A server started later verifies keys minted by the earlier process.
  auto created = ParseJson(first.out);
  ASSERT_TRUE(created.ok()) << first.out;
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env, &error)) << error;
  EXPECT_EQ(server.Log().find("secrets_generated"), std::string::npos);
  HttpResult r = Get(server.base_url() + "/api/tenant",
                     {"Authorization: Bearer " + created->Find("integrationKey")->as_string()});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(CliTest, VersionAndUsage) {
  CommandResult v = RunPortico({"version"}, {});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("portico ", 0), 0u) << v.out;
  CommandResult bad = RunPortico({"frobnicate"}, {});
  EXPECT_EQ(bad.exit_code, 2);
  CommandResult missing = RunPortico({"tenant", "create", "--name", "x"}, {});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--slug"), std::string::npos);
}

class CliBackendTest : public ::testing::TestWithParam<Backend> {};

TEST_P(CliBackendTest, TenantCreatePrintsOneJsonObjectWithThreeCredentials) {
  TestDatabase db(GetParam());
  CommandResult r = RunPortico({"tenant", "create", "--slug", "acme", "--name", "Acme Inc",
                                "--modules", "scim,dcr", "--admin-email", "Admin@Example.COM"},
                               BaseEnv(db));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto json = ParseJson(r.out);
  ASSERT_TRUE(json.ok()) << r.out;
  ASSERT_TRUE(json->is_object());
  EXPECT_EQ(json->Find("slug")->as_string(), "acme");
  EXPECT_FALSE(json->Find("tenantId")->as_string().empty());
  EXPECT_EQ(json->Find("integrationKey")->as_string().rfind("portico_ik_", 0), 0u);
  EXPECT_EQ(json->Find("bootstrapToken")->as_string().rfind("portico_bt_", 0), 0u);
  EXPECT_EQ(json->Find("publicLoginToken")->as_string().rfind("portico_pl_", 0), 0u);
  EXPECT_GE(json->Find("integrationKey")->as_string().size(), 43u + 11u);

  // Slugs are unique case-insensitively; the second attempt fails cleanly.
  CommandResult again = RunPortico({"tenant", "create", "--slug", "acme", "--name", "Other"},
                                   BaseEnv(db));
  EXPECT_EQ(again.exit_code, 1) << again.err;
  EXPECT_NE(again.err.find("taken"), std::string::npos) << again.err;
  EXPECT_TRUE(again.out.empty());

  CommandResult bad_slug = RunPortico({"tenant", "create", "--slug", "-bad-", "--name", "X"},
                                      BaseEnv(db));
  EXPECT_EQ(bad_slug.exit_code, 2);
  CommandResult reserved = RunPortico({"tenant", "create", "--slug", "admin", "--name", "X"},
                                      BaseEnv(db));
  EXPECT_EQ(reserved.exit_code, 2);
  CommandResult bad_module = RunPortico(
      {"tenant", "create", "--slug", "mods", "--name", "X", "--modules", "scim,teleport"},
      BaseEnv(db));
  EXPECT_EQ(bad_module.exit_code, 2);
  EXPECT_NE(bad_module.err.find("teleport"), std::string::npos) << bad_module.err;
}

TEST_P(CliBackendTest, MigrateIsIdempotent) {
  TestDatabase db(GetParam());
  CommandResult first = RunPortico({"migrate"}, BaseEnv(db));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out.find("\"applied\":0"), std::string::npos) << first.out;
  CommandResult second = RunPortico({"migrate"}, BaseEnv(db));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("\"applied\":0"), std::string::npos) << second.out;
}

TEST_P(CliBackendTest, TwoServersMigratingOneDatabaseAtOnceBothStart) {
  TestDatabase db(GetParam());
  PorticoServer a, b;
  std::string error_a, error_b;
  auto started_a = std::async(std::launch::async, [&] { return a.Start(BaseEnv(db), &error_a); });
  auto started_b = std::async(std::launch::async, [&] { return b.Start(BaseEnv(db), &error_b); });
  ASSERT_TRUE(started_a.get()) << error_a;
  ASSERT_TRUE(started_b.get()) << error_b;
  EXPECT_EQ(Get(a.base_url() + "/readyz").status, 200);
  EXPECT_EQ(Get(b.base_url() + "/readyz").status, 200);
  // The schema is complete: nothing left to apply.
  CommandResult after = RunPortico({"migrate"}, BaseEnv(db));
  EXPECT_NE(after.out.find("\"applied\":0"), std::string::npos) << after.out << after.err;
}

TEST_P(CliBackendTest, SigtermDrainsAnInFlightRequestThenExitsZero) {
  TestDatabase db(GetParam());
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(BaseEnv(db), &error)) << error;
  auto slow = std::async(std::launch::async, [&] {
    return Get(server.base_url() + "/__test/sleep?ms=1500");
  });
  ASSERT_TRUE(server.WaitForLog("\"event\":\"listening\"", seconds(1)));
  std::this_thread::sleep_for(milliseconds(300));  // the request is in flight
  server.Signal(SIGTERM);
  HttpResult r = slow.get();
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_NE(r.body.find("sleptMs"), std::string::npos);
  EXPECT_EQ(server.Wait(seconds(15)), std::optional<int>(0)) << server.Log();
}

INSTANTIATE_TEST_SUITE_P(Backends, CliBackendTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
