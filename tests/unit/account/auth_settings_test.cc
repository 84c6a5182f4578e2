#include "signup/account/auth_settings.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "portico/parse_json.h"

namespace portico::signup {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kSecret[] = "0x5EcReT-do-not-show-0123456789";

Json Doc(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : Json();
}

StatusOr<AuthSettings> Parse(std::string_view text) { return ParseAuthSettings(Doc(text)); }

// The settings of a document with one captcha object.
StatusOr<AuthSettings> ParseCaptcha(std::string_view captcha) {
  return Parse(R"({"captcha": )" + std::string(captcha) + "}");
}

std::vector<std::string> Origins(std::string_view list) {
  StatusOr<AuthSettings> settings = Parse(R"({"allowedOrigins": )" + std::string(list) + "}");
  EXPECT_TRUE(settings.ok()) << settings.status().ToString();
  return settings.ok() ? settings->allowed_origins : std::vector<std::string>{};
}

// A TenantSettingsStore over a map, for AuthSettingsStorage.
class MapSettingsStore : public TenantSettingsStore {
 public:
  StatusOr<std::optional<Json>> Get(std::string_view tenant_id, std::string_view name) override {
    auto it = documents_.find({std::string(tenant_id), std::string(name)});
    if (it == documents_.end()) return std::optional<Json>();
    return std::optional<Json>(it->second);
  }
  Status Put(std::string_view tenant_id, std::string_view name, const Json& value) override {
    documents_[{std::string(tenant_id), std::string(name)}] = value;
    return Status::Ok();
  }
  StatusOr<std::vector<std::pair<std::string, Json>>> ListByName(std::string_view name) override {
    std::vector<std::pair<std::string, Json>> out;
    for (const auto& [key, value] : documents_) {
      if (key.second == name) out.emplace_back(key.first, value);
    }
    return out;
  }

  std::map<std::pair<std::string, std::string>, Json> documents_;
};

TEST(AuthSettingsTest, EmptyDocumentGivesSafeDefaults) {
  StatusOr<AuthSettings> settings = Parse("{}");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_FALSE(settings->enumeration_protection);
  EXPECT_THAT(settings->allowed_origins, IsEmpty());
  EXPECT_FALSE(settings->captcha.has_value());
  EXPECT_EQ(settings->session_ttl, std::chrono::seconds(7 * 24 * 3600));
  EXPECT_EQ(*settings, AuthSettings{});
}

TEST(AuthSettingsTest, ReadsEveryMember) {
  StatusOr<AuthSettings> settings = Parse(R"({
    "enumerationProtection": true,
    "allowedOrigins": ["https://app.example.com", "http://localhost:3000"],
    "captcha": {"provider": "recaptcha", "secret": "s3cret", "siteKey": "site-1",
                "verifyUrl": "http://127.0.0.1:9000/siteverify",
                "expectedHostnames": ["App.Example.com"], "minScore": 0.5,
                "expectedAction": "signup"},
    "sessionTtlSeconds": 3600})");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_TRUE(settings->enumeration_protection);
  EXPECT_THAT(settings->allowed_origins,
              ElementsAre("https://app.example.com", "http://localhost:3000"));
  ASSERT_TRUE(settings->captcha.has_value());
  const CaptchaSettings& c = *settings->captcha;
  EXPECT_EQ(c.provider, CaptchaProvider::kRecaptcha);
  EXPECT_EQ(c.secret, "s3cret");
  EXPECT_EQ(c.site_key, "site-1");
  EXPECT_EQ(c.EffectiveVerifyUrl(), "http://127.0.0.1:9000/siteverify");
  EXPECT_THAT(c.expected_hostnames, ElementsAre("app.example.com"));
  EXPECT_EQ(c.min_score, 0.5);
  EXPECT_EQ(c.expected_action, "signup");
  EXPECT_EQ(settings->session_ttl, std::chrono::seconds(3600));
}

