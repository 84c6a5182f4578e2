#include "signup/session/provisioner.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "portico/account_store.h"
#include "portico/crypto.h"
#include "portico/mail.h"
#include "portico/parse_json.h"
#include "signup/session/create_request.h"
#include "signup/session/signup_service.h"
#include "signup/session/signup_session_store.h"
#include "src/core/mail/mail_outbox.h"

namespace portico::signup {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr size_t kMinKey = 8;
constexpr size_t kMaxKey = 128;
constexpr size_t kMaxKeyName = 100;

// Secret names in the sealed document, as the 201 names them.
constexpr char kPublicLoginToken[] = "publicLoginToken";
constexpr char kIntegrationKey[] = "integrationKey";
constexpr char kBootstrapToken[] = "bootstrapToken";

bool UrlSafe(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

Status SessionNotFound() {
  return NotFound("no signup session with this id").WithTag(kNotFoundCode);
}

Status InProgress(int retry_after) {
  return Aborted("provisioning of this signup session is in progress; poll GET and retry later")
      .WithTag(kProvisioningInProgress)
      .WithRetryAfter(retry_after)
      .WithDetails(Json::MakeObject().Set("retryAfterSeconds", retry_after));
}

int SecondsUntil(TimePoint now, TimePoint until) {
  const int64_t ms = duration_cast<milliseconds>(until - now).count();
  return static_cast<int>(std::max<int64_t>(1, (ms + 999) / 1000));
}

// A failure that ends the run as REVIEW_REQUIRED with this code.
Status StepFailure(std::string code, std::string message) {
  return FailedPrecondition(std::move(message)).WithTag(std::move(code));
}

bool IsLeaseLost(const Status& s) { return s.tag() == kProvisioningInProgress; }

}  // namespace

const std::vector<std::string>& ProvisionSteps() {
  static const std::vector<std::string> steps = {kStepTenant,         kStepOrg,   kStepInvite,
                                                 kStepDetectors,      kStepIntegrationKey,
                                                 kStepLegal,          kStepBootstrap};
  return steps;
}

const std::vector<std::string>& TemplateScopes() {
  static const std::vector<std::string> scopes = {kScopeScimRead, kScopeScimWrite,
                                                  kScopeDcrRegister, kScopeTenantAdmin};
  return scopes;
}

StatusOr<ProvisionRequest> ParseProvisionRequest(const Json& body) {
  if (!body.is_object()) {
    return RequestError("", "WRONG_TYPE", "the request body must be a JSON object");
  }
  for (const auto& [name, value] : body.as_object()) {
    if (name != "idempotencyKey" && name != "integrationKeyTemplate") {
      return RequestError(name, "UNKNOWN_PROPERTY", "unknown property \"" + name + "\"");
    }
  }
  const Json* tmpl = body.Find("integrationKeyTemplate");
  if (tmpl != nullptr && !tmpl->is_null()) {
    if (!tmpl->is_object()) {
      return RequestError("integrationKeyTemplate", "WRONG_TYPE",
                          "integrationKeyTemplate must be an object");
    }
    for (const auto& [name, value] : tmpl->as_object()) {
      if (name != "name" && name != "scopes") {
        return RequestError("integrationKeyTemplate." + name, "UNKNOWN_PROPERTY",
                            "unknown property \"integrationKeyTemplate." + name + "\"");
      }
    }
  }
  ProvisionRequest request;
  const Json* key = body.Find("idempotencyKey");
  if (key == nullptr || key->is_null()) {
    return RequestError("idempotencyKey", "REQUIRED", "idempotencyKey is required");
  }
  if (!key->is_string()) {
    return RequestError("idempotencyKey", "WRONG_TYPE", "idempotencyKey must be a string");
  }
  if (key->as_string().size() < kMinKey || key->as_string().size() > kMaxKey ||
      !UrlSafe(key->as_string())) {
    return RequestError("idempotencyKey", "IDEMPOTENCY_KEY_INVALID",
                        "idempotencyKey must be 8 to 128 characters of A-Z, a-z, 0-9, - and _");
  }
  request.idempotency_key = key->as_string();

  Json canonical_template;  // null when absent
  if (tmpl != nullptr && tmpl->is_object()) {
    canonical_template = Json::MakeObject();
    const Json* name = tmpl->Find("name");
    if (name != nullptr && !name->is_null()) {
      if (!name->is_string()) {
        return RequestError("integrationKeyTemplate.name", "WRONG_TYPE",
                            "integrationKeyTemplate.name must be a string");
      }
      const std::string& n = name->as_string();
      const bool control = std::any_of(n.begin(), n.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      });
      if (n.empty() || n.size() > kMaxKeyName || control) {
        return RequestError("integrationKeyTemplate.name", "NAME_INVALID",
                            "integrationKeyTemplate.name must be 1 to 100 characters without "
                            "control characters");
      }
      request.key_name = n;
    }
    canonical_template.Set("name", request.key_name);
    const Json* scopes = tmpl->Find("scopes");
    if (scopes != nullptr && !scopes->is_null()) {
      if (!scopes->is_array() || scopes->as_array().empty()) {
        return RequestError("integrationKeyTemplate.scopes", "WRONG_TYPE",
                            "integrationKeyTemplate.scopes must be a non-empty array of strings");
      }
      const std::vector<std::string>& allowed = TemplateScopes();
      for (const Json& s : scopes->as_array()) {
        if (!s.is_string()) {
          return RequestError("integrationKeyTemplate.scopes", "WRONG_TYPE",
                              "integrationKeyTemplate.scopes must be strings");
        }
        if (std::find(allowed.begin(), allowed.end(), s.as_string()) == allowed.end()) {
          return RequestError("integrationKeyTemplate.scopes", "SCOPE_UNKNOWN",
                              "unknown scope \"" + s.as_string() +
                                  "\" (allowed: scim:read, scim:write, dcr:register, "
                                  "tenant:admin)");
        }
        if (std::find(request.scopes.begin(), request.scopes.end(), s.as_string()) !=
            request.scopes.end()) {
          return RequestError("integrationKeyTemplate.scopes", "SCOPE_DUPLICATE",
                              "scope \"" + s.as_string() + "\" is listed twice");
        }
        request.scopes.push_back(s.as_string());
      }
      std::sort(request.scopes.begin(), request.scopes.end());
      Json list = Json::MakeArray();
      for (const std::string& s : request.scopes) list.Push(Json(s));
      canonical_template.Set("scopes", std::move(list));
    }
  }
  // The fingerprint covers what the request means (member order, an absent
  // template name versus "default" and scope order do not change it).
  Json canonical = Json::MakeObject();
  canonical.Set("idempotencyKey", request.idempotency_key)
      .Set("integrationKeyTemplate", std::move(canonical_template));
  request.fingerprint = HexEncode(Sha256(canonical.Dump()));
  return request;
}

