// The non-redirect rules of ValidateClientMetadata: member types, defaults,
// grant and response types, authentication, keys, scope, contacts,
// language-tagged members, OpenID Connect members and limits.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "dcr/metadata/client_metadata.h"
#include "portico/parse_json.h"

namespace portico::dcr {
namespace {

using ::testing::HasSubstr;

constexpr char kRedirect[] = R"("redirect_uris": ["https://app.example.com/cb"])";

Json MustParse(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString() << " for " << text;
  return json.ok() ? *json : Json();
}

RegistrationPolicy CodePolicy() {
  RegistrationPolicy policy;
  policy.supported_grant_types = {"authorization_code", "implicit", "refresh_token",
                                  "client_credentials"};
  policy.allowed_scopes = {"openid", "read", "write", "scim:read"};
  return policy;
}

Status AcceptAnyJwks(const Json&) { return Status::Ok(); }

StatusOr<ClientMetadata> Validate(std::string_view json,
                                  const RegistrationPolicy& policy = CodePolicy()) {
  return ValidateClientMetadata(MustParse(json), policy, AcceptAnyJwks);
}

// A request body: a valid redirect_uris member, then `members`.
std::string WithRedirect(std::string_view members) {
  return "{" + std::string(kRedirect) + (members.empty() ? "" : ", ") + std::string(members) + "}";
}

std::optional<ClientMetadata> Accept(std::string_view json,
                                     const RegistrationPolicy& policy = CodePolicy()) {
  StatusOr<ClientMetadata> metadata = Validate(json, policy);
  EXPECT_TRUE(metadata.ok()) << json << ": " << metadata.status().ToString();
  if (!metadata.ok()) return std::nullopt;
  return *std::move(metadata);
}

void ExpectMetadataError(std::string_view json, std::string_view reason,
                         const RegistrationPolicy& policy = CodePolicy(),
                         std::string_view tag = "invalid_client_metadata") {
  StatusOr<ClientMetadata> metadata = Validate(json, policy);
  ASSERT_FALSE(metadata.ok()) << "accepted: " << json;
  EXPECT_EQ(metadata.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(metadata.status().tag(), tag) << metadata.status().ToString();
  EXPECT_THAT(metadata.status().message(), HasSubstr(std::string(reason))) << json;
}

// --- request shape and defaults ------------------------------------------

TEST(ClientMetadataTest, RejectsRequestThatIsNotAnObject) {
  for (const char* body : {"[]", "\"x\"", "null", "1"}) {
    ExpectMetadataError(body, "must be a JSON object");
  }
}

TEST(ClientMetadataTest, RejectsDuplicateMemberNames) {
  // ParseJson refuses duplicates already; the validator holds for any Json.
  Json request = MustParse(WithRedirect(""));
  request.as_object().emplace_back("client_name", "a");
  request.as_object().emplace_back("client_name", "b");
  StatusOr<ClientMetadata> metadata = ValidateClientMetadata(request, CodePolicy(), AcceptAnyJwks);
  ASSERT_FALSE(metadata.ok());
  EXPECT_EQ(metadata.status().tag(), "invalid_client_metadata");
  EXPECT_EQ(metadata.status().message(), "duplicate member \"client_name\"");
}

TEST(ClientMetadataTest, RejectsDuplicateMemberNamesInsideNestedObjects) {
  Json request = MustParse(WithRedirect(""));
  Json key(Json::Object{{"kty", "EC"}, {"kty", "RSA"}});
  request.Set("jwks", Json::MakeObject().Set("keys", Json::MakeArray().Push(key)));
  StatusOr<ClientMetadata> metadata = ValidateClientMetadata(request, CodePolicy(), AcceptAnyJwks);
  ASSERT_FALSE(metadata.ok());
  EXPECT_EQ(metadata.status().tag(), "invalid_client_metadata");
  EXPECT_EQ(metadata.status().message(), "duplicate member \"kty\" in jwks.keys[0]");
}

TEST(ClientMetadataTest, FillsServerProvisionedDefaults) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(""));
  ASSERT_TRUE(metadata);
  // RFC 7591 §2 defaults, OpenID Connect application_type, subject_type and
  // id_token_signed_response_alg, in the fixed member order.
  EXPECT_EQ(metadata->json().Dump(),
            R"({"redirect_uris":["https://app.example.com/cb"],)"
            R"("token_endpoint_auth_method":"client_secret_basic",)"
            R"("grant_types":["authorization_code"],"response_types":["code"],)"
            R"("application_type":"web","subject_type":"public",)"
            R"("id_token_signed_response_alg":"RS256"})");
  EXPECT_EQ(metadata->grant_types(), std::vector<std::string>{"authorization_code"});
  EXPECT_EQ(metadata->response_types(), std::vector<std::string>{"code"});
  EXPECT_EQ(metadata->token_endpoint_auth_method(), "client_secret_basic");
  EXPECT_FALSE(metadata->is_public_client());
  EXPECT_TRUE(metadata->needs_client_secret());
}

TEST(ClientMetadataTest, OutputOrderDoesNotDependOnRequestOrder) {
  std::optional<ClientMetadata> a = Accept(
      R"({"client_name": "A", "scope": "read", "redirect_uris": ["https://app.example.com/cb"],
          "application_type": "web"})");
  std::optional<ClientMetadata> b = Accept(
      R"({"application_type": "web", "redirect_uris": ["https://app.example.com/cb"],
          "scope": "read", "client_name": "A"})");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->json().Dump(), b->json().Dump());
}

