// Seeds a tenant's SCIM directory for bench/scim: many users fast, and groups
// with many members. Not a SCIM client: the benchmark measures requests, not
// the seeding.
//
// Users go in by a bulk path (a JSON array of 1,000 rows per INSERT … SELECT,
// 10,000 users per transaction) whose match columns and user_values rows come
// from the store's own functions (db/directory_schema.h). Each run then
// rewrites one seeded user through DirectoryStore::UpdateUser and checks that
// its row and user_values rows come out unchanged, so the bulk path cannot
// drift from what the server writes. Groups are built through the store
// (InsertGroup, then UpdateGroup adding 10,000 members at a time).
//
//   portico_bench_scim_seed users DATABASE_URL TENANT_ID FROM COUNT IDS_FILE
//     inserts users FROM … FROM+COUNT-1 (userName "user%08d@bench.example")
//     and appends their ids to IDS_FILE, one a line, in index order
//   portico_bench_scim_seed group DATABASE_URL TENANT_ID NAME IDS_FILE FIRST COUNT
//     creates the group NAME whose members are lines FIRST … FIRST+COUNT-1 of
//     IDS_FILE (0-based); prints its id on stdout
//
// Progress and timings go to stderr; exit status 0 on success, 1 on failure.
#include <soci/soci.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/directory_schema.h"
#include "db/open_database.h"
#include "db/session.h"
#include "portico/clock.h"
#include "portico/database.h"
#include "portico/json.h"
#include "portico/parse_json.h"
#include "portico/random.h"
#include "portico/status.h"
#include "scim/directory_store.h"
#include "scim/resource_validator.h"
#include "scim/schema/resource_type.h"