// One provisioning request: the claim, the secret rotation of a new key,
// the steps, and the answer.
class Provisioner::Run {
 public:
  Run(Provisioner& p, std::string_view session_id, ProvisionRequest request)
      : p_(p), session_id_(session_id), request_(std::move(request)) {
    key_hash_ = HexEncode(HmacSha256(p_.options_.key_hash_secret,
                                     "portico signup idempotency key\n" + request_.idempotency_key));
    // HKDF-style: extract a purpose key from KEY_HASH_SECRET, then expand it
    // with the idempotency key, which the database never sees.
    seal_key_ = HmacSha256(HmacSha256(p_.options_.key_hash_secret, "portico signup secrets v1"),
                           request_.idempotency_key);
    associated_data_ = std::string(session_id_) + "\n" + key_hash_;
  }

  // A fresh run (no step done yet) in one transaction: the claim, the seven
  // steps with their markers, the final state and the sealed secrets commit
  // together, so a crash leaves nothing half done, and the session and the
  // key's record are written once instead of once per step (one transaction
  // instead of eight, ~20 statements fewer). The answers are Execute's.
  // Returns nullopt when Execute must run instead, from scratch: a run that
  // resumes steps done earlier (their secrets may need rotating), a session
  // changed meanwhile, or any failure after the claim — rolled back here,
  // Execute then meets it step by step, committing the steps before it as
  // REVIEW_REQUIRED's provisionStepState promises.
  std::optional<StatusOr<ProvisionResult>> ExecuteAtOnce() {
    at_once_ = true;
    Claim claim = Claim::kRun;
    bool claim_failed = false;  // ClaimIn's own answer (NOT_FOUND, …): final
    Status status = p_.db_.Transact([&](Stores& stores) -> Status {
      StatusOr<Claim> claimed = ClaimIn(stores, /*write_claim=*/false);
      if (!claimed.ok()) {
        claim_failed = true;
        return claimed.status();
      }
      claim = *claimed;
      if (claim != Claim::kRun) return Status::Ok();
      if (!session_.provision_step_state.is_object() ||
          !session_.provision_step_state.as_object().empty()) {
        return Aborted("steps done earlier: resume step by step");
      }
      const int64_t stored_version = session_.version;
      const std::vector<std::string>& steps = ProvisionSteps();
      for (size_t i = 0; i < steps.size(); ++i) {
        const bool last = i + 1 == steps.size();
        Stage(&steps[i], last);
        PORTICO_RETURN_IF_ERROR(RunStep(stores, steps[i]));
        if (last) PORTICO_RETURN_IF_ERROR(Finish(stores));
        Commit();
      }
      PORTICO_RETURN_IF_ERROR(stores.signup_sessions().Update(session_, stored_version));
      session_.version = stored_version + 1;
      return Status::Ok();
    });
    if (claim_failed) return StatusOr<ProvisionResult>(status);
    if (!status.ok()) return std::nullopt;
    if (claim == Claim::kReplay202) return StatusOr<ProvisionResult>(Answer202());
    return StatusOr<ProvisionResult>(Answer201());
  }