TEST(ClientMetadataTest, ClientCredentialsClientGetsNoResponseTypesAndNoIdTokenDefaults) {
  std::optional<ClientMetadata> metadata = Accept(R"({"grant_types": ["client_credentials"]})");
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->json().Dump(), R"({"token_endpoint_auth_method":"client_secret_basic",)"
                                     R"("grant_types":["client_credentials"],"response_types":[],)"
                                     R"("application_type":"web"})");
  EXPECT_TRUE(metadata->redirect_uris().empty());
  EXPECT_TRUE(metadata->HasGrantType("client_credentials"));
  EXPECT_FALSE(metadata->HasGrantType("authorization_code"));
}

TEST(ClientMetadataTest, DefaultPolicyServesClientCredentialsOnly) {
  const RegistrationPolicy policy;  // Portico's token endpoint: client_credentials
  EXPECT_TRUE(Validate(R"({"grant_types": ["client_credentials"]})", policy).ok());
  ExpectMetadataError(WithRedirect(""),
                      "grant_types was omitted and defaults to \"authorization_code\"", policy);
  ExpectMetadataError(WithRedirect(R"("grant_types": ["authorization_code"])"),
                      "grant_types[0] \"authorization_code\" is not supported by this server",
                      policy);
}

TEST(ClientMetadataTest, DropsUnknownMembers) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(
      R"("x_custom": 1, "Client_Name": "wrong case", "extra": {"a": [1]},
         "scope#fr": "read", "redirect_uris#fr": ["https://x.example/"], "client_name": "App")"));
  ASSERT_TRUE(metadata);
  for (const char* dropped : {"x_custom", "Client_Name", "extra", "scope#fr", "redirect_uris#fr"}) {
    EXPECT_EQ(metadata->json().Find(dropped), nullptr) << dropped;
  }
  EXPECT_EQ(*metadata->json().Find("client_name"), Json("App"));
}

TEST(ClientMetadataTest, IgnoresMembersTheServerSets) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(
      R"("client_id": "chosen", "client_secret": "s3cret", "registration_access_token": "t",
         "registration_client_uri": "https://evil.example/", "client_id_issued_at": 1,
         "client_secret_expires_at": 0)"));
  ASSERT_TRUE(metadata);
  for (const char* dropped :
       {"client_id", "client_secret", "registration_access_token", "registration_client_uri",
        "client_id_issued_at", "client_secret_expires_at"}) {
    EXPECT_EQ(metadata->json().Find(dropped), nullptr) << dropped;
  }
}

TEST(ClientMetadataTest, NullMemberCountsAsAbsent) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(
      R"("client_name": null, "grant_types": null, "jwks_uri": null, "client_name#fr": null)"));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->json().Find("client_name"), nullptr);
  EXPECT_EQ(metadata->grant_types(), std::vector<std::string>{"authorization_code"});
}

