#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "dcr/client_secrets.h"
#include "dcr/client_store.h"
#include "dcr/metadata/client_metadata.h"
#include "dcr/registration/tenant_policy.h"
#include "portico/clock.h"
#include "portico/credential_issuer.h"
#include "portico/database.h"
#include "portico/json.h"
#include "portico/metrics.h"
#include "portico/rate_limit.h"
#include "portico/status.h"

namespace portico::dcr {

struct RegistrationOptions {
  // The advertised registration_endpoint; registration_client_uri is it + "/" + client_id.
  std::string registration_endpoint;
  // DCR_OPEN_REGISTRATION: a request without an initial access token
  // registers into the tenant with this slug (none: such requests get 401).
  std::optional<std::string> open_registration_tenant;
  // Per client IP, for registrations without an initial access token only:
  // an authenticated tenant is limited as a tenant, so that many agents
  // behind one shared egress IP are not punished for each other.
  RateLimit open_registrations_per_ip{60, std::chrono::seconds(60)};
  // Clients unused this long (and holding no live token) are deleted by
  // PruneUnused; absent: kept for ever.
  std::optional<std::chrono::hours> client_ttl = std::chrono::hours(24 * 90);
  // What the server serves (grant types, auth methods, algorithms); tenant
  // policies narrow it.
  RegistrationPolicy server_policy;
  // Counts rate-limit rejections (portico_rate_limit_rejections_total{api="dcr",
  // scope=ip|tenant}); null counts nothing. Must outlive the service.
  Metrics* metrics = nullptr;
};

// A registration or a read of one: the RFC 7591 §3.2.1 / RFC 7592 §3
// response body.
struct ClientInformation {
  Json body;
  std::string client_id;
  bool created = true;  // false: an identical public client was reused
};

// OAuth 2.0 Dynamic Client Registration (RFC 7591) and its management
// protocol (RFC 7592). Errors are Status values tagged with the RFC's error
// codes (invalid_redirect_uri, invalid_client_metadata,
// invalid_software_statement, unapproved_software_statement, invalid_token);
// 401 for a missing or bad token, 403 for a token not allowed to register,
// 429 (tag rate_limited, retry-after) over a rate limit. Thread-safe.
class RegistrationService {
 public:
  RegistrationService(Database& db, const CredentialIssuer& issuer, const ClientSecrets& secrets,
                      const Clock& clock, RegistrationOptions options);

  // POST registration_endpoint. `initial_access_token`: the Bearer token,
  // if any; `client_ip` for the open-registration limit.
  StatusOr<ClientInformation> Register(std::optional<std::string_view> initial_access_token,
                                       std::string_view client_ip, const Json& request);
  // GET registration_client_uri. Unknown client or wrong token → 401.
  StatusOr<ClientInformation> Read(std::string_view client_id,
                                   std::optional<std::string_view> registration_token);
  // PUT registration_client_uri (RFC 7592 §2.2): the request replaces the
  // registration. `rotate_secret` issues a new client_secret; the old one
  // keeps working for the tenant's grace period.
  StatusOr<ClientInformation> Replace(std::string_view client_id,
                                      std::optional<std::string_view> registration_token,
                                      const Json& request, bool rotate_secret);
  // DELETE registration_client_uri: the client id, its secret, its
  // registration token and every token issued to it stop working.
  Status Delete(std::string_view client_id, std::optional<std::string_view> registration_token);

  // The tenant's registration policy document ({} when it has none).
  StatusOr<Json> GetPolicy(std::string_view tenant_id);
  // Validates (ParseTenantDcrPolicy: InvalidArgument naming the member) and
  // stores the tenant's policy document; it applies to the next request.
  Status PutPolicy(std::string_view tenant_id, const Json& document);

  // Deletes clients unused for longer than the client TTL (and holding
  // no live token), up to `limit`; returns how many. For `portico clients
  // prune` and the periodic sweep.
  StatusOr<int64_t> PruneUnused(size_t limit);

 private:
  struct Caller {
    std::string tenant_id;
    TenantDcrPolicy policy;
    bool open = false;  // registered without an initial access token
  };

  StatusOr<Caller> AuthorizeRegistration(std::optional<std::string_view> token);
  StatusOr<TenantDcrPolicy> LoadPolicy(Stores& stores, std::string_view tenant_id);
  // The request with a verified software statement's claims merged over it.
  StatusOr<Json> ApplySoftwareStatement(const Json& request, const TenantDcrPolicy& policy) const;
  StatusOr<ClientMetadata> Validate(const Json& request, const TenantDcrPolicy& policy) const;
  StatusOr<ClientRecord> Authorize(Stores& stores, std::string_view client_id,
                                   std::optional<std::string_view> registration_token);
  Json Render(const ClientRecord& record, const std::optional<std::string>& client_secret,
              const std::optional<std::string>& registration_token) const;
  Status Audit(Stores& stores, std::string_view event, const ClientRecord& record, TimePoint now);
  // Audit's payload, for writers that build it before their transaction.
  static std::string AuditPayload(std::string_view event, const ClientRecord& record,
                                  TimePoint now);
  // Whether the tenant may hold one more client. Counting a tenant's clients
  // on every registration grew with the table (a scan per insert): the count
  // is read at most once a second per tenant, plus this process's
  // registrations since, and exactly whenever that estimate nears the limit.
  // Several processes may together overshoot by what they register within
  // that second; a quota against runaway registration can afford it.
  Status CheckClientQuota(Stores& stores, std::string_view tenant_id, int64_t max_clients,
                          TimePoint now);

  struct ClientCount {
    int64_t counted = 0;  // from the store
    int64_t added = 0;    // registered here since
    TimePoint counted_at;
  };

  Database& db_;
  const CredentialIssuer& issuer_;
  const ClientSecrets& secrets_;
  const Clock& clock_;
  RegistrationOptions options_;
  CounterFamily* rejections_ = nullptr;  // from options_.metrics
  // CheckRateLimit, counting a refusal under `scope`.
  Status Limit(Stores& stores, const std::string& bucket, const RateLimit& limit,
               std::string_view scope, TimePoint now) const;
  std::mutex counts_mu_;
  std::map<std::string, ClientCount, std::less<>> counts_;  // by tenant id
};

}  // namespace portico::dcr
