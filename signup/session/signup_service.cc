#include "signup/session/signup_service.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "portico/crypto.h"
#include "portico/mail.h"
#include "signup/session/create_request.h"
#include "signup/session/signup_session_store.h"
#include "src/core/mail/mail_outbox.h"

namespace portico::signup {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr size_t kSessionIdBytes = 32;  // 256 bits

Status SessionNotFound() {
  return NotFound("no signup session with this id").WithTag(kNotFoundCode);
}

Status SlugTakenError(std::string_view slug) {
  return AlreadyExists("slug \"" + std::string(slug) + "\" is already taken")
      .WithTag(kSlugTaken)
      .WithDetails(Json::MakeObject().Set("field", "slug"));
}

Status ConcurrentChange() {
  return Aborted("the signup session was changed by another request; retry").WithTag(kConflict);
}

// Whole seconds from `now` until `until`, rounded up, at least 1.
int SecondsUntil(TimePoint now, TimePoint until) {
  const int64_t ms = duration_cast<milliseconds>(until - now).count();
  return static_cast<int>(std::max<int64_t>(1, (ms + 999) / 1000));
}

// A per-session limit: `limit` sends per `window`.
Status SessionRateLimited(std::string_view reason, std::string message, int retry_after,
                          int64_t limit, std::chrono::seconds window) {
  return ResourceExhausted(std::move(message))
      .WithTag(kRateLimited)
      .WithRetryAfter(retry_after)
      .WithDetails(Json::MakeObject()
                       .Set("scope", "session")
                       .Set("reason", reason)
                       .Set("retryAfterSeconds", retry_after)
                       .Set("limit", limit)
                       .Set("windowSeconds", static_cast<int64_t>(window.count())));
}

// Counts one hit of `limit` on `bucket`; over it, RATE_LIMITED with the
// scope and the limit in the details (the HTTP layer turns them into
// RateLimit / RateLimit-Policy headers).
Status Limit(Stores& stores, std::string_view scope, const std::string& bucket,
             const RateLimit& limit, TimePoint now) {
  Status status = CheckRateLimit(stores.rate_limits(), bucket, limit, now);
  if (status.ok() || status.code() != StatusCode::kResourceExhausted) return status;
  const int retry_after = status.retry_after_seconds().value_or(1);
  return ResourceExhausted("too many signup requests for this " + std::string(scope) +
                           "; retry later")
      .WithTag(kRateLimited)
      .WithRetryAfter(retry_after)
      .WithDetails(Json::MakeObject()
                       .Set("scope", scope)
                       .Set("retryAfterSeconds", retry_after)
                       .Set("limit", limit.max_hits)
                       .Set("windowSeconds", static_cast<int64_t>(limit.window.count())));
}

// A limit of 0 hits is off (CheckRateLimit counts nothing for it).
bool IsOn(const RateLimit& limit) { return limit.max_hits > 0; }

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Buckets per (operation, scope): an address counts case-insensitively.
struct Buckets {
  std::string ip, domain, email;
};
Buckets BucketsFor(std::string_view operation, std::string_view ip, std::string_view email) {
  const std::string prefix = "signup." + std::string(operation) + ".";
  return Buckets{prefix + "ip:" + std::string(ip.empty() ? "unknown" : ip),
                 prefix + "domain:" + AsciiLower(EmailDomain(email)),
                 prefix + "email:" + AsciiLower(email)};
}

// The code's mail: the plain-text body always holds the code (console and
// SMTP send only it); a provider template gets the same facts as data.
MailMessage OtpMail(const SignupSession& session, const IssuedOtp& otp, TimePoint now,
                    const std::string& template_id) {
  const int64_t minutes =
      std::max<int64_t>(1, duration_cast<std::chrono::minutes>(otp.expires_at - now).count());
  MailMessage mail;
  mail.to = session.admin_email;
  mail.subject = "Your verification code for " + session.company_name;
  mail.text = "Your Portico verification code is: " + otp.code +
              "\n\nEnter it to confirm this address and continue setting up \"" +
              session.company_name + "\" (" + session.slug +
              "). The code works once and "
              "expires in " +
              std::to_string(minutes) + " minutes, at " + FormatRfc3339(otp.expires_at) +
              ".\n\nIf you did not start this signup, ignore this email: nothing is created "
              "without the code.\n";
  mail.template_id = template_id;
  mail.template_data = Json::MakeObject()
                           .Set("otp", otp.code)
                           .Set("expiresAt", FormatRfc3339(otp.expires_at))
                           .Set("expiresInMinutes", minutes)
                           .Set("companyName", session.company_name)
                           .Set("slug", session.slug);
  return mail;
}

Status EnqueueMail(Stores& stores, const MailMessage& mail, TimePoint now) {
  return stores.outbox().Enqueue(mail::kMailTopic, mail::EncodeMailPayload(mail), now).status();
}

Status EnqueueAudit(Stores& stores, std::string_view type, const SignupSession& session,
                    TimePoint now) {
  Json audit = Json::MakeObject();
  audit.Set("type", type)
      .Set("sessionRef", SessionRef(session.id))
      .Set("slug", session.slug)
      .Set("emailDomain", EmailDomain(session.admin_email))
      .Set("at", FormatRfc3339(now));
  return stores.outbox().Enqueue("audit", audit.Dump(), now).status();
}

// The session's state must still allow an email step (verify or resend).
Status CheckAwaitingVerification(const SignupSession& session, TimePoint now) {
  const SignupStatus status = EffectiveStatus(session, now);
  if (status == SignupStatus::kExpired || status == SignupStatus::kFailed) {
    return FailedPrecondition("the signup session has expired or was closed; start a new one")
        .WithTag(kSessionExpired);
  }
  if (status != SignupStatus::kPendingEmailVerification) {
    return FailedPrecondition("the email address of this signup session is already verified")
        .WithTag(kEmailAlreadyVerified)
        .WithDetails(Json::MakeObject().Set("status", SignupStatusName(status)));
  }
  return Status::Ok();
}

// Ids are base64url; anything else cannot exist and costs no query.
bool PlausibleSessionId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

StatusOr<SignupSession> FindSession(Stores& stores, std::string_view id) {
  if (!PlausibleSessionId(id)) return SessionNotFound();
  StatusOr<SignupSession> found = stores.signup_sessions().Find(id);
  if (!found.ok() && found.status().code() == StatusCode::kNotFound) return SessionNotFound();
  return found;
}

// The User-Agent as recorded with the consent: printable ASCII (anything else
// becomes '?', so the text is valid in any column), at most 512 characters.
std::string SanitizeUserAgent(std::string_view user_agent) {
  constexpr size_t kMaxUserAgent = 512;
  std::string out;
  for (char c : user_agent.substr(0, kMaxUserAgent)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

}  // namespace

std::string SessionRef(std::string_view session_id) {
  return HexEncode(Sha256(session_id)).substr(0, 12);
}

SignupService::SignupService(Database& db, const OtpVerifier& otp, Random& random,
                             const Clock& clock, SignupOptions options)
    : db_(db), otp_(otp), random_(random), clock_(clock), options_(std::move(options)) {
  if (Metrics* m = options_.metrics; m != nullptr) {
    counters_.attempts = &SignupAttempts(*m).WithLabels({"session"});
    counters_.blocked_rate_limit = &SignupBlocked(*m).WithLabels({"session", "rate_limit"});
    counters_.created = &m->AddCounter("portico_signup_sessions_created_total",
                                       "Signup sessions created (a code was mailed)")
                             .WithLabels(std::vector<std::string>{});
    counters_.verified = &m->AddCounter("portico_signup_emails_verified_total",
                                        "Signup sessions whose email was verified")
                              .WithLabels(std::vector<std::string>{});
    counters_.rejections = &RateLimitRejections(*m);
  }
}

void SignupService::CountRejection(const Status& status) const {
  if (counters_.rejections == nullptr || status.code() != StatusCode::kResourceExhausted) return;
  const Json* scope = status.details().Find("scope");
  const std::string_view label =
      scope != nullptr && scope->is_string() ? std::string_view(scope->as_string()) : "other";
  counters_.rejections->WithLabels({"signup", label}).Inc();
}

StatusOr<SignupSession> SignupService::Create(const Json& body, const ClientContext& client) {
  const TimePoint now = clock_.Now();
  if (counters_.attempts != nullptr) counters_.attempts->Inc();
  PORTICO_ASSIGN_OR_RETURN(CreateRequest request, ParseCreateRequest(body, now));

  // The hits are committed on their own (autocommit, one statement each), so
  // a request refused later — a taken slug included — still counts, and no
  // counter row stays locked for the create's transaction.
  const SignupRateLimits& limits = options_.limits;
  if (IsOn(limits.create_per_ip) || IsOn(limits.create_per_domain) ||
      IsOn(limits.create_per_email)) {
    const Buckets buckets = BucketsFor("create", client.ip, request.admin_email);
    const Status limited = db_.Run([&](Stores& stores) -> Status {
      PORTICO_RETURN_IF_ERROR(Limit(stores, "ip", buckets.ip, limits.create_per_ip, now));
      PORTICO_RETURN_IF_ERROR(
          Limit(stores, "domain", buckets.domain, limits.create_per_domain, now));
      return Limit(stores, "email", buckets.email, limits.create_per_email, now);
    });
    if (limited.code() == StatusCode::kResourceExhausted) {
      CountRejection(limited);
      if (counters_.blocked_rate_limit != nullptr) counters_.blocked_rate_limit->Inc();
    }
    PORTICO_RETURN_IF_ERROR(limited);
  }

  SignupSession session;
  session.id = RandomToken(random_, kSessionIdBytes);
  session.status = SignupStatus::kPendingEmailVerification;
  session.company_name = std::move(request.company_name);
  session.slug = std::move(request.slug);
  session.modules = std::move(request.modules);
  session.admin_email = std::move(request.admin_email);
  session.legal =
      LegalAcceptance{std::move(request.terms_version), std::move(request.privacy_version),
                      request.accepted_at, client.ip, SanitizeUserAgent(client.user_agent)};
  session.otp_sends = 1;
  session.otp_sent_at = now;
  session.created_at = session.updated_at = now;
  session.expires_at = now + options_.session_ttl;
  session.version = 1;

  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    StatusOr<Tenant> tenant = stores.tenants().FindBySlug(session.slug);
    if (tenant.ok()) return SlugTakenError(session.slug);
    if (tenant.status().code() != StatusCode::kNotFound) return tenant.status();
    PORTICO_ASSIGN_OR_RETURN(IssuedOtp otp,
                             otp_.Issue(stores.otps(), kSignupOtpPurpose, session.id));
    session.otp_expires_at = otp.expires_at;
    if (Status inserted = stores.signup_sessions().Insert(session); !inserted.ok()) {
      if (inserted.code() == StatusCode::kAlreadyExists) {
        return SlugTakenError(session.slug).WithInternal(inserted.ToString());
      }
      return inserted;
    }
    // The code's mail is owed by this commit: queued with it, never lost.
    PORTICO_RETURN_IF_ERROR(
        EnqueueMail(stores, OtpMail(session, otp, now, options_.otp_template_id), now));
    return EnqueueAudit(stores, "signup.session_created", session, now);
  }));
  if (counters_.created != nullptr) counters_.created->Inc();
  return session;
}

