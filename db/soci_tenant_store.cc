#include "db/codec.h"
#include "db/soci_stores.h"

namespace portico::db {
namespace {

constexpr char kInsertTenantSql[] =
    "INSERT INTO tenants (id, slug, slug_key, name, modules, status, admin_email, created_at) "
    "VALUES (:id, :slug, :slug_key, :name, :modules, :status, :admin_email, :created_at)";
constexpr char kFindTenantByIdSql[] =
    "SELECT id, slug, slug_key, name, modules, status, admin_email, created_at "
    "FROM tenants WHERE id = :id";
constexpr char kFindTenantBySlugKeySql[] =
    "SELECT id, slug, slug_key, name, modules, status, admin_email, created_at "
    "FROM tenants WHERE slug_key = :slug_key";

// Conditional, so that of concurrent first calls (in any process) exactly one
// gets the row back; RETURNING works alike on SQLite ≥ 3.35 and PostgreSQL.
constexpr char kMarkFirstApiCallSql[] =
    "UPDATE tenants SET first_api_call_at = :at WHERE id = :id AND first_api_call_at IS NULL "
    "RETURNING created_at";

constexpr char kTenantConflict[] = "a tenant with this id or slug already exists";

}  // namespace

Status SociTenantStore::Insert(const Tenant& tenant) {
  return savepoint_.Run([&]() -> Status {
    return Guard(ctx_, kTenantConflict, [&]() -> Status {
      row_.id = tenant.id;
      row_.slug = tenant.slug;
      row_.slug_key = AsciiLower(tenant.slug);
      row_.name = tenant.name;
      row_.modules = EncodeStringList(tenant.modules);
      row_.status = tenant.status;
      row_.admin_email = tenant.admin_email.value_or("");
      row_.admin_email_ind = tenant.admin_email ? soci::i_ok : soci::i_null;
      row_.created_at = ToUnixMillis(tenant.created_at);
      if (!insert_) {
        insert_.emplace((ctx_.sql.prepare << kInsertTenantSql, soci::use(row_.id),
                         soci::use(row_.slug), soci::use(row_.slug_key), soci::use(row_.name),
                         soci::use(row_.modules), soci::use(row_.status),
                         soci::use(row_.admin_email, row_.admin_email_ind),
                         soci::use(row_.created_at)));
      }
      insert_->execute(true);
      return Status();
    });
  });
}

StatusOr<Tenant> SociTenantStore::FindById(std::string_view id) {
  return FindOne(find_by_id_, kFindTenantByIdSql, id);
}

StatusOr<Tenant> SociTenantStore::FindBySlug(std::string_view slug) {
  return FindOne(find_by_slug_, kFindTenantBySlugKeySql, AsciiLower(slug));
}

StatusOr<std::optional<TimePoint>> SociTenantStore::MarkFirstApiCall(std::string_view tenant_id,
                                                                      TimePoint at) {
  return Guard(ctx_, "", [&]() -> StatusOr<std::optional<TimePoint>> {
    key_.assign(tenant_id);
    at_ = ToUnixMillis(at);
    if (!mark_first_call_) {
      mark_first_call_.emplace((ctx_.sql.prepare << kMarkFirstApiCallSql, soci::use(at_),
                                soci::use(key_), soci::into(created_at_)));
    }
    if (!mark_first_call_->execute(true)) return std::optional<TimePoint>();
    const TimePoint created = FromUnixMillis(created_at_);
    Drain(*mark_first_call_);
    return std::optional<TimePoint>(created);
  });
}

StatusOr<Tenant> SociTenantStore::FindOne(std::optional<soci::statement>& st, const char* sql_text,
                                          std::string_view key) {
  return Guard(ctx_, "", [&]() -> StatusOr<Tenant> {
    key_.assign(key);
    if (!st) {
      st.emplace((ctx_.sql.prepare << sql_text, soci::use(key_), soci::into(row_.id),
                  soci::into(row_.slug), soci::into(row_.slug_key), soci::into(row_.name),
                  soci::into(row_.modules), soci::into(row_.status),
                  soci::into(row_.admin_email, row_.admin_email_ind), soci::into(row_.created_at)));
    }
    if (!st->execute(true)) return NotFound("tenant not found");
    StatusOr<Tenant> tenant = TenantFromRow(row_);
    Drain(*st);
    return tenant;
  });
}

StatusOr<Tenant> TenantFromRow(const TenantRow& row) {
  Tenant t;
  t.id = row.id;
  t.slug = row.slug;
  t.name = row.name;
  PORTICO_ASSIGN_OR_RETURN(t.modules, DecodeStringList(row.modules));
  t.status = row.status;
  if (row.admin_email_ind == soci::i_ok) t.admin_email = row.admin_email;
  t.created_at = FromUnixMillis(row.created_at);
  return t;
}

}  // namespace portico::db
