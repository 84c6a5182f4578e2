// The SIGNUP_* variables of src/server/config.
#include <gtest/gtest.h>

#include <map>

#include "src/server/config.h"

namespace portico::server {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

Environment FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(SignupConfigTest, DefaultsAreTheDocumentedOnes) {
  StatusOr<Config> config = LoadConfig(FakeEnv({}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->signup_session_ttl_minutes, 1440);
  const signup::SignupRateLimits& l = config->signup_limits;
  EXPECT_EQ(signup::FormatRateLimitSpec(l.create_per_ip), "20/1h");
  EXPECT_EQ(signup::FormatRateLimitSpec(l.create_per_domain), "100/1h");
  EXPECT_EQ(signup::FormatRateLimitSpec(l.create_per_email), "5/1h");
  EXPECT_EQ(signup::FormatRateLimitSpec(l.verify_per_ip), "60/10m");
  EXPECT_EQ(signup::FormatRateLimitSpec(l.verify_per_domain), "300/10m");
  EXPECT_EQ(signup::FormatRateLimitSpec(l.verify_per_email), "30/10m");
}

TEST(SignupConfigTest, ReadsEverySignupVariable) {
  StatusOr<Config> config = LoadConfig(FakeEnv({{"SIGNUP_SESSION_TTL_MINUTES", "30"},
                                                {"SIGNUP_CREATE_LIMIT_IP", "3/1m"},
                                                {"SIGNUP_CREATE_LIMIT_DOMAIN", "4/2h"},
                                                {"SIGNUP_CREATE_LIMIT_EMAIL", "off"},
                                                {"SIGNUP_VERIFY_LIMIT_IP", "5/30s"},
                                                {"SIGNUP_VERIFY_LIMIT_DOMAIN", "6/1d"},
                                                {"SIGNUP_VERIFY_LIMIT_EMAIL", "7/5m"}}));
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->signup_session_ttl_minutes, 30);
  const signup::SignupRateLimits& l = config->signup_limits;
  EXPECT_EQ(l.create_per_ip.max_hits, 3);
  EXPECT_EQ(l.create_per_ip.window, minutes(1));
  EXPECT_EQ(l.create_per_domain.window, hours(2));
  EXPECT_EQ(l.create_per_email.max_hits, 0);
  EXPECT_EQ(l.verify_per_ip.window, seconds(30));
  EXPECT_EQ(l.verify_per_domain.max_hits, 6);
  EXPECT_EQ(l.verify_per_email.max_hits, 7);
}

TEST(SignupConfigTest, AMalformedValueNamesItsVariable) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"SIGNUP_SESSION_TTL_MINUTES", "1"},
                                                        {"SIGNUP_SESSION_TTL_MINUTES", "forever"},
                                                        {"SIGNUP_CREATE_LIMIT_IP", "lots"},
                                                        {"SIGNUP_CREATE_LIMIT_DOMAIN", "5/1w"},
                                                        {"SIGNUP_CREATE_LIMIT_EMAIL", "0/1h"},
                                                        {"SIGNUP_VERIFY_LIMIT_IP", "5"},
                                                        {"SIGNUP_VERIFY_LIMIT_DOMAIN", "-1/1h"},
                                                        {"SIGNUP_VERIFY_LIMIT_EMAIL", "5/8d"}}) {
    StatusOr<Config> config = LoadConfig(FakeEnv({{name, value}}));
    ASSERT_FALSE(config.ok()) << name << "=" << value;
    EXPECT_EQ(config.status().message().rfind(name + ": ", 0), 0u) << config.status().message();
  }
}

}  // namespace
}  // namespace portico::server
