#include "dcr/registration/registration_service.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "portico/crypto.h"
#include "portico/jose.h"
#include "portico/parse_json.h"

namespace portico::dcr {
namespace {

// Management and token requests move last_used_at at most this often: a
// write per read would cost more than the read.
constexpr auto kTouchEvery = std::chrono::seconds(60);
constexpr auto kStatementLeeway = std::chrono::seconds(60);

// Members a client sets only through the server (RFC 7592 §2.2: MUST NOT be
// in an update request).
constexpr std::string_view kServerOwned[] = {"registration_access_token", "registration_client_uri",
                                             "client_secret_expires_at", "client_id_issued_at"};
// Claims of a software statement that are about the statement, not metadata.
constexpr std::string_view kStatementOnlyClaims[] = {"iss", "sub", "aud", "exp",
                                                     "nbf", "iat", "jti"};

int64_t UnixSeconds(TimePoint t) { return ToUnixMillis(t) / 1000; }

Status BadToken() {
  // One message for every case: an unknown client and a wrong token look alike.
  return Unauthenticated("invalid registration access token").WithTag("invalid_token");
}

Status BadMetadata(std::string message) {
  return InvalidArgument(std::move(message)).WithTag("invalid_client_metadata");
}

Status BadStatement(std::string message) {
  return InvalidArgument("software_statement: " + std::move(message))
      .WithTag("invalid_software_statement");
}

// The payload of a compact JWS, unverified: only to learn which issuer's
// keys verify it.
StatusOr<Json> UnverifiedPayload(std::string_view compact) {
  const size_t first = compact.find('.');
  const size_t second = first == std::string_view::npos ? first : compact.find('.', first + 1);
  if (second == std::string_view::npos || compact.find('.', second + 1) != std::string_view::npos) {
    return BadStatement("not a JWS in compact serialization");
  }
  const std::optional<std::string> payload =
      Base64UrlDecode(compact.substr(first + 1, second - first - 1));
  if (!payload) return BadStatement("the payload is not base64url");
  StatusOr<Json> claims = ParseJson(*payload);
  if (!claims.ok() || !claims->is_object()) return BadStatement("the payload is not a JSON object");
  return claims;
}

}  // namespace

RegistrationService::RegistrationService(Database& db, const CredentialIssuer& issuer,
                                         const ClientSecrets& secrets, const Clock& clock,
                                         RegistrationOptions options)
    : db_(db), issuer_(issuer), secrets_(secrets), clock_(clock), options_(std::move(options)) {
  if (options_.metrics != nullptr) rejections_ = &RateLimitRejections(*options_.metrics);
}

Status RegistrationService::Limit(Stores& stores, const std::string& bucket,
                                  const RateLimit& limit, std::string_view scope,
                                  TimePoint now) const {
  Status status = CheckRateLimit(stores.rate_limits(), bucket, limit, now);
  if (status.code() == StatusCode::kResourceExhausted && rejections_ != nullptr) {
    rejections_->WithLabels({"dcr", scope}).Inc();
  }
  return status;
}

StatusOr<TenantDcrPolicy> RegistrationService::LoadPolicy(Stores& stores,
                                                          std::string_view tenant_id) {
  PORTICO_ASSIGN_OR_RETURN(std::optional<Json> document,
                           stores.tenant_settings().Get(tenant_id, kPolicySettingName));
  StatusOr<TenantDcrPolicy> policy =
      ParseTenantDcrPolicy(document ? &*document : nullptr, options_.server_policy);
  // Policies are validated when written: a bad one stored is our fault.
  if (!policy.ok()) {
    return Internal("stored dcr policy is invalid").WithInternal(policy.status().message());
  }
  return policy;
}

StatusOr<RegistrationService::Caller> RegistrationService::AuthorizeRegistration(
    std::optional<std::string_view> token) {
  Caller caller;
  if (!token) {
    if (!options_.open_registration_tenant) {
      return Unauthenticated("an initial access token is required to register")
          .WithTag("invalid_token");
    }
    caller.open = true;
    PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
      StatusOr<Tenant> tenant = stores.tenants().FindBySlug(*options_.open_registration_tenant);
      if (!tenant.ok()) {
        return tenant.status().code() == StatusCode::kNotFound
                   ? Internal("open registration tenant is missing")
                         .WithInternal(*options_.open_registration_tenant)
                   : tenant.status();
      }
      caller.tenant_id = tenant->id;
      PORTICO_ASSIGN_OR_RETURN(caller.policy, LoadPolicy(stores, caller.tenant_id));
      return Status::Ok();
    }));
    return caller;
  }
  CredentialWithTenant found;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    StatusOr<CredentialWithTenant> verified =
        issuer_.VerifyWithTenant(stores.credentials(), *token);
    if (!verified.ok()) {
      if (verified.status().code() != StatusCode::kUnauthenticated) return verified.status();
      return Unauthenticated("invalid initial access token").WithTag("invalid_token");
    }
    found = std::move(verified).value();
    PORTICO_ASSIGN_OR_RETURN(caller.policy, LoadPolicy(stores, found.tenant.id));
    return Status::Ok();
  }));
  if (found.tenant.status != "active") {
    return Unauthenticated("invalid initial access token").WithTag("invalid_token");
  }
  const std::vector<std::string>& modules = found.tenant.modules;
  if (!modules.empty() && std::find(modules.begin(), modules.end(), "dcr") == modules.end()) {
    return PermissionDenied("client registration is not enabled for this tenant")
        .WithTag("insufficient_scope");
  }
  const std::vector<std::string>& scopes = found.credential.scopes;
  const bool may_register =
      found.credential.kind == CredentialKind::kBootstrapToken ||
      (found.credential.kind == CredentialKind::kIntegrationKey &&
       std::find(scopes.begin(), scopes.end(), kScopeDcrRegister) != scopes.end());
  if (!may_register) {
    return PermissionDenied("this token may not register clients (it needs the dcr:register scope)")
        .WithTag("insufficient_scope");
  }
  caller.tenant_id = found.tenant.id;
  return caller;
}

