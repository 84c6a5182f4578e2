// GET /openapi.json and GET /.well-known/api-catalog from the real binary:
// the document answers for every route the server serves (each documented
// operation reaches a route, none is a 404/405 of the router), and it passes
// Spectral (spectral:oas + the OWASP ruleset, tests/openapi_lint) with no
// error. scripts/test installs Spectral with `npm ci`.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

const std::string kLintDir = std::string(PORTICO_SOURCE_DIR) + "/tests/openapi_lint";
// What production emits: an https issuer (the server itself listens on loopback HTTP).
constexpr char kPublicBaseUrl[] = "https://portico.example.test";

// Runs `command` through the shell; its exit code and stdout.
std::pair<int, std::string> Shell(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::array<char, 4096> buffer;
  size_t n = 0;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// "/scim/v2/Users/{id}" → "/scim/v2/Users/x".
std::string Concrete(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      out += "x";
      i = path.find('}', i);
    } else {
      out.push_back(path[i]);
    }
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class OpenApiTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    EnvVars env = BaseEnv(*db_);  // test hooks on: they must stay out of the document
    env["PUBLIC_BASE_URL"] = kPublicBaseUrl;
    std::string error;
    ASSERT_TRUE(server_.Start(env, &error)) << error;
  }
  std::string Url(const std::string& path) const { return server_.base_url() + path; }

  std::unique_ptr<TestDatabase> db_;
  PorticoServer server_;
};

TEST_P(OpenApiTest, ServesOneOpenApi31DocumentWhoseOperationsAllReachARoute) {
  HttpResult r = Get(Url("/openapi.json"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_NE(r.Header("cache-control").find("max-age="), std::string::npos);
  StatusOr<Json> doc = ParseJson(r.body);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_TRUE(doc->Find("openapi")->as_string().starts_with("3.1.")) << r.body.substr(0, 40);
  EXPECT_EQ(doc->Find("servers")->as_array().at(0).Find("url")->as_string(), kPublicBaseUrl);
  const Json& paths = *doc->Find("paths");
  EXPECT_EQ(paths.Find("/__test/sleep"), nullptr) << "test hooks are not part of the API";
  // The hook is registered though, so the server does serve routes the document leaves out.
  EXPECT_EQ(Get(Url("/__test/sleep?ms=0")).status, 200);

  size_t operations = 0;
  for (const auto& [path, item] : paths.as_object()) {
    const bool templated = path.find('{') != std::string::npos;
    for (const auto& [method, op] : item.as_object()) {
      ++operations;
      HttpResult answer = Fetch({.method = Upper(method), .url = Url(Concrete(path))});
      SCOPED_TRACE(Upper(method) + " " + path + " → " + std::to_string(answer.status) + " " +
                   answer.body.substr(0, 200));
      ASSERT_NE(answer.status, 0) << answer.error;
      // 405: the path exists for other methods only; 404 on a literal path: no route.
      EXPECT_NE(answer.status, 405);
      if (!templated) {
        EXPECT_NE(answer.status, 404);
      }
      EXPECT_NE(op.Find("security"), nullptr);
    }
  }
  EXPECT_GT(operations, 50u);
  for (const char* path : {"/api/public/signup/sessions", "/openapi.json", "/healthz"}) {
    const Json* item = paths.Find(path);
    ASSERT_NE(item, nullptr) << path;
    const Json* op = item->as_object().front().second.Find("security");
    EXPECT_TRUE(op->as_array().empty()) << path;
  }
}

TEST_P(OpenApiTest, ApiCatalogLinksTheDocumentRfc9727) {
  HttpResult r = Get(Url("/.well-known/api-catalog"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("content-type"), "application/linkset+json");
  StatusOr<Json> catalog = ParseJson(r.body);
  ASSERT_TRUE(catalog.ok()) << r.body;
  const Json& entry = catalog->Find("linkset")->as_array().at(0);
  EXPECT_EQ(entry.Find("anchor")->as_string(),
            std::string(kPublicBaseUrl) + "/.well-known/api-catalog");
  EXPECT_EQ(entry.Find("service-desc")->as_array().at(0).Find("href")->as_string(),
            std::string(kPublicBaseUrl) + "/openapi.json");
  EXPECT_NE(entry.Find("service-doc"), nullptr);
  EXPECT_EQ(entry.Find("status")->as_array().at(0).Find("href")->as_string(),
            std::string(kPublicBaseUrl) + "/healthz");
}

INSTANTIATE_TEST_SUITE_P(Backends, OpenApiTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

// The served document through Spectral with tests/openapi_lint/.spectral.yaml.
// The backend does not change the document: SQLite only.
TEST(OpenApiLintTest, SpectralOasAndOwaspFindNoError) {
  ASSERT_TRUE(std::filesystem::exists(kLintDir + "/node_modules/@stoplight/spectral-cli"))
      << "run `npm ci --prefix tests/openapi_lint` (scripts/test does)";
  TestDatabase db(Backend::kSqlite);
  EnvVars env = BaseEnv(db);
  env["PUBLIC_BASE_URL"] = kPublicBaseUrl;
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env, &error)) << error;
  HttpResult r = Get(server.base_url() + "/openapi.json");
  ASSERT_EQ(r.status, 200);
  const std::string file = db.dir() + "/openapi.json";
  const std::string report = db.dir() + "/spectral.json";
  std::ofstream(file) << r.body;

  const auto [code, output] =
      Shell("npx --no-install --prefix '" + kLintDir + "' spectral lint --ruleset '" + kLintDir +
            "/.spectral.yaml' --fail-severity=error --format=json --output '" + report + "' '" +
            file + "' 2>&1");
  std::ifstream in(report);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  StatusOr<Json> results = ParseJson(text);
  ASSERT_TRUE(results.ok() && results->is_array()) << output << "\n" << text;
  int errors = 0;
  std::string seen;
  for (const Json& result : results->as_array()) {
    const std::string rule =
        result.Find("code")->is_string() ? result.Find("code")->as_string() : "";
    // The seed's governance rules must not fire at any severity (Spectral names the
    // seed's oas-security-defined oas3-operation-security-defined for OAS 3).
    EXPECT_EQ(rule.find("security-defined"), std::string::npos) << result.Dump();
    EXPECT_NE(rule, "owasp:api3:2023-no-additionalProperties") << result.Dump();
    EXPECT_NE(rule, "owasp:api4:2023-rate-limit") << result.Dump();
    if (result.Find("severity")->as_int() == 0) {
      ++errors;
      seen += result.Dump() + "\n";
    }
  }
  EXPECT_EQ(errors, 0) << seen;
  EXPECT_EQ(code, 0) << output;
}

}  // namespace
}  // namespace portico::testing
