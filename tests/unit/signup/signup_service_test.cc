#include "signup/session/signup_service.h"

#include <gtest/gtest.h>

#include <latch>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "portico/parse_json.h"
#include "signup/session/signup_session_store.h"
#include "src/core/mail/mail_outbox.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::signup {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using testing::FakeClock;
using testing::InMemoryDatabase;

Json Parse(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text;
  return json.ok() ? *json : Json();
}

std::string DetailString(const Status& s, std::string_view name) {
  const Json* v = s.details().Find(name);
  return v != nullptr && v->is_string() ? v->as_string() : "<none>";
}
int64_t DetailInt(const Status& s, std::string_view name) {
  const Json* v = s.details().Find(name);
  return v != nullptr && v->is_int() ? v->as_int() : -1;
}

class SignupServiceTest : public ::testing::Test {
 protected:
  SignupServiceTest() : otp_(std::string(40, 'p'), SecureRandom(), clock_) {
    options_.limits = SignupRateLimits{};
    options_.otp_template_id = "tmpl_otp";
    Rebuild();
  }

  void Rebuild() {
    service_ = std::make_unique<SignupService>(db_, otp_, SecureRandom(), clock_, options_);
  }

  // A create body for `slug` and `email`, accepted a minute ago.
  Json CreateBody(std::string slug = "acme", std::string email = "jane@acme.example") {
    Json body = Parse(R"({"companyName": "Acme", "modules": ["scim", "dcr"],
      "legalAcceptance": {"termsVersion": "t1", "privacyVersion": "p1"}})");
    body.Set("slug", slug).Set("adminEmail", email);
    body.Find("legalAcceptance")->Set("acceptedAt", FormatRfc3339(clock_.Now() - minutes(1)));
    return body;
  }

  StatusOr<SignupSession> Create(std::string slug = "acme",
                                 std::string email = "jane@acme.example") {
    return service_->Create(CreateBody(std::move(slug), std::move(email)), client_);
  }

  // The mail messages queued so far, decoded, oldest first.
  std::vector<MailMessage> Mails() {
    std::vector<MailMessage> mails;
    for (const auto& [id, m] : db_.Snapshot().outbox) {
      if (m.topic != mail::kMailTopic) continue;
      StatusOr<MailMessage> decoded = mail::DecodeMailPayload(m.payload);
      EXPECT_TRUE(decoded.ok());
      if (decoded.ok()) mails.push_back(*decoded);
    }
    return mails;
  }

  // The code in the latest mail (asserting it is in the plain text too).
  std::string LatestCode() {
    std::vector<MailMessage> mails = Mails();
    if (mails.empty()) {
      ADD_FAILURE() << "no mail queued";
      return "";
    }
    const Json* otp = mails.back().template_data.Find("otp");
    if (otp == nullptr || !otp->is_string()) {
      ADD_FAILURE() << "no otp in the template data";
      return "";
    }
    EXPECT_NE(mails.back().text.find(otp->as_string()), std::string::npos);
    return otp->as_string();
  }

  StatusOr<SignupSession> Verify(const std::string& id, const std::string& code) {
    Json body = Json::MakeObject();
    body.Set("otp", code);
    return service_->VerifyEmail(id, body, client_);
  }

  StatusOr<SignupSession> Resend(const std::string& id) {
    return service_->ResendOtp(id, Json::MakeObject());
  }

  static std::string WrongCode(const std::string& code) {
    return code == "000000" ? "000001" : "000000";
  }

  FakeClock clock_;
  InMemoryDatabase db_;
  OtpVerifier otp_;
  SignupOptions options_;
  ClientContext client_{"203.0.113.7", "agent/1.0 (test)"};
  std::unique_ptr<SignupService> service_;
};