TEST(AuthSettingsTest, EachProviderDefaultsToItsSiteverifyEndpoint) {
  const std::pair<const char*, const char*> cases[] = {
      {"hcaptcha", "https://api.hcaptcha.com/siteverify"},
      {"turnstile", "https://challenges.cloudflare.com/turnstile/v0/siteverify"},
      {"recaptcha", "https://www.google.com/recaptcha/api/siteverify"},
  };
  for (const auto& [provider, url] : cases) {
    StatusOr<AuthSettings> settings =
        ParseCaptcha(R"({"provider": ")" + std::string(provider) + R"(", "secret": "s"})");
    ASSERT_TRUE(settings.ok()) << provider << ": " << settings.status().ToString();
    EXPECT_EQ(CaptchaProviderName(settings->captcha->provider), provider);
    EXPECT_EQ(settings->captcha->verify_url, "");
    EXPECT_EQ(settings->captcha->EffectiveVerifyUrl(), url) << provider;
  }
}

TEST(AuthSettingsTest, NullCaptchaMeansOff) {
  StatusOr<AuthSettings> settings = Parse(R"({"captcha": null})");
  ASSERT_TRUE(settings.ok());
  EXPECT_FALSE(settings->captcha.has_value());
}

struct Rejection {
  const char* document;
  const char* named;  // what the message must mention
};

TEST(AuthSettingsTest, RejectsEveryMalformedMemberNamingIt) {
  const Rejection cases[] = {
      {R"([])", "JSON object"},
      {R"({"enumerationProtektion": true})", "unknown member enumerationProtektion"},
      {R"({"enumerationProtection": "yes"})", "enumerationProtection"},
      {R"({"allowedOrigins": "https://a.example"})", "allowedOrigins"},
      {R"({"allowedOrigins": [42]})", "allowedOrigins[0]"},
      {R"({"sessionTtlSeconds": 299})", "sessionTtlSeconds"},
      {R"({"sessionTtlSeconds": 7776001})", "sessionTtlSeconds"},
      {R"({"sessionTtlSeconds": 3600.5})", "sessionTtlSeconds"},
      {R"({"sessionTtlSeconds": "3600"})", "sessionTtlSeconds"},
      {R"({"captcha": true})", "captcha"},
      {R"({"captcha": {"secret": "s"}})", "captcha.provider"},
      {R"({"captcha": {"provider": "friendlycaptcha", "secret": "s"}})", "captcha.provider"},
      {R"({"captcha": {"provider": "hcaptcha"}})", "captcha.secret is required"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": ""}})", "captcha.secret"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "has space"}})", "captcha.secret"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": 7}})", "captcha.secret"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "sitekey": "k"}})",
       "unknown member captcha.sitekey"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "siteKey": ""}})", "captcha.siteKey"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "verifyUrl": "ftp://x.example/"}})",
       "captcha.verifyUrl"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "verifyUrl": "/siteverify"}})",
       "captcha.verifyUrl"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s",
                       "verifyUrl": "http://verify.example/siteverify"}})",
       "captcha.verifyUrl"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s",
                       "verifyUrl": "https://u:p@verify.example/siteverify"}})",
       "captcha.verifyUrl"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s",
                       "verifyUrl": "https://verify.example/siteverify#x"}})",
       "captcha.verifyUrl"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "verifyUrl": "https://bad_host/"}})",
       "captcha.verifyUrl"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "expectedHostnames": "a.example"}})",
       "captcha.expectedHostnames"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s",
                       "expectedHostnames": ["https://a.example"]}})",
       "captcha.expectedHostnames"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "minScore": 0.5}})",
       "captcha.minScore applies only to recaptcha"},
      {R"({"captcha": {"provider": "turnstile", "secret": "s", "minScore": 0.5}})",
       "captcha.minScore applies only to recaptcha"},
      {R"({"captcha": {"provider": "recaptcha", "secret": "s", "minScore": 1.5}})",
       "captcha.minScore"},
      {R"({"captcha": {"provider": "recaptcha", "secret": "s", "minScore": -0.1}})",
       "captcha.minScore"},
      {R"({"captcha": {"provider": "recaptcha", "secret": "s", "minScore": "0.5"}})",
       "captcha.minScore"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "expectedAction": "signup"}})",
       "captcha.expectedAction applies only to turnstile and recaptcha"},
      {R"({"captcha": {"provider": "recaptcha", "secret": "s", "expectedAction": "sign up"}})",
       "captcha.expectedAction"},
      {R"({"captcha": {"provider": "recaptcha", "secret": "s", "expectedAction": ""}})",
       "captcha.expectedAction"},
      {R"({"captcha": {"provider": "hcaptcha", "secret": "s", "secretSet": "yes"}})",
       "captcha.secretSet"},
  };
  for (const Rejection& c : cases) {
    StatusOr<AuthSettings> settings = Parse(c.document);
    ASSERT_FALSE(settings.ok()) << c.document;
    EXPECT_EQ(settings.status().code(), StatusCode::kInvalidArgument) << c.document;
    EXPECT_THAT(settings.status().message(), HasSubstr(c.named)) << c.document;
  }
}

