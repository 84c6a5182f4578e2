#include "portico/crypto.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "portico/random.h"

namespace portico {
namespace {

TEST(CryptoTest, HmacSha256MatchesRfc4231TestCases) {
  // RFC 4231 §4.2, test case 1.
  EXPECT_EQ(HexEncode(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // §4.3, test case 2 (key shorter than the block).
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // §4.7, test case 6 (key longer than the block is hashed first).
  EXPECT_EQ(HexEncode(HmacSha256(std::string(131, '\xaa'),
                                 "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(CryptoTest, PreparedKeyMatchesRfc4231AndTheOneShotForm) {
  const HmacSha256Key jefe("Jefe");
  EXPECT_EQ(HexEncode(jefe.Sign("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Reusable: the prepared key is never consumed by a call.
  EXPECT_EQ(jefe.Sign("what do ya want for nothing?"),
            HmacSha256("Jefe", "what do ya want for nothing?"));
  const HmacSha256Key long_key(std::string(131, '\xaa'));
  EXPECT_EQ(HexEncode(long_key.Sign("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  const HmacSha256Key empty("");
  EXPECT_EQ(empty.Sign(""), HmacSha256("", ""));
  // Around the 64-byte block: padded below, used as is at, hashed first above.
  for (size_t size : {63u, 64u, 65u}) {
    const std::string key(size, 'k');
    const std::string message(size * 3, 'm');  // several blocks of message too
    EXPECT_EQ(HmacSha256Key(key).Sign(message), HmacSha256(key, message)) << size;
  }
}

TEST(CryptoTest, PreparedKeyIsSafeAcrossThreads) {
  const HmacSha256Key key("shared");
  const std::string expected = HmacSha256("shared", "payload");
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) mismatches += key.Sign("payload") != expected;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(CryptoTest, HmacAcceptsEmptyKeyAndData) {
  EXPECT_EQ(HmacSha256("", "").size(), 32u);
  EXPECT_NE(HmacSha256("", "x"), HmacSha256("k", "x"));
}

TEST(CryptoTest, Sha256MatchesKnownDigest) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(HexEncode(Sha256("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(CryptoTest, HexEncodeIsLowercase) {
  EXPECT_EQ(HexEncode(std::string("\x00\x7f\xab\xff", 4)), "007fabff");
  EXPECT_EQ(HexEncode(""), "");
}

TEST(CryptoTest, ConstantTimeEqualsComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("Secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Base64Test, EncodesRfc4648Vectors) {
  const std::pair<const char*, const char*> cases[] = {{"", ""},
                                                       {"f", "Zg=="},
                                                       {"fo", "Zm8="},
                                                       {"foo", "Zm9v"},
                                                       {"foob", "Zm9vYg=="},
                                                       {"fooba", "Zm9vYmE="},
                                                       {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(Base64Decode(encoded), plain);
    std::string unpadded = encoded;
    while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
    EXPECT_EQ(Base64UrlEncode(plain), unpadded);
    EXPECT_EQ(Base64Decode(unpadded), plain) << "without padding";
    EXPECT_EQ(Base64UrlDecode(unpadded), plain);
    EXPECT_EQ(Base64UrlDecode(encoded), plain) << "url decoder accepts padding";
  }
}

TEST(Base64Test, UrlAlphabetDiffersFromStandard) {
  const std::string bytes("\xfb\xff\xbf", 3);
  EXPECT_EQ(Base64Encode(bytes), "+/+/");
  EXPECT_EQ(Base64UrlEncode(bytes), "-_-_");
  EXPECT_EQ(Base64UrlDecode("-_-_"), bytes);
  EXPECT_EQ(Base64Decode("-_-_"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("+/+/"), std::nullopt);
}

TEST(Base64Test, RejectsInvalidInput) {
  for (const char* text : {"Zm9v!", "Z", "Zm9vY", "Zg=", "Z===", "Zg===", "=",
                           "==", "Zg==Zg==", "Zm 9v", "Zm9v\n", "Zh==", "Zm9=", "Zh"}) {
    EXPECT_EQ(Base64Decode(text), std::nullopt) << text;
    EXPECT_EQ(Base64UrlDecode(text), std::nullopt) << text;
  }
}

TEST(Base64Test, RoundTripsEveryLength) {
  for (size_t n = 0; n <= 67; ++n) {
    std::string bytes(n, '\0');
    SecureRandom().Fill(reinterpret_cast<uint8_t*>(bytes.data()), n);
    EXPECT_EQ(Base64Decode(Base64Encode(bytes)), bytes) << n;
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(bytes)), bytes) << n;
    EXPECT_EQ(Base64UrlEncode(bytes).find_first_of("+/="), std::string::npos);
  }
}

}  // namespace
}  // namespace portico
