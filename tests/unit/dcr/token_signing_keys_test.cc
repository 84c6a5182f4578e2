#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dcr/token/signing_keys.h"
#include "portico/crypto.h"
#include "portico/jose.h"
#include "portico/parse_json.h"
#include "tests/fakes/fake_clock.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::dcr {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr char kSecret[] = "signing-keys-test-secret-0123456789";
constexpr auto kThirtyDays = hours(24 * 30);

class SigningKeysTest : public ::testing::Test {
 protected:
  std::shared_ptr<const SigningKeys::View> GetOrDie(SigningKeys& keys) {
    StatusOr<std::shared_ptr<const SigningKeys::View>> view = keys.Get();
    EXPECT_TRUE(view.ok()) << view.status().ToString();
    return view.ok() ? *view : nullptr;
  }

  std::vector<SigningKeyRecord> Stored() {
    std::vector<SigningKeyRecord> out;
    for (const auto& [kid, record] : db_.Snapshot().oauth.signing_keys) out.push_back(record);
    return out;
  }

  std::vector<std::string> PublishedKids(const SigningKeys::View& view) {
    std::vector<std::string> kids;
    for (const Json& key : view.jwks.Find("keys")->as_array()) {
      kids.push_back(key.Find("kid")->as_string());
    }
    return kids;
  }

  testing::FakeClock clock_;
  testing::InMemoryDatabase db_;
  SigningKeys keys_{db_, kSecret, clock_};
};

TEST_F(SigningKeysTest, MakesAndStoresASealedKeyOnFirstUse) {
  EXPECT_TRUE(Stored().empty());
  const auto view = GetOrDie(keys_);
  ASSERT_NE(view, nullptr);
  const std::vector<SigningKeyRecord> stored = Stored();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].kid, view->signer.kid());
  EXPECT_EQ(stored[0].created_at, clock_.Now());
  EXPECT_FALSE(stored[0].retired_at.has_value());
  // Sealed, never the PEM itself; opens with the key derived from the secret
  // and the kid as associated data.
  EXPECT_EQ(stored[0].sealed_private_key.find("PRIVATE KEY"), std::string::npos);
  std::optional<std::string> pem =
      OpenAesGcm(SigningKeys::SealKey(kSecret), stored[0].sealed_private_key, stored[0].kid);
  ASSERT_TRUE(pem.has_value());
  EXPECT_EQ(EcSigningKey::FromPrivatePem(*pem)->kid(), stored[0].kid);
  EXPECT_FALSE(OpenAesGcm(SigningKeys::SealKey("another secret"), stored[0].sealed_private_key,
                          stored[0].kid)
                   .has_value());
}

TEST_F(SigningKeysTest, PublishesThePublicKeyOnlyAsAValidJwkSet) {
  const auto view = GetOrDie(keys_);
  ASSERT_EQ(PublishedKids(*view), std::vector<std::string>{view->signer.kid()});
  const Json& key = view->jwks.Find("keys")->as_array()[0];
  EXPECT_EQ(key.Find("d"), nullptr);
  EXPECT_EQ(key.Find("alg")->as_string(), "ES256");
  EXPECT_EQ(key.Find("use")->as_string(), "sig");
  EXPECT_EQ(view->jwks_text, view->jwks.Dump());
  StatusOr<JwkSet> parsed = JwkSet::Parse(*ParseJson(view->jwks_text));
  ASSERT_TRUE(parsed.ok());
  // What the signer signs verifies with what is published.
  StatusOr<std::string> jws = view->signer.SignJwt(Json(), Json::MakeObject().Set("a", 1));
  ASSERT_TRUE(jws.ok());
  EXPECT_TRUE(VerifyJws(*jws, *parsed, JwsPolicy{.allowed_algs = {"ES256"}}).ok());
}

TEST_F(SigningKeysTest, ProcessesOnOneDatabaseShareTheKey) {
  SigningKeys other_process(db_, kSecret, clock_);
  EXPECT_EQ(GetOrDie(keys_)->signer.kid(), GetOrDie(other_process)->signer.kid());
  EXPECT_EQ(Stored().size(), 1u);
}

TEST_F(SigningKeysTest, ServesFromMemoryUntilTheRefreshInterval) {
  GetOrDie(keys_);
  const int reads = db_.CallCount("signing_keys.List");
  for (int i = 0; i < 100; ++i) GetOrDie(keys_);
  clock_.Advance(seconds(59));
  GetOrDie(keys_);
  EXPECT_EQ(db_.CallCount("signing_keys.List"), reads);
  clock_.Advance(seconds(1));
  GetOrDie(keys_);
  EXPECT_EQ(db_.CallCount("signing_keys.List"), reads + 1);
}

TEST_F(SigningKeysTest, RotationPublishesOldAndNewAndSignsWithTheNew) {
  const std::string old_kid = GetOrDie(keys_)->signer.kid();
  clock_.Advance(kThirtyDays - seconds(1));
  EXPECT_EQ(GetOrDie(keys_)->signer.kid(), old_kid);  // not due yet
  clock_.Advance(seconds(61));
  const auto view = GetOrDie(keys_);
  const std::string new_kid = view->signer.kid();
  EXPECT_NE(new_kid, old_kid);
  EXPECT_EQ(PublishedKids(*view), (std::vector<std::string>{new_kid, old_kid}));
  // The old key is retired, published for the longest token lifetime plus
  // the refresh interval and the clock skew, then deleted.
  for (const SigningKeyRecord& record : Stored()) {
    if (record.kid != old_kid) continue;
    EXPECT_EQ(record.retired_at, clock_.Now());
    EXPECT_EQ(record.expires_at, clock_.Now() + seconds(3600 + 60 + 60));
  }
}

