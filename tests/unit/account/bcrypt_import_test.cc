#include "signup/account/bcrypt_import.h"

#include <crypt.h>
#include <gtest/gtest.h>

#include <string>

namespace portico::signup {
namespace {

// A real bcrypt hash, made here with libxcrypt itself: crypt_gensalt_rn for a
// "$2b$04$" setting with a fixed salt, then crypt_rn.
std::string MakeBcrypt(const std::string& password, int cost = 4) {
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  const char salt_bytes[16] = {'p', 'o', 'r', 't', 'i', 'c', 'o', '-',
                               's', 'a', 'l', 't', '-', '1', '2', '3'};
  if (crypt_gensalt_rn("$2b$", cost, salt_bytes, sizeof salt_bytes, setting, sizeof setting) ==
      nullptr) {
    return "";
  }
  crypt_data data{};
  const char* hash = crypt_rn(password.c_str(), setting, &data, sizeof data);
  return hash == nullptr ? "" : hash;
}

// The code in the details of a rejection.
std::string CodeOf(const Status& status) {
  const Json* code = status.details().Find("code");
  return code != nullptr && code->is_string() ? code->as_string() : "";
}

class BcryptImportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { hash_ = new std::string(MakeBcrypt("correct horse")); }
  static void TearDownTestSuite() { delete hash_; }
  static const std::string& Hash() { return *hash_; }

  // The real hash with its cost digits replaced.
  static std::string WithCost(std::string_view cost) {
    std::string h = Hash();
    h.replace(4, 2, cost);
    return h;
  }