  StatusOr<ProvisionResult> Execute() {
    Claim claim = Claim::kRun;
    PORTICO_RETURN_IF_ERROR(p_.db_.Transact([&](Stores& stores) -> Status {
      PORTICO_ASSIGN_OR_RETURN(claim, ClaimIn(stores));
      return Status::Ok();
    }));
    if (claim == Claim::kReplay201) return Answer201();
    if (claim == Claim::kReplay202) return Answer202();

    // A new key over steps done under another: their secrets are sealed
    // under that key, so the credentials are replaced.
    struct Rotation {
      const char* step;
      const char* secret;
      CredentialKind kind;
    };
    for (const Rotation& r :
         {Rotation{kStepTenant, kPublicLoginToken, CredentialKind::kPublicLoginToken},
          Rotation{kStepIntegrationKey, kIntegrationKey, CredentialKind::kIntegrationKey},
          Rotation{kStepBootstrap, kBootstrapToken, CredentialKind::kBootstrapToken}}) {
      if (!Done(r.step) || secrets_.Find(r.secret) != nullptr) continue;
      Status rotated = p_.db_.Transact([&](Stores& stores) -> Status {
        PORTICO_RETURN_IF_ERROR(Advance(stores, nullptr));
        PORTICO_ASSIGN_OR_RETURN(std::vector<Credential> existing,
                                 stores.credentials().ListByTenant(*session_.tenant_id));
        for (const Credential& c : existing) {
          if (c.kind == r.kind && !c.revoked_at) {
            PORTICO_RETURN_IF_ERROR(stores.credentials().Revoke(c.id, now_));
          }
        }
        PORTICO_RETURN_IF_ERROR(MintIn(stores, r.kind, r.secret));
        return SaveRecord(stores);
      });
      if (!rotated.ok()) return Fail(r.step, rotated);
      Commit();
    }

    const std::vector<std::string>& steps = ProvisionSteps();
    for (size_t i = 0; i < steps.size(); ++i) {
      const std::string& step = steps[i];
      if (Done(step)) continue;
      const bool last = i + 1 == steps.size();
      Status status = Status::Ok();
      if (p_.options_.before_step) status = p_.options_.before_step(step);
      if (status.ok()) {
        status = p_.db_.Transact([&](Stores& stores) -> Status {
          PORTICO_RETURN_IF_ERROR(Advance(stores, &step, last));
          PORTICO_RETURN_IF_ERROR(RunStep(stores, step));
          if (last) PORTICO_RETURN_IF_ERROR(Finish(stores));
          return Status::Ok();
        });
      }
      if (!status.ok()) return Fail(step, status);
      Commit();
      if (p_.options_.after_step) p_.options_.after_step(step);
    }
    return Answer201();
  }

 private:
  enum class Claim { kRun, kReplay201, kReplay202 };

