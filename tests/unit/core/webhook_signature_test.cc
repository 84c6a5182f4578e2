#include "portico/webhook_signature.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "portico/crypto.h"
#include "tests/fakes/fake_random.h"

namespace portico {
namespace {

// The Standard Webhooks reference libraries' signing vector
// (libraries/go/webhook_test.go, TestWebhookSign), checked independently with
// `openssl dgst -sha256 -mac HMAC` over the same key and content.
constexpr char kSpecSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kSpecId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kSpecTimestamp = 1614265330;
constexpr char kSpecPayload[] = R"({"test": 2432232314})";
constexpr char kSpecSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TimePoint At(int64_t seconds) { return TimePoint(std::chrono::seconds(seconds)); }

WebhookHeaders SpecHeaders(std::string_view signature = kSpecSignature) {
  static const std::string timestamp = std::to_string(kSpecTimestamp);
  return {kSpecId, timestamp, signature};
}

TEST(WebhookSignatureTest, SignsTheStandardWebhooksVector) {
  StatusOr<std::string> signature = SignWebhook(kSpecSecret, kSpecId, kSpecTimestamp, kSpecPayload);
  ASSERT_TRUE(signature.ok()) << signature.status().ToString();
  EXPECT_EQ(*signature, kSpecSignature);
}

TEST(WebhookSignatureTest, KeyIsTheBase64DecodedPartAfterThePrefix) {
  StatusOr<std::string> key = DecodeWebhookSecret(kSpecSecret);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 24u);
  const std::string content =
      std::string(kSpecId) + "." + std::to_string(kSpecTimestamp) + "." + kSpecPayload;
  EXPECT_EQ("v1," + Base64Encode(HmacSha256(*key, content)), kSpecSignature);
}

TEST(WebhookSignatureTest, VerifiesTheVectorWithinTolerance) {
  EXPECT_TRUE(VerifyWebhook(kSpecSecret, SpecHeaders(), kSpecPayload, At(kSpecTimestamp)).ok());
  // Bounds included, 5 minutes either way.
  EXPECT_TRUE(
      VerifyWebhook(kSpecSecret, SpecHeaders(), kSpecPayload, At(kSpecTimestamp + 300)).ok());
  EXPECT_TRUE(
      VerifyWebhook(kSpecSecret, SpecHeaders(), kSpecPayload, At(kSpecTimestamp - 300)).ok());
}

TEST(WebhookSignatureTest, RejectsTimestampsOutsideTolerance) {
  const Status old_one =
      VerifyWebhook(kSpecSecret, SpecHeaders(), kSpecPayload, At(kSpecTimestamp + 301));
  EXPECT_EQ(old_one.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(old_one.message().find("too old"), std::string::npos);
  const Status future =
      VerifyWebhook(kSpecSecret, SpecHeaders(), kSpecPayload, At(kSpecTimestamp - 301));
  EXPECT_EQ(future.code(), StatusCode::kUnauthenticated);
  EXPECT_NE(future.message().find("future"), std::string::npos);
  // A wider tolerance accepts what the default refused.
  EXPECT_TRUE(VerifyWebhook(kSpecSecret, SpecHeaders(), kSpecPayload, At(kSpecTimestamp + 301),
                            std::chrono::seconds(600))
                  .ok());
}

TEST(WebhookSignatureTest, AcceptsWhenAnyOfSeveralSignaturesMatches) {
  // Rotation: the old key's signature, another scheme's, then the valid one.
  const std::string header =
      std::string("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ") +
      "v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5Bdq== " + kSpecSignature;
  EXPECT_TRUE(
      VerifyWebhook(kSpecSecret, SpecHeaders(header), kSpecPayload, At(kSpecTimestamp)).ok());
}

TEST(WebhookSignatureTest, RejectsWrongSignatureOtherVersionAndAlteredContent) {
  const TimePoint now = At(kSpecTimestamp);
  const Status wrong =
      VerifyWebhook(kSpecSecret, SpecHeaders("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="),
                    kSpecPayload, now);
  EXPECT_EQ(wrong.code(), StatusCode::kUnauthenticated);
  // The right MAC under another version tag is not a v1 signature.
  const std::string v2 = "v2," + std::string(kSpecSignature).substr(3);
  EXPECT_FALSE(VerifyWebhook(kSpecSecret, SpecHeaders(v2), kSpecPayload, now).ok());
  // One byte of the payload, the id or the timestamp changed.
  EXPECT_FALSE(VerifyWebhook(kSpecSecret, SpecHeaders(), R"({"test": 2432232315})", now).ok());
  EXPECT_FALSE(VerifyWebhook(kSpecSecret,
                             {"msg_p5jXN8AQM9LWM0D4loKWxJeK", "1614265330", kSpecSignature},
                             kSpecPayload, now)
                   .ok());
  EXPECT_FALSE(
      VerifyWebhook(kSpecSecret, {kSpecId, "1614265331", kSpecSignature}, kSpecPayload, now).ok());
  // Another key.
  EXPECT_FALSE(
      VerifyWebhook("whsec_" + Base64Encode(std::string(24, 'k')), SpecHeaders(), kSpecPayload, now)
          .ok());
}

TEST(WebhookSignatureTest, RejectsMissingOrMalformedHeaders) {
  const TimePoint now = At(kSpecTimestamp);
  EXPECT_EQ(
      VerifyWebhook(kSpecSecret, {"", "1614265330", kSpecSignature}, kSpecPayload, now).message(),
      "missing webhook-id");
  EXPECT_EQ(VerifyWebhook(kSpecSecret, {kSpecId, "", kSpecSignature}, kSpecPayload, now).message(),
            "missing webhook-timestamp");
  EXPECT_EQ(VerifyWebhook(kSpecSecret, {kSpecId, "1614265330", ""}, kSpecPayload, now).message(),
            "missing webhook-signature");
  for (const char* timestamp :
       {"-1614265330", "1614265330.0", " 1614265330", "16142653x0", "9999999999999999999999"}) {
    const Status s =
        VerifyWebhook(kSpecSecret, {kSpecId, timestamp, kSpecSignature}, kSpecPayload, now);
    EXPECT_EQ(s.code(), StatusCode::kUnauthenticated) << timestamp;
    EXPECT_EQ(s.message(), "malformed webhook-timestamp") << timestamp;
  }
  EXPECT_EQ(VerifyWebhook(kSpecSecret, {"msg.1", "1614265330", kSpecSignature}, kSpecPayload, now)
                .message(),
            "malformed webhook-id");
}

TEST(WebhookSignatureTest, RejectsMalformedSecrets) {
  for (const std::string& secret :
       {std::string("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),        // no prefix
        std::string("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa!w"),  // not base64
        "whsec_" + Base64Encode(std::string(23, 'k')),          // below 24 bytes
        "whsec_" + Base64Encode(std::string(65, 'k'))}) {       // above 64 bytes
    EXPECT_EQ(DecodeWebhookSecret(secret).status().code(), StatusCode::kInvalidArgument) << secret;
    EXPECT_EQ(SignWebhook(secret, kSpecId, kSpecTimestamp, kSpecPayload).status().code(),
              StatusCode::kInvalidArgument);
    EXPECT_EQ(VerifyWebhook(secret, SpecHeaders(), kSpecPayload, At(kSpecTimestamp)).code(),
              StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(DecodeWebhookSecret("whsec_" + Base64Encode(std::string(64, 'k'))).ok());
}

TEST(WebhookSignatureTest, SignRejectsAmbiguousIdsAndNegativeTimestamps) {
  EXPECT_FALSE(SignWebhook(kSpecSecret, "", kSpecTimestamp, kSpecPayload).ok());
  EXPECT_FALSE(SignWebhook(kSpecSecret, "msg.1", kSpecTimestamp, kSpecPayload).ok());
  EXPECT_FALSE(SignWebhook(kSpecSecret, "msg 1", kSpecTimestamp, kSpecPayload).ok());
  EXPECT_FALSE(SignWebhook(kSpecSecret, kSpecId, -1, kSpecPayload).ok());
}

TEST(WebhookSignatureTest, GeneratedSecretsCarry32RandomBytesAndRoundTrip) {
  testing::FakeRandom random;  // counts 1, 2, 3, …
  const std::string secret = GenerateWebhookSecret(random);
  ASSERT_TRUE(secret.starts_with("whsec_"));
  StatusOr<std::string> key = DecodeWebhookSecret(secret);
  ASSERT_TRUE(key.ok());
  ASSERT_EQ(key->size(), kWebhookSecretBytes);
  for (size_t i = 0; i < key->size(); ++i) EXPECT_EQ(static_cast<uint8_t>((*key)[i]), i + 1);
  EXPECT_NE(GenerateWebhookSecret(random), secret);

  StatusOr<std::string> signature = SignWebhook(secret, "msg_1", 1700000000, "{}");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(
      VerifyWebhook(secret, {"msg_1", "1700000000", *signature}, "{}", At(1700000000)).ok());
}

}  // namespace
}  // namespace portico