namespace portico::bench {
namespace {

using db::ColumnKind;
using db::DirectoryResource;

// Users per INSERT statement (one bound JSON array) and per transaction:
// large enough that round trips and commits are rare, small enough that a
// SQLite write lock is never held for long.
constexpr int kUsersPerStatement = 1000;
constexpr int kUsersPerTransaction = 10000;
// Members added per UpdateGroup: one bound JSON array each.
constexpr int kMembersPerChange = 10000;

std::string Index8(int64_t i) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%08lld", static_cast<long long>(i));
  return buf;
}

// What an IdP such as Entra ID sends for a user (bench/scim_post.lua posts
// the same shape).
Json UserBody(int64_t i) {
  const std::string n = Index8(i);
  const std::string user_name = "user" + n + "@bench.example";
  Json schemas = Json::MakeArray();
  schemas.Push(scim::kUserSchemaUrn).Push(scim::kEnterpriseUserSchemaUrn);
  Json emails = Json::MakeArray();
  emails.Push(Json::MakeObject().Set("value", user_name).Set("type", "work").Set("primary", true));
  Json body = Json::MakeObject();
  body.Set("schemas", std::move(schemas))
      .Set("userName", user_name)
      .Set("externalId", "ext-" + n)
      .Set("active", true)
      .Set("displayName", "Bench User " + n)
      .Set("name", Json::MakeObject()
                       .Set("givenName", "Bench")
                       .Set("familyName", "User " + n)
                       .Set("formatted", "Bench User " + n))
      .Set("emails", std::move(emails))
      .Set(scim::kEnterpriseUserSchemaUrn,
           Json::MakeObject()
               .Set("employeeNumber", n)
               .Set("department", "Dept " + std::to_string(i % 100)));
  return body;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A column the bulk INSERT fills from a member of each JSON row object.
struct BulkColumn {
  std::string name;
  bool integer;
};

// "INSERT INTO table (a, b, …) SELECT <a from row>, … FROM <rows>": each
// column read from the member of the same name (absent member → NULL).
// PostgreSQL gets jsonb: with json, every ->> parses the element again.
std::string BulkInsertSql(db::Dialect dialect, const char* table,
                          const std::vector<BulkColumn>& columns) {
  std::string names, values;
  for (const BulkColumn& c : columns) {
    if (!names.empty()) {
      names += ", ";
      values += ", ";
    }
    names += c.name;
    if (dialect == db::Dialect::kSqlite) {
      values += "json_extract(j.value, '$." + c.name + "')";
    } else if (c.integer) {
      values += "CAST(e ->> '" + c.name + "' AS BIGINT)";
    } else {
      values += "e ->> '" + c.name + "'";
    }
  }
  return "INSERT INTO " + std::string(table) + " (" + names + ") SELECT " + values +
         (dialect == db::Dialect::kSqlite
              ? " FROM json_each(:rows) AS j"
              : " FROM jsonb_array_elements(CAST(:rows AS JSONB)) AS e");
}

// The users row as the store writes it (SociDirectoryStore::FillRow): the
// fixed columns, then every match column of ScalarColumns(kUser).
std::vector<BulkColumn> UserColumns() {
  std::vector<BulkColumn> columns = {
      {"id", false},       {"tenant_id", false}, {"user_name", false}, {"display_name", false},
      {"document", false}, {"version", true},    {"created_at", true}, {"updated_at", true}};
  for (const db::ScalarColumn& c : db::ScalarColumns(DirectoryResource::kUser)) {
    columns.push_back({c.column, c.kind == ColumnKind::kBoolean});
  }
  return columns;
}

// user_values: the keys of ComputeUserValueRows' objects plus the owner.
std::vector<BulkColumn> UserValueColumns() {
  std::vector<BulkColumn> columns = {
      {"tenant_id", false}, {"user_id", false}, {"attr", false}, {"ord", true}};
  for (const db::ValuesAttribute& attr : db::UserValuesAttributes()) {
    for (const db::ValueColumn& c : attr.columns) {
      bool known = false;
      for (const BulkColumn& have : columns) known = known || have.name == c.column;
      if (!known) columns.push_back({c.column, c.kind == ColumnKind::kBoolean});
    }
  }
  return columns;
}

// Appends the users row and user_values rows of one validated user.
Status AppendUserRows(const scim::ResourceRecord& user, Json& users, Json& values) {
  const Json* name = user.document.Find("userName");
  if (name == nullptr || !name->is_string()) return InvalidArgument("userName is required");
  Json row = Json::MakeObject();
  row.Set("id", user.id).Set("tenant_id", user.tenant_id).Set("user_name", name->as_string());
  if (const Json* display = user.document.Find("displayName");
      display != nullptr && display->is_string()) {
    row.Set("display_name", display->as_string());
  }
  row.Set("document", user.document.Dump())
      .Set("version", user.version)
      .Set("created_at", ToUnixMillis(user.created_at))
      .Set("updated_at", ToUnixMillis(user.updated_at));
  const std::vector<db::ScalarColumn>& columns = db::ScalarColumns(DirectoryResource::kUser);
  std::vector<db::ColumnValue> computed =
      db::ComputeScalarColumns(DirectoryResource::kUser, user.document);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (computed[i].null) continue;
    if (columns[i].kind == ColumnKind::kBoolean) {
      row.Set(columns[i].column, computed[i].integer);
    } else {
      row.Set(columns[i].column, std::move(computed[i].text));
    }
  }
  users.Push(std::move(row));
  int count = 0;
  const std::string text = db::ComputeUserValueRows(user.document, &count);
  if (count == 0) return Status::Ok();
  StatusOr<Json> parsed = ParseJson(text);
  if (!parsed.ok()) return parsed.status();
  for (Json& value_row : parsed->as_array()) {
    value_row.Set("tenant_id", user.tenant_id).Set("user_id", user.id);
    values.Push(std::move(value_row));
  }
  return Status::Ok();
}

// Every column of the rows `query` (one bound id) selects, as text, in order.
std::string RowsText(soci::session& sql, const std::string& query, const std::string& id) {
  std::string out;
  soci::rowset<soci::row> rows = (sql.prepare << query, soci::use(id));
  for (const soci::row& r : rows) {
    for (std::size_t i = 0; i < r.size(); ++i) {
      if (r.get_indicator(i) == soci::i_null) {
        out += "NULL";
      } else {
        switch (r.get_properties(i).get_data_type()) {
          case soci::dt_string:
            out += r.get<std::string>(i);
            break;
          case soci::dt_integer:
            out += std::to_string(r.get<int>(i));
            break;
          case soci::dt_long_long:
            out += std::to_string(r.get<long long>(i));
            break;
          case soci::dt_unsigned_long_long:
            out += std::to_string(r.get<unsigned long long>(i));
            break;
          case soci::dt_double:
            out += std::to_string(r.get<double>(i));
            break;
          default:
            out += "?";
        }
      }
      out += '|';
    }
    out += '\n';
  }
  return out;
}

// Rewrites the user `id` (seeded by the bulk path) through the store and
// checks that its row (but for version and updated_at) and its user_values
// rows did not change: the proof that the bulk path writes what the store
// would. FailedPrecondition naming both texts when they differ.
Status CheckAgainstStore(soci::session& sql, Database& db, const std::string& tenant_id,
                         const std::string& id) {
  std::string columns;
  for (const BulkColumn& c : UserColumns()) {
    if (c.name == "version" || c.name == "updated_at") continue;
    columns += (columns.empty() ? "" : ", ") + c.name;
  }
  const std::string user_query = "SELECT " + columns + ", password_hash FROM users WHERE id = :id";
  const std::string values_query =
      "SELECT * FROM user_values WHERE user_id = :id ORDER BY attr, ord";
  const std::string before = RowsText(sql, user_query, id) + RowsText(sql, values_query, id);
  PORTICO_RETURN_IF_ERROR(db.Transact([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(scim::ResourceRecord record,
                             stores.directory().FindUser(tenant_id, id));
    const int64_t expected = record.version;
    record.version = expected + 1;
    record.updated_at = SystemClock().Now();
    return stores.directory().UpdateUser(record, expected, std::nullopt);
  }));
  const std::string after = RowsText(sql, user_query, id) + RowsText(sql, values_query, id);
  if (before != after) {
    return FailedPrecondition("the bulk path and DirectoryStore::UpdateUser disagree on user " + id)
        .WithInternal("bulk:\n" + before + "store:\n" + after);
  }
  return Status::Ok();
}

Status SeedUsers(const std::string& url_text, const std::string& tenant_id, int64_t from,
                 int64_t count, const std::string& ids_file) {
  PORTICO_ASSIGN_OR_RETURN(db::DatabaseUrl url, db::ParseDatabaseUrl(url_text));
  PORTICO_RETURN_IF_ERROR(db::Migrate(url).status());
  std::ofstream ids(ids_file, std::ios::app);
  if (!ids) return InvalidArgument("cannot open " + ids_file);
  soci::session sql;
  db::OpenSession(sql, url, /*reconnect=*/false);
  // Random UUID keys touch pages all over the indexes: keep them in memory
  // (this connection only; the server's sessions keep their defaults).
  if (url.dialect == db::Dialect::kSqlite) sql << "PRAGMA cache_size = -262144";
  const std::string users_sql = BulkInsertSql(url.dialect, "users", UserColumns());
  const std::string values_sql = BulkInsertSql(url.dialect, "user_values", UserValueColumns());

  const auto start = std::chrono::steady_clock::now();
  Random& random = SecureRandom();
  std::string batch_ids, first_id;
  for (int64_t done = 0; done < count;) {
    const int64_t batch = std::min<int64_t>(kUsersPerTransaction, count - done);
    batch_ids.clear();
    soci::transaction transaction(sql);
    for (int64_t k = 0; k < batch;) {
      const int64_t n = std::min<int64_t>(kUsersPerStatement, batch - k);
      Json users = Json::MakeArray();
      Json values = Json::MakeArray();
      const TimePoint now = SystemClock().Now();
      for (int64_t i = 0; i < n; ++i, ++k) {
        PORTICO_ASSIGN_OR_RETURN(
            scim::ValidatedResource valid,
            scim::ValidateResource(UserBody(from + done + k), scim::UserResourceType()));
        scim::ResourceRecord record{.id = NewUuid(random),
                                    .tenant_id = tenant_id,
                                    .document = std::move(valid.document),
                                    .version = 1,
                                    .created_at = now,
                                    .updated_at = now};
        PORTICO_RETURN_IF_ERROR(AppendUserRows(record, users, values));
        if (first_id.empty()) first_id = record.id;
        batch_ids += record.id;
        batch_ids += '\n';
      }
      const std::string users_text = users.Dump();
      const std::string values_text = values.Dump();
      sql << users_sql, soci::use(users_text);
      sql << values_sql, soci::use(values_text);
    }
    transaction.commit();
    // Written after the commit: the file names only users that exist.
    ids << batch_ids;
    if (!ids.flush()) return Internal("cannot write " + ids_file);
    done += batch;
    const double s = SecondsSince(start);
    std::cerr << "\rseeded " << done << "/" << count << " users, "
              << static_cast<int64_t>(static_cast<double>(done) / s) << " users/s   " << std::flush;
  }
  const double s = SecondsSince(start);
  std::cerr << "\nseeded " << count << " users in " << s << " s ("
            << static_cast<int64_t>(static_cast<double>(count) / s) << " users/s)\n";
  if (first_id.empty()) return Status::Ok();
  PORTICO_ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                           db::OpenDatabase(url, db::DatabaseOptions{.pool_size = 1}));
  return CheckAgainstStore(sql, *db, tenant_id, first_id);
}