TEST(ClientMetadataTest, RejectsMembersOfTheWrongType) {
  struct Case {
    const char* members;
    const char* reason;
  };
  const Case cases[] = {
      {R"("client_name": 5)", "client_name must be a string"},
      {R"("client_name": "")", "client_name must not be empty"},
      {R"("client_uri": ["https://app.example.com"])", "client_uri must be a string"},
      {R"("logo_uri": true)", "logo_uri must be a string"},
      {R"("tos_uri": {})", "tos_uri must be a string"},
      {R"("policy_uri": 1)", "policy_uri must be a string"},
      {R"("grant_types": "authorization_code")", "grant_types must be an array of strings"},
      {R"("grant_types": [1])", "grant_types[0] must be a string"},
      {R"("grant_types": [])", "grant_types must not be empty"},
      {R"("response_types": "code")", "response_types must be an array of strings"},
      {R"("response_types": ["code", null])", "response_types[1] must be a string"},
      {R"("token_endpoint_auth_method": ["none"])", "token_endpoint_auth_method must be a string"},
      {R"("application_type": 1)", "application_type must be a string"},
      {R"("scope": ["read"])", "scope must be a string"},
      {R"("contacts": "ops@example.com")", "contacts must be an array of strings"},
      {R"("jwks_uri": 3)", "jwks_uri must be a string"},
      {R"("jwks": "x")", "jwks must be a JWK Set"},
      {R"("software_id": 1)", "software_id must be a string"},
      {R"("software_version": 1.0)", "software_version must be a string"},
      {R"("default_max_age": "60")", "default_max_age must be a non-negative integer"},
      {R"("default_max_age": 1.5)", "default_max_age must be a non-negative integer"},
      {R"("default_max_age": -1)", "default_max_age must be a non-negative integer"},
      {R"("require_auth_time": "true")", "require_auth_time must be true or false"},
      {R"("default_acr_values": "urn:acr:1")", "default_acr_values must be an array of strings"},
      {R"("initiate_login_uri": false)", "initiate_login_uri must be a string"},
      {R"("request_uris": "https://app.example.com/r")", "request_uris must be an array"},
      {R"("post_logout_redirect_uris": "https://app.example.com/")",
       "post_logout_redirect_uris must be an array"},
      {R"("sector_identifier_uri": [])", "sector_identifier_uri must be a string"},
      {R"("subject_type": 1)", "subject_type must be a string"},
      {R"("id_token_signed_response_alg": 256)", "id_token_signed_response_alg must be a string"},
      {R"("token_endpoint_auth_signing_alg": [])",
       "token_endpoint_auth_signing_alg must be a string"},
  };
  for (const Case& c : cases) ExpectMetadataError(WithRedirect(c.members), c.reason);
}

TEST(ClientMetadataTest, RejectsUnknownApplicationType) {
  ExpectMetadataError(WithRedirect(R"("application_type": "desktop")"),
                      "application_type must be \"web\" or \"native\", not \"desktop\"");
}

// --- grant types and response types --------------------------------------

TEST(GrantTypesTest, AcceptsConsistentCombinationsOfTheOidcTable) {
  struct Case {
    const char* members;
    std::vector<std::string> grant_types;
    std::vector<std::string> response_types;
  };
  const Case cases[] = {
      {R"("response_types": ["code"])", {"authorization_code"}, {"code"}},
      {R"("response_types": ["id_token"])", {"implicit"}, {"id_token"}},
      {R"("response_types": ["id_token token"])", {"implicit"}, {"id_token token"}},
      {R"("response_types": ["code id_token"])",
       {"authorization_code", "implicit"},
       {"code id_token"}},
      {R"("response_types": ["code token"])", {"authorization_code", "implicit"}, {"code token"}},
      {R"("response_types": ["code id_token token"])",
       {"authorization_code", "implicit"},
       {"code id_token token"}},
      {R"("grant_types": ["authorization_code", "refresh_token"])",
       {"authorization_code", "refresh_token"},
       {"code"}},
      {R"("grant_types": ["implicit"], "response_types": ["token"])", {"implicit"}, {"token"}},
      {R"("grant_types": ["authorization_code", "implicit"], "response_types": ["code", "token"])",
       {"authorization_code", "implicit"},
       {"code", "token"}},
      {R"("grant_types": ["refresh_token", "client_credentials"])",
       {"refresh_token", "client_credentials"},
       {}},
  };
  for (const Case& c : cases) {
    std::optional<ClientMetadata> metadata = Accept(WithRedirect(c.members));
    ASSERT_TRUE(metadata) << c.members;
    EXPECT_EQ(metadata->grant_types(), c.grant_types) << c.members;
    EXPECT_EQ(metadata->response_types(), c.response_types) << c.members;
  }
}

TEST(GrantTypesTest, RejectsInconsistentGrantAndResponseTypes) {
  struct Case {
    const char* members;
    const char* reason;
  };
  const Case cases[] = {
      {R"("grant_types": ["authorization_code"], "response_types": ["token"])",
       "response type \"token\" needs the implicit grant type"},
      {R"("grant_types": ["implicit"], "response_types": ["code"])",
       "response type \"code\" needs the authorization_code grant type"},
      {R"("grant_types": ["implicit"], "response_types": ["code id_token"])",
       "needs the authorization_code grant type"},
      {R"("grant_types": ["authorization_code"], "response_types": [])",
       "grant type authorization_code needs a response type with code"},
      {R"("grant_types": ["authorization_code", "implicit"], "response_types": ["code"])",
       "grant type implicit needs a response type with token or id_token"},
      {R"("grant_types": ["authorization_code", "implicit"])",
       "grant type implicit needs a response type with token or id_token"},
      {R"("grant_types": ["implicit"])", "response_types must be given with the implicit grant"},
      {R"("grant_types": ["client_credentials"], "response_types": ["code"])",
       "needs the authorization_code grant type"},
      {R"("response_types": [])", "grant_types must be given when response_types is empty"},
  };
  for (const Case& c : cases) ExpectMetadataError(WithRedirect(c.members), c.reason);
}

TEST(GrantTypesTest, RejectsUnknownResponseTypes) {
  struct Case {
    const char* members;
    const char* reason;
  };
  const Case cases[] = {
      {R"("response_types": ["foo"])", "response_types[0] \"foo\" has the unknown response type"},
      {R"("response_types": ["none"])", "unknown response type \"none\""},
      {R"("response_types": ["CODE"])", "unknown response type \"CODE\""},
      {R"("response_types": ["code  id_token"])", "separated by single spaces"},
      {R"("response_types": [" code"])", "separated by single spaces"},
      {R"("response_types": ["code "])", "separated by single spaces"},
      {R"("response_types": ["code code"])", "repeats \"code\""},
  };
  for (const Case& c : cases) ExpectMetadataError(WithRedirect(c.members), c.reason);
}

TEST(GrantTypesTest, RemovesDuplicateResponseTypesRegardlessOfWordOrder) {
  std::optional<ClientMetadata> metadata =
      Accept(WithRedirect(R"("response_types": ["code id_token", "id_token code", "code"])"));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->response_types(), (std::vector<std::string>{"code id_token", "code"}));
}

TEST(GrantTypesTest, RemovesDuplicateGrantTypes) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(
      R"("grant_types": ["authorization_code", "refresh_token", "authorization_code"])"));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->grant_types(),
            (std::vector<std::string>{"authorization_code", "refresh_token"}));
}

TEST(GrantTypesTest, RejectsGrantTypeTheServerDoesNotSupport) {
  ExpectMetadataError(WithRedirect(R"("grant_types": ["authorization_code", "password"])"),
                      "grant_types[1] \"password\" is not supported by this server; supported: "
                      "authorization_code, client_credentials, implicit, refresh_token");
  ExpectMetadataError(WithRedirect(R"("grant_types": ["urn:example:unknown"])"),
                      "is not supported by this server");
}

