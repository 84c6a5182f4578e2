#include "db/soci_directory_store.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "db/dialect.h"
#include "db/filter_sql.h"
#include "portico/case_fold.h"
#include "portico/crypto.h"
#include "portico/parse_json.h"
#include "scim/schema/resource_type.h"
#include "scim/scim_errors.h"

namespace portico::db {
namespace {

using scim::MemberRef;
using scim::Page;
using scim::PageRequest;
using scim::ResourceRecord;

constexpr char kUserNameConflict[] = "userName is already taken";
constexpr char kUserIdConflict[] = "a user with this id already exists";
constexpr char kGroupConflict[] = "a group with this id already exists";

constexpr char kSavepointSql[] = "SAVEPOINT portico_directory";
constexpr char kReleaseSql[] = "RELEASE SAVEPOINT portico_directory";
constexpr char kRollbackToSql[] = "ROLLBACK TO SAVEPOINT portico_directory";
constexpr char kCommitSql[] = "COMMIT";
constexpr char kRollbackSql[] = "ROLLBACK";

constexpr char kFindUserSql[] =
    "SELECT document, version, created_at, updated_at FROM users WHERE tenant_id = :t AND id = :id";
constexpr char kFindUserByNameSql[] =
    "SELECT id, document, version, created_at, updated_at FROM users "
    "WHERE tenant_id = :t AND user_name_key = :k";
constexpr char kUserVersionSql[] = "SELECT version FROM users WHERE tenant_id = :t AND id = :id";
// `tenant_id || ''` keeps the tenant check but hides the column from the planner: SQLite
// otherwise picks user_values_by_value (tenant_id, …) and scans the whole tenant (52 ms at
// 100k users) instead of the primary key (user_id, …).
constexpr char kDeleteUserValuesSql[] =
    "DELETE FROM user_values WHERE tenant_id || '' = :t AND user_id = :id";
// One statement for all of a user's multi-valued elements, whatever their number.
constexpr char kInsertUserValuesSqlite[] =
    "INSERT INTO user_values (tenant_id, user_id, attr, ord, value, display, type, is_primary, "
    "formatted, street_address, locality, region, postal_code, country) "
    "SELECT :t, :u, json_extract(j.value, '$.attr'), json_extract(j.value, '$.ord'), "
    "json_extract(j.value, '$.value'), json_extract(j.value, '$.display'), "
    "json_extract(j.value, '$.type'), json_extract(j.value, '$.is_primary'), "
    "json_extract(j.value, '$.formatted'), json_extract(j.value, '$.street_address'), "
    "json_extract(j.value, '$.locality'), json_extract(j.value, '$.region'), "
    "json_extract(j.value, '$.postal_code'), json_extract(j.value, '$.country') "
    "FROM json_each(:rows) AS j";
constexpr char kInsertUserValuesPostgres[] =
    "INSERT INTO user_values (tenant_id, user_id, attr, ord, value, display, type, is_primary, "
    "formatted, street_address, locality, region, postal_code, country) "
    "SELECT CAST(:t AS TEXT), CAST(:u AS TEXT), e ->> 'attr', CAST(e ->> 'ord' AS INTEGER), "
    "e ->> 'value', e ->> 'display', e ->> 'type', CAST(e ->> 'is_primary' AS INTEGER), "
    "e ->> 'formatted', e ->> 'street_address', e ->> 'locality', e ->> 'region', "
    "e ->> 'postal_code', e ->> 'country' "
    "FROM json_array_elements(CAST(:rows AS JSON)) AS e";
constexpr char kDeleteUserSql[] = "DELETE FROM users WHERE tenant_id = :t AND id = :id";
// The groups a deleted member leaves show a new member list: new version.
constexpr char kBumpGroupsOfUserSql[] =
    "UPDATE directory_groups SET version = version + 1, updated_at = :now "
    "WHERE tenant_id = :t AND id IN (SELECT group_id FROM group_members "
    "WHERE tenant_id = :t2 AND member_id = :id AND member_type = 'User')";
constexpr char kDeleteUserMembershipsSql[] =
    "DELETE FROM group_members WHERE tenant_id = :t AND member_id = :id AND member_type = 'User'";
// A user and its direct groups (as a JSON array of [id, displayName] pairs in the same order
// as kGroupsOfUserSql) in one statement: a GET is one round trip.
constexpr char kFindUserWithGroupsSqlite[] =
    "SELECT u.document, u.version, u.created_at, u.updated_at, "
    "(SELECT json_group_array(json_array(o.id, o.display_name)) FROM "
    "(SELECT g.id, g.display_name FROM group_members gm "
    "JOIN directory_groups g ON g.id = gm.group_id AND g.tenant_id = gm.tenant_id "
    "WHERE gm.tenant_id = u.tenant_id AND gm.member_id = u.id AND gm.member_type = 'User' "
    "ORDER BY g.display_name_key, g.display_name, g.id) o) "
    "FROM users u WHERE u.tenant_id = :t AND u.id = :id";
constexpr char kFindUserWithGroupsPostgres[] =
    "SELECT u.document, u.version, u.created_at, u.updated_at, "
    "COALESCE((SELECT json_agg(json_build_array(g.id, g.display_name) "
    "ORDER BY g.display_name_key, g.display_name, g.id) FROM group_members gm "
    "JOIN directory_groups g ON g.id = gm.group_id AND g.tenant_id = gm.tenant_id "
    "WHERE gm.tenant_id = u.tenant_id AND gm.member_id = u.id AND gm.member_type = 'User'), "
    "'[]')::text "
    "FROM users u WHERE u.tenant_id = :t AND u.id = :id";
constexpr char kGroupsOfUserSql[] =
    "SELECT g.id, g.display_name FROM group_members gm "
    "JOIN directory_groups g ON g.id = gm.group_id AND g.tenant_id = gm.tenant_id "
    "WHERE gm.tenant_id = :t AND gm.member_id = :u AND gm.member_type = 'User' "
    "ORDER BY g.display_name_key, g.display_name, g.id";

constexpr char kFindGroupSql[] =
    "SELECT document, version, created_at, updated_at FROM directory_groups "
    "WHERE tenant_id = :t AND id = :id";
constexpr char kGroupVersionSql[] =
    "SELECT version FROM directory_groups WHERE tenant_id = :t AND id = :id";
constexpr char kDeleteGroupSql[] = "DELETE FROM directory_groups WHERE tenant_id = :t AND id = :id";
constexpr char kBumpGroupsOfGroupSql[] =
    "UPDATE directory_groups SET version = version + 1, updated_at = :now "
    "WHERE tenant_id = :t AND id IN (SELECT group_id FROM group_members "
    "WHERE tenant_id = :t2 AND member_id = :id AND member_type = 'Group')";
constexpr char kDeleteGroupMembershipsSql[] =
    "DELETE FROM group_members WHERE tenant_id = :t AND member_id = :id AND member_type = 'Group'";
constexpr char kGroupExistsSql[] =
    "SELECT COUNT(*) FROM directory_groups WHERE tenant_id = :t AND id = :id";

// Members stream in keyset batches: PostgreSQL's SOCI backend would hold a whole result in
// memory, so no single statement reads all of a 100,000-member group.
constexpr int kMemberBatch = 1000;
constexpr char kMemberBatchSql[] =
    "SELECT gm.member_id, gm.member_type, CASE WHEN gm.member_type = 'User' "
    "THEN (SELECT u.display_name FROM users u WHERE u.id = gm.member_id "
    "AND u.tenant_id = gm.tenant_id) "
    "ELSE (SELECT g.display_name FROM directory_groups g WHERE g.id = gm.member_id "
    "AND g.tenant_id = gm.tenant_id) END "
    "FROM group_members gm WHERE gm.group_id = :g AND gm.member_id > :after "
    "ORDER BY gm.member_id LIMIT 1000";

// Statements keyed by group_id name no tenant: the caller has checked that the group is the
// tenant's, and a tenant term would let the planner pick group_members_by_member (tenant_id,
// member_id) and scan the tenant's memberships instead of the group's primary-key range.
//
// A JSON array [{"v": id, "t": "User" | "Group" | ""}] as a table, in one bound parameter:
// a whole member list costs one round trip, never one per member.
constexpr char kStagedSqlite[] =
    "WITH staged (ord, v, t) AS (SELECT CAST(j.key AS INTEGER), json_extract(j.value, '$.v'), "
    "json_extract(j.value, '$.t') FROM json_each(:m) AS j) ";
constexpr char kStagedPostgres[] =
    "WITH staged (ord, v, t) AS (SELECT e.ord, e.j ->> 'v', e.j ->> 't' "
    "FROM json_array_elements(CAST(:m AS JSON)) WITH ORDINALITY AS e (j, ord)) ";
// Members are looked up by id alone (a primary-key probe each) and the tenant compared after
// the join: with a tenant term in the join, PostgreSQL without statistics scanned the tenant's
// users once per staged member.
constexpr char kFirstInvalidMemberSql[] =
    "SELECT s.v FROM staged s LEFT JOIN users u ON u.id = s.v "
    "LEFT JOIN directory_groups g ON g.id = s.v "
    "WHERE NOT ((u.id IS NOT NULL AND u.tenant_id = :t AND s.t <> 'Group') "
    "OR (g.id IS NOT NULL AND g.tenant_id = :t2 AND s.t <> 'User')) "
    "ORDER BY s.ord LIMIT 1";
// WHERE 1 = 1: SQLite would read ON CONFLICT after a bare FROM … JOIN as a join constraint.
constexpr char kAddMembersSql[] =
    "INSERT INTO group_members (tenant_id, group_id, member_id, member_type) "
    "SELECT CAST(:t AS TEXT), CAST(:g AS TEXT), s.v, CASE WHEN u.id IS NOT NULL "
    "AND u.tenant_id = :t2 AND s.t <> 'Group' THEN 'User' ELSE 'Group' END "
    "FROM staged s LEFT JOIN users u ON u.id = s.v WHERE 1 = 1 "
    "ON CONFLICT (group_id, member_id) DO NOTHING";
constexpr char kRemoveMembersSql[] =
    "DELETE FROM group_members WHERE group_id = :g AND member_id IN (SELECT v FROM staged)";
// PUT as a set difference. PostgreSQL plans NOT IN (subquery) as a per-row subplan, NOT EXISTS
// as a hash anti-join; SQLite indexes an IN list once.
constexpr char kKeepOnlyMembersSqlite[] =
    "DELETE FROM group_members WHERE group_id = :g AND member_id NOT IN (SELECT v FROM staged)";
constexpr char kKeepOnlyMembersPostgres[] =
    "DELETE FROM group_members WHERE group_id = :g "
    "AND NOT EXISTS (SELECT 1 FROM staged s WHERE s.v = group_members.member_id)";
constexpr char kRemoveAllMembersSql[] = "DELETE FROM group_members WHERE group_id = :g";

const char* Table(DirectoryResource resource) {
  return resource == DirectoryResource::kUser ? "users" : "directory_groups";
}

// "INSERT INTO users (…, user_name_key, …) VALUES (…)": the fixed columns, then the match
// columns of the allow-list in its order (BindRow binds in the same order).
std::string BuildInsertSql(DirectoryResource resource) {
  std::string sql = std::string("INSERT INTO ") + Table(resource);
  sql += resource == DirectoryResource::kUser
             ? " (id, tenant_id, user_name, display_name, password_hash, email_verified_at, "
               "document, version, created_at, updated_at"
             : " (id, tenant_id, display_name, document, version, created_at, updated_at";
  for (const ScalarColumn& c : ScalarColumns(resource)) {
    sql += ", ";
    sql += c.column;
  }
  sql += resource == DirectoryResource::kUser
             ? ") VALUES (:id, :tenant_id, :name, :display_name, :password_hash, "
               ":email_verified_at, :document, :version, :created_at, :updated_at"
             : ") VALUES (:id, :tenant_id, :name, :document, :version, :created_at, :updated_at";
  for (size_t i = 0; i < ScalarColumns(resource).size(); ++i) sql += ", :c" + std::to_string(i);
  return sql + ")";
}

std::string BuildUpdateSql(DirectoryResource resource) {
  std::string sql = std::string("UPDATE ") + Table(resource);
  sql += resource == DirectoryResource::kUser
             ? " SET user_name = :name, display_name = :display_name, "
               "password_hash = COALESCE(:password_hash, password_hash), document = :document, "
               "version = :version, updated_at = :updated_at"
             : " SET display_name = :name, document = :document, version = :version, "
               "updated_at = :updated_at";
  const std::vector<ScalarColumn>& columns = ScalarColumns(resource);
  for (size_t i = 0; i < columns.size(); ++i) {
    sql += ", ";
    sql += columns[i].column;
    sql += " = :c" + std::to_string(i);
  }
  return sql + " WHERE tenant_id = :tenant_id AND id = :id AND version = :expected";
}

const std::string& InsertSql(DirectoryResource resource) {
  static const std::string users = BuildInsertSql(DirectoryResource::kUser);
  static const std::string groups = BuildInsertSql(DirectoryResource::kGroup);
  return resource == DirectoryResource::kUser ? users : groups;
}

const std::string& UpdateSql(DirectoryResource resource) {
  static const std::string users = BuildUpdateSql(DirectoryResource::kUser);
  static const std::string groups = BuildUpdateSql(DirectoryResource::kGroup);
  return resource == DirectoryResource::kUser ? users : groups;
}

template <class Prep, class Row>
void BindColumns(Prep& p, DirectoryResource resource, Row& row) {
  const std::vector<ScalarColumn>& columns = ScalarColumns(resource);
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].kind == ColumnKind::kBoolean) {
      p, soci::use(row.integers[i], row.indicators[i]);
    } else {
      p, soci::use(row.texts[i], row.indicators[i]);
    }
  }
}

