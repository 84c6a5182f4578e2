#include "db/soci_account_store.h"

#include <utility>

#include "db/soci_stores.h"
#include "portico/case_fold.h"
#include "portico/json.h"
#include "portico/parse_json.h"
#include "scim/account_user.h"

namespace portico::db {
namespace {

#define PORTICO_ACCOUNT_COLUMNS \
  "id, document, password_hash, email_verified_at, active, created_at FROM users "

// user_name_key is the folded userName: the same unique key SCIM writes and matches.
constexpr char kFindUserByKeySql[] =
    "SELECT " PORTICO_ACCOUNT_COLUMNS "WHERE tenant_id = :t AND user_name_key = :k";
constexpr char kFindUserSql[] =
    "SELECT " PORTICO_ACCOUNT_COLUMNS "WHERE tenant_id = :t AND id = :id";

#undef PORTICO_ACCOUNT_COLUMNS

// Any change moves the SCIM version (meta.version, the ETag) and lastModified.
constexpr char kSetPasswordHashSql[] =
    "UPDATE users SET password_hash = :h, version = version + 1, updated_at = :now "
    "WHERE tenant_id = :t AND id = :id";
constexpr char kMarkEmailVerifiedSql[] =
    "UPDATE users SET email_verified_at = :at, version = version + 1, updated_at = :now "
    "WHERE tenant_id = :t AND id = :id";

constexpr char kInsertOrganizationSql[] =
    "INSERT INTO organizations (id, tenant_id, name, created_at) VALUES (:id, :t, :name, :at)";
constexpr char kFindOrganizationSql[] =
    "SELECT name, created_at FROM organizations WHERE tenant_id = :t AND id = :id";
// Inserts only when both the organization and the user are the tenant's; the CASTs give
// PostgreSQL the types of parameters that stand in a SELECT list.
constexpr char kAddMemberSql[] =
    "INSERT INTO organization_members (tenant_id, organization_id, user_id, role, created_at) "
    "SELECT o.tenant_id, o.id, u.id, CAST(:role AS TEXT), CAST(:now AS BIGINT) "
    "FROM organizations o, users u "
    "WHERE o.tenant_id = :t AND o.id = :o AND u.tenant_id = :t2 AND u.id = :u "
    "ON CONFLICT (organization_id, user_id) DO NOTHING";
constexpr char kMemberExistsSql[] =
    "SELECT COUNT(*) FROM organization_members "
    "WHERE tenant_id = :t AND organization_id = :o AND user_id = :u";
constexpr char kMembershipsOfSql[] =
    "SELECT m.organization_id, m.role FROM organization_members m "
    "JOIN organizations o ON o.id = m.organization_id "
    "WHERE m.tenant_id = :t AND m.user_id = :u ORDER BY o.created_at, o.id";

constexpr char kOrganizationConflict[] = "an organization with this id already exists";

// Inserts only when the user is the tenant's (as kAddMemberSql).
constexpr char kInsertSessionSql[] =
    "INSERT INTO account_sessions (id, tenant_id, user_id, token_hash, client_ip, user_agent, "
    "created_at, expires_at) "
    "SELECT CAST(:id AS TEXT), u.tenant_id, u.id, CAST(:h AS TEXT), CAST(:ip AS TEXT), "
    "CAST(:ua AS TEXT), CAST(:c AS BIGINT), CAST(:e AS BIGINT) "
    "FROM users u WHERE u.tenant_id = :t AND u.id = :u";
constexpr char kFindSessionSql[] =
    "SELECT id, tenant_id, user_id, client_ip, user_agent, created_at, expires_at "
    "FROM account_sessions WHERE token_hash = :h";
constexpr char kDeleteExpiredSessionsSql[] = "DELETE FROM account_sessions WHERE expires_at <= :now";
constexpr char kSessionConflict[] = "a session with this id or token already exists";

Status Corrupt(std::string_view what, std::string_view id, const Status& cause) {
  return Internal("database error")
      .WithInternal("corrupt " + std::string(what) + " " + std::string(id) + ": " +
                    cause.ToString());
}

}  // namespace

// ---- users --------------------------------------------------------------------

Status SociAccountStore::InsertUser(const UserAccount& account) {
  if (account.id.empty() || account.tenant_id.empty() || account.email.empty()) {
    return InvalidArgument("an account needs an id, a tenant and an email");
  }
  return directory_.InsertUserRow(scim::AccountUserRecord(account), account.password_hash,
                                  account.email_verified_at);
}

StatusOr<UserAccount> SociAccountStore::FindOneUser(std::optional<soci::statement>& st,
                                                    const char* sql_text,
                                                    std::string_view tenant_id,
                                                    std::string_view key) {
  return Guard(ctx_, "", [&]() -> StatusOr<UserAccount> {
    key_.assign(tenant_id);
    key2_.assign(key);
    if (!st) {
      UserRow& r = user_;
      st.emplace((ctx_.sql.prepare << sql_text, soci::use(key_), soci::use(key2_), soci::into(r.id),
                  soci::into(r.document), soci::into(r.password_hash, r.password_hash_ind),
                  soci::into(r.email_verified_at, r.email_verified_ind),
                  soci::into(r.active, r.active_ind), soci::into(r.created_at)));
    }
    if (!st->execute(true)) return NotFound("user not found");
    const UserRow& r = user_;
    UserAccount account;
    account.id = r.id;
    account.tenant_id = key_;
    if (r.password_hash_ind == soci::i_ok) account.password_hash = r.password_hash;
    if (r.email_verified_ind == soci::i_ok) {
      account.email_verified_at = FromUnixMillis(r.email_verified_at);
    }
    // SCIM leaves `active` out when the client did: such a user is not deactivated.
    account.active = r.active_ind != soci::i_ok || r.active != 0;
    account.created_at = FromUnixMillis(r.created_at);
    StatusOr<Json> document = ParseJson(r.document);
    Drain(*st);
    if (!document.ok() || !document->is_object()) {
      return Corrupt("users", account.id,
                     document.ok() ? Internal("document is not an object") : document.status());
    }
    scim::ReadAccountUser(*document, account);
    return account;
  });
}

StatusOr<UserAccount> SociAccountStore::FindUserByEmail(std::string_view tenant_id,
                                                        std::string_view email) {
  return FindOneUser(find_user_by_key_, kFindUserByKeySql, tenant_id, FoldCase(email));
}

StatusOr<UserAccount> SociAccountStore::FindUser(std::string_view tenant_id, std::string_view id) {
  return FindOneUser(find_user_, kFindUserSql, tenant_id, id);
}

Status SociAccountStore::UpdateOneUser(soci::statement& st) {
  st.execute(true);
  return st.get_affected_rows() == 0 ? NotFound("user not found") : Status();
}

Status SociAccountStore::SetPasswordHash(std::string_view tenant_id, std::string_view user_id,
                                         std::string_view password_hash, TimePoint now) {
  return Guard(ctx_, "", [&]() -> Status {
    key_.assign(tenant_id);
    key2_.assign(user_id);
    text_.assign(password_hash);
    now_ = ToUnixMillis(now);
    if (!set_password_) {
      set_password_.emplace((ctx_.sql.prepare << kSetPasswordHashSql, soci::use(text_),
                             soci::use(now_), soci::use(key_), soci::use(key2_)));
    }
    return UpdateOneUser(*set_password_);
  });
}

Status SociAccountStore::MarkEmailVerified(std::string_view tenant_id, std::string_view user_id,
                                           TimePoint now) {
  return Guard(ctx_, "", [&]() -> Status {
    key_.assign(tenant_id);
    key2_.assign(user_id);
    now_ = ToUnixMillis(now);
    if (!mark_verified_) {
      mark_verified_.emplace((ctx_.sql.prepare << kMarkEmailVerifiedSql, soci::use(now_),
                              soci::use(now_), soci::use(key_), soci::use(key2_)));
    }
    return UpdateOneUser(*mark_verified_);
  });
}

// ---- organizations ----------------------------------------------------------

Status SociAccountStore::InsertOrganization(const Organization& organization) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, kOrganizationConflict, [&]() -> Status {
      key_ = organization.id;
      key2_ = organization.tenant_id;
      text_ = organization.name;
      now_ = ToUnixMillis(organization.created_at);
      if (!insert_organization_) {
        insert_organization_.emplace((ctx_.sql.prepare << kInsertOrganizationSql, soci::use(key_),
                                      soci::use(key2_), soci::use(text_), soci::use(now_)));
      }
      insert_organization_->execute(true);
      return Status();
    });
  });
}