StatusOr<Json> RegistrationService::ApplySoftwareStatement(const Json& request,
                                                           const TenantDcrPolicy& policy) const {
  const Json* statement = request.is_object() ? request.Find("software_statement") : nullptr;
  if (statement == nullptr || statement->is_null()) {
    if (policy.registration.require_software_statement) {
      return InvalidArgument("this tenant registers only clients with a software statement")
          .WithTag("unapproved_software_statement");
    }
    return request;
  }
  if (!statement->is_string()) return BadStatement("must be a string");
  const std::string& compact = statement->as_string();
  if (compact.size() > policy.registration.limits.max_software_statement_length) {
    return BadStatement("too long");
  }
  PORTICO_ASSIGN_OR_RETURN(Json unverified, UnverifiedPayload(compact));
  const Json* iss = unverified.Find("iss");
  if (iss == nullptr || !iss->is_string()) return BadStatement("the iss claim is missing");
  const TrustedIssuer* trusted = policy.FindIssuer(iss->as_string());
  if (trusted == nullptr) {
    return InvalidArgument("software_statement: issuer " + iss->as_string() +
                           " is not trusted by this tenant")
        .WithTag("unapproved_software_statement");
  }
  StatusOr<VerifiedJws> verified = VerifyJws(compact, trusted->keys);
  if (!verified.ok()) return BadStatement(verified.status().message());
  Status times = CheckJwtTimes(verified->payload, clock_.Now(), kStatementLeeway,
                               /*require_exp=*/false);
  if (!times.ok()) return BadStatement(times.message());
  // RFC 7591 §2.3: the statement's claims take precedence over the JSON.
  Json merged = request;
  for (const auto& [name, value] : verified->payload.as_object()) {
    if (std::find(std::begin(kStatementOnlyClaims), std::end(kStatementOnlyClaims), name) !=
        std::end(kStatementOnlyClaims)) {
      continue;
    }
    merged.Set(name, value);
  }
  return merged;
}

