// The libcurl CAPTCHA verifier against a real siteverify server
// (tests/support/siteverify_server.py), for hCaptcha, Turnstile and reCAPTCHA.
#include "signup/account/captcha_verifier.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "portico/parse_json.h"
#include "tests/support/test_servers.h"

namespace portico::signup {
namespace {

using portico::testing::ChildProcess;
using portico::testing::DeadPort;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kSecret[] = "0xS3cret-Key+with/odd=chars&more";
constexpr char kClientIp[] = "203.0.113.7";

// tests/support/siteverify_server.py on a free loopback port, stopped by PID.
class SiteverifyServer {
 public:
  explicit SiteverifyServer(CaptchaProvider provider, std::string secret = kSecret)
      : dir_(portico::testing::MakeTempDir()) {
    port_ = portico::testing::StartSupportScript(
        process_, "siteverify_server.py",
        {"--provider", std::string(CaptchaProviderName(provider)), "--secret", secret, "--out",
         (dir_ / "forms.jsonl").string()});
  }
  ~SiteverifyServer() {
    process_.Terminate();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/siteverify"; }

  // The forms received, oldest first: {"path", "content_type", "form": {…}}.
  std::vector<Json> Requests() const {
    std::vector<Json> out;
    std::istringstream lines(portico::testing::ReadFile(dir_ / "forms.jsonl"));
    for (std::string line; std::getline(lines, line);) {
      if (line.empty()) continue;
      StatusOr<Json> parsed = ParseJson(line);
      EXPECT_TRUE(parsed.ok()) << line;
      if (parsed.ok()) out.push_back(*parsed);
    }
    return out;
  }

 private:
  std::filesystem::path dir_;
  ChildProcess process_;
  int port_ = 0;
};

CaptchaSettings Settings(CaptchaProvider provider, const std::string& url) {
  CaptchaSettings settings;
  settings.provider = provider;
  settings.secret = kSecret;
  settings.verify_url = url;
  return settings;
}

CaptchaRequest Token(std::string token) {
  return CaptchaRequest{.token = std::move(token), .remote_ip = kClientIp};
}

// The names of a received form's fields.
std::vector<std::string> FieldNames(const Json& request) {
  std::vector<std::string> names;
  for (const auto& [name, value] : request.Find("form")->as_object()) names.push_back(name);
  return names;
}

std::string Field(const Json& request, const char* name) {
  const Json* value = request.Find("form")->Find(name);
  return value != nullptr && value->is_string() ? value->as_string() : "<missing>";
}

std::vector<std::string> ErrorCodes(const Status& status) {
  std::vector<std::string> codes;
  const Json* list = status.details().Find("errorCodes");
  if (list == nullptr || !list->is_array()) return codes;
  for (const Json& code : list->as_array()) codes.push_back(code.as_string());
  return codes;
}

void ExpectRejected(const Status& status, const std::vector<std::string>& codes) {
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_EQ(status.tag(), kCaptchaInvalidTag);
  EXPECT_EQ(ErrorCodes(status), codes) << status.ToString();
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret)));
}

void ExpectUnavailable(const Status& status) {
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_THAT(status.ToString(), Not(HasSubstr(kSecret)));
}

class EveryProviderTest : public ::testing::TestWithParam<CaptchaProvider> {
 protected:
  SiteverifyServer server_{GetParam()};
  CurlCaptchaVerifier verifier_;
};

TEST_P(EveryProviderTest, AcceptsATokenTheProviderAccepts) {
  EXPECT_TRUE(verifier_.Verify(Settings(GetParam(), server_.url()), Token("ok")).ok());
  std::vector<Json> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(*requests[0].Find("path"), Json("/siteverify"));
  EXPECT_EQ(*requests[0].Find("content_type"), Json("application/x-www-form-urlencoded"));
  EXPECT_THAT(FieldNames(requests[0]), UnorderedElementsAre("secret", "response", "remoteip"));
  EXPECT_EQ(Field(requests[0], "secret"), kSecret);  // percent-encoding survived the trip
  EXPECT_EQ(Field(requests[0], "response"), "ok");
  EXPECT_EQ(Field(requests[0], "remoteip"), kClientIp);
}

