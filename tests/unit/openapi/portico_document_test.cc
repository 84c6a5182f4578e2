// Portico's own document: built from the real route table (App wires it as
// `portico serve` does) and its request schemas held against the validators
// that enforce them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "dcr/registration/tenant_policy.h"
#include "signup/account/auth_requests.h"
#include "signup/account/auth_settings.h"
#include "signup/account/password_policy.h"
#include "signup/session/create_request.h"
#include "signup/session/provisioner.h"
#include "src/openapi/openapi_document.h"
#include "src/server/app.h"
#include "src/server/config.h"

namespace portico::openapi {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One App on a fresh SQLite file for the whole suite: its route table is what
// `portico serve` registers (test hooks are registered only by env at serve time).
class PorticoDocumentTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string dir = (std::filesystem::temp_directory_path() / "portico-openapi-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    dir_ = new std::string(dir);
    const std::map<std::string, std::string> env = {
        {"DATABASE_URL", "sqlite:" + dir + "/portico.db"},
        {"PUBLIC_BASE_URL", "https://id.example"},
        {"MAIL_URL", "console:"},
        {"OTP_PEPPER", std::string(40, 'p')},
        {"KEY_HASH_SECRET", std::string(40, 'k')}};
    StatusOr<server::Config> config =
        server::LoadConfig([&](std::string_view name) -> std::optional<std::string> {
          auto it = env.find(std::string(name));
          if (it == env.end()) return std::nullopt;
          return it->second;
        });
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    StatusOr<std::unique_ptr<server::App>> app = server::App::Create(*config);
    // Create fails when a route is undocumented or a documented route is gone.
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    app_ = app->release();
    StatusOr<Json> doc = BuildOpenApiDocument(
        app_->router().routes(), {.base_url = "https://id.example", .max_body_bytes = 1 << 20});
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    doc_ = new Json(std::move(*doc));
  }
  static void TearDownTestSuite() {
    delete doc_;
    delete app_;
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override { ASSERT_NE(doc_, nullptr); }

  static const Json& Schema(const std::string& name) {
    const Json* s = doc_->Find("components")->Find("schemas")->Find(name);
    EXPECT_NE(s, nullptr) << name;
    static const Json kEmpty = Json::MakeObject();
    return s != nullptr ? *s : kEmpty;
  }
  static const Json* Operation(const std::string& method, const std::string& path) {
    const Json* item = doc_->Find("paths")->Find(path);
    return item == nullptr ? nullptr : item->Find(Lower(method));
  }

  static std::string* dir_;
  static server::App* app_;
  static Json* doc_;
};
std::string* PorticoDocumentTest::dir_ = nullptr;
server::App* PorticoDocumentTest::app_ = nullptr;
Json* PorticoDocumentTest::doc_ = nullptr;

TEST_F(PorticoDocumentTest, DocumentsEveryRouteOfTheRealTableAndNothingElse) {
  size_t routes = 0;
  for (const http::Route& route : app_->router().routes()) {
    if (IsTestHook(route)) continue;
    ++routes;
    EXPECT_NE(Operation(route.method, OpenApiPath(route.pattern)), nullptr)
        << route.method << " " << route.pattern;
  }
  size_t operations = 0;
  for (const auto& [path, item] : doc_->Find("paths")->as_object()) {
    operations += item.as_object().size();
  }
  EXPECT_EQ(operations, routes);
  // The families the brief lists are all there, including the document itself.
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"GET", "/openapi.json"},
           {"GET", "/.well-known/api-catalog"},
           {"POST", "/api/public/signup/sessions"},
           {"POST", "/api/auth/sign-up"},
           {"PUT", "/api/tenant/auth-settings"},
           {"DELETE", "/api/tenant/credentials/{id}"},
           {"PUT", "/oauth/register/{client_id}"},
           {"POST", "/oauth/token"},
           {"PATCH", "/scim/v2/Users/{id}"},
           {"GET", "/.well-known/oauth-authorization-server"},
           {"GET", "/readyz"},
           {"GET", "/signup"}}) {
    EXPECT_NE(Operation(method, path), nullptr) << method << " " << path;
  }
}

TEST_F(PorticoDocumentTest, IsOpenApi31WithEveryOperationStatingItsSecurity) {
  EXPECT_TRUE(doc_->Find("openapi")->as_string().starts_with("3.1."));
  const Json* schemes = doc_->Find("components")->Find("securitySchemes");
  for (const char* s : {"integrationKey", "publicLoginToken", "bootstrapToken",
                        "registrationAccessToken", "clientSecretBasic"}) {
    EXPECT_NE(schemes->Find(s), nullptr) << s;
  }
  for (const auto& [path, item] : doc_->Find("paths")->as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      const Json* security = op.Find("security");
      ASSERT_NE(security, nullptr) << method << " " << path;
      for (const Json& requirement : security->as_array()) {
        for (const auto& [name, scopes] : requirement.as_object()) {
          EXPECT_NE(schemes->Find(name), nullptr) << name << " in " << method << " " << path;
        }
      }
    }
  }
}