StatusOr<ClientMetadata> RegistrationService::Validate(const Json& request,
                                                       const TenantDcrPolicy& policy) const {
  return ValidateClientMetadata(request, policy.registration,
                                [](const Json& jwks) { return JwkSet::Parse(jwks).status(); });
}

Json RegistrationService::Render(const ClientRecord& record,
                                 const std::optional<std::string>& client_secret,
                                 const std::optional<std::string>& registration_token) const {
  Json body = Json::MakeObject();
  body.Set("client_id", record.client_id);
  if (client_secret) body.Set("client_secret", *client_secret);
  body.Set("client_id_issued_at", UnixSeconds(record.issued_at));
  if (record.secret_hash) {
    body.Set("client_secret_expires_at",
             record.secret_expires_at ? UnixSeconds(*record.secret_expires_at) : int64_t{0});
  }
  if (registration_token) body.Set("registration_access_token", *registration_token);
  body.Set("registration_client_uri", options_.registration_endpoint + "/" + record.client_id);
  if (record.metadata.is_object()) {
    for (const auto& [name, value] : record.metadata.as_object()) body.Set(name, value);
  }
  return body;
}

std::string RegistrationService::AuditPayload(std::string_view event, const ClientRecord& record,
                                              TimePoint now) {
  Json audit = Json::MakeObject();
  audit.Set("type", "client." + std::string(event))
      .Set("tenantId", record.tenant_id)
      .Set("clientId", record.client_id)
      .Set("at", FormatRfc3339(now));
  if (const Json* name = record.metadata.Find("client_name")) audit.Set("clientName", *name);
  return audit.Dump();
}

Status RegistrationService::Audit(Stores& stores, std::string_view event,
                                  const ClientRecord& record, TimePoint now) {
  return stores.outbox().Enqueue("audit", AuditPayload(event, record, now), now).status();
}

StatusOr<ClientInformation> RegistrationService::Register(
    std::optional<std::string_view> initial_access_token, std::string_view client_ip,
    const Json& request) {
  PORTICO_ASSIGN_OR_RETURN(Caller caller, AuthorizeRegistration(initial_access_token));
  PORTICO_ASSIGN_OR_RETURN(Json merged, ApplySoftwareStatement(request, caller.policy));
  PORTICO_ASSIGN_OR_RETURN(ClientMetadata metadata, Validate(merged, caller.policy));

  const TimePoint now = clock_.Now();
  ClientRecord record;
  record.client_id = secrets_.NewClientId();
  record.tenant_id = caller.tenant_id;
  record.metadata = metadata.json();
  if (metadata.is_public_client() && caller.policy.deduplicate_public_clients) {
    record.fingerprint = HexEncode(Sha256(CanonicalFingerprint(metadata)));
  }
  std::optional<std::string> secret;
  if (metadata.needs_client_secret()) {
    secret = secrets_.NewClientSecret();
    record.secret_hash = secrets_.Hash(*secret);
  }
  const std::string registration_token = secrets_.NewRegistrationToken();
  record.registration_token_hash = secrets_.Hash(registration_token);
  record.issued_at = record.updated_at = record.last_used_at = now;

  // Built here, not in the transaction: on SQLite every writer waits while
  // one holds the write lock, so it holds it only for the statements.
  const std::string audit = AuditPayload("created", record, now);
  bool reused = false;
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    if (caller.open) {
      PORTICO_RETURN_IF_ERROR(Limit(stores, "dcr.register.ip:" + std::string(client_ip),
                                    options_.open_registrations_per_ip, "ip", now));
    }
    PORTICO_RETURN_IF_ERROR(Limit(stores, "dcr.register.tenant:" + caller.tenant_id,
                                  caller.policy.registrations_per_tenant, "tenant", now));
    if (!record.fingerprint.empty()) {
      PORTICO_ASSIGN_OR_RETURN(
          std::optional<ClientRecord> same,
          stores.clients().FindByFingerprint(caller.tenant_id, record.fingerprint));
      if (same) {
        // The same public client again: its id, with a fresh registration
        // token (the earlier one is replaced: only a hash is kept).
        const int64_t version = same->version;
        same->registration_token_hash = record.registration_token_hash;
        same->last_used_at = now;
        PORTICO_RETURN_IF_ERROR(stores.clients().Update(*same, version));
        same->version = version + 1;
        record = std::move(*same);
        reused = true;
        return Status::Ok();
      }
    }
    PORTICO_RETURN_IF_ERROR(
        CheckClientQuota(stores, caller.tenant_id, caller.policy.max_clients, now));
    PORTICO_RETURN_IF_ERROR(stores.clients().Insert(record));
    return stores.outbox().Enqueue("audit", audit, now).status();
  }));
  return ClientInformation{Render(record, secret, registration_token), record.client_id, !reused};
}

