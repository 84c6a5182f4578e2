#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "portico/account_store.h"
#include "portico/case_fold.h"
#include "portico/clock.h"
#include "portico/json.h"
#include "portico/status.h"
#include "scim/account_user.h"
#include "tests/fakes/in_memory_directory_store.h"
#include "tests/fakes/in_memory_oauth_stores.h"

namespace portico::testing {

// What the in-memory account store holds besides the users themselves, which
// are the directory's (InMemoryDirectoryState::users): an account is a SCIM
// User, as in SQL. A plain value, so InMemoryDatabase can snapshot and restore
// it with the rest of its state.
struct InMemoryAccountState {
  struct Member {
    std::string tenant_id;
    std::string role;
    TimePoint created_at;
  };
  std::map<std::string, TimePoint> email_verified_at;  // by user id (users.email_verified_at)
  std::map<std::string, Organization> organizations;   // by id
  std::map<std::pair<std::string, std::string>, Member> members;  // (organization id, user id)
  std::map<std::string, AccountSession> sessions;                 // by id
};

// AccountStore in memory, with the semantics of db/SociAccountStore: users are
// written to and read from the directory's rows (the same document, version and
// uniqueness by folded userName), so what one store writes the other reads.
// The SQL schema's cascades (a deleted user's or tenant's rows go with it) are
// applied at the start of every call. Each call is atomic under the hooks'
// lock; operations are named "accounts.InsertUser" and so on.
class InMemoryAccountStore : public AccountStore {
 public:
  InMemoryAccountStore(InMemoryDirectoryState& directory, InMemoryAccountState& state,
                       OAuthStoreHooks hooks)
      : directory_(directory), state_(state), hooks_(std::move(hooks)) {}

  Status InsertUser(const UserAccount& account) override {
    OAuthStoreCall call = Enter("accounts.InsertUser");
    if (!call.status.ok()) return call.status;
    if (account.id.empty() || account.tenant_id.empty() || account.email.empty()) {
      return InvalidArgument("an account needs an id, a tenant and an email");
    }
    if (directory_.users.count(account.id) > 0) {
      return AlreadyExists("a user with this id already exists");
    }
    if (FindByKey(account.tenant_id, FoldCase(account.email)) != nullptr) {
      return AlreadyExists("userName is already taken");
    }
    if (!hooks_.tenant_exists(account.tenant_id)) {
      return FailedPrecondition("referenced record does not exist");
    }
    directory_.users[account.id] =
        InMemoryDirectoryState::User{scim::AccountUserRecord(account), account.password_hash};
    if (account.email_verified_at)
      state_.email_verified_at[account.id] = *account.email_verified_at;
    return Status::Ok();
  }

  StatusOr<UserAccount> FindUserByEmail(std::string_view tenant_id,
                                        std::string_view email) override {
    OAuthStoreCall call = Enter("accounts.FindUserByEmail");
    if (!call.status.ok()) return call.status;
    const InMemoryDirectoryState::User* user = FindByKey(tenant_id, FoldCase(email));
    if (user == nullptr) return NotFound("user not found");
    return ToAccount(*user);
  }

  StatusOr<UserAccount> FindUser(std::string_view tenant_id, std::string_view id) override {
    OAuthStoreCall call = Enter("accounts.FindUser");
    if (!call.status.ok()) return call.status;
    InMemoryDirectoryState::User* user = User(tenant_id, id);
    if (user == nullptr) return NotFound("user not found");
    return ToAccount(*user);
  }

  Status SetPasswordHash(std::string_view tenant_id, std::string_view user_id,
                         std::string_view password_hash, TimePoint now) override {
    OAuthStoreCall call = Enter("accounts.SetPasswordHash");
    if (!call.status.ok()) return call.status;
    InMemoryDirectoryState::User* user = User(tenant_id, user_id);
    if (user == nullptr) return NotFound("user not found");
    user->password_hash = std::string(password_hash);
    Touch(*user, now);
    return Status::Ok();
  }

  Status MarkEmailVerified(std::string_view tenant_id, std::string_view user_id,
                           TimePoint now) override {
    OAuthStoreCall call = Enter("accounts.MarkEmailVerified");
    if (!call.status.ok()) return call.status;
    InMemoryDirectoryState::User* user = User(tenant_id, user_id);
    if (user == nullptr) return NotFound("user not found");
    state_.email_verified_at[std::string(user_id)] = now;
    Touch(*user, now);
    return Status::Ok();
  }

  Status InsertOrganization(const Organization& organization) override {
    OAuthStoreCall call = Enter("accounts.InsertOrganization");
    if (!call.status.ok()) return call.status;
    if (state_.organizations.count(organization.id) > 0) {
      return AlreadyExists("an organization with this id already exists");
    }
    if (!hooks_.tenant_exists(organization.tenant_id)) {
      return FailedPrecondition("referenced record does not exist");
    }
    state_.organizations[organization.id] = organization;
    return Status::Ok();
  }

  StatusOr<Organization> FindOrganization(std::string_view tenant_id,
                                          std::string_view id) override {
    OAuthStoreCall call = Enter("accounts.FindOrganization");
    if (!call.status.ok()) return call.status;
    auto it = state_.organizations.find(std::string(id));
    if (it == state_.organizations.end() || it->second.tenant_id != tenant_id) {
      return NotFound("organization not found");
    }
    return it->second;
  }

