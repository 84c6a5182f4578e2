#include "signup/session/create_request.h"

#include <gtest/gtest.h>

#include <string>

#include "portico/parse_json.h"

namespace portico::signup {
namespace {

using std::chrono::minutes;

// 2026-03-03T12:00:00Z
const TimePoint kNow = FromUnixMillis(1'772'539'200'000);

Json Parse(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text;
  return json.ok() ? *json : Json();
}

// A valid body; `edit` changes it before parsing.
Json ValidBody() {
  return Parse(R"({
    "companyName": "  Acme Corp  ",
    "slug": "acme-corp",
    "modules": ["scim", "dcr"],
    "adminEmail": "Jane.Doe@Example.COM",
    "legalAcceptance": {"termsVersion": "2026-01", "privacyVersion": "v3",
                        "acceptedAt": "2026-03-03T11:59:00Z"}
  })");
}

std::string Field(const Status& status) {
  const Json* f = status.details().Find("field");
  return f != nullptr && f->is_string() ? f->as_string() : "<none>";
}
std::string Reason(const Status& status) {
  const Json* r = status.details().Find("reason");
  return r != nullptr && r->is_string() ? r->as_string() : "<none>";
}

// Expects INVALID_REQUEST naming `field` for `reason`.
void ExpectRejected(const Json& body, const std::string& field, const std::string& reason) {
  StatusOr<CreateRequest> parsed = ParseCreateRequest(body, kNow);
  ASSERT_FALSE(parsed.ok()) << body.Dump();
  const Status& s = parsed.status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.tag(), "INVALID_REQUEST");
  EXPECT_EQ(Field(s), field) << s.ToString();
  EXPECT_EQ(Reason(s), reason) << s.ToString();
  if (!field.empty()) {
    EXPECT_NE(s.message().find(field), std::string::npos) << s.message();
  }
}

TEST(ParseCreateRequestTest, AcceptsAValidBodyAndNormalisesIt) {
  StatusOr<CreateRequest> parsed = ParseCreateRequest(ValidBody(), kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->company_name, "Acme Corp");
  EXPECT_EQ(parsed->slug, "acme-corp");
  EXPECT_EQ(parsed->modules, (std::vector<std::string>{"scim", "dcr"}));
  EXPECT_EQ(parsed->admin_email, "Jane.Doe@example.com");
  EXPECT_EQ(parsed->terms_version, "2026-01");
  EXPECT_EQ(parsed->privacy_version, "v3");
  EXPECT_EQ(parsed->accepted_at, kNow - minutes(1));
}

TEST(ParseCreateRequestTest, UnknownTopLevelPropertyIsNamed) {
  Json body = ValidBody();
  body.Set("role", "owner");
  ExpectRejected(body, "role", "UNKNOWN_PROPERTY");
}

TEST(ParseCreateRequestTest, UnknownPropertyWinsOverOtherProblems) {
  Json body = Parse(R"({"isAdmin": true, "slug": "A"})");
  ExpectRejected(body, "isAdmin", "UNKNOWN_PROPERTY");
}

TEST(ParseCreateRequestTest, UnknownLegalAcceptancePropertyIsNamedWithItsPath) {
  Json body = ValidBody();
  body.Find("legalAcceptance")->Set("ip", "1.2.3.4");
  ExpectRejected(body, "legalAcceptance.ip", "UNKNOWN_PROPERTY");
}

TEST(ParseCreateRequestTest, EveryPropertyIsRequired) {
  for (const char* name : {"companyName", "slug", "modules", "adminEmail", "legalAcceptance"}) {
    Json body = ValidBody();
    body.Erase(name);
    ExpectRejected(body, name, "REQUIRED");
    body = ValidBody();
    body.Set(name, nullptr);
    ExpectRejected(body, name, "REQUIRED");
  }
  for (const char* name : {"termsVersion", "privacyVersion", "acceptedAt"}) {
    Json body = ValidBody();
    body.Find("legalAcceptance")->Erase(name);
    ExpectRejected(body, std::string("legalAcceptance.") + name, "REQUIRED");
  }
}

TEST(ParseCreateRequestTest, WrongTypesAreRefused) {
  struct Case {
    const char* name;
    Json value;
  };
  for (const Case& c :
       {Case{"companyName", Json(5)}, Case{"slug", Json(true)}, Case{"modules", Json("scim")},
        Case{"adminEmail", Json::MakeArray()}, Case{"legalAcceptance", Json("yes")}}) {
    Json body = ValidBody();
    body.Set(c.name, c.value);
    ExpectRejected(body, c.name, "WRONG_TYPE");
  }
  ExpectRejected(Parse("[]"), "", "WRONG_TYPE");
}

