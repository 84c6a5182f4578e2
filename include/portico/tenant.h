#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/status.h"

namespace portico {

struct Tenant {
  std::string id;    // UUID
  std::string slug;  // lowercase letters, digits, inner hyphens; unique case-insensitively
  std::string name;
  std::vector<std::string> modules;  // e.g. {"scim", "dcr", "signup"}
  std::string status = "active";    // "active" | "suspended"
  std::optional<std::string> admin_email;  // normalised (lowercase domain), when given
  TimePoint created_at;
};

// Tenants. One instance belongs to one database session (see database.h):
// not thread-safe, use it inside Database::Run/Transact only.
class TenantStore {
 public:
  virtual ~TenantStore() = default;
  // AlreadyExists when the id or the slug (compared case-insensitively) is taken.
  virtual Status Insert(const Tenant& tenant) = 0;
  // NotFound when absent.
  virtual StatusOr<Tenant> FindById(std::string_view id) = 0;
  // Case-insensitive. NotFound when absent.
  virtual StatusOr<Tenant> FindBySlug(std::string_view slug) = 0;
  // Records `at` as the tenant's first authenticated API call unless one is
  // recorded already (one conditional UPDATE, so exactly one caller across
  // all processes wins). Returns the tenant's created_at when this call set
  // the marker; nullopt when it was set before or there is no such tenant.
  virtual StatusOr<std::optional<TimePoint>> MarkFirstApiCall(std::string_view tenant_id,
                                                              TimePoint at) = 0;
};

}  // namespace portico