Status RegistrationService::CheckClientQuota(Stores& stores, std::string_view tenant_id,
                                             int64_t max_clients, TimePoint now) {
  constexpr auto kRecount = std::chrono::seconds(1);
  // Near the limit, count exactly: this many registrations of slack.
  constexpr int64_t kMargin = 100;
  std::unique_lock lock(counts_mu_);
  auto it = counts_.find(tenant_id);
  const bool fresh = it != counts_.end() && now - it->second.counted_at < kRecount;
  if (!fresh || it->second.counted + it->second.added + kMargin >= max_clients) {
    lock.unlock();  // never hold the mutex across a query
    PORTICO_ASSIGN_OR_RETURN(int64_t counted, stores.clients().CountByTenant(tenant_id));
    lock.lock();
    it = counts_.insert_or_assign(std::string(tenant_id), ClientCount{counted, 0, now}).first;
  }
  if (it->second.counted + it->second.added >= max_clients) {
    return PermissionDenied("this tenant has reached its limit of " + std::to_string(max_clients) +
                            " clients")
        .WithTag("access_denied");
  }
  // Counted before the insert commits; a rolled-back registration only makes
  // the estimate err on the safe side until the next count.
  ++it->second.added;
  return Status::Ok();
}

StatusOr<ClientRecord> RegistrationService::Authorize(
    Stores& stores, std::string_view client_id,
    std::optional<std::string_view> registration_token) {
  if (!registration_token) {
    return Unauthenticated("a Bearer registration access token is required")
        .WithTag("invalid_token");
  }
  StatusOr<ClientRecord> record = stores.clients().FindById(client_id);
  if (!record.ok()) {
    // RFC 7592 §2: an unknown (or deleted) client is 401, never 404.
    return record.status().code() == StatusCode::kNotFound ? BadToken() : record.status();
  }
  if (!secrets_.RegistrationTokenMatches(*record, *registration_token)) return BadToken();
  return record;
}

StatusOr<ClientInformation> RegistrationService::Read(
    std::string_view client_id, std::optional<std::string_view> registration_token) {
  ClientRecord record;
  const TimePoint now = clock_.Now();
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(record, Authorize(stores, client_id, registration_token));
    if (now - record.last_used_at < kTouchEvery) return Status::Ok();
    return stores.clients().Touch(client_id, now, std::nullopt);
  }));
  return ClientInformation{Render(record, std::nullopt, std::string(*registration_token)),
                           record.client_id, false};
}