StatusOr<SignupSession> SignupService::VerifyEmail(std::string_view session_id, const Json& body,
                                                   const ClientContext& client) {
  PORTICO_ASSIGN_OR_RETURN(const std::string code, ParseVerifyRequest(body));
  const TimePoint now = clock_.Now();
  const SignupRateLimits& limits = options_.limits;
  // The IP is counted before the lookup, so unknown ids cannot be probed for
  // free; the address's scopes once it is known. Limits that are off cost
  // nothing, the lookup for the address's scopes included.
  const bool per_address = IsOn(limits.verify_per_domain) || IsOn(limits.verify_per_email);
  if (IsOn(limits.verify_per_ip) || per_address) {
    const Status limited = db_.Run([&](Stores& stores) -> Status {
      const Buckets ip_only = BucketsFor("verify", client.ip, "");
      PORTICO_RETURN_IF_ERROR(Limit(stores, "ip", ip_only.ip, limits.verify_per_ip, now));
      if (!per_address) return Status::Ok();
      PORTICO_ASSIGN_OR_RETURN(SignupSession found, FindSession(stores, session_id));
      const Buckets buckets = BucketsFor("verify", client.ip, found.admin_email);
      PORTICO_RETURN_IF_ERROR(
          Limit(stores, "domain", buckets.domain, limits.verify_per_domain, now));
      return Limit(stores, "email", buckets.email, limits.verify_per_email, now);
    });
    CountRejection(limited);
    PORTICO_RETURN_IF_ERROR(limited);
  }

  SignupSession session;
  Status outcome;
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(session, FindSession(stores, session_id));
    PORTICO_RETURN_IF_ERROR(CheckAwaitingVerification(session, now));
    outcome = otp_.Verify(stores.otps(), kSignupOtpPurpose, session.id, code);
    if (!outcome.ok()) {
      // A wrong code's attempt must stick: commit it, answer the failure after.
      return outcome.code() == StatusCode::kInvalidArgument ? Status::Ok() : outcome;
    }
    const int64_t version = session.version;
    session.status = SignupStatus::kEmailVerified;
    session.email_verified_at = now;
    session.updated_at = now;
    if (Status updated = stores.signup_sessions().Update(session, version); !updated.ok()) {
      // Rolled back with the code's consumption, so a retry can still use it.
      return updated.code() == StatusCode::kFailedPrecondition ? ConcurrentChange() : updated;
    }
    session.version = version + 1;
    return EnqueueAudit(stores, "signup.email_verified", session, now);
  }));
  if (!outcome.ok()) return outcome;
  if (counters_.verified != nullptr) counters_.verified->Inc();
  return session;
}

