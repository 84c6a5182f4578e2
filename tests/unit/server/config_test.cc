#include "src/server/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>
#include <vector>

namespace portico::server {
namespace {

Environment FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const std::string kSecret(40, 's');

TEST(LoadConfigTest, DefaultsServeLocallyOnSqlite) {
  auto config = LoadConfig(FakeEnv({}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 8080);
  EXPECT_EQ(config->public_base_url, "http://localhost:8080");
  EXPECT_EQ(config->database_url, "sqlite:portico.db");
  EXPECT_TRUE(config->signup_enabled);
  EXPECT_FALSE(config->dcr_open_registration);
  EXPECT_EQ(config->dcr_open_registration_tenant, "default");
  EXPECT_EQ(config->dcr_client_ttl_days, 90);
  EXPECT_EQ(config->mail_url, "console:");
  EXPECT_TRUE(config->trusted_proxies.empty());
  EXPECT_TRUE(config->otp_pepper.empty()) << "generated later, beside the database";
  EXPECT_EQ(config->credential_cache, std::chrono::milliseconds(1000));
}

TEST(LoadConfigTest, ReadsEveryVariable) {
  auto config = LoadConfig(FakeEnv({{"PORTICO_LISTEN", "[::1]:9090"},
                                    {"PUBLIC_BASE_URL", "https://id.example.com/"},
                                    {"DATABASE_URL", "postgresql://u:p@db:5432/portico"},
                                    {"SELF_SERVE_SIGNUP_ENABLED", "FALSE"},
                                    {"OTP_PEPPER", kSecret},
                                    {"KEY_HASH_SECRET", kSecret + "k"},
                                    {"MAIL_URL", "smtp://mail:25"},
                                    {"RESEND_FROM_EMAIL", "Acme <no-reply@acme.example>"},
                                    {"TRUSTED_PROXIES", "10.0.0.0/8, ::1"},
                                    {"DCR_OPEN_REGISTRATION", "true"},
                                    {"DCR_OPEN_REGISTRATION_TENANT", "agents"},
                                    {"DCR_CLIENT_TTL_DAYS", "0"},
                                    {"PORTICO_HTTP_THREADS", "4"},
                                    {"PORTICO_LOG_LEVEL", "warn"},
                                    {"PORTICO_OUTBOX_LEASE_MS", "5000"},
                                    {"PORTICO_CREDENTIAL_CACHE_MS", "0"},
                                    {"PORTICO_DRAIN_TIMEOUT_MS", "0"}}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen_host, "::1");
  EXPECT_EQ(config->listen_port, 9090);
  EXPECT_EQ(config->public_base_url, "https://id.example.com") << "trailing slash dropped";
  EXPECT_FALSE(config->signup_enabled);
  EXPECT_TRUE(config->dcr_open_registration);
  EXPECT_EQ(config->dcr_open_registration_tenant, "agents");
  EXPECT_EQ(config->dcr_client_ttl_days, 0);
  EXPECT_EQ(config->trusted_proxies.size(), 2u);
  EXPECT_EQ(config->mail_from, "Acme <no-reply@acme.example>");
  EXPECT_EQ(config->http_threads, 4);
  EXPECT_EQ(config->log_level, LogLevel::kWarn);
  EXPECT_EQ(config->outbox_lease, std::chrono::milliseconds(5000));
  EXPECT_EQ(config->credential_cache, std::chrono::milliseconds(0));
  EXPECT_EQ(config->drain_timeout, std::chrono::milliseconds(0));
  EXPECT_FALSE(config->uses_sqlite());
}

struct BadValue {
  std::string variable;
  std::string value;
};

class MalformedConfigTest : public ::testing::TestWithParam<BadValue> {};

TEST_P(MalformedConfigTest, NamesTheVariable) {
  const BadValue& bad = GetParam();
  auto config = LoadConfig(FakeEnv({{bad.variable, bad.value}}));
  ASSERT_FALSE(config.ok()) << bad.variable << "=" << bad.value;
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(config.status().message().rfind(bad.variable + ":", 0), 0u)
      << config.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Values, MalformedConfigTest,
    ::testing::Values(
        BadValue{"PORTICO_LISTEN", "8080"}, BadValue{"PORTICO_LISTEN", ":8080"},
        BadValue{"PORTICO_LISTEN", "host:port"}, BadValue{"PORTICO_LISTEN", "127.0.0.1:65536"},
        BadValue{"PORTICO_LISTEN", "[::1]8080"}, BadValue{"PUBLIC_BASE_URL", "localhost:8080"},
        BadValue{"PUBLIC_BASE_URL", "https://"}, BadValue{"PUBLIC_BASE_URL", "https://user@host"},
        BadValue{"PUBLIC_BASE_URL", "https://host/?q=1"},
        BadValue{"DATABASE_URL", "mysql://localhost/db"}, BadValue{"DATABASE_URL", "sqlite:"},
        BadValue{"SELF_SERVE_SIGNUP_ENABLED", "sometimes"}, BadValue{"DCR_OPEN_REGISTRATION", "2"},
        BadValue{"DCR_OPEN_REGISTRATION_TENANT", "Not A Slug"},
        BadValue{"DCR_CLIENT_TTL_DAYS", "-3"}, BadValue{"TRUSTED_PROXIES", "10.0.0.0/33"},
        BadValue{"TRUSTED_PROXIES", "not-an-ip"}, BadValue{"OTP_PEPPER", "too-short"},
        BadValue{"KEY_HASH_SECRET", "too-short"}, BadValue{"PORTICO_HTTP_THREADS", "-1"},
        BadValue{"PORTICO_HTTP_THREADS", "four"}, BadValue{"PORTICO_MAX_BODY_BYTES", "10"},
        BadValue{"PORTICO_LOG_LEVEL", "loud"}, BadValue{"PORTICO_DRAIN_TIMEOUT_MS", "soon"},
        BadValue{"PORTICO_OUTBOX_POLL_MS", "5"}, BadValue{"PORTICO_OUTBOX_LEASE_MS", "999"},
        BadValue{"PORTICO_OUTBOX_BACKOFF_MS", "3600001"},
        BadValue{"PORTICO_CREDENTIAL_CACHE_MS", "60001"},
        BadValue{"PORTICO_CREDENTIAL_CACHE_MS", "-1"}),
    [](const auto& info) { return std::to_string(info.index) + "_" + info.param.variable; });

TEST(LoadConfigTest, PostgresNeedsBothSecrets) {
  const std::string pg = "postgresql://u@localhost/db";
  auto neither = LoadConfig(FakeEnv({{"DATABASE_URL", pg}}));
  ASSERT_FALSE(neither.ok());
  EXPECT_EQ(neither.status().message().rfind("OTP_PEPPER:", 0), 0u);
  auto one = LoadConfig(FakeEnv({{"DATABASE_URL", pg}, {"OTP_PEPPER", kSecret}}));
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.status().message().rfind("KEY_HASH_SECRET:", 0), 0u);
  auto both = LoadConfig(
      FakeEnv({{"DATABASE_URL", pg}, {"OTP_PEPPER", kSecret}, {"KEY_HASH_SECRET", kSecret}}));
  EXPECT_TRUE(both.ok()) << both.status().ToString();
}

TEST(LoadConfigTest, EmptyValueCountsAsUnset) {
  auto config = LoadConfig(FakeEnv({{"PORTICO_LISTEN", ""}, {"DATABASE_URL", ""}}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->listen_port, 8080);
}

TEST(LoadConfigTest, TlsNeedsBothFilesNamingTheMissingOne) {
  auto only_cert = LoadConfig(FakeEnv({{"PORTICO_TLS_CERT", "/etc/portico/cert.pem"}}));
  ASSERT_FALSE(only_cert.ok());
  EXPECT_EQ(only_cert.status().message().rfind("PORTICO_TLS_KEY: ", 0), 0u)
      << only_cert.status().message();
  auto only_key = LoadConfig(FakeEnv({{"PORTICO_TLS_KEY", "/etc/portico/key.pem"}}));
  ASSERT_FALSE(only_key.ok());
  EXPECT_EQ(only_key.status().message().rfind("PORTICO_TLS_CERT: ", 0), 0u)
      << only_key.status().message();
  auto neither = LoadConfig(FakeEnv({}));
  ASSERT_TRUE(neither.ok());
  EXPECT_TRUE(neither->tls_cert_file.empty());
}

TEST(LoadConfigTest, UnreadableTlsFilesNameTheirVariable) {
  auto missing = LoadConfig(FakeEnv(
      {{"PORTICO_TLS_CERT", "/nonexistent/cert.pem"}, {"PORTICO_TLS_KEY", "/nonexistent/k.pem"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message().rfind("PORTICO_TLS_CERT: ", 0), 0u)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("/nonexistent/cert.pem"), std::string::npos);
}

// The table `portico --help` prints is the list LoadConfig reads: a variable
// added to one and not the other fails here.
TEST(ConfigVariablesTest, TableListsExactlyTheVariablesLoadConfigReads) {
  std::set<std::string> read;
  const Environment recording = [&read](std::string_view name) -> std::optional<std::string> {
    read.insert(std::string(name));
    return std::nullopt;
  };
  ASSERT_TRUE(LoadConfig(recording).ok());
  std::set<std::string> listed;
  for (const ConfigVariable& v : ConfigVariables()) {
    EXPECT_TRUE(listed.insert(std::string(v.name)).second) << "listed twice: " << v.name;
    EXPECT_FALSE(v.description.empty()) << v.name;
  }
  EXPECT_EQ(read, listed);
}

TEST(SecretsPathTest, SitsBesideTheDatabase) {
  EXPECT_EQ(SecretsPathFor("portico.db"), "portico.secrets");
  EXPECT_EQ(SecretsPathFor("/var/lib/portico/data.sqlite"), "/var/lib/portico/data.secrets");
  EXPECT_EQ(SecretsPathFor("/srv/.hidden/db"), "/srv/.hidden/db.secrets");
  EXPECT_EQ(SecretsPathFor(":memory:"), "");
}

class ResolveSecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/portico-config-test.XXXXXX";
    dir_ = mkdtemp(dir);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(ResolveSecretsTest, GeneratesAPrivateFileOnceThenReusesIt) {
  auto first = LoadConfig(FakeEnv({{"DATABASE_URL", "sqlite:" + dir_ + "/portico.db"}}));
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(ResolveSecrets(*first).ok());
  EXPECT_GE(first->otp_pepper.size(), kMinSecretLength);
  EXPECT_GE(first->key_hash_secret.size(), kMinSecretLength);
  EXPECT_NE(first->otp_pepper, first->key_hash_secret);
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/portico.secrets").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto second = LoadConfig(FakeEnv({{"DATABASE_URL", "sqlite:" + dir_ + "/portico.db"}}));
  ASSERT_TRUE(ResolveSecrets(*second).ok());
  EXPECT_EQ(second->otp_pepper, first->otp_pepper);
  EXPECT_EQ(second->key_hash_secret, first->key_hash_secret);
}

// Two processes starting at once on a fresh database (the README's two
// commands, a supervisor starting replicas) must agree on one pair of secrets,
// and neither may read the file before it is whole.
TEST_F(ResolveSecretsTest, ConcurrentFirstStartsAgreeOnOneCompleteFile) {
  constexpr int kRounds = 40;
  constexpr int kThreads = 6;
  for (int round = 0; round < kRounds; ++round) {
    const std::string url = "sqlite:" + dir_ + "/round" + std::to_string(round) + ".db";
    std::vector<StatusOr<Config>> configs;
    for (int t = 0; t < kThreads; ++t) configs.push_back(LoadConfig(FakeEnv({{"DATABASE_URL", url}})));
    std::vector<Status> results(kThreads);
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) {
        }
        results[t] = ResolveSecrets(*configs[t]);
      });
    }
    for (std::thread& th : threads) th.join();
    for (int t = 0; t < kThreads; ++t) {
      ASSERT_TRUE(results[t].ok()) << "round " << round << ": " << results[t].ToString();
      EXPECT_EQ(configs[t]->otp_pepper, configs[0]->otp_pepper) << "round " << round;
      EXPECT_EQ(configs[t]->key_hash_secret, configs[0]->key_hash_secret) << "round " << round;
    }
  }
  // Nothing but the databases' secrets files is left behind.
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().extension(), ".secrets") << entry.path();
  }
}