  // Reads the session and the key's record; decides between a replay, an
  // error and a run; claims the session (and records the key) for a run.
  // Without `write_claim` the claim stays in memory (session_ at the stored
  // version): ExecuteAtOnce writes the session once, at its end.
  StatusOr<Claim> ClaimIn(Stores& stores, bool write_claim = true) {
    now_ = p_.clock_.Now();
    StatusOr<SignupSession> found = stores.signup_sessions().Find(session_id_);
    if (!found.ok()) {
      return found.status().code() == StatusCode::kNotFound ? SessionNotFound() : found.status();
    }
    session_ = std::move(found).value();
    const SignupStatus status = EffectiveStatus(session_, now_);
    if (status == SignupStatus::kExpired || status == SignupStatus::kFailed) {
      return FailedPrecondition("the signup session has expired or was closed; start a new one")
          .WithTag(kSessionExpired);
    }
    if (status == SignupStatus::kPendingEmailVerification) {
      return FailedPrecondition("verify the admin email (POST …/verify-email) before provisioning")
          .WithTag(kEmailNotVerified);
    }
    StatusOr<IdempotencyRecord> existing =
        stores.signup_sessions().FindIdempotencyRecord(session_id_, key_hash_);
    const bool known = existing.ok();
    if (!known && existing.status().code() != StatusCode::kNotFound) return existing.status();
    if (known) {
      record_ = std::move(existing).value();
      if (!ConstantTimeEquals(record_.fingerprint, request_.fingerprint)) {
        return Status(StatusCode::kFailedPrecondition,
                      "this idempotency key was used with another request body; use a new key")
            .WithTag(kIdempotencyKeyReused);
      }
      PORTICO_RETURN_IF_ERROR(OpenSecrets());
    }
    if (status == SignupStatus::kProvisioned) {
      if (known && record_.response_status == 201) return Claim::kReplay201;
      return FailedPrecondition(
                 "this signup session is already provisioned; its credentials were shown to "
                 "the idempotency key that provisioned it")
          .WithTag(kAlreadyProvisioned);
    }
    if (status == SignupStatus::kProvisioning && session_.provision_lease_until &&
        *session_.provision_lease_until > now_) {
      return InProgress(SecondsUntil(now_, *session_.provision_lease_until));
    }
    if (status == SignupStatus::kReviewRequired && known && record_.response_status == 202) {
      return Claim::kReplay202;
    }
    if (!known) {
      record_ = IdempotencyRecord{std::string(session_id_), key_hash_, request_.fingerprint, "", 0,
                                  now_};
      Status inserted = stores.signup_sessions().InsertIdempotencyRecord(record_);
      if (inserted.code() == StatusCode::kAlreadyExists) return InProgress(1);
      PORTICO_RETURN_IF_ERROR(inserted);
    }
    SignupSession claimed = session_;
    claimed.status = SignupStatus::kProvisioning;
    claimed.failure_reason = Json();
    claimed.provision_lease_until = now_ + p_.options_.lease;
    claimed.updated_at = now_;
    if (write_claim) {
      Status updated = stores.signup_sessions().Update(claimed, session_.version);
      if (updated.code() == StatusCode::kFailedPrecondition) return InProgress(1);
      PORTICO_RETURN_IF_ERROR(updated);
      claimed.version = session_.version + 1;
    }
    session_ = std::move(claimed);
    return Claim::kRun;
  }

  bool Done(std::string_view step) const {
    return session_.provision_step_state.Find(step) != nullptr;
  }