StatusOr<SignupSession> SignupService::ResendOtp(std::string_view session_id, const Json& body) {
  PORTICO_RETURN_IF_ERROR(ParseResendRequest(body));
  const TimePoint now = clock_.Now();
  SignupSession session;
  const Status resent = db_.Transact([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(session, FindSession(stores, session_id));
    PORTICO_RETURN_IF_ERROR(CheckAwaitingVerification(session, now));
    if (session.otp_sends >= options_.max_otp_sends) {
      return SessionRateLimited(
          "OTP_SEND_LIMIT",
          "this signup session has had " + std::to_string(options_.max_otp_sends) +
              " codes already; start a new session after it expires",
          SecondsUntil(now, session.expires_at), options_.max_otp_sends, options_.session_ttl);
    }
    const TimePoint available_at = session.otp_sent_at + options_.resend_cooldown;
    if (now < available_at) {
      return SessionRateLimited("OTP_RESEND_COOLDOWN",
                                "a new code can be requested once " +
                                    std::to_string(options_.resend_cooldown.count()) +
                                    " seconds have passed since the last one",
                                SecondsUntil(now, available_at), 1, options_.resend_cooldown);
    }
    // Replaces the old code (and its attempt count) for the session.
    PORTICO_ASSIGN_OR_RETURN(IssuedOtp otp,
                             otp_.Issue(stores.otps(), kSignupOtpPurpose, session.id));
    const int64_t version = session.version;
    session.otp_sends += 1;
    session.otp_sent_at = now;
    session.otp_expires_at = otp.expires_at;
    session.updated_at = now;
    if (Status updated = stores.signup_sessions().Update(session, version); !updated.ok()) {
      return updated.code() == StatusCode::kFailedPrecondition ? ConcurrentChange() : updated;
    }
    session.version = version + 1;
    return EnqueueMail(stores, OtpMail(session, otp, now, options_.otp_template_id), now);
  });
  CountRejection(resent);
  PORTICO_RETURN_IF_ERROR(resent);
  return session;
}

StatusOr<SignupSession> SignupService::Get(std::string_view session_id) {
  const TimePoint now = clock_.Now();
  SignupSession session;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(session, FindSession(stores, session_id));
    return Status::Ok();
  }));
  session.status = EffectiveStatus(session, now);
  return session;
}

}  // namespace portico::signup