TEST(AuthSettingsTest, SessionTtlBoundsAreInclusive) {
  EXPECT_EQ(Parse(R"({"sessionTtlSeconds": 300})")->session_ttl, std::chrono::seconds(300));
  EXPECT_EQ(Parse(R"({"sessionTtlSeconds": 7776000})")->session_ttl, std::chrono::seconds(7776000));
}

TEST(AuthSettingsTest, MinScoreBoundsAreInclusive) {
  EXPECT_EQ(ParseCaptcha(R"({"provider": "recaptcha", "secret": "s", "minScore": 0})")
                ->captcha->min_score,
            0.0);
  EXPECT_EQ(ParseCaptcha(R"({"provider": "recaptcha", "secret": "s", "minScore": 1})")
                ->captcha->min_score,
            1.0);
}

TEST(AuthSettingsTest, ExpectedActionAllowedForTurnstileAndRecaptcha) {
  EXPECT_EQ(
      ParseCaptcha(R"({"provider": "turnstile", "secret": "s", "expectedAction": "sign-up_1"})")
          ->captcha->expected_action,
      "sign-up_1");
  EXPECT_EQ(
      ParseCaptcha(R"({"provider": "recaptcha", "secret": "s", "expectedAction": "auth/signup"})")
          ->captcha->expected_action,
      "auth/signup");
}

TEST(AuthSettingsTest, SecretNeverAppearsInValidationMessages) {
  StatusOr<AuthSettings> settings =
      ParseCaptcha(R"({"provider": "hcaptcha", "secret": "bad secret value"})");
  ASSERT_FALSE(settings.ok());
  EXPECT_THAT(settings.status().message(), ::testing::Not(HasSubstr("bad secret value")));
}

TEST(AuthSettingsTest, AllowedOriginsAreLowerCasedWithoutDefaultPort) {
  EXPECT_THAT(Origins(R"(["HTTPS://App.Example.COM", "https://a.example:443",
                          "http://localhost:80", "https://a.example:8443"])"),
              ElementsAre("https://app.example.com", "https://a.example", "http://localhost",
                          "https://a.example:8443"));
}