TEST_F(SigningKeysTest, RetiredKeyIsDeletedAndUnpublishedOnceExpired) {
  const std::string old_kid = GetOrDie(keys_)->signer.kid();
  clock_.Advance(kThirtyDays);
  const std::string new_kid = GetOrDie(keys_)->signer.kid();
  clock_.Advance(seconds(3600 + 60 + 60 - 1));
  EXPECT_EQ(PublishedKids(**keys_.Refresh()), (std::vector<std::string>{new_kid, old_kid}));
  EXPECT_EQ(Stored().size(), 2u);
  clock_.Advance(seconds(1));
  EXPECT_EQ(PublishedKids(**keys_.Refresh()), std::vector<std::string>{new_kid});
  ASSERT_EQ(Stored().size(), 1u);
  EXPECT_EQ(Stored()[0].kid, new_kid);
}

TEST_F(SigningKeysTest, RotationPeriodIsAnOption) {
  SigningKeys daily(db_, kSecret, clock_, SigningKeysOptions{.rotation_period = hours(24)});
  const std::string first = GetOrDie(daily)->signer.kid();
  clock_.Advance(hours(24));
  EXPECT_NE(GetOrDie(daily)->signer.kid(), first);
}

TEST_F(SigningKeysTest, AnotherProcessesNewKeyIsSeenThroughItsUnknownKid) {
  SigningKeys other_process(db_, kSecret, clock_);
  const std::string old_kid = GetOrDie(keys_)->signer.kid();
  clock_.Advance(kThirtyDays - seconds(30));
  ASSERT_TRUE(other_process.Refresh().ok());
  clock_.Advance(seconds(40));
  const std::string new_kid = (*keys_.Refresh())->signer.kid();  // this process rotates
  ASSERT_NE(new_kid, old_kid);
  // The other process's view is 40 s old: still served, without the new key...
  EXPECT_EQ(PublishedKids(*GetOrDie(other_process)), std::vector<std::string>{old_kid});
  // ...until a token names it.
  StatusOr<std::shared_ptr<const SigningKeys::View>> seen = other_process.GetForKid(new_kid);
  ASSERT_TRUE(seen.ok());
  EXPECT_NE((*seen)->verifier.FindByKid(new_kid), nullptr);
  EXPECT_EQ((*seen)->signer.kid(), new_kid);
}

TEST_F(SigningKeysTest, UnknownKidsReadTheStoreAtMostEveryFewSeconds) {
  GetOrDie(keys_);
  clock_.Advance(seconds(10));
  const int reads = db_.CallCount("signing_keys.List");
  ASSERT_TRUE(keys_.GetForKid("made-up-1").ok());
  EXPECT_EQ(db_.CallCount("signing_keys.List"), reads + 1);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(keys_.GetForKid("made-up-" + std::to_string(i)).ok());
  EXPECT_EQ(db_.CallCount("signing_keys.List"), reads + 1);
  clock_.Advance(seconds(5));
  ASSERT_TRUE(keys_.GetForKid("made-up-x").ok());
  EXPECT_EQ(db_.CallCount("signing_keys.List"), reads + 2);
}

TEST_F(SigningKeysTest, AKeySealedUnderAnotherSecretIsReplacedAndNotPublished) {
  SigningKeys old_secret(db_, "the secret before", clock_);
  const std::string unreadable = GetOrDie(old_secret)->signer.kid();
  const auto view = GetOrDie(keys_);
  EXPECT_NE(view->signer.kid(), unreadable);
  EXPECT_EQ(PublishedKids(*view), std::vector<std::string>{view->signer.kid()});
  for (const SigningKeyRecord& record : Stored()) {
    if (record.kid == unreadable) {
      EXPECT_TRUE(record.retired_at.has_value());
    }
  }
}

TEST_F(SigningKeysTest, RacingRotationsPublishBothKeysAndSignWithTheNewest) {
  // Two processes that each inserted a key (e.g. on PostgreSQL, where the
  // rotation transactions do not exclude each other).
  GetOrDie(keys_);
  const EcSigningKey racer = *EcSigningKey::Generate();
  clock_.Advance(seconds(1));
  ASSERT_TRUE(db_.Run([&](Stores& s) {
                   return s.signing_keys().Insert(SigningKeyRecord{
                       .kid = racer.kid(),
                       .sealed_private_key = SealAesGcm(SigningKeys::SealKey(kSecret),
                                                        racer.PrivatePem(), racer.kid()),
                       .created_at = clock_.Now()});
                 })
                  .ok());
  const auto view = *keys_.Refresh();
  EXPECT_EQ(view->signer.kid(), racer.kid());
  EXPECT_EQ(PublishedKids(*view).size(), 2u);
}

TEST_F(SigningKeysTest, ConcurrentFirstUseMakesOneKey) {
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> kids;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        StatusOr<std::shared_ptr<const SigningKeys::View>> view = keys_.Get();
        ASSERT_TRUE(view.ok());
        std::lock_guard lock(mu);
        kids.insert((*view)->signer.kid());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(kids.size(), 1u);
  EXPECT_EQ(Stored().size(), 1u);
}

TEST_F(SigningKeysTest, UnreachableDatabaseIsUnavailableWithoutAView) {
  db_.SetUnavailable(true);
  EXPECT_EQ(keys_.Get().status().code(), StatusCode::kUnavailable);
  db_.SetUnavailable(false);
  EXPECT_TRUE(keys_.Get().ok());
}

}  // namespace
}  // namespace portico::dcr
