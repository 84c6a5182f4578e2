#include "src/server/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "db/open_database.h"
#include "portico/random.h"
#include "portico/tenant_service.h"
#include "src/http/tls.h"

namespace portico::server {
namespace {

Status Bad(std::string_view variable, std::string_view problem) {
  return InvalidArgument(std::string(variable) + ": " + std::string(problem))
      .WithTag("invalid_configuration");
}

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

StatusOr<bool> ParseBool(std::string_view variable, const std::string& value) {
  const std::string v = Lower(value);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return Bad(variable, "must be true or false, got \"" + value + "\"");
}

StatusOr<int64_t> ParseInt(std::string_view variable, const std::string& value, int64_t min,
                           int64_t max) {
  int64_t n = 0;
  const char* end = value.data() + value.size();
  auto [ptr, ec] = std::from_chars(value.data(), end, n);
  if (value.empty() || ec != std::errc() || ptr != end) {
    return Bad(variable, "must be a whole number, got \"" + value + "\"");
  }
  if (n < min || n > max) {
    return Bad(variable, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return n;
}

Status ParseListen(const std::string& value, Config& config) {
  constexpr std::string_view kVar = "PORTICO_LISTEN";
  std::string host;
  std::string port;
  if (!value.empty() && value.front() == '[') {  // [::1]:8080
    const size_t close = value.find(']');
    if (close == std::string::npos || close + 1 >= value.size() || value[close + 1] != ':') {
      return Bad(kVar, "must be HOST:PORT or [IPv6]:PORT, got \"" + value + "\"");
    }
    host = value.substr(1, close - 1);
    port = value.substr(close + 2);
  } else {
    const size_t colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0 || value.find(':') != colon) {
      return Bad(kVar, "must be HOST:PORT or [IPv6]:PORT, got \"" + value + "\"");
    }
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
  }
  if (host.empty()) return Bad(kVar, "the host is empty");
  PORTICO_ASSIGN_OR_RETURN(int64_t p, ParseInt(kVar, port, 0, 65535));
  config.listen_host = host;
  config.listen_port = static_cast<uint16_t>(p);
  return Status::Ok();
}

Status ParseBaseUrl(std::string value, Config& config) {
  constexpr std::string_view kVar = "PUBLIC_BASE_URL";
  while (!value.empty() && value.back() == '/') value.pop_back();
  const std::string lower = Lower(value);
  size_t scheme_end;
  if (lower.rfind("https://", 0) == 0) {
    scheme_end = 8;
  } else if (lower.rfind("http://", 0) == 0) {
    scheme_end = 7;
  } else {
    return Bad(kVar, "must be an absolute http:// or https:// URL");
  }
  const std::string rest = value.substr(scheme_end);
  const std::string authority = rest.substr(0, rest.find('/'));
  if (authority.empty()) return Bad(kVar, "has no host");
  if (authority.find('@') != std::string::npos) return Bad(kVar, "must not contain user info");
  for (unsigned char c : value) {
    if (c <= 0x20 || c >= 0x7f || c == '?' || c == '#') {
      return Bad(kVar, "must not contain spaces, a query or a fragment");
    }
  }
  config.public_base_url = value;
  return Status::Ok();
}

Status CheckSecret(std::string_view variable, const std::string& value) {
  if (value.size() < kMinSecretLength) {
    return Bad(variable, "must be at least " + std::to_string(kMinSecretLength) +
                             " characters (e.g. `openssl rand -hex 32`)");
  }
  return Status::Ok();
}

// The one list of variables (see ConfigVariable). Defaults are those of
// Config and of the limits' structs, written as people type them.
constexpr ConfigVariable kConfigVariables[] = {
    {"PORTICO_LISTEN", "127.0.0.1:8080", "address and port to listen on ([::1]:8080 for IPv6)"},
    {"PUBLIC_BASE_URL", "http://localhost:8080",
     "the issuer; every absolute URL the server emits starts with it"},
    {"DATABASE_URL", "sqlite:portico.db",
     "sqlite:PATH, sqlite::memory: or postgresql://user:pass@host:port/db"},
    {"SELF_SERVE_SIGNUP_ENABLED", "true", "false answers 503 on /api/public/signup/*"},
    {"SIGNUP_SESSION_TTL_MINUTES", "1440", "how long a signup session may wait (5-10080)"},
    {"SIGNUP_PROVISION_LEASE_SECONDS", "30", "how long a provisioning run holds its session"},
    {"SIGNUP_CREATE_LIMIT_IP", "20/1h", "signup session creates per client IP (COUNT/WINDOW|off)"},
    {"SIGNUP_CREATE_LIMIT_DOMAIN", "100/1h", "signup session creates per admin-email domain"},
    {"SIGNUP_CREATE_LIMIT_EMAIL", "5/1h", "signup session creates per admin email"},
    {"SIGNUP_VERIFY_LIMIT_IP", "60/10m", "verify-email attempts per client IP"},
    {"SIGNUP_VERIFY_LIMIT_DOMAIN", "300/10m", "verify-email attempts per email domain"},
    {"SIGNUP_VERIFY_LIMIT_EMAIL", "30/10m", "verify-email attempts per email"},
    {"AUTH_SIGNUP_LIMIT_IP", "5/1h", "account sign-ups per client IP (per tenant)"},
    {"AUTH_SIGNIN_LIMIT_IP", "60/10m", "account sign-ins per client IP"},
    {"AUTH_SIGNIN_LIMIT_ACCOUNT", "10/10m", "account sign-ins per account"},
    {"AUTH_VERIFY_LIMIT_IP", "30/10m", "account verify-email attempts per client IP"},
    {"AUTH_VERIFICATION_MAIL_LIMIT_EMAIL", "3/1h", "verification mails per email"},
    // Secrets: no default shown; on SQLite they are generated into a file.
    {"OTP_PEPPER", "",
     "secret for OTP hashes (32+ characters): required on PostgreSQL and the same on every "
     "process; generated beside a SQLite database when unset"},
    {"KEY_HASH_SECRET", "",
     "secret for hashes of keys, tokens and client secrets (32+ characters): as OTP_PEPPER"},
    {signup::kCommonPasswordListVariable, signup::kDefaultCommonPasswordList,
     "common passwords refused at sign-up, one per line; empty for none"},
    {signup::kBreachedPasswordFileVariable, "",
     "optional Have I Been Pwned SHA-1 file (HASH:COUNT lines, sorted)"},
    {"MAIL_URL", "console:", "console:, smtp://[user:pass@]host:port, smtps://... or resend:"},
    {"MAIL_FROM", "Portico <no-reply@localhost>", "sender of every mail"},
    {"RESEND_FROM_EMAIL", "", "sender for Resend (and SMTP); wins over MAIL_FROM"},
    {"RESEND_API_KEY", "", "Resend API key (secret)"},
    {"RESEND_API_URL", "https://api.resend.com", "Resend API base URL"},
    {"SIGNUP_OTP_TEMPLATE_ID", "", "Resend template for the signup code mail"},
    {"SIGNUP_PROVISIONED_TEMPLATE_ID", "", "Resend template for the provisioned mail"},
    {"TRUSTED_PROXIES", "", "CIDRs whose X-Forwarded-For is believed for the client IP"},
    {"DCR_OPEN_REGISTRATION", "false", "true lets OAuth clients register without a token"},
    {"DCR_OPEN_REGISTRATION_TENANT", "default", "slug of the tenant open registrations go to"},
    {"DCR_CLIENT_TTL_DAYS", "90", "unused OAuth clients are deleted after this; 0 keeps them"},
    {"PORTICO_TLS_CERT", "", "PEM certificate (chain); with PORTICO_TLS_KEY serves HTTPS, TLS 1.2+"},
    {"PORTICO_TLS_KEY", "", "PEM private key (unencrypted) matching PORTICO_TLS_CERT"},
    {"METRICS_TOKEN", "", "when set, GET /metrics needs \"Authorization: Bearer <it>\""},
    {"PORTICO_HTTP_THREADS", "cores", "HTTP reactor threads (0: one per core)"},
    {"PORTICO_MAX_BODY_BYTES", "1048576", "larger request bodies get 413"},
    {"PORTICO_DB_POOL_SIZE", "threads + 2", "database sessions in the pool (0: threads + 2)"},
    {"PORTICO_DRAIN_TIMEOUT_MS", "30000", "how long SIGTERM waits for in-flight requests"},
    {"PORTICO_OUTBOX_POLL_MS", "500", "outbox polling interval"},
    {"PORTICO_OUTBOX_BACKOFF_MS", "1000", "first outbox retry delay (doubling)"},
    {"PORTICO_OUTBOX_LEASE_MS", "120000", "how long a claimed outbox message stays claimed"},
    {"PORTICO_CREDENTIAL_CACHE_MS", "1000", "how long a verified key is remembered; 0: never"},
    {"PORTICO_LOG_LEVEL", "info", "debug, info, warn or error (JSON lines on stderr)"},
};

}  // namespace

std::span<const ConfigVariable> ConfigVariables() { return kConfigVariables; }

Environment ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

StatusOr<Config> LoadConfig(const Environment& env) {
  Config config;
  auto get = [&](std::string_view name) -> std::optional<std::string> {
    auto v = env(name);
    if (v && v->empty()) return std::nullopt;  // set but empty counts as unset
    return v;
  };

  if (auto v = get("PORTICO_LISTEN")) PORTICO_RETURN_IF_ERROR(ParseListen(*v, config));
  if (auto v = get("PUBLIC_BASE_URL")) PORTICO_RETURN_IF_ERROR(ParseBaseUrl(*v, config));
  if (auto v = get("DATABASE_URL")) config.database_url = *v;
  {
    auto parsed = db::ParseDatabaseUrl(config.database_url);
    if (!parsed.ok()) {
      const std::string m = parsed.status().message();
      return Bad("DATABASE_URL", m.rfind("DATABASE_URL", 0) == 0 ? m.substr(m.find(':') + 2) : m);
    }
  }
  if (auto v = get("SELF_SERVE_SIGNUP_ENABLED")) {
    PORTICO_ASSIGN_OR_RETURN(config.signup_enabled, ParseBool("SELF_SERVE_SIGNUP_ENABLED", *v));
  }
  if (auto v = get("SIGNUP_SESSION_TTL_MINUTES")) {
    PORTICO_ASSIGN_OR_RETURN(int64_t n, ParseInt("SIGNUP_SESSION_TTL_MINUTES", *v, 5, 10080));
    config.signup_session_ttl_minutes = static_cast<int>(n);
  }
  if (auto v = get("SIGNUP_PROVISION_LEASE_SECONDS")) {
    PORTICO_ASSIGN_OR_RETURN(int64_t n, ParseInt("SIGNUP_PROVISION_LEASE_SECONDS", *v, 1, 600));
    config.signup_provision_lease_seconds = static_cast<int>(n);
  }
  const struct {
    const char* name;
    RateLimit* field;
  } signup_limits[] = {{"SIGNUP_CREATE_LIMIT_IP", &config.signup_limits.create_per_ip},
                       {"SIGNUP_CREATE_LIMIT_DOMAIN", &config.signup_limits.create_per_domain},
                       {"SIGNUP_CREATE_LIMIT_EMAIL", &config.signup_limits.create_per_email},
                       {"SIGNUP_VERIFY_LIMIT_IP", &config.signup_limits.verify_per_ip},
                       {"SIGNUP_VERIFY_LIMIT_DOMAIN", &config.signup_limits.verify_per_domain},
                       {"SIGNUP_VERIFY_LIMIT_EMAIL", &config.signup_limits.verify_per_email},
                       {"AUTH_SIGNUP_LIMIT_IP", &config.auth_limits.sign_up_per_ip},
                       {"AUTH_SIGNIN_LIMIT_IP", &config.auth_limits.sign_in_per_ip},
                       {"AUTH_SIGNIN_LIMIT_ACCOUNT", &config.auth_limits.sign_in_per_account},
                       {"AUTH_VERIFY_LIMIT_IP", &config.auth_limits.verify_per_ip},
                       {"AUTH_VERIFICATION_MAIL_LIMIT_EMAIL",
                        &config.auth_limits.verification_mails_per_email}};
  for (const auto& limit : signup_limits) {
    if (auto v = get(limit.name)) {
      StatusOr<RateLimit> parsed = signup::ParseRateLimitSpec(*v);
      if (!parsed.ok()) return Bad(limit.name, parsed.status().message());
      *limit.field = *parsed;
    }
  }
  if (auto v = get("OTP_PEPPER")) {
    PORTICO_RETURN_IF_ERROR(CheckSecret("OTP_PEPPER", *v));
    config.otp_pepper = *v;
  }
  if (auto v = get("KEY_HASH_SECRET")) {
    PORTICO_RETURN_IF_ERROR(CheckSecret("KEY_HASH_SECRET", *v));
    config.key_hash_secret = *v;
  }
  if (!config.uses_sqlite()) {
    for (auto [name, value] : {std::pair{"OTP_PEPPER", &config.otp_pepper},
                               std::pair{"KEY_HASH_SECRET", &config.key_hash_secret}}) {
      if (value->empty()) {
        return Bad(name,
                   "must be set when DATABASE_URL is PostgreSQL (every process must share it)");
      }
    }
  }
  if (auto v = get(signup::kCommonPasswordListVariable)) config.password_common_list = *v;
  if (auto v = get(signup::kBreachedPasswordFileVariable)) config.password_breached_file = *v;
  if (auto v = get("MAIL_URL")) config.mail_url = *v;
  if (auto v = get("MAIL_FROM")) config.mail_from = *v;
  if (auto v = get("RESEND_FROM_EMAIL")) config.mail_from = *v;
  if (auto v = get("RESEND_API_KEY")) config.resend_api_key = *v;
  if (auto v = get("RESEND_API_URL")) config.resend_api_url = *v;
  if (auto v = get("SIGNUP_OTP_TEMPLATE_ID")) config.signup_otp_template_id = *v;
  if (auto v = get("SIGNUP_PROVISIONED_TEMPLATE_ID")) config.signup_provisioned_template_id = *v;
  if (auto v = get("TRUSTED_PROXIES")) {
    auto cidrs = http::ParseCidrList(*v);
    if (!cidrs.ok()) return Bad("TRUSTED_PROXIES", cidrs.status().message());
    config.trusted_proxies = std::move(cidrs).value();
  }
  if (auto v = get("DCR_OPEN_REGISTRATION")) {
    PORTICO_ASSIGN_OR_RETURN(config.dcr_open_registration, ParseBool("DCR_OPEN_REGISTRATION", *v));
  }
  if (auto v = get("DCR_OPEN_REGISTRATION_TENANT")) {
    if (Status valid = ValidateSlug(*v); !valid.ok()) {
      return Bad("DCR_OPEN_REGISTRATION_TENANT", valid.message());
    }
    config.dcr_open_registration_tenant = *v;
  }
  if (auto v = get("DCR_CLIENT_TTL_DAYS")) {
    PORTICO_ASSIGN_OR_RETURN(int64_t n, ParseInt("DCR_CLIENT_TTL_DAYS", *v, 0, 36500));
    config.dcr_client_ttl_days = static_cast<int>(n);
  }
  {
    const std::optional<std::string> cert = get("PORTICO_TLS_CERT");
    const std::optional<std::string> key = get("PORTICO_TLS_KEY");
    if (cert.has_value() != key.has_value()) {
      return Bad(cert ? "PORTICO_TLS_KEY" : "PORTICO_TLS_CERT",
                 "must be set together with " +
                     std::string(cert ? "PORTICO_TLS_CERT" : "PORTICO_TLS_KEY"));
    }
    if (cert) {
      // Checked here, not when listening, so a bad pair exits 2 naming the variable.
      if (Status pair = http::CheckTlsKeyPair(*cert, *key); !pair.ok()) {
        return Bad(pair.tag() == http::kTlsKeyProblem ? "PORTICO_TLS_KEY" : "PORTICO_TLS_CERT",
                   pair.message());
      }
      config.tls_cert_file = *cert;
      config.tls_key_file = *key;
    }
  }
  if (auto v = get("METRICS_TOKEN")) config.metrics_token = *v;
  if (auto v = get("PORTICO_HTTP_THREADS")) {
    PORTICO_ASSIGN_OR_RETURN(int64_t n, ParseInt("PORTICO_HTTP_THREADS", *v, 0, 256));
    config.http_threads = static_cast<int>(n);
  }
  if (auto v = get("PORTICO_MAX_BODY_BYTES")) {
    PORTICO_ASSIGN_OR_RETURN(int64_t n, ParseInt("PORTICO_MAX_BODY_BYTES", *v, 1024, 64 << 20));
    config.max_body_bytes = static_cast<size_t>(n);
  }
  if (auto v = get("PORTICO_DB_POOL_SIZE")) {
    PORTICO_ASSIGN_OR_RETURN(int64_t n, ParseInt("PORTICO_DB_POOL_SIZE", *v, 0, 256));
    config.db_pool_size = static_cast<int>(n);
  }
  // Durations in milliseconds, each with its own sane range. The outbox
  // lease: a claimed message is invisible to other dispatchers this long, so
  // a crash mid-delivery delays its retry by at most this much.
  const struct {
    const char* name;
    int64_t min;
    std::chrono::milliseconds* field;
  } durations[] = {{"PORTICO_DRAIN_TIMEOUT_MS", 0, &config.drain_timeout},
                   {"PORTICO_OUTBOX_POLL_MS", 10, &config.outbox_poll},
                   {"PORTICO_OUTBOX_BACKOFF_MS", 1, &config.outbox_backoff_base},
                   {"PORTICO_OUTBOX_LEASE_MS", 1000, &config.outbox_lease}};
  for (const auto& d : durations) {
    if (auto v = get(d.name)) {
      PORTICO_ASSIGN_OR_RETURN(int64_t n, ParseInt(d.name, *v, d.min, 3'600'000));
      *d.field = std::chrono::milliseconds(n);
    }
  }
  if (auto v = get("PORTICO_CREDENTIAL_CACHE_MS")) {
    PORTICO_ASSIGN_OR_RETURN(int64_t n, ParseInt("PORTICO_CREDENTIAL_CACHE_MS", *v, 0, 60'000));
    config.credential_cache = std::chrono::milliseconds(n);
  }
  if (auto v = get("PORTICO_LOG_LEVEL")) {
    const std::string l = Lower(*v);
    if (l == "debug")
      config.log_level = LogLevel::kDebug;
    else if (l == "info")
      config.log_level = LogLevel::kInfo;
    else if (l == "warn" || l == "warning")
      config.log_level = LogLevel::kWarn;
    else if (l == "error")
      config.log_level = LogLevel::kError;
    else
      return Bad("PORTICO_LOG_LEVEL", "must be debug, info, warn or error");
  }
  return config;
}

std::string SecretsPathFor(std::string_view sqlite_path) {
  if (sqlite_path.empty() || sqlite_path == ":memory:") return "";
  std::string path(sqlite_path);
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot != std::string::npos && (slash == std::string::npos || dot > slash + 1)) {
    path.erase(dot);
  }
  return path + ".secrets";
}

namespace {

struct SecretsFile {
  std::string otp_pepper;
  std::string key_hash_secret;
};

StatusOr<SecretsFile> ReadSecretsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidArgument(path + ": cannot read the secrets file");
  SecretsFile file;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos)
      return InvalidArgument(path + ": malformed line (expected NAME=VALUE)");
    const std::string name = line.substr(0, eq);
    const std::string value = line.substr(eq + 1);
    if (name == "OTP_PEPPER") file.otp_pepper = value;
    if (name == "KEY_HASH_SECRET") file.key_hash_secret = value;
  }
  if (file.otp_pepper.size() < kMinSecretLength || file.key_hash_secret.size() < kMinSecretLength) {
    return InvalidArgument(path + ": must hold OTP_PEPPER and KEY_HASH_SECRET of at least " +
                           std::to_string(kMinSecretLength) + " characters");
  }
  return file;
}

// Two processes starting at once must agree on one pair, and neither may read
// a file still being written (an exclusive create alone exposes it empty
// until the write). So the file is written whole and synced under a private
// name, then published with link(2), which fails when the name exists: the
// loser reads the winner's complete file.
StatusOr<SecretsFile> CreateSecretsFile(const std::string& path) {
  SecretsFile file{RandomToken(SecureRandom(), 32), RandomToken(SecureRandom(), 32)};
  const std::string temp = path + ".tmp-" + RandomToken(SecureRandom(), 9);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return InvalidArgument(path + ": cannot create the secrets file: " + std::strerror(errno));
  }
  const std::string text =
      "# Generated by portico for local use. Keep it private and next to the database.\n"
      "OTP_PEPPER=" +
      file.otp_pepper + "\nKEY_HASH_SECRET=" + file.key_hash_secret + "\n";
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    ::unlink(temp.c_str());
    return InvalidArgument(path + ": cannot write the secrets file");
  }
  const int linked = ::link(temp.c_str(), path.c_str());
  const int link_errno = errno;
  ::unlink(temp.c_str());
  if (linked != 0) {
    if (link_errno == EEXIST) return ReadSecretsFile(path);
    return InvalidArgument(path + ": cannot create the secrets file: " +
                           std::strerror(link_errno));
  }
  Log(LogLevel::kWarn, "secrets_generated",
      Json::MakeObject()
          .Set("file", path)
          .Set("message",
               "OTP_PEPPER and KEY_HASH_SECRET were not set; generated them for local use. "
               "Set both explicitly in production."));
  return file;
}

}  // namespace

