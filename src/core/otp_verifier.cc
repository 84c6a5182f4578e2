#include "portico/otp_verifier.h"

#include <cstdio>

#include "portico/crypto.h"

namespace portico {
namespace {

constexpr uint32_t kCodeSpace = 1'000'000;  // six decimal digits

Status OtpError(const char* reason, int attempts_remaining, std::string message) {
  Json details = Json::MakeObject();
  details.Set("reason", reason).Set("attemptsRemaining", attempts_remaining);
  return InvalidArgument(std::move(message)).WithTag(reason).WithDetails(std::move(details));
}

Status Invalid(int remaining) {
  return OtpError("OTP_INVALID", remaining, "the verification code is not valid");
}
Status Expired() {
  return OtpError("OTP_EXPIRED", 0, "the verification code has expired; request a new one");
}
Status Locked() {
  return OtpError("OTP_LOCKED", 0,
                  "too many wrong attempts; the verification code is no longer valid");
}

}  // namespace

OtpVerifier::OtpVerifier(std::string pepper, Random& random, const Clock& clock, OtpPolicy policy)
    : pepper_(std::move(pepper)), random_(random), clock_(clock), policy_(policy) {}

std::string OtpVerifier::Hash(std::string_view purpose, std::string_view subject,
                              std::string_view code) const {
  // Binding purpose and subject into the MAC makes a code useless elsewhere.
  std::string message;
  message.reserve(purpose.size() + subject.size() + code.size() + 2);
  message.append(purpose).push_back('\0');
  message.append(subject).push_back('\0');
  message.append(code);
  return HexEncode(HmacSha256(pepper_, message));
}

StatusOr<IssuedOtp> OtpVerifier::Issue(OtpStore& store, std::string_view purpose,
                                       std::string_view subject) const {
  char code[8];
  std::snprintf(code, sizeof code, "%06u",
                static_cast<unsigned>(UniformBelow(random_, kCodeSpace)));
  const TimePoint now = clock_.Now();
  OtpRecord record;
  record.id = NewUuid(random_);
  record.purpose = std::string(purpose);
  record.subject = std::string(subject);
  record.code_hash = Hash(purpose, subject, code);
  record.expires_at = now + policy_.ttl;
  record.attempts = 0;
  record.created_at = now;
  PORTICO_RETURN_IF_ERROR(store.Put(record));
  return IssuedOtp{code, record.expires_at};
}

Status OtpVerifier::Verify(OtpStore& store, std::string_view purpose, std::string_view subject,
                           std::string_view code) const {
  StatusOr<OtpRecord> found = store.Find(purpose, subject);
  if (!found.ok()) {
    if (found.status().code() == StatusCode::kNotFound) return Invalid(0);
    return found.status();
  }
  const OtpRecord& record = *found;
  const int max = policy_.max_attempts;
  const TimePoint now = clock_.Now();
  if (record.consumed_at) return Invalid(0);
  if (record.attempts >= max) return Locked();
  if (now >= record.expires_at) return Expired();

  // A malformed code simply fails to match and costs an attempt, like any
  // other wrong guess.
  if (!ConstantTimeEquals(record.code_hash, Hash(purpose, subject, code))) {
    StatusOr<int> attempts = store.AddFailedAttempt(record.id, max);
    if (!attempts.ok()) {
      const StatusCode c = attempts.status().code();
      // Someone else used the last attempt or consumed the code meanwhile.
      if (c == StatusCode::kFailedPrecondition) return Locked();
      if (c == StatusCode::kNotFound) return Invalid(0);  // replaced meanwhile
      return attempts.status();
    }
    if (*attempts >= max) return Locked();
    return Invalid(max - *attempts);
  }

  // The conditional update decides between concurrent correct submissions.
  PORTICO_ASSIGN_OR_RETURN(const bool consumed, store.Consume(record.id, max, now));
  if (!consumed) return Invalid(0);
  return Status::Ok();
}

}  // namespace portico