  // Writes the session's next version (Stage): the lease extended and, for a
  // step, its marker (and PROVISIONED for the last). The compare-and-set
  // fences a run whose lease was taken over: it stops here, rolled back.
  Status Advance(Stores& stores, const std::string* step, bool last = false) {
    Stage(step, last);
    Status updated = stores.signup_sessions().Update(pending_, session_.version);
    if (updated.code() == StatusCode::kFailedPrecondition) return InProgress(1);
    PORTICO_RETURN_IF_ERROR(updated);
    pending_.version = session_.version + 1;
    return Status::Ok();
  }
  // The session's next version in memory (pending_), from the committed one.
  void Stage(const std::string* step, bool last) {
    now_ = p_.clock_.Now();
    pending_ = session_;
    if (step != nullptr) pending_.provision_step_state.Set(*step, FormatRfc3339(now_));
    if (last) {
      pending_.status = SignupStatus::kProvisioned;
      pending_.provision_lease_until.reset();
    } else {
      pending_.provision_lease_until = now_ + p_.options_.lease;
    }
    pending_.updated_at = now_;
    if (step != nullptr && *step == kStepTenant) pending_.tenant_id = NewUuid(p_.random_);
    pending_secrets_ = secrets_;
    pending_record_ = record_;
  }
  void Commit() {
    // Counted on the committed transition only, so replays never count again.
    if (pending_.status != session_.status) {
      if (pending_.status == SignupStatus::kProvisioned && p_.provisioned_ != nullptr) {
        p_.provisioned_->Inc();
      }
      if (pending_.status == SignupStatus::kReviewRequired && p_.review_required_ != nullptr) {
        p_.review_required_->Inc();
      }
    }
    // Moved, not copied (twice per step): pending_* are staged afresh (Stage)
    // or rebuilt (Fail) before their next use.
    session_ = std::move(pending_);
    secrets_ = std::move(pending_secrets_);
    record_ = std::move(pending_record_);
  }

  Status MintIn(Stores& stores, CredentialKind kind, const char* secret_name) {
    std::string name;
    std::vector<std::string> scopes;
    switch (kind) {
      case CredentialKind::kIntegrationKey:
        name = request_.key_name;
        scopes = request_.scopes;
        if (scopes.empty()) {
          // As `portico tenant create`: the defaults plus tenant:admin.
          scopes = DefaultScopes(kind);
          scopes.push_back(kScopeTenantAdmin);
        }
        break;
      case CredentialKind::kBootstrapToken:
        name = "bootstrap";
        scopes = DefaultScopes(kind);
        break;
      case CredentialKind::kPublicLoginToken:
        name = "public-login";
        scopes = DefaultScopes(kind);
        break;
    }
    IssuedCredential issued =
        p_.issuer_.Mint(*pending_.tenant_id, kind, std::move(name), std::move(scopes));
    PORTICO_RETURN_IF_ERROR(stores.credentials().Insert(issued.record));
    pending_secrets_.Set(secret_name, issued.secret);
    return Status::Ok();
  }

  // Seals the secrets into the key's record, in the caller's transaction.
  // ExecuteAtOnce seals once, with the final answer (Finish).
  Status SaveRecord(Stores& stores) {
    if (at_once_ && pending_record_.response_status == 0) return Status::Ok();
    pending_record_.sealed_secrets =
        SealAesGcm(seal_key_, pending_secrets_.Dump(), associated_data_);
    return stores.signup_sessions().UpdateIdempotencyRecord(pending_record_);
  }

  StatusOr<Tenant> TenantOf(Stores& stores) {
    if (!pending_.tenant_id) return Internal("provisioning lost its tenant");
    // Within ExecuteAtOnce's transaction the tenant is the one just inserted.
    if (at_once_ && created_tenant_ && created_tenant_->id == *pending_.tenant_id) {
      return *created_tenant_;
    }
    return stores.tenants().FindById(*pending_.tenant_id);
  }

