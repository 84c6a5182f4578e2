#pragma once

// Internal to db/: the SOCI implementations of the store interfaces. One set
// exists per pooled session and lives as long as that connection: the hot
// queries are prepared once (on first use) and re-executed with values bound
// to member buffers, so a lookup allocates little beyond its result.

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "db/credential_lookup.h"
#include "db/soci_account_store.h"
#include "db/session.h"
#include "db/soci_directory_store.h"
#include "db/soci_oauth_stores.h"
#include "db/soci_signup_stores.h"
#include "db/soci_webhook_store.h"
#include "portico/database.h"

namespace portico::db {

// Runs a store's conflict-prone insert under a savepoint when inside a
// PostgreSQL transaction, so that a uniqueness conflict does not abort the
// whole transaction (SQLite needs none: a failed statement leaves the
// transaction usable).
class StatementSavepoint {
 public:
  explicit StatementSavepoint(SessionContext& ctx) : ctx_(ctx) {}
  template <class F>
  Status Run(F&& f);

 private:
  SessionContext& ctx_;
  std::optional<soci::statement> savepoint_;
  std::optional<soci::statement> release_;
  std::optional<soci::statement> rollback_to_;
};

// Column buffers of a tenants / credentials row, shared by the SOCI
// statements that select one.
struct TenantRow {
  std::string id, slug, slug_key, name, modules, status, admin_email;
  soci::indicator admin_email_ind = soci::i_null;
  long long created_at = 0;
};
StatusOr<Tenant> TenantFromRow(const TenantRow& row);

struct CredentialRow {
  std::string id, tenant_id, kind, name, display_hint, key_hash, scopes;
  long long expires_at = 0;
  soci::indicator expires_ind = soci::i_null;
  long long revoked_at = 0;
  soci::indicator revoked_ind = soci::i_null;
  long long created_at = 0;
};
StatusOr<Credential> CredentialFromRow(const CredentialRow& row);

class SociTenantStore : public TenantStore {
 public:
  SociTenantStore(SessionContext& ctx, StatementSavepoint& savepoint)
      : ctx_(ctx), savepoint_(savepoint) {}
  Status Insert(const Tenant& tenant) override;
  StatusOr<Tenant> FindById(std::string_view id) override;
  StatusOr<Tenant> FindBySlug(std::string_view slug) override;
  StatusOr<std::optional<TimePoint>> MarkFirstApiCall(std::string_view tenant_id,
                                                      TimePoint at) override;

 private:
  StatusOr<Tenant> FindOne(std::optional<soci::statement>& st, const char* sql_text,
                           std::string_view key);

  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
  TenantRow row_;
  std::string key_;
  std::optional<soci::statement> insert_;
  std::optional<soci::statement> find_by_id_;
  std::optional<soci::statement> find_by_slug_;
  std::optional<soci::statement> mark_first_call_;
  long long at_ = 0;
  long long created_at_ = 0;
};

class SociCredentialStore : public CredentialStore {
 public:
  SociCredentialStore(SessionContext& ctx, StatementSavepoint& savepoint)
      : ctx_(ctx), savepoint_(savepoint), with_tenant_(ctx) {}
  Status Insert(const Credential& credential) override;
  StatusOr<Credential> FindByHash(std::string_view key_hash) override;
  StatusOr<CredentialWithTenant> FindByHashWithTenant(std::string_view key_hash) override;
  Status Revoke(std::string_view id, TimePoint at) override;
  StatusOr<std::vector<Credential>> ListByTenant(std::string_view tenant_id) override;

 private:
  soci::statement PrepareSelect(const char* sql_text);

  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
  CredentialRow row_;
  CredentialWithTenantLookup with_tenant_;  // the hot path, without SOCI
  std::string key_;
  long long at_ = 0;
  std::optional<soci::statement> insert_;
  std::optional<soci::statement> find_by_hash_;
  std::optional<soci::statement> revoke_;
  std::optional<soci::statement> list_by_tenant_;
};

class SociOtpStore : public OtpStore {
 public:
  SociOtpStore(SessionContext& ctx, StatementSavepoint& savepoint)
      : ctx_(ctx), savepoint_(savepoint) {}
  Status Put(const OtpRecord& record) override;
  StatusOr<OtpRecord> Find(std::string_view purpose, std::string_view subject) override;
  StatusOr<int> AddFailedAttempt(std::string_view id, int max_attempts) override;
  StatusOr<bool> Consume(std::string_view id, int max_attempts, TimePoint now) override;