TEST(AuthSettingsTest, HttpOriginsOnlyForLoopback) {
  EXPECT_THAT(Origins(R"(["http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:5173"])"),
              ElementsAre("http://localhost:3000", "http://127.0.0.1:8080", "http://[::1]:5173"));
  StatusOr<AuthSettings> settings = Parse(R"({"allowedOrigins": ["http://app.example.com"]})");
  ASSERT_FALSE(settings.ok());
  EXPECT_THAT(settings.status().message(), HasSubstr("https"));
  EXPECT_FALSE(Parse(R"({"allowedOrigins": ["http://localhost.example.com"]})").ok());
}

TEST(AuthSettingsTest, RejectsOriginsThatAreNotExact) {
  const Rejection cases[] = {
      {"https://app.example.com/", "path"},
      {"https://app.example.com/signup", "path"},
      {"https://app.example.com?x=1", "query"},
      {"https://app.example.com#top", "fragment"},
      {"https://user@app.example.com", "userinfo"},
      {"https://*.example.com", "wildcard"},
      {"*", "scheme://host"},
      {"app.example.com", "scheme://host"},
      {"ftp://app.example.com", "http or https"},
      {"null", "scheme://host"},
      {"https://", "host"},
      {"https://app..example.com", "host"},
      {"https://-app.example.com", "host"},
      {"https://app_1.example.com", "host"},
      {"https://app.example.com:", "port"},
      {"https://app.example.com:0", "port"},
      {"https://app.example.com:65536", "port"},
      {"https://app.example.com:8o", "port"},
      {"https://app.example.com:80:80", "port"},
      {"https://[::1", "IPv6"},
      {"https://[zz::1]", "IPv6"},
      {"https://[::1]x", "IPv6"},
      {"https://999.1.1.1", "host"},
      {"https://b\xc3\xbc"
       "cher.example",
       "ASCII"},
      {"https://app.example.com ", "spaces"},
  };
  for (const Rejection& c : cases) {
    Json document = Json::MakeObject();
    document.Set("allowedOrigins", Json(Json::Array{Json(c.document)}));
    StatusOr<AuthSettings> settings = ParseAuthSettings(document);
    ASSERT_FALSE(settings.ok()) << c.document;
    EXPECT_THAT(settings.status().message(), HasSubstr("allowedOrigins[0]")) << c.document;
    EXPECT_THAT(settings.status().message(), HasSubstr(c.named)) << c.document;
  }
}

TEST(AuthSettingsTest, RejectsRepeatedOriginAfterNormalising) {
  StatusOr<AuthSettings> settings =
      Parse(R"({"allowedOrigins": ["https://a.example", "https://A.example:443"]})");
  ASSERT_FALSE(settings.ok());
  EXPECT_THAT(settings.status().message(), HasSubstr("allowedOrigins[1] repeats"));
}

TEST(AuthSettingsTest, RejectsMoreThanTheMaximumOrigins) {
  Json list = Json::MakeArray();
  for (size_t i = 0; i <= kMaxAllowedOrigins; ++i) {
    list.Push(Json("https://a" + std::to_string(i) + ".example"));
  }
  Json document = Json::MakeObject();
  document.Set("allowedOrigins", list);
  EXPECT_FALSE(ParseAuthSettings(document).ok());
  list.as_array().pop_back();
  document.Set("allowedOrigins", list);
  EXPECT_TRUE(ParseAuthSettings(document).ok());
}

TEST(AuthSettingsTest, NormalizeOriginCanonicalisesIpv6) {
  EXPECT_EQ(*NormalizeOrigin("http://[0:0:0:0:0:0:0:1]:3000"), "http://[::1]:3000");
  EXPECT_EQ(*NormalizeOrigin("https://[2001:DB8::1]:443"), "https://[2001:db8::1]");
  EXPECT_EQ(*NormalizeOrigin("https://192.0.2.1:8443"), "https://192.0.2.1:8443");
}

AuthSettings WithOrigins(std::vector<std::string> origins) {
  AuthSettings settings;
  settings.allowed_origins = std::move(origins);
  return settings;
}

TEST(OriginAllowedTest, RequestWithoutOriginIsAllowed) {
  EXPECT_TRUE(OriginAllowed(AuthSettings{}, ""));
  EXPECT_TRUE(OriginAllowed(WithOrigins({"https://app.example.com"}), ""));
}

TEST(OriginAllowedTest, DefaultSettingsRefuseEveryBrowser) {
  EXPECT_FALSE(OriginAllowed(AuthSettings{}, "https://app.example.com"));
  EXPECT_FALSE(OriginAllowed(AuthSettings{}, "http://localhost:3000"));
}

TEST(OriginAllowedTest, OnlyAnExactListedOriginIsAllowed) {
  const AuthSettings settings = WithOrigins({"https://app.example.com", "http://localhost:3000"});
  EXPECT_TRUE(OriginAllowed(settings, "https://app.example.com"));
  EXPECT_TRUE(OriginAllowed(settings, "http://localhost:3000"));
  EXPECT_FALSE(OriginAllowed(settings, "http://app.example.com"));        // scheme
  EXPECT_FALSE(OriginAllowed(settings, "https://app.example.com:8443"));  // port
  EXPECT_FALSE(OriginAllowed(settings, "https://evil.app.example.com"));  // subdomain
  EXPECT_FALSE(OriginAllowed(settings, "https://app.example.com.evil.example"));
  EXPECT_FALSE(OriginAllowed(settings, "https://example.com"));
  EXPECT_FALSE(OriginAllowed(settings, "http://localhost:3001"));
  EXPECT_FALSE(OriginAllowed(settings, "http://localhost"));
}

TEST(OriginAllowedTest, ComparesTheNormalisedForm) {
  const AuthSettings settings = WithOrigins({"https://app.example.com"});
  EXPECT_TRUE(OriginAllowed(settings, "HTTPS://APP.EXAMPLE.COM"));
  EXPECT_TRUE(OriginAllowed(settings, "https://app.example.com:443"));
}

TEST(OriginAllowedTest, RefusesNullAndMalformedOrigins) {
  const AuthSettings settings = WithOrigins({"https://app.example.com"});
  EXPECT_FALSE(OriginAllowed(settings, "null"));  // sandboxed iframes, file: pages
  EXPECT_FALSE(OriginAllowed(settings, "https://app.example.com/"));
  EXPECT_FALSE(OriginAllowed(settings, "https://app.example.com, https://evil.example"));
  EXPECT_FALSE(OriginAllowed(settings, "*"));
}

TEST(AuthSettingsJsonTest, RendersWithoutTheSecret) {
  StatusOr<AuthSettings> settings =
      ParseCaptcha(R"({"provider": "turnstile", "secret": ")" + std::string(kSecret) +
                   R"(", "siteKey": "0x4AAA", "expectedHostnames": ["app.example.com"],
          "expectedAction": "signup"})");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  const Json rendered = AuthSettingsJson(*settings);
  const std::string text = rendered.Dump();
  EXPECT_THAT(text, ::testing::Not(HasSubstr(kSecret)));
  const Json* captcha = rendered.Find("captcha");
  ASSERT_NE(captcha, nullptr);
  EXPECT_EQ(captcha->Find("secret"), nullptr);
  EXPECT_EQ(*captcha->Find("secretSet"), Json(true));
  EXPECT_EQ(*captcha->Find("provider"), Json("turnstile"));
  EXPECT_EQ(*captcha->Find("siteKey"), Json("0x4AAA"));
  EXPECT_EQ(captcha->Find("verifyUrl"), nullptr);  // the provider's default
  EXPECT_EQ(captcha->Find("minScore"), nullptr);
}

TEST(AuthSettingsJsonTest, RendersEveryTopLevelMemberWithCaptchaNullWhenOff) {
  EXPECT_EQ(AuthSettingsJson(AuthSettings{}),
            Doc(R"({"enumerationProtection": false, "allowedOrigins": [], "captcha": null,
                    "sessionTtlSeconds": 604800})"));
}

TEST(AuthSettingsJsonTest, RenderedDocumentParsesBackOnceTheSecretIsKept) {
  StatusOr<AuthSettings> original = Parse(R"({
    "enumerationProtection": true, "allowedOrigins": ["https://app.example.com"],
    "captcha": {"provider": "recaptcha", "secret": "s3cret", "minScore": 0.7,
                "verifyUrl": "https://verify.example/siteverify", "expectedAction": "signup",
                "expectedHostnames": ["app.example.com"], "siteKey": "k"},
    "sessionTtlSeconds": 86400})");
  ASSERT_TRUE(original.ok()) << original.status().ToString();
  // A GET body PUT back unchanged (secretSet and all) keeps everything.
  StatusOr<AuthSettings> again =
      ParseAuthSettingsUpdate(AuthSettingsJson(*original), original->captcha);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, *original);
}