  Status RunStep(Stores& stores, const std::string& step) {
    if (step == kStepTenant) {
      Tenant tenant;
      tenant.id = *pending_.tenant_id;
      tenant.slug = pending_.slug;
      tenant.name = pending_.company_name;
      tenant.modules = pending_.modules;
      tenant.admin_email = pending_.admin_email;
      tenant.created_at = now_;
      if (Status s = stores.tenants().Insert(tenant); !s.ok()) {
        if (s.code() == StatusCode::kAlreadyExists) {
          return StepFailure(kSlugTaken, "a tenant with this slug was created outside signup")
              .WithInternal(s.ToString());
        }
        return s;
      }
      created_tenant_ = tenant;
      PORTICO_RETURN_IF_ERROR(MintIn(stores, CredentialKind::kPublicLoginToken, kPublicLoginToken));
      Json audit = Json::MakeObject();
      audit.Set("type", "tenant.created")
          .Set("tenantId", tenant.id)
          .Set("slug", tenant.slug)
          .Set("sessionRef", SessionRef(session_id_))
          .Set("at", FormatRfc3339(now_));
      PORTICO_RETURN_IF_ERROR(stores.outbox().Enqueue("audit", audit.Dump(), now_).status());
      return SaveRecord(stores);
    }
    if (step == kStepOrg) {
      PORTICO_ASSIGN_OR_RETURN(Tenant tenant, TenantOf(stores));
      AccountStore& accounts = stores.accounts();
      std::string user_id;
      StatusOr<UserAccount> existing = accounts.FindUserByEmail(tenant.id, pending_.admin_email);
      if (existing.ok()) {
        user_id = existing->id;
      } else if (existing.status().code() == StatusCode::kNotFound) {
        UserAccount admin;
        admin.id = NewUuid(p_.random_);
        admin.tenant_id = tenant.id;
        admin.email = pending_.admin_email;
        admin.email_verified_at = pending_.email_verified_at.value_or(now_);
        admin.active = true;
        admin.created_at = now_;
        PORTICO_RETURN_IF_ERROR(accounts.InsertUser(admin));
        user_id = admin.id;
      } else {
        return existing.status();
      }
      admin_user_id_ = user_id;
      Organization org{NewUuid(p_.random_), tenant.id, pending_.company_name, now_};
      PORTICO_RETURN_IF_ERROR(accounts.InsertOrganization(org));
      return accounts.AddOrganizationMember(tenant.id, {org.id, user_id, "owner"}, now_);
    }
    if (step == kStepInvite) {
      if (p_.options_.check_mail) {
        if (Status s = p_.options_.check_mail(); !s.ok()) {
          return StepFailure(kMailMisconfigured, s.message()).WithInternal(s.ToString());
        }
      }
      PORTICO_ASSIGN_OR_RETURN(Tenant tenant, TenantOf(stores));
      return stores.outbox()
          .Enqueue(mail::kMailTopic, mail::EncodeMailPayload(InviteMail(tenant)), now_)
          .status();
    }
    if (step == kStepDetectors) {
      if (!p_.options_.seed_defaults) return Status::Ok();
      PORTICO_ASSIGN_OR_RETURN(Tenant tenant, TenantOf(stores));
      return p_.options_.seed_defaults(stores, tenant);
    }
    if (step == kStepIntegrationKey) {
      PORTICO_RETURN_IF_ERROR(MintIn(stores, CredentialKind::kIntegrationKey, kIntegrationKey));
      return SaveRecord(stores);
    }
    if (step == kStepLegal) {
      PORTICO_ASSIGN_OR_RETURN(Tenant tenant, TenantOf(stores));
      std::string admin_id = admin_user_id_;  // within ExecuteAtOnce: the organization step's
      if (!at_once_ || admin_id.empty()) {
        PORTICO_ASSIGN_OR_RETURN(
            UserAccount admin, stores.accounts().FindUserByEmail(tenant.id, pending_.admin_email));
        admin_id = admin.id;
      }
      ConsentRecord consent;
      consent.id = NewUuid(p_.random_);
      consent.session_id = pending_.id;
      consent.tenant_id = tenant.id;
      consent.admin_user_id = admin_id;
      consent.terms_version = pending_.legal.terms_version;
      consent.privacy_version = pending_.legal.privacy_version;
      consent.accepted_at = pending_.legal.accepted_at;
      consent.recorded_at = now_;
      consent.client_ip = pending_.legal.client_ip;
      consent.user_agent = pending_.legal.user_agent;
      return stores.signup_sessions().InsertConsentRecord(consent);
    }
    if (step == kStepBootstrap) {
      PORTICO_RETURN_IF_ERROR(MintIn(stores, CredentialKind::kBootstrapToken, kBootstrapToken));
      return Status::Ok();  // sealed by Finish with the final status
    }
    return Internal("unknown provisioning step " + step);
  }

  // The last step's transaction also owes the success mail and the record's
  // final answer.
  Status Finish(Stores& stores) {
    if (p_.options_.check_mail) {
      if (Status s = p_.options_.check_mail(); !s.ok()) {
        return StepFailure(kMailMisconfigured, s.message()).WithInternal(s.ToString());
      }
    }
    PORTICO_ASSIGN_OR_RETURN(Tenant tenant, TenantOf(stores));
    PORTICO_RETURN_IF_ERROR(
        stores.outbox()
            .Enqueue(mail::kMailTopic, mail::EncodeMailPayload(ProvisionedMail(tenant)), now_)
            .status());
    Json audit = Json::MakeObject();
    audit.Set("type", "signup.provisioned")
        .Set("sessionRef", SessionRef(session_id_))
        .Set("tenantId", tenant.id)
        .Set("at", FormatRfc3339(now_));
    PORTICO_RETURN_IF_ERROR(stores.outbox().Enqueue("audit", audit.Dump(), now_).status());
    pending_record_.response_status = 201;
    return SaveRecord(stores);
  }

