#include "signup/account/password_blocklist.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

#include "portico/case_fold.h"
#include "portico/crypto.h"

namespace portico::signup {
namespace {

constexpr std::string_view kCommentPrefix = "#!comment:";
constexpr size_t kHashLength = 40;  // hex digits of a SHA-1
// A line is "HASH:COUNT" plus CRLF; anything longer means a wrong file, and
// bounds the backward scan of each probe.
constexpr size_t kMaxLineLength = 128;

Status FileError(const std::string& path, int error, std::string_view what) {
  const std::string message = what == "open" ? "cannot open " + path : "cannot read " + path;
  Status status = error == ENOENT ? NotFound(path + " does not exist") : Unavailable(message);
  return std::move(status).WithInternal(std::string(what) + ": " + std::strerror(error));
}

std::string_view TrimLineEnd(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  return line;
}

bool IsUpperHex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// The count of a "HASH:COUNT" line (line end already removed), or nullopt
// when the line is not of that form.
std::optional<uint64_t> ParseBreachLine(std::string_view line) {
  if (line.size() < kHashLength + 2 || line[kHashLength] != ':') return std::nullopt;
  for (size_t i = 0; i < kHashLength; ++i) {
    if (!IsUpperHex(line[i])) return std::nullopt;
  }
  uint64_t count = 0;
  for (const char c : line.substr(kHashLength + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    if (count > (UINT64_MAX - 9) / 10) return std::nullopt;
    count = count * 10 + static_cast<uint64_t>(c - '0');
  }
  return count;
}

std::string UpperHex(std::string_view bytes) {
  std::string hex = HexEncode(bytes);
  for (char& c : hex) {
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  }
  return hex;
}

}  // namespace

// A read-only private mapping of a whole file, unmapped on destruction.
class PasswordBlocklist::MappedFile {
 public:
  MappedFile(const char* data, size_t size) : data_(data), size_(size) {}
  ~MappedFile() { munmap(const_cast<char*>(data_), size_); }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  static StatusOr<std::unique_ptr<MappedFile>> Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return FileError(path, errno, "open");
    struct stat st;
    if (fstat(fd, &st) != 0) {
      const int error = errno;
      ::close(fd);
      return FileError(path, error, "fstat");
    }
    if (!S_ISREG(st.st_mode)) {
      ::close(fd);
      return InvalidArgument(path + " is not a regular file");
    }
    if (st.st_size == 0) {
      ::close(fd);
      return InvalidArgument(path + " is empty");
    }
    const size_t size = static_cast<size_t>(st.st_size);
    void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    const int error = errno;
    ::close(fd);  // the mapping keeps the file
    if (data == MAP_FAILED) return FileError(path, error, "mmap");
    // Lookups touch a few pages each, scattered: read-ahead would only evict.
    madvise(data, size, MADV_RANDOM);
    return std::make_unique<MappedFile>(static_cast<const char*>(data), size);
  }

  std::string_view FirstLine() const {
    const std::string_view all(data_, size_);
    return TrimLineEnd(all.substr(0, all.find('\n')));
  }

  std::string_view LastLine() const {
    const std::string_view all = TrimLineEnd(std::string_view(data_, size_));
    const size_t newline = all.rfind('\n');
    return newline == std::string_view::npos ? all : all.substr(newline + 1);
  }

  // Binary search over lines: [lo, hi) always starts at a line start and
  // holds the target's line if the file has one.
  std::optional<uint64_t> Find(std::string_view hash) const {
    size_t lo = 0;
    size_t hi = size_;
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      size_t start = mid;
      while (start > lo && data_[start - 1] != '\n') {
        if (mid - start >= kMaxLineLength) return std::nullopt;  // not this format
        --start;
      }
      const size_t window = std::min(size_ - start, kMaxLineLength);
      const void* newline = std::memchr(data_ + start, '\n', window);
      if (newline == nullptr && start + window != size_) return std::nullopt;  // not this format
      const size_t end = newline == nullptr
                             ? size_
                             : static_cast<size_t>(static_cast<const char*>(newline) - data_);
      const std::string_view line = TrimLineEnd(std::string_view(data_ + start, end - start));
      const int order = line.substr(0, kHashLength).compare(hash);
      if (order < 0) {
        lo = end == size_ ? size_ : end + 1;
      } else if (order > 0) {
        hi = start;
      } else {
        return ParseBreachLine(line);
      }
    }
    return std::nullopt;
  }

 private:
  const char* data_;
  size_t size_;
};

PasswordBlocklist::PasswordBlocklist() = default;
PasswordBlocklist::~PasswordBlocklist() = default;
PasswordBlocklist::PasswordBlocklist(PasswordBlocklist&&) noexcept = default;
PasswordBlocklist& PasswordBlocklist::operator=(PasswordBlocklist&&) noexcept = default;

StatusOr<PasswordBlocklist> PasswordBlocklist::Open(const PasswordBlocklistFiles& files) {
  PasswordBlocklist blocklist;
  if (!files.common_list_path.empty()) {
    const std::string& path = files.common_list_path;
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) return FileError(path, errno != 0 ? errno : EIO, "open");
    std::string line;
    while (std::getline(in, line)) {
      const std::string_view password = TrimLineEnd(line);
      if (password.empty() || password.starts_with(kCommentPrefix)) continue;
      blocklist.common_.insert(FoldCase(password));
    }
    if (in.bad()) return FileError(path, errno, "read");
    if (blocklist.common_.empty()) return InvalidArgument(path + " lists no password");
  }
  if (!files.breached_file_path.empty()) {
    const std::string& path = files.breached_file_path;
    PORTICO_ASSIGN_OR_RETURN(blocklist.breached_, MappedFile::Open(path));
    if (!ParseBreachLine(blocklist.breached_->FirstLine()) ||
        !ParseBreachLine(blocklist.breached_->LastLine())) {
      return InvalidArgument(path +
                             " is not a Pwned Passwords SHA-1 file (lines of "
                             "40 upper-case hex digits, ':' and a count)");
    }
  }
  return blocklist;
}

PasswordBlocklist PasswordBlocklist::FromCommonPasswords(
    const std::vector<std::string>& passwords) {
  PasswordBlocklist blocklist;
  for (const std::string& password : passwords) {
    if (!password.empty()) blocklist.common_.insert(FoldCase(password));
  }
  return blocklist;
}

bool PasswordBlocklist::IsCommon(std::string_view password) const {
  return !common_.empty() && common_.contains(FoldCase(password));
}

std::optional<uint64_t> PasswordBlocklist::BreachCount(std::string_view password) const {
  if (breached_ == nullptr) return std::nullopt;
  return breached_->Find(UpperHex(Sha1(password)));
}

bool PasswordBlocklist::IsBreached(std::string_view password) const {
  const std::optional<uint64_t> count = BreachCount(password);
  return count.has_value() && *count > 0;
}

}  // namespace portico::signup
