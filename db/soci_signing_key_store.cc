#include <string>

#include "db/soci_oauth_stores.h"
#include "db/soci_stores.h"

namespace portico::db {
namespace {

// Rarely run (key rotation, the JWKS cache refresh): one-shot statements.
constexpr char kInsertSigningKeySql[] =
    "INSERT INTO signing_keys (kid, sealed_private_key, created_at, retired_at, expires_at) "
    "VALUES (:kid, :sealed_private_key, :created_at, :retired_at, :expires_at)";
// The kid breaks ties between keys created in the same millisecond.
constexpr char kListSigningKeysSql[] =
    "SELECT kid, sealed_private_key, created_at, retired_at, expires_at FROM signing_keys "
    "ORDER BY created_at DESC, kid DESC";
constexpr char kRetireSigningKeySql[] =
    "UPDATE signing_keys SET retired_at = :retired_at, expires_at = :expires_at "
    "WHERE kid = :kid AND retired_at IS NULL";
constexpr char kSigningKeyExistsSql[] = "SELECT COUNT(*) FROM signing_keys WHERE kid = :kid";
constexpr char kDeleteExpiredSigningKeysSql[] = "DELETE FROM signing_keys WHERE expires_at <= :now";

struct Row {
  std::string kid, sealed;
  long long created_at = 0, retired_at = 0, expires_at = 0;
  soci::indicator retired_ind = soci::i_null, expires_ind = soci::i_null;
};

void SetOptionalTime(const std::optional<TimePoint>& t, long long& value, soci::indicator& ind) {
  value = t ? ToUnixMillis(*t) : 0;
  ind = t ? soci::i_ok : soci::i_null;
}

std::optional<TimePoint> OptionalTime(long long value, soci::indicator ind) {
  if (ind != soci::i_ok) return std::nullopt;
  return FromUnixMillis(value);
}

}  // namespace

Status SociSigningKeyStore::Insert(const dcr::SigningKeyRecord& key) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, "a signing key with this kid already exists", [&]() -> Status {
      Row row;
      row.kid = key.kid;
      row.sealed = key.sealed_private_key;
      row.created_at = ToUnixMillis(key.created_at);
      SetOptionalTime(key.retired_at, row.retired_at, row.retired_ind);
      SetOptionalTime(key.expires_at, row.expires_at, row.expires_ind);
      ctx_.sql << kInsertSigningKeySql, soci::use(row.kid), soci::use(row.sealed),
          soci::use(row.created_at), soci::use(row.retired_at, row.retired_ind),
          soci::use(row.expires_at, row.expires_ind);
      return Status();
    });
  });
}

StatusOr<std::vector<dcr::SigningKeyRecord>> SociSigningKeyStore::List() {
  return Guard(ctx_, "", [&]() -> StatusOr<std::vector<dcr::SigningKeyRecord>> {
    Row row;
    soci::statement st =
        (ctx_.sql.prepare << kListSigningKeysSql, soci::into(row.kid), soci::into(row.sealed),
         soci::into(row.created_at), soci::into(row.retired_at, row.retired_ind),
         soci::into(row.expires_at, row.expires_ind));
    std::vector<dcr::SigningKeyRecord> out;
    if (st.execute(true)) {
      do {
        dcr::SigningKeyRecord key;
        key.kid = row.kid;
        key.sealed_private_key = row.sealed;
        key.created_at = FromUnixMillis(row.created_at);
        key.retired_at = OptionalTime(row.retired_at, row.retired_ind);
        key.expires_at = OptionalTime(row.expires_at, row.expires_ind);
        out.push_back(std::move(key));
      } while (st.fetch());
    }
    return out;
  });
}

Status SociSigningKeyStore::Retire(std::string_view kid, TimePoint retired_at,
                                   TimePoint expires_at) {
  return Guard(ctx_, "", [&]() -> Status {
    std::string id(kid);
    long long retired = ToUnixMillis(retired_at);
    long long expires = ToUnixMillis(expires_at);
    soci::statement st = (ctx_.sql.prepare << kRetireSigningKeySql, soci::use(retired),
                          soci::use(expires), soci::use(id));
    st.execute(true);
    if (st.get_affected_rows() > 0) return Status();
    long long count = 0;
    ctx_.sql << kSigningKeyExistsSql, soci::use(id), soci::into(count);
    if (count == 0) return NotFound("signing key not found");
    return FailedPrecondition("signing key already retired");
  });
}

StatusOr<int64_t> SociSigningKeyStore::DeleteExpired(TimePoint now) {
  return Guard(ctx_, "", [&]() -> StatusOr<int64_t> {
    long long at = ToUnixMillis(now);
    soci::statement st = (ctx_.sql.prepare << kDeleteExpiredSigningKeysSql, soci::use(at));
    st.execute(true);
    return static_cast<int64_t>(st.get_affected_rows());
  });
}

}  // namespace portico::db