Status CorruptRow(std::string_view what, std::string_view id, const Status& cause) {
  return Internal("database error")
      .WithInternal("corrupt " + std::string(what) + " " + std::string(id) + ": " +
                    cause.ToString());
}

// Hands a row's document to `record` in the form the caller asked for: the
// text is kept as stored (for a caller that answers with it unparsed), or parsed.
Status TakeDocument(std::string_view table, const std::string& text, scim::DocumentForm form,
                    ResourceRecord& record) {
  if (form == scim::DocumentForm::kText) {
    record.document_text = text;
    return Status();
  }
  StatusOr<Json> parsed = ParseJson(text);
  if (!parsed.ok()) return CorruptRow(table, record.id, parsed.status());
  record.document = std::move(parsed).value();
  return Status();
}

bool AsciiEqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; };
           return lower(x) == lower(y);
         });
}

void BindParams(soci::statement& st, std::vector<SqlParam>& params) {
  for (SqlParam& p : params) {
    if (p.kind == SqlParam::Kind::kText) {
      st.exchange(soci::use(p.text));
    } else {
      st.exchange(soci::use(p.integer));
    }
  }
}

// The position a cursor names: the last item of a page, under one sort.
struct Position {
  std::string sort_id;
  bool key_null = true;
  std::string key_text;
  long long key_integer = 0;
  long long created_at = 0;
  std::string id;
};

