#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "portico/log.h"
#include "portico/status.h"
#include "signup/account/account_limits.h"
#include "signup/account/password_blocklist.h"
#include "signup/session/signup_limits.h"
#include "src/http/cidr.h"

namespace portico::server {

// Everything `portico` reads from its environment, validated once at start
// (CONTRACT.md, "Configuration"). Each variable is optional on a developer's
// machine. Secrets are kept here but never logged.
struct Config {
  // PORTICO_LISTEN
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 8080;
  // PUBLIC_BASE_URL, without a trailing slash
  std::string public_base_url = "http://localhost:8080";
  // DATABASE_URL
  std::string database_url = "sqlite:portico.db";
  // SELF_SERVE_SIGNUP_ENABLED
  bool signup_enabled = true;
  // SIGNUP_SESSION_TTL_MINUTES: how long a signup session may take to start
  // provisioning (it holds its slug meanwhile).
  int signup_session_ttl_minutes = 1440;
  // SIGNUP_PROVISION_LEASE_SECONDS: how long a provisioning run holds its
  // session; a crashed run's session can be resumed after it (1–600).
  int signup_provision_lease_seconds = 30;
  // SIGNUP_CREATE_LIMIT_IP / _DOMAIN / _EMAIL and SIGNUP_VERIFY_LIMIT_IP /
  // _DOMAIN / _EMAIL: "COUNT/WINDOW" (e.g. 20/1h) or "off".
  signup::SignupRateLimits signup_limits;
  // AUTH_SIGNUP_LIMIT_IP, AUTH_SIGNIN_LIMIT_IP, AUTH_SIGNIN_LIMIT_ACCOUNT,
  // AUTH_VERIFY_LIMIT_IP, AUTH_VERIFICATION_MAIL_LIMIT_EMAIL: the account API's limits.
  signup::AccountRateLimits auth_limits;
  // PASSWORD_COMMON_LIST ("" for none) and PASSWORD_BREACHED_FILE: the password blocklist.
  std::string password_common_list = signup::kDefaultCommonPasswordList;
  std::string password_breached_file;
  // OTP_PEPPER, KEY_HASH_SECRET; empty until ResolveSecrets on SQLite
  std::string otp_pepper;
  std::string key_hash_secret;
  // MAIL_URL and the provider settings
  std::string mail_url = "console:";
  std::string mail_from = "Portico <no-reply@localhost>";  // RESEND_FROM_EMAIL or MAIL_FROM
  std::string resend_api_key;
  std::string resend_api_url = "https://api.resend.com";
  std::string signup_otp_template_id;
  std::string signup_provisioned_template_id;
  // TRUSTED_PROXIES
  std::vector<http::Cidr> trusted_proxies;
  // DCR_OPEN_REGISTRATION
  bool dcr_open_registration = false;
  // DCR_OPEN_REGISTRATION_TENANT: the slug of the tenant open registrations
  // go to (created at start when missing).
  std::string dcr_open_registration_tenant = "default";
  // DCR_CLIENT_TTL_DAYS: clients unused this long (and without live tokens)
  // are pruned; 0 keeps them for ever.
  int dcr_client_ttl_days = 90;
  // PORTICO_TLS_CERT, PORTICO_TLS_KEY: PEM files; both set → serve HTTPS
  // (TLS 1.2 minimum), both empty → plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  // METRICS_TOKEN: when set, GET /metrics requires "Authorization: Bearer
  // <it>"; empty leaves it open (fine on loopback, where the scraper runs).
  std::string metrics_token;

  // Tuning, not in the contract: PORTICO_HTTP_THREADS (0 → cores),
  // PORTICO_MAX_BODY_BYTES, PORTICO_DB_POOL_SIZE (0 → threads + 2),
  // PORTICO_DRAIN_TIMEOUT_MS, PORTICO_LOG_LEVEL, PORTICO_OUTBOX_POLL_MS,
  // PORTICO_OUTBOX_BACKOFF_MS, PORTICO_OUTBOX_LEASE_MS.
  int http_threads = 0;
  size_t max_body_bytes = 1 << 20;
  int db_pool_size = 0;
  std::chrono::milliseconds drain_timeout{30000};
  LogLevel log_level = LogLevel::kInfo;
  std::chrono::milliseconds outbox_poll{500};
  std::chrono::milliseconds outbox_backoff_base{1000};
  std::chrono::milliseconds outbox_lease{120000};
  // PORTICO_CREDENTIAL_CACHE_MS: how long a verified key is remembered in
  // this process (0: looked up on every request). Another process's
  // revocation takes effect here within this time.
  std::chrono::milliseconds credential_cache{1000};

  bool uses_sqlite() const { return database_url.rfind("sqlite:", 0) == 0; }
};

// One environment variable `portico` reads. The table of them is what
// LoadConfig reads (a unit test holds the two together) and what `--help`
// prints, so documentation cannot drift from validation.
struct ConfigVariable {
  std::string_view name;
  std::string_view default_value;  // as shown to people; "" when unset
  std::string_view description;
};

// Every variable LoadConfig reads, in the order `portico --help` lists them.
std::span<const ConfigVariable> ConfigVariables();

// Reads a variable; nullopt when unset. Injected so tests need no real environment.
using Environment = std::function<std::optional<std::string>(std::string_view name)>;
Environment ProcessEnvironment();

// Minimum length of OTP_PEPPER and KEY_HASH_SECRET.
inline constexpr size_t kMinSecretLength = 32;

// Parses and validates every variable. InvalidArgument whose message starts
// with the variable's name ("PORTICO_LISTEN: …") for the first bad value.
// On PostgreSQL both secrets must be set (several processes must share them).
StatusOr<Config> LoadConfig(const Environment& env);

// On SQLite, fills a missing OTP_PEPPER / KEY_HASH_SECRET from the secrets
// file beside the database (`portico.db` → `portico.secrets`), creating it
// with mode 0600 and fresh random values on first start (with a warning).
// For `sqlite::memory:` the secrets are generated for this process only.
// No-op when both are set. InvalidArgument when the file is unreadable or
// malformed; the message names the file.
Status ResolveSecrets(Config& config);

// Path of the secrets file for a SQLite database path ("" for :memory:).
std::string SecretsPathFor(std::string_view sqlite_path);

}  // namespace portico::server
