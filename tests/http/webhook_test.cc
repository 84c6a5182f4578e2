// Webhooks over the real `portico` binary, on SQLite and PostgreSQL: the CLI
// that manages endpoints, and signed deliveries to a real HTTP receiver
// (tests/support/webhook_receiver.py) that verifies every signature with its
// own implementation.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "db/open_database.h"
#include "http/e2e_env.h"
#include "portico/database.h"
#include "portico/parse_json.h"
#include "support/http_client.h"
#include "support/test_servers.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// tests/support/webhook_receiver.py on a free loopback port; Secret() hands it
// the whsec_ secret once `portico webhook add` printed it.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::vector<std::string> extra_args = {}) : dir_(MakeTempDir()) {
    std::vector<std::string> args = {"--port",        "0",
                                     "--out",         (dir_ / "log.jsonl").string(),
                                     "--secret-file", (dir_ / "secret").string()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    port_ = StartSupportScript(process_, "webhook_receiver.py", args);
  }
  ~WebhookReceiver() {
    process_.Terminate();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  void SetSecret(const std::string& secret) { std::ofstream(dir_ / "secret") << secret; }

  // Every delivery received, oldest first (see webhook_receiver.py).
  std::vector<Json> Deliveries() const {
    std::vector<Json> out;
    // Only whole lines: one being written is read next time.
    std::string text = ReadFile(dir_ / "log.jsonl");
    const size_t last = text.rfind('\n');
    text.resize(last == std::string::npos ? 0 : last + 1);
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      StatusOr<Json> parsed = ParseJson(line);
      if (parsed.ok())
        out.push_back(*parsed);
      else
        ADD_FAILURE() << "unreadable record: " << line;
    }
    return out;
  }
  // Deliveries answered 2xx: the receiver's success path.
  size_t Accepted() const {
    size_t n = 0;
    for (const Json& d : Deliveries()) {
      const int64_t status = d.Find("status")->as_int();
      if (status >= 200 && status < 300) ++n;
    }
    return n;
  }

 private:
  std::filesystem::path dir_;
  ChildProcess process_;
  int port_ = 0;
};

Json ParseOut(const CommandResult& r) {
  StatusOr<Json> json = ParseJson(r.out);
  EXPECT_TRUE(json.ok()) << "stdout: " << r.out << "\nstderr: " << r.err;
  return json.ok() ? *json : Json::MakeObject();
}

std::string Str(const Json& json, const char* name) {
  const Json* value = json.Find(name);
  return value != nullptr && value->is_string() ? value->as_string() : "";
}

class WebhookTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam());
    env_ = BaseEnv(*db_);
    // Test builds only: retry after 300 ms instead of 5 s, 5 min, ….
    env_["PORTICO_TEST_WEBHOOK_RETRY_MS"] = "300,300,300,300";
    const CommandResult tenant =
        RunPortico({"tenant", "create", "--slug", "hooked", "--name", "Hooked"}, env_);
    ASSERT_EQ(tenant.exit_code, 0) << tenant.err;
    const Json created = ParseOut(tenant);
    tenant_id_ = Str(created, "tenantId");
    integration_key_ = Str(created, "integrationKey");
  }

  CommandResult Portico(const std::vector<std::string>& args) { return RunPortico(args, env_); }

  // `portico webhook add`; hands the printed secret to the receiver.
  Json AddWebhook(WebhookReceiver& receiver, const std::string& events) {
    const CommandResult r = Portico(
        {"webhook", "add", "--tenant", "hooked", "--url", receiver.url(), "--events", events});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json out = ParseOut(r);
    receiver.SetSecret(Str(out, "secret"));
    return out;
  }

  std::unique_ptr<TestDatabase> db_;
  EnvVars env_;
  std::string tenant_id_;
  std::string integration_key_;
};

bool Eventually(const std::function<bool()>& done, seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return done();
}