std::string SortId(const PageRequest& request) {
  if (!request.sort) return "";
  return scim::PathToString(request.sort->attr) + (request.sort->descending ? " desc" : " asc");
}

std::string EncodePosition(const Position& p, bool integer_key) {
  Json key;
  if (!p.key_null) key = integer_key ? Json(static_cast<int64_t>(p.key_integer)) : Json(p.key_text);
  Json array = Json::MakeArray();
  array.Push(p.sort_id).Push(std::move(key)).Push(static_cast<int64_t>(p.created_at)).Push(p.id);
  return Base64UrlEncode(array.Dump());
}

StatusOr<Position> DecodePosition(std::string_view text, const std::string& sort_id,
                                  const std::optional<SortExpression>& sort) {
  const Status invalid =
      scim::BadRequest(scim::kInvalidCursor, "the cursor is not valid for this request");
  std::optional<std::string> raw = Base64UrlDecode(text);
  if (!raw) return invalid;
  StatusOr<Json> parsed = ParseJson(*raw);
  if (!parsed.ok() || !parsed->is_array() || parsed->as_array().size() != 4) return invalid;
  const Json::Array& a = parsed->as_array();
  if (!a[0].is_string() || a[0].as_string() != sort_id || !a[2].is_int() || !a[3].is_string()) {
    return invalid;
  }
  Position p;
  p.sort_id = sort_id;
  p.created_at = a[2].as_int();
  p.id = a[3].as_string();
  if (!a[1].is_null()) {
    if (!sort) return invalid;
    if (sort->integer) {
      if (!a[1].is_int()) return invalid;
      p.key_integer = a[1].as_int();
    } else {
      if (!a[1].is_string()) return invalid;
      p.key_text = a[1].as_string();
    }
    p.key_null = false;
  }
  return p;
}

bool IsUserNameEquality(const scim::Filter* f) {
  return f != nullptr && f->kind == scim::Filter::Kind::kCompare && f->op == scim::CompareOp::kEq &&
         f->attr.urn == scim::kUserSchemaUrn && f->attr.attr == "userName" && f->attr.sub.empty() &&
         f->value.kind == scim::Literal::Kind::kString;
}

}  // namespace

SociDirectoryStore::SociDirectoryStore(SessionContext& ctx) : ctx_(ctx) {
  for (auto [resource, row] : {std::pair{DirectoryResource::kUser, &user_row_},
                               std::pair{DirectoryResource::kGroup, &group_row_}}) {
    const size_t n = ScalarColumns(resource).size();
    row->texts.resize(n);
    row->integers.resize(n);
    row->indicators.resize(n, soci::i_null);
  }
}

// ---- transactions ---------------------------------------------------------

Status SociDirectoryStore::Atomic(const std::function<Status()>& f) {
  if (ctx_.in_transaction) {
    PORTICO_RETURN_IF_ERROR(Guard(ctx_, "", [&]() -> Status {
      ExecPrepared(ctx_, savepoint_, kSavepointSql);
      return Status();
    }));
    Status status = f();
    if (ctx_.broken) return status;
    Status closed = Guard(ctx_, "", [&]() -> Status {
      if (!status.ok()) ExecPrepared(ctx_, rollback_to_, kRollbackToSql);
      ExecPrepared(ctx_, release_, kReleaseSql);
      return Status();
    });
    return status.ok() ? closed : status;
  }
  PORTICO_RETURN_IF_ERROR(Guard(ctx_, "", [&]() -> Status {
    ExecPrepared(ctx_, begin_, BeginTransactionSql(ctx_.dialect));
    return Status();
  }));
  ctx_.in_transaction = true;
  Status status = f();
  if (status.ok() && !ctx_.broken) {
    status = Guard(ctx_, "", [&]() -> Status {
      ExecPrepared(ctx_, commit_, kCommitSql);
      return Status();
    });
  }
  if (!status.ok() && !ctx_.broken) {
    Status rolled_back = Guard(ctx_, "", [&]() -> Status {
      ExecPrepared(ctx_, rollback_, kRollbackSql);
      return Status();
    });
    // A session whose transaction state is unknown is not reused as is.
    if (!rolled_back.ok()) ctx_.broken = true;
  }
  ctx_.in_transaction = false;
  return status;
}

// ---- rows -------------------------------------------------------------------

