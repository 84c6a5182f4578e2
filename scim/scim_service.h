#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/credential_issuer.h"
#include "portico/database.h"
#include "portico/json.h"
#include "portico/metrics.h"
#include "portico/random.h"
#include "portico/status.h"
#include "scim/list_query.h"
#include "scim/schema/resource_type.h"
#include "scim/tenant_scim_settings.h"

namespace portico::scim {

// Who is calling: the tenant an integration key belongs to.
struct ScimCaller {
  std::string tenant_id;
};

// Conditions from If-Match (RFC 7644 §3.14): the version the client last
// saw ("*" or absent: any).
struct Precondition {
  std::optional<std::string> if_match;
};

// A list page ready to render.
struct ListResult {
  int64_t total_results = 0;
  int64_t start_index = 1;
  // Each resource serialised (compact JSON): an unprojected page of users is
  // written from the stored text, never built as a Json tree.
  std::vector<std::string> resources;
  std::optional<std::string> next_cursor;  // RFC 9865, when cursor paging and more follow
};

struct ScimSettings {
  std::string base_url;    // PUBLIC_BASE_URL + "/scim/v2"
  std::string cursor_key;  // signs RFC 9865 cursors (derived from KEY_HASH_SECRET)
  ListLimits limits;
  std::chrono::seconds cursor_ttl{3600};
  // Counts provisioning operations (portico_scim_operations_total, counted by
  // scim/http); null counts nothing. Must outlive the service.
  Metrics* metrics = nullptr;
  // Called with the tenant id after every successful Authenticate (feeds the
  // first-API-call metric); must be thread-safe and must not fail. Unset: nothing.
  std::function<void(std::string_view tenant_id)> on_authenticated;
};

// Hashes a SCIM-provided password with the account password hasher (slow:
// the HTTP layer calls the service off the reactor threads when a body
// carries a password).
using PasswordHashFn = std::function<StatusOr<std::string>(std::string_view password)>;

// The SCIM service provider's operations on Users and Groups (RFC 7644 §3),
// one tenant at a time. Every change and its audit event are written in one
// transaction. Responses are SCIM JSON (already projected). Errors carry
// scimType tags (scim_errors.h); NotFound for unknown ids; FailedPrecondition
// when If-Match does not match (412). Thread-safe.
class ScimService {
 public:
  ScimService(Database& db, const CredentialIssuer& issuer, Clock& clock, Random& random,
              PasswordHashFn hash_password, ScimSettings settings);

  // The caller behind an integration key: Unauthenticated for a missing,
  // bad, revoked or expired key or a suspended tenant; PermissionDenied when
  // the key lacks scim:read (or scim:write when `write`) or the tenant has
  // the SCIM module disabled.
  StatusOr<ScimCaller> Authenticate(std::optional<std::string_view> token, bool write) const;

  // Users and Groups share the shape: `type` is UserResourceType() or
  // GroupResourceType(). `attributes` / `excluded` project the response.
  struct Written {
    Json resource;
    // The representation already serialised, set instead of `resource` (which
    // stays null) by a read answered from the stored text (Get without
    // attributes or excludedAttributes).
    std::string text;
    int64_t version = 0;
  };
  StatusOr<Written> Create(const ScimCaller& caller, const ResourceType& type, const Json& body,
                           const Projection& projection);
  StatusOr<Written> Get(const ScimCaller& caller, const ResourceType& type, std::string_view id,
                        const Projection& projection);
  StatusOr<Written> Replace(const ScimCaller& caller, const ResourceType& type, std::string_view id,
                            const Json& body, const Precondition& pre,
                            const Projection& projection);
  // RFC 7644 §3.5.2: all operations or none. With `render` false the
  // resource is not read back (Written::resource stays null): the caller
  // answers 204, which keeps a one-member change on a 100,000-member group
  // from costing a full member read.
  StatusOr<Written> Patch(const ScimCaller& caller, const ResourceType& type, std::string_view id,
                          const Json& body, const Precondition& pre, const Projection& projection,
                          bool render = true);
  Status Delete(const ScimCaller& caller, const ResourceType& type, std::string_view id,
                const Precondition& pre);
  StatusOr<ListResult> List(const ScimCaller& caller, const ResourceType& type,
                            const ListParams& params);
  // POST /.search at the root (RFC 7644 §3.4.3): Users then Groups, one
  // index-paged sequence (startIndex/count run across both). The filter is
  // applied to each type it can be resolved against; a type it names unknown
  // attributes of contributes nothing, and a filter neither type can take is
  // invalidFilter. sortBy and cursors are per resource type: invalidValue here.
  StatusOr<ListResult> SearchAll(const ScimCaller& caller, const ListParams& params);

  // The tenant's "scim.settings" document with every member explicit (the
  // defaults when none is stored). Unavailable when the database is.
  StatusOr<Json> GetTenantSettings(std::string_view tenant_id);
  // Validates (ParseTenantScimSettings: InvalidArgument naming the member)
  // and stores the document; answers it with every member explicit.
  StatusOr<Json> PutTenantSettings(std::string_view tenant_id, const Json& document);

  const ScimSettings& settings() const { return settings_; }

 private:
  // `groups_of_user`: a user's groups when already fetched (a list page).
  // `record` is taken by value: move it in when it is not needed afterwards.
  StatusOr<Json> Render(Stores& stores, const ResourceType& type, ResourceRecord record,
                        const Projection& projection,
                        const std::vector<GroupRef>* groups_of_user = nullptr);
  // Render(…).Dump(); for a user read in DocumentForm::kText (the projection
  // then empty) written from the stored text.
  StatusOr<std::string> RenderText(Stores& stores, const ResourceType& type,
                                   ResourceRecord record, const Projection& projection,
                                   const std::vector<GroupRef>* groups_of_user = nullptr);
  // The groups of each user of a list page, when the projection shows them
  // (empty otherwise).
  StatusOr<std::vector<std::vector<GroupRef>>> GroupsOfPage(Stores& stores,
                                                            const ScimCaller& caller,
                                                            const Page& users,
                                                            const Projection& projection);
  // Hashes a password the client sent, unless the tenant turned password
  // sync off (400 invalidValue, before any hashing).
  StatusOr<TenantScimSettings> LoadTenantSettings(std::string_view tenant_id);
  StatusOr<std::string> HashClientPassword(const ScimCaller& caller, std::string_view password);
  Status Audit(Stores& stores, const ScimCaller& caller, std::string_view event,
               const ResourceType& type, std::string_view id, TimePoint now);

  Database& db_;
  const CredentialIssuer& issuer_;
  Clock& clock_;
  Random& random_;
  PasswordHashFn hash_password_;
  ScimSettings settings_;
};

}  // namespace portico::scim