TEST_F(SignupServiceTest, CreateStoresThePendingSessionAndQueuesTheCodeMailWithIt) {
  StatusOr<SignupSession> session = Create("acme", "Jane@ACME.example");
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  EXPECT_EQ(session->status, SignupStatus::kPendingEmailVerification);
  EXPECT_GE(session->id.size(), 43u) << "at least 256 bits, base64url";
  EXPECT_EQ(session->slug, "acme");
  EXPECT_EQ(session->admin_email, "Jane@acme.example");
  EXPECT_EQ(session->otp_sends, 1);
  EXPECT_EQ(session->otp_expires_at, clock_.Now() + minutes(10));
  EXPECT_EQ(session->expires_at, clock_.Now() + hours(24));

  const InMemoryDatabase::State state = db_.Snapshot();
  ASSERT_EQ(state.signup.sessions.count(session->id), 1u);
  ASSERT_EQ(state.otps.size(), 1u);
  EXPECT_EQ(state.otps[0].purpose, kSignupOtpPurpose);
  EXPECT_EQ(state.otps[0].subject, session->id);

  std::vector<MailMessage> mails = Mails();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].to, "Jane@acme.example");
  EXPECT_EQ(mails[0].template_id, "tmpl_otp");
  const std::string code = LatestCode();
  EXPECT_EQ(code.size(), 6u);
  EXPECT_EQ(state.otps[0].code_hash.find(code), std::string::npos) << "only a hash is stored";
  EXPECT_EQ(mails[0].template_data.Find("expiresAt")->as_string(),
            FormatRfc3339(session->otp_expires_at));
  EXPECT_EQ(mails[0].template_data.Find("companyName")->as_string(), "Acme");
}

TEST_F(SignupServiceTest, CreateRecordsTheClientIpAndUserAgentWithTheLegalAcceptance) {
  client_.user_agent = "agent/1.0\x01\xc3\xa4";
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const SignupSession stored = db_.Snapshot().signup.sessions.at(session->id).session;
  EXPECT_EQ(stored.legal.terms_version, "t1");
  EXPECT_EQ(stored.legal.privacy_version, "p1");
  EXPECT_EQ(stored.legal.accepted_at, clock_.Now() - minutes(1));
  EXPECT_EQ(stored.legal.client_ip, "203.0.113.7");
  EXPECT_EQ(stored.legal.user_agent, "agent/1.0???") << "printable ASCII only";
}

TEST_F(SignupServiceTest, InvalidBodyIsRefusedBeforeAnythingIsWritten) {
  Json body = CreateBody();
  body.Set("plan", "enterprise");
  StatusOr<SignupSession> session = service_->Create(body, client_);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().tag(), "INVALID_REQUEST");
  EXPECT_EQ(DetailString(session.status(), "field"), "plan");
  EXPECT_TRUE(db_.Snapshot().signup.sessions.empty());
  EXPECT_TRUE(db_.Snapshot().outbox.empty());
}

TEST_F(SignupServiceTest, ASlugHeldByALiveSessionIsTaken) {
  ASSERT_TRUE(Create("acme", "jane@acme.example").ok());
  StatusOr<SignupSession> second = Create("acme", "john@other.example");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(second.status().tag(), "SLUG_TAKEN");
  EXPECT_EQ(Mails().size(), 1u) << "the refused create mailed nothing";
}

TEST_F(SignupServiceTest, AnExistingTenantsSlugIsTakenCaseInsensitively) {
  db_.MutableStateForTest([&](InMemoryDatabase::State& state) {
    Tenant t;
    t.id = "tenant-1";
    t.slug = "Globex";
    t.name = "Globex";
    t.created_at = clock_.Now();
    state.tenants.push_back(t);
  });
  StatusOr<SignupSession> session = Create("globex");
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().tag(), "SLUG_TAKEN");
}

TEST_F(SignupServiceTest, AnExpiredSessionLetsItsSlugGo) {
  ASSERT_TRUE(Create("acme", "jane@acme.example").ok());
  clock_.Advance(hours(24));
  StatusOr<SignupSession> again = Create("acme", "john@other.example");
  EXPECT_TRUE(again.ok()) << again.status().ToString();
}