Status SociDirectoryStore::FillRow(DirectoryResource resource, const ResourceRecord& record,
                                   Row& row) {
  const char* name_attr = resource == DirectoryResource::kUser ? "userName" : "displayName";
  const Json* name = record.document.Find(name_attr);
  if (name == nullptr || !name->is_string()) {
    return InvalidArgument(std::string(name_attr) + " is required")
        .WithTag(std::string(scim::kInvalidValue));
  }
  row.id = record.id;
  row.tenant_id = record.tenant_id;
  row.name = name->as_string();
  const Json* display = record.document.Find("displayName");
  row.display_name_ind = display != nullptr && display->is_string() ? soci::i_ok : soci::i_null;
  row.display_name = row.display_name_ind == soci::i_ok ? display->as_string() : "";
  row.document = record.document.Dump();
  row.version = record.version;
  row.created_at = ToUnixMillis(record.created_at);
  row.updated_at = ToUnixMillis(record.updated_at);
  std::vector<ColumnValue> values = ComputeScalarColumns(resource, record.document);
  for (size_t i = 0; i < values.size(); ++i) {
    row.indicators[i] = values[i].null ? soci::i_null : soci::i_ok;
    row.texts[i] = std::move(values[i].text);
    row.integers[i] = values[i].integer;
  }
  return Status();
}

StatusOr<ResourceRecord> SociDirectoryStore::FindRecord(DirectoryResource resource,
                                                        std::optional<soci::statement>& st,
                                                        std::string_view tenant_id,
                                                        std::string_view id) {
  return Guard(ctx_, "", [&]() -> StatusOr<ResourceRecord> {
    key_.assign(tenant_id);
    key2_.assign(id);
    if (!st) {
      st.emplace((
          ctx_.sql.prepare << (resource == DirectoryResource::kUser ? kFindUserSql : kFindGroupSql),
          soci::use(key_), soci::use(key2_), soci::into(found_document_),
          soci::into(found_version_), soci::into(found_created_), soci::into(found_updated_)));
    }
    const bool found = st->execute(true);
    if (!found) {
      return NotFound(resource == DirectoryResource::kUser ? "user not found" : "group not found");
    }
    ResourceRecord record;
    record.id = key2_;
    record.tenant_id = key_;
    record.version = found_version_;
    record.created_at = FromUnixMillis(found_created_);
    record.updated_at = FromUnixMillis(found_updated_);
    StatusOr<Json> document = ParseJson(found_document_);
    Drain(*st);
    if (!document.ok()) return CorruptRow(Table(resource), id, document.status());
    record.document = std::move(document).value();
    return record;
  });
}

Status SociDirectoryStore::MissOrConflict(DirectoryResource resource, std::string_view tenant_id,
                                          std::string_view id) {
  std::optional<soci::statement>& st =
      resource == DirectoryResource::kUser ? user_version_ : group_version_;
  return Guard(ctx_, "", [&]() -> Status {
    key_.assign(tenant_id);
    key2_.assign(id);
    if (!st) {
      st.emplace((ctx_.sql.prepare << (resource == DirectoryResource::kUser ? kUserVersionSql
                                                                            : kGroupVersionSql),
                  soci::use(key_), soci::use(key2_), soci::into(number_)));
    }
    const bool found = st->execute(true);
    Drain(*st);
    if (!found) {
      return NotFound(resource == DirectoryResource::kUser ? "user not found" : "group not found");
    }
    return Aborted("the resource was changed concurrently; read it again");
  });
}

// ---- users ----------------------------------------------------------------

Status SociDirectoryStore::InsertUser(const ResourceRecord& user,
                                      const std::optional<std::string>& password_hash) {
  return InsertUserRow(user, password_hash, std::nullopt);
}

Status SociDirectoryStore::InsertUserRow(const ResourceRecord& user,
                                         const std::optional<std::string>& password_hash,
                                         std::optional<TimePoint> email_verified_at) {
  Row& row = user_row_;
  PORTICO_RETURN_IF_ERROR(FillRow(DirectoryResource::kUser, user, row));
  row.password_hash = password_hash.value_or("");
  row.password_hash_ind = password_hash ? soci::i_ok : soci::i_null;
  row.email_verified_at = email_verified_at ? ToUnixMillis(*email_verified_at) : 0;
  row.email_verified_ind = email_verified_at ? soci::i_ok : soci::i_null;
  return Atomic([&]() -> Status {
    Status inserted = Guard(ctx_, kUserNameConflict, [&]() -> Status {
      if (!insert_user_) {
        soci::details::prepare_temp_type p =
            (ctx_.sql.prepare << InsertSql(DirectoryResource::kUser));
        p, soci::use(row.id), soci::use(row.tenant_id), soci::use(row.name),
            soci::use(row.display_name, row.display_name_ind),
            soci::use(row.password_hash, row.password_hash_ind),
            soci::use(row.email_verified_at, row.email_verified_ind), soci::use(row.document),
            soci::use(row.version), soci::use(row.created_at), soci::use(row.updated_at);
        BindColumns(p, DirectoryResource::kUser, row);
        insert_user_.emplace(p);
      }
      insert_user_->execute(true);
      return Status();
    });
    // Which constraint: SQLite names the column, PostgreSQL the index (the error text also
    // quotes the statement, which names every column).
    if (inserted.code() == StatusCode::kAlreadyExists &&
        (inserted.internal().find("users.id") != std::string::npos ||
         inserted.internal().find("users_pkey") != std::string::npos)) {
      return AlreadyExists(kUserIdConflict).WithInternal(inserted.internal());
    }
    PORTICO_RETURN_IF_ERROR(inserted);
    return ReplaceUserValues(user);
  });
}

Status SociDirectoryStore::ReplaceUserValues(const ResourceRecord& user) {
  int rows = 0;
  std::string json = ComputeUserValueRows(user.document, &rows);
  return Guard(ctx_, "", [&]() -> Status {
    key_ = user.tenant_id;
    key2_ = user.id;
    if (!delete_user_values_) {
      delete_user_values_.emplace(
          (ctx_.sql.prepare << kDeleteUserValuesSql, soci::use(key_), soci::use(key2_)));
    }
    delete_user_values_->execute(true);
    if (rows == 0) return Status();
    text_ = std::move(json);
    if (!insert_user_values_) {
      insert_user_values_.emplace(
          (ctx_.sql.prepare << ForDialect(ctx_.dialect, kInsertUserValuesSqlite,
                                          kInsertUserValuesPostgres),
           soci::use(key_), soci::use(key2_), soci::use(text_)));
    }
    insert_user_values_->execute(true);
    return Status();
  });
}

