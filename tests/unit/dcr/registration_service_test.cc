#include "dcr/registration/registration_service.h"

#include <gtest/gtest.h>

#include "portico/jose.h"
#include "portico/parse_json.h"
#include "portico/tenant_service.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::dcr {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr char kEndpoint[] = "https://id.example.com/oauth/register";

Json Parse(std::string_view text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text;
  return json.ok() ? *json : Json();
}

std::string Str(const Json& doc, std::string_view name) {
  const Json* v = doc.Find(name);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

class RegistrationServiceTest : public ::testing::Test {
 protected:
  RegistrationServiceTest()
      : issuer_(std::string(40, 'k'), SecureRandom(), clock_),
        secrets_(issuer_, SecureRandom()),
        tenants_(db_, issuer_, SecureRandom(), clock_) {
    acme_ = NewTenant("acme");
    Rebuild();
  }

  void Rebuild() {
    service_ = std::make_unique<RegistrationService>(db_, issuer_, secrets_, clock_, options_);
  }

  CreatedTenant NewTenant(const std::string& slug) {
    StatusOr<CreatedTenant> created = tenants_.Create({.slug = slug, .name = slug});
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return *created;
  }

  void SetPolicy(const CreatedTenant& t, std::string_view policy) {
    ASSERT_TRUE(db_.Run([&](Stores& s) {
                     return s.tenant_settings().Put(t.tenant.id, kPolicySettingName, Parse(policy));
                   })
                    .ok());
  }

  StatusOr<ClientInformation> Register(std::string_view body,
                                       std::optional<std::string> token = std::nullopt) {
    return service_->Register(token ? std::optional<std::string_view>(*token)
                                    : std::optional<std::string_view>(acme_.bootstrap_token.secret),
                              "192.0.2.1", Parse(body));
  }

  ClientRecord Stored(const std::string& client_id) {
    return db_.Snapshot().oauth.clients.at(client_id);
  }

  // The client.* audit events, oldest first.
  std::vector<std::string> AuditTypes() {
    std::vector<std::string> types;
    for (const auto& [id, message] : db_.Snapshot().outbox) {
      const std::string type = Str(Parse(message.payload), "type");
      if (message.topic == "audit" && type.rfind("client.", 0) == 0) types.push_back(type);
    }
    return types;
  }

  static RegistrationOptions DefaultOptions() {
    RegistrationOptions o;
    o.registration_endpoint = kEndpoint;
    o.server_policy.allowed_scopes = {"read", "write"};
    o.server_policy.default_scopes = {"read"};
    return o;
  }

  testing::FakeClock clock_;
  testing::InMemoryDatabase db_;
  CredentialIssuer issuer_;
  ClientSecrets secrets_;
  TenantService tenants_;
  RegistrationOptions options_ = DefaultOptions();
  CreatedTenant acme_;
  std::unique_ptr<RegistrationService> service_;
};

constexpr char kMinimal[] = R"({"client_name":"Agent","grant_types":["client_credentials"]})";

TEST_F(RegistrationServiceTest, RegistersAConfidentialClientWithEveryResponseMember) {
  StatusOr<ClientInformation> info = Register(kMinimal);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  const Json& body = info->body;
  const std::string id = Str(body, "client_id");
  EXPECT_EQ(id.rfind("pc_", 0), 0u);
  EXPECT_EQ(Str(body, "client_secret").rfind("portico_cs_", 0), 0u);
  EXPECT_GE(Str(body, "client_secret").size(), 11u + 43u);  // 256 bits
  EXPECT_EQ(body.Find("client_secret_expires_at")->as_int(), 0);
  EXPECT_EQ(body.Find("client_id_issued_at")->as_int(), ToUnixMillis(clock_.Now()) / 1000);
  EXPECT_EQ(Str(body, "registration_access_token").rfind("portico_rt_", 0), 0u);
  EXPECT_EQ(Str(body, "registration_client_uri"), std::string(kEndpoint) + "/" + id);
  // Every registered member, defaults included.
  EXPECT_EQ(Str(body, "client_name"), "Agent");
  EXPECT_EQ(Str(body, "token_endpoint_auth_method"), "client_secret_basic");
  EXPECT_EQ(Str(body, "scope"), "read");
  EXPECT_TRUE(info->created);

  const ClientRecord stored = Stored(id);
  EXPECT_EQ(stored.tenant_id, acme_.tenant.id);
  // Only keyed hashes are kept.
  EXPECT_EQ(*stored.secret_hash, issuer_.Hash(Str(body, "client_secret")));
  EXPECT_EQ(stored.registration_token_hash, issuer_.Hash(Str(body, "registration_access_token")));
  EXPECT_EQ(AuditTypes(), std::vector<std::string>{"client.created"});
}

TEST_F(RegistrationServiceTest, AnIntegrationKeyNeedsTheRegistrationScope) {
  EXPECT_TRUE(Register(kMinimal, acme_.integration_key.secret).ok());  // default key has it
  IssuedCredential narrow =
      issuer_.Mint(acme_.tenant.id, CredentialKind::kIntegrationKey, "ro", {"scim:read"});
  ASSERT_TRUE(db_.Run([&](Stores& s) { return s.credentials().Insert(narrow.record); }).ok());
  StatusOr<ClientInformation> denied = Register(kMinimal, narrow.secret);
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Register(kMinimal, acme_.public_login_token.secret).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(RegistrationServiceTest, MissingOrBadInitialAccessTokenIsInvalidToken) {
  StatusOr<ClientInformation> missing =
      service_->Register(std::nullopt, "192.0.2.1", Parse(kMinimal));
  EXPECT_EQ(missing.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(missing.status().tag(), "invalid_token");
  StatusOr<ClientInformation> bad = Register(kMinimal, "portico_bt_nope");
  EXPECT_EQ(bad.status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(bad.status().tag(), "invalid_token");
  EXPECT_TRUE(db_.Snapshot().oauth.clients.empty());
}

TEST_F(RegistrationServiceTest, OpenRegistrationGoesToTheNamedTenantAndIsLimitedPerIp) {
  CreatedTenant open = NewTenant("public");
  options_.open_registration_tenant = "public";
  options_.open_registrations_per_ip = {2, seconds(60)};
  Rebuild();
  auto anonymous = [&](const char* ip) {
    return service_->Register(std::nullopt, ip, Parse(kMinimal));
  };
  StatusOr<ClientInformation> first = anonymous("192.0.2.7");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(Stored(first->client_id).tenant_id, open.tenant.id);
  EXPECT_TRUE(anonymous("192.0.2.7").ok());
  StatusOr<ClientInformation> third = anonymous("192.0.2.7");
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(third.status().retry_after_seconds());
  EXPECT_GE(*third.status().retry_after_seconds(), 1);
  EXPECT_TRUE(anonymous("192.0.2.8").ok());  // another address has its own budget
  // Authenticated registrations are not counted against the shared IP.
  EXPECT_TRUE(Register(kMinimal).ok());
  clock_.Advance(seconds(61));
  EXPECT_TRUE(anonymous("192.0.2.7").ok());
}

TEST_F(RegistrationServiceTest, TenantRateLimitAndClientQuotaApply) {
  SetPolicy(acme_, R"({"registrationsPerMinute": 2, "maxClients": 3})");
  EXPECT_TRUE(Register(kMinimal).ok());
  EXPECT_TRUE(Register(kMinimal).ok());
  EXPECT_EQ(Register(kMinimal).status().code(), StatusCode::kResourceExhausted);
  clock_.Advance(seconds(60));
  EXPECT_TRUE(Register(kMinimal).ok());
  StatusOr<ClientInformation> over = Register(kMinimal);
  EXPECT_EQ(over.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(db_.Snapshot().oauth.clients.size(), 3u);
}

TEST_F(RegistrationServiceTest, AFarQuotaIsNotCountedOnEveryRegistration) {
  SetPolicy(acme_, R"({"maxClients": 10000})");
  const int before = db_.CallCount("clients.CountByTenant");
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Register(kMinimal).ok());
  EXPECT_EQ(db_.CallCount("clients.CountByTenant") - before, 1);
  clock_.Advance(seconds(2));
  ASSERT_TRUE(Register(kMinimal).ok());
  EXPECT_EQ(db_.CallCount("clients.CountByTenant") - before, 2);
}

TEST_F(RegistrationServiceTest, MetadataErrorsCarryTheRfcErrorCode) {
  StatusOr<ClientInformation> uri = Register(
      R"({"grant_types":["client_credentials"],"redirect_uris":["https://a.example/cb#frag"]})");
  EXPECT_EQ(uri.status().tag(), "invalid_redirect_uri");
  SetPolicy(acme_, R"({"allowedScopes": ["mcp"], "defaultScopes": ["mcp"]})");
  StatusOr<ClientInformation> scope =
      Register(R"({"grant_types":["client_credentials"],"scope":"read"})");
  EXPECT_EQ(scope.status().tag(), "invalid_client_metadata");
  StatusOr<ClientInformation> ok = Register(kMinimal);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(Str(ok->body, "scope"), "mcp");  // the tenant's default
  EXPECT_EQ(db_.Snapshot().oauth.clients.size(), 1u);
}

class SoftwareStatementTest : public RegistrationServiceTest {
 protected:
  SoftwareStatementTest() {
    StatusOr<EcSigningKey> key = EcSigningKey::Generate();
    EXPECT_TRUE(key.ok());
    key_ = std::make_unique<EcSigningKey>(std::move(key).value());
    Json jwks = Json::MakeObject();
    Json keys = Json::MakeArray();
    keys.Push(key_->PublicJwk());
    jwks.Set("keys", std::move(keys));
    SetPolicy(acme_, R"({"trustedIssuers":[{"issuer":"https://vendor.example","jwks":)" +
                         jwks.Dump() + "}]}");
  }

  std::string Statement(Json claims) {
    StatusOr<std::string> jwt = key_->SignJwt(Json::MakeObject(), claims);
    EXPECT_TRUE(jwt.ok());
    return *jwt;
  }

  Json Claims() {
    return Parse(R"({"iss":"https://vendor.example","software_id":"agent-1",)"
                 R"("client_name":"From Statement","grant_types":["client_credentials"]})");
  }

  std::string WithStatement(const std::string& statement) {
    return R"({"client_name":"From JSON","software_statement":")" + statement + "\"}";
  }

  std::unique_ptr<EcSigningKey> key_;
};

TEST_F(SoftwareStatementTest, VerifiedClaimsTakePrecedenceAndTheStatementIsEchoed) {
  const std::string statement = Statement(Claims());
  StatusOr<ClientInformation> info = Register(WithStatement(statement));
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(Str(info->body, "client_name"), "From Statement");
  EXPECT_EQ(Str(info->body, "software_id"), "agent-1");
  EXPECT_EQ(Str(info->body, "software_statement"), statement);
  EXPECT_EQ(info->body.Find("iss"), nullptr);  // about the statement, not metadata
}

TEST_F(SoftwareStatementTest, UntrustedIssuerIsUnapproved) {
  Json claims = Claims();
  claims.Set("iss", "https://stranger.example");
  EXPECT_EQ(Register(WithStatement(Statement(claims))).status().tag(),
            "unapproved_software_statement");
}

TEST_F(SoftwareStatementTest, BadSignatureExpiryOrShapeIsInvalid) {
  std::string tampered = Statement(Claims());
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_EQ(Register(WithStatement(tampered)).status().tag(), "invalid_software_statement");
  Json expired = Claims();
  expired.Set("exp", ToUnixMillis(clock_.Now()) / 1000 - 3600);
  EXPECT_EQ(Register(WithStatement(Statement(expired))).status().tag(),
            "invalid_software_statement");
  EXPECT_EQ(Register(WithStatement("not.a-jws")).status().tag(), "invalid_software_statement");
  // An unsigned statement naming a trusted issuer: alg none is never accepted.
  const std::string none =
      Base64UrlEncode(R"({"alg":"none"})") + "." + Base64UrlEncode(Claims().Dump()) + ".";
  EXPECT_EQ(Register(WithStatement(none)).status().tag(), "invalid_software_statement");
}

TEST_F(SoftwareStatementTest, APolicyMayRequireOne) {
  SetPolicy(acme_, R"({"requireSoftwareStatement": true})");
  EXPECT_EQ(Register(kMinimal).status().tag(), "unapproved_software_statement");
}

class ManagementTest : public RegistrationServiceTest {
 protected:
  ManagementTest() {
    StatusOr<ClientInformation> info = Register(kMinimal);
    EXPECT_TRUE(info.ok());
    id_ = info->client_id;
    token_ = Str(info->body, "registration_access_token");
    secret_ = Str(info->body, "client_secret");
  }
  std::string id_, token_, secret_;
};

TEST_F(ManagementTest, ReadReturnsTheRegistrationWithoutTheSecret) {
  StatusOr<ClientInformation> read = service_->Read(id_, token_);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(Str(read->body, "client_id"), id_);
  EXPECT_EQ(read->body.Find("client_secret"), nullptr);
  EXPECT_EQ(Str(read->body, "registration_access_token"), token_);
  EXPECT_EQ(Str(read->body, "client_name"), "Agent");
}

TEST_F(ManagementTest, WrongTokenUnknownClientOrAnotherClientsTokenIs401) {
  StatusOr<ClientInformation> other = Register(kMinimal);
  ASSERT_TRUE(other.ok());
  const std::string other_token = Str(other->body, "registration_access_token");
  for (auto [client, token] : std::vector<std::pair<std::string, std::string>>{
           {id_, "portico_rt_wrong"}, {"pc_unknown", token_}, {id_, other_token}}) {
    StatusOr<ClientInformation> read = service_->Read(client, token);
    EXPECT_EQ(read.status().code(), StatusCode::kUnauthenticated) << client;
    EXPECT_EQ(read.status().tag(), "invalid_token");
    EXPECT_EQ(service_->Delete(client, token).code(), StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(service_->Read(id_, std::nullopt).status().code(), StatusCode::kUnauthenticated);
}

TEST_F(ManagementTest, ReplaceRebuildsTheRegistrationFromTheRequestAlone) {
  StatusOr<ClientInformation> replaced =
      service_->Replace(id_, token_,
                        Parse(R"({"client_id":")" + id_ +
                              R"(","grant_types":["client_credentials"],)"
                              R"("token_endpoint_auth_method":"client_secret_post"})"),
                        false);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(replaced->body.Find("client_name"), nullptr);  // omitted → removed
  EXPECT_EQ(Str(replaced->body, "token_endpoint_auth_method"), "client_secret_post");
  EXPECT_EQ(replaced->body.Find("client_secret"), nullptr);  // kept, not re-issued
  EXPECT_TRUE(secrets_.SecretMatches(Stored(id_), secret_, clock_.Now()));
  EXPECT_EQ(Stored(id_).version, 2);
  EXPECT_EQ(AuditTypes(), (std::vector<std::string>{"client.created", "client.updated"}));
}

TEST_F(ManagementTest, ReplaceRefusesForbiddenOrMismatchedMembers) {
  const std::string id_member = R"("client_id":")" + id_ + "\"";
  for (const std::string& body : {
           std::string(R"({"grant_types":["client_credentials"]})"),
           std::string(R"({"client_id":"pc_other","grant_types":["client_credentials"]})"),
           "{" + id_member + R"(,"registration_access_token":"x"})",
           "{" + id_member + R"(,"client_id_issued_at":1})",
           "{" + id_member + R"(,"client_secret":"portico_cs_wrong"})",
       }) {
    StatusOr<ClientInformation> r = service_->Replace(id_, token_, Parse(body), false);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_EQ(r.status().tag(), "invalid_client_metadata") << body;
  }
  StatusOr<ClientInformation> same_secret =
      service_->Replace(id_, token_,
                        Parse("{" + id_member + R"(,"client_secret":")" + secret_ +
                              R"(","grant_types":["client_credentials"]})"),
                        false);
  EXPECT_TRUE(same_secret.ok()) << same_secret.status().ToString();
}

TEST_F(ManagementTest, RotationIssuesANewSecretAndKeepsTheOldOneForTheGracePeriod) {
  SetPolicy(acme_, R"({"secretRotationGraceSeconds": 600})");
  StatusOr<ClientInformation> rotated = service_->Replace(
      id_, token_, Parse(R"({"client_id":")" + id_ + R"(","grant_types":["client_credentials"]})"),
      true);
  ASSERT_TRUE(rotated.ok()) << rotated.status().ToString();
  const std::string fresh = Str(rotated->body, "client_secret");
  ASSERT_FALSE(fresh.empty());
  EXPECT_NE(fresh, secret_);
  EXPECT_TRUE(secrets_.SecretMatches(Stored(id_), fresh, clock_.Now()));
  EXPECT_TRUE(secrets_.SecretMatches(Stored(id_), secret_, clock_.Now()));
  clock_.Advance(seconds(601));
  EXPECT_FALSE(secrets_.SecretMatches(Stored(id_), secret_, clock_.Now()));
  EXPECT_TRUE(secrets_.SecretMatches(Stored(id_), fresh, clock_.Now()));
}

TEST_F(ManagementTest, DeleteInvalidatesTheClientAndItsToken) {
  ASSERT_TRUE(service_->Delete(id_, token_).ok());
  EXPECT_EQ(db_.Snapshot().oauth.clients.count(id_), 0u);
  EXPECT_EQ(service_->Read(id_, token_).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(service_->Delete(id_, token_).code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(AuditTypes(), (std::vector<std::string>{"client.created", "client.deleted"}));
}

TEST_F(ManagementTest, PruneDeletesOnlyClientsUnusedPastTheTtlWithoutLiveTokens) {
  StatusOr<ClientInformation> busy = Register(kMinimal);
  ASSERT_TRUE(busy.ok());
  clock_.Advance(hours(24 * 91));
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   return s.clients().Touch(busy->client_id, Stored(busy->client_id).last_used_at,
                                            clock_.Now() + hours(1));
                 })
                  .ok());
  StatusOr<int64_t> pruned = service_->PruneUnused(100);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(*pruned, 1);
  EXPECT_EQ(db_.Snapshot().oauth.clients.count(id_), 0u);
  EXPECT_EQ(db_.Snapshot().oauth.clients.count(busy->client_id), 1u);
}

