#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>

#include "portico/crypto.h"

namespace portico {
namespace {

const std::string kKey = HmacSha256("test secret", "seal");

TEST(AesGcmTest, OpensWhatItSealed) {
  const std::string plaintext = "-----BEGIN PRIVATE KEY-----\nsecret\n";
  const std::string sealed = SealAesGcm(kKey, plaintext);
  EXPECT_EQ(sealed.rfind("v1.", 0), 0u);
  EXPECT_EQ(sealed.find("secret"), std::string::npos);
  EXPECT_EQ(OpenAesGcm(kKey, sealed), plaintext);
}

TEST(AesGcmTest, OpensAnEmptyPlaintextAndBinaryBytes) {
  EXPECT_EQ(OpenAesGcm(kKey, SealAesGcm(kKey, "")), std::string());
  const std::string binary("\0\xff\x01\x80", 4);
  EXPECT_EQ(OpenAesGcm(kKey, SealAesGcm(kKey, binary)), binary);
}

TEST(AesGcmTest, EachSealUsesAFreshNonce) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(SealAesGcm(kKey, "same"));
  EXPECT_EQ(seen.size(), 50u);
}

TEST(AesGcmTest, AlteringAnyCharacterOfTheSealedTextFailsToOpen) {
  const std::string sealed = SealAesGcm(kKey, "the plaintext to protect");
  for (size_t i = 0; i < sealed.size(); ++i) {
    if (sealed[i] == '.') continue;
    std::string altered = sealed;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(OpenAesGcm(kKey, altered), std::nullopt) << "position " << i;
  }
}

TEST(AesGcmTest, TruncatedOrMalformedTextFailsToOpen) {
  const std::string sealed = SealAesGcm(kKey, "the plaintext");
  EXPECT_EQ(OpenAesGcm(kKey, sealed.substr(0, sealed.size() - 1)), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey, sealed.substr(0, sealed.size() - 4)), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey, sealed + "AAAA"), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey, "v2" + sealed.substr(2)), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey, sealed.substr(sealed.find('.', 3))), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey, ""), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey, "v1.."), std::nullopt);
  // Only the tag left: shorter than nonce + tag would allow for any text.
  EXPECT_EQ(OpenAesGcm(kKey, "v1.AAAAAAAAAAAAAAAA.AAAA"), std::nullopt);
}

TEST(AesGcmTest, AnotherKeyFailsToOpen) {
  const std::string sealed = SealAesGcm(kKey, "the plaintext");
  EXPECT_EQ(OpenAesGcm(HmacSha256("another secret", "seal"), sealed), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey.substr(0, 16), sealed), std::nullopt);  // not a 256-bit key
}

TEST(AesGcmTest, OpeningNeedsTheSameAssociatedData) {
  const std::string sealed = SealAesGcm(kKey, "private key", "kid-1");
  EXPECT_EQ(OpenAesGcm(kKey, sealed, "kid-1"), "private key");
  EXPECT_EQ(OpenAesGcm(kKey, sealed, "kid-2"), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey, sealed), std::nullopt);
  EXPECT_EQ(OpenAesGcm(kKey, SealAesGcm(kKey, "private key"), "kid-1"), std::nullopt);
}

TEST(AesGcmDeathTest, SealingWithAKeyOfTheWrongSizeAborts) {
  EXPECT_DEATH(SealAesGcm("short", "x"), "AES-256-GCM");
}

}  // namespace
}  // namespace portico