TEST(GrantTypesTest, RejectsGrantTypeSupportedByServerButNotAllowedForTenant) {
  RegistrationPolicy policy = CodePolicy();
  policy.allowed_grant_types = {"authorization_code"};
  ExpectMetadataError(WithRedirect(R"("grant_types": ["authorization_code", "refresh_token"])"),
                      "grant_types[1] \"refresh_token\" is not allowed for this tenant", policy);
  ExpectMetadataError(WithRedirect(R"("response_types": ["id_token"])"),
                      "grant type \"implicit\" (needed by response_types) is not allowed", policy);
  EXPECT_TRUE(Validate(WithRedirect(""), policy).ok());
}

TEST(GrantTypesTest, RejectsClientCredentialsForPublicClient) {
  ExpectMetadataError(
      R"({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"})",
      "client_credentials needs client authentication");
}

// --- token endpoint authentication and keys ------------------------------

TEST(AuthMethodTest, AcceptsEverySupportedMethod) {
  for (const char* method : {"client_secret_basic", "client_secret_post", "none"}) {
    std::optional<ClientMetadata> metadata =
        Accept(WithRedirect(std::string(R"("token_endpoint_auth_method": ")") + method + "\""));
    ASSERT_TRUE(metadata) << method;
    EXPECT_EQ(metadata->token_endpoint_auth_method(), method);
    EXPECT_EQ(metadata->is_public_client(), std::string(method) == "none");
    EXPECT_EQ(metadata->needs_client_secret(), std::string(method) != "none");
  }
}

TEST(AuthMethodTest, RejectsUnknownOrUnsupportedMethod) {
  ExpectMetadataError(WithRedirect(R"("token_endpoint_auth_method": "client_secret_magic")"),
                      "token_endpoint_auth_method \"client_secret_magic\" is not supported; "
                      "supported: client_secret_basic, client_secret_post, none, private_key_jwt");
  ExpectMetadataError(WithRedirect(R"("token_endpoint_auth_method": "client_secret_jwt")"),
                      "is not supported");
  ExpectMetadataError(WithRedirect(R"("token_endpoint_auth_method": "tls_client_auth")"),
                      "is not supported");
}

TEST(AuthMethodTest, RejectsDefaultMethodWhenTheServerDropsIt) {
  RegistrationPolicy policy = CodePolicy();
  policy.supported_token_endpoint_auth_methods = {"private_key_jwt"};
  ExpectMetadataError(WithRedirect(""),
                      "the default token_endpoint_auth_method \"client_secret_basic\" is not "
                      "supported",
                      policy);
}

TEST(AuthMethodTest, PrivateKeyJwtRequiresJwksOrJwksUri) {
  ExpectMetadataError(WithRedirect(R"("token_endpoint_auth_method": "private_key_jwt")"),
                      "token_endpoint_auth_method \"private_key_jwt\" requires jwks or jwks_uri");
  ExpectMetadataError(
      WithRedirect(R"("token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": []})"),
      "requires at least one key in jwks");
  std::optional<ClientMetadata> by_uri = Accept(WithRedirect(
      R"("token_endpoint_auth_method": "private_key_jwt",
         "jwks_uri": "https://app.example.com/jwks.json")"));
  ASSERT_TRUE(by_uri);
  EXPECT_TRUE(by_uri->has_jwks_uri());
  EXPECT_EQ(by_uri->jwks_uri(), "https://app.example.com/jwks.json");
  std::optional<ClientMetadata> by_value = Accept(WithRedirect(
      R"("token_endpoint_auth_method": "private_key_jwt",
         "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b"}]})"));
  ASSERT_TRUE(by_value);
  EXPECT_TRUE(by_value->has_jwks());
  EXPECT_FALSE(by_value->is_public_client());
  EXPECT_FALSE(by_value->needs_client_secret());
}

TEST(KeysTest, RejectsJwksAndJwksUriTogether) {
  ExpectMetadataError(WithRedirect(R"("jwks_uri": "https://app.example.com/jwks",
                                       "jwks": {"keys": []})"),
                      "jwks_uri and jwks must not both be present");
}

TEST(KeysTest, RejectsJwksThatIsNotAJwkSet) {
  ExpectMetadataError(WithRedirect(R"("jwks": {"kty": "RSA"})"), "an object with a \"keys\" array");
  ExpectMetadataError(WithRedirect(R"("jwks": {"keys": {}})"), "an object with a \"keys\" array");
  ExpectMetadataError(WithRedirect(R"("jwks": {"keys": [{"kty": "EC"}, "x"]})"),
                      "jwks.keys[1] must be a JSON object");
}

TEST(KeysTest, PassesJwksToTheValidatorAndReportsItsVerdict) {
  std::vector<std::string> seen;
  const JwksValidator record_and_refuse_rsa = [&seen](const Json& jwks) {
    seen.push_back(jwks.Dump());
    const Json& key = jwks.Find("keys")->as_array().at(0);
    if (*key.Find("kty") == Json("RSA")) {
      return InvalidArgument("keys[0]: RSA modulus shorter than 2048 bits").WithInternal("n=512");
    }
    return Status::Ok();
  };
  const std::string ec = WithRedirect(R"("jwks": {"keys": [{"kty": "EC", "crv": "P-256"}]})");
  EXPECT_TRUE(ValidateClientMetadata(MustParse(ec), CodePolicy(), record_and_refuse_rsa).ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], R"({"keys":[{"kty":"EC","crv":"P-256"}]})");

  StatusOr<ClientMetadata> refused = ValidateClientMetadata(
      MustParse(WithRedirect(R"("jwks": {"keys": [{"kty": "RSA", "n": "x", "e": "AQAB"}]})")),
      CodePolicy(), record_and_refuse_rsa);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().tag(), "invalid_client_metadata");
  EXPECT_EQ(refused.status().message(),
            "jwks is not a valid JWK Set: keys[0]: RSA modulus shorter than 2048 bits");
  EXPECT_EQ(refused.status().internal(), "n=512");
}

