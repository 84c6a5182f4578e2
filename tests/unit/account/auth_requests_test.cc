#include "signup/account/auth_requests.h"

#include <gtest/gtest.h>

#include <map>

#include "portico/parse_json.h"

namespace portico::signup {
namespace {

Json Doc(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text;
  return json.ok() ? *json : Json();
}

// field → code of every error.
std::map<std::string, std::string> Codes(const std::vector<FieldError>& errors) {
  std::map<std::string, std::string> out;
  for (const FieldError& e : errors) out[e.field] = e.code;
  return out;
}

constexpr char kBcrypt[] = "$2b$04$HwhF0ZiASsGCaXAB9i/g8.2bzsDlB/GGlgQy/ddvWvzdcI0sMlwLW";

TEST(SignUpRequest, ReadsEveryAllowedFieldAndNormalisesTheEmail) {
  std::vector<FieldError> errors;
  SignUpRequest r = ParseSignUpRequest(
      Doc(R"({"email": "  Jane@Example.COM ", "password": "pw", "name": " Jane ",
              "organizationName": "  Acme  ", "captchaToken": "tok",
              "callbackOrigin": "https://app.example", "roles": ["admin", "ops:read"]})"),
      errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(r.email, "Jane@example.com");
  EXPECT_EQ(r.password, "pw");
  EXPECT_FALSE(r.password_hash);
  EXPECT_EQ(r.name, "Jane");
  EXPECT_EQ(r.organization_name, "Acme");
  EXPECT_EQ(r.captcha_token, "tok");
  EXPECT_EQ(r.callback_origin, "https://app.example");
  EXPECT_EQ(r.roles, (std::vector<std::string>{"admin", "ops:read"}));
}

TEST(SignUpRequest, OnlyTheEmailIsRequired) {
  std::vector<FieldError> errors;
  SignUpRequest r = ParseSignUpRequest(Doc(R"({"email": "a@example.com"})"), errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(r.password);
  EXPECT_FALSE(r.password_hash);
  EXPECT_FALSE(r.roles);
  EXPECT_FALSE(r.organization_name);
}

TEST(SignUpRequest, ReportsEveryProblemAtOnce) {
  std::vector<FieldError> errors;
  ParseSignUpRequest(Doc(R"({"email": "nope", "password": 5, "name": "a\u0001b",
                             "organizationName": "x", "role": "admin", "isAdmin": true,
                             "roles": ["ok", "ok"], "captchaToken": ""})"),
                     errors);
  const auto codes = Codes(errors);
  EXPECT_EQ(codes.at("email"), kInvalidEmailFormat);
  EXPECT_EQ(codes.at("password"), kWrongType);
  EXPECT_EQ(codes.at("name"), kInvalidValue);
  EXPECT_EQ(codes.at("organizationName"), kInvalidLength);
  EXPECT_EQ(codes.at("role"), kUnknownField);
  EXPECT_EQ(codes.at("isAdmin"), kUnknownField);
  EXPECT_EQ(codes.at("roles"), kInvalidValue);
  EXPECT_EQ(codes.at("captchaToken"), kInvalidLength);
}

TEST(SignUpRequest, MissingEmailIsRequiredAndNonObjectBodyIsOneError) {
  std::vector<FieldError> errors;
  ParseSignUpRequest(Doc(R"({"password": "x"})"), errors);
  EXPECT_EQ(Codes(errors).at("email"), kRequiredField);
  errors.clear();
  ParseSignUpRequest(Doc(R"(["email"])"), errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field, "");
  EXPECT_EQ(errors[0].code, kWrongType);
}

TEST(SignUpRequest, PasswordAndPasswordHashAreMutuallyExclusive) {
  std::vector<FieldError> errors;
  SignUpRequest r = ParseSignUpRequest(
      Doc(std::string(R"({"email": "a@example.com", "password": "x", "passwordHash": ")") +
          kBcrypt + "\"}"),
      errors);
  EXPECT_EQ(Codes(errors).at("passwordHash"), kMutuallyExclusive);
  EXPECT_FALSE(r.password_hash);
}

TEST(SignUpRequest, PasswordHashMustBeAnAcceptedBcryptHash) {
  std::vector<FieldError> errors;
  SignUpRequest ok = ParseSignUpRequest(
      Doc(std::string(R"({"email": "a@example.com", "passwordHash": ")") + kBcrypt + "\"}"),
      errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(ok.password_hash, kBcrypt);
  ParseSignUpRequest(
      Doc(R"({"email": "a@example.com", "passwordHash": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"})"),
      errors);
  EXPECT_EQ(Codes(errors).at("passwordHash"), "UNSUPPORTED_PASSWORD_HASH");
}

TEST(SignUpRequest, NameAndOrganizationLengthsCountCharactersNotBytes) {
  std::vector<FieldError> errors;
  std::string name;
  for (int i = 0; i < 200; ++i) name += "é";  // 400 bytes, 200 characters
  ParseSignUpRequest(
      Doc(R"({"email": "a@example.com", "name": ")" + name + R"(", "organizationName": "Åö"})"),
      errors);
  EXPECT_TRUE(errors.empty()) << errors.front().message;
  ParseSignUpRequest(Doc(R"({"email": "a@example.com", "name": ")" + name + R"(x"})"), errors);
  EXPECT_EQ(Codes(errors).at("name"), kInvalidLength);
}

TEST(SignUpRequest, RolesMustBeShortDistinctNames) {
  std::vector<FieldError> errors;
  ParseSignUpRequest(Doc(R"({"email": "a@example.com", "roles": "admin"})"), errors);
  EXPECT_EQ(Codes(errors).at("roles"), kWrongType);
  errors.clear();
  ParseSignUpRequest(Doc(R"({"email": "a@example.com", "roles": ["has space"]})"), errors);
  EXPECT_EQ(Codes(errors).at("roles"), kInvalidValue);
  errors.clear();
  SignUpRequest empty = ParseSignUpRequest(Doc(R"({"email": "a@example.com", "roles": []})"),
                                           errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_TRUE(empty.roles);  // present, though empty: still needs the permission
  EXPECT_TRUE(empty.roles->empty());
}

TEST(ValidationFailed, Is422ShapedWithEveryFieldErrorAndWeakPasswordReasons) {
  Status s = ValidationFailed({{"email", kInvalidEmailFormat, "bad email", {}},
                               {"password", kTooWeak, "weak", {"TOO_SHORT", "COMMON"}}});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.tag(), kValidationError);
  EXPECT_EQ(s.message(), "bad email (and 1 more problems)");
  EXPECT_EQ(s.details(), Doc(R"([{"field": "email", "code": "INVALID_EMAIL_FORMAT",
      "message": "bad email"}, {"field": "password", "code": "TOO_WEAK", "message": "weak",
      "weakPasswordReasons": ["TOO_SHORT", "COMMON"]}])"));
}

TEST(SignInRequest, NeedsEmailAndPasswordAndNothingElse) {
  std::vector<FieldError> errors;
  SignInRequest r =
      ParseSignInRequest(Doc(R"({"email": "A@Example.com", "password": "pw"})"), errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(r.email, "A@example.com");
  EXPECT_EQ(r.password, "pw");
  ParseSignInRequest(Doc(R"({"email": "a@example.com", "remember": true})"), errors);
  const auto codes = Codes(errors);
  EXPECT_EQ(codes.at("password"), kRequiredField);
  EXPECT_EQ(codes.at("remember"), kUnknownField);
}

TEST(VerifyEmailRequest, NeedsEmailAndCode) {
  std::vector<FieldError> errors;
  VerifyEmailRequest r =
      ParseVerifyEmailRequest(Doc(R"({"email": "a@example.com", "code": "123456"})"), errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(r.code, "123456");
  ParseVerifyEmailRequest(Doc(R"({"email": "a@example.com"})"), errors);
  EXPECT_EQ(Codes(errors).at("code"), kRequiredField);
  errors.clear();
  EXPECT_EQ(ParseResendRequest(Doc(R"({"email": "B@Example.com"})"), errors), "B@example.com");
  EXPECT_TRUE(errors.empty());
}

}  // namespace
}  // namespace portico::signup
