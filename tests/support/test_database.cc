#include "support/test_database.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace portico::testing {
namespace {

constexpr char kPgUrlVariable[] = "PORTICO_TEST_PG_URL";

std::string RandomHex(size_t chars) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device device;
  std::string out;
  for (size_t i = 0; i < chars; ++i) out.push_back(kDigits[device() % 16]);
  return out;
}

// The same server URL with another database name: the path after the
// authority is replaced, the query (if any) kept.
std::string WithDatabase(const std::string& url, const std::string& name) {
  const size_t scheme_end = url.find("://");
  const size_t authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const size_t path_start = url.find_first_of("/?", authority_start);
  if (path_start == std::string::npos) return url + "/" + name;
  const size_t query_start = url.find('?', path_start);
  const std::string query = query_start == std::string::npos ? "" : url.substr(query_start);
  return url.substr(0, path_start) + "/" + name + query;
}

// Runs one statement on the maintenance database. Returns an error text or "".
std::string RunOnMaintenanceDb(const std::string& admin_url, const std::string& statement) {
  PGconn* conn = PQconnectdb(admin_url.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string error = PQerrorMessage(conn);
    PQfinish(conn);
    return error;
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(conn, statement.c_str());
  std::string error;
  if (PQresultStatus(result) != PGRES_COMMAND_OK) error = PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(conn);
  return error;
}

}  // namespace

std::vector<Backend> AllBackends() { return {Backend::kSqlite, Backend::kPostgres}; }

std::string BackendName(Backend backend) {
  return backend == Backend::kPostgres ? "PostgreSQL" : "SQLite";
}

TestDatabase::TestDatabase(Backend backend) : backend_(backend) {
  if (backend == Backend::kSqlite) {
    std::string pattern = (std::filesystem::temp_directory_path() / "portico_t_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed for " << pattern;
      return;
    }
    dir_ = pattern;
    url_ = "sqlite:" + dir_ + "/portico.db";
    return;
  }
  const char* admin = std::getenv(kPgUrlVariable);
  if (admin == nullptr || *admin == '\0') {
    ADD_FAILURE() << kPgUrlVariable << " is not set: PostgreSQL tests cannot run";
    return;
  }
  // Names are identifiers: lowercase hex keeps them valid without quoting.
  const std::string name = "portico_t_" + RandomHex(16);
  const std::string error = RunOnMaintenanceDb(admin, "CREATE DATABASE " + name);
  if (!error.empty()) {
    ADD_FAILURE() << "CREATE DATABASE " << name << " failed: " << error;
    return;
  }
  pg_name_ = name;
  url_ = WithDatabase(admin, name);
}

TestDatabase::~TestDatabase() {
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  if (!pg_name_.empty()) {
    const char* admin = std::getenv(kPgUrlVariable);
    if (admin == nullptr) return;
    const std::string error =
        RunOnMaintenanceDb(admin, "DROP DATABASE IF EXISTS " + pg_name_ + " WITH (FORCE)");
    if (!error.empty())
      std::fprintf(stderr, "DROP DATABASE %s failed: %s\n", pg_name_.c_str(), error.c_str());
  }
}

}  // namespace portico::testing