TEST(KeysTest, ValidatorIsNotCalledWithoutJwks) {
  int calls = 0;
  const JwksValidator count = [&calls](const Json&) {
    ++calls;
    return Status::Ok();
  };
  EXPECT_TRUE(ValidateClientMetadata(MustParse(WithRedirect("")), CodePolicy(), count).ok());
  EXPECT_EQ(calls, 0);
}

TEST(KeysTest, MissingJwksValidatorIsAnInternalError) {
  StatusOr<ClientMetadata> metadata = ValidateClientMetadata(
      MustParse(WithRedirect(R"("jwks": {"keys": []})")), CodePolicy(), JwksValidator());
  ASSERT_FALSE(metadata.ok());
  EXPECT_EQ(metadata.status().code(), StatusCode::kInternal);
}

TEST(KeysTest, JwksUriMustBeHttpsWithoutFragment) {
  ExpectMetadataError(WithRedirect(R"("jwks_uri": "http://app.example.com/jwks")"),
                      "jwks_uri \"http://app.example.com/jwks\" must use https");
  ExpectMetadataError(WithRedirect(R"("jwks_uri": "https://app.example.com/jwks#k")"),
                      "must not contain a fragment");
  ExpectMetadataError(WithRedirect(R"("jwks_uri": "https://127.0.0.1/jwks")"),
                      "must not use a loopback host");
  ExpectMetadataError(WithRedirect(R"("jwks_uri": "file:///etc/jwks")"), "forbidden scheme");
}

TEST(KeysTest, TokenEndpointAuthSigningAlgIsNeverNone) {
  ExpectMetadataError(WithRedirect(R"("token_endpoint_auth_method": "private_key_jwt",
                                      "jwks_uri": "https://app.example.com/jwks",
                                      "token_endpoint_auth_signing_alg": "none")"),
                      "token_endpoint_auth_signing_alg must not be \"none\"");
}

TEST(KeysTest, TokenEndpointAuthSigningAlgMatchesTheMethod) {
  RegistrationPolicy policy = CodePolicy();
  policy.supported_signing_algs.insert("HS256");
  policy.supported_token_endpoint_auth_methods.insert("client_secret_jwt");
  const std::string keys = R"("jwks_uri": "https://app.example.com/jwks", )";
  ExpectMetadataError(WithRedirect(keys + R"("token_endpoint_auth_method": "private_key_jwt",
                                            "token_endpoint_auth_signing_alg": "HS256")"),
                      "private_key_jwt needs an asymmetric algorithm", policy);
  ExpectMetadataError(WithRedirect(R"("token_endpoint_auth_method": "client_secret_jwt",
                                      "token_endpoint_auth_signing_alg": "RS256")"),
                      "client_secret_jwt needs", policy);
  ExpectMetadataError(WithRedirect(keys + R"("token_endpoint_auth_method": "private_key_jwt",
                                            "token_endpoint_auth_signing_alg": "RS1")"),
                      "token_endpoint_auth_signing_alg \"RS1\" is not supported", policy);
  EXPECT_TRUE(Validate(WithRedirect(keys + R"("token_endpoint_auth_method": "private_key_jwt",
                                             "token_endpoint_auth_signing_alg": "ES256")"),
                       policy)
                  .ok());
  EXPECT_TRUE(Validate(WithRedirect(R"("token_endpoint_auth_method": "client_secret_jwt",
                                      "token_endpoint_auth_signing_alg": "HS256")"),
                       policy)
                  .ok());
}

// --- scope ---------------------------------------------------------------

TEST(ScopeTest, OmittedScopeGetsTheTenantDefaults) {
  RegistrationPolicy policy = CodePolicy();
  policy.default_scopes = {"read", "scim:read", "read"};
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(""), policy);
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->scope(), "read scim:read");
  EXPECT_EQ(*metadata->json().Find("scope"), Json("read scim:read"));
  EXPECT_EQ(metadata->scopes(), (std::vector<std::string>{"read", "scim:read"}));
}

TEST(ScopeTest, OmittedScopeWithoutDefaultsRegistersNoScope) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(""));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->scope(), "");
  EXPECT_EQ(metadata->json().Find("scope"), nullptr);
  EXPECT_TRUE(metadata->scopes().empty());
}

TEST(ScopeTest, KeepsAllowedScopesRemovingDuplicatesAndExtraSpaces) {
  std::optional<ClientMetadata> metadata =
      Accept(WithRedirect(R"("scope": " write  read write openid ")"));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->scope(), "write read openid");
}

TEST(ScopeTest, RejectsScopeOutsideTheTenantAllowedScopes) {
  ExpectMetadataError(WithRedirect(R"("scope": "read admin")"),
                      "scope \"admin\" is not allowed for this tenant");
  RegistrationPolicy none = CodePolicy();
  none.allowed_scopes.clear();
  ExpectMetadataError(WithRedirect(R"("scope": "read")"), "not allowed for this tenant", none);
}

