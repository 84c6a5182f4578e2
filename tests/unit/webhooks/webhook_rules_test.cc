#include "src/webhooks/webhook_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace portico::webhooks {
namespace {

using Events = std::vector<std::string>;

TEST(WebhookUrlTest, AcceptsHttpsAndLoopbackHttp) {
  for (const char* url : {"https://hooks.example.com/in", "https://hooks.example.com",
                          "HTTPS://Hooks.Example.com:8443/a/b?c=d&e=%20", "http://127.0.0.1:9000/x",
                          "http://localhost/x", "http://LOCALHOST:1/", "http://[::1]:8080/hook",
                          "https://[2001:db8::1]/hook", "https://10.0.0.5/internal"}) {
    EXPECT_TRUE(ValidateWebhookUrl(url).ok()) << url << ": " << ValidateWebhookUrl(url).ToString();
  }
}

TEST(WebhookUrlTest, RejectsWhatCannotOrShouldNotReceiveWebhooks) {
  struct Case {
    const char* url;
    const char* why;
  };
  for (const Case& c : std::vector<Case>{
           {"", "empty"},
           {"hooks.example.com/in", "relative"},
           {"/in", "relative"},
           {"ftp://hooks.example.com/in", "other scheme"},
           {"http://hooks.example.com/in", "plain http to a remote host"},
           {"http://127.0.0.2/in", "plain http to a non-loopback-listed address"},
           {"http://localhost.evil.example/in", "a name that only starts like localhost"},
           {"https://user:pass@hooks.example.com/in", "userinfo"},
           {"https://token@hooks.example.com/in", "userinfo without password"},
           {"https://hooks.example.com/in#frag", "fragment"},
           {"https://hooks.example.com/in#", "empty fragment"},
           {"https:///in", "no host"},
           {"https://:443/in", "no host, only a port"},
           {"https://hooks.example.com:/in", "empty port"},
           {"https://hooks.example.com:0/in", "port 0"},
           {"https://hooks.example.com:65536/in", "port too large"},
           {"https://hooks.example.com:12ab/in", "port not numeric"},
           {"https://[::1/in", "unclosed IPv6"},
           {"https://[zz::1]/in", "bad IPv6"},
           {"https://hooks example.com/in", "space"},
           {"https://hooks.example.com/\xc3\xa9", "non-ASCII"},
           {"https://hooks.example.com/in\n", "control character"},
           {"https://hooks.exa%6dple.com/in", "percent in host"},
       }) {
    const Status status = ValidateWebhookUrl(c.url);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << c.why << ": " << c.url;
    EXPECT_EQ(status.tag(), "invalid_url") << c.why;
  }
  EXPECT_FALSE(ValidateWebhookUrl("https://h.example/" + std::string(2100, 'a')).ok());
}

TEST(WebhookEventsTest, KnownTypesIncludeWhatTheFeaturesEmit) {
  const std::vector<std::string>& known = KnownEventTypes();
  for (const char* type :
       {"tenant.created", "client.created", "client.updated", "client.deleted", "scim.user.created",
        "scim.user.updated", "scim.user.deleted", "scim.group.created", "scim.group.updated",
        "scim.group.deleted", "credential.created", "credential.revoked", "signup.provisioned",
        "user.created", "organization.created", "session.created"}) {
    EXPECT_NE(std::find(known.begin(), known.end(), type), known.end()) << type;
  }
  // Events without a tenant cannot be routed to a tenant's endpoints.
  EXPECT_EQ(std::find(known.begin(), known.end(), "signup.session_created"), known.end());
}

TEST(WebhookEventsTest, NormalisesTrimsAndDeduplicates) {
  auto events = NormaliseEventSubscriptions({" user.created", "scim.user.*", "user.created "});
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  EXPECT_EQ(*events, (Events{"user.created", "scim.user.*"}));
}

TEST(WebhookEventsTest, AStarAnywhereMeansAll) {
  auto events = NormaliseEventSubscriptions({"user.created", "*"});
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(*events, Events{"*"});
}

TEST(WebhookEventsTest, RejectsUnknownEmptyAndEmptyLists) {
  for (const Events& bad :
       {Events{}, Events{""}, Events{"user.created", " "}, Events{"user.create"}, Events{"nope.*"},
        Events{"scim.*x"}, Events{".*"}, Events{"USER.CREATED"},
        Events{"signup.session_created"}}) {
    const auto result = NormaliseEventSubscriptions(bad);
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument)
        << (bad.empty() ? "<empty>" : bad[0]);
    EXPECT_EQ(result.status().tag(), "invalid_events");
  }
  EXPECT_NE(NormaliseEventSubscriptions({"user.create"}).status().message().find("user.create"),
            std::string::npos);
}

TEST(WebhookEventsTest, SubscribesMatchesExactTypesFamiliesAndStar) {
  EXPECT_TRUE(Subscribes({"user.created"}, "user.created"));
  EXPECT_FALSE(Subscribes({"user.created"}, "organization.created"));
  EXPECT_TRUE(Subscribes({"*"}, "anything.at.all"));
  EXPECT_TRUE(Subscribes({"scim.user.*"}, "scim.user.deleted"));
  EXPECT_FALSE(Subscribes({"scim.user.*"}, "scim.group.created"));
  EXPECT_FALSE(Subscribes({"scim.user.*"}, "scim.user."));
  EXPECT_FALSE(Subscribes({"scim.user.*"}, "scim.users.created"));
  EXPECT_TRUE(Subscribes({"client.created", "scim.*"}, "scim.group.updated"));
  EXPECT_FALSE(Subscribes({}, "user.created"));
}

}  // namespace
}  // namespace portico::webhooks
