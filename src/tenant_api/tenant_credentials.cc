#include "src/tenant_api/tenant_credentials.h"

#include <algorithm>

namespace portico::tenant_api {

StatusOr<Caller> TenantCredentials::Authenticate(
    std::string_view token, std::optional<std::string_view> required_scope) const {
  Caller caller;
  PORTICO_ASSIGN_OR_RETURN(CredentialWithTenant found,
                           issuer_.VerifyWithTenant(db_, token, CredentialKind::kIntegrationKey));
  caller.credential = std::move(found.credential);
  caller.tenant = std::move(found.tenant);
  if (caller.tenant.status != "active") return Unauthenticated("invalid or expired credential");
  if (required_scope) {
    const auto& scopes = caller.credential.scopes;
    if (std::find(scopes.begin(), scopes.end(), *required_scope) == scopes.end()) {
      return PermissionDenied("this key lacks the " + std::string(*required_scope) + " scope")
          .WithTag("insufficient_scope");
    }
  }
  return caller;
}

StatusOr<std::vector<Credential>> TenantCredentials::List(const Tenant& tenant) const {
  std::vector<Credential> out;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(out, stores.credentials().ListByTenant(tenant.id));
    return Status::Ok();
  }));
  return out;
}

StatusOr<IssuedCredential> TenantCredentials::Create(const Tenant& tenant,
                                                     const CredentialRequest& request) const {
  if (request.name.empty() || request.name.size() > 100) {
    return InvalidArgument("name must be 1 to 100 characters").WithTag("invalid_request");
  }
  std::vector<std::string> scopes =
      request.scopes.empty() ? DefaultScopes(request.kind) : request.scopes;
  for (const std::string& scope : scopes) {
    const std::vector<std::string>& known = KnownCredentialScopes();
    if (std::find(known.begin(), known.end(), scope) == known.end()) {
      return InvalidArgument("unknown scope \"" + scope + "\"").WithTag("invalid_scope");
    }
  }
  std::sort(scopes.begin(), scopes.end());
  scopes.erase(std::unique(scopes.begin(), scopes.end()), scopes.end());
  IssuedCredential issued =
      issuer_.Mint(tenant.id, request.kind, request.name, std::move(scopes), request.expires_in);
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    PORTICO_RETURN_IF_ERROR(stores.credentials().Insert(issued.record));
    Json event = Json::MakeObject()
                     .Set("type", "credential.created")
                     .Set("tenantId", tenant.id)
                     .Set("credentialId", issued.record.id)
                     .Set("kind", CredentialKindName(request.kind));
    return stores.outbox().Enqueue("audit", event.Dump(), issued.record.created_at).status();
  }));
  return issued;
}

Status TenantCredentials::Revoke(const Tenant& tenant, std::string_view id) const {
  Status revoked = db_.Transact([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(std::vector<Credential> all,
                             stores.credentials().ListByTenant(tenant.id));
    const bool owned = std::any_of(all.begin(), all.end(),
                                   [&](const Credential& c) { return c.id == id; });
    if (!owned) return NotFound("no such credential");
    const TimePoint now = clock_.Now();
    PORTICO_RETURN_IF_ERROR(stores.credentials().Revoke(id, now));
    Json event = Json::MakeObject()
                     .Set("type", "credential.revoked")
                     .Set("tenantId", tenant.id)
                     .Set("credentialId", std::string(id));
    return stores.outbox().Enqueue("audit", event.Dump(), now).status();
  });
  // This process stops honouring it at once (others within the cache's TTL).
  if (revoked.ok()) issuer_.ForgetCached();
  return revoked;
}

}  // namespace portico::tenant_api
