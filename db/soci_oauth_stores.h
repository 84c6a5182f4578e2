#pragma once

// Internal to db/: the SOCI implementations of the OAuth-side stores (DCR
// clients, token signing keys, revoked tokens) and of the tenant settings and
// rate-limit counters, one set per pooled session (see soci_stores.h). The
// contracts are in dcr/client_store.h, dcr/signing_key_store.h,
// dcr/revoked_token_store.h, portico/tenant_settings.h and
// portico/rate_limit.h; the SQL lives in the matching soci_*_store.cc.

#include <soci/soci.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/session.h"
#include "dcr/client_store.h"
#include "dcr/revoked_token_store.h"
#include "dcr/signing_key_store.h"
#include "portico/rate_limit.h"
#include "portico/tenant_settings.h"

namespace portico::db {

class StatementSavepoint;  // soci_stores.h

class SociClientStore : public dcr::ClientStore {
 public:
  SociClientStore(SessionContext& ctx, StatementSavepoint& savepoint)
      : ctx_(ctx), savepoint_(savepoint) {}
  Status Insert(const dcr::ClientRecord& client) override;
  StatusOr<dcr::ClientRecord> FindById(std::string_view client_id) override;
  StatusOr<std::optional<dcr::ClientRecord>> FindByFingerprint(
      std::string_view tenant_id, std::string_view fingerprint) override;
  Status Update(const dcr::ClientRecord& client, int64_t expected_version) override;
  Status Delete(std::string_view client_id) override;
  StatusOr<int64_t> CountByTenant(std::string_view tenant_id) override;
  Status Touch(std::string_view client_id, TimePoint used_at,
               std::optional<TimePoint> tokens_live_until) override;
  // One DELETE … RETURNING whose outer WHERE repeats the conditions, so a
  // client touched after the candidates were chosen is not deleted (PostgreSQL
  // re-checks them on the row it waited for); safe in autocommit mode.
  StatusOr<std::vector<dcr::ClientRecord>> DeleteUnused(TimePoint unused_before, TimePoint now,
                                                        size_t limit) override;

 private:
  // The columns of an oauth_clients row, in the order every statement lists them.
  struct Row {
    std::string client_id, tenant_id, metadata, fingerprint;
    std::string secret_hash, previous_secret_hash, registration_token_hash;
    soci::indicator secret_hash_ind = soci::i_null;
    soci::indicator previous_secret_hash_ind = soci::i_null;
    long long secret_expires_at = 0, previous_secret_expires_at = 0, tokens_live_until = 0;
    soci::indicator secret_expires_ind = soci::i_null;
    soci::indicator previous_secret_expires_ind = soci::i_null;
    soci::indicator tokens_live_until_ind = soci::i_null;
    long long issued_at = 0, updated_at = 0, version = 0, last_used_at = 0;
  };

  static void FillRow(const dcr::ClientRecord& client, Row& row);
  static StatusOr<dcr::ClientRecord> FromRow(const Row& row);
  // Binds out_ to the row's columns (after the statement's use() bindings).
  void IntoRow(soci::statement& st);

  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
  // Binds every column but client_id, in the order both the INSERT (after
  // client_id) and the UPDATE's SET list name them.
  static void UseColumns(soci::statement& st, Row& r);

  Row in_;   // values bound to INSERT / UPDATE
  Row out_;  // values selected
  std::string key_, key2_;
  long long time_ = 0, time2_ = 0, number_ = 0, count_ = 0;
  soci::indicator time2_ind_ = soci::i_null;
  std::optional<soci::statement> insert_, find_by_id_, find_by_fingerprint_, update_, exists_;
  std::optional<soci::statement> delete_, count_by_tenant_, touch_, delete_unused_;
};

class SociSigningKeyStore : public dcr::SigningKeyStore {
 public:
  SociSigningKeyStore(SessionContext& ctx, StatementSavepoint& savepoint)
      : ctx_(ctx), savepoint_(savepoint) {}
  Status Insert(const dcr::SigningKeyRecord& key) override;
  StatusOr<std::vector<dcr::SigningKeyRecord>> List() override;
  Status Retire(std::string_view kid, TimePoint retired_at, TimePoint expires_at) override;
  StatusOr<int64_t> DeleteExpired(TimePoint now) override;

 private:
  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
};

class SociRevokedTokenStore : public dcr::RevokedTokenStore {
 public:
  explicit SociRevokedTokenStore(SessionContext& ctx) : ctx_(ctx) {}
  Status Revoke(std::string_view jti, std::string_view client_id,
                TimePoint token_expires_at) override;
  StatusOr<bool> IsRevoked(std::string_view jti) override;
  StatusOr<bool> RecordOnce(std::string_view jti, std::string_view client_id,
                            TimePoint expires_at) override;
  StatusOr<int64_t> DeleteExpired(TimePoint now) override;

 private:
  SessionContext& ctx_;
  std::string jti_, client_id_;
  long long expires_at_ = 0;
  int found_ = 0;
  std::optional<soci::statement> revoke_, is_revoked_;
};

class SociTenantSettingsStore : public TenantSettingsStore {
 public:
  SociTenantSettingsStore(SessionContext& ctx, StatementSavepoint& savepoint)
      : ctx_(ctx), savepoint_(savepoint) {}
  StatusOr<std::optional<Json>> Get(std::string_view tenant_id, std::string_view name) override;
  // updated_at (kept for operators, never read back) comes from the system clock.
  Status Put(std::string_view tenant_id, std::string_view name, const Json& value) override;
  StatusOr<std::vector<std::pair<std::string, Json>>> ListByName(std::string_view name) override;

 private:
  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
  std::string tenant_id_, name_, value_;
  long long updated_at_ = 0;
  std::optional<soci::statement> get_, put_, list_;
};

class SociRateLimitStore : public RateLimitStore {
 public:
  explicit SociRateLimitStore(SessionContext& ctx) : ctx_(ctx) {}
  StatusOr<int64_t> Hit(std::string_view bucket, TimePoint window_start,
                        TimePoint window_end) override;
  StatusOr<int64_t> DeleteEnded(TimePoint now) override;

 private:
  SessionContext& ctx_;
  std::string bucket_;
  long long window_start_ = 0, window_end_ = 0, hits_ = 0;
  std::optional<soci::statement> hit_;
};

}  // namespace portico::db
