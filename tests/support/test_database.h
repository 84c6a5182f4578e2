#pragma once

#include <string>
#include <vector>

namespace portico::testing {

enum class Backend { kSqlite, kPostgres };

// Both backends: every store contract suite and HTTP suite is instantiated
// with these (INSTANTIATE_TEST_SUITE_P(…, ::testing::ValuesIn(AllBackends()),
// BackendParamName)).
std::vector<Backend> AllBackends();
std::string BackendName(Backend backend);  // "SQLite" / "PostgreSQL"
// For INSTANTIATE_TEST_SUITE_P's name generator.
struct BackendParamName {
  template <class ParamInfo>
  std::string operator()(const ParamInfo& info) const { return BackendName(info.param); }
};

// A fresh, empty database for one test, dropped in the destructor.
// SQLite: a file in a new temporary directory. PostgreSQL: a new database
// `portico_t_<random>` on the server named by PORTICO_TEST_PG_URL (a libpq
// URI to a superuser's maintenance database, set by scripts/test); the test
// fails (ADD_FAILURE + an empty url) when that variable is unset, so a run
// can never silently skip PostgreSQL.
class TestDatabase {
 public:
  explicit TestDatabase(Backend backend);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  Backend backend() const { return backend_; }
  // In DATABASE_URL form: "sqlite:/tmp/…/portico.db" or "postgresql://…/portico_t_…".
  const std::string& url() const { return url_; }
  // The folder holding the SQLite file (empty for PostgreSQL); secrets files go here.
  const std::string& dir() const { return dir_; }

 private:
  Backend backend_;
  std::string url_;
  std::string dir_;
  std::string pg_name_;
};

}  // namespace portico::testing