TEST_F(PorticoDocumentTest, PublicRoutesHaveEmptySecurity) {
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/api/public/signup/sessions"},
           {"POST", "/api/public/signup/sessions/{sessionId}/verify-email"},
           {"GET", "/healthz"},
           {"GET", "/openapi.json"},
           {"GET", "/.well-known/openid-configuration"},
           {"GET", "/oauth/jwks.json"},
           {"GET", "/scim/v2/Schemas"}}) {
    const Json* op = Operation(method, path);
    ASSERT_NE(op, nullptr) << method << " " << path;
    EXPECT_TRUE(op->Find("security")->as_array().empty()) << method << " " << path;
  }
  const Json* users = Operation("GET", "/scim/v2/Users");
  EXPECT_EQ(users->Find("security")->as_array().at(0).Find("integrationKey")->as_array().size(),
            0u);
}

TEST_F(PorticoDocumentTest, RateLimitedRoutesDocument429WithRetryAfter) {
  for (const auto& [method, path] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/api/public/signup/sessions"},
                                                        {"POST", "/api/auth/sign-up"},
                                                        {"POST", "/api/auth/sign-in"},
                                                        {"POST", "/oauth/register"}}) {
    const Json* limited = Operation(method, path)->Find("responses")->Find("429");
    ASSERT_NE(limited, nullptr) << method << " " << path;
    EXPECT_NE(limited->Find("headers")->Find("Retry-After"), nullptr);
  }
  // Every 2xx/4xx names the RateLimit header (OWASP API4), every 429 Retry-After.
  for (const auto& [path, item] : doc_->Find("paths")->as_object()) {
    for (const auto& [method, op] : item.as_object()) {
      for (const auto& [code, response] : op.Find("responses")->as_object()) {
        if (code[0] == '2' || code[0] == '4') {
          EXPECT_NE(response.Find("headers")->Find("RateLimit"), nullptr) << path << " " << code;
        }
        if (code == "429") {
          EXPECT_NE(response.Find("headers")->Find("Retry-After"), nullptr) << path;
        }
      }
    }
  }
}

TEST_F(PorticoDocumentTest, ErrorsUseEachFamilysFormat) {
  const auto schema_of = [](const Json* op, const char* code, const char* media) {
    return op->Find("responses")
        ->Find(code)
        ->Find("content")
        ->Find(media)
        ->Find("schema")
        ->Find("$ref")
        ->as_string();
  };
  EXPECT_EQ(schema_of(Operation("GET", "/scim/v2/Users/{id}"), "404", "application/scim+json"),
            "#/components/schemas/ScimError");
  EXPECT_EQ(schema_of(Operation("POST", "/oauth/register"), "400", "application/json"),
            "#/components/schemas/OAuthError");
  EXPECT_EQ(schema_of(Operation("POST", "/api/public/signup/sessions"), "400", "application/json"),
            "#/components/schemas/SignupError");
  EXPECT_EQ(schema_of(Operation("POST", "/api/auth/sign-up"), "422", "application/json"),
            "#/components/schemas/AccountError");
}

