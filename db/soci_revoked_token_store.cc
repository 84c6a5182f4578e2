#include "db/soci_oauth_stores.h"

namespace portico::db {
namespace {

// A repeated revocation keeps the first row: the token's expiry does not change.
constexpr char kRevokeTokenSql[] =
    "INSERT INTO revoked_tokens (jti, client_id, expires_at) VALUES (:jti, :client_id, "
    ":expires_at) ON CONFLICT (jti) DO NOTHING";
constexpr char kIsTokenRevokedSql[] = "SELECT 1 FROM revoked_tokens WHERE jti = :jti";
constexpr char kDeleteExpiredRevokedTokensSql[] =
    "DELETE FROM revoked_tokens WHERE expires_at <= :now";

}  // namespace

Status SociRevokedTokenStore::Revoke(std::string_view jti, std::string_view client_id,
                                     TimePoint token_expires_at) {
  return RecordOnce(jti, client_id, token_expires_at).status();  // already revoked is fine
}

StatusOr<bool> SociRevokedTokenStore::RecordOnce(std::string_view jti, std::string_view client_id,
                                                 TimePoint expires_at) {
  return Guard(ctx_, "", [&]() -> StatusOr<bool> {
    jti_.assign(jti);
    client_id_.assign(client_id);
    expires_at_ = ToUnixMillis(expires_at);
    if (!revoke_) {
      revoke_.emplace((ctx_.sql.prepare << kRevokeTokenSql, soci::use(jti_), soci::use(client_id_),
                       soci::use(expires_at_)));
    }
    revoke_->execute(true);
    // ON CONFLICT DO NOTHING: a row written means this call recorded it.
    return revoke_->get_affected_rows() == 1;
  });
}

StatusOr<bool> SociRevokedTokenStore::IsRevoked(std::string_view jti) {
  return Guard(ctx_, "", [&]() -> StatusOr<bool> {
    jti_.assign(jti);
    if (!is_revoked_) {
      is_revoked_.emplace(
          (ctx_.sql.prepare << kIsTokenRevokedSql, soci::use(jti_), soci::into(found_)));
    }
    const bool revoked = is_revoked_->execute(true);
    if (revoked) Drain(*is_revoked_);
    return revoked;
  });
}

StatusOr<int64_t> SociRevokedTokenStore::DeleteExpired(TimePoint now) {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    long long at = ToUnixMillis(now);
    soci::statement st = (ctx_.sql.prepare << kDeleteExpiredRevokedTokensSql, soci::use(at));
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

}  // namespace portico::db
