#include "signup/account/password_blocklist.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "portico/crypto.h"
#include "tests/unit/account/temp_dir.h"

namespace portico::signup {
namespace {

using testing::TempDir;

std::string UpperSha1(std::string_view password) {
  std::string hex = HexEncode(Sha1(password));
  std::transform(hex.begin(), hex.end(), hex.begin(),
                 [](char c) { return c >= 'a' && c <= 'f' ? static_cast<char>(c - 32) : c; });
  return hex;
}

// A Pwned Passwords style file: "HASH:COUNT" lines sorted by hash.
std::string BreachFile(std::vector<std::pair<std::string, uint64_t>> entries,
                       std::string_view line_end = "\n") {
  std::vector<std::pair<std::string, uint64_t>> hashed;
  for (auto& [password, count] : entries) hashed.emplace_back(UpperSha1(password), count);
  std::sort(hashed.begin(), hashed.end());
  std::string out;
  for (const auto& [hash, count] : hashed) {
    out += hash + ":" + std::to_string(count) + std::string(line_end);
  }
  return out;
}

TEST(PasswordBlocklistTest, Sha1OfPasswordMatchesTheWellKnownHibpHash) {
  // FIPS 180-4's "abc" example first.
  EXPECT_EQ(HexEncode(Sha1("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  // SHA-1("password"), the hash HIBP's own documentation uses as its example.
  EXPECT_EQ(UpperSha1("password"), "5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8");
}

TEST(PasswordBlocklistTest, EmptyBlocklistBlocksNothing) {
  const PasswordBlocklist empty;
  EXPECT_FALSE(empty.IsCommon("password"));
  EXPECT_FALSE(empty.IsBreached("password"));
  EXPECT_EQ(empty.BreachCount("password"), std::nullopt);
  EXPECT_FALSE(empty.has_breached_file());
}

TEST(PasswordBlocklistTest, CommonListSkipsCommentsAndBlankLinesAndIgnoresCase) {
  TempDir dir;
  const std::string list = dir.Write("common.lst",
                                     "#!comment: a list in John the Ripper's format\n"
                                     "123456\r\n"
                                     "\n"
                                     "Password\n"
                                     "#hashtag\n"
                                     "Straße\n"
                                     "trustno1");  // no final newline
  StatusOr<PasswordBlocklist> blocklist =
      PasswordBlocklist::Open({.common_list_path = list, .breached_file_path = ""});
  ASSERT_TRUE(blocklist.ok()) << blocklist.status().ToString();
  EXPECT_EQ(blocklist->common_count(), 5u);
  EXPECT_TRUE(blocklist->IsCommon("123456"));  // CRLF stripped
  EXPECT_TRUE(blocklist->IsCommon("password"));
  EXPECT_TRUE(blocklist->IsCommon("PASSWORD"));
  EXPECT_TRUE(blocklist->IsCommon("pAsSwOrD"));
  EXPECT_FALSE(blocklist->IsCommon("STRASSE"));  // simple folding: ß stays ß
  EXPECT_TRUE(blocklist->IsCommon("STRAßE"));
  EXPECT_TRUE(blocklist->IsCommon("#hashtag"));  // only "#!comment:" lines are comments
  EXPECT_TRUE(blocklist->IsCommon("trustno1"));
  EXPECT_FALSE(blocklist->IsCommon("#!comment: a list in John the Ripper's format"));
  EXPECT_FALSE(blocklist->IsCommon(""));
  EXPECT_FALSE(blocklist->IsCommon("password1"));
  EXPECT_FALSE(blocklist->IsCommon(" password"));
}

TEST(PasswordBlocklistTest, MissingCommonListIsNotFoundNamingThePath) {
  TempDir dir;
  const std::string missing = dir.path() + "/nope.lst";
  StatusOr<PasswordBlocklist> blocklist =
      PasswordBlocklist::Open({.common_list_path = missing, .breached_file_path = ""});
  ASSERT_FALSE(blocklist.ok());
  EXPECT_EQ(blocklist.status().code(), StatusCode::kNotFound);
  EXPECT_NE(blocklist.status().message().find(missing), std::string::npos);
}

TEST(PasswordBlocklistTest, CommonListWithoutPasswordsIsRejected) {
  TempDir dir;
  const std::string list = dir.Write("empty.lst", "#!comment: nothing here\n\n");
  StatusOr<PasswordBlocklist> blocklist =
      PasswordBlocklist::Open({.common_list_path = list, .breached_file_path = ""});
  EXPECT_EQ(blocklist.status().code(), StatusCode::kInvalidArgument);
}

TEST(PasswordBlocklistTest, FromCommonPasswordsFoldsCase) {
  const PasswordBlocklist blocklist = PasswordBlocklist::FromCommonPasswords({"Qwerty", ""});
  EXPECT_EQ(blocklist.common_count(), 1u);
  EXPECT_TRUE(blocklist.IsCommon("QWERTY"));
  EXPECT_FALSE(blocklist.IsCommon(""));
}

TEST(PasswordBlocklistTest, BreachedFileFindsPresentPasswordsWithTheirCounts) {
  TempDir dir;
  std::vector<std::pair<std::string, uint64_t>> entries;
  for (int i = 0; i < 2000; ++i) entries.emplace_back("pw" + std::to_string(i), i + 1);
  entries.emplace_back("password", 10434004);
  const std::string file = dir.Write("pwned.txt", BreachFile(entries));
  StatusOr<PasswordBlocklist> blocklist =
      PasswordBlocklist::Open({.common_list_path = "", .breached_file_path = file});
  ASSERT_TRUE(blocklist.ok()) << blocklist.status().ToString();
  EXPECT_TRUE(blocklist->has_breached_file());
  EXPECT_EQ(blocklist->BreachCount("password"), 10434004u);
  EXPECT_TRUE(blocklist->IsBreached("password"));
  // Every entry, including the first and last lines of the file.
  for (int i = 0; i < 2000; ++i) {
    const std::string password = "pw" + std::to_string(i);
    ASSERT_EQ(blocklist->BreachCount(password), static_cast<uint64_t>(i + 1)) << password;
  }
  // The hash is of the exact bytes: no case folding here.
  EXPECT_FALSE(blocklist->IsBreached("PASSWORD"));
  for (int i = 2000; i < 2200; ++i) {
    EXPECT_EQ(blocklist->BreachCount("pw" + std::to_string(i)), std::nullopt);
  }
  EXPECT_FALSE(blocklist->IsBreached(""));
}

TEST(PasswordBlocklistTest, BreachedFileWithCrlfLineEndsAndNoFinalNewline) {
  TempDir dir;
  std::string content = BreachFile({{"alpha", 3}, {"bravo", 5}, {"charlie", 7}}, "\r\n");
  content.resize(content.size() - 2);
  const std::string file = dir.Write("pwned.txt", content);
  StatusOr<PasswordBlocklist> blocklist =
      PasswordBlocklist::Open({.common_list_path = "", .breached_file_path = file});
  ASSERT_TRUE(blocklist.ok()) << blocklist.status().ToString();
  EXPECT_EQ(blocklist->BreachCount("alpha"), 3u);
  EXPECT_EQ(blocklist->BreachCount("bravo"), 5u);
  EXPECT_EQ(blocklist->BreachCount("charlie"), 7u);
  EXPECT_EQ(blocklist->BreachCount("delta"), std::nullopt);
}

TEST(PasswordBlocklistTest, ZeroCountPaddingLineIsNotABreach) {
  TempDir dir;
  const std::string file = dir.Write("pwned.txt", BreachFile({{"padding", 0}, {"real", 2}}));
  StatusOr<PasswordBlocklist> blocklist =
      PasswordBlocklist::Open({.common_list_path = "", .breached_file_path = file});
  ASSERT_TRUE(blocklist.ok());
  EXPECT_EQ(blocklist->BreachCount("padding"), 0u);
  EXPECT_FALSE(blocklist->IsBreached("padding"));
  EXPECT_TRUE(blocklist->IsBreached("real"));
}

TEST(PasswordBlocklistTest, RejectsBreachedFilesOfAnotherFormat) {
  TempDir dir;
  const std::string lower = BreachFile({{"alpha", 1}});
  std::string lowercase_hex = lower;
  std::transform(lowercase_hex.begin(), lowercase_hex.end(), lowercase_hex.begin(),
                 [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c + 32) : c; });
  const std::vector<std::pair<std::string, std::string>> files = {
      {"empty.txt", ""},
      // A range download: 35-digit suffixes only.
      {"range.txt", lower.substr(5)},
      {"lowercase.txt", lowercase_hex},
      // NTLM hashes are 32 hex digits.
      {"ntlm.txt", "8846F7EAEE8FB117AD06BDD830B7586C:1\n"},
      {"nocount.txt", UpperSha1("alpha") + ":\n"},
      // Good first line, broken last line.
      {"tail.txt", BreachFile({{"alpha", 1}}) + "garbage\n"},
  };
  for (const auto& [name, content] : files) {
    const std::string path = dir.Write(name, content);
    StatusOr<PasswordBlocklist> blocklist =
        PasswordBlocklist::Open({.common_list_path = "", .breached_file_path = path});
    ASSERT_FALSE(blocklist.ok()) << name;
    EXPECT_EQ(blocklist.status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(blocklist.status().message().find(path), std::string::npos) << name;
  }
  StatusOr<PasswordBlocklist> missing = PasswordBlocklist::Open(
      {.common_list_path = "", .breached_file_path = dir.path() + "/absent.txt"});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  StatusOr<PasswordBlocklist> directory =
      PasswordBlocklist::Open({.common_list_path = "", .breached_file_path = dir.path()});
  EXPECT_EQ(directory.status().code(), StatusCode::kInvalidArgument);
}

TEST(PasswordBlocklistTest, MovedBlocklistKeepsItsMapping) {
  TempDir dir;
  const std::string file = dir.Write("pwned.txt", BreachFile({{"alpha", 4}}));
  StatusOr<PasswordBlocklist> opened =
      PasswordBlocklist::Open({.common_list_path = "", .breached_file_path = file});
  ASSERT_TRUE(opened.ok());
  PasswordBlocklist moved = std::move(opened).value();
  PasswordBlocklist assigned;
  assigned = std::move(moved);
  EXPECT_EQ(assigned.BreachCount("alpha"), 4u);
}

// The list the server loads by default, from Debian's john-data package
// (scripts/install-deps installs it).
TEST(PasswordBlocklistTest, LoadsTheJohnDataPackageList) {
  if (!std::filesystem::exists(kDefaultCommonPasswordList)) {
    GTEST_SKIP() << kDefaultCommonPasswordList << " is absent (apt-get install john-data)";
  }
  StatusOr<PasswordBlocklist> blocklist = PasswordBlocklist::Open({});
  ASSERT_TRUE(blocklist.ok()) << blocklist.status().ToString();
  EXPECT_GT(blocklist->common_count(), 3000u);
  for (const char* common : {"123456", "password", "qwerty", "letmein", "trustno1", "Password1"}) {
    EXPECT_TRUE(blocklist->IsCommon(common)) << common;
  }
  EXPECT_FALSE(blocklist->IsCommon("#!comment:"));
  EXPECT_FALSE(blocklist->IsCommon("river-lantern-cobalt-1987"));
}

}  // namespace
}  // namespace portico::signup
