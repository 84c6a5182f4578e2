#include "portico/credential_issuer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "portico/crypto.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/fake_random.h"
#include "tests/fakes/in_memory_database.h"

namespace portico {
namespace {

using std::chrono::seconds;

constexpr char kSecret[] = "key-hash-secret-for-tests";
constexpr char kRejected[] = "invalid or expired credential";

class CredentialIssuerTest : public ::testing::Test {
 protected:
  IssuedCredential MintAndStore(CredentialKind kind, std::optional<seconds> ttl = std::nullopt) {
    IssuedCredential issued = issuer_.Mint("tenant-1", kind, "label", {"scim:read"}, ttl);
    EXPECT_TRUE(db_.Run([&](Stores& s) { return s.credentials().Insert(issued.record); }).ok());
    return issued;
  }

  StatusOr<Credential> Verify(std::string_view presented,
                              std::optional<CredentialKind> expected = std::nullopt) {
    std::optional<StatusOr<Credential>> result;
    const Status run = db_.Run([&](Stores& s) {
      result = issuer_.Verify(s.credentials(), presented, expected);
      return Status::Ok();
    });
    if (!run.ok()) return run;
    return *result;
  }

  static void ExpectRejected(const StatusOr<Credential>& result) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.status().code(), StatusCode::kUnauthenticated);
    EXPECT_EQ(result.status().message(), kRejected);
  }

  testing::FakeClock clock_;
  testing::InMemoryDatabase db_;
  CredentialIssuer issuer_{kSecret, SecureRandom(), clock_};
};

TEST_F(CredentialIssuerTest, SecretsCarryTheirKindsPrefixAnd256RandomBits) {
  const std::pair<CredentialKind, std::string> kinds[] = {
      {CredentialKind::kIntegrationKey, "portico_ik_"},
      {CredentialKind::kBootstrapToken, "portico_bt_"},
      {CredentialKind::kPublicLoginToken, "portico_pl_"}};
  for (const auto& [kind, prefix] : kinds) {
    EXPECT_EQ(CredentialIssuer::Prefix(kind), prefix);
    const IssuedCredential issued = issuer_.Mint("t", kind, "n", {});
    ASSERT_EQ(issued.secret.size(), prefix.size() + 43);
    EXPECT_EQ(issued.secret.substr(0, prefix.size()), prefix);
    const auto raw = Base64UrlDecode(issued.secret.substr(prefix.size()));
    ASSERT_TRUE(raw.has_value());
    EXPECT_EQ(raw->size(), 32u);
    EXPECT_EQ(issued.record.kind, kind);
  }
}

TEST_F(CredentialIssuerTest, RecordHoldsOnlyTheKeyedHashAndAHint) {
  const IssuedCredential issued =
      issuer_.Mint("tenant-1", CredentialKind::kIntegrationKey, "default", {"a", "b"}, seconds(60));
  const Credential& r = issued.record;
  EXPECT_EQ(r.key_hash, HexEncode(HmacSha256(kSecret, issued.secret)));
  EXPECT_EQ(r.key_hash, issuer_.Hash(issued.secret));
  EXPECT_EQ(r.display_hint, issued.secret.substr(0, 15) + "\u2026");
  EXPECT_EQ(r.key_hash.find(issued.secret.substr(11)), std::string::npos);
  EXPECT_EQ(r.tenant_id, "tenant-1");
  EXPECT_EQ(r.name, "default");
  EXPECT_EQ(r.scopes, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(r.id.size(), 36u);
  EXPECT_EQ(r.created_at, clock_.Now());
  ASSERT_TRUE(r.expires_at.has_value());
  EXPECT_EQ(*r.expires_at, clock_.Now() + seconds(60));
  EXPECT_FALSE(r.revoked_at.has_value());
  EXPECT_FALSE(issuer_.Mint("t", CredentialKind::kIntegrationKey, "n", {}).record.expires_at);
}

TEST_F(CredentialIssuerTest, HashDependsOnTheServerSecret) {
  CredentialIssuer other("another-secret", SecureRandom(), clock_);
  EXPECT_NE(other.Hash("portico_ik_x"), issuer_.Hash("portico_ik_x"));
}

TEST_F(CredentialIssuerTest, EveryMintIsDifferent) {
  const auto a = issuer_.Mint("t", CredentialKind::kIntegrationKey, "n", {});
  const auto b = issuer_.Mint("t", CredentialKind::kIntegrationKey, "n", {});
  EXPECT_NE(a.secret, b.secret);
  EXPECT_NE(a.record.id, b.record.id);
}

TEST_F(CredentialIssuerTest, VerifyFindsTheStoredCredentialByHash) {
  const IssuedCredential issued = MintAndStore(CredentialKind::kIntegrationKey);
  StatusOr<Credential> found = Verify(issued.secret, CredentialKind::kIntegrationKey);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, issued.record.id);
  EXPECT_TRUE(Verify(issued.secret).ok()) << "any kind accepted without expectation";
  EXPECT_EQ(db_.CallCount("credentials.FindByHash"), 2);
}