 private:
  struct Row {
    std::string id, purpose, subject, code_hash;
    long long expires_at = 0;
    int attempts = 0;
    long long consumed_at = 0;
    soci::indicator consumed_ind = soci::i_null;
    long long created_at = 0;
  };

  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
  Row row_;
  std::string key_, key2_;
  std::string id_;
  int max_ = 0;
  long long exists_count_ = 0;
  long long now_ = 0;
  int count_ = 0;
  std::optional<soci::statement> put_;
  std::optional<soci::statement> find_;
  std::optional<soci::statement> add_attempt_;
  std::optional<soci::statement> exists_;
  std::optional<soci::statement> consume_;
};

class SociOutboxStore : public OutboxStore {
 public:
  explicit SociOutboxStore(SessionContext& ctx) : ctx_(ctx) {}
  StatusOr<int64_t> Enqueue(std::string_view topic, std::string_view payload,
                            TimePoint now) override;
  StatusOr<std::vector<OutboxMessage>> Claim(TimePoint now, int limit,
                                             TimePoint lease_until) override;
  Status MarkDelivered(int64_t id, int attempts, TimePoint at) override;
  Status MarkFailed(int64_t id, int attempts, TimePoint next_attempt_at, std::string_view error,
                    bool dead) override;
  StatusOr<int64_t> DeleteFinished(TimePoint delivered_before, TimePoint dead_before,
                                   int limit) override;
  StatusOr<OutboxMessage> Get(int64_t id) override;
  StatusOr<int64_t> CountPending() override;
  StatusOr<int64_t> CountDead() override;

 private:
  struct Row {
    long long id = 0;
    std::string topic, payload, last_error;
    int attempts = 0;
    long long next_attempt_at = 0;
    long long delivered_at = 0;
    soci::indicator delivered_ind = soci::i_null;
    int dead = 0;
    long long created_at = 0;
  };
  OutboxMessage RowToMessage() const;

  SessionContext& ctx_;
  Row row_;
  long long id_ = 0;
  long long now_ = 0;
  long long until_ = 0;
  int limit_ = 0;
  int attempts_ = 0;
  int dead_ = 0;
  long long count_ = 0;
  std::string text_;
  std::optional<soci::statement> enqueue_;
  std::optional<soci::statement> claim_;
  std::optional<soci::statement> mark_delivered_;
  std::optional<soci::statement> mark_failed_;
  std::optional<soci::statement> get_;
  std::optional<soci::statement> count_pending_;
  std::optional<soci::statement> count_dead_;
};

// The stores of one pooled session, plus the statements the pool itself runs
// on it (transaction control, ping), all prepared once per connection.
// Destroyed before its session reconnects: prepared statements belong to
// one connection.
class SociStores : public Stores {
 public:
  explicit SociStores(SessionContext& ctx);
  TenantStore& tenants() override { return tenants_; }
  CredentialStore& credentials() override { return credentials_; }
  OtpStore& otps() override { return otps_; }
  OutboxStore& outbox() override { return outbox_; }
  scim::DirectoryStore& directory() override { return directory_; }
  TenantSettingsStore& tenant_settings() override { return tenant_settings_; }
  RateLimitStore& rate_limits() override { return rate_limits_; }
  dcr::ClientStore& clients() override { return clients_; }
  dcr::SigningKeyStore& signing_keys() override { return signing_keys_; }
  dcr::RevokedTokenStore& revoked_tokens() override { return revoked_tokens_; }
  signup::SignupSessionStore& signup_sessions() override { return signup_sessions_; }
  AccountStore& accounts() override { return accounts_; }
  WebhookStore& webhooks() override { return webhooks_; }

  // Throw soci::soci_error; the pool guards them.
  void Begin();
  void Commit();
  void Rollback();
  void Ping();

 private:
  SessionContext& ctx_;
  StatementSavepoint savepoint_;
  SociTenantStore tenants_;
  SociCredentialStore credentials_;
  SociOtpStore otps_;
  SociOutboxStore outbox_;
  SociDirectoryStore directory_;
  SociTenantSettingsStore tenant_settings_;
  SociRateLimitStore rate_limits_;
  SociClientStore clients_;
  SociSigningKeyStore signing_keys_;
  SociRevokedTokenStore revoked_tokens_;
  SociSignupSessionStore signup_sessions_;
  SociAccountStore accounts_;  // after directory_: it writes users rows through it
  SociWebhookStore webhooks_;
  std::optional<soci::statement> begin_;
  std::optional<soci::statement> commit_;
  std::optional<soci::statement> rollback_;
  std::optional<soci::statement> ping_;
  int ping_value_ = 0;
};

template <class F>
Status StatementSavepoint::Run(F&& f) {
  if (ctx_.dialect != Dialect::kPostgres || !ctx_.in_transaction) return f();
  static constexpr char kSavepointSql[] = "SAVEPOINT portico_statement";
  static constexpr char kReleaseSql[] = "RELEASE SAVEPOINT portico_statement";
  static constexpr char kRollbackToSql[] = "ROLLBACK TO SAVEPOINT portico_statement";
  Status opened = Guard(ctx_, "", [&]() -> Status {
    ExecPrepared(ctx_, savepoint_, kSavepointSql);
    return Status();
  });
  if (!opened.ok()) return opened;
  Status status = f();
  if (ctx_.broken) return status;
  Status closed = Guard(ctx_, "", [&]() -> Status {
    // After ROLLBACK TO the savepoint still exists; release it too, so that
    // savepoints do not pile up in a long transaction.
    if (!status.ok()) ExecPrepared(ctx_, rollback_to_, kRollbackToSql);
    ExecPrepared(ctx_, release_, kReleaseSql);
    return Status();
  });
  return status.ok() ? closed : status;
}

}  // namespace portico::db
