#pragma once

#include <functional>
#include <memory>

#include "portico/account_store.h"
#include "portico/credential.h"
#include "portico/otp.h"
#include "portico/outbox.h"
#include "portico/rate_limit.h"
#include "portico/status.h"
#include "portico/tenant.h"
#include "portico/tenant_settings.h"
#include "portico/webhook_store.h"

namespace portico::scim {
class DirectoryStore;  // scim/directory_store.h
}  // namespace portico::scim
namespace portico::dcr {
class ClientStore;        // dcr/client_store.h
class SigningKeyStore;    // dcr/signing_key_store.h
class RevokedTokenStore;  // dcr/revoked_token_store.h
}  // namespace portico::dcr
namespace portico::signup {
class SignupSessionStore;  // signup/session/signup_session_store.h
}  // namespace portico::signup

namespace portico {

// Every store, bound to one leased database session. Inside
// Database::Transact all of them share one transaction. Valid only for the
// duration of the callback; not thread-safe.
class Stores {
 public:
  virtual ~Stores() = default;
  virtual TenantStore& tenants() = 0;
  virtual CredentialStore& credentials() = 0;
  virtual OtpStore& otps() = 0;
  virtual OutboxStore& outbox() = 0;
  // SCIM users, groups and memberships (scim/directory_store.h).
  virtual scim::DirectoryStore& directory() = 0;
  virtual TenantSettingsStore& tenant_settings() = 0;
  virtual RateLimitStore& rate_limits() = 0;
  // OAuth clients, token signing keys, revoked access tokens (dcr/).
  virtual dcr::ClientStore& clients() = 0;
  virtual dcr::SigningKeyStore& signing_keys() = 0;
  virtual dcr::RevokedTokenStore& revoked_tokens() = 0;
  // Self-serve signup sessions (signup/session/signup_session_store.h).
  virtual signup::SignupSessionStore& signup_sessions() = 0;
  // Accounts (the users rows SCIM also serves) and organizations (portico/account_store.h).
  virtual AccountStore& accounts() = 0;
  // Per-tenant webhook endpoints (portico/webhook_store.h).
  virtual WebhookStore& webhooks() = 0;
};

// The database: a pool of sessions. Thread-safe. Store failures come back as
// Status: unique violation → AlreadyExists, connection lost or database down
// → Unavailable (the pool reconnects on a later call; no restart needed).
class Database {
 public:
  using Work = std::function<Status(Stores&)>;
  virtual ~Database() = default;
  // Runs `work` on a leased session in autocommit mode.
  virtual Status Run(const Work& work) = 0;
  // Runs `work` in one transaction: committed when it returns OK, rolled back
  // otherwise (and when it throws). On SQLite the transaction takes the write
  // lock up front (BEGIN IMMEDIATE).
  virtual Status Transact(const Work& work) = 0;
  // A trivial query; Unavailable when the database cannot be reached.
  virtual Status Ping() = 0;

  struct PoolUsage {
    int in_use = 0;  // sessions leased right now
    int size = 0;    // sessions in the pool
  };
  // A snapshot for metrics; {0, 0} for an implementation without a pool.
  // Thread-safe; never touches the database.
  virtual PoolUsage pool_usage() const { return {}; }
};

}  // namespace portico
