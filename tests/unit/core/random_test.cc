#include "portico/random.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <regex>
#include <set>
#include <vector>

#include "portico/crypto.h"
#include "tests/fakes/fake_random.h"

namespace portico {
namespace {

// UniformBelow reads each 32-bit draw as four big-endian bytes.
std::vector<uint8_t> Draw(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

std::vector<uint8_t> Draws(std::initializer_list<uint32_t> values) {
  std::vector<uint8_t> out;
  for (uint32_t v : values) {
    auto d = Draw(v);
    out.insert(out.end(), d.begin(), d.end());
  }
  return out;
}

TEST(UniformBelowTest, NeverReachesTheBound) {
  for (uint32_t bound : {1u, 2u, 3u, 7u, 10u, 1'000'000u, 0x80000001u, 0xFFFFFFFFu}) {
    for (int i = 0; i < 5000; ++i) ASSERT_LT(UniformBelow(SecureRandom(), bound), bound);
  }
}

TEST(UniformBelowTest, SkipsDrawsInTheRejectionZone) {
  // 2^32 = 4294 * 10^6 + 967296: draws from 4'294'000'000 up would make the
  // low residues more likely, so they must be thrown away.
  constexpr uint32_t kLimit = 4'294'000'000u;
  testing::FakeRandom random(Draws({0xFFFFFFFFu, kLimit, 42}));
  EXPECT_EQ(UniformBelow(random, 1'000'000), 42u);  // modulo would have said 967295

  testing::FakeRandom edge(Draws({kLimit - 1}));
  EXPECT_EQ(UniformBelow(edge, 1'000'000), 999'999u);  // the last accepted draw
}

TEST(UniformBelowTest, HasNoModuloBiasForLargeBounds) {
  // With bound = 3·2^30, modulo reduction would put half of all draws below
  // 2^30 instead of a third.
  constexpr uint32_t kBound = 3u << 30;
  constexpr int kDraws = 30000;
  int low = 0;
  for (int i = 0; i < kDraws; ++i) {
    if (UniformBelow(SecureRandom(), kBound) < (1u << 30)) ++low;
  }
  const double fraction = static_cast<double>(low) / kDraws;
  EXPECT_GT(fraction, 0.30);  // ±0.03 is more than ten standard deviations
  EXPECT_LT(fraction, 0.37);
}

TEST(RandomTokenTest, Has256BitsAsUnpaddedBase64Url) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string token = RandomToken(SecureRandom(), 32);
    ASSERT_EQ(token.size(), 43u);
    ASSERT_TRUE(std::regex_match(token, std::regex("[A-Za-z0-9_-]{43}"))) << token;
    ASSERT_EQ(Base64UrlDecode(token)->size(), 32u);
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(RandomTokenTest, EncodesTheDrawnBytes) {
  testing::FakeRandom random({0xfb, 0xff, 0xbf});
  EXPECT_EQ(RandomToken(random, 3), "-_-_");
}

TEST(NewUuidTest, IsCanonicalVersion4) {
  const std::regex pattern("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string id = NewUuid(SecureRandom());
    ASSERT_TRUE(std::regex_match(id, pattern)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
}

TEST(NewUuidTest, SetsVersionAndVariantBitsOverRandomBytes) {
  testing::FakeRandom ones({0xFF});
  EXPECT_EQ(NewUuid(ones), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  testing::FakeRandom zeros({0x00});
  EXPECT_EQ(NewUuid(zeros), "00000000-0000-4000-8000-000000000000");
}

// SecureRandom serves small draws from a per-thread block of DRBG output.
TEST(SecureRandomTest, SmallDrawsNeverRepeat) {
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    for (size_t size : {4, 16, 18, 32}) {
      std::string bytes(size, '\0');
      SecureRandom().Fill(reinterpret_cast<uint8_t*>(bytes.data()), size);
      EXPECT_TRUE(seen.insert(bytes).second) << "a draw of " << size << " bytes repeated";
    }
  }
}

TEST(SecureRandomTest, ThreadsDrawDifferentBytes) {
  std::string a(32, '\0'), b(32, '\0');
  std::thread([&] { SecureRandom().Fill(reinterpret_cast<uint8_t*>(a.data()), a.size()); }).join();
  std::thread([&] { SecureRandom().Fill(reinterpret_cast<uint8_t*>(b.data()), b.size()); }).join();
  EXPECT_NE(a, b);
}

TEST(SecureRandomTest, AForkedChildDoesNotRepeatTheParentsBufferedBytes) {
  uint8_t first[16];
  SecureRandom().Fill(first, sizeof first);  // the block now holds more
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    uint8_t drawn[16];
    SecureRandom().Fill(drawn, sizeof drawn);
    const bool written = write(fds[1], drawn, sizeof drawn) == static_cast<ssize_t>(sizeof drawn);
    _exit(written ? 0 : 1);
  }
  close(fds[1]);
  uint8_t in_child[16];
  ASSERT_EQ(read(fds[0], in_child, sizeof in_child), static_cast<ssize_t>(sizeof in_child));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  uint8_t in_parent[16];
  SecureRandom().Fill(in_parent, sizeof in_parent);
  EXPECT_NE(std::memcmp(in_child, in_parent, sizeof in_parent), 0)
      << "the child handed out the bytes its parent handed out next";
}

}  // namespace
}  // namespace portico