TEST_F(CredentialIssuerTest, RejectsUnknownSecret) {
  MintAndStore(CredentialKind::kIntegrationKey);
  const IssuedCredential never_stored = issuer_.Mint("t", CredentialKind::kIntegrationKey, "n", {});
  ExpectRejected(Verify(never_stored.secret));
}

TEST_F(CredentialIssuerTest, RejectsAnotherKindThanExpected) {
  const IssuedCredential issued = MintAndStore(CredentialKind::kBootstrapToken);
  ExpectRejected(Verify(issued.secret, CredentialKind::kIntegrationKey));
  ExpectRejected(Verify(issued.secret, CredentialKind::kPublicLoginToken));
  EXPECT_TRUE(Verify(issued.secret, CredentialKind::kBootstrapToken).ok());
}

TEST_F(CredentialIssuerTest, RejectsStoredKindThatContradictsThePrefix) {
  IssuedCredential issued = issuer_.Mint("t", CredentialKind::kIntegrationKey, "n", {});
  issued.record.kind = CredentialKind::kPublicLoginToken;
  ASSERT_TRUE(db_.Run([&](Stores& s) { return s.credentials().Insert(issued.record); }).ok());
  ExpectRejected(Verify(issued.secret));
}

TEST_F(CredentialIssuerTest, RejectsRevokedCredential) {
  const IssuedCredential issued = MintAndStore(CredentialKind::kIntegrationKey);
  ASSERT_TRUE(
      db_.Run([&](Stores& s) { return s.credentials().Revoke(issued.record.id, clock_.Now()); })
          .ok());
  ExpectRejected(Verify(issued.secret));
}

