#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/random.h"
#include "portico/status.h"

namespace portico {

// Standard Webhooks 1.0 (standardwebhooks.com), symmetric scheme: every
// webhook carries three headers, and the signature is an HMAC-SHA256 of
// "{webhook-id}.{webhook-timestamp}.{body}" under the endpoint's secret.
inline constexpr char kWebhookIdHeader[] = "webhook-id";
inline constexpr char kWebhookTimestampHeader[] = "webhook-timestamp";
inline constexpr char kWebhookSignatureHeader[] = "webhook-signature";

// Secrets are shown to operators as "whsec_" + base64 (standard alphabet) of
// the raw HMAC key. The spec asks for at least 24 random bytes; we generate
// 32 (SHA-256's output size) and accept keys of 24 to 64 bytes (the spec's
// 512-bit maximum).
inline constexpr char kWebhookSecretPrefix[] = "whsec_";
inline constexpr size_t kWebhookSecretBytes = 32;
inline constexpr size_t kWebhookMinKeyBytes = 24;
inline constexpr size_t kWebhookMaxKeyBytes = 64;

// How far a webhook-timestamp may lie from the receiver's clock, either way
// (the spec's reference libraries use 5 minutes): older is a replay, newer is
// a forged or badly skewed sender.
inline constexpr std::chrono::seconds kWebhookTimestampTolerance{300};

// A fresh "whsec_…" secret of kWebhookSecretBytes random bytes. Thread-safe
// when `random` is (Random's contract).
std::string GenerateWebhookSecret(Random& random);

// The raw HMAC key of a "whsec_…" secret: the base64-decoded part after the
// prefix. InvalidArgument when the prefix is missing, the rest is not
// base64, or the key is not kWebhookMinKeyBytes–kWebhookMaxKeyBytes long.
// Pure; thread-safe.
StatusOr<std::string> DecodeWebhookSecret(std::string_view secret);

// The webhook-signature value for one secret: "v1," + base64 of
// HMAC-SHA256(key, msg_id + "." + timestamp_seconds + "." + payload). The
// payload is signed byte for byte: send exactly these bytes. InvalidArgument
// when the secret is malformed (DecodeWebhookSecret), or msg_id is empty or
// contains a '.' or whitespace (the spec: a '.' in the id would make the
// signed content ambiguous), or timestamp_seconds is negative. Sending with
// several secrets (rotation): join their values with one space. Pure;
// thread-safe.
StatusOr<std::string> SignWebhook(std::string_view secret, std::string_view msg_id,
                                  int64_t timestamp_seconds, std::string_view payload);

// The three header values a receiver got, as received (empty when absent).
struct WebhookHeaders {
  std::string_view id;
  std::string_view timestamp;
  std::string_view signature;
};

// Verifies a received webhook, for receivers (tests and operators' tooling).
// OK when the id is well formed (as SignWebhook requires), the timestamp is
// a decimal number of seconds within `tolerance` of `now` (either way,
// bounds included), and at least one "v1,<base64>" entry of the
// space-separated signature list equals the expected signature (compared in
// constant time; entries of other versions, such as "v1a", are skipped).
// Unauthenticated whose message says which check failed otherwise (a missing
// header, a malformed or out-of-tolerance timestamp, no matching signature);
// InvalidArgument when `secret` itself is malformed. Pure; thread-safe.
Status VerifyWebhook(std::string_view secret, const WebhookHeaders& headers,
                     std::string_view payload, TimePoint now,
                     std::chrono::seconds tolerance = kWebhookTimestampTolerance);

}  // namespace portico
