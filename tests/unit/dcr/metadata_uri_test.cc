#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "dcr/metadata/uri.h"

namespace portico::dcr {
namespace {

using ::testing::HasSubstr;

Uri MustParse(std::string_view text) {
  StatusOr<Uri> uri = ParseAbsoluteUri(text);
  EXPECT_TRUE(uri.ok()) << text << ": " << uri.status().ToString();
  return uri.ok() ? *uri : Uri();
}

TEST(ParseAbsoluteUriTest, SplitsEveryComponent) {
  const Uri uri = MustParse("HTTPS://user:pw@App.Example.COM:8443/a/b;c?x=1&y=/?#frag/?");
  EXPECT_EQ(uri.scheme, "https");
  EXPECT_TRUE(uri.has_authority);
  EXPECT_TRUE(uri.has_userinfo);
  EXPECT_EQ(uri.host_kind, HostKind::kRegName);
  EXPECT_EQ(uri.host, "app.example.com");
  EXPECT_EQ(uri.port, 8443);
  EXPECT_EQ(uri.path, "/a/b;c");
  EXPECT_EQ(uri.query, "x=1&y=/?");
  EXPECT_EQ(uri.fragment, "frag/?");
}

TEST(ParseAbsoluteUriTest, KeepsEmptyQueryAndFragmentDistinctFromAbsent) {
  const Uri with = MustParse("https://a.example/?#");
  EXPECT_EQ(with.query, "");
  EXPECT_EQ(with.fragment, "");
  const Uri without = MustParse("https://a.example/");
  EXPECT_FALSE(without.query.has_value());
  EXPECT_FALSE(without.fragment.has_value());
  EXPECT_FALSE(without.port.has_value());
}

TEST(ParseAbsoluteUriTest, ParsesUrisWithoutAuthority) {
  const Uri app = MustParse("com.example.app:/oauth2redirect/provider");
  EXPECT_EQ(app.scheme, "com.example.app");
  EXPECT_FALSE(app.has_authority);
  EXPECT_EQ(app.host_kind, HostKind::kNone);
  EXPECT_EQ(app.path, "/oauth2redirect/provider");
  const Uri urn = MustParse("urn:ietf:wg:oauth:2.0:oob");
  EXPECT_EQ(urn.scheme, "urn");
  EXPECT_EQ(urn.path, "ietf:wg:oauth:2.0:oob");
}

TEST(ParseAbsoluteUriTest, ClassifiesIpHosts) {
  EXPECT_EQ(MustParse("http://127.0.0.1:5000/cb").host_kind, HostKind::kIpv4);
  const Uri v6 = MustParse("http://[::1]:8080/cb");
  EXPECT_EQ(v6.host_kind, HostKind::kIpv6);
  EXPECT_EQ(v6.host, "[::1]");
  EXPECT_EQ(v6.port, 8080);
  EXPECT_EQ(MustParse("http://[v7.fe80::1]/").host_kind, HostKind::kIpFuture);
  // Leading zeros are no dec-octet (RFC 3986 §3.2.2): a registered name.
  EXPECT_EQ(MustParse("http://127.000.000.001/").host_kind, HostKind::kRegName);
}

TEST(ParseAbsoluteUriTest, FlagsPercentEncodedHost) {
  EXPECT_TRUE(MustParse("https://exa%6Dple.com/").host_percent_encoded);
  EXPECT_FALSE(MustParse("https://example.com/%41").host_percent_encoded);
}

TEST(ParseAbsoluteUriTest, RejectsMalformedUrisWithAReason) {
  struct Case {
    std::string text;
    std::string reason;
  };
  const Case cases[] = {
      {"", "is empty"},
      {"no-scheme", "not an absolute URI"},
      {"/relative/path", "not an absolute URI"},
      {"//host/path", "not an absolute URI"},
      {"1http://a.example/", "not an absolute URI"},
      {":a", "not an absolute URI"},
      {"https://a b.example/", "contains a space"},
      {"https://a.example/\tx", "control character"},
      {std::string("https://a.example/\0x", 19), "control character"},
      {"https://a.example/\x7f", "control character"},
      {"https://a.example/caf\xc3\xa9", "non-ASCII"},
      {"https://a.example/%zz", "two hex digits"},
      {"https://a.example/%4", "two hex digits"},
      {"https://a.example/a%", "two hex digits"},
      {"https://a.example/<script>", "not allowed in its path"},
      {"https://a.example/a\\b", "not allowed in its path"},
      {"https://a.example\\@b.example/", "not allowed in its user information"},
      {"https://a.example/\"", "not allowed in its path"},
      {"https://a.example/?q={x}", "not allowed in its query"},
      {"https://a.example/#a#b", "not allowed in its fragment"},
      {"https://a.example/#a b", "contains a space"},
      {"https://a.example:99999/", "port out of range"},
      {"https://a.example:65536/", "port out of range"},
      {"https://a.example:123456/", "port out of range"},
      {"https://a.example:/", "empty port"},
      {"https://a.example:8o/", "port that is not a number"},
      {"https://[::1/", "without ']'"},
      {"https://[::g]/", "malformed IPv6"},
      {"https://[::1%25eth0]/", "malformed IPv6"},
      {"https://[::1]x/", "after its IP literal"},
      {"https://[v.x]/", "malformed IP literal"},
      {"https://us^er@a.example/", "not allowed in its user information"},
      {"https://a[b].example/", "not allowed in its host"},
  };
  for (const Case& c : cases) {
    StatusOr<Uri> uri = ParseAbsoluteUri(c.text);
    ASSERT_FALSE(uri.ok()) << "accepted: " << c.text;
    EXPECT_EQ(uri.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(uri.status().message(), HasSubstr(c.reason)) << c.text;
  }
}

TEST(ParseAbsoluteUriTest, AcceptsTheLargestPort) {
  EXPECT_EQ(MustParse("http://127.0.0.1:65535/").port, 65535);
  EXPECT_EQ(MustParse("http://127.0.0.1:0/").port, 0);
}

TEST(LoopbackHostTest, RecognisesEveryLoopbackSpelling) {
  const char* loopback[] = {
      "http://localhost/",
      "http://LOCALHOST:1/",
      "http://localhost./",
      "http://app.localhost/",
      "http://127.0.0.1/",
      "http://127.8.9.10/",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[0:0:0:0:0:0:0:1]/",
      "http://[::]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[::ffff:0.0.0.0]/",
  };
  for (const char* text : loopback) EXPECT_TRUE(IsLoopbackHost(MustParse(text))) << text;
  const char* not_loopback[] = {
      "https://example.com/", "https://localhost.example.com/",
      "https://mylocalhost/", "http://128.0.0.1/",
      "http://[::2]/",        "http://[::ffff:10.0.0.1]/",
      "com.example.app:/cb",  "http://10.0.0.1/",
  };
  for (const char* text : not_loopback) EXPECT_FALSE(IsLoopbackHost(MustParse(text))) << text;
}

TEST(LoopbackHostTest, NativeLoopbackIsOnlyTheThreeRfc8252Names) {
  const char* native[] = {"http://127.0.0.1:49152/", "http://[::1]/", "http://[0::1]/",
                          "http://localhost/", "http://LocalHost:8080/cb"};
  for (const char* text : native) EXPECT_TRUE(IsNativeLoopbackHost(MustParse(text))) << text;
  const char* other[] = {"http://127.0.0.2/", "http://0.0.0.0/",    "http://app.localhost/",
                         "http://[::]/",      "http://localhost./", "http://[::ffff:127.0.0.1]/"};
  for (const char* text : other) EXPECT_FALSE(IsNativeLoopbackHost(MustParse(text))) << text;
}

TEST(AmbiguousNumericHostTest, FlagsHostsABrowserWouldReadAsIpv4) {
  const char* ambiguous[] = {"http://2130706433/", "http://127.1/",           "http://0x7f.0.0.1/",
                             "http://0x7f000001/", "http://127.000.000.001/", "http://example.123/",
                             "http://a.0x/"};
  for (const char* text : ambiguous) EXPECT_TRUE(IsAmbiguousNumericHost(MustParse(text))) << text;
  const char* plain[] = {"http://127.0.0.1/", "http://example.com/", "http://1a.example/",
                         "http://a.example.0xg/", "http://[::1]/"};
  for (const char* text : plain) EXPECT_FALSE(IsAmbiguousNumericHost(MustParse(text))) << text;
}

}  // namespace
}  // namespace portico::dcr
