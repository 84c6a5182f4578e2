#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "database_fixture.h"
#include "db/session.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;

class CredentialStoreContract : public DatabaseFixture {
 protected:
  void SetUp() override {
    DatabaseFixture::SetUp();
    if (HasFatalFailure()) return;
    tenant_ = MakeTenant("acme");
    other_ = MakeTenant("other");
    ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(tenant_); }).ok());
    ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(other_); }).ok());
  }

  Status Insert(const Credential& c) {
    return Query([&](Stores& s) { return s.credentials().Insert(c); });
  }
  StatusOr<Credential> FindByHash(const std::string& hash) {
    return Query([&](Stores& s) { return s.credentials().FindByHash(hash); });
  }

  Tenant tenant_;
  Tenant other_;
};

TEST_P(CredentialStoreContract, InsertThenFindByHashReturnsEveryField) {
  Credential c = MakeCredential(tenant_.id, "aa11");
  c.kind = CredentialKind::kBootstrapToken;
  c.expires_at = At(milliseconds(86'400'000));
  ASSERT_TRUE(Insert(c).ok());

  StatusOr<Credential> found = FindByHash("aa11");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, c.id);
  EXPECT_EQ(found->tenant_id, tenant_.id);
  EXPECT_EQ(found->kind, CredentialKind::kBootstrapToken);
  EXPECT_EQ(found->name, "default");
  EXPECT_EQ(found->display_hint, c.display_hint);
  EXPECT_EQ(found->key_hash, "aa11");
  EXPECT_EQ(found->scopes, c.scopes);
  EXPECT_EQ(found->expires_at, c.expires_at);
  EXPECT_FALSE(found->revoked_at.has_value());
  EXPECT_EQ(found->created_at, c.created_at);
}

TEST_P(CredentialStoreContract, FindByHashWithTenantJoinsTheOwningTenant) {
  Credential mine = MakeCredential(tenant_.id, "aa11");
  Credential theirs = MakeCredential(other_.id, "bb22");
  ASSERT_TRUE(Insert(mine).ok());
  ASSERT_TRUE(Insert(theirs).ok());
  for (int round = 0; round < 2; ++round) {  // the prepared statement is reused
    auto found = Query(
        [&](Stores& s) { return s.credentials().FindByHashWithTenant(round ? "bb22" : "aa11"); });
    ASSERT_TRUE(found.ok()) << found.status().ToString();
    const Tenant& expected = round ? other_ : tenant_;
    EXPECT_EQ(found->credential.id, round ? theirs.id : mine.id);
    EXPECT_EQ(found->credential.scopes, mine.scopes);
    EXPECT_EQ(found->tenant.id, expected.id);
    EXPECT_EQ(found->tenant.slug, expected.slug);
    EXPECT_EQ(found->tenant.name, expected.name);
    EXPECT_EQ(found->tenant.modules, expected.modules);
    EXPECT_EQ(found->tenant.status, expected.status);
    EXPECT_EQ(found->tenant.created_at, expected.created_at);
  }
  auto missing =
      Query([&](Stores& s) { return s.credentials().FindByHashWithTenant("cc33"); });
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_P(CredentialStoreContract, FindByHashWithTenantReturnsEveryField) {
  Credential c = MakeCredential(tenant_.id, "aa11");
  c.kind = CredentialKind::kPublicLoginToken;
  c.name = "caf\xC3\xA9 \"key\"";
  c.expires_at = At(milliseconds(86'400'000));
  c.revoked_at = At(milliseconds(5));
  ASSERT_TRUE(Insert(c).ok());
  Tenant bare = MakeTenant("bare");
  bare.admin_email.reset();
  bare.modules = {};
  bare.status = "suspended";
  ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(bare); }).ok());
  Credential plain = MakeCredential(bare.id, "bb22");
  ASSERT_TRUE(Insert(plain).ok());

  auto found = Query([&](Stores& s) { return s.credentials().FindByHashWithTenant("aa11"); });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  const Credential& f = found->credential;
  EXPECT_EQ(f.id, c.id);
  EXPECT_EQ(f.tenant_id, tenant_.id);
  EXPECT_EQ(f.kind, CredentialKind::kPublicLoginToken);
  EXPECT_EQ(f.name, c.name);
  EXPECT_EQ(f.display_hint, c.display_hint);
  EXPECT_EQ(f.key_hash, "aa11");
  EXPECT_EQ(f.scopes, c.scopes);
  EXPECT_EQ(f.expires_at, c.expires_at);
  EXPECT_EQ(f.revoked_at, c.revoked_at);
  EXPECT_EQ(f.created_at, c.created_at);
  EXPECT_EQ(found->tenant.admin_email, tenant_.admin_email);

  found = Query([&](Stores& s) { return s.credentials().FindByHashWithTenant("bb22"); });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->credential.tenant_id, bare.id);
  EXPECT_FALSE(found->credential.expires_at.has_value());
  EXPECT_FALSE(found->credential.revoked_at.has_value());
  EXPECT_EQ(found->tenant.id, bare.id);
  EXPECT_FALSE(found->tenant.admin_email.has_value());
  EXPECT_TRUE(found->tenant.modules.empty());
  EXPECT_EQ(found->tenant.status, "suspended");
}