TEST_F(PorticoDocumentTest, ExtensibleBodiesSayTheyAcceptUnknownMembers) {
  EXPECT_TRUE(Schema("ClientMetadata").Find("additionalProperties")->as_bool());
  EXPECT_TRUE(Schema("ScimUser").Find("additionalProperties")->as_bool());
  EXPECT_TRUE(Schema("ScimGroup").Find("additionalProperties")->as_bool());
  // Generated from scim/schema: the core and extension attributes are there.
  const Json* user = Schema("ScimUser").Find("properties");
  EXPECT_NE(user->Find("userName"), nullptr);
  EXPECT_NE(user->Find("emails"), nullptr);
  EXPECT_NE(user->Find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"), nullptr);
}

// A validator's verdict on a body: whether it named `field` as an unknown property.
using UnknownCheck = std::function<bool(const Json& body, const std::string& field)>;

bool SignupUnknown(const Status& status, const std::string& field) {
  const Json* reason = status.details().Find("reason");
  const Json* where = status.details().Find("field");
  return !status.ok() && reason != nullptr && reason->as_string() == "UNKNOWN_PROPERTY" &&
         where != nullptr && where->as_string() == field;
}

UnknownCheck AccountCheck(
    std::function<void(const Json&, std::vector<signup::FieldError>&)> parse) {
  return [parse](const Json& body, const std::string& field) {
    std::vector<signup::FieldError> errors;
    parse(body, errors);
    return std::any_of(errors.begin(), errors.end(), [&](const signup::FieldError& e) {
      return e.code == signup::kUnknownField && e.field == field;
    });
  };
}

// The admin documents name the member in the message ("unknown member NAME").
UnknownCheck MessageCheck(std::function<Status(const Json&)> parse) {
  return [parse](const Json& body, const std::string& field) {
    const Status status = parse(body);
    return !status.ok() && status.message().find("unknown member " + field) != std::string::npos;
  };
}

// Every request schema that says additionalProperties: false is enforced by
// its validator: each documented property passes the allowlist, an
// undocumented one is refused. A property added to a validator without the
// document (or the reverse) fails here.
TEST_F(PorticoDocumentTest, RejectingSchemasMatchTheirValidatorsAllowlists) {
  const TimePoint now = SystemClock().Now();
  const std::map<std::string, UnknownCheck> checks = {
      {"SignupCreateRequest",
       [now](const Json& b, const std::string& f) {
         return SignupUnknown(signup::ParseCreateRequest(b, now).status(), f);
       }},
      {"SignupVerifyRequest",
       [](const Json& b, const std::string& f) {
         return SignupUnknown(signup::ParseVerifyRequest(b).status(), f);
       }},
      {"SignupResendRequest",
       [](const Json& b, const std::string& f) {
         return SignupUnknown(signup::ParseResendRequest(b), f);
       }},
      {"SignupProvisionRequest",
       [](const Json& b, const std::string& f) {
         return SignupUnknown(signup::ParseProvisionRequest(b).status(), f);
       }},
      {"AccountSignUpRequest", AccountCheck([](const Json& b, std::vector<signup::FieldError>& e) {
         (void)signup::ParseSignUpRequest(b, e);
       })},
      {"AccountSignInRequest", AccountCheck([](const Json& b, std::vector<signup::FieldError>& e) {
         (void)signup::ParseSignInRequest(b, e);
       })},
      {"AccountVerifyEmailRequest",
       AccountCheck([](const Json& b, std::vector<signup::FieldError>& e) {
         (void)signup::ParseVerifyEmailRequest(b, e);
       })},
      {"AccountResendRequest", AccountCheck([](const Json& b, std::vector<signup::FieldError>& e) {
         (void)signup::ParseResendRequest(b, e);
       })},
      {"PasswordPolicy",
       MessageCheck([](const Json& b) { return signup::ParsePasswordPolicy(b).status(); })},
      {"AuthSettings",
       MessageCheck([](const Json& b) { return signup::ParseAuthSettings(b).status(); })},
      {"DcrPolicy", MessageCheck([](const Json& b) {
         return dcr::ParseTenantDcrPolicy(&b, dcr::RegistrationPolicy{}).status();
       })},
  };
  std::set<std::string> rejecting;
  for (const auto& [name, schema] : doc_->Find("components")->Find("schemas")->as_object()) {
    const Json* extra = schema.Find("additionalProperties");
    if (name.find("Request") == std::string::npos && name != "PasswordPolicy" &&
        name != "AuthSettings" && name != "DcrPolicy") {
      continue;
    }
    if (extra != nullptr && extra->is_bool() && !extra->as_bool()) rejecting.insert(name);
  }
  for (const char* name : {"SignupCreateRequest", "SignupVerifyRequest", "SignupResendRequest",
                           "SignupProvisionRequest", "AccountSignUpRequest", "AccountSignInRequest",
                           "AccountVerifyEmailRequest", "AccountResendRequest", "PasswordPolicy",
                           "AuthSettings", "DcrPolicy", "CredentialRequest"}) {
    EXPECT_TRUE(rejecting.contains(name)) << name << " should say additionalProperties: false";
  }
  for (const auto& [name, unknown] : checks) {
    SCOPED_TRACE(name);
    const Json& schema = Schema(name);
    EXPECT_TRUE(unknown(Json::MakeObject().Set("mass_assigned", true), "mass_assigned"));
    const Json* properties = schema.Find("properties");
    if (properties == nullptr) continue;  // SignupResendRequest: no property at all
    for (const auto& [property, def] : properties->as_object()) {
      EXPECT_FALSE(unknown(Json::MakeObject().Set(property, Json()), property)) << property;
    }
  }
  // Nested allowlists.
  const Json legal =
      Json::MakeObject().Set("legalAcceptance", Json::MakeObject().Set("ip", "192.0.2.1"));
  EXPECT_TRUE(checks.at("SignupCreateRequest")(legal, "legalAcceptance.ip"));
  for (const auto& [property, def] : Schema("SignupCreateRequest")
                                         .Find("properties")
                                         ->Find("legalAcceptance")
                                         ->Find("properties")
                                         ->as_object()) {
    const Json body =
        Json::MakeObject().Set("legalAcceptance", Json::MakeObject().Set(property, Json()));
    EXPECT_FALSE(checks.at("SignupCreateRequest")(body, "legalAcceptance." + property));
  }
}

}  // namespace
}  // namespace portico::openapi
