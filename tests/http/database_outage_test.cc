// /readyz and real requests across a PostgreSQL stop and restart: no
// portico restart needed. Owns a private cluster so stopping it disturbs no
// other test.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <thread>

#include "http/e2e_env.h"
#include "portico/parse_json.h"
#include "support/http_client.h"

namespace portico::testing {
namespace {

using std::chrono::seconds;

std::string Shell(const std::string& command, int* exit_code) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
  const int status = pclose(pipe);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

class PrivateCluster {
 public:
  PrivateCluster() {
    char dir[] = "/tmp/portico-outage.XXXXXX";
    dir_ = mkdtemp(dir);
    int rc = -1;
    url_ = Shell(Script() + " start " + dir_, &rc);
    ok_ = rc == 0;
  }
  ~PrivateCluster() {
    int rc;
    Shell(Script() + " stop " + dir_, &rc);
    Shell("rm -rf " + dir_, &rc);
  }
  bool Stop() {
    int rc = -1;
    Shell(Script() + " stop " + dir_, &rc);
    return rc == 0;
  }
  bool Resume() {
    int rc = -1;
    Shell(Script() + " resume " + dir_, &rc);
    return rc == 0;
  }
  bool ok() const { return ok_; }
  const std::string& url() const { return url_; }

 private:
  static std::string Script() { return std::string(PORTICO_SOURCE_DIR) + "/scripts/pg-cluster"; }
  std::string dir_;
  std::string url_;
  bool ok_ = false;
};

// Polls until `path` answers `status` or the time is up.
bool EventuallyStatus(const std::string& url, long status, seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Get(url, {}).status == status) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return false;
}

TEST(DatabaseOutageTest, ReadyzFollowsPostgresDownAndUpWithoutARestart) {
  PrivateCluster cluster;
  ASSERT_TRUE(cluster.ok()) << "could not start a private PostgreSQL";
  EnvVars env{{"DATABASE_URL", cluster.url()},
              {"OTP_PEPPER", kTestOtpPepper},
              {"KEY_HASH_SECRET", kTestKeyHashSecret},
              {"PORTICO_HTTP_THREADS", "2"}};
  CommandResult created = RunPortico({"tenant", "create", "--slug", "outage", "--name", "O"}, env);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  auto json = ParseJson(created.out);
  ASSERT_TRUE(json.ok());
  const std::string key = json->Find("integrationKey")->as_string();

  PorticoServer server;
  std::string error;
  ASSERT_TRUE(server.Start(env, &error)) << error;
  const std::string readyz = server.base_url() + "/readyz";
  const std::string tenant = server.base_url() + "/api/tenant";
  ASSERT_EQ(Get(readyz).status, 200);
  ASSERT_EQ(Get(tenant, {"Authorization: Bearer " + key}).status, 200);

  ASSERT_TRUE(cluster.Stop());
  EXPECT_TRUE(EventuallyStatus(readyz, 503, seconds(15)));
  EXPECT_EQ(Get(server.base_url() + "/healthz").status, 200) << "liveness does not need the db";
  // The key itself may still be remembered (credential cache); listing the tenant's
  // credentials needs the database whatever the cache holds.
  HttpResult down = Get(tenant + "/credentials", {"Authorization: Bearer " + key});
  EXPECT_EQ(down.status, 503) << down.body;

  ASSERT_TRUE(cluster.Resume());
  EXPECT_TRUE(EventuallyStatus(readyz, 200, seconds(30)));
  // Every pooled session heals, not just the one /readyz happened to use.
  for (int i = 0; i < 12; ++i) {
    HttpResult r = Get(tenant + "/credentials", {"Authorization: Bearer " + key});
    EXPECT_EQ(r.status, 200) << "request " << i << ": " << r.body;
  }
}

}  // namespace
}  // namespace portico::testing
