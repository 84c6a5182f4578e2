// Secrets never reach the log, on SQLite and PostgreSQL: every kind of
// secret Portico mints or accepts is issued and used against the real
// `portico serve` (at debug level), then its whole log is searched for each
// one. Every log line must be one JSON object.
#include <gtest/gtest.h>

#include <cctype>
#include <regex>
#include <sstream>

#include "http/signup_flow.h"

namespace portico::testing {
namespace {

// Whether `secret` occurs in `log`. A numeric secret (the 6-digit code) counts
// only as a whole number: the same digits inside a timestamp or a latency are
// no leak.
bool Appears(const std::string& log, const std::string& secret) {
  const bool numeric = secret.find_first_not_of("0123456789") == std::string::npos;
  for (size_t at = log.find(secret); at != std::string::npos; at = log.find(secret, at + 1)) {
    if (!numeric) return true;
    const bool digit_before = at > 0 && std::isdigit(static_cast<unsigned char>(log[at - 1]));
    const size_t end = at + secret.size();
    const bool digit_after = end < log.size() && std::isdigit(static_cast<unsigned char>(log[end]));
    if (!digit_before && !digit_after) return true;
  }
  return false;
}

class LogSecretsTest : public SignupFlowTest {
 protected:
  HttpResult Call(const std::string& method, const std::string& path, const std::string& body,
                  std::vector<std::string> headers) {
    return Fetch({.method = method,
                  .url = server_->base_url() + path,
                  .headers = std::move(headers),
                  .body = body,
                  .timeout_ms = 30000});
  }
  // Remembers a secret to look for; fails when the test could not obtain it.
  void Secret(const std::string& what, const std::string& value) {
    ASSERT_FALSE(value.empty() || value == "<none>") << what << " was not issued";
    secrets_.emplace_back(what, value);
  }
  std::vector<std::pair<std::string, std::string>> secrets_;
};

TEST_P(LogSecretsTest, NoSecretAppearsInTheLogAndEveryLineIsJson) {
  ASSERT_NO_FATAL_FAILURE(Start({{"PORTICO_LOG_LEVEL", "debug"}}));

  // The CLI's tenant: integration key, bootstrap token, public login token.
  CommandResult cli =
      RunPortico({"tenant", "create", "--slug", "cli-co", "--name", "CLI Co"}, Env());
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  const Json cli_tenant = JsonOf(HttpResult{.status = 200, .body = cli.out});
  Secret("CLI integrationKey", StrOf(cli_tenant, "integrationKey"));
  Secret("CLI bootstrapToken", StrOf(cli_tenant, "bootstrapToken"));
  Secret("CLI publicLoginToken", StrOf(cli_tenant, "publicLoginToken"));

  // A signup session: its mailed code, then the provision answer's credentials
  // (behind an idempotency key, asked for twice so the replay path runs too).
  const std::string id = CreateSession("secret-co");
  Secret("signup session id", id);  // the caller's handle: logged only as a hash
  const std::string mail = WaitForMail("admin@secret-co.example", "verification code is");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(mail, match, std::regex("verification code is: ([0-9]{6})")));
  const std::string otp = match[1].str();
  Secret("signup OTP", otp);
  // A wrong code first, so the failure path logs too (a code unlike the real one).
  const std::string wrong = otp == "000000" ? "111111" : "000000";
  EXPECT_EQ(Post(std::string(kSignupSessions) + "/" + id + "/verify-email",
                 R"({"otp": ")" + wrong + R"("})")
                .status,
            400);
  ASSERT_EQ(Post(std::string(kSignupSessions) + "/" + id + "/verify-email",
                 R"({"otp": ")" + otp + R"("})")
                .status,
            200);
  const std::string idempotency_key = "secret-idem-key-0001";
  HttpResult provisioned = Provision(id, idempotency_key);
  ASSERT_EQ(provisioned.status, 201) << provisioned.body;
  ASSERT_EQ(Provision(id, idempotency_key).status, 201);
  const Json creds = JsonOf(provisioned);
  const std::string ik = StrOf(creds, "integrationKey");
  const std::string bt = StrOf(creds, "bootstrapToken");
  const std::string pl = StrOf(creds, "publicLoginToken");
  Secret("provisioned integrationKey", ik);
  Secret("provisioned bootstrapToken", bt);
  Secret("provisioned publicLoginToken", pl);
  Secret("provision idempotency key", idempotency_key);

  // The tenant's webhook secret (printed once by the CLI); the endpoint
  // refuses connections, so failed deliveries are logged too.
  CommandResult hook =
      RunPortico({"webhook", "add", "--tenant", "secret-co", "--url",
                  "http://127.0.0.1:" + std::to_string(FreePort()) + "/hook", "--events", "*"},
                 Env());
  ASSERT_EQ(hook.exit_code, 0) << hook.err;
  Secret("webhook secret", StrOf(JsonOf(HttpResult{.status = 200, .body = hook.out}), "secret"));

