#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "dcr/metadata/client_metadata.h"
#include "portico/parse_json.h"

namespace portico::dcr {
namespace {

RegistrationPolicy CodePolicy() {
  RegistrationPolicy policy;
  policy.supported_grant_types = {"authorization_code", "implicit", "refresh_token",
                                  "client_credentials"};
  policy.allowed_scopes = {"openid", "read", "write"};
  return policy;
}

std::optional<ClientMetadata> Validate(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text;
  StatusOr<ClientMetadata> metadata = ValidateClientMetadata(
      json.ok() ? *json : Json(), CodePolicy(), [](const Json&) { return Status::Ok(); });
  EXPECT_TRUE(metadata.ok()) << text << ": " << metadata.status().ToString();
  if (!metadata.ok()) return std::nullopt;
  return *std::move(metadata);
}

// The fingerprint, or a failure marker that never equals a real one.
std::string Fingerprint(std::string_view text) {
  std::optional<ClientMetadata> metadata = Validate(text);
  return metadata ? CanonicalFingerprint(*metadata) : "invalid: " + std::string(text);
}

TEST(CanonicalFingerprintTest, IgnoresMemberAndSetOrder) {
  const std::string a = Fingerprint(R"({
      "redirect_uris": ["https://a.example.com/cb", "https://b.example.com/cb"],
      "grant_types": ["authorization_code", "implicit", "refresh_token"],
      "response_types": ["code id_token", "code"],
      "scope": "read write openid",
      "contacts": ["a@example.com", "b@example.com"],
      "client_name": "App", "client_name#fr": "Appli",
      "jwks": {"keys": [{"kty": "EC", "kid": "1"}, {"kid": "2", "kty": "EC"}]}})");
  const std::string b = Fingerprint(R"({
      "jwks": {"keys": [{"kty": "EC", "kid": "2"}, {"kid": "1", "kty": "EC"}]},
      "client_name#FR": "Appli", "client_name": "App",
      "contacts": ["b@example.com", "a@example.com"],
      "scope": "openid  write read",
      "response_types": ["code", "id_token code"],
      "grant_types": ["refresh_token", "implicit", "authorization_code"],
      "redirect_uris": ["https://b.example.com/cb", "https://a.example.com/cb"]})");
  EXPECT_EQ(a, b);
}

TEST(CanonicalFingerprintTest, IsCanonicalJsonWithSortedMembers) {
  EXPECT_EQ(Fingerprint(R"({"grant_types": ["client_credentials"], "client_name": "B"})"),
            R"({"application_type":"web","client_name":"B","grant_types":["client_credentials"],)"
            R"("response_types":[],"token_endpoint_auth_method":"client_secret_basic"})");
}

TEST(CanonicalFingerprintTest, DiffersWhenRegisteredMetadataDiffers) {
  const std::string base = Fingerprint(R"({"redirect_uris": ["https://a.example.com/cb"]})");
  EXPECT_NE(base, Fingerprint(R"({"redirect_uris": ["https://a.example.com/cb2"]})"));
  EXPECT_NE(base, Fingerprint(R"({"redirect_uris": ["https://a.example.com/cb"],
                                  "client_name": "x"})"));
  EXPECT_NE(base, Fingerprint(R"({"redirect_uris": ["https://a.example.com/cb"],
                                  "token_endpoint_auth_method": "none"})"));
  EXPECT_NE(base, Fingerprint(R"({"redirect_uris": ["https://a.example.com/cb"],
                                  "scope": "read"})"));
  // Same defaults spelled out: the same registration.
  EXPECT_EQ(base, Fingerprint(R"({"redirect_uris": ["https://a.example.com/cb"],
                                  "grant_types": ["authorization_code"],
                                  "response_types": ["code"], "application_type": "web",
                                  "token_endpoint_auth_method": "client_secret_basic"})"));
}

TEST(CanonicalFingerprintTest, LeavesSoftwareStatementOut) {
  EXPECT_EQ(Fingerprint(R"({"grant_types": ["client_credentials"], "software_id": "s",
                            "software_statement": "aaa.bbb.ccc"})"),
            Fingerprint(R"({"grant_types": ["client_credentials"], "software_id": "s",
                            "software_statement": "aaa.bbb.ddd"})"));
}

TEST(CanonicalFingerprintTest, KeepsPreferenceOrderOfAcrValues) {
  EXPECT_NE(Fingerprint(R"({"grant_types": ["client_credentials"],
                            "default_acr_values": ["mfa", "pwd"]})"),
            Fingerprint(R"({"grant_types": ["client_credentials"],
                            "default_acr_values": ["pwd", "mfa"]})"));
}

TEST(ClientMetadataFromRegisteredTest, RoundTripsValidatedMetadata) {
  const std::optional<ClientMetadata> validated = Validate(R"({
      "redirect_uris": ["https://a.example.com/cb"], "scope": "read write",
      "grant_types": ["authorization_code", "refresh_token"],
      "token_endpoint_auth_method": "private_key_jwt",
      "jwks_uri": "https://a.example.com/jwks", "software_id": "id", "software_version": "1",
      "software_statement": "a.b.c",
      "post_logout_redirect_uris": ["https://a.example.com/bye"]})");
  ASSERT_TRUE(validated);
  const ClientMetadata& original = *validated;
  StatusOr<Json> stored = ParseJson(original.json().Dump());
  ASSERT_TRUE(stored.ok());
  StatusOr<ClientMetadata> loaded = ClientMetadata::FromRegistered(*stored);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->json(), original.json());
  EXPECT_EQ(loaded->redirect_uris(), original.redirect_uris());
  EXPECT_EQ(loaded->grant_types(), original.grant_types());
  EXPECT_EQ(loaded->response_types(), original.response_types());
  EXPECT_EQ(loaded->token_endpoint_auth_method(), "private_key_jwt");
  EXPECT_EQ(loaded->application_type(), "web");
  EXPECT_EQ(loaded->scope(), "read write");
  EXPECT_EQ(loaded->jwks_uri(), "https://a.example.com/jwks");
  EXPECT_EQ(loaded->software_id(), "id");
  EXPECT_EQ(loaded->software_version(), "1");
  EXPECT_EQ(loaded->software_statement(), "a.b.c");
  EXPECT_EQ(loaded->post_logout_redirect_uris(), original.post_logout_redirect_uris());
  EXPECT_EQ(CanonicalFingerprint(*loaded), CanonicalFingerprint(original));
}

TEST(ClientMetadataFromRegisteredTest, RejectsMalformedStoredMetadata) {
  const char* bad[] = {
      R"([])",
      R"({"response_types": [], "token_endpoint_auth_method": "none", "application_type": "web"})",
      R"({"grant_types": [], "response_types": [], "token_endpoint_auth_method": "none",
          "application_type": "web"})",
      R"({"grant_types": ["x"], "response_types": "code", "token_endpoint_auth_method": "none",
          "application_type": "web"})",
      R"({"grant_types": ["x"], "response_types": [], "application_type": "web"})",
      R"({"grant_types": ["x"], "response_types": [], "token_endpoint_auth_method": "none",
          "application_type": "web", "scope": 1})",
      R"({"grant_types": ["x"], "response_types": [], "token_endpoint_auth_method": "none",
          "application_type": "web", "jwks": []})",
  };
  for (const char* text : bad) {
    StatusOr<Json> json = ParseJson(text);
    ASSERT_TRUE(json.ok()) << text;
    StatusOr<ClientMetadata> metadata = ClientMetadata::FromRegistered(*json);
    EXPECT_FALSE(metadata.ok()) << text;
  }
}

}  // namespace
}  // namespace portico::dcr
