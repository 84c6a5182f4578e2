#include "portico/webhook_signature.h"

#include <cstdint>
#include <optional>
#include <string>

#include "portico/crypto.h"

namespace portico {
namespace {

constexpr std::string_view kVersionPrefix = "v1,";
// More digits than any plausible Unix time in seconds, and few enough that
// the value cannot overflow int64_t.
constexpr size_t kMaxTimestampDigits = 18;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

Status CheckMessageId(std::string_view msg_id) {
  if (msg_id.empty()) return InvalidArgument("webhook id is empty");
  for (const char c : msg_id) {
    if (c == '.' || IsSpace(c)) {
      return InvalidArgument("webhook id must not contain '.' or whitespace");
    }
  }
  return Status::Ok();
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
  if (text.empty() || text.size() > kMaxTimestampDigits) return std::nullopt;
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// The raw HMAC over the signed content; the key is already decoded. The
// timestamp is the header's text, so a receiver signs exactly what it got.
std::string Mac(std::string_view key, std::string_view msg_id, std::string_view timestamp,
                std::string_view payload) {
  std::string content;
  content.reserve(msg_id.size() + timestamp.size() + payload.size() + 2);
  content.append(msg_id);
  content.push_back('.');
  content.append(timestamp);
  content.push_back('.');
  content.append(payload);
  return HmacSha256(key, content);
}

}  // namespace

std::string GenerateWebhookSecret(Random& random) {
  uint8_t key[kWebhookSecretBytes];
  random.Fill(key, sizeof key);
  return kWebhookSecretPrefix +
         Base64Encode(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
}

StatusOr<std::string> DecodeWebhookSecret(std::string_view secret) {
  const std::string_view prefix = kWebhookSecretPrefix;
  if (!secret.starts_with(prefix)) {
    return InvalidArgument("webhook secret must start with " + std::string(prefix));
  }
  std::optional<std::string> key = Base64Decode(secret.substr(prefix.size()));
  if (!key) return InvalidArgument("webhook secret is not base64 after " + std::string(prefix));
  if (key->size() < kWebhookMinKeyBytes || key->size() > kWebhookMaxKeyBytes) {
    return InvalidArgument("webhook secret must hold " + std::to_string(kWebhookMinKeyBytes) +
                           " to " + std::to_string(kWebhookMaxKeyBytes) + " bytes");
  }
  return *std::move(key);
}

StatusOr<std::string> SignWebhook(std::string_view secret, std::string_view msg_id,
                                  int64_t timestamp_seconds, std::string_view payload) {
  PORTICO_ASSIGN_OR_RETURN(const std::string key, DecodeWebhookSecret(secret));
  PORTICO_RETURN_IF_ERROR(CheckMessageId(msg_id));
  if (timestamp_seconds < 0) return InvalidArgument("webhook timestamp must not be negative");
  return std::string(kVersionPrefix) +
         Base64Encode(Mac(key, msg_id, std::to_string(timestamp_seconds), payload));
}

Status VerifyWebhook(std::string_view secret, const WebhookHeaders& headers,
                     std::string_view payload, TimePoint now, std::chrono::seconds tolerance) {
  PORTICO_ASSIGN_OR_RETURN(const std::string key, DecodeWebhookSecret(secret));
  if (headers.id.empty()) return Unauthenticated("missing webhook-id");
  if (headers.timestamp.empty()) return Unauthenticated("missing webhook-timestamp");
  if (headers.signature.empty()) return Unauthenticated("missing webhook-signature");
  if (!CheckMessageId(headers.id).ok()) return Unauthenticated("malformed webhook-id");
  const std::optional<int64_t> timestamp = ParseTimestamp(headers.timestamp);
  if (!timestamp) return Unauthenticated("malformed webhook-timestamp");
  const int64_t now_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (*timestamp < now_seconds - tolerance.count()) {
    return Unauthenticated("webhook-timestamp is too old");
  }
  if (*timestamp > now_seconds + tolerance.count()) {
    return Unauthenticated("webhook-timestamp is too far in the future");
  }
  const std::string expected = Base64Encode(Mac(key, headers.id, headers.timestamp, payload));
  // Every entry is compared (no early exit on a match), so the time taken
  // depends only on the number of entries.
  bool matched = false;
  std::string_view rest = headers.signature;
  while (!rest.empty()) {
    const size_t space = rest.find(' ');
    const std::string_view entry = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (!entry.starts_with(kVersionPrefix)) continue;
    if (ConstantTimeEquals(entry.substr(kVersionPrefix.size()), expected)) matched = true;
  }
  if (!matched) return Unauthenticated("no webhook-signature matches");
  return Status::Ok();
}

}  // namespace portico
