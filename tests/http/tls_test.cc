// `portico serve` with PORTICO_TLS_CERT / PORTICO_TLS_KEY: real HTTPS with a
// self-signed certificate made by the openssl CLI, TLS 1.2 as the floor, and
// bad files refused at start. SQLite only: TLS sits in front of the routes and
// does not depend on the backend.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"
#include "support/test_servers.h"

namespace portico::testing {
namespace {

struct ShellResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `command` with /bin/sh; tests pass only paths they made.
ShellResult Shell(const std::string& command) {
  ShellResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// An OpenSSL configuration that lets TLS 1.0 and 1.1 through (Debian's
// default security level refuses them on both sides). Under it, only
// Portico's own floor can refuse TLS 1.1.
constexpr char kPermissiveOpenSslConf[] = R"(openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1
CipherString = DEFAULT@SECLEVEL=0
)";

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    cert_ = (dir_ / "cert.pem").string();
    key_ = (dir_ / "key.pem").string();
    other_key_ = (dir_ / "other-key.pem").string();
    permissive_conf_ = (dir_ / "permissive.cnf").string();
    const ShellResult made = Shell(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1"
        " -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1"
        " -keyout " +
        key_ + " -out " + cert_ +
        " && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + other_key_);
    ASSERT_EQ(made.exit_code, 0) << made.output;
    std::ofstream(permissive_conf_) << kPermissiveOpenSslConf;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  EnvVars TlsEnv() const {
    EnvVars env = BaseEnv(db_);
    env["PORTICO_TLS_CERT"] = cert_;
    env["PORTICO_TLS_KEY"] = key_;
    return env;
  }

  // `openssl s_client` forced to one protocol version (`-tls1_1` …), under the
  // permissive configuration so the client itself never refuses to offer it.
  ShellResult Handshake(uint16_t port, const std::string& version_flag) const {
    return Shell("OPENSSL_CONF=" + permissive_conf_ + " timeout 20 openssl s_client -brief " +
                 version_flag + " -cipher DEFAULT@SECLEVEL=0 -CAfile " + cert_ +
                 " -verify_return_error -connect 127.0.0.1:" + std::to_string(port) +
                 " </dev/null");
  }

  TestDatabase db_{Backend::kSqlite};
  std::filesystem::path dir_;
  std::string cert_;
  std::string key_;
  std::string other_key_;
  std::string permissive_conf_;
};

TEST_F(TlsTest, ServesHttpsWithTheCertificateAndRefusesPlainHttp) {
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(TlsEnv(), &error)) << error;
  EXPECT_NE(server.Log().find("\"tls\":true"), std::string::npos) << server.Log();
  const std::string https = "https://127.0.0.1:" + std::to_string(server.port());

  HttpResult health = Fetch({.url = https + "/healthz", .ca_file = cert_});
  EXPECT_EQ(health.status, 200) << health.error;
  EXPECT_EQ(health.body, R"({"status":"ok"})");

  // An API route that reads the database, with a key minted by the CLI.
  CommandResult created =
      RunPortico({"tenant", "create", "--slug", "tls", "--name", "TLS Inc"}, TlsEnv());
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto json = ParseJson(created.out);
  ASSERT_TRUE(json.ok()) << created.out;
  HttpResult tenant =
      Fetch({.url = https + "/api/tenant",
             .headers = {"Authorization: Bearer " + json->Find("integrationKey")->as_string()},
             .ca_file = cert_});
  EXPECT_EQ(tenant.status, 200) << tenant.error << tenant.body;
  EXPECT_NE(tenant.body.find(R"("slug":"tls")"), std::string::npos) << tenant.body;

