#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"

namespace portico {

// Per-tenant settings documents, by name (e.g. "dcr.policy"): each feature
// owns the names it uses and validates its documents itself. One instance
// belongs to one database session: not thread-safe.
class TenantSettingsStore {
 public:
  virtual ~TenantSettingsStore() = default;
  // nullopt when the tenant has no document of that name.
  virtual StatusOr<std::optional<Json>> Get(std::string_view tenant_id, std::string_view name) = 0;
  // Inserts or replaces. NotFound when the tenant does not exist.
  virtual Status Put(std::string_view tenant_id, std::string_view name, const Json& value) = 0;
  // Every tenant's document named `name`, as (tenant id, document), by tenant
  // id: for server-wide questions such as which browser origins any tenant
  // allows. A full scan of that name: callers cache the answer.
  virtual StatusOr<std::vector<std::pair<std::string, Json>>> ListByName(
      std::string_view name) = 0;
};

}  // namespace portico