TEST_P(EveryProviderTest, RejectedTokenCarriesTheProviderErrorCodes) {
  ExpectRejected(verifier_.Verify(Settings(GetParam(), server_.url()),
                                  Token("fail=invalid-input-response,timeout-or-duplicate")),
                 {"invalid-input-response", "timeout-or-duplicate"});
}

TEST_P(EveryProviderTest, RejectionWithoutErrorCodesIsStillRejected) {
  ExpectRejected(verifier_.Verify(Settings(GetParam(), server_.url()), Token("fail=")),
                 {"invalid-input-response"});
}

TEST_P(EveryProviderTest, HostnameMustBeAnExpectedOne) {
  CaptchaSettings settings = Settings(GetParam(), server_.url());
  settings.expected_hostnames = {"app.example.com", "www.example.com"};
  EXPECT_TRUE(verifier_.Verify(settings, Token("ok;host=www.example.com")).ok());
  EXPECT_TRUE(verifier_.Verify(settings, Token("ok;host=App.Example.COM")).ok());
  ExpectRejected(verifier_.Verify(settings, Token("ok;host=evil.example")), {"hostname-mismatch"});
  ExpectRejected(verifier_.Verify(settings, Token("ok;nohost")), {"hostname-mismatch"});
}

TEST_P(EveryProviderTest, AnyHostnameWhenNoneConfigured) {
  EXPECT_TRUE(
      verifier_.Verify(Settings(GetParam(), server_.url()), Token("ok;host=evil.example")).ok());
}

TEST_P(EveryProviderTest, EmptyTokenIsRefusedWithoutAskingTheProvider) {
  ExpectRejected(verifier_.Verify(Settings(GetParam(), server_.url()), Token("")),
                 {"missing-input-response"});
  EXPECT_TRUE(server_.Requests().empty());
}

TEST_P(EveryProviderTest, OversizedTokenIsRefusedWithoutAskingTheProvider) {
  ExpectRejected(
      verifier_.Verify(Settings(GetParam(), server_.url()), Token(std::string(16 * 1024 + 1, 'a'))),
      {"invalid-input-response"});
  EXPECT_TRUE(server_.Requests().empty());
}

TEST_P(EveryProviderTest, TokenIsFormEncodedSoItCannotInjectFields) {
  const std::string token = "fail=x&secret=forged&remoteip=1.1.1.1";
  ExpectRejected(verifier_.Verify(Settings(GetParam(), server_.url()), Token(token)),
                 {"x&secret=forged&remoteip=1.1.1.1"});
  std::vector<Json> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(Field(requests[0], "response"), token);
  EXPECT_EQ(Field(requests[0], "secret"), kSecret);
  EXPECT_EQ(Field(requests[0], "remoteip"), kClientIp);
}

TEST_P(EveryProviderTest, RemoteIpIsLeftOutWhenUnknown) {
  EXPECT_TRUE(
      verifier_.Verify(Settings(GetParam(), server_.url()), CaptchaRequest{.token = "ok"}).ok());
  std::vector<Json> requests = server_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(FieldNames(requests[0]), UnorderedElementsAre("secret", "response"));
}

TEST_P(EveryProviderTest, ProviderServerErrorIsUnavailable) {
  ExpectUnavailable(verifier_.Verify(Settings(GetParam(), server_.url()), Token("status=500")));
  ExpectUnavailable(verifier_.Verify(Settings(GetParam(), server_.url()), Token("status=503")));
  ExpectUnavailable(verifier_.Verify(Settings(GetParam(), server_.url()), Token("status=429")));
}

TEST_P(EveryProviderTest, AnswerThatIsNotJsonIsUnavailable) {
  ExpectUnavailable(verifier_.Verify(Settings(GetParam(), server_.url()), Token("garbage")));
}