StatusOr<ResourceRecord> SociDirectoryStore::FindUser(std::string_view tenant_id,
                                                      std::string_view id) {
  return FindRecord(DirectoryResource::kUser, find_user_, tenant_id, id);
}

Status SociDirectoryStore::UpdateUser(const ResourceRecord& user, int64_t expected_version,
                                      const std::optional<std::string>& password_hash) {
  Row& row = user_row_;
  PORTICO_RETURN_IF_ERROR(FillRow(DirectoryResource::kUser, user, row));
  row.password_hash = password_hash.value_or("");
  row.password_hash_ind = password_hash ? soci::i_ok : soci::i_null;
  row.expected_version = expected_version;
  return Atomic([&]() -> Status {
    long long updated = 0;
    PORTICO_RETURN_IF_ERROR(Guard(ctx_, kUserNameConflict, [&]() -> Status {
      if (!update_user_) {
        soci::details::prepare_temp_type p =
            (ctx_.sql.prepare << UpdateSql(DirectoryResource::kUser));
        p, soci::use(row.name), soci::use(row.display_name, row.display_name_ind),
            soci::use(row.password_hash, row.password_hash_ind), soci::use(row.document),
            soci::use(row.version), soci::use(row.updated_at);
        BindColumns(p, DirectoryResource::kUser, row);
        p, soci::use(row.tenant_id), soci::use(row.id), soci::use(row.expected_version);
        update_user_.emplace(p);
      }
      update_user_->execute(true);
      updated = update_user_->get_affected_rows();
      return Status();
    }));
    if (updated == 0) return MissOrConflict(DirectoryResource::kUser, user.tenant_id, user.id);
    return ReplaceUserValues(user);
  });
}

Status SociDirectoryStore::DeleteUser(std::string_view tenant_id, std::string_view id,
                                      TimePoint now) {
  return Atomic([&]() -> Status {
    return Guard(ctx_, "", [&]() -> Status {
      key_.assign(tenant_id);
      key2_.assign(id);
      key3_.assign(tenant_id);
      now_ = ToUnixMillis(now);
      if (!delete_user_values_) {
        delete_user_values_.emplace(
            (ctx_.sql.prepare << kDeleteUserValuesSql, soci::use(key_), soci::use(key2_)));
      }
      delete_user_values_->execute(true);
      if (!delete_user_) {
        delete_user_.emplace(
            (ctx_.sql.prepare << kDeleteUserSql, soci::use(key_), soci::use(key2_)));
      }
      delete_user_->execute(true);
      if (delete_user_->get_affected_rows() == 0) return NotFound("user not found");
      if (!bump_groups_of_user_) {
        bump_groups_of_user_.emplace((ctx_.sql.prepare << kBumpGroupsOfUserSql, soci::use(now_),
                                      soci::use(key_), soci::use(key3_), soci::use(key2_)));
      }
      bump_groups_of_user_->execute(true);
      if (!delete_user_memberships_) {
        delete_user_memberships_.emplace(
            (ctx_.sql.prepare << kDeleteUserMembershipsSql, soci::use(key_), soci::use(key2_)));
      }
      delete_user_memberships_->execute(true);
      return Status();
    });
  });
}

StatusOr<scim::DirectoryStore::UserWithGroups> SociDirectoryStore::FindUserWithGroups(
    std::string_view tenant_id, std::string_view id, scim::DocumentForm form) {
  return Guard(ctx_, "", [&]() -> StatusOr<UserWithGroups> {
    key_.assign(tenant_id);
    key2_.assign(id);
    if (!find_user_with_groups_) {
      find_user_with_groups_.emplace(
          (ctx_.sql.prepare << ForDialect(ctx_.dialect, kFindUserWithGroupsSqlite,
                                          kFindUserWithGroupsPostgres),
           soci::use(key_), soci::use(key2_), soci::into(found_document_),
           soci::into(found_version_), soci::into(found_created_), soci::into(found_updated_),
           soci::into(text_)));
    }
    if (!find_user_with_groups_->execute(true)) return NotFound("user not found");
    UserWithGroups out;
    ResourceRecord& record = out.user;
    record.id = key2_;
    record.tenant_id = key_;
    record.version = found_version_;
    record.created_at = FromUnixMillis(found_created_);
    record.updated_at = FromUnixMillis(found_updated_);
    Status document = TakeDocument("users", found_document_, form, record);
    StatusOr<Json> groups = ParseJson(text_);
    Drain(*find_user_with_groups_);
    PORTICO_RETURN_IF_ERROR(document);
    if (!groups.ok()) return CorruptRow("users", id, groups.status());
    const Json::Array empty;
    for (const Json& pair : groups->is_array() ? groups->as_array() : empty) {
      const bool well_formed = pair.is_array() && pair.as_array().size() == 2 &&
                               pair.as_array()[0].is_string() && pair.as_array()[1].is_string();
      if (!well_formed) return CorruptRow("directory_groups", id, Internal("not an id/name pair"));
      out.groups.push_back(
          scim::GroupRef{pair.as_array()[0].as_string(), pair.as_array()[1].as_string()});
    }
    return out;
  });
}

StatusOr<std::vector<scim::GroupRef>> SociDirectoryStore::GroupsOfUser(std::string_view tenant_id,
                                                                       std::string_view user_id) {
  return Guard(ctx_, "", [&]() -> StatusOr<std::vector<scim::GroupRef>> {
    key_.assign(tenant_id);
    key2_.assign(user_id);
    if (!groups_of_user_) {
      groups_of_user_.emplace((ctx_.sql.prepare << kGroupsOfUserSql, soci::use(key_),
                               soci::use(key2_), soci::into(key3_), soci::into(text_)));
    }
    std::vector<scim::GroupRef> out;
    if (groups_of_user_->execute(true)) {
      do out.push_back(scim::GroupRef{key3_, text_});
      while (groups_of_user_->fetch());
    }
    return out;
  });
}

