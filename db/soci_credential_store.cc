#include "db/codec.h"
#include "db/soci_stores.h"

namespace portico::db {
namespace {

constexpr char kInsertCredentialSql[] =
    "INSERT INTO credentials (id, tenant_id, kind, name, display_hint, key_hash, scopes, "
    "expires_at, revoked_at, created_at) VALUES (:id, :tenant_id, :kind, :name, :display_hint, "
    ":key_hash, :scopes, :expires_at, :revoked_at, :created_at)";
constexpr char kFindCredentialByHashSql[] =
    "SELECT id, tenant_id, kind, name, display_hint, key_hash, scopes, expires_at, revoked_at, "
    "created_at FROM credentials WHERE key_hash = :key_hash";
// COALESCE keeps the first revocation time; the row still counts as matched,
// so zero affected rows means only "no such id".
constexpr char kRevokeCredentialSql[] =
    "UPDATE credentials SET revoked_at = COALESCE(revoked_at, :at) WHERE id = :id";
constexpr char kListCredentialsByTenantSql[] =
    "SELECT id, tenant_id, kind, name, display_hint, key_hash, scopes, expires_at, revoked_at, "
    "created_at FROM credentials WHERE tenant_id = :tenant_id ORDER BY created_at, id";

constexpr char kCredentialConflict[] = "a credential with this id or key hash already exists";

void SetOptionalTime(const std::optional<TimePoint>& t, long long& value, soci::indicator& ind) {
  value = t ? ToUnixMillis(*t) : 0;
  ind = t ? soci::i_ok : soci::i_null;
}

}  // namespace

Status SociCredentialStore::Insert(const Credential& c) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, kCredentialConflict, [&]() -> Status {
      row_.id = c.id;
      row_.tenant_id = c.tenant_id;
      row_.kind = CredentialKindName(c.kind);
      row_.name = c.name;
      row_.display_hint = c.display_hint;
      row_.key_hash = c.key_hash;
      row_.scopes = EncodeStringList(c.scopes);
      SetOptionalTime(c.expires_at, row_.expires_at, row_.expires_ind);
      SetOptionalTime(c.revoked_at, row_.revoked_at, row_.revoked_ind);
      row_.created_at = ToUnixMillis(c.created_at);
      if (!insert_) {
        insert_.emplace((ctx_.sql.prepare << kInsertCredentialSql, soci::use(row_.id),
                         soci::use(row_.tenant_id), soci::use(row_.kind), soci::use(row_.name),
                         soci::use(row_.display_hint), soci::use(row_.key_hash),
                         soci::use(row_.scopes), soci::use(row_.expires_at, row_.expires_ind),
                         soci::use(row_.revoked_at, row_.revoked_ind), soci::use(row_.created_at)));
      }
      insert_->execute(true);
      return Status();
    });
  });
}

soci::statement SociCredentialStore::PrepareSelect(const char* sql_text) {
  return (ctx_.sql.prepare << sql_text, soci::use(key_), soci::into(row_.id),
          soci::into(row_.tenant_id), soci::into(row_.kind), soci::into(row_.name),
          soci::into(row_.display_hint), soci::into(row_.key_hash), soci::into(row_.scopes),
          soci::into(row_.expires_at, row_.expires_ind),
          soci::into(row_.revoked_at, row_.revoked_ind), soci::into(row_.created_at));
}

StatusOr<Credential> SociCredentialStore::FindByHash(std::string_view key_hash) {
  return Guard(ctx_, "", [&]() -> StatusOr<Credential> {
    key_.assign(key_hash);
    if (!find_by_hash_) find_by_hash_.emplace(PrepareSelect(kFindCredentialByHashSql));
    if (!find_by_hash_->execute(true)) return NotFound("credential not found");
    StatusOr<Credential> credential = CredentialFromRow(row_);
    Drain(*find_by_hash_);
    return credential;
  });
}

StatusOr<CredentialWithTenant> SociCredentialStore::FindByHashWithTenant(
    std::string_view key_hash) {
  return Guard(ctx_, "", [&]() { return with_tenant_.Find(key_hash); });
}

Status SociCredentialStore::Revoke(std::string_view id, TimePoint at) {
  return Guard(ctx_, "", [&]() -> Status {
    key_.assign(id);
    at_ = ToUnixMillis(at);
    if (!revoke_) {
      revoke_.emplace((ctx_.sql.prepare << kRevokeCredentialSql, soci::use(at_), soci::use(key_)));
    }
    revoke_->execute(true);
    if (revoke_->get_affected_rows() == 0) return NotFound("credential not found");
    return Status();
  });
}

StatusOr<std::vector<Credential>> SociCredentialStore::ListByTenant(std::string_view tenant_id) {
  return Guard(ctx_, "", [&]() -> StatusOr<std::vector<Credential>> {
    key_.assign(tenant_id);
    if (!list_by_tenant_) list_by_tenant_.emplace(PrepareSelect(kListCredentialsByTenantSql));
    std::vector<Credential> out;
    Status status;
    if (list_by_tenant_->execute(true)) {
      do {
        StatusOr<Credential> credential = CredentialFromRow(row_);
        if (!credential.ok()) {
          status = credential.status();
        } else {
          out.push_back(std::move(credential).value());
        }
      } while (list_by_tenant_->fetch());
    }
    if (!status.ok()) return status;
    return out;
  });
}

StatusOr<Credential> CredentialFromRow(const CredentialRow& row) {
  Credential c;
  c.id = row.id;
  c.tenant_id = row.tenant_id;
  std::optional<CredentialKind> kind = ParseCredentialKind(row.kind);
  if (!kind) return Internal("database error").WithInternal("unknown credential kind " + row.kind);
  c.kind = *kind;
  c.name = row.name;
  c.display_hint = row.display_hint;
  c.key_hash = row.key_hash;
  PORTICO_ASSIGN_OR_RETURN(c.scopes, DecodeStringList(row.scopes));
  if (row.expires_ind == soci::i_ok) c.expires_at = FromUnixMillis(row.expires_at);
  if (row.revoked_ind == soci::i_ok) c.revoked_at = FromUnixMillis(row.revoked_at);
  c.created_at = FromUnixMillis(row.created_at);
  return c;
}

}  // namespace portico::db