StatusOr<std::unique_ptr<Database>> Open(const std::string& url_text) {
  PORTICO_ASSIGN_OR_RETURN(db::DatabaseUrl url, db::ParseDatabaseUrl(url_text));
  PORTICO_RETURN_IF_ERROR(db::Migrate(url).status());
  return db::OpenDatabase(url, db::DatabaseOptions{.pool_size = 1});
}

StatusOr<std::string> SeedGroup(Database& db, const std::string& tenant_id, const std::string& name,
                                const std::string& ids_file, int64_t first, int64_t count) {
  std::ifstream in(ids_file);
  if (!in) return InvalidArgument("cannot open " + ids_file);
  std::vector<std::string> members;
  members.reserve(count);
  std::string line;
  for (int64_t i = 0; std::getline(in, line) && static_cast<int64_t>(members.size()) < count; ++i) {
    if (i >= first) members.push_back(line);
  }
  if (static_cast<int64_t>(members.size()) < count) {
    return InvalidArgument(ids_file + " has fewer than " + std::to_string(first + count) + " ids");
  }
  Json body = Json::MakeObject();
  body.Set("schemas", Json::MakeArray().Push(scim::kGroupSchemaUrn)).Set("displayName", name);
  PORTICO_ASSIGN_OR_RETURN(scim::ValidatedResource valid,
                           scim::ValidateResource(body, scim::GroupResourceType()));
  const auto start = std::chrono::steady_clock::now();
  TimePoint now = SystemClock().Now();
  scim::ResourceRecord group{.id = NewUuid(SecureRandom()),
                             .tenant_id = tenant_id,
                             .document = std::move(valid.document),
                             .version = 1,
                             .created_at = now,
                             .updated_at = now};
  PORTICO_RETURN_IF_ERROR(db.Transact(
      [&](Stores& stores) { return stores.directory().InsertGroup(group, /*members=*/{}); }));
  // As a PATCH adding members would: one version per change.
  for (size_t done = 0; done < members.size();) {
    const size_t n = std::min<size_t>(kMembersPerChange, members.size() - done);
    scim::MemberChange change;
    change.add.reserve(n);
    for (size_t k = 0; k < n; ++k) change.add.push_back(scim::MemberRef{members[done + k], "User"});
    const int64_t expected = group.version;
    group.version = expected + 1;
    group.updated_at = SystemClock().Now();
    PORTICO_RETURN_IF_ERROR(db.Transact(
        [&](Stores& stores) { return stores.directory().UpdateGroup(group, expected, change); }));
    done += n;
  }
  std::cerr << "group " << name << ": " << count << " members in " << SecondsSince(start) << " s\n";
  return group.id;
}