Status ResolveSecrets(Config& config) {
  if (!config.otp_pepper.empty() && !config.key_hash_secret.empty()) return Status::Ok();
  auto url = db::ParseDatabaseUrl(config.database_url);
  if (!url.ok()) return url.status();
  if (url->dialect != db::Dialect::kSqlite) {
    return InvalidArgument("OTP_PEPPER and KEY_HASH_SECRET must be set on PostgreSQL");
  }
  const std::string path = SecretsPathFor(url->sqlite_path);
  SecretsFile file;
  if (path.empty()) {
    file = {RandomToken(SecureRandom(), 32), RandomToken(SecureRandom(), 32)};
    Log(LogLevel::kWarn, "secrets_generated",
        Json::MakeObject().Set("message",
                               "in-memory database: secrets generated for this process only"));
  } else {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
      if ((st.st_mode & 077) != 0) {
        Log(LogLevel::kWarn, "secrets_file_permissions",
            Json::MakeObject().Set("file", path).Set("message", "readable by others; chmod 600"));
      }
      PORTICO_ASSIGN_OR_RETURN(file, ReadSecretsFile(path));
    } else {
      PORTICO_ASSIGN_OR_RETURN(file, CreateSecretsFile(path));
    }
  }
  if (config.otp_pepper.empty()) config.otp_pepper = file.otp_pepper;
  if (config.key_hash_secret.empty()) config.key_hash_secret = file.key_hash_secret;
  return Status::Ok();
}

}  // namespace portico::server
