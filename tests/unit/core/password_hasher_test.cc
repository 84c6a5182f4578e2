#include "portico/password_hasher.h"

#include <argon2.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <ostream>
#include <regex>
#include <string>
#include <vector>

#include "tests/fakes/fake_random.h"

namespace portico {
namespace {

using testing::FakeRandom;

// openwall crypt_blowfish's test vector (same result under $2a$ and $2b$).
constexpr char kBcryptU[] = "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
constexpr char kBcryptUa[] = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

// phc-winner-argon2's src/test.c: argon2id v=19, t=2, m=2^8 KiB, p=1,
// password "password", salt "somesalt" (output 9dfeb910…c68bfe).
constexpr char kReferencePhc[] =
    "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";

class PasswordHasherTest : public ::testing::Test {
 protected:
  FakeRandom random_;
  Argon2PasswordHasher hasher_{random_, Argon2Params::ForTests()};

  std::string HashOf(std::string_view password) {
    StatusOr<std::string> h = hasher_.Hash(password);
    EXPECT_TRUE(h.ok()) << h.status().ToString();
    return h.ok() ? *h : std::string();
  }
};

TEST_F(PasswordHasherTest, HashIsArgon2idPhcStringWithCurrentParameters) {
  const std::string phc = HashOf("hunter2");
  // 16-byte salt → 22 base64 chars; 32-byte output → 43; no padding.
  EXPECT_TRUE(std::regex_match(
      phc, std::regex(R"(\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})")))
      << phc;
}

TEST_F(PasswordHasherTest, OwaspDefaultsAreNineteenMibTwoPassesOneLane) {
  const Argon2Params p = Argon2Params::Owasp();
  EXPECT_EQ(p.memory_kib, 19456u);
  EXPECT_EQ(p.iterations, 2u);
  EXPECT_EQ(p.parallelism, 1u);
}

TEST_F(PasswordHasherTest, HashEncodingMatchesLibargon2sOwnEncoder) {
  const std::vector<uint8_t> salt = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  random_.SetScript(salt);
  const std::string phc = HashOf("correct horse battery staple");

  const std::string password = "correct horse battery staple";
  std::vector<char> expected(argon2_encodedlen(1, 64, 1, salt.size(), 32, Argon2_id));
  ASSERT_EQ(argon2id_hash_encoded(1, 64, 1, password.data(), password.size(), salt.data(),
                                  salt.size(), 32, expected.data(), expected.size()),
            ARGON2_OK);
  EXPECT_EQ(phc, std::string(expected.data()));
}

TEST_F(PasswordHasherTest, SaltComesFromTheInjectedRandom) {
  random_.SetScript({0});
  const std::string phc = HashOf("x");
  // 16 zero bytes in base64.
  EXPECT_NE(phc.find("$AAAAAAAAAAAAAAAAAAAAAA$"), std::string::npos) << phc;
}

TEST_F(PasswordHasherTest, VerifiesTheRightPasswordAndRejectsOthers) {
  const std::string phc = HashOf("s3cret!");
  EXPECT_EQ(hasher_.Verify("s3cret!", phc).value(), true);
  EXPECT_EQ(hasher_.Verify("s3cret", phc).value(), false);
  EXPECT_EQ(hasher_.Verify("s3cret!!", phc).value(), false);
  EXPECT_EQ(hasher_.Verify("", phc).value(), false);
}

TEST_F(PasswordHasherTest, VerifiesTheReferenceImplementationsTestVector) {
  EXPECT_EQ(hasher_.Verify("password", kReferencePhc).value(), true);
  EXPECT_EQ(hasher_.Verify("Password", kReferencePhc).value(), false);
}

TEST_F(PasswordHasherTest, TamperedOutputOrSaltDoesNotVerify) {
  const std::string phc = HashOf("pw");
  std::string bad_output = phc;
  bad_output[bad_output.size() - 2] = bad_output[bad_output.size() - 2] == 'A' ? 'B' : 'A';
  EXPECT_EQ(hasher_.Verify("pw", bad_output).value(), false);
  std::string bad_salt = phc;
  const size_t salt_at = phc.rfind('$') - 22;
  bad_salt[salt_at] = bad_salt[salt_at] == 'A' ? 'B' : 'A';
  EXPECT_EQ(hasher_.Verify("pw", bad_salt).value(), false);
}

TEST_F(PasswordHasherTest, SamePasswordGetsDifferentSaltsAndHashes) {
  Argon2PasswordHasher real(SecureRandom(), Argon2Params::ForTests());
  const std::string a = real.Hash("same").value();
  const std::string b = real.Hash("same").value();
  EXPECT_NE(a, b);
  EXPECT_NE(a.substr(0, a.rfind('$')), b.substr(0, b.rfind('$')));  // the salts differ
  EXPECT_TRUE(real.Verify("same", a).value());
  EXPECT_TRUE(real.Verify("same", b).value());
}

TEST_F(PasswordHasherTest, EmptyPasswordIsAllowedAtThisLayer) {
  const std::string phc = HashOf("");
  EXPECT_EQ(hasher_.Verify("", phc).value(), true);
  EXPECT_EQ(hasher_.Verify(" ", phc).value(), false);
}

TEST_F(PasswordHasherTest, PasswordsWithNulAndNonAsciiBytesHashWhole) {
  const std::string with_nul("ab\0cd", 5);
  const std::string phc = HashOf(with_nul);
  EXPECT_EQ(hasher_.Verify(with_nul, phc).value(), true);
  EXPECT_EQ(hasher_.Verify("ab", phc).value(), false);
  const std::string phc2 = HashOf("pässwörd✓");
  EXPECT_EQ(hasher_.Verify("pässwörd✓", phc2).value(), true);
}

TEST_F(PasswordHasherTest, RejectsPasswordsOverOneKibibyte) {
  const std::string max(kMaxPasswordBytes, 'a');
  const std::string phc = HashOf(max);
  EXPECT_EQ(hasher_.Verify(max, phc).value(), true);

  const std::string over(kMaxPasswordBytes + 1, 'a');
  StatusOr<std::string> hashed = hasher_.Hash(over);
  ASSERT_FALSE(hashed.ok());
  EXPECT_EQ(hashed.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(hashed.status().message(), "password is too long");
  StatusOr<bool> verified = hasher_.Verify(over, phc);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(verified.status().message(), "password is too long");
}

TEST_F(PasswordHasherTest, VerifiesHashesMadeWithOtherParameters) {
  FakeRandom other_random;
  Argon2PasswordHasher other(other_random, {.memory_kib = 128, .iterations = 3, .parallelism = 2});
  const std::string phc = other.Hash("old").value();
  EXPECT_NE(phc.find("m=128,t=3,p=2"), std::string::npos) << phc;
  EXPECT_EQ(hasher_.Verify("old", phc).value(), true);
  EXPECT_EQ(hasher_.Verify("new", phc).value(), false);
}

TEST_F(PasswordHasherTest, NeedsRehashOnlyWhenParametersDiffer) {
  EXPECT_FALSE(hasher_.NeedsRehash(HashOf("a")));
  FakeRandom r;
  EXPECT_TRUE(hasher_.NeedsRehash(
      Argon2PasswordHasher(r, {.memory_kib = 64, .iterations = 2, .parallelism = 1})
          .Hash("a")
          .value()));
  EXPECT_TRUE(hasher_.NeedsRehash(
      Argon2PasswordHasher(r, {.memory_kib = 128, .iterations = 1, .parallelism = 1})
          .Hash("a")
          .value()));
  EXPECT_TRUE(hasher_.NeedsRehash(
      Argon2PasswordHasher(r, {.memory_kib = 64, .iterations = 1, .parallelism = 2})
          .Hash("a")
          .value()));
  EXPECT_TRUE(hasher_.NeedsRehash(kReferencePhc));  // 8-byte salt, other parameters
  EXPECT_TRUE(hasher_.NeedsRehash(kBcryptU));
  EXPECT_TRUE(hasher_.NeedsRehash("garbage"));
  EXPECT_TRUE(hasher_.NeedsRehash(""));
}

struct MalformedCase {
  const char* name;
  std::string encoded;
};
void PrintTo(const MalformedCase& c, std::ostream* os) { *os << c.name << ": " << c.encoded; }

class MalformedHashTest : public PasswordHasherTest,
                          public ::testing::WithParamInterface<MalformedCase> {};

constexpr char kSalt[] = "AAAAAAAAAAAAAAAAAAAAAA";                      // 16 bytes
constexpr char kOut[] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";  // 32 bytes

std::string Phc(std::string_view head, std::string_view params, std::string_view salt = kSalt,
                std::string_view out = kOut) {
  return std::string(head) + std::string(params) + "$" + std::string(salt) + "$" + std::string(out);
}

TEST_P(MalformedHashTest, IsRejectedAsInvalidArgumentWithoutHashing) {
  const auto start = std::chrono::steady_clock::now();
  StatusOr<bool> verified = hasher_.Verify("pw", GetParam().encoded);
  ASSERT_FALSE(verified.ok()) << GetParam().encoded;
  EXPECT_EQ(verified.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(verified.status().message(), "malformed password hash");
  EXPECT_EQ(ValidatePasswordHash(GetParam().encoded).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(hasher_.NeedsRehash(GetParam().encoded));
  // Absurd costs are refused, not attempted (m=4 GiB or bcrypt cost 31 would take ages).
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

INSTANTIATE_TEST_SUITE_P(
    Table, MalformedHashTest,
    ::testing::Values(
        MalformedCase{"Empty", ""}, MalformedCase{"Garbage", "not a hash"},
        MalformedCase{"DollarsOnly", "$$$$$"},
        MalformedCase{"Argon2i", Phc("$argon2i$v=19$", "m=64,t=1,p=1")},
        MalformedCase{"Argon2d", Phc("$argon2d$v=19$", "m=64,t=1,p=1")},
        MalformedCase{"UpperCaseType", Phc("$ARGON2ID$v=19$", "m=64,t=1,p=1")},
        MalformedCase{"NoLeadingDollar", Phc("argon2id$v=19$", "m=64,t=1,p=1")},
        MalformedCase{"Version16", Phc("$argon2id$v=16$", "m=64,t=1,p=1")},
        MalformedCase{"NoVersion", "$argon2id$m=64,t=1,p=1$" + std::string(kSalt) + "$" + kOut},
        MalformedCase{"MissingOutput", "$argon2id$v=19$m=64,t=1,p=1$" + std::string(kSalt)},
        MalformedCase{"EmptyOutput", Phc("$argon2id$v=19$", "m=64,t=1,p=1", kSalt, "")},
        MalformedCase{"ExtraField", Phc("$argon2id$v=19$", "m=64,t=1,p=1") + "$AAAA"},
        MalformedCase{"TrailingDollar", Phc("$argon2id$v=19$", "m=64,t=1,p=1") + "$"},
        MalformedCase{"MissingParallelism", Phc("$argon2id$v=19$", "m=64,t=1")},
        MalformedCase{"ParamsReordered", Phc("$argon2id$v=19$", "t=1,m=64,p=1")},
        MalformedCase{"ExtraParam", Phc("$argon2id$v=19$", "m=64,t=1,p=1,keyid=x")},
        MalformedCase{"SpaceInParams", Phc("$argon2id$v=19$", "m=64, t=1,p=1")},
        MalformedCase{"NegativeMemory", Phc("$argon2id$v=19$", "m=-64,t=1,p=1")},
        MalformedCase{"PlusSign", Phc("$argon2id$v=19$", "m=+64,t=1,p=1")},
        MalformedCase{"LeadingZero", Phc("$argon2id$v=19$", "m=064,t=1,p=1")},
        MalformedCase{"HexMemory", Phc("$argon2id$v=19$", "m=0x40,t=1,p=1")},
        MalformedCase{"MemoryTwoToThe31", Phc("$argon2id$v=19$", "m=2147483648,t=1,p=1")},
        MalformedCase{"MemoryOverflowsUint32", Phc("$argon2id$v=19$", "m=4294967296,t=1,p=1")},
        MalformedCase{"MemoryFourGiB", Phc("$argon2id$v=19$", "m=4194304,t=1,p=1")},
        MalformedCase{"MemoryJustOverLimit", Phc("$argon2id$v=19$", "m=262145,t=1,p=1")},
        MalformedCase{"MemoryBelowMinimum", Phc("$argon2id$v=19$", "m=7,t=1,p=1")},
        MalformedCase{"MemoryBelowEightPerLane", Phc("$argon2id$v=19$", "m=16,t=1,p=4")},
        MalformedCase{"ZeroIterations", Phc("$argon2id$v=19$", "m=64,t=0,p=1")},
        MalformedCase{"MillionIterations", Phc("$argon2id$v=19$", "m=64,t=1000000,p=1")},
        MalformedCase{"ZeroLanes", Phc("$argon2id$v=19$", "m=64,t=1,p=0")},
        MalformedCase{"TooManyLanes", Phc("$argon2id$v=19$", "m=4096,t=1,p=255")},
        MalformedCase{"BadBase64Salt", Phc("$argon2id$v=19$", "m=64,t=1,p=1", "!!!!!!!!!!!!")},
        MalformedCase{"UrlSafeBase64Salt",
                      Phc("$argon2id$v=19$", "m=64,t=1,p=1", "AAAAAAAAAAAAAAAAAAAA-_")},
        MalformedCase{"PaddedSalt",
                      Phc("$argon2id$v=19$", "m=64,t=1,p=1", "AAAAAAAAAAAAAAAAAAAAAA==")},
        MalformedCase{"NonCanonicalSaltBits",
                      Phc("$argon2id$v=19$", "m=64,t=1,p=1", "AAAAAAAAAAAAAAAAAAAAAB")},
        MalformedCase{"ImpossibleBase64Length",
                      Phc("$argon2id$v=19$", "m=64,t=1,p=1", "AAAAAAAAAAAAAAAAAAAAAAAAA")},
        MalformedCase{"SaltTooShort", Phc("$argon2id$v=19$", "m=64,t=1,p=1", "AAAAAAAAAA")},
        MalformedCase{"OutputTooShort", Phc("$argon2id$v=19$", "m=64,t=1,p=1", kSalt, "AAAAAAAA")},
        MalformedCase{"OutputTooLong",
                      Phc("$argon2id$v=19$", "m=64,t=1,p=1", kSalt, std::string(100, 'A'))},
        MalformedCase{"BcryptCost31",
                      "$2b$31$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e"},
        MalformedCase{"BcryptCost15",
                      "$2b$15$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e"},
        MalformedCase{"BcryptCost3",
                      "$2b$03$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e"},
        MalformedCase{"BcryptOneDigitCost",
                      "$2b$5$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e"},
        MalformedCase{"BcryptTruncated",
                      "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe"},
        MalformedCase{"BcryptBadCharacter",
                      "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvy+eW"},
        MalformedCase{"Bcrypt2x", "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"},
        MalformedCase{"Md5Crypt", "$1$saltsalt$abcdefghijklmnopqrstuv"}),
    [](const ::testing::TestParamInfo<MalformedCase>& info) { return info.param.name; });

// A cheap fuzz: every one-character mutation of a valid hash either parses
// (and then verifies false or, if harmless, true) or is InvalidArgument; it
// never crashes, never hashes with absurd costs, never errs otherwise.
TEST_F(PasswordHasherTest, EveryOneCharacterMutationIsHandled) {
  const std::string phc = HashOf("pw");
  for (size_t i = 0; i < phc.size(); ++i) {
    for (char c : std::string("$=,0179aA+/!") + '\0') {
      std::string mutated = phc;
      mutated[i] = c;
      StatusOr<bool> verified = hasher_.Verify("pw", mutated);
      if (verified.ok()) {
        EXPECT_TRUE(ValidatePasswordHash(mutated).ok()) << mutated;
      } else {
        EXPECT_EQ(verified.status().code(), StatusCode::kInvalidArgument) << mutated;
      }
    }
  }
  // A truncated output may still parse (as a shorter output): then it must not match.
  for (size_t len = 0; len < phc.size(); ++len) {
    StatusOr<bool> verified = hasher_.Verify("pw", phc.substr(0, len));
    EXPECT_TRUE(verified.ok() ? !*verified
                              : verified.status().code() == StatusCode::kInvalidArgument)
        << phc.substr(0, len);
  }
}

TEST_F(PasswordHasherTest, ValidatePasswordHashAcceptsWhatVerifyCanCheck) {
  EXPECT_TRUE(ValidatePasswordHash(HashOf("a")).ok());
  EXPECT_TRUE(ValidatePasswordHash(kReferencePhc).ok());
  EXPECT_TRUE(ValidatePasswordHash(kBcryptU).ok());
  EXPECT_TRUE(ValidatePasswordHash(kBcryptUa).ok());
}

TEST_F(PasswordHasherTest, VerifiesImportedBcryptHashes) {
  EXPECT_EQ(hasher_.Verify("U*U", kBcryptU).value(), true);
  EXPECT_EQ(hasher_.Verify("U*U", kBcryptUa).value(), true);
  EXPECT_EQ(hasher_.Verify("U*V", kBcryptU).value(), false);
  EXPECT_EQ(hasher_.Verify("", kBcryptU).value(), false);
}

TEST_F(PasswordHasherTest, BcryptPasswordWithNulNeverMatchesItsTruncation) {
  EXPECT_EQ(hasher_.Verify(std::string("U*U\0tail", 8), kBcryptU).value(), false);
}

TEST_F(PasswordHasherTest, DummyVerifyMatchesNothing) {
  EXPECT_FALSE(hasher_.DummyVerify(""));
  EXPECT_FALSE(hasher_.DummyVerify("password"));
  EXPECT_FALSE(hasher_.DummyVerify(std::string(kMaxPasswordBytes + 1, 'x')));
}

}  // namespace
}  // namespace portico