  std::string Url(std::string_view name) const {
    const Json* v = p_.options_.endpoints.Find(name);
    return v != nullptr && v->is_string() ? v->as_string() : "";
  }

  MailMessage InviteMail(const Tenant& tenant) const {
    const std::string base = p_.options_.base_url;
    const Json* login = pending_secrets_.Find(kPublicLoginToken);
    const std::string login_token = login != nullptr ? login->as_string() : "";
    MailMessage mail;
    mail.to = pending_.admin_email;
    mail.subject = "You are the administrator of \"" + tenant.name + "\" on Portico";
    mail.text =
        "Hello,\n\nThe tenant \"" + tenant.name + "\" (slug " + tenant.slug +
        ") was created with you as the owner of its organization.\n\n"
        "Your account has no password yet. To set one and sign in, send your email address "
        "and a new password to the sign-up API:\n\n  POST " +
        Url("signUpApi") + "\n  Authorization: Bearer " + login_token +
        "\n  {\"email\": \"" + pending_.admin_email +
        "\", \"password\": \"…\"}\n\n"
        "The tenant's addresses:\n  SCIM base URL: " +
        Url("scimBaseUrl") + "\n  OAuth client registration: " + Url("registrationEndpoint") +
        "\n  Discovery: " + Url("discoveryUrl") + "\n  Server: " + base +
        "\n\nThe integration key and the bootstrap token were shown once to whoever "
        "completed the signup.\n";
    mail.template_data = Json::MakeObject()
                             .Set("tenantName", tenant.name)
                             .Set("tenantSlug", tenant.slug)
                             .Set("signUpApi", Url("signUpApi"))
                             .Set("scimBaseUrl", Url("scimBaseUrl"));
    return mail;
  }

  MailMessage ProvisionedMail(const Tenant& tenant) const {
    MailMessage mail;
    mail.to = pending_.admin_email;
    mail.subject = "\"" + tenant.name + "\" is ready on Portico";
    mail.text = "Hello,\n\nProvisioning of \"" + tenant.name + "\" (slug " + tenant.slug +
                ") is complete.\n  SCIM base URL: " + Url("scimBaseUrl") +
                "\n  OAuth client registration: " + Url("registrationEndpoint") +
                "\n  Discovery: " + Url("discoveryUrl") + "\n";
    mail.template_id = p_.options_.provisioned_template_id;
    mail.template_data = Json::MakeObject()
                             .Set("tenantName", tenant.name)
                             .Set("tenantSlug", tenant.slug)
                             .Set("tenantId", tenant.id)
                             .Set("scimBaseUrl", Url("scimBaseUrl"))
                             .Set("registrationEndpoint", Url("registrationEndpoint"));
    return mail;
  }

  // Ends the run as REVIEW_REQUIRED (202) for any failure but a lost lease.
  StatusOr<ProvisionResult> Fail(const std::string& step, const Status& failure) {
    if (IsLeaseLost(failure)) return failure;
    std::string code = failure.tag();
    if (code.empty() || code == kInvalidRequest) code = kDependencyFailed;
    std::string message = failure.message();
    if (failure.code() == StatusCode::kUnavailable || failure.code() == StatusCode::kInternal) {
      message = "a dependency failed at step " + step + "; retry with a new idempotency key";
    }
    Json reason = Json::MakeObject();
    reason.Set("code", code).Set("message", message).Set("step", step);
    Status recorded = p_.db_.Transact([&](Stores& stores) -> Status {
      now_ = p_.clock_.Now();
      pending_ = session_;
      pending_.status = SignupStatus::kReviewRequired;
      pending_.failure_reason = reason;
      pending_.provision_lease_until.reset();
      pending_.updated_at = now_;
      Status updated = stores.signup_sessions().Update(pending_, session_.version);
      if (updated.code() == StatusCode::kFailedPrecondition) return InProgress(1);
      PORTICO_RETURN_IF_ERROR(updated);
      pending_.version = session_.version + 1;
      pending_record_ = record_;
      pending_record_.response_status = 202;
      pending_secrets_ = secrets_;
      return SaveRecord(stores);
    });
    if (!recorded.ok()) return IsLeaseLost(recorded) ? recorded : failure;
    Commit();
    return Answer202();
  }

