// Horizontal scale: two `portico serve` processes on one PostgreSQL database
// behave as one (DESIGN.md, "All state lives in the database"). Requests
// alternate or race between the processes; the answers must be those of a
// single server. PostgreSQL only, the production path for several processes
// (SQLite is the one-process default): skipped when PORTICO_TEST_PG_URL is unset.
#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdlib>
#include <future>
#include <map>
#include <mutex>
#include <regex>
#include <set>

#include "http/signup_flow.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kCountTenants[] = "SELECT COUNT(*) FROM tenants WHERE slug = :s";
constexpr char kScimType[] = "Content-Type: application/scim+json";

// Releases every waiting thread at once, so requests to the two processes
// leave as close together as threads allow.
class StartLine {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

class TwoProcessTest : public SignupFlowTest {
 protected:
  void SetUp() override {
    const char* pg = std::getenv("PORTICO_TEST_PG_URL");
    if (pg == nullptr || *pg == '\0') GTEST_SKIP() << "PORTICO_TEST_PG_URL is unset";
    SignupFlowTest::SetUp();
  }

  // Starts process A (server_) and process B (other_) with the same environment.
  void StartBoth(const EnvVars& extra = {}) {
    ASSERT_NO_FATAL_FAILURE(Start(extra));
    other_ = std::make_unique<PorticoServer>();
    std::string error;
    ASSERT_TRUE(other_->Start(Env(extra), &error)) << error;
  }

  // Process i % 2: A for even i, B for odd.
  PorticoServer& Process(int i) { return i % 2 == 0 ? *server_ : *other_; }

  std::string SessionBody(const std::string& slug) {
    return R"({"companyName": "Acme Corp", "slug": ")" + slug +
           R"(", "modules": ["scim", "dcr", "signup"], "adminEmail": "admin@)" + slug +
           R"(.example", "legalAcceptance": {"termsVersion": "2026-01",
        "privacyVersion": "2026-02", "acceptedAt": "2026-01-01T00:00:00Z"}})";
  }

  std::unique_ptr<PorticoServer> other_;
};

// (a) The per-IP create limit is one counter in the database, not one per
// process: with a limit of 4, requests alternating between the processes are
// refused from the fifth on, although each process has seen at most three.
TEST_P(TwoProcessTest, RateLimitIsSharedAcrossProcesses) {
  ASSERT_NO_FATAL_FAILURE(StartBoth({{"SIGNUP_CREATE_LIMIT_IP", "4/1h"}}));
  std::vector<long> statuses;
  for (int i = 0; i < 7; ++i) {
    const std::string slug = "limited" + std::to_string(i);
    HttpResult r = Post(kSignupSessions, SessionBody(slug), &Process(i));
    statuses.push_back(r.status);
    if (i >= 4) {
      EXPECT_EQ(r.status, 429) << "request " << i << ": " << r.body;
      EXPECT_EQ(StrOf(JsonOf(r), "code"), "RATE_LIMITED") << r.body;
      EXPECT_FALSE(r.Header("retry-after").empty()) << "request " << i;
    } else {
      EXPECT_EQ(r.status, 201) << "request " << i << ": " << r.body;
    }
  }
}

// (b) Both processes provision the same verified session at the same moment,
// on the production path (one transaction, no test delays), many times: one
// tenant each time; each answer is the winner's 201 (or its replay, same
// tenant) or 409 PROVISIONING_IN_PROGRESS, never a second tenant.
TEST_P(TwoProcessTest, RacingProvisionsMakeOneTenant) {
  ASSERT_NO_FATAL_FAILURE(StartBoth());
  int busy = 0;
  for (int round = 0; round < 6; ++round) {
    const std::string slug = "race" + std::to_string(round);
    const std::string id = VerifiedSession(slug);
    ASSERT_NE(id, "<none>");
    const std::string key = "key-race-000" + std::to_string(round);
    StartLine start;
    auto a = std::async(std::launch::async, [&] {
      start.Wait();
      return Provision(id, key, "", server_.get());
    });
    auto b = std::async(std::launch::async, [&] {
      start.Wait();
      return Provision(id, key, "", other_.get());
    });
    start.Open();
    const HttpResult ra = a.get();
    const HttpResult rb = b.get();
    std::set<std::string> tenant_ids;
    int created = 0;
    for (const HttpResult* r : {&ra, &rb}) {
      if (r->status == 201) {
        ++created;
        EXPECT_EQ(StrOf(JsonOf(*r), "status"), "PROVISIONED") << r->body;
        const Json* tenant = JsonOf(*r).Find("tenant");
        ASSERT_TRUE(tenant != nullptr && tenant->is_object()) << r->body;
        tenant_ids.insert(StrOf(*tenant, "id"));
      } else {
        ++busy;
        EXPECT_EQ(r->status, 409) << r->body;
        EXPECT_EQ(StrOf(JsonOf(*r), "code"), "PROVISIONING_IN_PROGRESS") << r->body;
      }
    }
    EXPECT_GE(created, 1) << ra.body << "\n" << rb.body;
    EXPECT_EQ(tenant_ids.size(), 1u) << "two 201s must be one tenant replayed";
    EXPECT_EQ(Count(kCountTenants, slug), 1) << slug;
    // Afterwards both processes replay the same tenant.
    const HttpResult replay_a = Provision(id, key, "", server_.get());
    const HttpResult replay_b = Provision(id, key, "", other_.get());
    ASSERT_EQ(replay_a.status, 201) << replay_a.body;
    ASSERT_EQ(replay_b.status, 201) << replay_b.body;
    EXPECT_EQ(StrOf(*JsonOf(replay_a).Find("tenant"), "id"),
              StrOf(*JsonOf(replay_b).Find("tenant"), "id"));
  }
  RecordProperty("in_progress_answers", busy);
}