StatusOr<ClientInformation> RegistrationService::Replace(
    std::string_view client_id, std::optional<std::string_view> registration_token,
    const Json& request, bool rotate_secret) {
  ClientRecord current;
  TenantDcrPolicy policy;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(current, Authorize(stores, client_id, registration_token));
    PORTICO_ASSIGN_OR_RETURN(policy, LoadPolicy(stores, current.tenant_id));
    return Status::Ok();
  }));
  if (!request.is_object()) return BadMetadata("the request must be a JSON object");
  const Json* id = request.Find("client_id");
  if (id == nullptr || !id->is_string() || id->as_string() != client_id) {
    return BadMetadata("client_id must be present and equal to the client's identifier");
  }
  for (std::string_view name : kServerOwned) {
    if (request.Find(name) != nullptr) {
      return BadMetadata(std::string(name) + " must not be sent in an update");
    }
  }
  const TimePoint now = clock_.Now();
  if (const Json* sent = request.Find("client_secret")) {
    if (!sent->is_string() || !secrets_.SecretMatches(current, sent->as_string(), now)) {
      return BadMetadata("client_secret does not match the client's secret");
    }
  }
  PORTICO_ASSIGN_OR_RETURN(Json merged, ApplySoftwareStatement(request, policy));
  PORTICO_ASSIGN_OR_RETURN(ClientMetadata metadata, Validate(merged, policy));

  ClientRecord updated = current;
  updated.metadata = metadata.json();
  updated.fingerprint = metadata.is_public_client() && policy.deduplicate_public_clients
                            ? HexEncode(Sha256(CanonicalFingerprint(metadata)))
                            : std::string();
  updated.updated_at = updated.last_used_at = now;
  std::optional<std::string> secret;
  if (!metadata.needs_client_secret()) {
    updated.secret_hash.reset();
    updated.secret_expires_at.reset();
    updated.previous_secret_hash.reset();
    updated.previous_secret_expires_at.reset();
  } else if (!current.secret_hash || rotate_secret) {
    secret = secrets_.NewClientSecret();
    updated.secret_hash = secrets_.Hash(*secret);
    updated.secret_expires_at.reset();
    if (current.secret_hash) {
      updated.previous_secret_hash = current.secret_hash;
      updated.previous_secret_expires_at = now + policy.secret_rotation_grace;
    }
  }
  const std::string audit = AuditPayload("updated", updated, now);
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    Status st = stores.clients().Update(updated, current.version);
    if (st.code() == StatusCode::kNotFound) return BadToken();  // deleted meanwhile
    if (st.code() == StatusCode::kFailedPrecondition) {
      return Aborted("the registration changed concurrently; read it and try again");
    }
    PORTICO_RETURN_IF_ERROR(st);
    return stores.outbox().Enqueue("audit", audit, now).status();
  }));
  updated.version = current.version + 1;
  return ClientInformation{Render(updated, secret, std::string(*registration_token)),
                           updated.client_id, false};
}

Status RegistrationService::Delete(std::string_view client_id,
                                   std::optional<std::string_view> registration_token) {
  const TimePoint now = clock_.Now();
  return db_.Transact([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(ClientRecord record, Authorize(stores, client_id, registration_token));
    PORTICO_RETURN_IF_ERROR(stores.clients().Delete(client_id));
    return Audit(stores, "deleted", record, now);
  });
}

StatusOr<Json> RegistrationService::GetPolicy(std::string_view tenant_id) {
  std::optional<Json> document;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(document, stores.tenant_settings().Get(tenant_id, kPolicySettingName));
    return Status::Ok();
  }));
  return document ? *document : Json::MakeObject();
}

Status RegistrationService::PutPolicy(std::string_view tenant_id, const Json& document) {
  PORTICO_RETURN_IF_ERROR(ParseTenantDcrPolicy(&document, options_.server_policy).status());
  return db_.Run([&](Stores& stores) {
    return stores.tenant_settings().Put(tenant_id, kPolicySettingName, document);
  });
}

StatusOr<int64_t> RegistrationService::PruneUnused(size_t limit) {
  if (!options_.client_ttl) return int64_t{0};
  const TimePoint now = clock_.Now();
  int64_t deleted = 0;
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(std::vector<ClientRecord> gone,
                             stores.clients().DeleteUnused(now - *options_.client_ttl, now, limit));
    for (const ClientRecord& record : gone) {
      PORTICO_RETURN_IF_ERROR(Audit(stores, "deleted", record, now));
    }
    deleted = static_cast<int64_t>(gone.size());
    return Status::Ok();
  }));
  return deleted;
}

}  // namespace portico::dcr