TEST_F(ResolveSecretsTest, EnvironmentWinsOverTheFile) {
  auto config = LoadConfig(
      FakeEnv({{"DATABASE_URL", "sqlite:" + dir_ + "/portico.db"}, {"KEY_HASH_SECRET", kSecret}}));
  ASSERT_TRUE(ResolveSecrets(*config).ok());
  EXPECT_EQ(config->key_hash_secret, kSecret);
  EXPECT_GE(config->otp_pepper.size(), kMinSecretLength);
}

TEST_F(ResolveSecretsTest, MalformedFileIsAnErrorNamingIt) {
  std::ofstream(dir_ + "/portico.secrets") << "OTP_PEPPER=short\n";
  auto config = LoadConfig(FakeEnv({{"DATABASE_URL", "sqlite:" + dir_ + "/portico.db"}}));
  const Status status = ResolveSecrets(*config);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("portico.secrets"), std::string::npos);
}

TEST_F(ResolveSecretsTest, InMemoryDatabaseGetsProcessSecretsAndNoFile) {
  auto config = LoadConfig(FakeEnv({{"DATABASE_URL", "sqlite::memory:"}}));
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(ResolveSecrets(*config).ok());
  EXPECT_GE(config->otp_pepper.size(), kMinSecretLength);
}

}  // namespace
}  // namespace portico::server