  Status AddOrganizationMember(std::string_view tenant_id, const OrganizationMembership& membership,
                               TimePoint now) override {
    OAuthStoreCall call = Enter("accounts.AddOrganizationMember");
    if (!call.status.ok()) return call.status;
    auto org = state_.organizations.find(membership.organization_id);
    if (org == state_.organizations.end() || org->second.tenant_id != tenant_id ||
        User(tenant_id, membership.user_id) == nullptr) {
      return NotFound("organization or user not found");
    }
    // try_emplace keeps an existing membership (and its role) as it is.
    state_.members.try_emplace(
        {membership.organization_id, membership.user_id},
        InMemoryAccountState::Member{std::string(tenant_id), membership.role, now});
    return Status::Ok();
  }

  StatusOr<std::vector<OrganizationMembership>> MembershipsOf(std::string_view tenant_id,
                                                              std::string_view user_id) override {
    OAuthStoreCall call = Enter("accounts.MembershipsOf");
    if (!call.status.ok()) return call.status;
    std::vector<std::pair<const Organization*, OrganizationMembership>> found;
    for (const auto& [key, member] : state_.members) {
      if (key.second != user_id || member.tenant_id != tenant_id) continue;
      found.emplace_back(&state_.organizations.at(key.first),
                         OrganizationMembership{key.first, key.second, member.role});
    }
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first->created_at, a.first->id) <
             std::tie(b.first->created_at, b.first->id);
    });
    std::vector<OrganizationMembership> out;
    for (auto& [org, membership] : found) out.push_back(std::move(membership));
    return out;
  }

  Status InsertSession(const AccountSession& session) override {
    OAuthStoreCall call = Enter("accounts.InsertSession");
    if (!call.status.ok()) return call.status;
    if (state_.sessions.count(session.id) > 0) {
      return AlreadyExists("a session with this id or token already exists");
    }
    for (const auto& [id, existing] : state_.sessions) {
      if (existing.token_hash == session.token_hash) {
        return AlreadyExists("a session with this id or token already exists");
      }
    }
    if (User(session.tenant_id, session.user_id) == nullptr) return NotFound("user not found");
    state_.sessions[session.id] = session;
    return Status::Ok();
  }

  StatusOr<AccountSession> FindSessionByHash(std::string_view token_hash) override {
    OAuthStoreCall call = Enter("accounts.FindSessionByHash");
    if (!call.status.ok()) return call.status;
    for (const auto& [id, session] : state_.sessions) {
      if (session.token_hash == token_hash) return session;
    }
    return NotFound("session not found");
  }

  StatusOr<int64_t> DeleteExpiredSessions(TimePoint now) override {
    OAuthStoreCall call = Enter("accounts.DeleteExpiredSessions");
    if (!call.status.ok()) return call.status;
    return static_cast<int64_t>(
        std::erase_if(state_.sessions, [&](const auto& e) { return e.second.expires_at <= now; }));
  }

 private:
  // Enters the call, then applies the schema's ON DELETE CASCADEs for rows deleted since
  // (a user deleted through the directory, a tenant removed from the state).
  OAuthStoreCall Enter(const char* operation) {
    OAuthStoreCall call = hooks_.enter(operation);
    if (!call.status.ok()) return call;
    std::erase_if(state_.organizations,
                  [&](const auto& entry) { return !hooks_.tenant_exists(entry.second.tenant_id); });
    std::erase_if(state_.email_verified_at,
                  [&](const auto& entry) { return directory_.users.count(entry.first) == 0; });
    std::erase_if(state_.sessions, [&](const auto& entry) {
      return directory_.users.count(entry.second.user_id) == 0 ||
             !hooks_.tenant_exists(entry.second.tenant_id);
    });
    std::erase_if(state_.members, [&](const auto& entry) {
      return state_.organizations.count(entry.first.first) == 0 ||
             directory_.users.count(entry.first.second) == 0;
    });
    return call;
  }

  InMemoryDirectoryState::User* User(std::string_view tenant_id, std::string_view id) {
    auto it = directory_.users.find(std::string(id));
    if (it == directory_.users.end() || it->second.record.tenant_id != tenant_id) return nullptr;
    return &it->second;
  }

  const InMemoryDirectoryState::User* FindByKey(std::string_view tenant_id,
                                                const std::string& key) const {
    for (const auto& [id, user] : directory_.users) {
      if (user.record.tenant_id != tenant_id) continue;
      const std::string* name = StringMember(user.record.document, "userName");
      if (name != nullptr && FoldCase(*name) == key) return &user;
    }
    return nullptr;
  }

  static void Touch(InMemoryDirectoryState::User& user, TimePoint now) {
    ++user.record.version;
    user.record.updated_at = now;
  }

  static const std::string* StringMember(const Json& object, std::string_view name) {
    const Json* value = object.is_object() ? object.Find(name) : nullptr;
    return value != nullptr && value->is_string() ? &value->as_string() : nullptr;
  }

  // The mapping every AccountStore shares (scim/account_user.h).
  UserAccount ToAccount(const InMemoryDirectoryState::User& user) const {
    const Json& document = user.record.document;
    UserAccount account;
    account.id = user.record.id;
    account.tenant_id = user.record.tenant_id;
    scim::ReadAccountUser(document, account);
    account.password_hash = user.password_hash;
    auto verified = state_.email_verified_at.find(user.record.id);
    if (verified != state_.email_verified_at.end()) account.email_verified_at = verified->second;
    const Json* active = document.Find("active");
    account.active = active == nullptr || !active->is_bool() || active->as_bool();
    account.created_at = user.record.created_at;
    return account;
  }

  InMemoryDirectoryState& directory_;
  InMemoryAccountState& state_;
  OAuthStoreHooks hooks_;
};

}  // namespace portico::testing