TEST_P(WebhookTest, ASignedEventIsRetriedWithTheSameIdUntilTheReceiverAcceptsItOnce) {
  WebhookReceiver subscribed({"--statuses", "500,500,200"});
  WebhookReceiver unsubscribed;
  AddWebhook(subscribed, "scim.user.created");
  AddWebhook(unsubscribed, "scim.group.*,client.created");
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env_, &error)) << error;

  const HttpResult user = Fetch(
      {.method = "POST",
       .url = server.base_url() + "/scim/v2/Users",
       .headers = {"Authorization: Bearer " + integration_key_,
                   "Content-Type: application/scim+json"},
       .body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ada"})"});
  ASSERT_EQ(user.status, 201) << user.body;
  const std::string user_id = Str(*ParseJson(user.body), "id");

  ASSERT_TRUE(Eventually([&] { return subscribed.Accepted() >= 1; }, seconds(30))) << server.Log();
  // Longer than the remaining schedule: nothing more may arrive.
  std::this_thread::sleep_for(milliseconds(1500));

  const std::vector<Json> deliveries = subscribed.Deliveries();
  ASSERT_EQ(deliveries.size(), 3u) << server.Log();
  const std::string webhook_id = Str(deliveries[0], "webhook_id");
  EXPECT_EQ(webhook_id.rfind("msg_", 0), 0u);
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const Json& d = deliveries[i];
    EXPECT_TRUE(d.Find("verified")->as_bool()) << Str(d, "error");
    EXPECT_EQ(Str(d, "webhook_id"), webhook_id) << "a retry keeps its id";
    EXPECT_EQ(d.Find("attempt")->as_int(), static_cast<int64_t>(i + 1));
    EXPECT_EQ(Str(d, "content_type"), "application/json");
    EXPECT_EQ(Str(d, "body"), Str(deliveries[0], "body")) << "a retry sends the same bytes";
  }
  EXPECT_EQ(subscribed.Accepted(), 1u);
  EXPECT_EQ(deliveries[2].Find("status")->as_int(), 200);

  const Json body = *ParseJson(Str(deliveries[0], "body"));
  EXPECT_EQ(Str(body, "type"), "scim.user.created");
  EXPECT_FALSE(Str(body, "timestamp").empty());
  const Json* data = body.Find("data");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(Str(*data, "tenantId"), tenant_id_);
  EXPECT_EQ(Str(*data, "id"), user_id);
  EXPECT_EQ(data->Find("type"), nullptr);
  EXPECT_EQ(data->Find("at"), nullptr);

  EXPECT_TRUE(unsubscribed.Deliveries().empty()) << "not subscribed to scim.user.created";
  // The audit log is still written.
  EXPECT_NE(server.Log().find("\"scim.user.created\""), std::string::npos);
  EXPECT_NE(server.Log().find("audit_event"), std::string::npos);
}

TEST_P(WebhookTest, AReceiverAnsweringGoneIsDisabled) {
  WebhookReceiver gone({"--statuses", "410"});
  const std::string id = Str(AddWebhook(gone, "*"), "id");
  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env_, &error)) << error;
  // tenant.created, queued before the endpoint existed, is fanned out when
  // the server delivers it.
  ASSERT_TRUE(Eventually([&] { return !gone.Deliveries().empty(); }, seconds(30))) << server.Log();
  ASSERT_TRUE(server.WaitForLog("webhook.endpoint_disabled", seconds(10))) << server.Log();
  const Json listed = ParseOut(Portico({"webhook", "list", "--tenant", "hooked"}));
  const Json& endpoints = *listed.Find("webhooks");
  ASSERT_EQ(endpoints.as_array().size(), 1u);
  EXPECT_EQ(Str(endpoints.as_array()[0], "id"), id);
  EXPECT_FALSE(endpoints.as_array()[0].Find("enabled")->as_bool());
  EXPECT_EQ(gone.Deliveries().size(), 1u) << "no retry after 410";
}

// The CLI: `portico webhook add | list | remove`.
using WebhookCliTest = WebhookTest;

