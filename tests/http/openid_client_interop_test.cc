// Portico driven by an OAuth client library no one here wrote: npm
// openid-client v6 (tests/interop/openid_client/interop.mjs) — discovery,
// dynamic client registration, client_credentials, introspection,
// revocation — on SQLite and PostgreSQL. scripts/test installs the package.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "http/e2e_env.h"
#include "portico/parse_json.h"

namespace portico::testing {
namespace {

const std::string kInteropDir = std::string(PORTICO_SOURCE_DIR) + "/tests/interop/openid_client";

// Runs `command` through the shell; its exit code and combined output.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

class OpenIdClientInteropTest : public ::testing::TestWithParam<Backend> {};

TEST_P(OpenIdClientInteropTest, RegistersGetsTokensIntrospectsAndRevokes) {
  ASSERT_TRUE(std::filesystem::exists(kInteropDir + "/node_modules/openid-client"))
      << "run `npm ci --prefix tests/interop/openid_client` (scripts/test does)";
  TestDatabase db(GetParam());
  // openid-client requires the issuer to be exactly the URL it discovers.
  const uint16_t port = FreePort();
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  EnvVars env = BaseEnv(db);
  env["PORTICO_LISTEN"] = "127.0.0.1:" + std::to_string(port);
  env["PUBLIC_BASE_URL"] = url;
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env, &error)) << error;
  CommandResult tenant = RunPortico({"tenant", "create", "--slug", "interop", "--name", "I"}, env);
  ASSERT_EQ(tenant.exit_code, 0) << tenant.err;
  StatusOr<Json> created = ParseJson(tenant.out);
  ASSERT_TRUE(created.ok()) << tenant.out;

  const auto [code, output] =
      Shell("cd '" + kInteropDir + "' && PORTICO_URL='" + url + "' BOOTSTRAP_TOKEN='" +
            created->Find("bootstrapToken")->as_string() + "' timeout 120 node interop.mjs");
  EXPECT_EQ(code, 0) << output << "\n--- server log ---\n" << server.Log();
  EXPECT_NE(output.find("openid-client oauth2 with client_secret_basic: ok"), std::string::npos)
      << output;
  EXPECT_NE(output.find("openid-client oidc with client_secret_post: ok"), std::string::npos)
      << output;
}

INSTANTIATE_TEST_SUITE_P(Backends, OpenIdClientInteropTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