class DeduplicationTest : public RegistrationServiceTest {
 protected:
  DeduplicationTest() {
    // Public clients need a redirect-based grant; this server's default serves
    // client_credentials only, so the test server serves authorization_code too.
    options_.server_policy.supported_grant_types = {"client_credentials", "authorization_code"};
    Rebuild();
  }
};

constexpr char kPublic[] = R"({"client_name":"MCP agent","token_endpoint_auth_method":"none",)"
                           R"("grant_types":["authorization_code"],"response_types":["code"],)"
                           R"("redirect_uris":["http://127.0.0.1:33418/callback"]})";

TEST_F(DeduplicationTest, IdenticalPublicRegistrationsShareOneClientId) {
  StatusOr<ClientInformation> first = Register(kPublic);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  StatusOr<ClientInformation> again = Register(kPublic);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->client_id, first->client_id);
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->body.Find("client_secret"), nullptr);
  // The latest registration token manages it; the earlier one no longer does.
  EXPECT_TRUE(service_->Read(first->client_id, Str(again->body, "registration_access_token")).ok());
  EXPECT_FALSE(
      service_->Read(first->client_id, Str(first->body, "registration_access_token")).ok());
  EXPECT_EQ(db_.Snapshot().oauth.clients.size(), 1u);
  // Different metadata is another client.
  std::string other = kPublic;
  other.replace(other.find("33418"), 5, "40000");
  StatusOr<ClientInformation> different = Register(other);
  ASSERT_TRUE(different.ok());
  EXPECT_NE(different->client_id, first->client_id);
}

TEST_F(DeduplicationTest, APolicyMayTurnItOff) {
  SetPolicy(acme_, R"({"deduplicatePublicClients": false})");
  StatusOr<ClientInformation> a = Register(kPublic);
  StatusOr<ClientInformation> b = Register(kPublic);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->client_id, b->client_id);
}

}  // namespace
}  // namespace portico::dcr
