#pragma once

#include <memory>

#include "dcr/client_secrets.h"
#include "dcr/registration/registration_service.h"
#include "dcr/token/signing_keys.h"
#include "dcr/token/token_service.h"
#include "portico/credential_cache.h"
#include "portico/credential_issuer.h"
#include "portico/database.h"
#include "portico/first_api_call.h"
#include "portico/hashing_pool.h"
#include "portico/mail.h"
#include "portico/metrics.h"
#include "portico/otp_verifier.h"
#include "portico/outbox_dispatcher.h"
#include "portico/password_hasher.h"
#include "portico/status.h"
#include "portico/tenant_service.h"
#include "scim/scim_service.h"
#include "signup/account/account_service.h"
#include "signup/account/auth_settings.h"
#include "signup/account/captcha_verifier.h"
#include "signup/account/password_blocklist.h"
#include "signup/session/provisioner.h"
#include "signup/session/signup_service.h"
#include "src/http/router.h"
#include "src/http/server.h"
#include "src/server/config.h"
#include "src/server/housekeeping.h"
#include "src/tenant_api/tenant_credentials.h"
#include "wellknown/authorization_server_metadata.h"

namespace portico::server {

// The only place that builds concrete implementations and wires them
// together. One App per process.
class App {
 public:
  // Opens the database (migrating it first) and builds every service.
  // InvalidArgument for a bad MAIL_URL and the like (the message names the
  // variable); Unavailable when the database cannot be reached.
  static StatusOr<std::unique_ptr<App>> Create(Config config);
  ~App();

  // Serves HTTP and delivers the outbox until SIGTERM or SIGINT (which the
  // caller must have blocked in every thread), then drains and returns.
  Status Serve();

  Database& database() { return *database_; }
  TenantService& tenants() { return *tenant_service_; }
  Housekeeping& housekeeping() { return *housekeeping_; }
  const Config& config() const { return config_; }
  // The complete route table (for tests that compare it with /openapi.json).
  const http::Router& router() const { return router_; }

 private:
  explicit App(Config config) : config_(std::move(config)) {}
  // What the OAuth features declare, for the discovery documents.
  wellknown::AuthorizationServerInfo DiscoveryInfo() const;
  // Registers every route; fails when the OpenAPI document cannot be built.
  Status BuildRoutes();
  // Gauges read when /metrics is scraped: outbox depth, hashing queue, database pool.
  void AddGauges();

  Config config_;
  // First: everything below may count into it (GET /metrics).
  std::unique_ptr<Metrics> metrics_ = std::make_unique<Metrics>();
  std::unique_ptr<Database> database_;
  std::unique_ptr<FirstApiCallTracker> first_api_calls_;
  std::unique_ptr<CredentialCache> credential_cache_;  // before issuer_: it points here
  std::unique_ptr<CredentialIssuer> issuer_;
  std::unique_ptr<OtpVerifier> otp_verifier_;
  std::unique_ptr<TenantService> tenant_service_;
  std::unique_ptr<signup::SignupService> signup_service_;
  std::unique_ptr<signup::Provisioner> provisioner_;
  std::unique_ptr<tenant_api::TenantCredentials> tenant_credentials_;
  std::unique_ptr<PasswordHasher> password_hasher_;
  // The account API runs on the hashing pool: what its jobs use is declared
  // (so destroyed) before the pool, whose destructor finishes them.
  std::unique_ptr<signup::PasswordBlocklist> password_blocklist_;
  std::unique_ptr<signup::AuthSettingsStorage> auth_settings_;
  std::unique_ptr<signup::CaptchaVerifier> captcha_verifier_;
  std::unique_ptr<signup::AccountService> account_service_;
  std::unique_ptr<HashingPool> hashing_pool_;
  std::unique_ptr<scim::ScimService> scim_service_;
  std::unique_ptr<dcr::ClientSecrets> client_secrets_;
  std::unique_ptr<dcr::RegistrationService> registration_service_;
  std::unique_ptr<dcr::SigningKeys> signing_keys_;
  std::unique_ptr<dcr::TokenService> token_service_;
  std::unique_ptr<Housekeeping> housekeeping_;
  std::unique_ptr<MailTransport> mail_;
  std::unique_ptr<OutboxDispatcher> dispatcher_;
  http::Router router_;
};

}  // namespace portico::server