TEST(AuthSettingsUpdateTest, OmittedSecretKeepsTheStoredOneForTheSameProvider) {
  CaptchaSettings current;
  current.provider = CaptchaProvider::kHCaptcha;
  current.secret = kSecret;
  StatusOr<AuthSettings> updated = ParseAuthSettingsUpdate(
      Doc(R"({"captcha": {"provider": "hcaptcha", "siteKey": "new-site"}})"), current);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->captcha->secret, kSecret);
  EXPECT_EQ(updated->captcha->site_key, "new-site");
}

TEST(AuthSettingsUpdateTest, OmittedSecretIsRequiredForAnotherProvider) {
  CaptchaSettings current;
  current.provider = CaptchaProvider::kHCaptcha;
  current.secret = kSecret;
  StatusOr<AuthSettings> updated =
      ParseAuthSettingsUpdate(Doc(R"({"captcha": {"provider": "turnstile"}})"), current);
  ASSERT_FALSE(updated.ok());
  EXPECT_THAT(updated.status().message(), HasSubstr("captcha.secret is required"));
}

TEST(AuthSettingsUpdateTest, OmittedSecretIsRequiredWhenTheVerifyUrlChanges) {
  // Otherwise a new verifyUrl could collect a secret its author never knew.
  CaptchaSettings current;
  current.provider = CaptchaProvider::kHCaptcha;
  current.secret = kSecret;
  EXPECT_FALSE(ParseAuthSettingsUpdate(Doc(R"({"captcha": {"provider": "hcaptcha",
                                       "verifyUrl": "https://collector.example/siteverify"}})"),
                                       current)
                   .ok());
  // Spelling out the default URL is no change.
  EXPECT_TRUE(ParseAuthSettingsUpdate(Doc(R"({"captcha": {"provider": "hcaptcha",
                                      "verifyUrl": "https://api.hcaptcha.com/siteverify"}})"),
                                      current)
                  .ok());
}