StatusOr<Organization> SociAccountStore::FindOrganization(std::string_view tenant_id,
                                                          std::string_view id) {
  return Guard(ctx_, "", [&]() -> StatusOr<Organization> {
    key_.assign(tenant_id);
    key2_.assign(id);
    if (!find_organization_) {
      find_organization_.emplace((ctx_.sql.prepare << kFindOrganizationSql, soci::use(key_),
                                  soci::use(key2_), soci::into(text_), soci::into(now_)));
    }
    if (!find_organization_->execute(true)) return NotFound("organization not found");
    Organization organization;
    organization.id = key2_;
    organization.tenant_id = key_;
    organization.name = text_;
    organization.created_at = FromUnixMillis(now_);
    Drain(*find_organization_);
    return organization;
  });
}

Status SociAccountStore::AddOrganizationMember(std::string_view tenant_id,
                                               const OrganizationMembership& membership,
                                               TimePoint now) {
  return Guard(ctx_, "", [&]() -> Status {
    key_.assign(tenant_id);
    key2_ = membership.organization_id;
    key3_ = membership.user_id;
    text_ = membership.role;
    text2_.assign(tenant_id);
    now_ = ToUnixMillis(now);
    if (!add_member_) {
      add_member_.emplace((ctx_.sql.prepare << kAddMemberSql, soci::use(text_), soci::use(now_),
                           soci::use(key_), soci::use(key2_), soci::use(text2_), soci::use(key3_)));
    }
    add_member_->execute(true);
    if (add_member_->get_affected_rows() > 0) return Status();
    // Nothing inserted: already a member (kept as is), or no such organization or user.
    if (!member_exists_) {
      member_exists_.emplace((ctx_.sql.prepare << kMemberExistsSql, soci::use(key_),
                              soci::use(key2_), soci::use(key3_), soci::into(count_)));
    }
    member_exists_->execute(true);
    Drain(*member_exists_);
    return count_ > 0 ? Status() : NotFound("organization or user not found");
  });
}

