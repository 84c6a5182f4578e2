// Redirect URI rules of ValidateClientMetadata: RFC 6749 §3.1.2, RFC 7591
// §2, OpenID Connect DCR §2 (application_type), RFC 8252 §7 (native apps)
// and the tenant's host allow-list.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "dcr/metadata/client_metadata.h"
#include "portico/parse_json.h"

namespace portico::dcr {
namespace {

using ::testing::HasSubstr;

Json MustParse(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << json.status().ToString() << " for " << text;
  return json.ok() ? *json : Json();
}

// A server with an authorization endpoint, so redirect-based clients exist.
RegistrationPolicy CodePolicy() {
  RegistrationPolicy policy;
  policy.supported_grant_types = {"authorization_code", "implicit", "refresh_token",
                                  "client_credentials"};
  return policy;
}

Status AcceptAnyJwks(const Json&) { return Status::Ok(); }

StatusOr<ClientMetadata> Validate(const Json& request,
                                  const RegistrationPolicy& policy = CodePolicy()) {
  return ValidateClientMetadata(request, policy, AcceptAnyJwks);
}

// A request with these redirect URIs and, unless empty, this application type.
Json Request(const std::vector<std::string>& redirect_uris, std::string_view application_type = "",
             std::string_view grant_types_json = "") {
  Json request = Json::MakeObject();
  Json uris = Json::MakeArray();
  for (const std::string& uri : redirect_uris) uris.Push(uri);
  request.Set("redirect_uris", uris);
  if (!application_type.empty()) request.Set("application_type", application_type);
  if (!grant_types_json.empty()) {
    request.Set("grant_types", MustParse(grant_types_json));
    request.Set("response_types", MustParse(R"(["code", "id_token"])"));
  }
  return request;
}

void ExpectAccepted(const Json& request, const RegistrationPolicy& policy = CodePolicy()) {
  StatusOr<ClientMetadata> metadata = Validate(request, policy);
  EXPECT_TRUE(metadata.ok()) << request.Dump() << ": " << metadata.status().ToString();
}

void ExpectRedirectError(const Json& request, std::string_view reason,
                         const RegistrationPolicy& policy = CodePolicy()) {
  StatusOr<ClientMetadata> metadata = Validate(request, policy);
  ASSERT_FALSE(metadata.ok()) << "accepted: " << request.Dump();
  EXPECT_EQ(metadata.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(metadata.status().tag(), "invalid_redirect_uri") << metadata.status().ToString();
  EXPECT_THAT(metadata.status().message(), HasSubstr(std::string(reason))) << request.Dump();
}

TEST(RedirectUriTest, AcceptsHttpsRedirectUriForWebClient) {
  StatusOr<ClientMetadata> metadata = Validate(
      Request({"https://app.example.com/callback?tenant=a", "https://app.example.com:8443/cb"}));
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  EXPECT_EQ(metadata->application_type(), "web");
  EXPECT_EQ(metadata->redirect_uris(),
            (std::vector<std::string>{"https://app.example.com/callback?tenant=a",
                                      "https://app.example.com:8443/cb"}));
}

TEST(RedirectUriTest, StoresRedirectUrisExactlyAsSent) {
  StatusOr<ClientMetadata> metadata = Validate(Request({"https://App.Example.com/Cb%2F?X=1"}));
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  EXPECT_EQ(metadata->redirect_uris(),
            std::vector<std::string>{"https://App.Example.com/Cb%2F?X=1"});
}

TEST(RedirectUriTest, RemovesDuplicateRedirectUris) {
  StatusOr<ClientMetadata> metadata = Validate(Request(
      {"https://a.example.com/cb", "https://b.example.com/cb", "https://a.example.com/cb"}));
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  EXPECT_EQ(metadata->redirect_uris(),
            (std::vector<std::string>{"https://a.example.com/cb", "https://b.example.com/cb"}));
}

TEST(RedirectUriTest, RejectsRedirectUriWithFragment) {
  ExpectRedirectError(Request({"https://app.example.com/cb#state"}), "must not contain a fragment");
  ExpectRedirectError(Request({"https://app.example.com/cb#"}), "must not contain a fragment");
  ExpectRedirectError(Request({"http://127.0.0.1/cb#x"}), "must not contain a fragment");
  ExpectRedirectError(Request({"com.example.app:/cb#x"}, "native"), "must not contain a fragment");
}

TEST(RedirectUriTest, RejectsRedirectUriWithUserInfo) {
  ExpectRedirectError(Request({"https://app.example.com@evil.example/cb"}),
                      "must not contain user information");
  ExpectRedirectError(Request({"https://user:pass@app.example.com/cb"}),
                      "must not contain user information");
  ExpectRedirectError(Request({"http://x@127.0.0.1/cb"}, "native"),
                      "must not contain user information");
}

TEST(RedirectUriTest, RejectsForbiddenSchemesForWebAndNativeClients) {
  const char* uris[] = {
      "javascript:alert(1)",
      "JavaScript:alert(document.cookie)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "vbscript:msgbox(1)",
      "about:blank",
      "blob:https://app.example.com/0b6c",
      "filesystem:https://app.example.com/temporary/x",
      "view-source:https://app.example.com/",
  };
  for (const char* uri : uris) {
    ExpectRedirectError(Request({uri}), "forbidden scheme");
    ExpectRedirectError(Request({uri}, "native"), "forbidden scheme");
  }
}

TEST(RedirectUriTest, RejectsMalformedRedirectUris) {
  struct Case {
    const char* uri;
    const char* reason;
  };
  const Case cases[] = {
      {"not a uri", "contains a space"},
      {"/relative/callback", "not an absolute URI"},
      {"app.example.com/cb", "not an absolute URI"},
      {"https://app.example.com/c\x01", "control character"},
      {"https://app.example.com/caf\xc3\xa9", "non-ASCII"},
      {"https://app.example.com/%zz", "two hex digits"},
      {"https:///cb", "has no host"},
      {"https:app.example.com/cb", "has no host"},
      {"https://app.example.com:99999/cb", "port out of range"},
      {"https://app.example.com\\@evil.example/", "not allowed"},
      {"https://exa%6Dple.com/cb", "not a DNS name"},
      {"https://evil.example;.app.example.com/", "not a DNS name"},
      {"https://app..example.com/", "not a DNS name"},
      {"https://app.example.com./", "not a DNS name"},
      {"https://2130706433/cb", "numeric host"},
      {"https://127.1/cb", "numeric host"},
      {"https://0x7f.0.0.1/cb", "numeric host"},
      {"https://[v1.x]/cb", "unsupported IP literal"},
  };
  for (const Case& c : cases) ExpectRedirectError(Request({c.uri}), c.reason);
}

TEST(RedirectUriTest, ErrorNamesTheIndexAndTheValue) {
  StatusOr<ClientMetadata> metadata =
      Validate(Request({"https://app.example.com/cb", "http://app.example.com/cb"}));
  ASSERT_FALSE(metadata.ok());
  EXPECT_EQ(metadata.status().message(),
            "redirect_uris[1] \"http://app.example.com/cb\" must use https");
}

TEST(RedirectUriTest, RejectsHttpRedirectUriForWebClient) {
  ExpectRedirectError(Request({"http://app.example.com/cb"}), "must use https");
  ExpectRedirectError(Request({"http://app.example.com/cb"}, "web"), "must use https");
  ExpectRedirectError(Request({"ftp://app.example.com/cb"}, "web"), "must use https");
}

TEST(RedirectUriTest, RejectsLoopbackRedirectUriForWebClientInProduction) {
  const char* uris[] = {"http://127.0.0.1:3000/cb", "https://localhost/cb",
                        "http://localhost:8080/cb", "http://app.localhost/cb",
                        "http://[::1]/cb",          "https://127.0.0.5/cb",
                        "http://0.0.0.0/cb"};
  for (const char* uri : uris) {
    ExpectRedirectError(Request({uri}, "web"), "only native clients may register");
  }
}

TEST(RedirectUriTest, AcceptsLoopbackRedirectUriForWebClientInDevelopment) {
  RegistrationPolicy policy = CodePolicy();
  policy.allow_http_loopback_for_web = true;
  ExpectAccepted(
      Request({"http://localhost:3000/cb", "https://127.0.0.1/cb", "http://app.localhost/cb"},
              "web"),
      policy);
}

TEST(RedirectUriTest, WebImplicitClientMustUseHttpsWithoutLoopbackEvenInDevelopment) {
  RegistrationPolicy policy = CodePolicy();
  policy.allow_http_loopback_for_web = true;
  ExpectRedirectError(
      Request({"https://localhost/cb"}, "web", R"(["authorization_code","implicit"])"),
      "implicit grant", policy);
  ExpectRedirectError(
      Request({"http://127.0.0.1/cb"}, "web", R"(["authorization_code","implicit"])"),
      "implicit grant", policy);
  ExpectRedirectError(
      Request({"http://app.example.com/cb"}, "web", R"(["authorization_code","implicit"])"),
      "must use https", policy);
  ExpectAccepted(
      Request({"https://app.example.com/cb"}, "web", R"(["authorization_code","implicit"])"),
      policy);
}

TEST(RedirectUriTest, RejectsPrivateUseSchemeForWebClientWithAHint) {
  ExpectRedirectError(Request({"com.example.app:/cb"}), "set application_type to \"native\"");
}

TEST(RedirectUriTest, TreatsAllLoopbackRequestWithoutApplicationTypeAsNative) {
  StatusOr<ClientMetadata> metadata =
      Validate(Request({"http://127.0.0.1:51004/cb", "http://[::1]/cb", "http://localhost/cb"}));
  ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
  EXPECT_EQ(metadata->application_type(), "native");
  EXPECT_EQ(*metadata->json().Find("application_type"), Json("native"));
}

TEST(RedirectUriTest, DoesNotInferNativeWhenOneRedirectUriIsNotLoopback) {
  ExpectRedirectError(Request({"http://127.0.0.1/cb", "https://app.example.com/cb"}),
                      "only native clients may register");
}

TEST(RedirectUriTest, ExplicitWebApplicationTypeWinsOverLoopbackInference) {
  ExpectRedirectError(Request({"http://127.0.0.1/cb"}, "web"), "only native clients may register");
}

TEST(RedirectUriTest, AcceptsNativeLoopbackRedirectOnAnyPort) {
  ExpectAccepted(Request(
      {"http://127.0.0.1/cb", "http://127.0.0.1:1/cb", "http://127.0.0.1:65535/oauth2/callback?x=1",
       "http://[::1]:8080/", "http://localhost:49152/cb"},
      "native"));
}

TEST(RedirectUriTest, RejectsNativeHttpRedirectOnNonLoopbackHost) {
  const char* uris[] = {"http://app.example.com/cb", "http://127.0.0.2/cb", "http://0.0.0.0/cb",
                        "http://app.localhost/cb", "http://10.0.0.1/cb"};
  for (const char* uri : uris) {
    ExpectRedirectError(Request({uri}, "native"), "http only with a loopback host");
  }
}

TEST(RedirectUriTest, AcceptsNativePrivateUseSchemeWithReverseDomain) {
  ExpectAccepted(Request({"com.example.app:/oauth2redirect/example-provider",
                          "com.example.app://callback", "io.example.my-app+dev:/cb"},
                         "native"));
}

TEST(RedirectUriTest, RejectsNativePrivateUseSchemeWithoutDot) {
  ExpectRedirectError(Request({"myapp://callback"}, "native"), "reverse domain form");
  ExpectRedirectError(Request({"urn:ietf:wg:oauth:2.0:oob"}, "native"), "reverse domain form");
}

TEST(RedirectUriTest, AcceptsNativeClaimedHttpsRedirect) {
  ExpectAccepted(Request({"https://app.example.com/oauth2redirect"}, "native"));
}

TEST(RedirectUriTest, RejectsNativeHttpsRedirectOnLoopbackHost) {
  ExpectRedirectError(Request({"https://127.0.0.1/cb"}, "native"),
                      "must not use a loopback host with https");
  ExpectRedirectError(Request({"https://localhost/cb"}, "native"),
                      "must not use a loopback host with https");
}

TEST(RedirectUriTest, RequiresRedirectUrisForAuthorizationCodeAndImplicit) {
  Json missing = MustParse(R"({"client_name": "x"})");
  ExpectRedirectError(missing, "redirect_uris is required");
  ExpectRedirectError(Request({}), "redirect_uris is required");
  ExpectRedirectError(MustParse(R"({"grant_types": ["implicit"], "response_types": ["id_token"]})"),
                      "redirect_uris is required");
}

TEST(RedirectUriTest, RedirectUrisAreOptionalForClientCredentials) {
  ExpectAccepted(MustParse(R"({"grant_types": ["client_credentials"]})"));
  // Still checked when present.
  ExpectRedirectError(
      MustParse(
          R"({"grant_types": ["client_credentials"], "redirect_uris": ["http://a.example/"]})"),
      "must use https");
}

TEST(RedirectUriTest, RejectsRedirectUrisOfTheWrongType) {
  ExpectRedirectError(MustParse(R"({"redirect_uris": "https://app.example.com/cb"})"),
                      "redirect_uris must be an array of strings");
  ExpectRedirectError(MustParse(R"({"redirect_uris": [1]})"), "redirect_uris[0] must be a string");
  ExpectRedirectError(MustParse(R"({"redirect_uris": ["https://a.example.com/", ""]})"),
                      "redirect_uris[1] must not be empty");
}

TEST(RedirectUriTest, LimitsTheNumberAndLengthOfRedirectUris) {
  std::vector<std::string> many;
  for (int i = 0; i < 21; ++i) many.push_back("https://app.example.com/cb" + std::to_string(i));
  ExpectRedirectError(Request(many), "more than 20 entries");
  many.pop_back();
  ExpectAccepted(Request(many));

  const std::string base = "https://app.example.com/";
  ExpectAccepted(Request({base + std::string(2000 - base.size(), 'a')}));
  ExpectRedirectError(Request({base + std::string(2001 - base.size(), 'a')}),
                      "longer than 2000 characters");
}

TEST(RedirectUriTest, AcceptsRedirectHostOnTheTenantAllowList) {
  RegistrationPolicy policy = CodePolicy();
  policy.allowed_redirect_hosts = {"app.example.com", "*.example.org"};
  ExpectAccepted(Request({"https://APP.example.com/cb", "https://a.b.example.org/cb"}), policy);
}

TEST(RedirectUriTest, RejectsRedirectHostOffTheTenantAllowList) {
  RegistrationPolicy policy = CodePolicy();
  policy.allowed_redirect_hosts = {"app.example.com", "*.example.org"};
  const char* uris[] = {"https://evil.example/cb", "https://example.org/cb",
                        "https://app.example.com.evil.example/cb", "https://evilexample.org/cb",
                        "https://sub.app.example.com/cb"};
  for (const char* uri : uris) {
    ExpectRedirectError(Request({uri}), "host this tenant does not allow", policy);
  }
}

TEST(RedirectUriTest, LoopbackRedirectsAreExemptFromTheHostAllowList) {
  RegistrationPolicy policy = CodePolicy();
  policy.allowed_redirect_hosts = {"app.example.com"};
  ExpectAccepted(Request({"http://127.0.0.1/cb"}, "native"), policy);
}

TEST(RedirectUriTest, ChecksPrivateUseSchemeAsReversedDomainAgainstAllowList) {
  RegistrationPolicy policy = CodePolicy();
  policy.allowed_redirect_hosts = {"*.example.com"};
  ExpectAccepted(Request({"com.example.app:/cb"}, "native"), policy);
  ExpectRedirectError(Request({"com.evil.app:/cb"}, "native"),
                      "scheme whose domain this tenant does not allow", policy);
}

TEST(PostLogoutRedirectUriTest, FollowsRedirectRulesWithMetadataErrorCode) {
  Json request = Request({"https://app.example.com/cb"});
  request.Set("post_logout_redirect_uris", MustParse(R"(["https://app.example.com/bye"])"));
  StatusOr<ClientMetadata> ok = Validate(request);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->post_logout_redirect_uris(),
            std::vector<std::string>{"https://app.example.com/bye"});

  const char* bad[] = {"http://app.example.com/bye", "https://app.example.com/bye#x",
                       "javascript:alert(1)", "https://127.0.0.1/bye"};
  for (const char* uri : bad) {
    request.Set("post_logout_redirect_uris", Json::MakeArray().Push(uri));
    StatusOr<ClientMetadata> metadata = Validate(request);
    ASSERT_FALSE(metadata.ok()) << uri;
    EXPECT_EQ(metadata.status().tag(), "invalid_client_metadata") << uri;
    EXPECT_THAT(metadata.status().message(), HasSubstr("post_logout_redirect_uris[0]")) << uri;
  }
}

}  // namespace
}  // namespace portico::dcr
