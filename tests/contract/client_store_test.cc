#include "dcr/client_store.h"

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

#include "oauth_store_fixture.h"

namespace portico::testing {
namespace {

using dcr::ClientRecord;
using std::chrono::milliseconds;

// Metadata as registration stores it, with what breaks naive storage: nested
// objects, arrays, unicode beyond the BMP, escapes, numbers, booleans, null.
Json SampleMetadata(const std::string& name) {
  Json jwks = Json::MakeObject().Set(
      "keys", Json(Json::Array{Json::MakeObject().Set("kty", "EC").Set("crv", "P-256")}));
  return Json::MakeObject()
      .Set("client_name", name)
      .Set("redirect_uris",
           Json(Json::Array{Json("https://app.example/cb"), Json("http://127.0.0.1/callback")}))
      .Set("grant_types", Json(Json::Array{Json("client_credentials")}))
      .Set("jwks", jwks)
      .Set("client_name#ja", "アプリ 🚀 \"quoted\" \\ tab\t")
      .Set("default_max_age", 3600)
      .Set("require_auth_time", true)
      .Set("software_version", nullptr);
}

ClientRecord MakeClient(const std::string& tenant_id, TimePoint issued_at = T0()) {
  ClientRecord c;
  c.client_id = Uuid();
  c.tenant_id = tenant_id;
  c.metadata = SampleMetadata("App " + c.client_id.substr(0, 4));
  c.fingerprint = "";
  c.registration_token_hash = "rt-" + c.client_id;
  c.issued_at = issued_at;
  c.updated_at = issued_at;
  c.version = 1;
  c.last_used_at = issued_at;
  return c;
}

// Every optional field present.
ClientRecord MakeConfidentialClient(const std::string& tenant_id) {
  ClientRecord c = MakeClient(tenant_id);
  c.secret_hash = "sh-" + c.client_id;
  c.secret_expires_at = At(milliseconds(90'000'000));
  c.previous_secret_hash = "psh-" + c.client_id;
  c.previous_secret_expires_at = At(milliseconds(3'600'000));
  c.updated_at = At(milliseconds(5));
  c.last_used_at = At(milliseconds(7));
  c.tokens_live_until = At(milliseconds(600'000));
  return c;
}

void ExpectSameClient(const ClientRecord& actual, const ClientRecord& expected) {
  EXPECT_EQ(actual.client_id, expected.client_id);
  EXPECT_EQ(actual.tenant_id, expected.tenant_id);
  EXPECT_EQ(actual.metadata, expected.metadata) << actual.metadata.Dump();
  EXPECT_EQ(actual.fingerprint, expected.fingerprint);
  EXPECT_EQ(actual.secret_hash, expected.secret_hash);
  EXPECT_EQ(actual.secret_expires_at, expected.secret_expires_at);
  EXPECT_EQ(actual.previous_secret_hash, expected.previous_secret_hash);
  EXPECT_EQ(actual.previous_secret_expires_at, expected.previous_secret_expires_at);
  EXPECT_EQ(actual.registration_token_hash, expected.registration_token_hash);
  EXPECT_EQ(actual.issued_at, expected.issued_at);
  EXPECT_EQ(actual.updated_at, expected.updated_at);
  EXPECT_EQ(actual.version, expected.version);
  EXPECT_EQ(actual.last_used_at, expected.last_used_at);
  EXPECT_EQ(actual.tokens_live_until, expected.tokens_live_until);
}

class ClientStoreContract : public OAuthStoreFixture {
 protected:
  Status Insert(const ClientRecord& c) {
    return Query([&](Stores& s) { return s.clients().Insert(c); });
  }
  StatusOr<ClientRecord> Find(const std::string& id) {
    return Query([&](Stores& s) { return s.clients().FindById(id); });
  }
  StatusOr<std::optional<ClientRecord>> FindByFingerprint(const std::string& tenant_id,
                                                          const std::string& fingerprint) {
    return Query([&](Stores& s) { return s.clients().FindByFingerprint(tenant_id, fingerprint); });
  }
  Status Update(const ClientRecord& c, int64_t expected_version) {
    return Query([&](Stores& s) { return s.clients().Update(c, expected_version); });
  }
  Status Touch(const std::string& id, TimePoint used_at, std::optional<TimePoint> live) {
    return Query([&](Stores& s) { return s.clients().Touch(id, used_at, live); });
  }
  StatusOr<std::vector<ClientRecord>> DeleteUnused(TimePoint before, TimePoint now, size_t limit) {
    return Query([&](Stores& s) { return s.clients().DeleteUnused(before, now, limit); });
  }
};

TEST_P(ClientStoreContract, InsertThenFindByIdReturnsEveryField) {
  ClientRecord c = MakeConfidentialClient(tenant_.id);
  c.fingerprint = "f1";
  ASSERT_TRUE(Insert(c).ok());
  StatusOr<ClientRecord> found = Find(c.client_id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ExpectSameClient(*found, c);
}

TEST_P(ClientStoreContract, AbsentOptionalFieldsComeBackAbsent) {
  ClientRecord c = MakeClient(tenant_.id);  // a public client: no secret, no tokens yet
  ASSERT_TRUE(Insert(c).ok());
  StatusOr<ClientRecord> found = Find(c.client_id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ExpectSameClient(*found, c);
  EXPECT_FALSE(found->secret_hash.has_value());
  EXPECT_FALSE(found->secret_expires_at.has_value());
  EXPECT_FALSE(found->previous_secret_hash.has_value());
  EXPECT_FALSE(found->previous_secret_expires_at.has_value());
  EXPECT_FALSE(found->tokens_live_until.has_value());
}

TEST_P(ClientStoreContract, FindByIdOnOneSessionFindsEachClientInTurn) {
  // The lookup is prepared once per session and re-executed with new values.
  ClientRecord a = MakeConfidentialClient(tenant_.id);
  ClientRecord b = MakeClient(other_.id);
  ASSERT_TRUE(Insert(a).ok());
  ASSERT_TRUE(Insert(b).ok());
  Status status = db_->Run([&](Stores& s) -> Status {
    for (int round = 0; round < 2; ++round) {
      auto found_a = s.clients().FindById(a.client_id);
      auto found_b = s.clients().FindById(b.client_id);
      EXPECT_TRUE(found_a.ok() && found_b.ok());
      if (found_a.ok()) ExpectSameClient(*found_a, a);
      if (found_b.ok()) ExpectSameClient(*found_b, b);  // NULLs after non-NULLs
      EXPECT_EQ(s.clients().FindById("missing").status().code(), StatusCode::kNotFound);
    }
    return Status();
  });
  EXPECT_TRUE(status.ok()) << status.ToString();
}

TEST_P(ClientStoreContract, InsertRejectsATakenClientIdWithAlreadyExists) {
  ClientRecord c = MakeClient(tenant_.id);
  ASSERT_TRUE(Insert(c).ok());
  ClientRecord again = MakeClient(other_.id);
  again.client_id = c.client_id;
  EXPECT_EQ(Insert(again).code(), StatusCode::kAlreadyExists);
  StatusOr<ClientRecord> stored = Find(c.client_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->tenant_id, tenant_.id);
}

TEST_P(ClientStoreContract, ATakenClientIdLeavesTheTransactionUsable) {
  ClientRecord c = MakeClient(tenant_.id);
  ASSERT_TRUE(Insert(c).ok());
  ClientRecord fresh = MakeClient(tenant_.id);
  Status status = db_->Transact([&](Stores& s) -> Status {
    EXPECT_EQ(s.clients().Insert(c).code(), StatusCode::kAlreadyExists);
    return s.clients().Insert(fresh);  // PostgreSQL: the savepoint kept the transaction alive
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(Find(fresh.client_id).ok());
}

TEST_P(ClientStoreContract, InsertForAnUnknownTenantFailsThePrecondition) {
  ClientRecord c = MakeClient("no-such-tenant");
  EXPECT_EQ(Insert(c).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Find(c.client_id).status().code(), StatusCode::kNotFound);
}

TEST_P(ClientStoreContract, FindByIdReturnsNotFoundForAnUnknownId) {
  ASSERT_TRUE(Insert(MakeClient(tenant_.id)).ok());
  EXPECT_EQ(Find("unknown").status().code(), StatusCode::kNotFound);
}

TEST_P(ClientStoreContract, FindByFingerprintReturnsTheTenantsOldestClient) {
  ClientRecord newer = MakeClient(tenant_.id, At(milliseconds(2'000)));
  ClientRecord oldest = MakeClient(tenant_.id, At(milliseconds(1'000)));
  ClientRecord older_elsewhere = MakeClient(other_.id, At(milliseconds(0)));
  ClientRecord different = MakeClient(tenant_.id, At(milliseconds(0)));
  newer.fingerprint = oldest.fingerprint = older_elsewhere.fingerprint = "fp-a";
  different.fingerprint = "fp-b";
  for (const ClientRecord* c : {&newer, &oldest, &older_elsewhere, &different}) {
    ASSERT_TRUE(Insert(*c).ok());
  }
  auto found = FindByFingerprint(tenant_.id, "fp-a");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_TRUE(found->has_value());
  ExpectSameClient(**found, oldest);

  auto in_other = FindByFingerprint(other_.id, "fp-a");
  ASSERT_TRUE(in_other.ok() && in_other->has_value());
  EXPECT_EQ((*in_other)->client_id, older_elsewhere.client_id);
}

TEST_P(ClientStoreContract, FindByFingerprintNeverReturnsAnotherTenantsClient) {
  ClientRecord theirs = MakeClient(other_.id);
  theirs.fingerprint = "fp-a";
  ASSERT_TRUE(Insert(theirs).ok());
  auto found = FindByFingerprint(tenant_.id, "fp-a");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_FALSE(found->has_value());
  auto unknown = FindByFingerprint(other_.id, "fp-zzz");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(ClientStoreContract, AnEmptyFingerprintMatchesNothing) {
  // Confidential clients carry "" and are never deduplicated.
  ASSERT_TRUE(Insert(MakeConfidentialClient(tenant_.id)).ok());
  auto found = FindByFingerprint(tenant_.id, "");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_FALSE(found->has_value());
}

TEST_P(ClientStoreContract, UpdateReplacesEveryFieldAndBumpsTheVersion) {
  ClientRecord c = MakeConfidentialClient(tenant_.id);
  c.fingerprint = "fp";
  ASSERT_TRUE(Insert(c).ok());

  // Every field changes; the optional ones go from present to absent.
  ClientRecord changed = MakeClient(other_.id, At(milliseconds(50)));
  changed.client_id = c.client_id;
  changed.metadata = SampleMetadata("Renamed ✓")
                         .Set("nested", Json::MakeObject().Set("deeper", Json::MakeObject()));
  changed.fingerprint = "";
  changed.registration_token_hash = "rt-rotated";
  changed.updated_at = At(milliseconds(60));
  changed.last_used_at = At(milliseconds(70));
  changed.version = 99;  // ignored: the store sets expected + 1
  ASSERT_TRUE(Update(changed, 1).ok());
  StatusOr<ClientRecord> found = Find(c.client_id);
  ASSERT_TRUE(found.ok());
  ClientRecord expected = changed;
  expected.version = 2;
  ExpectSameClient(*found, expected);

  // And back: absent to present.
  ClientRecord again = MakeConfidentialClient(tenant_.id);
  again.client_id = c.client_id;
  ASSERT_TRUE(Update(again, 2).ok());
  found = Find(c.client_id);
  ASSERT_TRUE(found.ok());
  expected = again;
  expected.version = 3;
  ExpectSameClient(*found, expected);
}

TEST_P(ClientStoreContract, UpdateWithAStaleVersionFailsThePreconditionAndChangesNothing) {
  ClientRecord c = MakeClient(tenant_.id);
  ASSERT_TRUE(Insert(c).ok());
  ClientRecord first = c;
  first.registration_token_hash = "first";
  ASSERT_TRUE(Update(first, 1).ok());
  ClientRecord stale = c;
  stale.registration_token_hash = "stale";
  EXPECT_EQ(Update(stale, 1).code(), StatusCode::kFailedPrecondition);
  StatusOr<ClientRecord> found = Find(c.client_id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->registration_token_hash, "first");
  EXPECT_EQ(found->version, 2);
}

TEST_P(ClientStoreContract, UpdateOfAnAbsentClientIsNotFound) {
  EXPECT_EQ(Update(MakeClient(tenant_.id), 1).code(), StatusCode::kNotFound);
}

TEST_P(ClientStoreContract, ConcurrentUpdatesFromOneVersionLetExactlyOneWin) {
  ClientRecord c = MakeClient(tenant_.id);
  ASSERT_TRUE(Insert(c).ok());
  constexpr int kWriters = 4;
  std::latch start(kWriters);
  std::atomic<int> won{0}, conflicted{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      ClientRecord mine = c;
      mine.registration_token_hash = "writer-" + std::to_string(i);
      start.arrive_and_wait();
      Status s = Update(mine, 1);
      if (s.ok()) {
        ++won;
      } else if (s.code() == StatusCode::kFailedPrecondition) {
        ++conflicted;
      } else {
        ADD_FAILURE() << s.ToString();
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicted.load(), kWriters - 1);
  EXPECT_EQ(Find(c.client_id)->version, 2);
}

TEST_P(ClientStoreContract, DeleteRemovesOnlyThatClient) {
  ClientRecord a = MakeClient(tenant_.id);
  ClientRecord b = MakeClient(tenant_.id);
  ASSERT_TRUE(Insert(a).ok());
  ASSERT_TRUE(Insert(b).ok());
  ASSERT_TRUE(Query([&](Stores& s) { return s.clients().Delete(a.client_id); }).ok());
  EXPECT_EQ(Find(a.client_id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Find(b.client_id).ok());
  EXPECT_EQ(Query([&](Stores& s) { return s.clients().Delete(a.client_id); }).code(),
            StatusCode::kNotFound);
}

TEST_P(ClientStoreContract, CountByTenantCountsOnlyThatTenantsClients) {
  auto count = [&](const std::string& tenant_id) {
    return Query([&](Stores& s) { return s.clients().CountByTenant(tenant_id); });
  };
  EXPECT_EQ(*count(tenant_.id), 0);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Insert(MakeClient(tenant_.id)).ok());
  ASSERT_TRUE(Insert(MakeClient(other_.id)).ok());
  EXPECT_EQ(*count(tenant_.id), 3);
  EXPECT_EQ(*count(other_.id), 1);
  EXPECT_EQ(*count("no-such-tenant"), 0);
}

TEST_P(ClientStoreContract, TouchMovesLastUseAndTokenExpiryForwardOnly) {
  ClientRecord c = MakeClient(tenant_.id);  // last used at T0, no tokens
  ASSERT_TRUE(Insert(c).ok());

  ASSERT_TRUE(Touch(c.client_id, At(milliseconds(100)), At(milliseconds(1'000))).ok());
  StatusOr<ClientRecord> found = Find(c.client_id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->last_used_at, At(milliseconds(100)));
  EXPECT_EQ(found->tokens_live_until, At(milliseconds(1'000)));

  // Older values (a slow request finishing late) leave both.
  ASSERT_TRUE(Touch(c.client_id, At(milliseconds(50)), At(milliseconds(500))).ok());
  found = Find(c.client_id);
  EXPECT_EQ(found->last_used_at, At(milliseconds(100)));
  EXPECT_EQ(found->tokens_live_until, At(milliseconds(1'000)));

  // No token issued: the stored expiry stays; the use still moves forward.
  ASSERT_TRUE(Touch(c.client_id, At(milliseconds(200)), std::nullopt).ok());
  found = Find(c.client_id);
  EXPECT_EQ(found->last_used_at, At(milliseconds(200)));
  EXPECT_EQ(found->tokens_live_until, At(milliseconds(1'000)));

  ASSERT_TRUE(Touch(c.client_id, At(milliseconds(300)), At(milliseconds(2'000))).ok());
  found = Find(c.client_id);
  EXPECT_EQ(found->last_used_at, At(milliseconds(300)));
  EXPECT_EQ(found->tokens_live_until, At(milliseconds(2'000)));
  EXPECT_EQ(found->version, 1);  // a touch is not an update
  EXPECT_EQ(found->updated_at, c.updated_at);
}

TEST_P(ClientStoreContract, TouchWithoutTokensKeepsTheExpiryAbsent) {
  ClientRecord c = MakeClient(tenant_.id);
  ASSERT_TRUE(Insert(c).ok());
  ASSERT_TRUE(Touch(c.client_id, At(milliseconds(10)), std::nullopt).ok());
  StatusOr<ClientRecord> found = Find(c.client_id);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->last_used_at, At(milliseconds(10)));
  EXPECT_FALSE(found->tokens_live_until.has_value());
}

TEST_P(ClientStoreContract, TouchOfAnAbsentClientIsNotFound) {
  EXPECT_EQ(Touch("missing", T0(), std::nullopt).code(), StatusCode::kNotFound);
}

TEST_P(ClientStoreContract, DeleteUnusedSparesRecentClientsAndClientsWithLiveTokens) {
  const TimePoint now = At(milliseconds(100'000));
  const TimePoint before = At(milliseconds(50'000));
  ClientRecord stale = MakeConfidentialClient(tenant_.id);
  stale.last_used_at = At(milliseconds(10'000));
  stale.tokens_live_until = At(milliseconds(20'000));  // long expired
  ClientRecord stale_no_tokens = MakeClient(other_.id);
  stale_no_tokens.last_used_at = At(milliseconds(20'000));
  ClientRecord token_expires_now = MakeClient(tenant_.id);
  token_expires_now.last_used_at = At(milliseconds(30'000));
  token_expires_now.tokens_live_until = now;  // not live at `now`
  ClientRecord holds_live_token = MakeClient(tenant_.id);
  holds_live_token.last_used_at = At(milliseconds(1'000));
  holds_live_token.tokens_live_until = now + milliseconds(1);
  ClientRecord used_at_cutoff = MakeClient(tenant_.id);
  used_at_cutoff.last_used_at = before;  // not before it
  ClientRecord recent = MakeClient(tenant_.id);
  recent.last_used_at = At(milliseconds(90'000));
  for (const ClientRecord* c : {&recent, &token_expires_now, &stale, &holds_live_token,
                                &used_at_cutoff, &stale_no_tokens}) {
    ASSERT_TRUE(Insert(*c).ok());
  }

  auto deleted = DeleteUnused(before, now, 10);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  ASSERT_EQ(deleted->size(), 3u);
  // Oldest use first, each as it was.
  ExpectSameClient((*deleted)[0], stale);
  ExpectSameClient((*deleted)[1], stale_no_tokens);
  ExpectSameClient((*deleted)[2], token_expires_now);
  for (const ClientRecord* c : {&stale, &stale_no_tokens, &token_expires_now}) {
    EXPECT_EQ(Find(c->client_id).status().code(), StatusCode::kNotFound);
  }
  for (const ClientRecord* c : {&holds_live_token, &used_at_cutoff, &recent}) {
    EXPECT_TRUE(Find(c->client_id).ok());
  }
  auto again = DeleteUnused(before, now, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

TEST_P(ClientStoreContract, DeleteUnusedDeletesAtMostLimitOldestFirst) {
  std::vector<ClientRecord> clients;
  for (int i = 0; i < 5; ++i) {
    ClientRecord c = MakeClient(tenant_.id);
    c.last_used_at = At(milliseconds(1'000 * (5 - i)));  // inserted newest first
    ASSERT_TRUE(Insert(c).ok());
    clients.push_back(c);
  }
  const TimePoint later = At(milliseconds(1'000'000));
  auto none = DeleteUnused(later, later, 0);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  auto first = DeleteUnused(later, later, 2);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].client_id, clients[4].client_id);
  EXPECT_EQ((*first)[1].client_id, clients[3].client_id);
  EXPECT_EQ(*Query([&](Stores& s) { return s.clients().CountByTenant(tenant_.id); }), 3);

  auto rest = DeleteUnused(later, later, 100);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ((*rest)[0].client_id, clients[2].client_id);
  EXPECT_EQ((*rest)[2].client_id, clients[0].client_id);
}

TEST_P(ClientStoreContract, ChangesRollBackWithTheTransaction) {
  ClientRecord c = MakeClient(tenant_.id);
  ASSERT_TRUE(Insert(c).ok());
  ClientRecord added = MakeClient(tenant_.id);
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.clients().Insert(added));
    PORTICO_RETURN_IF_ERROR(s.clients().Touch(c.client_id, At(milliseconds(5)), std::nullopt));
    PORTICO_RETURN_IF_ERROR(s.clients().Delete(c.client_id));
    return Aborted("roll back");
  });
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_EQ(Find(added.client_id).status().code(), StatusCode::kNotFound);
  StatusOr<ClientRecord> kept = Find(c.client_id);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->last_used_at, c.last_used_at);
}

TEST_P(ClientStoreContract, DeletingATenantDeletesItsClients) {
  if (!IsSql()) GTEST_SKIP() << "the fake has no tenant deletion";
  ClientRecord mine = MakeClient(tenant_.id);
  ClientRecord theirs = MakeClient(other_.id);
  ASSERT_TRUE(Insert(mine).ok());
  ASSERT_TRUE(Insert(theirs).ok());
  DeleteTenantRow(tenant_.id);
  EXPECT_EQ(Find(mine.client_id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Find(theirs.client_id).ok());
}

// The fake names its OAuth-side methods "store.Method" for failure injection
// and call counts, and rolls them back with the rest of its state.
TEST(InMemoryDatabaseOAuth, FailOperationCallCountAndRollbackCoverTheOAuthStores) {
  InMemoryDatabase db;
  Tenant tenant = MakeTenant("acme");
  ASSERT_TRUE(db.Run([&](Stores& s) { return s.tenants().Insert(tenant); }).ok());
  ClientRecord c = MakeClient(tenant.id);

  db.FailOperation("clients.Insert");
  EXPECT_EQ(db.Run([&](Stores& s) { return s.clients().Insert(c); }).code(),
            StatusCode::kUnavailable);
  db.FailOperation("");
  EXPECT_EQ(db.CallCount("clients.Insert"), 1);

  db.FailOperation("rate_limits.Hit");
  Status tx = db.Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.clients().Insert(c));
    PORTICO_RETURN_IF_ERROR(s.tenant_settings().Put(tenant.id, "dcr.policy", Json(1)));
    PORTICO_RETURN_IF_ERROR(s.revoked_tokens().Revoke("jti", c.client_id, T0()));
    return s.rate_limits().Hit("b", T0(), T0()).status();
  });
  EXPECT_EQ(tx.code(), StatusCode::kUnavailable);
  InMemoryDatabase::State state = db.Snapshot();
  EXPECT_TRUE(state.oauth.clients.empty());
  EXPECT_TRUE(state.oauth.tenant_settings.empty());
  EXPECT_TRUE(state.oauth.revoked_tokens.empty());
  EXPECT_EQ(db.CallCount("tenant_settings.Put"), 1);

  db.FailOperation("");
  ASSERT_TRUE(db.Run([&](Stores& s) { return s.clients().Insert(c); }).ok());
  db.SetUnavailable(true);
  EXPECT_EQ(db.Run([&](Stores& s) { return s.clients().FindById(c.client_id).status(); }).code(),
            StatusCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Targets, ClientStoreContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

}  // namespace
}  // namespace portico::testing