 private:
  static std::string* hash_;
};

std::string* BcryptImportTest::hash_ = nullptr;

TEST_F(BcryptImportTest, GeneratedHashHasTheExpectedShape) {
  ASSERT_EQ(Hash().size(), 60u);
  EXPECT_TRUE(Hash().starts_with("$2b$04$"));
  EXPECT_TRUE(ValidateBcryptHash(Hash()).ok()) << ValidateBcryptHash(Hash()).ToString();
}

TEST_F(BcryptImportTest, VerifiesTheRightPasswordOnly) {
  EXPECT_TRUE(VerifyBcrypt(Hash(), "correct horse"));
  EXPECT_FALSE(VerifyBcrypt(Hash(), "correct horsf"));
  EXPECT_FALSE(VerifyBcrypt(Hash(), "Correct horse"));
  EXPECT_FALSE(VerifyBcrypt(Hash(), ""));
}

TEST_F(BcryptImportTest, PasswordWithNulByteNeverMatchesItsPrefix) {
  EXPECT_FALSE(VerifyBcrypt(Hash(), std::string("correct horse\0 battery", 22)));
}

TEST_F(BcryptImportTest, ReadsOnlyTheFirst72BytesAsBcryptDoes) {
  const std::string first72(72, 'x');
  const std::string hash = MakeBcrypt(first72);
  EXPECT_TRUE(VerifyBcrypt(hash, first72));
  EXPECT_TRUE(VerifyBcrypt(hash, first72 + "anything"));
  EXPECT_FALSE(VerifyBcrypt(hash, first72.substr(0, 71)));
}

TEST_F(BcryptImportTest, AcceptsCostFourteenAndVerifiesAnotherCost) {
  // Cost 14 verification takes ~1 s here: check the cost boundary by
  // validation alone, and verify one real hash at a second cost.
  EXPECT_TRUE(ValidateBcryptHash(WithCost("14")).ok());
  const std::string cost5 = MakeBcrypt("five rounds", 5);
  ASSERT_TRUE(cost5.starts_with("$2b$05$"));
  EXPECT_TRUE(VerifyBcrypt(cost5, "five rounds"));
}

TEST_F(BcryptImportTest, RejectsOtherBcryptRevisionsNamingThem) {
  for (const char* revision : {"$2a$", "$2y$", "$2x$"}) {
    std::string other = Hash();
    other.replace(0, 4, revision);
    const Status status = ValidateBcryptHash(other);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << revision;
    EXPECT_EQ(status.tag(), "VALIDATION_ERROR");
    EXPECT_EQ(CodeOf(status), "UNSUPPORTED_PASSWORD_HASH") << revision;
    EXPECT_EQ(status.message(),
              "passwordHash: only $2b$ bcrypt hashes are accepted, not " + std::string(revision));
    // libxcrypt would verify a $2a$ hash: the import refuses it all the same.
    EXPECT_FALSE(VerifyBcrypt(other, "correct horse")) << revision;
  }
  std::string oldest = Hash();
  oldest.replace(0, 4, "$2$");
  EXPECT_EQ(CodeOf(ValidateBcryptHash(oldest)), "UNSUPPORTED_PASSWORD_HASH");
}

TEST_F(BcryptImportTest, RejectsHashesThatAreNotBcrypt) {
  for (const char* other :
       {"", "correct horse", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        "$6$salt$abcdefghijklmnopqrstuvwxyz",
        "$2B$04$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0"}) {
    const Status status = ValidateBcryptHash(other);
    EXPECT_EQ(CodeOf(status), "UNSUPPORTED_PASSWORD_HASH") << other;
    EXPECT_EQ(status.message(), "passwordHash: only $2b$ bcrypt hashes are accepted") << other;
  }
}

TEST_F(BcryptImportTest, RejectsCostsOutsideFourToFourteen) {
  for (const char* cost : {"00", "03", "15", "31", "99"}) {
    const Status status = ValidateBcryptHash(WithCost(cost));
    EXPECT_EQ(CodeOf(status), "BCRYPT_COST_OUT_OF_RANGE") << cost;
    EXPECT_EQ(status.message(),
              "passwordHash: bcrypt cost must be 4 to 14, not " + std::to_string(std::stoi(cost)));
    EXPECT_FALSE(VerifyBcrypt(WithCost(cost), "correct horse")) << cost;
  }
  for (const char* cost : {"04", "09", "10", "14"}) {
    EXPECT_TRUE(ValidateBcryptHash(WithCost(cost)).ok()) << cost;
  }
}

TEST_F(BcryptImportTest, RejectsAMalformedCostField) {
  for (const std::string& bad :
       {WithCost("4$"), WithCost("a4"), WithCost("0x"), std::string("$2b$"), std::string("$2b$04"),
        "$2b$04x" + Hash().substr(7)}) {
    const Status status = ValidateBcryptHash(bad);
    EXPECT_EQ(CodeOf(status), "MALFORMED_PASSWORD_HASH") << bad;
    EXPECT_EQ(status.message(), "passwordHash: $2b$ must be followed by a two-digit cost and '$'")
        << bad;
  }
}

TEST_F(BcryptImportTest, RejectsWrongLengths) {
  const Status short_one = ValidateBcryptHash(Hash().substr(0, 59));
  EXPECT_EQ(CodeOf(short_one), "MALFORMED_PASSWORD_HASH");
  EXPECT_EQ(short_one.message(), "passwordHash: a $2b$ hash is 60 characters long, not 59");
  const Status long_one = ValidateBcryptHash(Hash() + "a");
  EXPECT_EQ(long_one.message(), "passwordHash: a $2b$ hash is 60 characters long, not 61");
  EXPECT_EQ(CodeOf(ValidateBcryptHash(Hash().substr(0, 7))), "MALFORMED_PASSWORD_HASH");
}

TEST_F(BcryptImportTest, RejectsCharactersOutsideBcryptsAlphabet) {
  // Standard base64's '+', '=' and a character outside any alphabet, in the
  // salt and in the hash part.
  for (const size_t at : {size_t{10}, size_t{40}}) {
    for (const char c : {'+', '=', '$', '-', '\0'}) {
      std::string bad = Hash();
      bad[at] = c;
      const Status status = ValidateBcryptHash(bad);
      EXPECT_EQ(CodeOf(status), "MALFORMED_PASSWORD_HASH") << at << " " << c;
      EXPECT_EQ(status.message(), "passwordHash: character " + std::to_string(at + 1) +
                                      " is outside bcrypt's base64 alphabet (./A-Za-z0-9)");
    }
  }
}

TEST_F(BcryptImportTest, RejectsNonCanonicalLastCharacters) {
  // The salt's 22nd character carries 2 bits ('.', 'O', 'e', 'u' only); the
  // hash's 31st carries 4 (every fourth character of the alphabet).
  std::string salt = Hash();
  salt[28] = '/';  // value 1: low bits set
  EXPECT_EQ(ValidateBcryptHash(salt).message(),
            "passwordHash: the salt is not in bcrypt's canonical encoding");
  EXPECT_FALSE(VerifyBcrypt(salt, "correct horse"));
  std::string digest = Hash();
  digest[59] = '/';
  EXPECT_EQ(ValidateBcryptHash(digest).message(),
            "passwordHash: the hash is not in bcrypt's canonical encoding");
  for (const char c : {'.', 'O', 'e', 'u'}) {
    std::string ok = Hash();
    ok[28] = c;
    EXPECT_TRUE(ValidateBcryptHash(ok).ok()) << c;
  }
}

TEST_F(BcryptImportTest, DetailsNameTheFieldAndNeverEchoTheHash) {
  std::string other = Hash();
  other.replace(0, 4, "$2y$");
  const Status status = ValidateBcryptHash(other);
  const Json& details = status.details();
  ASSERT_TRUE(details.is_object());
  EXPECT_EQ(*details.Find("field"), Json("passwordHash"));
  EXPECT_EQ(*details.Find("code"), Json("UNSUPPORTED_PASSWORD_HASH"));
  EXPECT_EQ(*details.Find("message"), Json(status.message()));
  EXPECT_EQ(status.ToString().find(Hash().substr(7)), std::string::npos);
}

TEST_F(BcryptImportTest, AlteredHashDoesNotVerify) {
  std::string altered = Hash();
  altered[40] = altered[40] == 'a' ? 'b' : 'a';
  ASSERT_TRUE(ValidateBcryptHash(altered).ok());
  EXPECT_FALSE(VerifyBcrypt(altered, "correct horse"));
}

}  // namespace
}  // namespace portico::signup