TEST_F(SignupServiceTest, CreateLeavesNothingBehindWhenTheMailCannotBeQueued) {
  db_.FailOperation("outbox.Enqueue");
  StatusOr<SignupSession> session = Create();
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kUnavailable);
  db_.FailOperation("");
  const InMemoryDatabase::State state = db_.Snapshot();
  EXPECT_TRUE(state.signup.sessions.empty());
  EXPECT_TRUE(state.otps.empty());
  EXPECT_TRUE(Create().ok()) << "the slug was not kept";
}

TEST_F(SignupServiceTest, ConcurrentCreatesForOneSlugLetExactlyOneThrough) {
  options_.limits = SignupRateLimits{{0}, {0}, {0}, {0}, {0}, {0}};
  Rebuild();
  constexpr int kThreads = 8;
  std::latch start(kThreads);
  std::mutex mu;
  int created = 0, taken = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      Json body = CreateBody("contested", "user" + std::to_string(i) + "@acme.example");
      start.arrive_and_wait();
      StatusOr<SignupSession> s = service_->Create(body, client_);
      std::lock_guard lock(mu);
      if (s.ok()) ++created;
      if (!s.ok() && s.status().tag() == "SLUG_TAKEN") ++taken;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(created, 1);
  EXPECT_EQ(taken, kThreads - 1);
}

TEST_F(SignupServiceTest, CreateIsLimitedPerIp) {
  options_.limits.create_per_ip = {2, seconds(3600)};
  Rebuild();
  ASSERT_TRUE(Create("one-co", "a@one.example").ok());
  ASSERT_TRUE(Create("two-co", "b@two.example").ok());
  clock_.Advance(seconds(600));
  StatusOr<SignupSession> third = Create("three-co", "c@three.example");
  ASSERT_FALSE(third.ok());
  const Status& s = third.status();
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(s.tag(), "RATE_LIMITED");
  EXPECT_EQ(DetailString(s, "scope"), "ip");
  EXPECT_EQ(DetailInt(s, "limit"), 2);
  EXPECT_EQ(DetailInt(s, "windowSeconds"), 3600);
  ASSERT_TRUE(s.retry_after_seconds().has_value());
  EXPECT_EQ(DetailInt(s, "retryAfterSeconds"), *s.retry_after_seconds());
  EXPECT_GT(*s.retry_after_seconds(), 0);
  EXPECT_LE(*s.retry_after_seconds(), 3600);
  client_.ip = "198.51.100.1";
  EXPECT_TRUE(Create("four-co", "d@four.example").ok()) << "another IP has its own count";
}

TEST_F(SignupServiceTest, CreateIsLimitedPerEmailDomain) {
  options_.limits.create_per_domain = {2, seconds(3600)};
  Rebuild();
  ASSERT_TRUE(Create("one-co", "a@shared.example").ok());
  ASSERT_TRUE(Create("two-co", "b@SHARED.example").ok());
  StatusOr<SignupSession> third = Create("three-co", "c@shared.example");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().tag(), "RATE_LIMITED");
  EXPECT_EQ(DetailString(third.status(), "scope"), "domain");
  EXPECT_TRUE(Create("four-co", "d@other.example").ok());
}

TEST_F(SignupServiceTest, CreateIsLimitedPerEmailAddressCaseInsensitively) {
  options_.limits.create_per_email = {1, seconds(3600)};
  Rebuild();
  ASSERT_TRUE(Create("one-co", "jane@acme.example").ok());
  StatusOr<SignupSession> second = Create("two-co", "JANE@acme.example");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(DetailString(second.status(), "scope"), "email");
}