TEST(ScopeTest, RejectsMalformedScope) {
  ExpectMetadataError(WithRedirect(R"("scope": "")"), "scope must not be empty");
  ExpectMetadataError(WithRedirect(R"("scope": "   ")"), "scope must name at least one scope");
  ExpectMetadataError(WithRedirect(R"("scope": "read\"x")"), "malformed scope token");
  ExpectMetadataError(WithRedirect(R"("scope": "read\\x")"), "malformed scope token");
  ExpectMetadataError(WithRedirect(R"("scope": "read\twrite")"), "malformed scope token");
  ExpectMetadataError(WithRedirect(R"("scope": "caf\u00e9")"), "malformed scope token");
  ExpectMetadataError(WithRedirect("\"scope\": \"" + std::string(2001, 'a') + "\""),
                      "scope is longer than 2000 bytes");
}

// --- contacts ------------------------------------------------------------

TEST(ContactsTest, StoresValidEmailAddressesWithoutDuplicates) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(
      R"("contacts": ["ops@example.com", "Dev.Team+dcr@sub.example.org", "ops@example.com"])"));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->json().Find("contacts")->Dump(),
            R"(["ops@example.com","Dev.Team+dcr@sub.example.org"])");
}

TEST(ContactsTest, RejectsInvalidEmailAddresses) {
  for (const char* contact :
       {"not-an-email", "ops@localhost", "ops@@example.com", "<ops@example.com>",
        "ops@example.com\\n", "mailto:ops@example.com"}) {
    ExpectMetadataError(
        WithRedirect(std::string(R"("contacts": ["ok@example.com", ")") + contact + "\"]"),
        "contacts[1]");
  }
  ExpectMetadataError(WithRedirect(R"("contacts": ["ops at example.com"])"),
                      "contacts[0] \"ops at example.com\" is not an email address");
}

TEST(ContactsTest, LimitsTheNumberOfContacts) {
  std::string contacts = R"("contacts": [)";
  for (int i = 0; i < 21; ++i) {
    contacts += (i ? ", " : "") + std::string("\"c") + std::to_string(i) + "@example.com\"";
  }
  ExpectMetadataError(WithRedirect(contacts + "]"), "contacts has more than 20 entries");
}

// --- human-readable members and language tags ----------------------------

TEST(LanguageTagTest, StoresLanguageTaggedMembersExactlyAsSent) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(
      R"("client_name#ja-Jpan-JP": "\u30AF\u30E9\u30A4\u30A2\u30F3\u30C8\u540D",
         "logo_uri#fr": "https://app.example.com/logo-fr.png",
         "client_name": "My Example", "client_name#FR": "Mon exemple",
         "tos_uri#en-US": "https://app.example.com/tos")"));
  ASSERT_TRUE(metadata);
  // Each variant right after its field, in request order, names untouched.
  EXPECT_EQ(metadata->json().Dump(),
            R"({"redirect_uris":["https://app.example.com/cb"],)"
            R"("token_endpoint_auth_method":"client_secret_basic",)"
            R"("grant_types":["authorization_code"],"response_types":["code"],)"
            R"("application_type":"web","client_name":"My Example",)"
            "\"client_name#ja-Jpan-JP\":\"\xe3\x82\xaf\xe3\x83\xa9\xe3\x82\xa4\xe3\x82\xa2"
            "\xe3\x83\xb3\xe3\x83\x88\xe5\x90\x8d\","
            R"("client_name#FR":"Mon exemple",)"
            R"("logo_uri#fr":"https://app.example.com/logo-fr.png",)"
            R"("tos_uri#en-US":"https://app.example.com/tos",)"
            R"("subject_type":"public","id_token_signed_response_alg":"RS256"})");
}

TEST(LanguageTagTest, RejectsMalformedLanguageTag) {
  for (const char* member : {"client_name#", "client_name#en_US", "client_name#123456789",
                             "client_name#fr#x", "logo_uri#-fr", "tos_uri#en-"}) {
    ExpectMetadataError(WithRedirect("\"" + std::string(member) + "\": \"x\""),
                        "has a malformed language tag");
  }
}