TEST(AuthSettingsUpdateTest, OmittedSecretWithoutStoredCaptchaIsRequired) {
  EXPECT_FALSE(
      ParseAuthSettingsUpdate(Doc(R"({"captcha": {"provider": "hcaptcha"}})"), std::nullopt).ok());
}

TEST(AuthSettingsUpdateTest, GivenSecretReplacesTheStoredOne) {
  CaptchaSettings current;
  current.provider = CaptchaProvider::kHCaptcha;
  current.secret = kSecret;
  StatusOr<AuthSettings> updated = ParseAuthSettingsUpdate(
      Doc(R"({"captcha": {"provider": "hcaptcha", "secret": "rotated"}})"), current);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->captcha->secret, "rotated");
}

class AuthSettingsStorageTest : public ::testing::Test {
 protected:
  MapSettingsStore store_;
  AuthSettingsStorage storage_{"key-hash-secret-for-tests-0123456789abcdef"};
};

TEST_F(AuthSettingsStorageTest, TenantWithoutDocumentGetsDefaults) {
  StatusOr<AuthSettings> loaded = storage_.Load(store_, "t1");
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, AuthSettings{});
}

TEST_F(AuthSettingsStorageTest, SavedSettingsLoadBackWithTheSecretSealedAtRest) {
  StatusOr<AuthSettings> settings = Parse(
      R"({"allowedOrigins": ["https://app.example.com"], "enumerationProtection": true,
          "captcha": {"provider": "hcaptcha", "secret": ")" +
      std::string(kSecret) + R"("}})");
  ASSERT_TRUE(settings.ok());
  ASSERT_TRUE(storage_.Save(store_, "t1", *settings).ok());

  const Json& stored = store_.documents_.at({"t1", kAuthSettingsName});
  EXPECT_THAT(stored.Dump(), ::testing::Not(HasSubstr(kSecret)));
  ASSERT_NE(stored.Find("captcha")->Find("sealedSecret"), nullptr);
  // Other features read the origins straight from the stored document.
  EXPECT_EQ(*stored.Find("allowedOrigins"), Json(Json::Array{Json("https://app.example.com")}));

  StatusOr<AuthSettings> loaded = storage_.Load(store_, "t1");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(*loaded, *settings);
}