TEST_F(SignupServiceTest, CountsTheFunnelWhenGivenMetrics) {
  Metrics metrics;
  options_.metrics = &metrics;
  options_.limits.create_per_email = {1, seconds(3600)};
  Rebuild();
  StatusOr<SignupSession> session = Create("one-co", "jane@acme.example");
  ASSERT_TRUE(session.ok());
  EXPECT_FALSE(Verify(session->id, WrongCode(LatestCode())).ok());  // not a verification
  ASSERT_TRUE(Verify(session->id, LatestCode()).ok());
  EXPECT_EQ(Create("two-co", "jane@acme.example").status().tag(), "RATE_LIMITED");
  const std::string text = metrics.Render();
  for (const char* line :
       {"portico_signup_attempts_total{flow=\"session\"} 2\n",
        "portico_signup_sessions_created_total 1\n", "portico_signup_emails_verified_total 1\n",
        "portico_signup_blocked_total{flow=\"session\",reason=\"rate_limit\"} 1\n",
        "portico_rate_limit_rejections_total{api=\"signup\",scope=\"email\"} 1\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " missing in\n" << text;
  }
}

TEST_F(SignupServiceTest, RefusedCreatesStillCountAgainstTheLimit) {
  options_.limits.create_per_ip = {3, seconds(3600)};
  Rebuild();
  ASSERT_TRUE(Create("acme", "a@one.example").ok());
  // Probing for taken slugs costs like any other create.
  EXPECT_EQ(Create("acme", "b@two.example").status().tag(), "SLUG_TAKEN");
  EXPECT_EQ(Create("acme", "c@three.example").status().tag(), "SLUG_TAKEN");
  EXPECT_EQ(Create("acme", "d@four.example").status().tag(), "RATE_LIMITED");
}

TEST_F(SignupServiceTest, TheMailedCodeVerifiesTheEmail) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  clock_.Advance(minutes(3));
  StatusOr<SignupSession> verified = Verify(session->id, LatestCode());
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->status, SignupStatus::kEmailVerified);
  EXPECT_EQ(verified->email_verified_at, clock_.Now());
  StatusOr<SignupSession> read = service_->Get(session->id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->status, SignupStatus::kEmailVerified);
  EXPECT_EQ(read->version, session->version + 1);
}

TEST_F(SignupServiceTest, AWrongCodeIsOtpInvalidWithTheAttemptsLeft) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  const std::string code = LatestCode();
  StatusOr<SignupSession> wrong = Verify(session->id, WrongCode(code));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DetailString(wrong.status(), "reason"), "OTP_INVALID");
  EXPECT_EQ(DetailInt(wrong.status(), "attemptsRemaining"), 4);
  EXPECT_EQ(db_.Snapshot().otps[0].attempts, 1) << "the wrong attempt was committed";
  EXPECT_EQ(DetailInt(Verify(session->id, WrongCode(code)).status(), "attemptsRemaining"), 3);
  EXPECT_TRUE(Verify(session->id, code).ok());
}

TEST_F(SignupServiceTest, FiveWrongCodesBurnTheCode) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  const std::string code = LatestCode();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(DetailString(Verify(session->id, WrongCode(code)).status(), "reason"), "OTP_INVALID");
  }
  Status fifth = Verify(session->id, WrongCode(code)).status();
  EXPECT_EQ(DetailString(fifth, "reason"), "OTP_LOCKED");
  EXPECT_EQ(DetailInt(fifth, "attemptsRemaining"), 0);
  Status right = Verify(session->id, code).status();
  EXPECT_EQ(DetailString(right, "reason"), "OTP_LOCKED") << "even the right code is refused now";
  EXPECT_EQ(service_->Get(session->id)->status, SignupStatus::kPendingEmailVerification);
}

TEST_F(SignupServiceTest, TheCodeExpiresAfterTenMinutes) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  const std::string code = LatestCode();
  clock_.Advance(minutes(10));
  Status late = Verify(session->id, code).status();
  EXPECT_EQ(DetailString(late, "reason"), "OTP_EXPIRED");
}

TEST_F(SignupServiceTest, ACodeWorksOnce) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  const std::string code = LatestCode();
  ASSERT_TRUE(Verify(session->id, code).ok());
  Status again = Verify(session->id, code).status();
  EXPECT_EQ(again.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(again.tag(), "EMAIL_ALREADY_VERIFIED");
}

