#include "db/soci_oauth_stores.h"
#include "db/soci_stores.h"
#include "portico/parse_json.h"

namespace portico::db {
namespace {

constexpr char kGetTenantSettingSql[] =
    "SELECT value FROM tenant_settings WHERE tenant_id = :tenant_id AND name = :name";
constexpr char kPutTenantSettingSql[] =
    "INSERT INTO tenant_settings (tenant_id, name, value, updated_at) "
    "VALUES (:tenant_id, :name, :value, :updated_at) ON CONFLICT (tenant_id, name) "
    "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at";

constexpr char kListTenantSettingsSql[] =
    "SELECT tenant_id, value FROM tenant_settings WHERE name = :name ORDER BY tenant_id";

}  // namespace

StatusOr<std::optional<Json>> SociTenantSettingsStore::Get(std::string_view tenant_id,
                                                           std::string_view name) {
  return Guard(ctx_, "", [&]() -> StatusOr<std::optional<Json>> {
    tenant_id_.assign(tenant_id);
    name_.assign(name);
    if (!get_) {
      get_.emplace((ctx_.sql.prepare << kGetTenantSettingSql, soci::use(tenant_id_),
                    soci::use(name_), soci::into(value_)));
    }
    if (!get_->execute(true)) return std::optional<Json>();
    Drain(*get_);
    StatusOr<Json> value = ParseJson(value_);
    if (!value.ok()) {
      return Internal("database error")
          .WithInternal("corrupt tenant setting " + name_ + ": " + value.status().message());
    }
    return std::optional<Json>(std::move(value).value());
  });
}

Status SociTenantSettingsStore::Put(std::string_view tenant_id, std::string_view name,
                                    const Json& value) {
  Status status = savepoint_.Run([&]() -> Status {
    return Guard(ctx_, "", [&]() -> Status {
      tenant_id_.assign(tenant_id);
      name_.assign(name);
      value_ = value.Dump();
      updated_at_ = ToUnixMillis(SystemClock().Now());
      if (!put_) {
        put_.emplace((ctx_.sql.prepare << kPutTenantSettingSql, soci::use(tenant_id_),
                      soci::use(name_), soci::use(value_), soci::use(updated_at_)));
      }
      put_->execute(true);
      return Status();
    });
  });
  // The only foreign key is the tenant's.
  if (status.code() == StatusCode::kFailedPrecondition) {
    return NotFound("tenant not found").WithInternal(status.internal());
  }
  return status;
}

StatusOr<std::vector<std::pair<std::string, Json>>> SociTenantSettingsStore::ListByName(
    std::string_view name) {
  return Guard(ctx_, "", [&]() -> StatusOr<std::vector<std::pair<std::string, Json>>> {
    name_.assign(name);
    if (!list_) {
      list_.emplace((ctx_.sql.prepare << kListTenantSettingsSql, soci::use(name_),
                     soci::into(tenant_id_), soci::into(value_)));
    }
    std::vector<std::pair<std::string, Json>> out;
    if (list_->execute(true)) {
      do {
        StatusOr<Json> value = ParseJson(value_);
        if (!value.ok()) {
          Drain(*list_);
          return Internal("database error")
              .WithInternal("corrupt tenant setting " + name_ + " of " + tenant_id_ + ": " +
                            value.status().message());
        }
        out.emplace_back(tenant_id_, std::move(value).value());
      } while (list_->fetch());
    }
    return out;
  });
}

}  // namespace portico::db