StatusOr<std::vector<std::vector<scim::GroupRef>>> SociDirectoryStore::GroupsOfUsers(
    std::string_view tenant_id, const std::vector<std::string>& user_ids) {
  std::vector<std::vector<scim::GroupRef>> out(user_ids.size());
  if (user_ids.empty()) return out;
  if (user_ids.size() == 1) {
    // A one-user page (the IdP's userName eq lookup) reuses GroupsOfUser's prepared statement:
    // preparing the IN-list query below costs SQLite ~150k instructions, several times the
    // rest of such a request. Same order (display_name_key, display_name, id).
    PORTICO_ASSIGN_OR_RETURN(out[0], GroupsOfUser(tenant_id, user_ids[0]));
    return out;
  }
  std::unordered_map<std::string_view, size_t> slot;
  SqlBuilder q;
  q.Append("SELECT gm.member_id, g.id, g.display_name FROM group_members gm ");
  q.Append("JOIN directory_groups g ON g.id = gm.group_id AND g.tenant_id = gm.tenant_id ");
  q.Append("WHERE gm.tenant_id = ").Bind(SqlParam::Text(std::string(tenant_id)));
  q.Append(" AND gm.member_type = 'User' AND gm.member_id IN (");
  for (size_t i = 0; i < user_ids.size(); ++i) {
    if (i > 0) q.Append(", ");
    q.Bind(SqlParam::Text(user_ids[i]));
    slot.emplace(user_ids[i], i);
  }
  q.Append(") ORDER BY g.display_name_key, g.display_name, g.id");
  PORTICO_RETURN_IF_ERROR(Guard(ctx_, "", [&]() -> Status {
    std::string member_id, group_id, display_name;
    soci::statement st(ctx_.sql);
    BindParams(st, q.params);
    st.exchange(soci::into(member_id));
    st.exchange(soci::into(group_id));
    st.exchange(soci::into(display_name));
    st.alloc();
    st.prepare(q.sql);
    st.define_and_bind();
    for (bool row = st.execute(true); row; row = st.fetch()) {
      auto it = slot.find(member_id);
      if (it != slot.end()) out[it->second].push_back(scim::GroupRef{group_id, display_name});
    }
    return Status();
  }));
  return out;
}

StatusOr<scim::Page> SociDirectoryStore::ListUsers(std::string_view tenant_id,
                                                   const PageRequest& request) {
  return List(DirectoryResource::kUser, tenant_id, request);
}

// ---- groups ---------------------------------------------------------------

StatusOr<std::string> SociDirectoryStore::StageMembers(const std::vector<MemberRef>& members) {
  Json staged = Json::MakeArray();
  for (const MemberRef& m : members) {
    std::string type;
    if (AsciiEqualsIgnoreCase(m.type, "User")) {
      type = "User";
    } else if (AsciiEqualsIgnoreCase(m.type, "Group")) {
      type = "Group";
    } else if (!m.type.empty()) {
      return scim::BadRequest(scim::kInvalidValue, "member '" + m.value + "' has type '" + m.type +
                                                       "'; expected User or Group");
    }
    staged.Push(Json::MakeObject().Set("v", m.value).Set("t", std::move(type)));
  }
  return staged.Dump();
}

Status SociDirectoryStore::ValidateMembers(std::string_view tenant_id, const std::string& staged) {
  return Guard(ctx_, "", [&]() -> Status {
    std::string tenant(tenant_id), tenant2(tenant_id), first;
    soci::indicator first_ind = soci::i_null;
    const std::string sql = std::string(ForDialect(ctx_.dialect, kStagedSqlite, kStagedPostgres)) +
                            kFirstInvalidMemberSql;
    soci::statement st = (ctx_.sql.prepare << sql, soci::use(staged), soci::use(tenant),
                          soci::use(tenant2), soci::into(first, first_ind));
    const bool found = st.execute(true);
    Drain(st);
    if (!found) return Status();
    return scim::BadRequest(scim::kInvalidValue,
                            "member '" + (first_ind == soci::i_ok ? first : std::string()) +
                                "' is not a user or group of this tenant");
  });
}

Status SociDirectoryStore::AddMembers(std::string_view tenant_id, std::string_view group_id,
                                      const std::string& staged) {
  return Guard(ctx_, "", [&]() -> Status {
    std::string tenant(tenant_id), tenant2(tenant_id), group(group_id);
    const std::string sql =
        std::string(ForDialect(ctx_.dialect, kStagedSqlite, kStagedPostgres)) + kAddMembersSql;
    ctx_.sql << sql, soci::use(staged), soci::use(tenant), soci::use(group), soci::use(tenant2);
    return Status();
  });
}

Status SociDirectoryStore::ApplyMemberChange(std::string_view tenant_id, std::string_view group_id,
                                             const scim::MemberChange& change) {
  if (change.empty()) return Status();
  PORTICO_ASSIGN_OR_RETURN(std::string added, StageMembers(change.add));
  if (!change.add.empty()) PORTICO_RETURN_IF_ERROR(ValidateMembers(tenant_id, added));
  const char* staged_sql = ForDialect(ctx_.dialect, kStagedSqlite, kStagedPostgres);
  PORTICO_RETURN_IF_ERROR(Guard(ctx_, "", [&]() -> Status {
    std::string group(group_id);
    if (change.replace) {
      const std::string sql =
          std::string(staged_sql) +
          ForDialect(ctx_.dialect, kKeepOnlyMembersSqlite, kKeepOnlyMembersPostgres);
      ctx_.sql << sql, soci::use(added), soci::use(group);
      return Status();
    }
    if (change.remove_all) {
      ctx_.sql << kRemoveAllMembersSql, soci::use(group);
    } else if (!change.remove.empty()) {
      Json removed = Json::MakeArray();
      for (const std::string& id : change.remove) removed.Push(Json::MakeObject().Set("v", id));
      const std::string removed_text = removed.Dump();
      const std::string sql = std::string(staged_sql) + kRemoveMembersSql;
      ctx_.sql << sql, soci::use(removed_text), soci::use(group);
    }
    return Status();
  }));
  if (change.add.empty()) return Status();
  return AddMembers(tenant_id, group_id, added);
}

Status SociDirectoryStore::InsertGroup(const ResourceRecord& group,
                                       const std::vector<MemberRef>& members) {
  Row& row = group_row_;
  PORTICO_RETURN_IF_ERROR(FillRow(DirectoryResource::kGroup, group, row));
  PORTICO_ASSIGN_OR_RETURN(std::string staged, StageMembers(members));
  return Atomic([&]() -> Status {
    if (!members.empty()) PORTICO_RETURN_IF_ERROR(ValidateMembers(group.tenant_id, staged));
    PORTICO_RETURN_IF_ERROR(Guard(ctx_, kGroupConflict, [&]() -> Status {
      if (!insert_group_) {
        soci::details::prepare_temp_type p =
            (ctx_.sql.prepare << InsertSql(DirectoryResource::kGroup));
        p, soci::use(row.id), soci::use(row.tenant_id), soci::use(row.name),
            soci::use(row.document), soci::use(row.version), soci::use(row.created_at),
            soci::use(row.updated_at);
        BindColumns(p, DirectoryResource::kGroup, row);
        insert_group_.emplace(p);
      }
      insert_group_->execute(true);
      return Status();
    }));
    if (members.empty()) return Status();
    return AddMembers(group.tenant_id, group.id, staged);
  });
}