TEST_F(SignupServiceTest, AnotherSessionsCodeDoesNotVerify) {
  StatusOr<SignupSession> first = Create("first-co", "a@one.example");
  ASSERT_TRUE(first.ok());
  const std::string first_code = LatestCode();
  StatusOr<SignupSession> second = Create("second-co", "b@two.example");
  ASSERT_TRUE(second.ok());
  if (first_code == LatestCode()) GTEST_SKIP() << "the two random codes happen to be equal";
  EXPECT_EQ(DetailString(Verify(second->id, first_code).status(), "reason"), "OTP_INVALID");
}

TEST_F(SignupServiceTest, VerifyingAnExpiredSessionIsSessionExpired) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  const std::string code = LatestCode();
  clock_.Advance(hours(24));
  Status late = Verify(session->id, code).status();
  EXPECT_EQ(late.tag(), "SESSION_EXPIRED");
}

TEST_F(SignupServiceTest, UnknownSessionIsNotFound) {
  EXPECT_EQ(Verify("no-such-session", "123456").status().tag(), "NOT_FOUND");
  EXPECT_EQ(service_->Get("no-such-session").status().tag(), "NOT_FOUND");
  EXPECT_EQ(service_->Get("../etc/passwd").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Resend("no-such-session").status().code(), StatusCode::kNotFound);
}

TEST_F(SignupServiceTest, VerifyIsLimitedPerIpBeforeTheLookup) {
  options_.limits.verify_per_ip = {2, seconds(600)};
  Rebuild();
  EXPECT_EQ(Verify("unknown-1", "123456").status().tag(), "NOT_FOUND");
  EXPECT_EQ(Verify("unknown-2", "123456").status().tag(), "NOT_FOUND");
  Status third = Verify("unknown-3", "123456").status();
  EXPECT_EQ(third.tag(), "RATE_LIMITED");
  EXPECT_EQ(DetailString(third, "scope"), "ip");
}

TEST_F(SignupServiceTest, VerifyIsLimitedPerEmailAndDomain) {
  options_.limits.verify_per_email = {2, seconds(600)};
  Rebuild();
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  const std::string code = LatestCode();
  ASSERT_FALSE(Verify(session->id, WrongCode(code)).ok());
  ASSERT_FALSE(Verify(session->id, WrongCode(code)).ok());
  client_.ip = "198.51.100.9";  // a new IP does not help
  Status third = Verify(session->id, code).status();
  EXPECT_EQ(third.tag(), "RATE_LIMITED");
  EXPECT_EQ(DetailString(third, "scope"), "email");

  options_.limits.verify_per_email = {0, seconds(600)};
  options_.limits.verify_per_domain = {3, seconds(600)};
  Rebuild();
  Status domain = Verify(session->id, code).status();
  EXPECT_EQ(DetailString(domain, "scope"), "domain") << domain.ToString();
}

TEST_F(SignupServiceTest, ResendWithinTheCooldownIsRateLimitedUntilItEnds) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  clock_.Advance(seconds(20));
  Status early = Resend(session->id).status();
  EXPECT_EQ(early.code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(early.tag(), "RATE_LIMITED");
  EXPECT_EQ(DetailString(early, "scope"), "session");
  EXPECT_EQ(DetailString(early, "reason"), "OTP_RESEND_COOLDOWN");
  EXPECT_EQ(early.retry_after_seconds(), 40);
  EXPECT_EQ(Mails().size(), 1u);
  clock_.Advance(seconds(40));
  EXPECT_TRUE(Resend(session->id).ok());
}

TEST_F(SignupServiceTest, ResendMailsANewCodeThatReplacesTheOld) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  const std::string old_code = LatestCode();
  ASSERT_FALSE(Verify(session->id, WrongCode(old_code)).ok());
  clock_.Advance(seconds(60));
  StatusOr<SignupSession> resent = Resend(session->id);
  ASSERT_TRUE(resent.ok()) << resent.status().ToString();
  EXPECT_EQ(resent->otp_sends, 2);
  EXPECT_EQ(resent->otp_expires_at, clock_.Now() + minutes(10));
  ASSERT_EQ(Mails().size(), 2u);
  const std::string new_code = LatestCode();
  EXPECT_EQ(db_.Snapshot().otps.size(), 1u);
  EXPECT_EQ(db_.Snapshot().otps[0].attempts, 0) << "the new code starts with every attempt";
  if (new_code != old_code) {
    EXPECT_EQ(DetailString(Verify(session->id, old_code).status(), "reason"), "OTP_INVALID");
  }
  EXPECT_TRUE(Verify(session->id, new_code).ok());
}