TEST_F(CredentialIssuerTest, RejectsCredentialAtItsExpiryInstant) {
  const IssuedCredential issued = MintAndStore(CredentialKind::kBootstrapToken, seconds(60));
  clock_.Advance(std::chrono::milliseconds(59'999));
  EXPECT_TRUE(Verify(issued.secret).ok());
  clock_.Advance(std::chrono::milliseconds(1));
  ExpectRejected(Verify(issued.secret));
}

TEST_F(CredentialIssuerTest, MalformedSecretsNeverReachTheStore) {
  const std::string valid = MintAndStore(CredentialKind::kIntegrationKey).secret;
  const std::string body = valid.substr(11);
  const std::string cases[] = {
      "",
      "portico_ik_",
      "portico_ik_" + body.substr(1),  // 42 characters
      valid + "A",                     // 44 characters
      "portico_xx_" + body,            // unknown prefix
      "PORTICO_IK_" + body,
      "portico_ik_" + body.substr(0, 42) + "+",  // not base64url
      "portico_ik_" + body.substr(0, 42) + "=",
      " " + valid.substr(1),
      valid.substr(0, 53) + "\n",
      "Bearer " + valid,
  };
  const int before = db_.CallCount("credentials.FindByHash");
  for (const std::string& text : cases) ExpectRejected(Verify(text));
  EXPECT_EQ(db_.CallCount("credentials.FindByHash"), before);
}

TEST_F(CredentialIssuerTest, KindMismatchByPrefixNeverReachesTheStore) {
  const IssuedCredential issued = MintAndStore(CredentialKind::kPublicLoginToken);
  ExpectRejected(Verify(issued.secret, CredentialKind::kIntegrationKey));
  EXPECT_EQ(db_.CallCount("credentials.FindByHash"), 0);
}

TEST_F(CredentialIssuerTest, SwappedPrefixDoesNotVerify) {
  const IssuedCredential issued = MintAndStore(CredentialKind::kIntegrationKey);
  ExpectRejected(Verify("portico_bt_" + issued.secret.substr(11)));
}

TEST_F(CredentialIssuerTest, UnavailableStoreIsReportedAsUnavailable) {
  const IssuedCredential issued = MintAndStore(CredentialKind::kIntegrationKey);
  db_.FailOperation("credentials.FindByHash");
  StatusOr<Credential> result = Verify(issued.secret);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
}

TEST_F(CredentialIssuerTest, VerifyWithTenantAppliesTheSameRulesAndJoinsTheTenant) {
  Tenant tenant{.id = "tenant-1", .slug = "acme", .name = "Acme", .modules = {"scim"}};
  ASSERT_TRUE(db_.Run([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
  const IssuedCredential issued = MintAndStore(CredentialKind::kIntegrationKey, seconds(60));
  auto verify = [&](std::string_view presented, std::optional<CredentialKind> expected) {
    std::optional<StatusOr<CredentialWithTenant>> result;
    EXPECT_TRUE(db_.Run([&](Stores& s) {
                     result = issuer_.VerifyWithTenant(s.credentials(), presented, expected);
                     return Status::Ok();
                   }).ok());
    return *result;
  };
  auto found = verify(issued.secret, CredentialKind::kIntegrationKey);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credential.id, issued.record.id);
  EXPECT_EQ(found->tenant.slug, "acme");
  EXPECT_EQ(db_.CallCount("credentials.FindByHashWithTenant"), 1);
  EXPECT_EQ(db_.CallCount("tenants.FindById"), 0) << "one round trip";
  EXPECT_EQ(verify(issued.secret, CredentialKind::kBootstrapToken).status().code(),
            StatusCode::kUnauthenticated);
  EXPECT_EQ(verify("portico_ik_garbage", std::nullopt).status().code(),
            StatusCode::kUnauthenticated);
  clock_.Advance(seconds(60));
  EXPECT_EQ(verify(issued.secret, std::nullopt).status().code(), StatusCode::kUnauthenticated);
  db_.SetUnavailable(true);
  std::optional<StatusOr<CredentialWithTenant>> down;
  EXPECT_EQ(db_.Run([&](Stores& s) {
                 down = issuer_.VerifyWithTenant(s.credentials(), issued.secret);
                 return Status::Ok();
               }).code(),
            StatusCode::kUnavailable);
}

TEST_F(CredentialIssuerTest, CachedVerificationSkipsTheStoreWithinItsTtlOnly) {
  Tenant tenant{.id = "tenant-1", .slug = "acme", .name = "Acme", .modules = {"scim"}};
  ASSERT_TRUE(db_.Run([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
  CredentialCache cache(std::chrono::milliseconds(1000), clock_);
  issuer_.set_cache(&cache);
  const IssuedCredential issued = MintAndStore(CredentialKind::kIntegrationKey, seconds(3));
  auto verify = [&](std::string_view presented, std::optional<CredentialKind> expected) {
    std::optional<StatusOr<CredentialWithTenant>> result;
    EXPECT_TRUE(db_.Run([&](Stores& s) {
                     result = issuer_.VerifyWithTenant(s.credentials(), presented, expected);
                     return Status::Ok();
                   }).ok());
    return *result;
  };
  const auto lookups = [&] { return db_.CallCount("credentials.FindByHashWithTenant"); };

  ASSERT_TRUE(verify(issued.secret, std::nullopt).ok());
  ASSERT_TRUE(verify(issued.secret, std::nullopt).ok());
  EXPECT_EQ(lookups(), 1) << "the second call is answered from the cache";
  // The cached record still obeys the kind check.
  EXPECT_EQ(verify(issued.secret, CredentialKind::kBootstrapToken).status().code(),
            StatusCode::kUnauthenticated);
  // A wrong secret is never answered from another key's entry, and failures are not cached.
  EXPECT_FALSE(verify("portico_ik_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", std::nullopt).ok());
  EXPECT_FALSE(verify("portico_ik_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", std::nullopt).ok());
  EXPECT_EQ(lookups(), 3);

  // Revoked in the store: honoured until the entry is a second old, then refused.
  ASSERT_TRUE(
      db_.Run([&](Stores& s) { return s.credentials().Revoke(issued.record.id, clock_.Now()); })
          .ok());
  clock_.Advance(std::chrono::milliseconds(999));
  EXPECT_TRUE(verify(issued.secret, std::nullopt).ok());
  clock_.Advance(std::chrono::milliseconds(1));
  EXPECT_FALSE(verify(issued.secret, std::nullopt).ok());
  EXPECT_EQ(lookups(), 4);
}

TEST_F(CredentialIssuerTest, ForgetCachedAndExpiryApplyAtOnce) {
  Tenant tenant{.id = "tenant-1", .slug = "acme", .name = "Acme", .modules = {"scim"}};
  ASSERT_TRUE(db_.Run([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
  CredentialCache cache(std::chrono::milliseconds(60000), clock_);
  issuer_.set_cache(&cache);
  const IssuedCredential issued = MintAndStore(CredentialKind::kIntegrationKey, seconds(10));
  auto ok = [&] {
    std::optional<StatusOr<CredentialWithTenant>> result;
    EXPECT_TRUE(db_.Run([&](Stores& s) {
                     result = issuer_.VerifyWithTenant(s.credentials(), issued.secret);
                     return Status::Ok();
                   }).ok());
    return result->ok();
  };
  ASSERT_TRUE(ok());
  ASSERT_TRUE(
      db_.Run([&](Stores& s) { return s.credentials().Revoke(issued.record.id, clock_.Now()); })
          .ok());
  EXPECT_TRUE(ok()) << "still cached";
  issuer_.ForgetCached();
  EXPECT_FALSE(ok()) << "this process revoked it: refused at once";

  const IssuedCredential other = MintAndStore(CredentialKind::kIntegrationKey, seconds(10));
  std::optional<StatusOr<CredentialWithTenant>> first;
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   first = issuer_.VerifyWithTenant(s.credentials(), other.secret);
                   return Status::Ok();
                 }).ok());
  ASSERT_TRUE(first->ok());
  clock_.Advance(seconds(10));  // the key's own expiry, well inside the cache's minute
  std::optional<StatusOr<CredentialWithTenant>> later;
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   later = issuer_.VerifyWithTenant(s.credentials(), other.secret);
                   return Status::Ok();
                 }).ok());
  EXPECT_EQ(later->status().code(), StatusCode::kUnauthenticated);
}

TEST(CredentialCacheTest, StartsOverWhenFull) {
  testing::FakeClock clock;
  CredentialCache cache(std::chrono::milliseconds(1000), clock, 2);
  CredentialWithTenant found;
  cache.Put("a", found);
  cache.Put("b", found);
  cache.Put("b", found);  // replacing an entry does not count as growth
  EXPECT_TRUE(cache.Find("a").has_value());
  cache.Put("c", found);
  EXPECT_FALSE(cache.Find("a").has_value());
  EXPECT_TRUE(cache.Find("c").has_value());
}

TEST(CredentialKindTest, NamesRoundTrip) {
  for (CredentialKind kind : {CredentialKind::kIntegrationKey, CredentialKind::kBootstrapToken,
                              CredentialKind::kPublicLoginToken}) {
    EXPECT_EQ(ParseCredentialKind(CredentialKindName(kind)), kind);
  }
  EXPECT_STREQ(CredentialKindName(CredentialKind::kPublicLoginToken), "public_login_token");
  EXPECT_EQ(ParseCredentialKind("bogus"), std::nullopt);
}

}  // namespace
}  // namespace portico
