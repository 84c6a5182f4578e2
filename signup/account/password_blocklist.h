#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "portico/status.h"

namespace portico::signup {

// Where Debian's john-data package installs Openwall's list of common
// passwords (public domain, ~3,500 entries, most common first): the default
// common-password list. scripts/install-deps installs the package.
inline constexpr char kDefaultCommonPasswordList[] = "/usr/share/john/password.lst";

// The environment variables the server reads the two paths from (wired in
// src/server): PASSWORD_COMMON_LIST defaults to kDefaultCommonPasswordList,
// PASSWORD_BREACHED_FILE to none. A configured file that cannot be opened
// stops the server at start, naming the variable: a blocklist that silently
// went missing would weaken every tenant's policy.
inline constexpr char kCommonPasswordListVariable[] = "PASSWORD_COMMON_LIST";
inline constexpr char kBreachedPasswordFileVariable[] = "PASSWORD_BREACHED_FILE";

// Where the lists come from. Empty paths mean "no such list".
struct PasswordBlocklistFiles {
  // One password per line (LF or CRLF line ends); lines starting with
  // "#!comment:" (John the Ripper's convention) and empty lines are skipped.
  std::string common_list_path = kDefaultCommonPasswordList;
  // Optional: an offline copy of Have I Been Pwned's Pwned Passwords in its
  // SHA-1 form, as operators download the full set: one line per breached
  // password, "<40 upper-case hex digits of SHA-1>:<count>", sorted by hash,
  // LF or CRLF line ends. Tens of gigabytes: it is memory-mapped and searched
  // in place, never read whole.
  std::string breached_file_path;
};

// NIST SP 800-63B §3.1.1.2: passwords are compared against "a blocklist that
// contains values known to be commonly used, expected, or compromised". Two
// sources: a list of common passwords held in memory, and an optional
// breached-password file searched by binary search over a read-only mapping.
//
// Immutable once built; every const method is thread-safe. Movable, not
// copyable (it owns the mapping).
class PasswordBlocklist {
 public:
  // Nothing is common and nothing breached (tests, or a deployment that
  // turned the blocklist off).
  PasswordBlocklist();
  ~PasswordBlocklist();
  PasswordBlocklist(PasswordBlocklist&&) noexcept;
  PasswordBlocklist& operator=(PasswordBlocklist&&) noexcept;
  PasswordBlocklist(const PasswordBlocklist&) = delete;
  PasswordBlocklist& operator=(const PasswordBlocklist&) = delete;

  // Loads the common list and maps the breached file. NotFound naming the
  // path when a file does not exist, Unavailable naming it when it cannot be
  // read (the server decides whether that stops it); InvalidArgument naming
  // the path when the common list
  // holds no password, or the breached file is empty or its first or last
  // line is not "HASH:COUNT" (a wrong file, e.g. the NTLM set or a range
  // download). Not thread-safe against concurrent use of the result until it
  // returns.
  static StatusOr<PasswordBlocklist> Open(const PasswordBlocklistFiles& files);

  // From passwords in memory, for tests and tools.
  static PasswordBlocklist FromCommonPasswords(const std::vector<std::string>& passwords);

  // Whether `password` is on the common list, compared after Unicode simple
  // case folding ("PASSWORD" and "Password" match "password"). Thread-safe.
  bool IsCommon(std::string_view password) const;

  // How often the breached file says `password` (its exact UTF-8 bytes) was
  // seen, or nullopt when the file does not list it or there is no file.
  // O(log n) probes of the mapping. Thread-safe.
  std::optional<uint64_t> BreachCount(std::string_view password) const;

  // BreachCount ≥ 1 (a listed count of 0, as HIBP's padding lines carry,
  // is not a breach). Thread-safe.
  bool IsBreached(std::string_view password) const;

  size_t common_count() const { return common_.size(); }
  bool has_breached_file() const { return breached_ != nullptr; }

 private:
  class MappedFile;

  std::unordered_set<std::string> common_;  // case-folded
  std::unique_ptr<MappedFile> breached_;
};

}  // namespace portico::signup
