#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/status.h"

namespace portico {

// An account of the shared user store. The row is also a SCIM User of its
// tenant (userName = email, emails[0] = {value: email, primary: true},
// active, displayName and name.formatted = name), so accounts made by signup
// provisioning or the sign-up API are visible and manageable through
// /scim/v2/Users, and SCIM-provisioned users are found here by email.
struct UserAccount {
  std::string id;
  std::string tenant_id;
  std::string email;  // normalised by the caller; unique per tenant after case folding
  std::string name;   // "" when none
  // PHC string (argon2id, or an imported $2b$ bcrypt hash until the first
  // sign-in re-hashes it); nullopt for an account without a password
  // (passwordless, IdP-only, or created through SCIM without one).
  std::optional<std::string> password_hash;
  std::optional<TimePoint> email_verified_at;
  bool active = true;
  // Global roles granted at sign-up by a privileged caller (SCIM User
  // `roles`, RFC 7643 §4.1.2: [{"value": role}]), in the given order.
  std::vector<std::string> roles;
  TimePoint created_at;
};

// A tenant's organization (signup provisioning makes one per tenant; the
// sign-up API's organizationName makes more).
struct Organization {
  std::string id;
  std::string tenant_id;
  std::string name;
  TimePoint created_at;
};

struct OrganizationMembership {
  std::string organization_id;
  std::string user_id;
  std::string role;  // "owner", "admin" or "member"
};

// A signed-in session of an account (sign-up and sign-in return its token).
// The token itself is never stored: only its keyed hash (hex HMAC-SHA256
// under KEY_HASH_SECRET, as for every other Portico secret).
struct AccountSession {
  std::string id;
  std::string tenant_id;
  std::string user_id;
  std::string token_hash;
  std::string client_ip;   // "" when unknown
  std::string user_agent;  // "" when none was sent
  TimePoint created_at;
  TimePoint expires_at;
};

// Accounts and organizations, each call scoped by tenant. One instance
// belongs to one database session (obtained through Stores): not
// thread-safe. Errors common to all methods: Unavailable when the database
// is down, Internal for corrupt rows.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  // AlreadyExists when the tenant already has a user whose userName equals
  // the email after Unicode case folding (whoever created it: SCIM or here).
  virtual Status InsertUser(const UserAccount& account) = 0;
  // The user whose userName is `email` (case-folded); NotFound otherwise.
  // A SCIM-made user reads with its primary (else first) email, or the
  // userName, as `email`.
  virtual StatusOr<UserAccount> FindUserByEmail(std::string_view tenant_id,
                                                std::string_view email) = 0;
  virtual StatusOr<UserAccount> FindUser(std::string_view tenant_id, std::string_view id) = 0;
  // NotFound when absent. Bumps the SCIM version (meta.version) as any change does.
  virtual Status SetPasswordHash(std::string_view tenant_id, std::string_view user_id,
                                 std::string_view password_hash, TimePoint now) = 0;
  virtual Status MarkEmailVerified(std::string_view tenant_id, std::string_view user_id,
                                   TimePoint now) = 0;

  // AlreadyExists when the id is taken.
  virtual Status InsertOrganization(const Organization& organization) = 0;
  virtual StatusOr<Organization> FindOrganization(std::string_view tenant_id,
                                                  std::string_view id) = 0;
  // Adds or keeps the membership (idempotent; an existing role is kept).
  // NotFound when the organization or the user is not the tenant's.
  virtual Status AddOrganizationMember(std::string_view tenant_id,
                                       const OrganizationMembership& membership,
                                       TimePoint now) = 0;
  // The user's memberships, by organization creation time.
  virtual StatusOr<std::vector<OrganizationMembership>> MembershipsOf(
      std::string_view tenant_id, std::string_view user_id) = 0;

  // AlreadyExists when the id or the token hash is taken; NotFound when the
  // user is not the tenant's.
  virtual Status InsertSession(const AccountSession& session) = 0;
  // The session whose token hashes to `token_hash` (expired ones included:
  // the caller decides); NotFound otherwise. A deleted user's sessions are
  // gone with it.
  virtual StatusOr<AccountSession> FindSessionByHash(std::string_view token_hash) = 0;
  // Deletes sessions that expired by `now`; returns how many (housekeeping).
  virtual StatusOr<int64_t> DeleteExpiredSessions(TimePoint now) = 0;
};

}  // namespace portico