  // The certificate is the one configured: without it as CA, verification fails.
  EXPECT_EQ(Get(https + "/healthz").status, 0);
  // Plain HTTP to the TLS port gets no HTTP answer.
  HttpResult plain = Get("http://127.0.0.1:" + std::to_string(server.port()) + "/healthz");
  EXPECT_EQ(plain.status, 0) << plain.body;
  // …and the server still serves HTTPS afterwards.
  EXPECT_EQ(Fetch({.url = https + "/healthz", .ca_file = cert_}).status, 200);
}

TEST_F(TlsTest, NegotiatesTls12And13AndRefusesTls11EvenWhereOpenSslAllowsIt) {
  // Control: under the permissive configuration a plain OpenSSL server does
  // accept TLS 1.1 from this client, so a refusal below is Portico's doing.
  {
    ChildProcess control;
    const uint16_t port = FreePort();
    ASSERT_TRUE(control.Start({"/usr/bin/env", "OPENSSL_CONF=" + permissive_conf_,
                               "/usr/bin/openssl", "s_server", "-accept", std::to_string(port),
                               "-cert", cert_, "-key", key_, "-www", "-naccept", "1"}));
    // (-www: it answers HTTP instead of reading stdin, whose EOF would end it.)
    std::optional<std::string> line;
    while ((line = control.ReadLine(std::chrono::seconds(10))) && *line != "ACCEPT") {
    }
    ASSERT_TRUE(line.has_value()) << "openssl s_server did not start";
    const ShellResult old = Handshake(port, "-tls1_1");
    ASSERT_NE(old.output.find("Protocol version: TLSv1.1"), std::string::npos)
        << "this machine's OpenSSL cannot speak TLS 1.1 at all: " << old.output;
  }

  EnvVars env = TlsEnv();
  env["OPENSSL_CONF"] = permissive_conf_;
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env, &error)) << error;

  const ShellResult tls11 = Handshake(server.port(), "-tls1_1");
  EXPECT_NE(tls11.exit_code, 0) << tls11.output;
  EXPECT_EQ(tls11.output.find("Protocol version: TLSv1.1"), std::string::npos) << tls11.output;
  const ShellResult tls10 = Handshake(server.port(), "-tls1");
  EXPECT_NE(tls10.exit_code, 0) << tls10.output;

  const ShellResult tls12 = Handshake(server.port(), "-tls1_2");
  EXPECT_EQ(tls12.exit_code, 0) << tls12.output;
  EXPECT_NE(tls12.output.find("Protocol version: TLSv1.2"), std::string::npos) << tls12.output;
  const ShellResult tls13 = Handshake(server.port(), "-tls1_3");
  EXPECT_EQ(tls13.exit_code, 0) << tls13.output;
  EXPECT_NE(tls13.output.find("Protocol version: TLSv1.3"), std::string::npos) << tls13.output;
  // Refused handshakes leave the server serving.
  HttpResult health = Fetch(
      {.url = "https://127.0.0.1:" + std::to_string(server.port()) + "/healthz", .ca_file = cert_});
  EXPECT_EQ(health.status, 200) << health.error;
}

TEST_F(TlsTest, BadCertificateOrKeyExitsTwoNamingTheVariable) {
  struct Case {
    std::string cert;
    std::string key;
    std::string variable;
  };
  const std::string missing = (dir_ / "missing.pem").string();
  const std::vector<Case> cases = {
      {cert_, other_key_, "PORTICO_TLS_KEY"},  // a key that does not match the certificate
      {missing, key_, "PORTICO_TLS_CERT"},     // unreadable certificate
      {cert_, missing, "PORTICO_TLS_KEY"},     // unreadable key
      {key_, key_, "PORTICO_TLS_CERT"},        // not a certificate
      {cert_, cert_, "PORTICO_TLS_KEY"},       // not a key
      {cert_, "", "PORTICO_TLS_KEY"},          // one without the other
      {"", key_, "PORTICO_TLS_CERT"},
  };
  for (const Case& c : cases) {
    EnvVars env = BaseEnv(db_);
    if (!c.cert.empty()) env["PORTICO_TLS_CERT"] = c.cert;
    if (!c.key.empty()) env["PORTICO_TLS_KEY"] = c.key;
    const CommandResult r = RunPortico({"serve"}, env, "", std::chrono::seconds(20));
    EXPECT_EQ(r.exit_code, 2) << c.cert << " " << c.key << "\n" << r.err;
    EXPECT_EQ(r.err.rfind("portico: " + c.variable + ": ", 0), 0u) << c.cert << " " << c.key << "\n"
                                                                   << r.err;
  }
}

}  // namespace
}  // namespace portico::testing
