#include "src/http/cidr.h"

#include <gtest/gtest.h>

namespace portico::http {
namespace {

std::vector<Cidr> List(std::string_view csv) {
  StatusOr<std::vector<Cidr>> r = ParseCidrList(csv);
  EXPECT_TRUE(r.ok()) << csv << ": " << r.status().ToString();
  return r.ok() ? *r : std::vector<Cidr>{};
}

TEST(ParseCidrListTest, ParsesIpv4Ipv6BareAndMappedEntries) {
  struct Case {
    std::string in;
    std::vector<std::string> out;
  };
  const Case cases[] = {
      {"", {}},
      {"   ", {}},
      {"10.0.0.0/8", {"10.0.0.0/8"}},
      {"192.168.1.7", {"192.168.1.7/32"}},
      {"10.1.2.3/8", {"10.0.0.0/8"}},  // host bits cleared
      {"0.0.0.0/0", {"0.0.0.0/0"}},
      {"::1", {"::1/128"}},
      {"2001:db8::/32", {"2001:db8::/32"}},
      {"2001:db8:ffff::1/33", {"2001:db8:8000::/33"}},
      {"::ffff:10.0.0.0/104", {"10.0.0.0/8"}},
      {"::ffff:127.0.0.1", {"127.0.0.1/32"}},
      {" 10.0.0.0/8 , ::1/128,172.16.0.0/12 ", {"10.0.0.0/8", "::1/128", "172.16.0.0/12"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> got;
    for (const Cidr& cidr : List(c.in)) got.push_back(cidr.ToString());
    EXPECT_EQ(got, c.out) << c.in;
  }
}

TEST(ParseCidrListTest, RejectsMalformedEntriesNamingThem) {
  for (const char* bad : {"10.0.0.0/33", "::1/129", "10.0.0/8", "10.0.0.0/", "10.0.0.0/x",
                          "10.0.0.0/-1", "foo", "10.0.0.0/8,,::1", "10.0.0.0/8,", "1.2.3.4:80",
                          "[::1]", "::ffff:10.0.0.0/8", "10.0.0.0 /8"}) {
    StatusOr<std::vector<Cidr>> r = ParseCidrList(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  StatusOr<std::vector<Cidr>> r = ParseCidrList("10.0.0.0/8, bogus/3");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bogus/3"), std::string::npos) << r.status().message();
}

TEST(CidrContainsTest, MatchesByFamilyAndPrefix) {
  struct Case {
    std::string cidr;
    std::string ip;
    bool in;
  };
  const Case cases[] = {
      {"10.0.0.0/8", "10.255.1.2", true},
      {"10.0.0.0/8", "11.0.0.1", false},
      {"192.168.1.7", "192.168.1.7", true},
      {"192.168.1.7", "192.168.1.8", false},
      {"172.16.0.0/12", "172.31.255.255", true},
      {"172.16.0.0/12", "172.32.0.0", false},
      {"0.0.0.0/0", "8.8.8.8", true},
      {"0.0.0.0/0", "::1", false},  // families never mix
      {"::/0", "10.0.0.1", false},
      {"::1", "::1", true},
      {"2001:db8::/32", "2001:db8:1::5", true},
      {"2001:db8::/32", "2001:db9::5", false},
      {"127.0.0.1/32", "::ffff:127.0.0.1", true},  // mapped peer is IPv4
      {"::ffff:10.0.0.0/104", "10.9.9.9", true},
      {"10.0.0.0/8", "not-an-ip", false},
      {"10.0.0.0/8", "", false},
  };
  for (const Case& c : cases) {
    std::vector<Cidr> list = List(c.cidr);
    ASSERT_EQ(list.size(), 1u) << c.cidr;
    EXPECT_EQ(CidrContains(list[0], c.ip), c.in) << c.cidr << " ∋ " << c.ip;
  }
}

TEST(ResolveClientIpTest, BelievesForwardedForOnlyThroughTrustedHops) {
  const std::vector<Cidr> trusted = List("127.0.0.1/32, 10.0.0.0/8, fd00::/8");
  struct Case {
    std::string name;
    std::string peer;
    std::optional<std::string> xff;
    std::string expected;
  };
  const Case cases[] = {
      {"untrusted peer ignores header", "203.0.113.9", "1.2.3.4", "203.0.113.9"},
      {"trusted peer without header", "127.0.0.1", std::nullopt, "127.0.0.1"},
      {"trusted peer, one hop", "127.0.0.1", "198.51.100.7", "198.51.100.7"},
      {"skips trusted hops right to left", "10.0.0.2", "198.51.100.7, 10.1.1.1, 10.2.2.2",
       "198.51.100.7"},
      {"first untrusted from the right wins", "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.1.1.1",
       "198.51.100.7"},
      {"all trusted → leftmost", "10.0.0.2", "10.9.9.9, 10.1.1.1", "10.9.9.9"},
      {"malformed hop stops at last good", "10.0.0.2", "6.6.6.6, garbage, 10.1.1.1", "10.1.1.1"},
      {"malformed rightmost → peer", "10.0.0.2", "6.6.6.6, garbage", "10.0.0.2"},
      {"empty header → peer", "10.0.0.2", "", "10.0.0.2"},
      {"empty entry is malformed", "10.0.0.2", "6.6.6.6,,10.1.1.1", "10.1.1.1"},
      {"ipv6 hops", "fd00::1", "2001:db8::7, fd00::2", "2001:db8::7"},
      {"mapped trusted peer", "::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"},
      {"mapped untrusted peer comes back as ipv4", "::ffff:203.0.113.9", "1.2.3.4", "203.0.113.9"},
      {"mapped hop comes back as ipv4", "127.0.0.1", "::ffff:198.51.100.7", "198.51.100.7"},
      {"no spaces", "127.0.0.1", "6.6.6.6,198.51.100.7", "198.51.100.7"},
  };
  for (const Case& c : cases) {
    std::optional<std::string_view> xff;
    if (c.xff) xff = *c.xff;
    EXPECT_EQ(ResolveClientIp(c.peer, xff, trusted), c.expected) << c.name;
  }
}

TEST(ResolveClientIpTest, NoTrustedProxiesMeansThePeer) {
  EXPECT_EQ(ResolveClientIp("127.0.0.1", "1.2.3.4", {}), "127.0.0.1");
}

}  // namespace
}  // namespace portico::http
