#pragma once

#include <chrono>
#include <functional>
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
#include "portico/tenant.h"
#include "signup/session/signup_session.h"

namespace portico::signup {

// Wire codes of POST …/provision (the signup envelope), besides the
// session service's NOT_FOUND, SESSION_EXPIRED and INVALID_REQUEST.
inline constexpr char kEmailNotVerified[] = "EMAIL_NOT_VERIFIED";              // 409
inline constexpr char kProvisioningInProgress[] = "PROVISIONING_IN_PROGRESS";  // 409
inline constexpr char kIdempotencyKeyReused[] = "IDEMPOTENCY_KEY_REUSED";      // 422
// The session is PROVISIONED and the key is not the one that provisioned
// it: its secrets are shown only to that key.
inline constexpr char kAlreadyProvisioned[] = "ALREADY_PROVISIONED";  // 409

// failureReason.code of a REVIEW_REQUIRED session.
inline constexpr char kMailMisconfigured[] = "MAIL_MISCONFIGURED";
inline constexpr char kSecretMissing[] = "SECRET_MISSING";
inline constexpr char kDependencyFailed[] = "DEPENDENCY_FAILED";

// The runbook's step markers, in order (seed 000, exactly).
inline constexpr char kStepTenant[] = "tenant_created_at";
inline constexpr char kStepOrg[] = "clerk_org_created_at";
inline constexpr char kStepInvite[] = "clerk_invite_sent_at";
inline constexpr char kStepDetectors[] = "detectors_seeded_at";
inline constexpr char kStepIntegrationKey[] = "integration_key_created_at";
inline constexpr char kStepLegal[] = "legal_acceptance_recorded_at";
inline constexpr char kStepBootstrap[] = "bootstrap_token_issued_at";
const std::vector<std::string>& ProvisionSteps();

// How long idempotency records (and the sealed secrets in them) are kept.
inline constexpr std::chrono::hours kIdempotencyRecordTtl{24};

// Scopes an integrationKeyTemplate may ask for (credential.h's vocabulary
// without signup:public, which belongs to the public login token).
const std::vector<std::string>& TemplateScopes();

struct ProvisionOptions {
  // KEY_HASH_SECRET: hashes idempotency keys and, with each key, derives the
  // AES-256-GCM key that seals the secrets minted under it.
  std::string key_hash_secret;
  // SIGNUP_PROVISIONED_TEMPLATE_ID: the provider template of the success mail.
  std::string provisioned_template_id;
  // PUBLIC_BASE_URL without a trailing slash, for the invite mail.
  std::string base_url;
  // The tenant's endpoints as the 201 lists them (built by the wiring from
  // the features' own paths): scimBaseUrl, registrationEndpoint, …
  Json endpoints = Json::MakeObject();
  // How long a run holds the session; a crashed holder's claim lapses after it.
  std::chrono::seconds lease{30};
  // detectors_seeded_at: writes the per-module defaults of a new tenant (DCR
  // policy, SCIM settings) inside the step's transaction. Unset: nothing.
  std::function<Status(Stores&, const Tenant&)> seed_defaults;
  // Whether mail can be sent as configured (e.g. the Resend transport needs
  // its API key and template ids); a failure makes the mail steps fail as a
  // dependency failure (REVIEW_REQUIRED, MAIL_MISCONFIGURED). Unset: fine.
  std::function<Status()> check_mail;
  // Test builds only (src/ops/test_hooks.h): called before each step's
  // transaction (a non-OK Status fails the step as a dependency failure) and
  // right after each step's commit (may kill the process).
  std::function<Status(std::string_view step)> before_step;
  std::function<void(std::string_view step)> after_step;
  // Counts outcomes (portico_signup_provisioned_total{outcome}); null counts
  // nothing. Must outlive the provisioner.
  Metrics* metrics = nullptr;
};

// POST …/provision, validated: the strict allowlist idempotencyKey (8–128 of
// [A-Za-z0-9_-], required) and integrationKeyTemplate {name (1–100
// characters, no control characters), scopes (non-empty, from
// TemplateScopes(), each once)}, both members optional. InvalidArgument
// tagged INVALID_REQUEST with details {field, reason} otherwise. Pure.
struct ProvisionRequest {
  std::string idempotency_key;
  std::string key_name = "default";
  std::vector<std::string> scopes;  // empty: the CLI's defaults (DefaultScopes + tenant:admin)
  std::string fingerprint;          // hex SHA-256 of the canonical body
};
StatusOr<ProvisionRequest> ParseProvisionRequest(const Json& body);

// An answer of POST …/provision: 201 PROVISIONED with the credentials, or
// 202 REVIEW_REQUIRED with failureReason.
struct ProvisionResult {
  int http_status = 201;
  Json body;
};

// Provisions a verified signup session's tenant in seven steps, each in its
// own transaction together with its marker in provisionStepState, so that a
// retry resumes at the first incomplete step and nothing is made twice.
// A fresh run (no step done yet) without the test hooks first tries all
// seven in one transaction, markers included (all or nothing, so resuming
// still works); if anything in it fails it is rolled back and the run goes
// step by step as above, so a failure answers as it always did, with the
// steps before the failing one committed.
//
// Concurrency: a run claims the session (status PROVISIONING with a lease,
// compare-and-set on its version); every step's transaction moves the
// version on again, so a run whose lease was taken over stops at its next
// step. A second request while the lease holds → PROVISIONING_IN_PROGRESS,
// on any number of processes sharing the database.
//
// Idempotency (IETF Idempotency-Key): per (session, HMAC of the key) the
// request's fingerprint and, sealed under a key derived from
// KEY_HASH_SECRET and the idempotency key, the secrets minted so far,
// written in the transaction of the step that minted them. The same key and
// body replays the answer, secrets included; another body →
// IDEMPOTENCY_KEY_REUSED. A new key on a REVIEW_REQUIRED (or abandoned) run
// resumes it (runbook recovery step 3); as it cannot read the secrets sealed
// under the old key, it revokes the credentials minted earlier and mints new
// ones in their place (one transaction per credential), so the tenant ends
// with exactly one live integration key, bootstrap token and public login
// token, all shown to the new key. A PROVISIONED session asked with another
// key → ALREADY_PROVISIONED.
//
// Failures of a step other than losing the lease (mail misconfigured, a
// missing secret, a store error, the seeding hook) end the run as
// REVIEW_REQUIRED with failureReason {code, message, step} (202), never an
// error. Thread-safe.
class Provisioner {
 public:
  // All references must outlive the provisioner.
  Provisioner(Database& db, const CredentialIssuer& issuer, Random& random, const Clock& clock,
              ProvisionOptions options);

  // Errors: INVALID_REQUEST (body), NOT_FOUND, SESSION_EXPIRED,
  // EMAIL_NOT_VERIFIED, IDEMPOTENCY_KEY_REUSED, ALREADY_PROVISIONED,
  // PROVISIONING_IN_PROGRESS (retry_after_seconds: the lease's rest), and
  // Unavailable when the database is down.
  StatusOr<ProvisionResult> Provision(std::string_view session_id, const Json& body);

  const ProvisionOptions& options() const { return options_; }

 private:
  class Run;

  Database& db_;
  const CredentialIssuer& issuer_;
  Random& random_;
  const Clock& clock_;
  ProvisionOptions options_;
  // options_.metrics' outcome counters (null without it).
  Counter* provisioned_ = nullptr;
  Counter* review_required_ = nullptr;
};

}  // namespace portico::signup