TEST_F(AuthSettingsStorageTest, SealedSecretDoesNotOpenForAnotherTenantOrKey) {
  StatusOr<AuthSettings> settings = ParseCaptcha(R"({"provider": "hcaptcha", "secret": "s"})");
  ASSERT_TRUE(storage_.Save(store_, "t1", *settings).ok());
  // Copied into another tenant's row: bound to t1, it does not open.
  store_.documents_[{"t2", kAuthSettingsName}] = store_.documents_.at({"t1", kAuthSettingsName});
  StatusOr<AuthSettings> copied = storage_.Load(store_, "t2");
  ASSERT_FALSE(copied.ok());
  EXPECT_EQ(copied.status().code(), StatusCode::kInternal);
  // Under another KEY_HASH_SECRET it does not open either.
  AuthSettingsStorage other_key("another-key-hash-secret-0123456789abcdef");
  EXPECT_EQ(other_key.Load(store_, "t1").status().code(), StatusCode::kInternal);
}

TEST_F(AuthSettingsStorageTest, DecodeReadsADocumentListedByName) {
  StatusOr<AuthSettings> settings = Parse(R"({"allowedOrigins": ["https://a.example"],
      "captcha": {"provider": "turnstile", "secret": "s"}})");
  ASSERT_TRUE(storage_.Save(store_, "t1", *settings).ok());
  StatusOr<std::vector<std::pair<std::string, Json>>> all = store_.ListByName(kAuthSettingsName);
  ASSERT_EQ(all->size(), 1u);
  StatusOr<AuthSettings> decoded = storage_.Decode((*all)[0].first, (*all)[0].second);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, *settings);
}

TEST_F(AuthSettingsStorageTest, UpdateKeepsTheStoredSecretWhenOmitted) {
  ASSERT_TRUE(
      storage_
          .Update(store_, "t1", Doc(R"({"captcha": {"provider": "recaptcha", "secret": "first"}})"))
          .ok());
  StatusOr<AuthSettings> updated = storage_.Update(
      store_, "t1", Doc(R"({"captcha": {"provider": "recaptcha", "minScore": 0.3}})"));
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_EQ(updated->captcha->secret, "first");
  StatusOr<AuthSettings> loaded = storage_.Load(store_, "t1");
  EXPECT_EQ(loaded->captcha->secret, "first");
  EXPECT_EQ(loaded->captcha->min_score, 0.3);
}

TEST_F(AuthSettingsStorageTest, InvalidUpdateStoresNothing) {
  ASSERT_TRUE(storage_.Update(store_, "t1", Doc(R"({"enumerationProtection": true})")).ok());
  EXPECT_FALSE(storage_.Update(store_, "t1", Doc(R"({"enumerationProtection": 1})")).ok());
  EXPECT_TRUE(storage_.Load(store_, "t1")->enumeration_protection);
}

}  // namespace
}  // namespace portico::signup
