#pragma once

// The self-serve signup flow over the real `portico serve` for the
// provisioning tests: create → the code from a real SMTP sink → verify →
// provision, plus direct reads of the database for the checks.
#include <gtest/gtest.h>
#include <soci/soci.h>

#include <signal.h>

#include <memory>
#include <regex>
#include <thread>

#include "db/open_database.h"
#include "db/session.h"
#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"
#include "support/test_servers.h"

namespace portico::testing {

inline constexpr char kSignupSessions[] = "/api/public/signup/sessions";
inline constexpr char kJsonType[] = "Content-Type: application/json";

inline Json JsonOf(const HttpResult& r) {
  StatusOr<Json> json = ParseJson(r.body);
  return json.ok() ? *json : Json::MakeObject();
}

inline std::string StrOf(const Json& doc, std::string_view name) {
  const Json* v = doc.Find(name);
  return v != nullptr && v->is_string() ? v->as_string() : "<none>";
}

class SignupFlowTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    ASSERT_GT(sink_.port(), 0);
  }

  EnvVars Env(const EnvVars& extra = {}) const {
    EnvVars env = BaseEnv(*db_);
    env["MAIL_URL"] = sink_.url();
    env["RESEND_FROM_EMAIL"] = "Portico Signup <signup@portico.test>";
    // The SQLite secrets file would differ per process otherwise? It is kept
    // beside the database, so restarts share it; set them anyway.
    env["OTP_PEPPER"] = kTestOtpPepper;
    env["KEY_HASH_SECRET"] = kTestKeyHashSecret;
    for (const auto& [k, v] : extra) env[k] = v;
    return env;
  }

  // Starts (or replaces) the server with `extra` on top of Env().
  void Start(const EnvVars& extra = {}) {
    server_ = std::make_unique<PorticoServer>();
    std::string error;
    ASSERT_TRUE(server_->Start(Env(extra), &error)) << error;
  }

  HttpResult Post(const std::string& path, const std::string& body,
                  PorticoServer* server = nullptr) {
    PorticoServer& s = server != nullptr ? *server : *server_;
    return Fetch({.method = "POST",
                  .url = s.base_url() + path,
                  .headers = {kJsonType, "User-Agent: provision-e2e/1.0"},
                  .body = body,
                  .timeout_ms = 30000});
  }

  // Creates a session for `slug` and returns its id ("" after a failure).
  std::string CreateSession(const std::string& slug) {
    const std::string body = R"({"companyName": "Acme Corp", "slug": ")" + slug +
                             R"(", "modules": ["scim", "dcr", "signup"], "adminEmail": "admin@)" +
                             slug +
                             R"(.example", "legalAcceptance": {"termsVersion": "2026-01",
        "privacyVersion": "2026-02", "acceptedAt": "2026-01-01T00:00:00Z"}})";
    HttpResult r = Post(kSignupSessions, body);
    EXPECT_EQ(r.status, 201) << r.body;
    return StrOf(JsonOf(r), "sessionId");
  }

  // Messages to `email` in the SMTP sink.
  std::vector<std::string> MailsTo(const std::string& email) const {
    std::vector<std::string> mine;
    for (const std::string& m : sink_.Messages()) {
      if (m.find("to=<" + email + ">") != std::string::npos) mine.push_back(m);
    }
    return mine;
  }

  // Waits until a mail to `email` contains `needle`; returns it ("" on timeout).
  std::string WaitForMail(const std::string& email, const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      for (const std::string& m : MailsTo(email)) {
        if (m.find(needle) != std::string::npos) return m;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "";
  }

  // Creates and verifies a session with the mailed code; returns its id.
  std::string VerifiedSession(const std::string& slug) {
    const std::string id = CreateSession(slug);
    if (id == "<none>") return id;
    const std::string mail = WaitForMail("admin@" + slug + ".example", "verification code is");
    std::smatch match;
    const std::regex code_line("verification code is: ([0-9]{6})");
    EXPECT_TRUE(std::regex_search(mail, match, code_line)) << "no code mailed";
    HttpResult r = Post(std::string(kSignupSessions) + "/" + id + "/verify-email",
                        R"({"otp": ")" + match[1].str() + R"("})");
    EXPECT_EQ(r.status, 200) << r.body;
    return id;
  }

  HttpResult Provision(const std::string& id, const std::string& key,
                       const std::string& extra = "", PorticoServer* server = nullptr) {
    return Post(std::string(kSignupSessions) + "/" + id + "/provision",
                R"({"idempotencyKey": ")" + key + "\"" + extra + "}", server);
  }

  HttpResult GetSession(const std::string& id) {
    return Fetch({.method = "GET", .url = server_->base_url() + kSignupSessions + "/" + id});
  }

  // One number from the database.
  long long Count(const std::string& sql_text, const std::string& param) {
    auto url = db::ParseDatabaseUrl(db_->url());
    EXPECT_TRUE(url.ok());
    soci::session sql;
    db::OpenSession(sql, *url, false);
    long long n = -1;
    sql << sql_text, soci::use(param), soci::into(n);
    return n;
  }

  std::unique_ptr<TestDatabase> db_;
  SmtpSink sink_;
  std::unique_ptr<PorticoServer> server_;
};

}  // namespace portico::testing
