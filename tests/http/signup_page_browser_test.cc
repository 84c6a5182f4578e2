// The signup page (GET /signup) over the real `portico serve`: its security
// headers and caching over HTTP, and a person's whole signup in Debian's
// headless Chromium driven by npm playwright-core
// (tests/browser/signup_page/signup_page.mjs) with the code read from a real
// SMTP server, on SQLite and PostgreSQL. scripts/test installs the package.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>

#include "http/e2e_env.h"
#include "support/http_client.h"
#include "support/test_servers.h"

namespace portico::testing {
namespace {

const std::string kBrowserDir = std::string(PORTICO_SOURCE_DIR) + "/tests/browser/signup_page";
constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kCsp[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

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

void ExpectPageHeaders(const HttpResult& r, const std::string& what) {
  EXPECT_EQ(r.Header("content-security-policy"), kCsp) << what;
  EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << what;
  EXPECT_EQ(r.Header("referrer-policy"), "no-referrer") << what;
}

TEST(SignupPageTest, ServesPageAndAssetsWithStrictPolicyAndRevalidation) {
  TestDatabase db(Backend::kSqlite);
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(BaseEnv(db), &error)) << error;

  HttpResult page = Get(server.base_url() + "/signup");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_EQ(page.Header("cache-control"), "no-store");
  ExpectPageHeaders(page, "/signup");
  // The strict CSP forbids inline code: the page must load its code from files.
  EXPECT_NE(page.body.find("<body data-signup=\"enabled\">"), std::string::npos);
  EXPECT_NE(page.body.find("<script src=\"signup/signup.js\" defer></script>"), std::string::npos);
  EXPECT_EQ(page.body.find("<style"), std::string::npos);
  EXPECT_EQ(page.body.find(" style="), std::string::npos);
  EXPECT_EQ(page.body.find(" onclick="), std::string::npos);

  for (const auto& [path, type] :
       {std::pair<std::string, std::string>{"/signup/signup.css", "text/css; charset=utf-8"},
        {"/signup/signup.js", "text/javascript; charset=utf-8"}}) {
    HttpResult asset = Get(server.base_url() + path);
    ASSERT_EQ(asset.status, 200) << path;
    EXPECT_EQ(asset.Header("content-type"), type) << path;
    EXPECT_EQ(asset.Header("cache-control"), "no-cache") << path;
    ExpectPageHeaders(asset, path);
    const std::string etag = asset.Header("etag");
    ASSERT_EQ(etag.size(), 34u) << path << ": " << etag;
    EXPECT_FALSE(asset.body.empty()) << path;

    HttpResult again = Get(server.base_url() + path, {"If-None-Match: \"other\", W/" + etag});
    EXPECT_EQ(again.status, 304) << path;
    EXPECT_TRUE(again.body.empty()) << path;
    EXPECT_EQ(again.Header("etag"), etag) << path;
    HttpResult changed = Get(server.base_url() + path, {"If-None-Match: \"other\""});
    EXPECT_EQ(changed.status, 200) << path;
  }

  HttpResult slash = Get(server.base_url() + "/signup/");
  EXPECT_EQ(slash.status, 308);
  EXPECT_EQ(slash.Header("location"), "../signup");
  EXPECT_EQ(Get(server.base_url() + "/signup/missing.js").status, 404);
}

TEST(SignupPageTest, MarksThePageClosedWhenSignupIsDisabled) {
  TestDatabase db(Backend::kSqlite);
  EnvVars env = BaseEnv(db);
  env["SELF_SERVE_SIGNUP_ENABLED"] = "false";
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env, &error)) << error;
  HttpResult page = Get(server.base_url() + "/signup");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<body data-signup=\"disabled\">"), std::string::npos);
  ExpectPageHeaders(page, "/signup while disabled");
}

// What the browser script needs; a failure message naming what is missing.
std::string MissingBrowserTools() {
  if (!std::filesystem::exists(kBrowserDir + "/node_modules/playwright-core")) {
    return "tests/browser/signup_page/node_modules is missing: run scripts/test (it runs "
           "`npm ci --prefix tests/browser/signup_page`)";
  }
  if (Shell("command -v node").first != 0) {
    return "node is missing: run scripts/test (scripts/install-deps --test installs Node.js)";
  }
  if (!std::filesystem::exists(kChromium)) {
    return std::string(kChromium) +
           " is missing: run scripts/test (scripts/install-deps --test installs Debian's "
           "chromium)";
  }
  return "";
}