  // SCIM with the integration key (a user with a password, which is secret too).
  const std::string scim_password = "Scim-Pa55word-never-logged";
  Secret("SCIM user password", scim_password);
  HttpResult user = Call("POST", "/scim/v2/Users",
                         R"({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                             "userName": "u1@secret-co.example", "password": ")" +
                             scim_password + R"("})",
                         {"Authorization: Bearer " + ik, "Content-Type: application/scim+json"});
  EXPECT_EQ(user.status, 201) << user.body;
  // A well-formed key that does not exist: refused, and not logged either.
  const std::string forged = "portico_ik_" + std::string(43, 'Q');
  Secret("forged integration key", forged);
  EXPECT_EQ(Call("GET", "/scim/v2/Users", "", {"Authorization: Bearer " + forged}).status, 401);

  // DCR with the bootstrap token: client_secret and registration_access_token.
  HttpResult registered = Call("POST", "/oauth/register",
                               R"({"client_name": "Agent", "grant_types": ["client_credentials"],
               "token_endpoint_auth_method": "client_secret_post", "scope": "read"})",
                               {"Authorization: Bearer " + bt, "Content-Type: application/json"});
  ASSERT_EQ(registered.status, 201) << registered.body;
  const Json client = JsonOf(registered);
  const std::string client_id = StrOf(client, "client_id");
  const std::string client_secret = StrOf(client, "client_secret");
  const std::string rat = StrOf(client, "registration_access_token");
  Secret("DCR client_secret", client_secret);
  Secret("DCR registration_access_token", rat);
  EXPECT_EQ(
      Call("GET", "/oauth/register/" + client_id, "", {"Authorization: Bearer " + rat}).status,
      200);

  // The token endpoint: an access token; a wrong secret is refused and not logged.
  HttpResult issued = Call(
      "POST", "/oauth/token",
      "grant_type=client_credentials&client_id=" + client_id + "&client_secret=" + client_secret,
      {"Content-Type: application/x-www-form-urlencoded"});
  ASSERT_EQ(issued.status, 200) << issued.body;
  Secret("access token", StrOf(JsonOf(issued), "access_token"));
  const std::string wrong_secret = client_secret + "x";
  Secret("wrong client secret", wrong_secret);
  EXPECT_EQ(Call("POST", "/oauth/token",
                 "grant_type=client_credentials&client_id=" + client_id +
                     "&client_secret=" + wrong_secret,
                 {"Content-Type: application/x-www-form-urlencoded"})
                .status,
            401);

  // Account sign-up with the public login token: password and session token.
  const std::string password = "correct horse battery staple 42";
  Secret("account password", password);
  HttpResult signed_up = Call(
      "POST", "/api/auth/sign-up",
      R"({"email": "jane@secret-co.example", "password": ")" + password + R"(", "name": "Jane"})",
      {"Authorization: Bearer " + pl, "Content-Type: application/json"});
  ASSERT_EQ(signed_up.status, 201) << signed_up.body;
  const Json signed_up_body = JsonOf(signed_up);
  const Json* data = signed_up_body.Find("data");
  ASSERT_NE(data, nullptr) << signed_up.body;
  const Json* session = data->Find("session");
  ASSERT_NE(session, nullptr) << signed_up.body;
  Secret("account session token", StrOf(*session, "token"));
  EXPECT_EQ(Call("POST", "/api/auth/sign-in",
                 R"({"email": "jane@secret-co.example", "password": ")" + password + R"("})",
                 {"Authorization: Bearer " + pl, "Content-Type: application/json"})
                .status,
            200);

  // Let the outbox deliver (and fail to deliver) what was queued, then stop.
  EXPECT_TRUE(server_->WaitForLog("outbox.delivery_failed", std::chrono::seconds(20)))
      << "no webhook delivery was attempted";
  server_->Signal(SIGTERM);
  ASSERT_TRUE(server_->Wait(std::chrono::seconds(30)).has_value());

  const std::string log = server_->Log();
  ASSERT_FALSE(log.empty());
  for (const auto& [what, value] : secrets_) {
    EXPECT_FALSE(Appears(log, value)) << what << " appears in the log";
  }
  std::istringstream lines(log);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    StatusOr<Json> parsed = ParseJson(line);
    EXPECT_TRUE(parsed.ok() && parsed->is_object()) << "not a JSON object: " << line;
  }
  EXPECT_GT(count, 20);
}

INSTANTIATE_TEST_SUITE_P(Backends, LogSecretsTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