TEST_P(WebhookCliTest, AddPrintsTheEndpointWithItsSecretOnceAndStoresItSealed) {
  const CommandResult r =
      Portico({"webhook", "add", "--tenant", "hooked", "--url", "https://hooks.example/in",
               "--events", "user.created, organization.created,user.created"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json out = ParseOut(r);
  const std::string id = Str(out, "id");
  const std::string secret = Str(out, "secret");
  EXPECT_EQ(id.rfind("we_", 0), 0u);
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_EQ(Str(out, "tenantId"), tenant_id_);
  EXPECT_EQ(Str(out, "url"), "https://hooks.example/in");
  EXPECT_EQ(*out.Find("events"),
            Json(Json::Array{Json("user.created"), Json("organization.created")}));
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one JSON object, one line";

  const CommandResult list = Portico({"webhook", "list", "--tenant", "hooked"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.find(secret.substr(6)), std::string::npos) << "never the secret";
  const Json listed = ParseOut(list);
  ASSERT_EQ(listed.Find("webhooks")->as_array().size(), 1u);
  const Json& row = listed.Find("webhooks")->as_array()[0];
  EXPECT_EQ(Str(row, "id"), id);
  EXPECT_TRUE(row.Find("enabled")->as_bool());
  EXPECT_EQ(row.Find("secret"), nullptr);

  // At rest the secret is sealed: neither it nor its key is in the row.
  auto url = db::ParseDatabaseUrl(db_->url());
  ASSERT_TRUE(url.ok());
  auto database = db::OpenDatabase(*url, {.pool_size = 1});
  ASSERT_TRUE(database.ok()) << database.status().ToString();
  std::vector<WebhookEndpoint> stored;
  ASSERT_TRUE((*database)
                  ->Run([&](Stores& s) -> Status {
                    PORTICO_ASSIGN_OR_RETURN(stored, s.webhooks().ListByTenant(tenant_id_));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_FALSE(stored[0].sealed_secret.empty());
  EXPECT_EQ(stored[0].sealed_secret.find(secret.substr(6)), std::string::npos);
}

TEST_P(WebhookCliTest, RemoveDeletesTheEndpoint) {
  const std::string id = Str(ParseOut(Portico({"webhook", "add", "--tenant", "hooked", "--url",
                                               "https://hooks.example/in", "--events", "*"})),
                             "id");
  const CommandResult removed = Portico({"webhook", "remove", "--tenant", "hooked", "--id", id});
  ASSERT_EQ(removed.exit_code, 0) << removed.err;
  EXPECT_TRUE(ParseOut(removed).Find("removed")->as_bool());
  EXPECT_TRUE(ParseOut(Portico({"webhook", "list", "--tenant", "hooked"}))
                  .Find("webhooks")
                  ->as_array()
                  .empty());
  const CommandResult again = Portico({"webhook", "remove", "--tenant", "hooked", "--id", id});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find(id), std::string::npos) << again.err;
}

TEST_P(WebhookCliTest, BadArgumentsExitTwoWithAClearMessage) {
  struct Case {
    std::vector<std::string> args;
    const char* message;
  };
  const std::vector<Case> cases = {
      {{"webhook", "add", "--tenant", "hooked", "--url", "http://hooks.example/in", "--events",
        "*"},
       "https"},
      {{"webhook", "add", "--tenant", "hooked", "--url", "https://u:p@hooks.example/in", "--events",
        "*"},
       "userinfo"},
      {{"webhook", "add", "--tenant", "hooked", "--url", "https://hooks.example/in#x", "--events",
        "*"},
       "fragment"},
      {{"webhook", "add", "--tenant", "hooked", "--url", "hooks.example/in", "--events", "*"},
       "absolute"},
      {{"webhook", "add", "--tenant", "hooked", "--url", "https://hooks.example/in", "--events",
        "user.created,user.exploded"},
       "user.exploded"},
      {{"webhook", "add", "--tenant", "hooked", "--url", "https://hooks.example/in"}, "--events"},
      {{"webhook", "add", "--tenant", "nobody", "--url", "https://hooks.example/in", "--events",
        "*"},
       "nobody"},
      {{"webhook", "list"}, "--tenant"},
      {{"webhook", "list", "--tenant", "hooked", "--url", "x"}, "--url"},
      {{"webhook", "remove", "--tenant", "hooked"}, "--id"},
      {{"webhook", "explode"}, "unknown webhook command"},
  };
  for (const Case& c : cases) {
    const CommandResult r = Portico(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << " " << c.message << ": " << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_TRUE(ParseOut(Portico({"webhook", "list", "--tenant", "hooked"}))
                  .Find("webhooks")
                  ->as_array()
                  .empty());
}

TEST_P(WebhookCliTest, HelpListsTheWebhookCommandsAndEventTypes) {
  const CommandResult r = Portico({"help"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("portico webhook add --tenant SLUG --url URL --events"), std::string::npos);
  EXPECT_NE(r.out.find("scim.user.created"), std::string::npos);
  EXPECT_NE(r.out.find("organization.created"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, WebhookTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());
INSTANTIATE_TEST_SUITE_P(Backends, WebhookCliTest, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