// Runs the browser script in `mode` against `server`; its exit code and output.
std::pair<int, std::string> RunBrowserScript(const PorticoServer& server, const std::string& mode,
                                             const std::string& mail_dir = "") {
  return Shell("cd '" + kBrowserDir + "' && BASE_URL='" + server.base_url() + "' MAIL_DIR='" +
               mail_dir + "' MODE=" + mode + " CHROMIUM='" + kChromium +
               "' timeout 180 node signup_page.mjs");
}

class SignupPageBrowserTest : public ::testing::TestWithParam<Backend> {};

// Starts the SMTP sink and `portico serve` (with `extra` in its environment)
// whose PUBLIC_BASE_URL is its own URL, so the endpoints the page shows work.
class BrowserSignupServer {
 public:
  BrowserSignupServer(Backend backend, const EnvVars& extra) : db_(backend) {
    smtp_port_ =
        StartSupportScript(sink_, "smtp_sink.py", {"--port", "0", "--dir", mail_dir_.string()});
    if (smtp_port_ == 0) return;
    const uint16_t port = FreePort();
    EnvVars env = BaseEnv(db_);
    env["PORTICO_LISTEN"] = "127.0.0.1:" + std::to_string(port);
    env["PUBLIC_BASE_URL"] = "http://127.0.0.1:" + std::to_string(port);
    env["MAIL_URL"] = "smtp://127.0.0.1:" + std::to_string(smtp_port_);
    env["RESEND_FROM_EMAIL"] = "Portico Signup <signup@portico.test>";
    env["OTP_PEPPER"] = kTestOtpPepper;
    env["KEY_HASH_SECRET"] = kTestKeyHashSecret;
    for (const auto& [k, v] : extra) env[k] = v;
    started_ = server_.Start(env, &error_);
  }
  ~BrowserSignupServer() {
    sink_.Terminate();
    std::error_code ignored;
    std::filesystem::remove_all(mail_dir_, ignored);
  }

  bool ok() const { return smtp_port_ > 0 && started_; }
  const std::string& error() const { return error_; }
  PorticoServer& server() { return server_; }
  std::string mail_dir() const { return mail_dir_.string(); }

 private:
  TestDatabase db_;
  std::filesystem::path mail_dir_ = MakeTempDir();
  ChildProcess sink_;
  int smtp_port_ = 0;
  PorticoServer server_;
  bool started_ = false;
  std::string error_;
};

TEST_P(SignupPageBrowserTest, PersonSignsUpInChromiumAndTheShownIntegrationKeyWorks) {
  const std::string missing = MissingBrowserTools();
  ASSERT_TRUE(missing.empty()) << missing;
  // Slow steps (test hook) so the script sees the list fill in and reloads mid-way.
  BrowserSignupServer s(GetParam(), {{"PORTICO_TEST_STEP_DELAY_MS", "300"}});
  ASSERT_TRUE(s.ok()) << s.error();

  const auto [code, output] = RunBrowserScript(s.server(), "full", s.mail_dir());
  EXPECT_EQ(code, 0) << output << "\n--- server log ---\n" << s.server().Log();
  EXPECT_NE(output.find("signup page (full): ok"), std::string::npos) << output;
}

INSTANTIATE_TEST_SUITE_P(Backends, SignupPageBrowserTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

// REVIEW_REQUIRED and its retry are the page's logic over one API answer: one backend.
TEST(SignupPageBrowserReviewTest, ShowsReviewRequiredWithItsReasonAndRetriesWithANewKey) {
  const std::string missing = MissingBrowserTools();
  ASSERT_TRUE(missing.empty()) << missing;
  BrowserSignupServer s(Backend::kSqlite, {{"PORTICO_TEST_FAIL_STEP", "detectors_seeded_at"}});
  ASSERT_TRUE(s.ok()) << s.error();

  const auto [code, output] = RunBrowserScript(s.server(), "review", s.mail_dir());
  EXPECT_EQ(code, 0) << output << "\n--- server log ---\n" << s.server().Log();
  EXPECT_NE(output.find("signup page (review): ok"), std::string::npos) << output;
}

// The page's own state, not the database: one backend is enough.
TEST(SignupPageBrowserClosedTest, ShowsSignupClosedInChromiumWhenTheFeatureIsOff) {
  const std::string missing = MissingBrowserTools();
  ASSERT_TRUE(missing.empty()) << missing;
  TestDatabase db(Backend::kSqlite);
  EnvVars env = BaseEnv(db);
  env["SELF_SERVE_SIGNUP_ENABLED"] = "false";
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env, &error)) << error;

  const auto [code, output] = RunBrowserScript(server, "disabled");
  EXPECT_EQ(code, 0) << output << "\n--- server log ---\n" << server.Log();
  EXPECT_NE(output.find("signup page (disabled): ok"), std::string::npos) << output;
}

}  // namespace
}  // namespace portico::testing