StatusOr<ResourceRecord> SociDirectoryStore::FindGroup(std::string_view tenant_id,
                                                       std::string_view id) {
  return FindRecord(DirectoryResource::kGroup, find_group_, tenant_id, id);
}

Status SociDirectoryStore::UpdateGroup(const ResourceRecord& group, int64_t expected_version,
                                       const scim::MemberChange& members) {
  Row& row = group_row_;
  PORTICO_RETURN_IF_ERROR(FillRow(DirectoryResource::kGroup, group, row));
  row.expected_version = expected_version;
  return Atomic([&]() -> Status {
    long long updated = 0;
    PORTICO_RETURN_IF_ERROR(Guard(ctx_, kGroupConflict, [&]() -> Status {
      if (!update_group_) {
        soci::details::prepare_temp_type p =
            (ctx_.sql.prepare << UpdateSql(DirectoryResource::kGroup));
        p, soci::use(row.name), soci::use(row.document), soci::use(row.version),
            soci::use(row.updated_at);
        BindColumns(p, DirectoryResource::kGroup, row);
        p, soci::use(row.tenant_id), soci::use(row.id), soci::use(row.expected_version);
        update_group_.emplace(p);
      }
      update_group_->execute(true);
      updated = update_group_->get_affected_rows();
      return Status();
    }));
    if (updated == 0) return MissOrConflict(DirectoryResource::kGroup, group.tenant_id, group.id);
    return ApplyMemberChange(group.tenant_id, group.id, members);
  });
}

Status SociDirectoryStore::DeleteGroup(std::string_view tenant_id, std::string_view id,
                                       TimePoint now) {
  return Atomic([&]() -> Status {
    return Guard(ctx_, "", [&]() -> Status {
      key_.assign(tenant_id);
      key2_.assign(id);
      key3_.assign(tenant_id);
      now_ = ToUnixMillis(now);
      if (!delete_group_) {
        delete_group_.emplace(
            (ctx_.sql.prepare << kDeleteGroupSql, soci::use(key_), soci::use(key2_)));
      }
      delete_group_->execute(true);
      if (delete_group_->get_affected_rows() == 0) return NotFound("group not found");
      // Its own members go with it (ON DELETE CASCADE); said again for a session without
      // foreign keys.
      std::string group(id);
      ctx_.sql << kRemoveAllMembersSql, soci::use(group);
      // The groups it was a member of show a new member list.
      if (!bump_groups_of_group_) {
        bump_groups_of_group_.emplace((ctx_.sql.prepare << kBumpGroupsOfGroupSql, soci::use(now_),
                                       soci::use(key_), soci::use(key3_), soci::use(key2_)));
      }
      bump_groups_of_group_->execute(true);
      if (!delete_group_memberships_) {
        delete_group_memberships_.emplace(
            (ctx_.sql.prepare << kDeleteGroupMembershipsSql, soci::use(key_), soci::use(key2_)));
      }
      delete_group_memberships_->execute(true);
      return Status();
    });
  });
}

StatusOr<scim::Page> SociDirectoryStore::ListGroups(std::string_view tenant_id,
                                                    const PageRequest& request) {
  return List(DirectoryResource::kGroup, tenant_id, request);
}

Status SociDirectoryStore::ForEachMember(
    std::string_view tenant_id, std::string_view group_id,
    const std::function<Status(const scim::MemberRecord&)>& visit) {
  PORTICO_RETURN_IF_ERROR(Guard(ctx_, "", [&]() -> Status {
    key_.assign(tenant_id);
    key2_.assign(group_id);
    if (!group_exists_) {
      group_exists_.emplace((ctx_.sql.prepare << kGroupExistsSql, soci::use(key_), soci::use(key2_),
                             soci::into(number_)));
    }
    group_exists_->execute(true);
    Drain(*group_exists_);
    return number_ == 0 ? NotFound("group not found") : Status();
  }));
  std::string after;
  for (;;) {
    std::vector<scim::MemberRecord> batch;
    PORTICO_RETURN_IF_ERROR(Guard(ctx_, "", [&]() -> Status {
      key2_.assign(group_id);
      key3_ = after;
      batch_ids_.resize(kMemberBatch);
      batch_types_.resize(kMemberBatch);
      batch_names_.resize(kMemberBatch);
      batch_name_inds_.resize(kMemberBatch);
      if (!member_batch_) {
        member_batch_.emplace((ctx_.sql.prepare << kMemberBatchSql, soci::use(key2_),
                               soci::use(key3_), soci::into(batch_ids_), soci::into(batch_types_),
                               soci::into(batch_names_, batch_name_inds_)));
      }
      if (!member_batch_->execute(true)) return Status();
      batch.reserve(batch_ids_.size());
      for (size_t i = 0; i < batch_ids_.size(); ++i) {
        batch.push_back(scim::MemberRecord{
            batch_ids_[i], batch_types_[i],
            batch_name_inds_[i] == soci::i_ok ? batch_names_[i] : std::string()});
      }
      Drain(*member_batch_);
      return Status();
    }));
    // Visited with no statement open: `visit` may take its time (it writes a response).
    for (const scim::MemberRecord& member : batch) PORTICO_RETURN_IF_ERROR(visit(member));
    if (static_cast<int>(batch.size()) < kMemberBatch) return Status();
    after = batch.back().id;
  }
}

// ---- lists ----------------------------------------------------------------

StatusOr<std::optional<Page>> SociDirectoryStore::FindByUserName(std::string_view tenant_id,
                                                                 const PageRequest& request) {
  // The IdP's "does this user exist?" (userName eq "…"): one prepared unique-index lookup.
  if (!IsUserNameEquality(request.filter) || request.sort || request.after) {
    return std::optional<Page>();
  }
  return Guard(ctx_, "", [&]() -> StatusOr<std::optional<Page>> {
    key_.assign(tenant_id);
    key2_ = FoldCase(request.filter->value.text);
    if (!find_user_by_name_) {
      find_user_by_name_.emplace((ctx_.sql.prepare << kFindUserByNameSql, soci::use(key_),
                                  soci::use(key2_), soci::into(key3_), soci::into(found_document_),
                                  soci::into(found_version_), soci::into(found_created_),
                                  soci::into(found_updated_)));
    }
    Page page;
    if (!find_user_by_name_->execute(true)) return std::optional(std::move(page));
    page.total_results = 1;
    ResourceRecord record;
    record.id = key3_;
    record.tenant_id = key_;
    record.version = found_version_;
    record.created_at = FromUnixMillis(found_created_);
    record.updated_at = FromUnixMillis(found_updated_);
    Status document = TakeDocument("users", found_document_, request.document_form, record);
    Drain(*find_user_by_name_);
    PORTICO_RETURN_IF_ERROR(document);
    if (request.count > 0 && request.start_index <= 1) page.items.push_back(std::move(record));
    return std::optional(std::move(page));
  });
}

