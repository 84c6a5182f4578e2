#pragma once

// Internal to db/: the SOCI DirectoryStore (SCIM users, groups and
// memberships) of one pooled session. See scim/directory_store.h for the
// contract; the SQL lives in soci_directory_store.cc and filter_sql.cc.

#include <soci/soci.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/directory_schema.h"
#include "db/session.h"
#include "scim/directory_store.h"

namespace portico::db {

class SociDirectoryStore : public scim::DirectoryStore {
 public:
  explicit SociDirectoryStore(SessionContext& ctx);

  Status InsertUser(const scim::ResourceRecord& user,
                    const std::optional<std::string>& password_hash) override;
  // InsertUser that also sets the row's email_verified_at (NULL when nullopt): the one path
  // that writes a users row and its user_values, shared with SociAccountStore::InsertUser.
  // Same atomicity, errors and conflict mapping as InsertUser. Not thread-safe.
  Status InsertUserRow(const scim::ResourceRecord& user,
                       const std::optional<std::string>& password_hash,
                       std::optional<TimePoint> email_verified_at);
  StatusOr<scim::ResourceRecord> FindUser(std::string_view tenant_id, std::string_view id) override;
  StatusOr<UserWithGroups> FindUserWithGroups(std::string_view tenant_id, std::string_view id,
                                              scim::DocumentForm form) override;
  Status UpdateUser(const scim::ResourceRecord& user, int64_t expected_version,
                    const std::optional<std::string>& password_hash) override;
  Status DeleteUser(std::string_view tenant_id, std::string_view id, TimePoint now) override;
  StatusOr<scim::Page> ListUsers(std::string_view tenant_id,
                                 const scim::PageRequest& request) override;
  StatusOr<std::vector<scim::GroupRef>> GroupsOfUser(std::string_view tenant_id,
                                                     std::string_view user_id) override;
  StatusOr<std::vector<std::vector<scim::GroupRef>>> GroupsOfUsers(
      std::string_view tenant_id, const std::vector<std::string>& user_ids) override;

  Status InsertGroup(const scim::ResourceRecord& group,
                     const std::vector<scim::MemberRef>& members) override;
  StatusOr<scim::ResourceRecord> FindGroup(std::string_view tenant_id,
                                           std::string_view id) override;
  Status UpdateGroup(const scim::ResourceRecord& group, int64_t expected_version,
                     const scim::MemberChange& members) override;
  Status DeleteGroup(std::string_view tenant_id, std::string_view id, TimePoint now) override;
  StatusOr<scim::Page> ListGroups(std::string_view tenant_id,
                                  const scim::PageRequest& request) override;
  Status ForEachMember(std::string_view tenant_id, std::string_view group_id,
                       const std::function<Status(const scim::MemberRecord&)>& visit) override;

 private:
  // The columns of a users / directory_groups row that statements bind.
  struct Row {
    std::string id, tenant_id, name, display_name, password_hash, document;
    soci::indicator display_name_ind = soci::i_null;
    soci::indicator password_hash_ind = soci::i_null;
    long long email_verified_at = 0;  // users only (005_accounts.sql)
    soci::indicator email_verified_ind = soci::i_null;
    long long version = 0, expected_version = 0, created_at = 0, updated_at = 0;
    // One slot per ScalarColumns() entry; sized once, so bound addresses stay put.
    std::vector<std::string> texts;
    std::vector<int> integers;
    std::vector<soci::indicator> indicators;
  };

  // Runs `f` atomically: in a transaction of its own in autocommit mode, under a savepoint
  // inside Database::Transact (so a failure undoes only this call's writes, and on PostgreSQL
  // leaves the caller's transaction usable).
  Status Atomic(const std::function<Status()>& f);

  Status FillRow(DirectoryResource resource, const scim::ResourceRecord& record, Row& row);
  StatusOr<scim::ResourceRecord> FindRecord(DirectoryResource resource,
                                            std::optional<soci::statement>& st,
                                            std::string_view tenant_id, std::string_view id);
  // After an UPDATE … WHERE version = expected matched nothing: NotFound or Aborted.
  Status MissOrConflict(DirectoryResource resource, std::string_view tenant_id,
                        std::string_view id);
  Status ReplaceUserValues(const scim::ResourceRecord& user);
  // InvalidArgument (invalidValue) naming the first member that is not a user or group of the
  // tenant (or not of the type the client gave).
  StatusOr<std::string> StageMembers(const std::vector<scim::MemberRef>& members);
  Status ValidateMembers(std::string_view tenant_id, const std::string& staged);
  Status AddMembers(std::string_view tenant_id, std::string_view group_id,
                    const std::string& staged);
  Status ApplyMemberChange(std::string_view tenant_id, std::string_view group_id,
                           const scim::MemberChange& change);
  StatusOr<scim::Page> List(DirectoryResource resource, std::string_view tenant_id,
                            const scim::PageRequest& request);
  StatusOr<std::optional<scim::Page>> FindByUserName(std::string_view tenant_id,
                                                     const scim::PageRequest& request);

  SessionContext& ctx_;
  Row user_row_;
  Row group_row_;
  // Buffers of the small prepared statements.
  std::string key_, key2_, key3_, text_;
  long long number_ = 0;
  long long now_ = 0;
  std::string found_document_;
  long long found_version_ = 0, found_created_ = 0, found_updated_ = 0;
  std::vector<std::string> batch_ids_, batch_types_, batch_names_;
  std::vector<soci::indicator> batch_name_inds_;

  std::optional<soci::statement> begin_, commit_, rollback_;
  std::optional<soci::statement> savepoint_, release_, rollback_to_;
  std::optional<soci::statement> insert_user_, find_user_, update_user_, user_version_;
  std::optional<soci::statement> delete_user_values_, insert_user_values_;
  std::optional<soci::statement> delete_user_, bump_groups_of_user_, delete_user_memberships_;
  std::optional<soci::statement> find_user_by_name_, groups_of_user_, find_user_with_groups_;
  std::optional<soci::statement> insert_group_, find_group_, update_group_, group_version_;
  std::optional<soci::statement> delete_group_, bump_groups_of_group_, delete_group_memberships_;
  std::optional<soci::statement> group_exists_, member_batch_;
};

}  // namespace portico::db
