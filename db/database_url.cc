#include <libpq-fe.h>

#include <string>
#include <string_view>

#include "db/open_database.h"

namespace portico::db {
namespace {

constexpr std::string_view kSqlitePrefix = "sqlite:";
constexpr std::string_view kSqliteMemory = "sqlite::memory:";
constexpr std::string_view kPostgresqlScheme = "postgresql://";
constexpr std::string_view kPostgresScheme = "postgres://";

Status BadUrl(std::string_view why) {
  return InvalidArgument(
      std::string("DATABASE_URL ") + std::string(why) +
      ": expected sqlite:PATH, sqlite::memory: or postgresql://user:pass@host:port/db");
}

}  // namespace

StatusOr<DatabaseUrl> ParseDatabaseUrl(std::string_view url) {
  DatabaseUrl out;
  if (url == kSqliteMemory) {
    out.dialect = Dialect::kSqlite;
    out.sqlite_path = ":memory:";
    return out;
  }
  if (url.starts_with(kSqlitePrefix)) {
    std::string_view path = url.substr(kSqlitePrefix.size());
    // "sqlite://path" is a common slip; a path starting with "//" is not what
    // anyone means, so reject it rather than open a surprising file.
    if (path.empty()) return BadUrl("has an empty SQLite path");
    if (path.starts_with("//")) return BadUrl("uses sqlite://; write sqlite:PATH");
    if (path.find('\0') != std::string_view::npos) return BadUrl("contains a NUL byte");
    out.dialect = Dialect::kSqlite;
    out.sqlite_path = std::string(path);
    return out;
  }
  if (url.starts_with(kPostgresqlScheme) || url.starts_with(kPostgresScheme)) {
    std::string_view rest = url.substr(url.find("://") + 3);
    if (rest.empty()) return BadUrl("names no PostgreSQL host");
    if (url.find_first_of(" \t\r\n'") != std::string_view::npos) {
      return BadUrl("contains whitespace or quotes");
    }
    out.postgres_conninfo = std::string(url);
    // Let libpq judge the URL now, so a typo stops the server at start.
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(out.postgres_conninfo.c_str(), &error);
    if (options == nullptr) {
      std::string why = error ? error : "is not a valid PostgreSQL URL";
      PQfreemem(error);
      while (!why.empty() && why.back() == '\n') why.pop_back();
      return BadUrl("is not a valid PostgreSQL URL (" + why + ")");
    }
    PQconninfoFree(options);
    out.dialect = Dialect::kPostgres;
    return out;
  }
  return BadUrl("has an unknown scheme");
}

std::string RedactDatabaseUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const size_t auth_start = scheme_end + 3;
  size_t auth_end = url.find_first_of("/?#", auth_start);
  if (auth_end == std::string_view::npos) auth_end = url.size();
  const size_t at = url.rfind('@', auth_end);
  std::string out(url);
  if (at != std::string_view::npos && at >= auth_start) {
    const size_t colon = url.find(':', auth_start);
    if (colon != std::string_view::npos && colon < at) {
      out = std::string(url.substr(0, colon + 1)) + "***" + std::string(url.substr(at));
    }
  }
  // A password may also come as a query parameter (?password=…).
  const size_t pw = out.find("password=");
  if (pw != std::string::npos) {
    size_t end = out.find('&', pw);
    if (end == std::string::npos) end = out.size();
    out.replace(pw + 9, end - (pw + 9), "***");
  }
  return out;
}

}  // namespace portico::db
