#include "db/soci_webhook_store.h"

#include "db/codec.h"
#include "db/soci_stores.h"

namespace portico::db {
namespace {

constexpr char kInsertWebhookSql[] =
    "INSERT INTO webhook_endpoints (id, tenant_id, url, events, sealed_secret, enabled, "
    "created_at) VALUES (:id, :tenant_id, :url, :events, :sealed_secret, :enabled, :created_at)";
constexpr char kFindWebhookSql[] =
    "SELECT id, tenant_id, url, events, sealed_secret, enabled, created_at "
    "FROM webhook_endpoints WHERE id = :id";
constexpr char kListWebhooksByTenantSql[] =
    "SELECT id, tenant_id, url, events, sealed_secret, enabled, created_at "
    "FROM webhook_endpoints WHERE tenant_id = :tenant_id ORDER BY created_at, id";
constexpr char kSetWebhookEnabledSql[] =
    "UPDATE webhook_endpoints SET enabled = :enabled WHERE tenant_id = :tenant_id AND id = :id";
constexpr char kDeleteWebhookSql[] =
    "DELETE FROM webhook_endpoints WHERE tenant_id = :tenant_id AND id = :id";

}  // namespace

Status SociWebhookStore::Insert(const WebhookEndpoint& endpoint) {
  Status status = savepoint_.Run([&]() -> Status {
    return Guard(ctx_, "a webhook endpoint with this id already exists", [&]() -> Status {
      Row row;
      row.id = endpoint.id;
      row.tenant_id = endpoint.tenant_id;
      row.url = endpoint.url;
      row.events = EncodeStringList(endpoint.events);
      row.sealed_secret = endpoint.sealed_secret;
      row.enabled = endpoint.enabled ? 1 : 0;
      row.created_at = ToUnixMillis(endpoint.created_at);
      // Rare (an operator's command): a one-shot statement.
      ctx_.sql << kInsertWebhookSql, soci::use(row.id), soci::use(row.tenant_id),
          soci::use(row.url), soci::use(row.events), soci::use(row.sealed_secret),
          soci::use(row.enabled), soci::use(row.created_at);
      return Status();
    });
  });
  // The only foreign key is the tenant's.
  if (status.code() == StatusCode::kFailedPrecondition) {
    return NotFound("tenant not found").WithInternal(status.internal());
  }
  return status;
}

soci::statement SociWebhookStore::PrepareSelect(const char* sql_text) {
  return (ctx_.sql.prepare << sql_text, soci::use(key_), soci::into(row_.id),
          soci::into(row_.tenant_id), soci::into(row_.url), soci::into(row_.events),
          soci::into(row_.sealed_secret), soci::into(row_.enabled), soci::into(row_.created_at));
}

StatusOr<WebhookEndpoint> SociWebhookStore::FromRow() const {
  WebhookEndpoint endpoint;
  endpoint.id = row_.id;
  endpoint.tenant_id = row_.tenant_id;
  endpoint.url = row_.url;
  PORTICO_ASSIGN_OR_RETURN(endpoint.events, DecodeStringList(row_.events));
  endpoint.sealed_secret = row_.sealed_secret;
  endpoint.enabled = row_.enabled != 0;
  endpoint.created_at = FromUnixMillis(row_.created_at);
  return endpoint;
}

StatusOr<WebhookEndpoint> SociWebhookStore::Find(std::string_view id) {
  return Guard(ctx_, "", [&]() -> StatusOr<WebhookEndpoint> {
    key_.assign(id);
    if (!find_) find_.emplace(PrepareSelect(kFindWebhookSql));
    if (!find_->execute(true)) return NotFound("webhook endpoint not found");
    StatusOr<WebhookEndpoint> endpoint = FromRow();
    Drain(*find_);
    return endpoint;
  });
}

StatusOr<std::vector<WebhookEndpoint>> SociWebhookStore::ListByTenant(std::string_view tenant_id) {
  return Guard(ctx_, "", [&]() -> StatusOr<std::vector<WebhookEndpoint>> {
    key_.assign(tenant_id);
    if (!list_by_tenant_) list_by_tenant_.emplace(PrepareSelect(kListWebhooksByTenantSql));
    std::vector<WebhookEndpoint> out;
    Status status;
    if (list_by_tenant_->execute(true)) {
      do {
        StatusOr<WebhookEndpoint> endpoint = FromRow();
        if (!endpoint.ok()) {
          status = endpoint.status();
        } else {
          out.push_back(std::move(endpoint).value());
        }
      } while (list_by_tenant_->fetch());
    }
    if (!status.ok()) return status;
    return out;
  });
}

Status SociWebhookStore::SetEnabled(std::string_view tenant_id, std::string_view id, bool enabled) {
  return Guard(ctx_, "", [&]() -> Status {
    std::string tenant(tenant_id), key(id);
    int value = enabled ? 1 : 0;
    soci::statement st = (ctx_.sql.prepare << kSetWebhookEnabledSql, soci::use(value),
                          soci::use(tenant), soci::use(key));
    st.execute(true);
    if (st.get_affected_rows() == 0) return NotFound("webhook endpoint not found");
    return Status();
  });
}

Status SociWebhookStore::Delete(std::string_view tenant_id, std::string_view id) {
  return Guard(ctx_, "", [&]() -> Status {
    std::string tenant(tenant_id), key(id);
    soci::statement st = (ctx_.sql.prepare << kDeleteWebhookSql, soci::use(tenant), soci::use(key));
    st.execute(true);
    if (st.get_affected_rows() == 0) return NotFound("webhook endpoint not found");
    return Status();
  });
}

}  // namespace portico::db