TEST_P(CredentialStoreContract, RevocationOnAnotherSessionShowsInTheSessionsNextRead) {
  // The joined lookup is prepared once per session and reused. On SQLite a
  // lookup left open would pin the session's read snapshot: the revocation
  // below, committed by another pooled session, would stay invisible to every
  // later read of this one (here FindByHash, a different statement).
  Credential c = MakeCredential(tenant_.id, "aa11");
  ASSERT_TRUE(Insert(c).ok());
  Status status = db_->Run([&](Stores& a) -> Status {
    auto before = a.credentials().FindByHashWithTenant("aa11");
    EXPECT_TRUE(before.ok()) << before.status().ToString();
    if (before.ok()) {
      EXPECT_FALSE(before->credential.revoked_at.has_value());
    }
    Status revoked = Query([&](Stores& b) { return b.credentials().Revoke(c.id, T0()); });
    EXPECT_TRUE(revoked.ok()) << revoked.ToString();
    StatusOr<Credential> other = a.credentials().FindByHash("aa11");
    EXPECT_TRUE(other.ok() && other->revoked_at == T0());
    auto after = a.credentials().FindByHashWithTenant("aa11");
    EXPECT_TRUE(after.ok() && after->credential.revoked_at == T0());
    return Status();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_P(CredentialStoreContract, FindByHashWithTenantWorksOnEveryReplacedConnection) {
  // The lookup is a named prepared statement on each PostgreSQL connection;
  // a connection that replaces a lost one must prepare it again.
  if (GetParam() == Backend::kSqlite) GTEST_SKIP() << "SQLite connections are never lost";
  ASSERT_TRUE(Insert(MakeCredential(tenant_.id, "aa11")).ok());
  const auto on_every_session = [&] {
    std::latch all_leased(kPoolSize);
    std::atomic<int> found{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < kPoolSize; ++i) {
      threads.emplace_back([&] {
        Status status = db_->Run([&](Stores& s) -> Status {
          all_leased.arrive_and_wait();
          PORTICO_ASSIGN_OR_RETURN(CredentialWithTenant f,
                                   s.credentials().FindByHashWithTenant("aa11"));
          if (f.tenant.id == tenant_.id) ++found;
          return Status();
        });
        EXPECT_TRUE(status.ok()) << status.ToString();
      });
    }
    for (std::thread& t : threads) t.join();
    return found.load();
  };
  ASSERT_EQ(on_every_session(), kPoolSize);  // prepared on every session

  {
    soci::session admin(soci::postgresql, db::SociConnectString(url_));
    admin << "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
             "WHERE datname = current_database() AND pid <> pg_backend_pid()";
  }
  // The first lease learns of the loss (Unavailable at most once); then
  // every session reconnects and prepares the lookup anew.
  auto first = Query([&](Stores& s) { return s.credentials().FindByHashWithTenant("aa11"); });
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), StatusCode::kUnavailable) << first.status().ToString();
  }
  EXPECT_EQ(on_every_session(), kPoolSize);
}

TEST_P(CredentialStoreContract, FindByHashReturnsNotFoundForUnknownHash) {
  ASSERT_TRUE(Insert(MakeCredential(tenant_.id, "aa11")).ok());
  EXPECT_EQ(FindByHash("bb22").status().code(), StatusCode::kNotFound);
}