StatusOr<Page> SociDirectoryStore::List(DirectoryResource resource, std::string_view tenant_id,
                                        const PageRequest& request) {
  if (resource == DirectoryResource::kUser) {
    PORTICO_ASSIGN_OR_RETURN(std::optional<Page> quick, FindByUserName(tenant_id, request));
    if (quick) return std::move(*quick);
  }
  std::optional<SortExpression> sort;
  if (request.sort) {
    PORTICO_ASSIGN_OR_RETURN(sort, SortSql(request.sort->attr, resource));
  }
  const std::string sort_id = SortId(request);
  std::optional<Position> after;
  if (request.after) {
    PORTICO_ASSIGN_OR_RETURN(after, DecodePosition(*request.after, sort_id, sort));
  }
  const int count = std::max(request.count, 0);
  const long long offset = after ? 0 : std::max<int64_t>(request.start_index, 1) - 1;
  const std::string table = Table(resource);

  // WHERE tenant AND filter, built afresh for each statement (placeholders are numbered).
  const auto where = [&](SqlBuilder& b) -> Status {
    b.Append(" FROM ").Append(table).Append(" r WHERE r.tenant_id = ");
    b.Bind(SqlParam::Text(std::string(tenant_id)));
    if (request.filter == nullptr) return Status();
    b.Append(" AND ");
    return AppendFilterSql(*request.filter, resource, ctx_.dialect, tenant_id, b);
  };

  Page page;
  SqlBuilder total;
  total.Append("SELECT COUNT(*)");
  PORTICO_RETURN_IF_ERROR(where(total));
  PORTICO_RETURN_IF_ERROR(Guard(ctx_, "", [&]() -> Status {
    long long n = 0;
    soci::statement st(ctx_.sql);
    BindParams(st, total.params);
    st.exchange(soci::into(n));
    st.alloc();
    st.prepare(total.sql);
    st.define_and_bind();
    st.execute(true);
    Drain(st);
    page.total_results = n;
    return Status();
  }));
  if (count == 0) return page;

  SqlBuilder q;
  q.Append("SELECT r.id, r.document, r.version, r.created_at, r.updated_at");
  if (sort) q.Append(", ").Append(sort->sql);
  PORTICO_RETURN_IF_ERROR(where(q));
  if (after) {
    // Keyset: strictly after the position in (sort key NULLs last, created_at, id) order.
    const auto tail = [&] {
      q.Append("(r.created_at > ").Bind(SqlParam::Integer(after->created_at));
      q.Append(" OR (r.created_at = ").Bind(SqlParam::Integer(after->created_at));
      q.Append(" AND r.id > ").Bind(SqlParam::Text(after->id)).Append("))");
    };
    const auto key = [&] {
      q.Bind(sort->integer ? SqlParam::Integer(after->key_integer)
                           : SqlParam::Text(after->key_text));
    };
    q.Append(" AND ");
    if (!sort) {
      tail();
    } else if (after->key_null) {
      q.Append("(").Append(sort->sql).Append(" IS NULL AND ");
      tail();
      q.Append(")");
    } else {
      const std::string& k = sort->sql;
      q.Append("((").Append(k).Append(" IS NOT NULL AND ").Append(k);
      q.Append(request.sort->descending ? " < " : " > ");
      key();
      q.Append(") OR (").Append(k).Append(" IS NOT NULL AND ").Append(k).Append(" = ");
      key();
      q.Append(" AND ");
      tail();
      q.Append(") OR ").Append(k).Append(" IS NULL)");
    }
  }
  q.Append(" ORDER BY ");
  if (sort) {
    q.Append("CASE WHEN ").Append(sort->sql).Append(" IS NULL THEN 1 ELSE 0 END, ");
    q.Append(sort->sql).Append(request.sort->descending ? " DESC, " : ", ");
  }
  // One row more than asked: whether more follow.
  q.Append("r.created_at, r.id LIMIT ").Bind(SqlParam::Integer(count + 1LL));
  q.Append(" OFFSET ").Bind(SqlParam::Integer(offset));

  Position last;
  last.sort_id = sort_id;
  bool more = false;
  PORTICO_RETURN_IF_ERROR(Guard(ctx_, "", [&]() -> Status {
    std::string id, document, key_text;
    long long version = 0, created_at = 0, updated_at = 0, key_integer = 0;
    soci::indicator key_ind = soci::i_null;
    soci::statement st(ctx_.sql);
    BindParams(st, q.params);
    st.exchange(soci::into(id));
    st.exchange(soci::into(document));
    st.exchange(soci::into(version));
    st.exchange(soci::into(created_at));
    st.exchange(soci::into(updated_at));
    if (sort && sort->integer) st.exchange(soci::into(key_integer, key_ind));
    if (sort && !sort->integer) st.exchange(soci::into(key_text, key_ind));
    st.alloc();
    st.prepare(q.sql);
    st.define_and_bind();
    Status status;
    for (bool row = st.execute(true); row; row = st.fetch()) {
      if (static_cast<int>(page.items.size()) == count) {
        more = true;
        continue;  // read on to the end (Drain)
      }
      ResourceRecord record;
      record.id = id;
      if (Status taken = TakeDocument(table, document, request.document_form, record);
          !taken.ok()) {
        if (status.ok()) status = taken;
        continue;
      }
      record.tenant_id = std::string(tenant_id);
      record.version = version;
      record.created_at = FromUnixMillis(created_at);
      record.updated_at = FromUnixMillis(updated_at);
      page.items.push_back(std::move(record));
      last.key_null = !sort || key_ind != soci::i_ok;
      last.key_text = key_text;
      last.key_integer = key_integer;
      last.created_at = created_at;
      last.id = id;
    }
    return status;
  }));
  if (more) page.next_position = EncodePosition(last, sort && sort->integer);
  return page;
}

}  // namespace portico::db