TEST(LanguageTagTest, RejectsTheSameLanguageTwiceInDifferentCase) {
  ExpectMetadataError(WithRedirect(R"("client_name#fr": "a", "client_name#FR": "b")"),
                      "\"client_name#FR\" repeats the language of \"client_name#fr\"");
  EXPECT_TRUE(
      Validate(WithRedirect(R"("client_name#fr": "a", "logo_uri#FR": "https://a.example/l")"))
          .ok());
}

TEST(LanguageTagTest, ValidatesTaggedValuesLikeTheirField) {
  ExpectMetadataError(WithRedirect(R"j("logo_uri#fr": "javascript:alert(1)")j"),
                      "logo_uri#fr uses the forbidden scheme");
  ExpectMetadataError(WithRedirect(R"("client_uri#de": "http://app.example.com/")"),
                      "client_uri#de \"http://app.example.com/\" must use https");
  ExpectMetadataError(WithRedirect(R"("client_name#fr": 1)"), "client_name#fr must be a string");
}

TEST(LanguageTagTest, LimitsTheNumberOfTaggedMembers) {
  RegistrationPolicy policy = CodePolicy();
  policy.limits.max_language_variants = 2;
  ExpectMetadataError(
      WithRedirect(R"("client_name#fr": "a", "client_name#de": "b", "client_name#it": "c")"),
      "more than 2 language-tagged members", policy);
}

TEST(HumanReadableTest, RejectsClientNameWithControlCharactersOrBadUtf8) {
  ExpectMetadataError(WithRedirect(R"("client_name": "My\nApp")"),
                      "client_name contains a control character");
  ExpectMetadataError(WithRedirect(R"("client_name": "My\u0085App")"),
                      "client_name contains a control character");
  Json request = MustParse(WithRedirect(""));
  request.Set("client_name", "bad \xff utf-8");
  StatusOr<ClientMetadata> metadata = ValidateClientMetadata(request, CodePolicy(), AcceptAnyJwks);
  ASSERT_FALSE(metadata.ok());
  EXPECT_EQ(metadata.status().message(), "client_name is not valid UTF-8");
  ExpectMetadataError(WithRedirect("\"client_name\": \"" + std::string(1001, 'a') + "\""),
                      "client_name is longer than 1000 bytes");
}

TEST(HumanReadableTest, WebPageUrisMustBeHttps) {
  for (const char* member : {"client_uri", "logo_uri", "tos_uri", "policy_uri"}) {
    ExpectMetadataError(
        WithRedirect("\"" + std::string(member) + R"(": "http://app.example.com/x")"),
        "must use https");
    ExpectMetadataError(WithRedirect("\"" + std::string(member) + R"(": "https://localhost/x")"),
                        "must not use a loopback host");
    ExpectMetadataError(
        WithRedirect("\"" + std::string(member) + R"(": "https://u@app.example.com/")"),
        "must not contain user information");
    ExpectMetadataError(WithRedirect("\"" + std::string(member) + R"(": "app.example.com")"),
                        "not an absolute URI");
  }
  std::optional<ClientMetadata> metadata =
      Accept(WithRedirect(R"("policy_uri": "https://app.example.com/legal#privacy")"));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(*metadata->json().Find("policy_uri"), Json("https://app.example.com/legal#privacy"));
}

TEST(HumanReadableTest, WebPageUrisMayUseLoopbackInDevelopment) {
  RegistrationPolicy policy = CodePolicy();
  policy.allow_http_loopback_for_web = true;
  EXPECT_TRUE(
      Validate(WithRedirect(R"("logo_uri": "http://localhost:3000/logo.png")"), policy).ok());
}

// --- software statement and software identity ----------------------------

TEST(SoftwareTest, PassesSoftwareStatementThroughUnmodified) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(
      R"("software_statement": "eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6IngifQ.c2ln",
         "software_id": "4NRB1-0XZABZI9E6-5SM3R", "software_version": "2.1")"));
  ASSERT_TRUE(metadata);
  EXPECT_EQ(metadata->software_statement(), "eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6IngifQ.c2ln");
  EXPECT_EQ(*metadata->json().Find("software_statement"),
            Json("eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6IngifQ.c2ln"));
  EXPECT_EQ(metadata->software_id(), "4NRB1-0XZABZI9E6-5SM3R");
  EXPECT_EQ(metadata->software_version(), "2.1");
}

TEST(SoftwareTest, RejectsSoftwareStatementThatIsNotACompactJws) {
  for (const char* value : {R"(1)", R"("")", R"("not a jws")", R"("a.b")", R"("a.b.c.d")",
                            R"("a.b+/.c")", R"({"alg": "none"})"}) {
    ExpectMetadataError(WithRedirect(std::string(R"("software_statement": )") + value),
                        "software_statement must be a JWS in compact form", CodePolicy(),
                        "invalid_software_statement");
  }
  RegistrationPolicy policy = CodePolicy();
  policy.limits.max_software_statement_length = 10;
  ExpectMetadataError(WithRedirect(R"("software_statement": "aaaa.bbbb.cccc")"),
                      "software_statement must be a JWS", policy, "invalid_software_statement");
}

TEST(SoftwareTest, AbsentSoftwareMembersStayAbsent) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(""));
  ASSERT_TRUE(metadata);
  EXPECT_FALSE(metadata->software_statement().has_value());
  EXPECT_FALSE(metadata->software_id().has_value());
  EXPECT_FALSE(metadata->software_version().has_value());
  EXPECT_FALSE(metadata->has_jwks());
  EXPECT_FALSE(metadata->has_jwks_uri());
  EXPECT_EQ(metadata->jwks(), nullptr);
}

// --- OpenID Connect members ----------------------------------------------

TEST(OpenIdTest, StoresValidOpenIdMembers) {
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(
      R"("default_max_age": 3600, "require_auth_time": true,
         "default_acr_values": ["urn:acr:mfa", "urn:acr:pwd", "urn:acr:mfa"],
         "initiate_login_uri": "https://app.example.com/login",
         "request_uris": ["https://app.example.com/req.jwt#5b2a0f"],
         "userinfo_signed_response_alg": "ES256", "id_token_signed_response_alg": "PS256")"));
  ASSERT_TRUE(metadata);
  const Json& json = metadata->json();
  EXPECT_EQ(*json.Find("default_max_age"), Json(3600));
  EXPECT_EQ(*json.Find("require_auth_time"), Json(true));
  EXPECT_EQ(json.Find("default_acr_values")->Dump(), R"(["urn:acr:mfa","urn:acr:pwd"])");
  EXPECT_EQ(*json.Find("initiate_login_uri"), Json("https://app.example.com/login"));
  EXPECT_EQ(json.Find("request_uris")->Dump(), R"(["https://app.example.com/req.jwt#5b2a0f"])");
  EXPECT_EQ(*json.Find("userinfo_signed_response_alg"), Json("ES256"));
  EXPECT_EQ(*json.Find("id_token_signed_response_alg"), Json("PS256"));
}

TEST(OpenIdTest, HttpsOnlyOpenIdUris) {
  ExpectMetadataError(WithRedirect(R"("initiate_login_uri": "http://app.example.com/login")"),
                      "initiate_login_uri \"http://app.example.com/login\" must use https");
  ExpectMetadataError(WithRedirect(R"("request_uris": ["http://app.example.com/r"])"),
                      "request_uris[0] \"http://app.example.com/r\" must use https");
  ExpectMetadataError(WithRedirect(R"("sector_identifier_uri": "http://app.example.com/s.json")"),
                      "sector_identifier_uri \"http://app.example.com/s.json\" must use https");
}

TEST(OpenIdTest, RejectsUnsupportedSigningAlgorithms) {
  ExpectMetadataError(WithRedirect(R"("id_token_signed_response_alg": "HS256")"),
                      "id_token_signed_response_alg \"HS256\" is not supported; supported: "
                      "ES256, EdDSA, PS256, RS256");
  ExpectMetadataError(WithRedirect(R"("userinfo_signed_response_alg": "none")"), "not supported");
  ExpectMetadataError(WithRedirect(R"("request_object_signing_alg": "XS1")"), "not supported");
}

TEST(OpenIdTest, UnsignedIdTokenOnlyWithoutIdTokenResponseTypes) {
  RegistrationPolicy policy = CodePolicy();
  policy.supported_signing_algs.insert("none");
  EXPECT_TRUE(Validate(WithRedirect(R"("id_token_signed_response_alg": "none")"), policy).ok());
  ExpectMetadataError(WithRedirect(R"("id_token_signed_response_alg": "none",
                                      "response_types": ["code id_token"])"),
                      "id_token_signed_response_alg \"none\" is not allowed", policy);
}

TEST(OpenIdTest, RefusesEncryptionWhenTheServerDoesNotEncrypt) {
  ExpectMetadataError(WithRedirect(R"("id_token_encrypted_response_alg": "RSA-OAEP-256")"),
                      "this server does not encrypt");
  ExpectMetadataError(WithRedirect(R"("userinfo_encrypted_response_enc": "A256GCM")"),
                      "userinfo_encrypted_response_enc requires userinfo_encrypted_response_alg");
}

TEST(OpenIdTest, EncryptionEncDefaultsAndAsymmetricAlgNeedsClientKeys) {
  RegistrationPolicy policy = CodePolicy();
  policy.supported_encryption_algs = {"RSA-OAEP-256", "dir"};
  policy.supported_encryption_encs = {"A128CBC-HS256", "A256GCM"};
  const std::string keys = R"("jwks_uri": "https://app.example.com/jwks", )";
  std::optional<ClientMetadata> metadata =
      Accept(WithRedirect(keys + R"("id_token_encrypted_response_alg": "RSA-OAEP-256")"), policy);
  ASSERT_TRUE(metadata);
  EXPECT_EQ(*metadata->json().Find("id_token_encrypted_response_enc"), Json("A128CBC-HS256"));
  ExpectMetadataError(WithRedirect(R"("userinfo_encrypted_response_alg": "RSA-OAEP-256")"),
                      "userinfo_encrypted_response_alg \"RSA-OAEP-256\" requires jwks or jwks_uri",
                      policy);
  ExpectMetadataError(WithRedirect(keys + R"("id_token_encrypted_response_alg": "RSA-OAEP-256",
                                            "id_token_encrypted_response_enc": "A192GCM")"),
                      "id_token_encrypted_response_enc \"A192GCM\" is not supported", policy);
  EXPECT_TRUE(Validate(WithRedirect(R"("request_object_encryption_alg": "dir",
                               "request_object_encryption_enc": "A256GCM")"),
                       policy)
                  .ok());
}

TEST(OpenIdTest, AsymmetricRequestObjectSigningNeedsClientKeys) {
  ExpectMetadataError(WithRedirect(R"("request_object_signing_alg": "RS256")"),
                      "request_object_signing_alg \"RS256\" requires jwks or jwks_uri");
  EXPECT_TRUE(Validate(WithRedirect(R"("request_object_signing_alg": "RS256",
                                       "jwks_uri": "https://app.example.com/jwks")"))
                  .ok());
}

TEST(OpenIdTest, SubjectTypeMustBeSupported) {
  ExpectMetadataError(WithRedirect(R"("subject_type": "pairwise")"),
                      "subject_type \"pairwise\" is not supported; supported: public");
}

TEST(OpenIdTest, PairwiseWithSeveralRedirectHostsNeedsSectorIdentifier) {
  RegistrationPolicy policy = CodePolicy();
  policy.supported_subject_types = {"public", "pairwise"};
  const std::string two_hosts =
      R"("redirect_uris": ["https://a.example.com/cb", "https://b.example.com/cb"], )";
  ExpectMetadataError("{" + two_hosts + R"("subject_type": "pairwise"})",
                      "needs a sector_identifier_uri", policy);
  EXPECT_TRUE(Validate("{" + two_hosts + R"("subject_type": "pairwise",
                        "sector_identifier_uri": "https://app.example.com/sector.json"})",
                       policy)
                  .ok());
  EXPECT_TRUE(Validate(WithRedirect(R"("subject_type": "pairwise")"), policy).ok());
}

TEST(OpenIdTest, DefaultSubjectTypeIsTheOnlySupportedOneWithoutPublic) {
  RegistrationPolicy policy = CodePolicy();
  policy.supported_subject_types = {"pairwise"};
  std::optional<ClientMetadata> metadata = Accept(WithRedirect(""), policy);
  ASSERT_TRUE(metadata);
  EXPECT_EQ(*metadata->json().Find("subject_type"), Json("pairwise"));
}

}  // namespace
}  // namespace portico::dcr
