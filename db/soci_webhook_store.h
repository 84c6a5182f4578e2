#pragma once

// Internal to db/: the SOCI implementation of portico/webhook_store.h.

#include <soci/soci.h>

#include <optional>
#include <string>
#include <vector>

#include "db/session.h"
#include "portico/webhook_store.h"

namespace portico::db {

class StatementSavepoint;  // db/soci_stores.h

class SociWebhookStore : public WebhookStore {
 public:
  SociWebhookStore(SessionContext& ctx, StatementSavepoint& savepoint)
      : ctx_(ctx), savepoint_(savepoint) {}
  Status Insert(const WebhookEndpoint& endpoint) override;
  StatusOr<WebhookEndpoint> Find(std::string_view id) override;
  StatusOr<std::vector<WebhookEndpoint>> ListByTenant(std::string_view tenant_id) override;
  Status SetEnabled(std::string_view tenant_id, std::string_view id, bool enabled) override;
  Status Delete(std::string_view tenant_id, std::string_view id) override;

 private:
  struct Row {
    std::string id, tenant_id, url, events, sealed_secret;
    int enabled = 0;
    long long created_at = 0;
  };
  soci::statement PrepareSelect(const char* sql_text);
  StatusOr<WebhookEndpoint> FromRow() const;

  SessionContext& ctx_;
  StatementSavepoint& savepoint_;
  Row row_;
  std::string key_;
  // Prepared once per connection: every audit event lists its tenant's
  // endpoints and every delivery finds its endpoint.
  std::optional<soci::statement> find_;
  std::optional<soci::statement> list_by_tenant_;
};

}  // namespace portico::db