TEST(ParseCreateRequestTest, CompanyNameRules) {
  for (const char* bad : {"", "   ", "Acme\nCorp", "Acme\x7f"}) {
    Json body = ValidBody();
    body.Set("companyName", bad);
    ExpectRejected(body, "companyName", "NAME_INVALID");
  }
  Json body = ValidBody();
  body.Set("companyName", std::string(201, 'a'));
  ExpectRejected(body, "companyName", "NAME_INVALID");
  // 200 characters, counted as code points, not bytes.
  std::string umlauts;
  for (int i = 0; i < 200; ++i) umlauts += "\xc3\xa4";
  body.Set("companyName", umlauts);
  EXPECT_TRUE(ParseCreateRequest(body, kNow).ok());
}

TEST(ParseCreateRequestTest, SlugRules) {
  struct Case {
    std::string slug;
    const char* reason;
  };
  const Case cases[] = {
      {"ab", "SLUG_INVALID"},                  // too short
      {std::string(41, 'a'), "SLUG_INVALID"},  // too long
      {"Acme", "SLUG_INVALID"},                // uppercase
      {"ac_me", "SLUG_INVALID"},               // underscore
      {"ac.me", "SLUG_INVALID"},               // dot
      {"-acme", "SLUG_INVALID"},               // leading hyphen
      {"acme-", "SLUG_INVALID"},               // trailing hyphen
      {"ac me", "SLUG_INVALID"},               // space
      {"acm\xc3\xa9", "SLUG_INVALID"},         // non-ASCII
      {"api", "SLUG_RESERVED"},
      {"admin", "SLUG_RESERVED"},
      {"www", "SLUG_RESERVED"},
      {"scim", "SLUG_RESERVED"},
      {"oauth", "SLUG_RESERVED"},
      {"signup", "SLUG_RESERVED"},
      {"login", "SLUG_RESERVED"},
      {"auth", "SLUG_RESERVED"},
      {"static", "SLUG_RESERVED"},
      {"assets", "SLUG_RESERVED"},
  };
  for (const Case& c : cases) {
    Json body = ValidBody();
    body.Set("slug", c.slug);
    ExpectRejected(body, "slug", c.reason);
  }
  for (const std::string& good :
       std::vector<std::string>{"abc", std::string(40, 'z'), "a-b-c", "9to5", "api-co"}) {
    Json body = ValidBody();
    body.Set("slug", good);
    EXPECT_TRUE(ParseCreateRequest(body, kNow).ok()) << good;
  }
}

TEST(ParseCreateRequestTest, ModulesComeFromTheDocumentedSetOnce) {
  EXPECT_EQ(SignupModules(), (std::vector<std::string>{"scim", "dcr", "signup"}));
  struct Case {
    const char* modules;
    const char* reason;
  };
  for (const Case& c : {Case{"[]", "MODULES_EMPTY"}, Case{R"(["billing"])", "MODULE_UNKNOWN"},
                        Case{R"(["SCIM"])", "MODULE_UNKNOWN"},
                        Case{R"(["scim", "dcr", "scim"])", "MODULE_DUPLICATE"},
                        Case{R"(["scim", 3])", "WRONG_TYPE"}}) {
    Json body = ValidBody();
    body.Set("modules", Parse(c.modules));
    ExpectRejected(body, "modules", c.reason);
  }
  Json body = ValidBody();
  body.Set("modules", Parse(R"(["signup", "scim", "dcr"])"));
  StatusOr<CreateRequest> parsed = ParseCreateRequest(body, kNow);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->modules, (std::vector<std::string>{"signup", "scim", "dcr"}));
}

TEST(ParseCreateRequestTest, LegalAcceptanceVersionsArePrintableTokens) {
  for (const std::string& bad :
       std::vector<std::string>{"", "v 1", std::string(65, 'v'), "v\x01", "v\xc3\xa4"}) {
    Json body = ValidBody();
    body.Find("legalAcceptance")->Set("termsVersion", bad);
    ExpectRejected(body, "legalAcceptance.termsVersion", "VERSION_INVALID");
    body = ValidBody();
    body.Find("legalAcceptance")->Set("privacyVersion", bad);
    ExpectRejected(body, "legalAcceptance.privacyVersion", "VERSION_INVALID");
  }
}

TEST(ParseCreateRequestTest, AcceptedAtIsRfc3339AndNotInTheFuture) {
  for (const char* bad :
       {"2026-03-03", "2026-03-03 11:00:00Z", "yesterday", "1772539200", "2026-02-30T10:00:00Z"}) {
    Json body = ValidBody();
    body.Find("legalAcceptance")->Set("acceptedAt", bad);
    ExpectRejected(body, "legalAcceptance.acceptedAt", "DATE_INVALID");
  }
  Json body = ValidBody();
  body.Find("legalAcceptance")->Set("acceptedAt", "2026-03-03T12:05:01Z");  // 5 min 1 s ahead
  ExpectRejected(body, "legalAcceptance.acceptedAt", "DATE_INVALID");
  body.Find("legalAcceptance")->Set("acceptedAt", "2026-03-03T12:04:59Z");  // within the skew
  EXPECT_TRUE(ParseCreateRequest(body, kNow).ok());
  body.Find("legalAcceptance")->Set("acceptedAt", "2026-03-03T13:30:00+02:00");  // 11:30Z
  StatusOr<CreateRequest> parsed = ParseCreateRequest(body, kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->accepted_at, kNow - minutes(30));
}