StatusOr<std::vector<OrganizationMembership>> SociAccountStore::MembershipsOf(
    std::string_view tenant_id, std::string_view user_id) {
  return Guard(ctx_, "", [&]() -> StatusOr<std::vector<OrganizationMembership>> {
    key_.assign(tenant_id);
    key2_.assign(user_id);
    if (!memberships_of_) {
      memberships_of_.emplace((ctx_.sql.prepare << kMembershipsOfSql, soci::use(key_),
                               soci::use(key2_), soci::into(text_), soci::into(text2_)));
    }
    std::vector<OrganizationMembership> out;
    if (memberships_of_->execute(true)) {
      do {
        out.push_back(OrganizationMembership{text_, key2_, text2_});
      } while (memberships_of_->fetch());
    }
    return out;
  });
}

// ---- sessions -----------------------------------------------------------------

Status SociAccountStore::InsertSession(const AccountSession& session) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, kSessionConflict, [&]() -> Status {
      session_ = session;
      created_ = ToUnixMillis(session.created_at);
      expires_ = ToUnixMillis(session.expires_at);
      if (!insert_session_) {
        insert_session_.emplace(
            (ctx_.sql.prepare << kInsertSessionSql, soci::use(session_.id),
             soci::use(session_.token_hash), soci::use(session_.client_ip),
             soci::use(session_.user_agent), soci::use(created_), soci::use(expires_),
             soci::use(session_.tenant_id), soci::use(session_.user_id)));
      }
      insert_session_->execute(true);
      return insert_session_->get_affected_rows() > 0 ? Status() : NotFound("user not found");
    });
  });
}

StatusOr<AccountSession> SociAccountStore::FindSessionByHash(std::string_view token_hash) {
  return Guard(ctx_, "", [&]() -> StatusOr<AccountSession> {
    key_.assign(token_hash);
    if (!find_session_) {
      find_session_.emplace((ctx_.sql.prepare << kFindSessionSql, soci::use(key_),
                             soci::into(session_.id), soci::into(session_.tenant_id),
                             soci::into(session_.user_id), soci::into(session_.client_ip),
                             soci::into(session_.user_agent), soci::into(created_),
                             soci::into(expires_)));
    }
    if (!find_session_->execute(true)) return NotFound("session not found");
    Drain(*find_session_);
    AccountSession found = session_;
    found.token_hash = key_;
    found.created_at = FromUnixMillis(created_);
    found.expires_at = FromUnixMillis(expires_);
    return found;
  });
}

StatusOr<int64_t> SociAccountStore::DeleteExpiredSessions(TimePoint now) {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    now_ = ToUnixMillis(now);
    if (!delete_expired_sessions_) {
      delete_expired_sessions_.emplace(
          (ctx_.sql.prepare << kDeleteExpiredSessionsSql, soci::use(now_)));
    }
    delete_expired_sessions_->execute(true);
    return static_cast<int64_t>(delete_expired_sessions_->get_affected_rows());
  });
}

}  // namespace portico::db
