// The signup error envelope, the session view and the routes (feature
// switch, media type, allowlist, Location) over an in-memory database.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "portico/parse_json.h"
#include "signup/http/signup_error.h"
#include "signup/http/signup_routes.h"
#include "signup/session/session_view.h"
#include "src/http/router.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::signup {
namespace {

using std::chrono::minutes;
using testing::FakeClock;
using testing::InMemoryDatabase;

std::optional<std::string> HeaderOf(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (http::EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

Json BodyOf(const http::Response& response) {
  StatusOr<Json> json = ParseJson(response.body);
  EXPECT_TRUE(json.ok()) << response.body;
  return json.ok() ? *json : Json();
}

std::string Str(const Json& doc, std::string_view name) {
  const Json* v = doc.Find(name);
  return v != nullptr && v->is_string() ? v->as_string() : "<none>";
}

http::Response Render(const Status& status) { return RenderSignupError(status, http::Request{}); }

TEST(RenderSignupErrorTest, EveryErrorIsTheOneEnvelope) {
  http::Response r = Render(InvalidArgument("slug must be 3 to 40 characters")
                                .WithTag("INVALID_REQUEST")
                                .WithDetails(Json::MakeObject().Set("field", "slug"))
                                .WithInternal("secret internal detail"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
  Json body = BodyOf(r);
  EXPECT_EQ(Str(body, "code"), "INVALID_REQUEST");
  EXPECT_EQ(Str(body, "message"), "slug must be 3 to 40 characters");
  EXPECT_EQ(Str(*body.Find("details"), "field"), "slug");
  EXPECT_EQ(r.body.find("secret internal detail"), std::string::npos);
  EXPECT_EQ(body.as_object().size(), 3u);

  Json plain = BodyOf(Render(Internal("database error")));
  EXPECT_EQ(Str(plain, "code"), "INTERNAL_ERROR");
  ASSERT_NE(plain.Find("details"), nullptr);
  EXPECT_TRUE(plain.Find("details")->is_object()) << "details is always an object";
}

TEST(RenderSignupErrorTest, MapsCodesAndStatuses) {
  struct Case {
    Status status;
    int http;
    const char* code;
  };
  const Case cases[] = {
      {NotFound("x").WithTag("NOT_FOUND"), 404, "NOT_FOUND"},
      {NotFound("x"), 404, "NOT_FOUND"},
      {AlreadyExists("x").WithTag("SLUG_TAKEN"), 409, "SLUG_TAKEN"},
      {FailedPrecondition("x").WithTag("SESSION_EXPIRED"), 410, "SESSION_EXPIRED"},
      {FailedPrecondition("x").WithTag("EMAIL_ALREADY_VERIFIED"), 409, "EMAIL_ALREADY_VERIFIED"},
      {Aborted("x").WithTag("CONFLICT"), 409, "CONFLICT"},
      {AlreadyExists("x"), 409, "CONFLICT"},
      {InvalidArgument("x").WithTag("invalid_json"), 400, "INVALID_REQUEST"},
      {InvalidArgument("x").WithTag("unsupported_media_type"), 415, "UNSUPPORTED_MEDIA_TYPE"},
      {TooLarge("x"), 413, "PAYLOAD_TOO_LARGE"},
      {Unavailable("x"), 503, "SERVICE_UNAVAILABLE"},
      {FeatureDisabled(60), 503, "FEATURE_DISABLED"},
  };
  for (const Case& c : cases) {
    http::Response r = Render(c.status);
    EXPECT_EQ(r.status, c.http) << c.status.ToString();
    EXPECT_EQ(Str(BodyOf(r), "code"), c.code) << c.status.ToString();
  }
}

TEST(RenderSignupErrorTest, OtpFailuresAreInvalidRequestWithTheirDetails) {
  for (const char* reason : {"OTP_INVALID", "OTP_EXPIRED", "OTP_LOCKED"}) {
    http::Response r = Render(
        InvalidArgument("wrong code")
            .WithTag(reason)
            .WithDetails(Json::MakeObject().Set("reason", reason).Set("attemptsRemaining", 3)));
    EXPECT_EQ(r.status, 400);
    Json body = BodyOf(r);
    EXPECT_EQ(Str(body, "code"), "INVALID_REQUEST");
    EXPECT_EQ(Str(*body.Find("details"), "reason"), reason);
    EXPECT_EQ(body.Find("details")->Find("attemptsRemaining")->as_int(), 3);
  }
}

TEST(RenderSignupErrorTest, RateLimitedCarriesRetryAfterAndTheIetfFields) {
  http::Response r = Render(ResourceExhausted("slow down")
                                .WithTag("RATE_LIMITED")
                                .WithRetryAfter(1187)
                                .WithDetails(Json::MakeObject()
                                                 .Set("scope", "ip")
                                                 .Set("retryAfterSeconds", 1187)
                                                 .Set("limit", 20)
                                                 .Set("windowSeconds", 3600)));
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "1187");
  EXPECT_EQ(HeaderOf(r, "RateLimit-Policy"), "\"ip\";q=20;w=3600");
  EXPECT_EQ(HeaderOf(r, "RateLimit"), "\"ip\";r=0;t=1187");
  Json body = BodyOf(r);
  EXPECT_EQ(Str(body, "code"), "RATE_LIMITED");
  EXPECT_EQ(Str(*body.Find("details"), "scope"), "ip");
  EXPECT_EQ(body.Find("details")->Find("retryAfterSeconds")->as_int(), 1187);
}

TEST(RenderSignupErrorTest, FeatureDisabledTellsWhenToRetry) {
  http::Response r = Render(FeatureDisabled(900));
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "900");
  EXPECT_EQ(BodyOf(r).Find("details")->Find("retryAfterSeconds")->as_int(), 900);
}

SignupSession SampleSession() {
  SignupSession s;
  s.id = "sess_abc";
  s.status = SignupStatus::kEmailVerified;
  s.company_name = "Acme";
  s.slug = "acme";
  s.modules = {"scim", "dcr"};
  s.admin_email = "jane.doe@acme.example";
  s.legal = {"t1", "p1", FromUnixMillis(1'000), "203.0.113.7", "agent/1"};
  s.otp_sends = 2;
  s.otp_sent_at = FromUnixMillis(1'800'000'000'000);
  s.otp_expires_at = s.otp_sent_at + minutes(10);
  s.email_verified_at = s.otp_sent_at + minutes(1);
  s.created_at = FromUnixMillis(1'799'999'000'000);
  s.expires_at = s.created_at + std::chrono::hours(24);
  return s;
}

TEST(SessionJsonTest, ShowsStatusAndExpiriesButNoSecret) {
  const SignupSession s = SampleSession();
  const Json view = SessionJson(s, SignupOptions{});
  EXPECT_EQ(Str(view, "sessionId"), "sess_abc");
  EXPECT_EQ(Str(view, "status"), "EMAIL_VERIFIED");
  EXPECT_EQ(Str(view, "slug"), "acme");
  EXPECT_EQ(Str(view, "adminEmail"), "j***@acme.example");
  EXPECT_EQ(Str(view, "otpExpiresAt"), FormatRfc3339(s.otp_expires_at));
  EXPECT_EQ(Str(view, "sessionExpiresAt"), FormatRfc3339(s.expires_at));
  EXPECT_EQ(Str(view, "resendAvailableAt"),
            FormatRfc3339(s.otp_sent_at + std::chrono::seconds(60)));
  EXPECT_EQ(view.Find("otpSendsRemaining")->as_int(), 3);
  EXPECT_TRUE(view.Find("provisionStepState")->is_object());
  EXPECT_TRUE(view.Find("failureReason")->is_null());
  const std::string text = view.Dump();
  for (const char* hidden : {"jane.doe", "203.0.113.7", "agent/1"}) {
    EXPECT_EQ(text.find(hidden), std::string::npos) << hidden;
  }
}

TEST(MaskEmailTest, KeepsTheFirstCharacterAndTheDomain) {
  EXPECT_EQ(MaskEmail("jane@example.com"), "j***@example.com");
  EXPECT_EQ(MaskEmail("no-at-sign"), "***");
}

class SignupRoutesTest : public ::testing::Test {
 protected:
  SignupRoutesTest() : otp_(std::string(40, 'p'), SecureRandom(), clock_) {
    service_ = std::make_unique<SignupService>(db_, otp_, SecureRandom(), clock_, SignupOptions{});
  }

  void Build(bool enabled) {
    router_ = std::make_unique<http::Router>();
    AddSignupRoutes(*router_, *service_,
                    {.enabled = enabled,
                     .disabled_retry_after_seconds = 120,
                     .base_url = "https://id.example.com"});
  }

  http::Response Call(const std::string& method, const std::string& path, std::string body,
                      std::string content_type = "application/json") {
    http::Router::Match match = router_->Find(method, path);
    http::Request req{.method = method, .path = path};
    req.headers = {{"content-type", content_type}, {"user-agent", "routes-test"}};
    req.body = std::move(body);
    req.client_ip = "192.0.2.1";
    if (match.route == nullptr) {
      return router_->FallbackFor(path)(NotFound("no route"), req);
    }
    EXPECT_EQ(match.route->family, "signup");
    req.params = match.params;
    StatusOr<http::Response> response = match.route->handler(req);
    return response.ok() ? *response : match.route->errors(response.status(), req);
  }

  std::string CreateBody() const {
    return R"({"companyName": "Acme", "slug": "acme", "modules": ["scim"],
      "adminEmail": "jane@acme.example", "legalAcceptance": {"termsVersion": "t1",
      "privacyVersion": "p1", "acceptedAt": ")" +
           FormatRfc3339(clock_.Now()) + R"("}})";
  }

  FakeClock clock_;
  InMemoryDatabase db_;
  OtpVerifier otp_;
  std::unique_ptr<SignupService> service_;
  std::unique_ptr<http::Router> router_;
};

TEST_F(SignupRoutesTest, CreateAnswers201WithLocationAndTheView) {
  Build(true);
  http::Response r = Call("POST", kSessionsPath, CreateBody());
  ASSERT_EQ(r.status, 201) << r.body;
  Json body = BodyOf(r);
  const std::string id = Str(body, "sessionId");
  EXPECT_EQ(HeaderOf(r, "Location"), "https://id.example.com/api/public/signup/sessions/" + id);
  EXPECT_EQ(HeaderOf(r, "Cache-Control"), "no-store");
  EXPECT_EQ(Str(body, "status"), "PENDING_EMAIL_VERIFICATION");
  EXPECT_NE(Str(body, "otpExpiresAt"), "<none>");
  EXPECT_NE(Str(body, "sessionExpiresAt"), "<none>");
  const SignupSession stored = db_.Snapshot().signup.sessions.at(id).session;
  EXPECT_EQ(stored.legal.client_ip, "192.0.2.1");
  EXPECT_EQ(stored.legal.user_agent, "routes-test");

  http::Response read = Call("GET", std::string(kSessionsPath) + "/" + id, "");
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(Str(BodyOf(read), "sessionId"), id);
}

TEST_F(SignupRoutesTest, UnknownPropertyIs400NamingIt) {
  Build(true);
  std::string body = CreateBody();
  body.insert(1, R"("tenantId": "t-1", )");
  http::Response r = Call("POST", kSessionsPath, body);
  EXPECT_EQ(r.status, 400);
  Json json = BodyOf(r);
  EXPECT_EQ(Str(json, "code"), "INVALID_REQUEST");
  EXPECT_NE(Str(json, "message").find("tenantId"), std::string::npos);
  EXPECT_EQ(Str(*json.Find("details"), "field"), "tenantId");
}

TEST_F(SignupRoutesTest, NonJsonBodiesAreRefused) {
  Build(true);
  EXPECT_EQ(Call("POST", kSessionsPath, CreateBody(), "text/plain").status, 415);
  http::Response malformed = Call("POST", kSessionsPath, "{\"slug\": ");
  EXPECT_EQ(malformed.status, 400);
  EXPECT_EQ(Str(BodyOf(malformed), "code"), "INVALID_REQUEST");
}

TEST_F(SignupRoutesTest, ResendAcceptsAnEmptyBody) {
  Build(true);
  http::Response created = Call("POST", kSessionsPath, CreateBody());
  ASSERT_EQ(created.status, 201);
  const std::string id = Str(BodyOf(created), "sessionId");
  clock_.Advance(std::chrono::seconds(61));
  http::Response r = Call("POST", std::string(kSessionsPath) + "/" + id + "/resend-otp", "");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(BodyOf(r).Find("otpSendsRemaining")->as_int(), 3);
}

TEST_F(SignupRoutesTest, UnknownPathsUnderThePrefixAreEnvelopes) {
  Build(true);
  http::Response r = Call("GET", "/api/public/signup/nothing-here", "");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Str(BodyOf(r), "code"), "NOT_FOUND");
}

TEST_F(SignupRoutesTest, FeatureSwitchOffAnswers503EverywhereUnderThePrefix) {
  Build(false);
  const std::string session = std::string(kSessionsPath) + "/some-id";
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"POST", kSessionsPath},
                                                        {"GET", session},
                                                        {"POST", session + "/verify-email"},
                                                        {"POST", session + "/resend-otp"},
                                                        {"POST", session + "/provision"},
                                                        {"GET", "/api/public/signup/anything"}}) {
    http::Response r = Call(method, path, CreateBody());
    EXPECT_EQ(r.status, 503) << method << " " << path;
    EXPECT_EQ(HeaderOf(r, "Retry-After"), "120");
    Json body = BodyOf(r);
    EXPECT_EQ(Str(body, "code"), "FEATURE_DISABLED");
    EXPECT_EQ(body.Find("details")->Find("retryAfterSeconds")->as_int(), 120);
  }
  EXPECT_TRUE(db_.Snapshot().signup.sessions.empty()) << "nothing was created";
}

}  // namespace
}  // namespace portico::signup
