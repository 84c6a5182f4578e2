#pragma once

// Internal to db/: the SOCI AccountStore of one pooled session (see
// soci_stores.h). The contract is in portico/account_store.h; the SQL lives in
// soci_account_store.cc. Accounts are the users rows of 002_directory.sql:
// InsertUser writes them through SociDirectoryStore::InsertUserRow, so an
// account is a SCIM User in every respect (document, match columns,
// user_values, uniqueness).

#include <soci/soci.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/session.h"
#include "db/soci_directory_store.h"
#include "portico/account_store.h"

namespace portico::db {

class StatementSavepoint;  // soci_stores.h

class SociAccountStore : public AccountStore {
 public:
  // `directory` is the same session's directory store; both outlive this object's use.
  SociAccountStore(SessionContext& ctx, StatementSavepoint& savepoint,
                   SociDirectoryStore& directory)
      : ctx_(ctx), savepoint_(savepoint), directory_(directory) {}

  Status InsertUser(const UserAccount& account) override;
  StatusOr<UserAccount> FindUserByEmail(std::string_view tenant_id,
                                        std::string_view email) override;
  StatusOr<UserAccount> FindUser(std::string_view tenant_id, std::string_view id) override;
  Status SetPasswordHash(std::string_view tenant_id, std::string_view user_id,
                         std::string_view password_hash, TimePoint now) override;
  Status MarkEmailVerified(std::string_view tenant_id, std::string_view user_id,
                           TimePoint now) override;

  Status InsertOrganization(const Organization& organization) override;
  StatusOr<Organization> FindOrganization(std::string_view tenant_id, std::string_view id) override;
  Status AddOrganizationMember(std::string_view tenant_id, const OrganizationMembership& membership,
                               TimePoint now) override;
  StatusOr<std::vector<OrganizationMembership>> MembershipsOf(std::string_view tenant_id,
                                                              std::string_view user_id) override;

  Status InsertSession(const AccountSession& session) override;
  StatusOr<AccountSession> FindSessionByHash(std::string_view token_hash) override;
  StatusOr<int64_t> DeleteExpiredSessions(TimePoint now) override;

 private:
  // The columns of a users row an account is read from.
  struct UserRow {
    std::string id, document, password_hash;
    soci::indicator password_hash_ind = soci::i_null;
    long long email_verified_at = 0;
    soci::indicator email_verified_ind = soci::i_null;
    int active = 0;
    soci::indicator active_ind = soci::i_null;
    long long created_at = 0;
  };

  // Runs the prepared SELECT `st` (tenant_id = key_, then key2_) and maps its row.
  StatusOr<UserAccount> FindOneUser(std::optional<soci::statement>& st, const char* sql_text,
                                    std::string_view tenant_id, std::string_view key);
  // Runs an UPDATE of one users row bound to key_ (tenant) and key2_ (id): NotFound when it
  // matched none.
  Status UpdateOneUser(soci::statement& st);

  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
  SociDirectoryStore& directory_;
  UserRow user_;
  std::string key_, key2_, key3_, text_, text2_;
  long long now_ = 0, count_ = 0;
  std::optional<soci::statement> find_user_by_key_, find_user_, set_password_, mark_verified_;
  std::optional<soci::statement> insert_organization_, find_organization_;
  std::optional<soci::statement> add_member_, member_exists_, memberships_of_;
  AccountSession session_;
  long long created_ = 0, expires_ = 0;
  std::optional<soci::statement> insert_session_, find_session_, delete_expired_sessions_;
};

}  // namespace portico::db