TEST(NormaliseEmailTest, LowercasesTheDomainOnlyAndTrims) {
  EXPECT_EQ(*NormaliseEmail("Jane.Doe@Example.COM"), "Jane.Doe@example.com");
  EXPECT_EQ(*NormaliseEmail(" ops+signup@sub.example.co.uk\t"), "ops+signup@sub.example.co.uk");
  EXPECT_EQ(*NormaliseEmail("o'brien@xn--bcher-kva.example"), "o'brien@xn--bcher-kva.example");
}

// 2 + 5 × 61 + 3 characters: every label fits, the whole does not.
std::string LongDomainAddress() {
  std::string address = "a@";
  for (int i = 0; i < 5; ++i) address += std::string(60, 'b') + ".";
  return address + "com";
}

TEST(NormaliseEmailTest, RefusesMalformedAddresses) {
  for (const std::string& bad : std::vector<std::string>{"",
                                                         "plainaddress",
                                                         "@example.com",
                                                         "jane@",
                                                         "jane@@example.com",
                                                         "ja@ne@example.com",
                                                         "jane@example",
                                                         "jane@.example.com",
                                                         "jane@example..com",
                                                         "jane@example.com.",
                                                         "jane@-example.com",
                                                         "jane@example-.com",
                                                         "jane@exa_mple.com",
                                                         "jane@example.123",
                                                         ".jane@example.com",
                                                         "jane.@example.com",
                                                         "ja..ne@example.com",
                                                         "ja ne@example.com",
                                                         "ja\"ne@example.com",
                                                         "jane(x)@example.com",
                                                         "j\xc3\xa4ne@example.com",
                                                         "jane@b\xc3\xbc"
                                                         "cher.example",
                                                         std::string(65, 'a') + "@example.com",
                                                         "a@" + std::string(64, 'b') + ".com",
                                                         LongDomainAddress()}) {
    StatusOr<std::string> normalised = NormaliseEmail(bad);
    EXPECT_FALSE(normalised.ok()) << bad;
    if (!normalised.ok()) {
      EXPECT_EQ(Field(normalised.status()), "adminEmail");
      EXPECT_EQ(Reason(normalised.status()), "EMAIL_INVALID");
    }
  }
}

TEST(NormaliseEmailTest, BadAdminEmailInTheBodyIsInvalidRequest) {
  Json body = ValidBody();
  body.Set("adminEmail", "not-an-email");
  ExpectRejected(body, "adminEmail", "EMAIL_INVALID");
}

TEST(EmailDomainTest, IsThePartAfterTheAt) {
  EXPECT_EQ(EmailDomain("jane@example.com"), "example.com");
  EXPECT_EQ(EmailDomain("nothing"), "");
}

TEST(ParseVerifyRequestTest, AcceptsExactlySixDigits) {
  StatusOr<std::string> otp = ParseVerifyRequest(Parse(R"({"otp": "012345"})"));
  ASSERT_TRUE(otp.ok());
  EXPECT_EQ(*otp, "012345");
  for (const char* bad : {R"({"otp": "12345"})", R"({"otp": "1234567"})", R"({"otp": "12a456"})",
                          R"({"otp": " 123456"})"}) {
    StatusOr<std::string> parsed = ParseVerifyRequest(Parse(bad));
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_EQ(parsed.status().tag(), "INVALID_REQUEST");
    EXPECT_EQ(Reason(parsed.status()), "OTP_FORMAT");
  }
  StatusOr<std::string> number = ParseVerifyRequest(Parse(R"({"otp": 123456})"));
  EXPECT_EQ(Reason(number.status()), "WRONG_TYPE");
  EXPECT_EQ(Reason(ParseVerifyRequest(Parse("{}")).status()), "REQUIRED");
  StatusOr<std::string> extra = ParseVerifyRequest(Parse(R"({"otp": "123456", "email": "x"})"));
  EXPECT_EQ(Reason(extra.status()), "UNKNOWN_PROPERTY");
  EXPECT_EQ(Field(extra.status()), "email");
}

TEST(ParseResendRequestTest, AcceptsOnlyAnEmptyObject) {
  EXPECT_TRUE(ParseResendRequest(Json::MakeObject()).ok());
  Status extra = ParseResendRequest(Parse(R"({"email": "other@example.com"})"));
  EXPECT_EQ(extra.tag(), "INVALID_REQUEST");
  EXPECT_EQ(Field(extra), "email");
  EXPECT_EQ(Reason(extra), "UNKNOWN_PROPERTY");
  EXPECT_FALSE(ParseResendRequest(Parse("[]")).ok());
}

}  // namespace
}  // namespace portico::signup
