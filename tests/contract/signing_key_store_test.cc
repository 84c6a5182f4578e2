#include "dcr/signing_key_store.h"

#include "oauth_store_fixture.h"

namespace portico::testing {
namespace {

using dcr::SigningKeyRecord;
using std::chrono::milliseconds;

SigningKeyRecord MakeKey(std::string kid, TimePoint created_at) {
  SigningKeyRecord k;
  k.kid = std::move(kid);
  k.sealed_private_key = "v1.bm9uY2U.c2VhbGVk-" + k.kid;
  k.created_at = created_at;
  return k;
}

class SigningKeyStoreContract : public OAuthStoreFixture {
 protected:
  Status Insert(const SigningKeyRecord& k) {
    return Query([&](Stores& s) { return s.signing_keys().Insert(k); });
  }
  StatusOr<std::vector<SigningKeyRecord>> List() {
    return Query([&](Stores& s) { return s.signing_keys().List(); });
  }
  Status Retire(const std::string& kid, TimePoint retired_at, TimePoint expires_at) {
    return Query([&](Stores& s) { return s.signing_keys().Retire(kid, retired_at, expires_at); });
  }
  StatusOr<int64_t> DeleteExpired(TimePoint now) {
    return Query([&](Stores& s) { return s.signing_keys().DeleteExpired(now); });
  }
};

TEST_P(SigningKeyStoreContract, ListReturnsEveryKeyNewestFirstWithEveryField) {
  SigningKeyRecord oldest = MakeKey("k-old", At(milliseconds(0)));
  oldest.retired_at = At(milliseconds(500));
  oldest.expires_at = At(milliseconds(900));
  SigningKeyRecord newest = MakeKey("k-new", At(milliseconds(2'000)));
  SigningKeyRecord middle = MakeKey("k-mid", At(milliseconds(1'000)));
  for (const SigningKeyRecord* k : {&oldest, &newest, &middle}) ASSERT_TRUE(Insert(*k).ok());

  auto keys = List();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 3u);
  EXPECT_EQ((*keys)[0].kid, "k-new");
  EXPECT_EQ((*keys)[1].kid, "k-mid");
  EXPECT_EQ((*keys)[2].kid, "k-old");
  EXPECT_EQ((*keys)[0].sealed_private_key, newest.sealed_private_key);
  EXPECT_EQ((*keys)[0].created_at, newest.created_at);
  EXPECT_FALSE((*keys)[0].retired_at.has_value());
  EXPECT_FALSE((*keys)[0].expires_at.has_value());
  EXPECT_EQ((*keys)[2].retired_at, oldest.retired_at);
  EXPECT_EQ((*keys)[2].expires_at, oldest.expires_at);
}

TEST_P(SigningKeyStoreContract, ListOfNoKeysIsEmpty) {
  auto keys = List();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_TRUE(keys->empty());
}

TEST_P(SigningKeyStoreContract, InsertRejectsATakenKidWithAlreadyExists) {
  ASSERT_TRUE(Insert(MakeKey("k1", T0())).ok());
  SigningKeyRecord again = MakeKey("k1", At(milliseconds(5)));
  again.sealed_private_key = "other";
  EXPECT_EQ(Insert(again).code(), StatusCode::kAlreadyExists);
  auto keys = List();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].sealed_private_key, MakeKey("k1", T0()).sealed_private_key);
}

TEST_P(SigningKeyStoreContract, ATakenKidLeavesTheTransactionUsable) {
  ASSERT_TRUE(Insert(MakeKey("k1", T0())).ok());
  Status status = db_->Transact([&](Stores& s) -> Status {
    EXPECT_EQ(s.signing_keys().Insert(MakeKey("k1", T0())).code(), StatusCode::kAlreadyExists);
    return s.signing_keys().Insert(MakeKey("k2", T0()));
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(List()->size(), 2u);
}

TEST_P(SigningKeyStoreContract, RetireSetsBothTimesOnce) {
  ASSERT_TRUE(Insert(MakeKey("k1", T0())).ok());
  ASSERT_TRUE(Retire("k1", At(milliseconds(10)), At(milliseconds(20))).ok());
  auto keys = List();
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ((*keys)[0].retired_at, At(milliseconds(10)));
  EXPECT_EQ((*keys)[0].expires_at, At(milliseconds(20)));

  EXPECT_EQ(Retire("k1", At(milliseconds(30)), At(milliseconds(40))).code(),
            StatusCode::kFailedPrecondition);
  keys = List();
  EXPECT_EQ((*keys)[0].retired_at, At(milliseconds(10)));
  EXPECT_EQ((*keys)[0].expires_at, At(milliseconds(20)));
}

TEST_P(SigningKeyStoreContract, RetireOfAnUnknownKidIsNotFound) {
  EXPECT_EQ(Retire("nope", T0(), T0()).code(), StatusCode::kNotFound);
}

TEST_P(SigningKeyStoreContract, DeleteExpiredDeletesOnlyKeysExpiredByNow) {
  ASSERT_TRUE(Insert(MakeKey("current", At(milliseconds(300)))).ok());  // never expires
  for (const char* kid : {"gone", "at-now", "later"}) ASSERT_TRUE(Insert(MakeKey(kid, T0())).ok());
  ASSERT_TRUE(Retire("gone", T0(), At(milliseconds(50))).ok());
  ASSERT_TRUE(Retire("at-now", T0(), At(milliseconds(100))).ok());
  ASSERT_TRUE(Retire("later", T0(), At(milliseconds(101))).ok());

  auto deleted = DeleteExpired(At(milliseconds(100)));
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 2);
  auto keys = List();
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].kid, "current");
  EXPECT_EQ((*keys)[1].kid, "later");
  EXPECT_EQ(*DeleteExpired(At(milliseconds(100))), 0);
}

INSTANTIATE_TEST_SUITE_P(Targets, SigningKeyStoreContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

}  // namespace
}  // namespace portico::testing