// (c) The same userName POSTed to both processes at once, many times: one
// user each time, the other request 409 with scimType "uniqueness".
TEST_P(TwoProcessTest, ScimUserNameRaceAcrossProcessesCreatesOneUser) {
  ASSERT_NO_FATAL_FAILURE(StartBoth());
  const CommandResult tenant =
      RunPortico({"tenant", "create", "--slug", "scimrace", "--name", "SCIM race"}, Env());
  ASSERT_EQ(tenant.exit_code, 0) << tenant.err;
  StatusOr<Json> created = ParseJson(tenant.out);
  ASSERT_TRUE(created.ok()) << tenant.out;
  const std::string auth = "Authorization: Bearer " + created->Find("integrationKey")->as_string();

  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    const std::string user_name = "racer" + std::to_string(round) + "@example.com";
    const std::string body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],)"
                             R"("userName":")" +
                             user_name + R"("})";
    StartLine start;
    auto post = [&](PorticoServer* server) {
      start.Wait();
      return Fetch({.method = "POST",
                    .url = server->base_url() + "/scim/v2/Users",
                    .headers = {kScimType, auth},
                    .body = body});
    };
    auto a = std::async(std::launch::async, post, server_.get());
    auto b = std::async(std::launch::async, post, other_.get());
    start.Open();
    const HttpResult ra = a.get();
    const HttpResult rb = b.get();
    const HttpResult& conflict = ra.status == 409 ? ra : rb;
    EXPECT_EQ(std::multiset<long>({ra.status, rb.status}), std::multiset<long>({201, 409}))
        << user_name << "\n"
        << ra.body << "\n"
        << rb.body;
    EXPECT_EQ(StrOf(JsonOf(conflict), "scimType"), "uniqueness") << conflict.body;
  }
  // Exactly kRounds users, each name once, as either process lists them.
  for (PorticoServer* server : {server_.get(), other_.get()}) {
    HttpResult list =
        Fetch({.url = server->base_url() + "/scim/v2/Users?count=200", .headers = {auth}});
    ASSERT_EQ(list.status, 200) << list.body;
    const Json* total = JsonOf(list).Find("totalResults");
    ASSERT_NE(total, nullptr) << list.body;
    EXPECT_EQ(total->as_int(), kRounds) << list.body;
  }
}

// (d) Both dispatchers poll the one outbox: N verification mails queued
// through both processes reach a real SMTP server exactly once each.
TEST_P(TwoProcessTest, OutboxDeliversEachMessageOnceWithTwoDispatchers) {
  ASSERT_NO_FATAL_FAILURE(StartBoth({{"SIGNUP_CREATE_LIMIT_IP", "off"},
                                     {"SIGNUP_CREATE_LIMIT_DOMAIN", "off"},
                                     {"PORTICO_OUTBOX_POLL_MS", "20"}}));
  constexpr int kMails = 30;
  for (int i = 0; i < kMails; ++i) {
    HttpResult r = Post(kSignupSessions, SessionBody("mail" + std::to_string(i)), &Process(i));
    ASSERT_EQ(r.status, 201) << r.body;
  }
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (sink_.Messages().size() < static_cast<size_t>(kMails) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(50));
  }
  // Room for a duplicate to show up: several poll intervals of both processes.
  std::this_thread::sleep_for(seconds(2));

  const std::vector<std::string> messages = sink_.Messages();
  std::map<std::string, int> per_recipient;
  std::set<std::string> message_ids;
  const std::regex to(R"(X-Sink-Envelope: from=<[^>]*> to=<([^>]+)>)");
  const std::regex message_id(R"(Message-ID: <([^>]+)>)", std::regex::icase);
  for (const std::string& m : messages) {
    std::smatch match;
    ASSERT_TRUE(std::regex_search(m, match, to)) << m.substr(0, 200);
    ++per_recipient[match[1].str()];
    ASSERT_TRUE(std::regex_search(m, match, message_id)) << m.substr(0, 400);
    message_ids.insert(match[1].str());
  }
  EXPECT_EQ(messages.size(), static_cast<size_t>(kMails));
  EXPECT_EQ(message_ids.size(), messages.size()) << "a Message-ID was sent twice";
  for (int i = 0; i < kMails; ++i) {
    const std::string email = "admin@mail" + std::to_string(i) + ".example";
    EXPECT_EQ(per_recipient[email], 1) << email;
  }
}

INSTANTIATE_TEST_SUITE_P(PostgreSQL, TwoProcessTest, ::testing::Values(Backend::kPostgres),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
