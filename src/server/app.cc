#include "src/server/app.h"

#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

#include "db/open_database.h"
#include "dcr/http/policy_routes.h"
#include "dcr/http/registration_routes.h"
#include "dcr/http/token_routes.h"
#include "dcr/registration/tenant_policy.h"
#include "portico/clock.h"
#include "portico/crypto.h"
#include "portico/log.h"
#include "portico/parse_json.h"
#include "portico/random.h"
#include "scim/bulk/bulk_request.h"
#include "scim/http/scim_routes.h"
#include "scim/http/settings_routes.h"
#include "scim/tenant_scim_settings.h"
#include "signup/http/auth_routes.h"
#include "signup/http/auth_settings_routes.h"
#include "signup/http/signup_routes.h"
#include "signup/session/signup_session_store.h"
#include "src/core/mail/mail_outbox.h"
#include "src/core/mail/mail_transports.h"
#include "src/openapi/openapi_routes.h"
#include "src/ops/ops_routes.h"
#include "src/ops/test_hooks.h"
#include "src/tenant_api/tenant_api_routes.h"
#include "src/webhooks/delivery.h"
#include "wellknown/discovery_routes.h"

namespace portico::server {
namespace {

int HttpThreads(const Config& config) {
  if (config.http_threads > 0) return config.http_threads;
  return static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
}

// What this server lets clients register: the token endpoint's grant types,
// and two scopes until tenants configure their own.
dcr::RegistrationPolicy ServerRegistrationPolicy() {
  dcr::RegistrationPolicy policy;
  policy.allowed_scopes = {"read", "write"};
  policy.default_scopes = {"read"};
  return policy;
}

// The tenant open registrations go to: created on first start (its keys are
// logged nowhere; an operator mints a key with `portico tenant create` on
// another tenant or through the tenant API when one is needed).
Status EnsureTenant(Database& db, TenantService& tenants, const std::string& slug) {
  Status found = db.Run([&](Stores& stores) { return stores.tenants().FindBySlug(slug).status(); });
  if (found.ok() || found.code() != StatusCode::kNotFound) return found;
  StatusOr<CreatedTenant> created = tenants.Create({.slug = slug, .name = slug});
  if (created.ok()) {
    Log(LogLevel::kInfo, "open_registration_tenant_created", Json::MakeObject().Set("slug", slug));
  }
  // Another process may have created it meanwhile.
  return created.ok() || created.status().code() == StatusCode::kAlreadyExists ? Status::Ok()
                                                                               : created.status();
}

// The "dcr.policy" document every signup tenant starts with: the same for
// all, so it is built and validated once, not in every provisioning
// transaction.
const StatusOr<Json>& SignupDcrPolicy() {
  static const StatusOr<Json> policy = []() -> StatusOr<Json> {
    const dcr::RegistrationPolicy server = ServerRegistrationPolicy();
    Json allowed = Json::MakeArray();
    for (const std::string& s : server.allowed_scopes) allowed.Push(Json(s));
    Json defaults = Json::MakeArray();
    for (const std::string& s : server.default_scopes) defaults.Push(Json(s));
    Json document = Json::MakeObject();
    document.Set("allowedScopes", std::move(allowed))
        .Set("defaultScopes", std::move(defaults))
        .Set("deduplicatePublicClients", true);
    PORTICO_RETURN_IF_ERROR(dcr::ParseTenantDcrPolicy(&document, server).status());
    return document;
  }();
  return policy;
}

// detectors_seeded_at: a new signup tenant's per-module defaults, written in
// the step's transaction, so that the tenant admin sees and edits explicit
// values. SCIM gets its settings document with every member at its default
// (as PUT /api/tenant/scim-settings stores it); DCR gets the server's
// registration policy as its own "dcr.policy" document (validated as PUT
// /api/tenant/dcr-policy would).
Status SeedSignupDefaults(Stores& stores, const Tenant& tenant) {
  const auto has = [&tenant](std::string_view module) {
    return std::find(tenant.modules.begin(), tenant.modules.end(), module) != tenant.modules.end();
  };
  if (has("scim")) {
    PORTICO_RETURN_IF_ERROR(stores.tenant_settings().Put(tenant.id, scim::kScimSettingName,
                                                         scim::TenantScimSettingsJson({})));
  }
  if (!has("dcr")) return Status::Ok();
  const StatusOr<Json>& policy = SignupDcrPolicy();
  PORTICO_RETURN_IF_ERROR(policy.status());
  return stores.tenant_settings().Put(tenant.id, dcr::kPolicySettingName, *policy);
}

}  // namespace

StatusOr<std::unique_ptr<App>> App::Create(Config config) {
  SetLogLevel(config.log_level);
  PORTICO_RETURN_IF_ERROR(ResolveSecrets(config));
  std::unique_ptr<App> app(new App(std::move(config)));
  const Config& c = app->config_;

  mail::MailSettings mail_settings;
  mail_settings.url = c.mail_url;
  mail_settings.from = c.mail_from;
  mail_settings.resend_api_key = c.resend_api_key;
  mail_settings.resend_api_url = c.resend_api_url;
  PORTICO_ASSIGN_OR_RETURN(app->mail_, mail::MakeMailTransport(mail_settings));

  PORTICO_ASSIGN_OR_RETURN(db::DatabaseUrl url, db::ParseDatabaseUrl(c.database_url));
  PORTICO_ASSIGN_OR_RETURN(int applied, db::Migrate(url));
  if (applied > 0) Log(LogLevel::kInfo, "migrated", Json::MakeObject().Set("applied", applied));
  db::DatabaseOptions db_options;
  db_options.pool_size = c.db_pool_size > 0 ? c.db_pool_size : HttpThreads(c) + 2;
  PORTICO_ASSIGN_OR_RETURN(app->database_, db::OpenDatabase(url, db_options));
  Metrics& metrics = *app->metrics_;
  app->first_api_calls_ =
      std::make_unique<FirstApiCallTracker>(*app->database_, SystemClock(), metrics);
  FirstApiCallTracker& first_api_calls = *app->first_api_calls_;
  const auto seen = [&first_api_calls](std::string_view tenant_id) {
    first_api_calls.Seen(tenant_id);
  };

  Random& random = SecureRandom();
  Clock& clock = SystemClock();
  app->issuer_ = std::make_unique<CredentialIssuer>(c.key_hash_secret, random, clock);
  if (c.credential_cache.count() > 0) {
    app->credential_cache_ = std::make_unique<CredentialCache>(c.credential_cache, clock);
    app->issuer_->set_cache(app->credential_cache_.get());
  }
  app->otp_verifier_ = std::make_unique<OtpVerifier>(c.otp_pepper, random, clock);
  // A slug a signup session holds is not the operator's to take: its
  // provisioning would otherwise end in REVIEW_REQUIRED.
  app->tenant_service_ =
      std::make_unique<TenantService>(*app->database_, *app->issuer_, random, clock,
                                      [](Stores& stores, std::string_view slug, TimePoint now) {
                                        return stores.signup_sessions().IsSlugHeld(slug, now);
                                      });
  app->tenant_credentials_ =
      std::make_unique<tenant_api::TenantCredentials>(*app->database_, *app->issuer_, clock);
  signup::SignupOptions signup_options;
  signup_options.session_ttl = std::chrono::minutes(c.signup_session_ttl_minutes);
  signup_options.limits = c.signup_limits;
  signup_options.otp_template_id = c.signup_otp_template_id;
  signup_options.metrics = &metrics;
  app->signup_service_ = std::make_unique<signup::SignupService>(
      *app->database_, *app->otp_verifier_, random, clock, std::move(signup_options));
  {
    std::string base = c.public_base_url;
    while (!base.empty() && base.back() == '/') base.pop_back();
    signup::ProvisionOptions provision;
    provision.key_hash_secret = c.key_hash_secret;
    provision.provisioned_template_id = c.signup_provisioned_template_id;
    provision.base_url = base;
    provision.endpoints = Json::MakeObject()
                              .Set("scimBaseUrl", base + "/scim/v2")
                              .Set("registrationEndpoint", base + dcr::kRegistrationPath)
                              .Set("discoveryUrl", base + "/.well-known/oauth-authorization-server")
                              .Set("tokenEndpoint", base + dcr::kTokenPath)
                              .Set("signUpApi", base + "/api/auth/sign-up");
    provision.lease = std::chrono::seconds(c.signup_provision_lease_seconds);
    provision.seed_defaults = SeedSignupDefaults;
    // The Resend transport sends templates: without its key or the success
    // template the mail steps cannot be honoured (REVIEW_REQUIRED, not a 500).
    const bool resend = c.mail_url.rfind("resend", 0) == 0;
    const bool resend_ready =
        !resend || (!c.resend_api_key.empty() && !c.signup_provisioned_template_id.empty());
    provision.check_mail = [resend_ready]() -> Status {
      if (resend_ready) return Status::Ok();
      return FailedPrecondition(
          "mail is misconfigured: the Resend transport needs RESEND_API_KEY and "
          "SIGNUP_PROVISIONED_TEMPLATE_ID");
    };
    ops::ProvisionFaultHooks faults = ops::MakeProvisionFaultHooks();
    provision.before_step = std::move(faults.before_step);
    provision.after_step = std::move(faults.after_step);
    provision.metrics = &metrics;
    app->provisioner_ = std::make_unique<signup::Provisioner>(*app->database_, *app->issuer_,
                                                              random, clock, std::move(provision));
  }

  app->password_hasher_ = std::make_unique<Argon2PasswordHasher>(random);
  // Nice 19: under a sign-up flood the reactors get the cores first
  // (bench/accounts: healthz p99 x7 at nice 0, within the 2x target at 19).
  app->hashing_pool_ = std::make_unique<HashingPool>(
      *app->password_hasher_,
      HashingPoolOptions{
          .threads = static_cast<size_t>(HttpThreads(c)), .queue_capacity = 256, .nice = 19});

  // Account sign-up (issue 6). A configured blocklist file that cannot be read
  // stops the server: a list that silently went missing would weaken every policy.
  {
    StatusOr<signup::PasswordBlocklist> blocklist = signup::PasswordBlocklist::Open(
        {.common_list_path = c.password_common_list,
         .breached_file_path = c.password_breached_file});
    if (!blocklist.ok()) {
      const std::string message = blocklist.status().message();
      const bool breached = !c.password_breached_file.empty() &&
                            message.find(c.password_breached_file) != std::string::npos;
      return InvalidArgument(std::string(breached ? signup::kBreachedPasswordFileVariable
                                                  : signup::kCommonPasswordListVariable) +
                             ": " + message);
    }
    app->password_blocklist_ =
        std::make_unique<signup::PasswordBlocklist>(std::move(blocklist).value());
  }
  app->auth_settings_ = std::make_unique<signup::AuthSettingsStorage>(c.key_hash_secret);
  app->captcha_verifier_ = std::make_unique<signup::CurlCaptchaVerifier>();
  signup::AccountServiceOptions account_options;
  account_options.limits = c.auth_limits;
  account_options.metrics = &metrics;
  app->account_service_ = std::make_unique<signup::AccountService>(
      *app->database_, *app->issuer_, *app->password_hasher_, *app->password_blocklist_,
      app->captcha_verifier_.get(), *app->otp_verifier_, *app->auth_settings_, random, clock,
      std::move(account_options));
  scim::ScimSettings scim_settings;
  std::string base_url = c.public_base_url;
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  scim_settings.base_url = base_url + "/scim/v2";
  // Cursors are signed with a key of their own, derived so it never equals a key hash.
  scim_settings.cursor_key = HmacSha256(c.key_hash_secret, "portico scim cursor key");
  scim_settings.metrics = &metrics;
  scim_settings.on_authenticated = seen;
  const PasswordHasher& hasher = *app->password_hasher_;
  app->scim_service_ = std::make_unique<scim::ScimService>(
      *app->database_, *app->issuer_, clock, random,
      [&hasher](std::string_view password) { return hasher.Hash(password); }, scim_settings);

  app->client_secrets_ = std::make_unique<dcr::ClientSecrets>(*app->issuer_, random);
  dcr::RegistrationOptions registration;
  registration.registration_endpoint = base_url + dcr::kRegistrationPath;
  registration.server_policy = ServerRegistrationPolicy();
  registration.metrics = &metrics;
  if (c.dcr_client_ttl_days > 0) {
    registration.client_ttl = std::chrono::hours(24 * c.dcr_client_ttl_days);
  } else {
    registration.client_ttl.reset();
  }
  if (c.dcr_open_registration) {
    PORTICO_RETURN_IF_ERROR(
        EnsureTenant(*app->database_, *app->tenant_service_, c.dcr_open_registration_tenant));
    registration.open_registration_tenant = c.dcr_open_registration_tenant;
  }
  app->registration_service_ = std::make_unique<dcr::RegistrationService>(
      *app->database_, *app->issuer_, *app->client_secrets_, clock, std::move(registration));

  app->signing_keys_ =
      std::make_unique<dcr::SigningKeys>(*app->database_, c.key_hash_secret, clock);
  dcr::TokenServiceOptions token_options;
  token_options.issuer = c.public_base_url;
  token_options.token_endpoint = base_url + dcr::kTokenPath;
  token_options.introspection_endpoint = base_url + dcr::kIntrospectionPath;
  token_options.revocation_endpoint = base_url + dcr::kRevocationPath;
  token_options.on_token_issued = seen;
  app->token_service_ = std::make_unique<dcr::TokenService>(
      *app->database_, *app->signing_keys_, *app->client_secrets_, clock, random, token_options);

  app->housekeeping_ =
      std::make_unique<Housekeeping>(*app->database_, *app->registration_service_, clock);

  OutboxPolicy outbox_policy;
  outbox_policy.poll_interval = c.outbox_poll;
  outbox_policy.backoff_base = c.outbox_backoff_base;
  outbox_policy.lease = c.outbox_lease;
  outbox_policy.metrics = &metrics;
  app->dispatcher_ =
      std::make_unique<OutboxDispatcher>(*app->database_, clock, random, outbox_policy);
  MailTransport& transport = *app->mail_;
  app->dispatcher_->Register(mail::kMailTopic, [&transport](const OutboxMessage& message) {
    return mail::DeliverMail(transport, message);
  });
  // Webhooks (issue 6): the "audit" fan-out (it still logs each event) and signed delivery.
  webhooks::RegisterHandlers(*app->dispatcher_, *app->database_, clock, c.key_hash_secret);

  app->AddGauges();
  PORTICO_RETURN_IF_ERROR(app->BuildRoutes());
  return app;
}

wellknown::AuthorizationServerInfo App::DiscoveryInfo() const {
  std::string base_url = config_.public_base_url;
  while (!base_url.empty() && base_url.back() == '/') base_url.pop_back();
  wellknown::AuthorizationServerInfo info;
  info.issuer = config_.public_base_url;
  info.registration_endpoint = base_url + dcr::kRegistrationPath;
  info.token_endpoint = base_url + dcr::kTokenPath;
  info.jwks_uri = base_url + dcr::kJwksPath;
  info.introspection_endpoint = base_url + dcr::kIntrospectionPath;
  info.revocation_endpoint = base_url + dcr::kRevocationPath;
  const dcr::TokenEndpointCapabilities& token = dcr::TokenService::Capabilities();
  info.grant_types_supported = token.grant_types;
  info.token_endpoint_auth_methods_supported = token.auth_methods;
  // Registration also accepts public clients, which authenticate with nothing.
  info.token_endpoint_auth_methods_supported.push_back("none");
  info.token_endpoint_auth_signing_alg_values_supported = token.auth_signing_algs;
  const dcr::RegistrationPolicy policy = ServerRegistrationPolicy();
  info.scopes_supported.assign(policy.allowed_scopes.begin(), policy.allowed_scopes.end());
  return info;
}

App::~App() {
  if (housekeeping_) housekeeping_->Stop();
  if (dispatcher_) dispatcher_->Stop();
}

void App::AddGauges() {
  Database& db = *database_;
  metrics_->AddGauge("portico_outbox_messages",
                     "Undelivered outbox messages: pending (will be retried) and dead (given up)",
                     {"state"}, [&db]() -> std::vector<GaugeSample> {
                       int64_t pending = 0;
                       int64_t dead = 0;
                       const Status read = db.Run([&](Stores& stores) -> Status {
                         PORTICO_ASSIGN_OR_RETURN(pending, stores.outbox().CountPending());
                         PORTICO_ASSIGN_OR_RETURN(dead, stores.outbox().CountDead());
                         return Status::Ok();
                       });
                       if (!read.ok()) return {};  // the series vanishes while the database is down
                       return {{{"pending"}, static_cast<double>(pending)},
                               {{"dead"}, static_cast<double>(dead)}};
                     });
  HashingPool& pool = *hashing_pool_;
  metrics_->AddGauge("portico_password_hash_queue_depth",
                     "Password hashing jobs waiting for a worker", {},
                     [&pool]() -> std::vector<GaugeSample> {
                       return {{{}, static_cast<double>(pool.queued())}};
                     });
  metrics_->AddGauge("portico_db_pool_sessions", "Database pool sessions: in_use and size",
                     {"state"}, [&db]() -> std::vector<GaugeSample> {
                       const Database::PoolUsage usage = db.pool_usage();
                       return {{{"in_use"}, static_cast<double>(usage.in_use)},
                               {{"size"}, static_cast<double>(usage.size)}};
                     });
}

Status App::BuildRoutes() {
  ops::AddHealthRoutes(router_, *database_);
  ops::AddMetricsRoute(router_, *metrics_, config_.metrics_token);
  tenant_api::AddTenantApiRoutes(router_, *tenant_credentials_);
  scim::ScimCapabilities scim_caps;
  scim_caps.filter_max_results = scim_service_->settings().limits.max_count;
  scim_caps.default_page_size = scim_service_->settings().limits.default_count;
  // The bulk limits the /Bulk handler enforces come from these same fields.
  const scim::BulkLimits bulk_limits = scim::BulkLimitsFor(config_.max_body_bytes);
  scim_caps.bulk_supported = true;
  scim_caps.bulk_max_operations = bulk_limits.max_operations;
  scim_caps.bulk_max_payload_bytes = bulk_limits.max_payload_bytes;
  scim::AddScimRoutes(router_, *scim_service_, scim_caps, *hashing_pool_);
  scim::AddScimSettingsRoutes(router_, *scim_service_, *tenant_credentials_);
  dcr::AddRegistrationRoutes(router_, *registration_service_);
  dcr::AddPolicyRoutes(router_, *registration_service_, *tenant_credentials_);
  // Tenant admin: account sign-up settings and password policy (issue 6).
  signup::AddAuthSettingsRoutes(router_, *database_, *auth_settings_, *tenant_credentials_);
  dcr::AddTokenRoutes(router_, *token_service_, *signing_keys_);
  wellknown::AddDiscoveryRoutes(router_, DiscoveryInfo());
  std::string signup_base_url = config_.public_base_url;
  while (!signup_base_url.empty() && signup_base_url.back() == '/') signup_base_url.pop_back();
  signup::AddSignupRoutes(router_, *signup_service_,
                          {.enabled = config_.signup_enabled,
                           .base_url = signup_base_url,
                           .provisioner = provisioner_.get()});
  signup::AddAuthRoutes(router_, *account_service_, *hashing_pool_);
  router_.SetFallback("/", ops::RenderOpsError);
  // Last but the test hooks: the document covers the whole table, and a route
  // without documentation stops the start here.
  PORTICO_RETURN_IF_ERROR(openapi::AddOpenApiRoutes(
      router_, {.base_url = signup_base_url,
                .max_body_bytes = static_cast<int64_t>(config_.max_body_bytes)}));
  const char* hooks = std::getenv("PORTICO_ENABLE_TEST_HOOKS");
  if (ops::TestHooksCompiledIn() && hooks != nullptr && std::string(hooks) == "1") {
    ops::AddTestHookRoutes(router_);
    Log(LogLevel::kWarn, "test_hooks_enabled");
  }
  return Status::Ok();
}

Status App::Serve() {
  http::ServerOptions options;
  options.host = config_.listen_host;
  options.port = config_.listen_port;
  options.threads = HttpThreads(config_);
  options.max_body_bytes = config_.max_body_bytes;
  options.trusted_proxies = config_.trusted_proxies;
  options.drain_timeout = config_.drain_timeout;
  options.tls_cert_file = config_.tls_cert_file;
  options.tls_key_file = config_.tls_key_file;
  options.metrics = metrics_.get();
  http::Server server(options, router_);
  PORTICO_RETURN_IF_ERROR(server.Start());
  dispatcher_->Start();
  housekeeping_->Start(std::chrono::hours(1));
  Log(LogLevel::kInfo, "listening",
      Json::MakeObject()
          .Set("address", config_.listen_host)
          .Set("port", static_cast<int>(server.port()))
          .Set("publicBaseUrl", config_.public_base_url)
          .Set("database", config_.uses_sqlite() ? "sqlite" : "postgresql")
          .Set("mail", mail_->name())
          .Set("threads", options.threads));

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  sigwait(&signals, &received);
  Log(LogLevel::kInfo, "shutting_down",
      Json::MakeObject()
          .Set("signal", received == SIGTERM ? "SIGTERM" : "SIGINT")
          .Set("inFlight", static_cast<int64_t>(server.in_flight())));
  server.Shutdown();
  dispatcher_->Stop();
  housekeeping_->Stop();
  Log(LogLevel::kInfo, "stopped");
  return Status::Ok();
}

}  // namespace portico::server