TEST_P(CredentialStoreContract, LookupOnOneSessionSeesLaterWritesOfAnother) {
  // Lookups are prepared once per session and reused; a lookup left open
  // would pin SQLite's read snapshot and hide other sessions' later writes.
  ASSERT_TRUE(Insert(MakeCredential(tenant_.id, "h0")).ok());
  Status status = db_->Run([&](Stores& a) -> Status {
    EXPECT_TRUE(a.credentials().FindByHash("h0").ok());
    // Written on another pooled session while this one stays leased.
    EXPECT_TRUE(Insert(MakeCredential(tenant_.id, "h1")).ok());
    StatusOr<std::vector<Credential>> list = a.credentials().ListByTenant(tenant_.id);
    EXPECT_TRUE(list.ok());
    if (list.ok()) {
      EXPECT_EQ(list->size(), 2u);
    }
    EXPECT_TRUE(a.credentials().FindByHash("h1").ok());
    return Status();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_P(CredentialStoreContract, InsertRejectsDuplicateKeyHashWithAlreadyExists) {
  ASSERT_TRUE(Insert(MakeCredential(tenant_.id, "aa11")).ok());
  Status status = Insert(MakeCredential(other_.id, "aa11"));
  EXPECT_EQ(status.code(), StatusCode::kAlreadyExists) << status.ToString();
  StatusOr<Credential> found = FindByHash("aa11");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->tenant_id, tenant_.id);
}

TEST_P(CredentialStoreContract, InsertRejectsDuplicateIdWithAlreadyExists) {
  Credential first = MakeCredential(tenant_.id, "aa11");
  ASSERT_TRUE(Insert(first).ok());
  Credential second = MakeCredential(tenant_.id, "bb22");
  second.id = first.id;
  EXPECT_EQ(Insert(second).code(), StatusCode::kAlreadyExists);
}

TEST_P(CredentialStoreContract, InsertForUnknownTenantFailsWithFailedPrecondition) {
  // Foreign keys are enforced on every pooled session (SQLite needs a pragma).
  Status status = Insert(MakeCredential(Uuid(), "aa11"));
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition) << status.ToString();
}

TEST_P(CredentialStoreContract, RevokeSetsRevokedAtAndKeepsTheFirstTime) {
  Credential c = MakeCredential(tenant_.id, "aa11");
  ASSERT_TRUE(Insert(c).ok());

  ASSERT_TRUE(
      Query([&](Stores& s) { return s.credentials().Revoke(c.id, At(milliseconds(5))); }).ok());
  EXPECT_TRUE(
      Query([&](Stores& s) { return s.credentials().Revoke(c.id, At(milliseconds(9))); }).ok());

  StatusOr<Credential> found = FindByHash("aa11");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->revoked_at, At(milliseconds(5)));
}

TEST_P(CredentialStoreContract, RevokeReturnsNotFoundForUnknownId) {
  Status status = Query([&](Stores& s) { return s.credentials().Revoke(Uuid(), T0()); });
  EXPECT_EQ(status.code(), StatusCode::kNotFound) << status.ToString();
}

TEST_P(CredentialStoreContract, RevokedAndExpiredCredentialsAreStillFound) {
  Credential expired = MakeCredential(tenant_.id, "expired");
  expired.expires_at = T0() - milliseconds(1);
  Credential revoked = MakeCredential(tenant_.id, "revoked");
  revoked.revoked_at = T0();
  ASSERT_TRUE(Insert(expired).ok());
  ASSERT_TRUE(Insert(revoked).ok());

  StatusOr<Credential> e = FindByHash("expired");
  StatusOr<Credential> r = FindByHash("revoked");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(e->expires_at, expired.expires_at);
  EXPECT_EQ(r->revoked_at, T0());
}

TEST_P(CredentialStoreContract, ListByTenantReturnsOnlyThatTenantsCredentialsOldestFirst) {
  Credential newest = MakeCredential(tenant_.id, "c3", At(milliseconds(3000)));
  Credential oldest = MakeCredential(tenant_.id, "c1", At(milliseconds(1000)));
  Credential middle = MakeCredential(tenant_.id, "c2", At(milliseconds(2000)));
  Credential foreign = MakeCredential(other_.id, "x1", At(milliseconds(1500)));
  for (const Credential* c : {&newest, &oldest, &foreign, &middle}) ASSERT_TRUE(Insert(*c).ok());

  StatusOr<std::vector<Credential>> list =
      Query([&](Stores& s) { return s.credentials().ListByTenant(tenant_.id); });
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].key_hash, "c1");
  EXPECT_EQ((*list)[1].key_hash, "c2");
  EXPECT_EQ((*list)[2].key_hash, "c3");
  EXPECT_EQ((*list)[2].scopes, newest.scopes);
}

TEST_P(CredentialStoreContract, ListByTenantReturnsEmptyForTenantWithoutCredentials) {
  StatusOr<std::vector<Credential>> list =
      Query([&](Stores& s) { return s.credentials().ListByTenant(Uuid()); });
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  EXPECT_TRUE(list->empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, CredentialStoreContract, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