TEST_P(EveryProviderTest, OversizedAnswerIsUnavailable) {
  CurlCaptchaVerifier small({.max_response_bytes = 1024});
  EXPECT_TRUE(small.Verify(Settings(GetParam(), server_.url()), Token("ok;huge=1000")).ok());
  ExpectUnavailable(small.Verify(Settings(GetParam(), server_.url()), Token("ok;huge=4096")));
}

TEST_P(EveryProviderTest, WrongSecretIsUnavailableNotTheVisitorsFault) {
  CaptchaSettings settings = Settings(GetParam(), server_.url());
  settings.secret = "0xNot-The-Configured-Secret";
  const Status status = verifier_.Verify(settings, Token("ok"));
  ExpectUnavailable(status);
  EXPECT_THAT(status.internal(), HasSubstr("invalid-input-secret"));
  EXPECT_THAT(status.ToString(), Not(HasSubstr("0xNot-The-Configured-Secret")));
}

TEST_P(EveryProviderTest, SlowProviderTimesOutAsUnavailable) {
  CurlCaptchaVerifier quick({.timeout = std::chrono::milliseconds(500)});
  const auto start = std::chrono::steady_clock::now();
  ExpectUnavailable(quick.Verify(Settings(GetParam(), server_.url()), Token("ok;delay=3")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
}

INSTANTIATE_TEST_SUITE_P(Providers, EveryProviderTest,
                         ::testing::Values(CaptchaProvider::kHCaptcha, CaptchaProvider::kTurnstile,
                                           CaptchaProvider::kRecaptcha),
                         [](const ::testing::TestParamInfo<CaptchaProvider>& info) {
                           return std::string(CaptchaProviderName(info.param));
                         });

TEST(CaptchaVerifierTest, HcaptchaSendsTheSiteKeyWhenConfigured) {
  SiteverifyServer server(CaptchaProvider::kHCaptcha);
  CaptchaSettings settings = Settings(CaptchaProvider::kHCaptcha, server.url());
  settings.site_key = "10000000-ffff-ffff-ffff-000000000001";
  EXPECT_TRUE(CurlCaptchaVerifier().Verify(settings, Token("ok")).ok());
  std::vector<Json> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(Field(requests[0], "sitekey"), "10000000-ffff-ffff-ffff-000000000001");
}

TEST(CaptchaVerifierTest, TurnstileSendsTheIdempotencyKeyWhenGiven) {
  SiteverifyServer server(CaptchaProvider::kTurnstile);
  CaptchaRequest request = Token("ok");
  request.idempotency_key = "6f1c7bde-8d2b-4a4e-9c3f-0f5d2a1b3c4d";
  EXPECT_TRUE(CurlCaptchaVerifier()
                  .Verify(Settings(CaptchaProvider::kTurnstile, server.url()), request)
                  .ok());
  std::vector<Json> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(Field(requests[0], "idempotency_key"), request.idempotency_key);
}

TEST(CaptchaVerifierTest, RecaptchaSendsNeitherSiteKeyNorIdempotencyKey) {
  // The server answers bad-request to a field reCAPTCHA does not define.
  SiteverifyServer server(CaptchaProvider::kRecaptcha);
  CaptchaSettings settings = Settings(CaptchaProvider::kRecaptcha, server.url());
  settings.site_key = "6LeIxAcTAAAAAJcZVRqyHh71UMIEGNQ_MXjiZKhI";
  CaptchaRequest request = Token("ok");
  request.idempotency_key = "6f1c7bde-8d2b-4a4e-9c3f-0f5d2a1b3c4d";
  EXPECT_TRUE(CurlCaptchaVerifier().Verify(settings, request).ok());
  std::vector<Json> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(FieldNames(requests[0]), UnorderedElementsAre("secret", "response", "remoteip"));
}

TEST(CaptchaVerifierTest, RecaptchaScoreBelowMinimumIsRejected) {
  SiteverifyServer server(CaptchaProvider::kRecaptcha);
  CaptchaSettings settings = Settings(CaptchaProvider::kRecaptcha, server.url());
  settings.min_score = 0.5;
  CurlCaptchaVerifier verifier;
  ExpectRejected(verifier.Verify(settings, Token("ok;score=0.3")), {"score-too-low"});
  EXPECT_TRUE(verifier.Verify(settings, Token("ok;score=0.5")).ok());
  EXPECT_TRUE(verifier.Verify(settings, Token("ok;score=0.9")).ok());
  // A v2 answer has no score: a tenant asking for a minimum does not get a pass.
  ExpectRejected(verifier.Verify(settings, Token("ok")), {"score-too-low"});
}

TEST(CaptchaVerifierTest, ScoreIsIgnoredWithoutAConfiguredMinimum) {
  SiteverifyServer server(CaptchaProvider::kRecaptcha);
  EXPECT_TRUE(
      CurlCaptchaVerifier()
          .Verify(Settings(CaptchaProvider::kRecaptcha, server.url()), Token("ok;score=0.1"))
          .ok());
}

TEST(CaptchaVerifierTest, ActionMustMatchWhenConfigured) {
  for (CaptchaProvider provider : {CaptchaProvider::kTurnstile, CaptchaProvider::kRecaptcha}) {
    SiteverifyServer server(provider);
    CaptchaSettings settings = Settings(provider, server.url());
    settings.expected_action = "signup";
    CurlCaptchaVerifier verifier;
    EXPECT_TRUE(verifier.Verify(settings, Token("ok;action=signup;score=0.9")).ok());
    ExpectRejected(verifier.Verify(settings, Token("ok;action=login;score=0.9")),
                   {"action-mismatch"});
    ExpectRejected(verifier.Verify(settings, Token("ok;score=0.9")), {"action-mismatch"});
  }
}

TEST(CaptchaVerifierTest, EveryFailedCheckIsReported) {
  SiteverifyServer server(CaptchaProvider::kRecaptcha);
  CaptchaSettings settings = Settings(CaptchaProvider::kRecaptcha, server.url());
  settings.expected_hostnames = {"app.example.com"};
  settings.min_score = 0.5;
  settings.expected_action = "signup";
  ExpectRejected(
      CurlCaptchaVerifier().Verify(settings, Token("ok;host=evil.example;score=0.1;action=login")),
      {"hostname-mismatch", "score-too-low", "action-mismatch"});
}

TEST(CaptchaVerifierTest, ProviderDownIsUnavailable) {
  DeadPort refusing(DeadPort::kRefusing);
  const std::string url = "http://127.0.0.1:" + std::to_string(refusing.port()) + "/siteverify";
  ExpectUnavailable(
      CurlCaptchaVerifier().Verify(Settings(CaptchaProvider::kHCaptcha, url), Token("ok")));
}

TEST(CaptchaVerifierTest, HungProviderTimesOutAsUnavailable) {
  DeadPort silent(DeadPort::kSilent);
  const std::string url = "http://127.0.0.1:" + std::to_string(silent.port()) + "/siteverify";
  CurlCaptchaVerifier quick({.timeout = std::chrono::milliseconds(300)});
  const auto start = std::chrono::steady_clock::now();
  ExpectUnavailable(quick.Verify(Settings(CaptchaProvider::kTurnstile, url), Token("ok")));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2000));
}

TEST(CaptchaVerifierTest, MalformedRequestAnswerIsUnavailable) {
  // The server answers 400 bad-request to a token it cannot read: a request
  // the provider calls malformed is not the visitor's wrong answer.
  SiteverifyServer server(CaptchaProvider::kHCaptcha);
  const Status status = CurlCaptchaVerifier().Verify(
      Settings(CaptchaProvider::kHCaptcha, server.url()), Token("not-a-directive"));
  ExpectUnavailable(status);
  EXPECT_THAT(status.internal(), HasSubstr("bad-request"));
}

}  // namespace
}  // namespace portico::signup