  ProvisionResult Answer201() const {
    Json tenant = Json::MakeObject();
    tenant.Set("id", session_.tenant_id.value_or(""))
        .Set("slug", session_.slug)
        .Set("name", session_.company_name);
    Json body = Json::MakeObject();
    body.Set("sessionId", session_.id)
        .Set("status", SignupStatusName(SignupStatus::kProvisioned))
        .Set("tenant", std::move(tenant));
    for (const char* name : {kIntegrationKey, kBootstrapToken, kPublicLoginToken}) {
      const Json* v = secrets_.Find(name);
      body.Set(name, v != nullptr ? *v : Json());
    }
    body.Set("provisionStepState", session_.provision_step_state)
        .Set("endpoints", p_.options_.endpoints);
    return ProvisionResult{201, std::move(body)};
  }

  ProvisionResult Answer202() const {
    Json body = Json::MakeObject();
    body.Set("sessionId", session_.id)
        .Set("status", SignupStatusName(SignupStatus::kReviewRequired))
        .Set("failureReason", session_.failure_reason)
        .Set("provisionStepState", session_.provision_step_state);
    return ProvisionResult{202, std::move(body)};
  }

  // The key's secrets, or {} when none were sealed yet.
  Status OpenSecrets() {
    secrets_ = Json::MakeObject();
    if (record_.sealed_secrets.empty()) return Status::Ok();
    std::optional<std::string> plain =
        OpenAesGcm(seal_key_, record_.sealed_secrets, associated_data_);
    if (!plain) return Internal("cannot open the idempotency record's secrets");
    StatusOr<Json> parsed = ParseJson(*plain);
    if (!parsed.ok() || !parsed->is_object()) return Internal("corrupt idempotency secrets");
    secrets_ = std::move(parsed).value();
    return Status::Ok();
  }

  Provisioner& p_;
  std::string session_id_;
  ProvisionRequest request_;
  std::string key_hash_;
  std::string seal_key_;
  std::string associated_data_;
  TimePoint now_;

  // The committed state of this run, and the state its open transaction
  // writes (adopted by Commit once that transaction commits).
  SignupSession session_;
  Json secrets_ = Json::MakeObject();
  IdempotencyRecord record_;
  SignupSession pending_;
  Json pending_secrets_ = Json::MakeObject();
  IdempotencyRecord pending_record_;

  bool at_once_ = false;                  // ExecuteAtOnce is running
  std::optional<Tenant> created_tenant_;  // by this run's tenant step
  std::string admin_user_id_;             // found or made by this run's organization step

  friend class Provisioner;
};

Provisioner::Provisioner(Database& db, const CredentialIssuer& issuer, Random& random,
                         const Clock& clock, ProvisionOptions options)
    : db_(db), issuer_(issuer), random_(random), clock_(clock), options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    CounterFamily& outcomes = options_.metrics->AddCounter(
        "portico_signup_provisioned_total",
        "Signup sessions that reached a provisioning outcome (provisioned, review_required); a "
        "session that needed review and was provisioned on a retry counts in both",
        {"outcome"});
    provisioned_ = &outcomes.WithLabels({"provisioned"});
    review_required_ = &outcomes.WithLabels({"review_required"});
  }
}

StatusOr<ProvisionResult> Provisioner::Provision(std::string_view session_id, const Json& body) {
  PORTICO_ASSIGN_OR_RETURN(ProvisionRequest request, ParseProvisionRequest(body));
  // The hooks observe each step's own transaction, so with them every run
  // goes step by step.
  if (!options_.before_step && !options_.after_step) {
    Run at_once(*this, session_id, request);
    if (std::optional<StatusOr<ProvisionResult>> answer = at_once.ExecuteAtOnce()) {
      return std::move(*answer);
    }
  }
  Run run(*this, session_id, std::move(request));
  return run.Execute();
}

}  // namespace portico::signup