TEST_F(SignupServiceTest, AtMostFiveCodesPerSession) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  for (int sends = 2; sends <= 5; ++sends) {
    clock_.Advance(seconds(60));
    StatusOr<SignupSession> resent = Resend(session->id);
    ASSERT_TRUE(resent.ok()) << resent.status().ToString();
    EXPECT_EQ(resent->otp_sends, sends);
  }
  clock_.Advance(seconds(60));
  Status sixth = Resend(session->id).status();
  EXPECT_EQ(sixth.tag(), "RATE_LIMITED");
  EXPECT_EQ(DetailString(sixth, "reason"), "OTP_SEND_LIMIT");
  EXPECT_EQ(DetailInt(sixth, "limit"), 5);
  EXPECT_EQ(Mails().size(), 5u);
}

TEST_F(SignupServiceTest, NoResendOnceVerifiedOrExpired) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(Verify(session->id, LatestCode()).ok());
  clock_.Advance(seconds(60));
  EXPECT_EQ(Resend(session->id).status().tag(), "EMAIL_ALREADY_VERIFIED");

  StatusOr<SignupSession> other = Create("other-co", "b@two.example");
  ASSERT_TRUE(other.ok());
  clock_.Advance(hours(24));
  EXPECT_EQ(Resend(other->id).status().tag(), "SESSION_EXPIRED");
}

TEST_F(SignupServiceTest, ResendRefusesUnknownProperties) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  clock_.Advance(seconds(60));
  Status extra =
      service_->ResendOtp(session->id, Parse(R"({"adminEmail": "x@evil.example"})")).status();
  EXPECT_EQ(extra.tag(), "INVALID_REQUEST");
  EXPECT_EQ(DetailString(extra, "field"), "adminEmail");
}

TEST_F(SignupServiceTest, AnExpiredSessionReadsAsExpired) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  clock_.Advance(hours(24) - milliseconds(1));
  EXPECT_EQ(service_->Get(session->id)->status, SignupStatus::kPendingEmailVerification);
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(service_->Get(session->id)->status, SignupStatus::kExpired);
}

TEST_F(SignupServiceTest, AVerifiedSessionAlsoExpiresBeforeProvisioning) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(Verify(session->id, LatestCode()).ok());
  clock_.Advance(hours(24));
  EXPECT_EQ(service_->Get(session->id)->status, SignupStatus::kExpired);
}

TEST_F(SignupServiceTest, ASessionInProvisioningNeverExpires) {
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   SignupSession stored = *s.signup_sessions().Find(session->id);
                   stored.status = SignupStatus::kReviewRequired;
                   return s.signup_sessions().Update(stored, stored.version);
                 })
                  .ok());
  clock_.Advance(hours(48));
  EXPECT_EQ(service_->Get(session->id)->status, SignupStatus::kReviewRequired);
}

TEST_F(SignupServiceTest, SessionTtlIsConfigurable) {
  options_.session_ttl = minutes(30);
  Rebuild();
  StatusOr<SignupSession> session = Create();
  ASSERT_TRUE(session.ok());
  EXPECT_EQ(session->expires_at, clock_.Now() + minutes(30));
}

TEST(SessionRefTest, IsShortStableAndNotTheId) {
  EXPECT_EQ(SessionRef("abc"), SessionRef("abc"));
  EXPECT_NE(SessionRef("abc"), SessionRef("abd"));
  EXPECT_EQ(SessionRef("abc").size(), 12u);
  EXPECT_EQ(SessionRef("abc").find("abc"), std::string::npos);
}

}  // namespace
}  // namespace portico::signup