int Fail(const Status& status) {
  std::cerr << "portico_bench_scim_seed: " << status.ToString() << "\n";
  if (!status.internal().empty()) std::cerr << status.internal() << "\n";
  return 1;
}

int Usage() {
  std::cerr << "usage: portico_bench_scim_seed users DATABASE_URL TENANT_ID FROM COUNT IDS_FILE\n"
               "       portico_bench_scim_seed group DATABASE_URL TENANT_ID NAME IDS_FILE FIRST "
               "COUNT\n";
  return 2;
}

int Main(const std::vector<std::string>& args) {
  if (args.size() < 2) return Usage();
  const std::string& command = args[1];
  if (command == "users" && args.size() == 7) {
    Status seeded = SeedUsers(args[2], args[3], std::atoll(args[4].c_str()),
                              std::atoll(args[5].c_str()), args[6]);
    return seeded.ok() ? 0 : Fail(seeded);
  }
  if (command == "group" && args.size() == 8) {
    StatusOr<std::unique_ptr<Database>> db = Open(args[2]);
    if (!db.ok()) return Fail(db.status());
    StatusOr<std::string> id = SeedGroup(**db, args[3], args[4], args[5],
                                         std::atoll(args[6].c_str()), std::atoll(args[7].c_str()));
    if (!id.ok()) return Fail(id.status());
    std::cout << *id << "\n";
    return 0;
  }
  return Usage();
}

}  // namespace
}  // namespace portico::bench

int main(int argc, char** argv) {
  // The bulk path talks SOCI directly: its errors arrive as exceptions.
  try {
    return portico::bench::Main(std::vector<std::string>(argv, argv + argc));
  } catch (const std::exception& e) {
    std::cerr << "portico_bench_scim_seed: " << e.what() << "\n";
    return 1;
  }
}
