#include "signup/account/auth_settings.h"

#include <arpa/inet.h>

#include <algorithm>
#include <string>
#include <utility>

#include "portico/crypto.h"

namespace portico::signup {
namespace {

constexpr size_t kMaxOriginLength = 512;
constexpr size_t kMaxHostLength = 253;
constexpr size_t kMaxLabelLength = 63;
constexpr size_t kMaxKeyLength = 512;  // secrets and site keys (real ones are < 100)
constexpr size_t kMaxUrlLength = 2048;
constexpr size_t kMaxActionLength = 100;

// Binds a sealed secret to its purpose; the tenant id is appended per use.
constexpr char kSealKeyLabel[] = "portico signup.auth captcha secret v1";
constexpr char kSealContext[] = "signup.auth captcha|";

Status Malformed(std::string_view member, std::string_view want) {
  return InvalidArgument("auth settings: " + std::string(member) + " must be " + std::string(want));
}

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }

// Visible ASCII, no space: what keys, tokens and URLs are made of.
bool IsVisibleAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

// A lower-case DNS name or dotted-quad IPv4 address (no brackets). A name
// whose last label is numeric must be a valid IPv4 address, as browsers read
// it that way (WHATWG URL host parsing).
bool IsValidHostName(std::string_view host) {
  if (host.empty() || host.size() > kMaxHostLength) return false;
  std::string_view last_label;
  for (size_t start = 0; start <= host.size();) {
    size_t dot = host.find('.', start);
    if (dot == std::string_view::npos) dot = host.size();
    const std::string_view label = host.substr(start, dot - start);
    if (label.empty() || label.size() > kMaxLabelLength) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    last_label = label;
    start = dot + 1;
  }
  if (std::all_of(last_label.begin(), last_label.end(), IsDigit)) {
    in_addr addr;
    return inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1;
  }
  return true;
}

struct HostPort {
  std::string host;  // lower-case; an IPv6 address in its canonical bracketed form
  int port = 0;      // 0: none given
};

// "host", "host:port", "[v6]" or "[v6]:port", lower-cased already. `what`
// names the thing for messages ("origin", "verifyUrl").
StatusOr<HostPort> ParseAuthority(std::string_view authority, std::string_view what) {
  HostPort out;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgument(std::string(what) + " has an unterminated IPv6 address");
    }
    in6_addr addr;
    if (inet_pton(AF_INET6, std::string(authority.substr(1, close - 1)).c_str(), &addr) != 1) {
      return InvalidArgument(std::string(what) + " has an invalid IPv6 address");
    }
    char canonical[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, &addr, canonical, sizeof(canonical));
    out.host = "[" + std::string(canonical) + "]";
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return InvalidArgument(std::string(what) + " has characters after its IPv6 address");
      }
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    const size_t colon = authority.find(':');
    const std::string_view host = authority.substr(0, colon);
    if (!IsValidHostName(host)) {
      return InvalidArgument(std::string(what) +
                             " has an invalid host (letters, digits, '-' and '.'; "
                             "the punycode form of an international name)");
    }
    out.host = std::string(host);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
  }
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), IsDigit)) {
      return InvalidArgument(std::string(what) + " has an invalid port");
    }
    const int port = std::stoi(std::string(port_text));
    if (port < 1 || port > 65535) {
      return InvalidArgument(std::string(what) + " has a port outside 1-65535");
    }
    out.port = port;
  }
  return out;
}

struct Origin {
  std::string scheme;
  HostPort host_port;
  std::string serialized;
};

StatusOr<Origin> ParseOrigin(std::string_view text) {
  if (text.empty()) return InvalidArgument("origin is empty");
  if (text.size() > kMaxOriginLength) return InvalidArgument("origin is too long");
  std::string lower;
  lower.reserve(text.size());
  for (const char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return InvalidArgument(
          "origin must be ASCII (use the punycode form of an international domain name)");
    }
    if (c <= 0x20 || c == 0x7f) {
      return InvalidArgument("origin must not contain spaces or control characters");
    }
    lower.push_back(Lower(c));
  }
  const size_t sep = lower.find("://");
  if (sep == std::string::npos) return InvalidArgument("origin must be scheme://host[:port]");
  Origin origin;
  origin.scheme = lower.substr(0, sep);
  if (origin.scheme != "http" && origin.scheme != "https") {
    return InvalidArgument("origin scheme must be http or https");
  }
  const std::string_view rest = std::string_view(lower).substr(sep + 3);
  if (rest.find('@') != std::string_view::npos) {
    return InvalidArgument("origin must not contain userinfo");
  }
  if (rest.find('/') != std::string_view::npos) {
    return InvalidArgument("origin must not have a path (not even a trailing '/')");
  }
  if (rest.find('?') != std::string_view::npos) {
    return InvalidArgument("origin must not have a query");
  }
  if (rest.find('#') != std::string_view::npos) {
    return InvalidArgument("origin must not have a fragment");
  }
  if (rest.find('*') != std::string_view::npos) {
    return InvalidArgument("origin must be exact (no wildcard)");
  }
  PORTICO_ASSIGN_OR_RETURN(origin.host_port, ParseAuthority(rest, "origin"));
  const int default_port = origin.scheme == "https" ? 443 : 80;
  if (origin.host_port.port == default_port) origin.host_port.port = 0;  // as browsers send it
  origin.serialized = origin.scheme + "://" + origin.host_port.host;
  if (origin.host_port.port != 0) origin.serialized += ":" + std::to_string(origin.host_port.port);
  return origin;
}

// An allowed origin: NormalizeOrigin's rules, and plain http only on loopback
// (anything else would let a network attacker act as the tenant's page).
StatusOr<std::string> AllowedOrigin(std::string_view text) {
  PORTICO_ASSIGN_OR_RETURN(Origin origin, ParseOrigin(text));
  if (origin.scheme == "http" && !IsLoopbackHost(origin.host_port.host)) {
    return InvalidArgument("origin must use https (http only for localhost, 127.0.0.1, [::1])");
  }
  return std::move(origin.serialized);
}

// An absolute http(s) URL with no userinfo and no fragment; http only on
// loopback, because the secret travels in the request body.
Status ValidateVerifyUrl(std::string_view url) {
  if (url.empty() || url.size() > kMaxUrlLength || !IsVisibleAscii(url)) {
    return Malformed("captcha.verifyUrl", "an absolute URL of visible ASCII");
  }
  std::string lower(url);
  std::transform(lower.begin(), lower.end(), lower.begin(), Lower);
  const size_t sep = lower.find("://");
  const std::string scheme = sep == std::string::npos ? "" : lower.substr(0, sep);
  if (scheme != "http" && scheme != "https") {
    return Malformed("captcha.verifyUrl", "an absolute http or https URL");
  }
  const std::string_view rest = std::string_view(lower).substr(sep + 3);
  const size_t end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) {
    return Malformed("captcha.verifyUrl", "a URL without userinfo");
  }
  if (rest.find('#') != std::string_view::npos) {
    return Malformed("captcha.verifyUrl", "a URL without a fragment");
  }
  StatusOr<HostPort> host_port = ParseAuthority(authority, "captcha.verifyUrl");
  if (!host_port.ok()) return InvalidArgument("auth settings: " + host_port.status().message());
  if (scheme == "http" && !IsLoopbackHost(host_port->host)) {
    return Malformed("captcha.verifyUrl", "https (http only for localhost, 127.0.0.1, [::1])");
  }
  return Status::Ok();
}

StatusOr<bool> Flag(const Json& value, std::string_view member) {
  if (!value.is_bool()) return Malformed(member, "true or false");
  return value.as_bool();
}

// A non-empty key of visible ASCII. The message never echoes the value.
StatusOr<std::string> Key(const Json& value, std::string_view member) {
  if (!value.is_string() || value.as_string().empty() || value.as_string().size() > kMaxKeyLength ||
      !IsVisibleAscii(value.as_string())) {
    return Malformed(member, "a non-empty string of visible ASCII, at most 512 characters");
  }
  return value.as_string();
}

StatusOr<CaptchaProvider> Provider(const Json& value) {
  if (value.is_string()) {
    for (CaptchaProvider p :
         {CaptchaProvider::kHCaptcha, CaptchaProvider::kTurnstile, CaptchaProvider::kRecaptcha}) {
      if (value.as_string() == CaptchaProviderName(p)) return p;
    }
  }
  return Malformed("captcha.provider", "\"hcaptcha\", \"turnstile\" or \"recaptcha\"");
}

StatusOr<std::vector<std::string>> Hostnames(const Json& value) {
  constexpr char kMember[] = "captcha.expectedHostnames";
  if (!value.is_array()) return Malformed(kMember, "an array of host names");
  if (value.as_array().size() > kMaxExpectedHostnames) {
    return Malformed(kMember, "at most " + std::to_string(kMaxExpectedHostnames) + " host names");
  }
  std::vector<std::string> out;
  for (const Json& item : value.as_array()) {
    std::string host = item.is_string() ? item.as_string() : "";
    std::transform(host.begin(), host.end(), host.begin(), Lower);
    if (!IsValidHostName(host)) {
      return Malformed(kMember, "an array of host names (e.g. \"app.example.com\")");
    }
    if (std::find(out.begin(), out.end(), host) == out.end()) out.push_back(std::move(host));
  }
  return out;
}

StatusOr<std::string> Action(const Json& value) {
  const auto allowed = [](char c) {
    return IsLowerAlnum(Lower(c)) || c == '_' || c == '-' || c == '/';
  };
  if (!value.is_string() || value.as_string().empty() ||
      value.as_string().size() > kMaxActionLength ||
      !std::all_of(value.as_string().begin(), value.as_string().end(), allowed)) {
    return Malformed("captcha.expectedAction",
                     "1-100 characters of letters, digits, '_', '-' and '/'");
  }
  return value.as_string();
}

StatusOr<CaptchaSettings> ParseCaptcha(const Json& document,
                                       const std::optional<CaptchaSettings>* current) {
  if (!document.is_object()) return Malformed("captcha", "an object or null");
  CaptchaSettings captcha;
  bool has_provider = false;
  bool has_secret = false;
  const Json* min_score = nullptr;
  const Json* action = nullptr;
  for (const auto& [name, value] : document.as_object()) {
    if (name == "provider") {
      PORTICO_ASSIGN_OR_RETURN(captcha.provider, Provider(value));
      has_provider = true;
    } else if (name == "secret") {
      PORTICO_ASSIGN_OR_RETURN(captcha.secret, Key(value, "captcha.secret"));
      has_secret = true;
    } else if (name == "siteKey") {
      PORTICO_ASSIGN_OR_RETURN(captcha.site_key, Key(value, "captcha.siteKey"));
    } else if (name == "verifyUrl") {
      if (!value.is_string()) return Malformed("captcha.verifyUrl", "a string");
      PORTICO_RETURN_IF_ERROR(ValidateVerifyUrl(value.as_string()));
      captcha.verify_url = value.as_string();
    } else if (name == "expectedHostnames") {
      PORTICO_ASSIGN_OR_RETURN(captcha.expected_hostnames, Hostnames(value));
    } else if (name == "minScore") {
      min_score = &value;
    } else if (name == "expectedAction") {
      action = &value;
    } else if (name == "secretSet") {
      // Read-only, rendered by AuthSettingsJson: accepted so a GET can be PUT back.
      PORTICO_RETURN_IF_ERROR(Flag(value, "captcha.secretSet").status());
    } else {
      return InvalidArgument("auth settings: unknown member captcha." + name);
    }
  }
  if (!has_provider) return Malformed("captcha.provider", "given when captcha is set");
  // Rules that depend on the provider, checked once it is known.
  if (min_score != nullptr) {
    if (captcha.provider != CaptchaProvider::kRecaptcha) {
      return InvalidArgument("auth settings: captcha.minScore applies only to recaptcha");
    }
    if (!min_score->is_number() || min_score->as_double() < 0 || min_score->as_double() > 1) {
      return Malformed("captcha.minScore", "a number from 0 to 1");
    }
    captcha.min_score = min_score->as_double();
  }
  if (action != nullptr) {
    if (captcha.provider == CaptchaProvider::kHCaptcha) {
      return InvalidArgument(
          "auth settings: captcha.expectedAction applies only to turnstile and recaptcha");
    }
    PORTICO_ASSIGN_OR_RETURN(captcha.expected_action, Action(*action));
  }
  if (!has_secret) {
    // Keep the stored secret only where it was meant to go.
    if (current != nullptr && current->has_value() && (*current)->provider == captcha.provider &&
        (*current)->EffectiveVerifyUrl() == captcha.EffectiveVerifyUrl()) {
      captcha.secret = (*current)->secret;
    } else {
      return InvalidArgument(
          "auth settings: captcha.secret is required (a stored secret is kept only when provider "
          "and verifyUrl are unchanged)");
    }
  }
  return captcha;
}

StatusOr<std::vector<std::string>> Origins(const Json& value) {
  if (!value.is_array()) return Malformed("allowedOrigins", "an array of origins");
  if (value.as_array().size() > kMaxAllowedOrigins) {
    return Malformed("allowedOrigins",
                     "at most " + std::to_string(kMaxAllowedOrigins) + " origins");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < value.as_array().size(); ++i) {
    const Json& item = value.as_array()[i];
    const std::string member = "allowedOrigins[" + std::to_string(i) + "]";
    if (!item.is_string()) return Malformed(member, "a string");
    StatusOr<std::string> origin = AllowedOrigin(item.as_string());
    if (!origin.ok()) {
      return InvalidArgument("auth settings: " + member + ": " + origin.status().message());
    }
    if (std::find(out.begin(), out.end(), *origin) != out.end()) {
      return InvalidArgument("auth settings: " + member + " repeats " + *origin);
    }
    out.push_back(std::move(*origin));
  }
  return out;
}

StatusOr<AuthSettings> ParseDocument(const Json& document,
                                     const std::optional<CaptchaSettings>* current) {
  if (!document.is_object()) return InvalidArgument("auth settings must be a JSON object");
  AuthSettings settings;
  for (const auto& [name, value] : document.as_object()) {
    if (name == "enumerationProtection") {
      PORTICO_ASSIGN_OR_RETURN(settings.enumeration_protection, Flag(value, name));
    } else if (name == "allowedOrigins") {
      PORTICO_ASSIGN_OR_RETURN(settings.allowed_origins, Origins(value));
    } else if (name == "captcha") {
      if (!value.is_null()) {
        PORTICO_ASSIGN_OR_RETURN(settings.captcha, ParseCaptcha(value, current));
      }
    } else if (name == "sessionTtlSeconds") {
      if (!value.is_int() || value.as_int() < kMinSessionTtlSeconds ||
          value.as_int() > kMaxSessionTtlSeconds) {
        return Malformed(name, "an integer from " + std::to_string(kMinSessionTtlSeconds) +
                                   " (5 minutes) to " + std::to_string(kMaxSessionTtlSeconds) +
                                   " (90 days)");
      }
      settings.session_ttl = std::chrono::seconds(value.as_int());
    } else {
      return InvalidArgument("auth settings: unknown member " + name);
    }
  }
  return settings;
}

std::string SealContext(std::string_view tenant_id) {
  return kSealContext + std::string(tenant_id);
}

}  // namespace

std::string_view CaptchaProviderName(CaptchaProvider provider) {
  switch (provider) {
    case CaptchaProvider::kHCaptcha:
      return "hcaptcha";
    case CaptchaProvider::kTurnstile:
      return "turnstile";
    case CaptchaProvider::kRecaptcha:
      return "recaptcha";
  }
  return "";
}

std::string_view DefaultVerifyUrl(CaptchaProvider provider) {
  switch (provider) {
    case CaptchaProvider::kHCaptcha:
      return "https://api.hcaptcha.com/siteverify";
    case CaptchaProvider::kTurnstile:
      return "https://challenges.cloudflare.com/turnstile/v0/siteverify";
    case CaptchaProvider::kRecaptcha:
      return "https://www.google.com/recaptcha/api/siteverify";
  }
  return "";
}

std::string_view CaptchaSettings::EffectiveVerifyUrl() const {
  return verify_url.empty() ? DefaultVerifyUrl(provider) : std::string_view(verify_url);
}

StatusOr<AuthSettings> ParseAuthSettings(const Json& document) {
  return ParseDocument(document, nullptr);
}

StatusOr<AuthSettings> ParseAuthSettingsUpdate(const Json& document,
                                               const std::optional<CaptchaSettings>& current) {
  return ParseDocument(document, &current);
}

Json AuthSettingsJson(const AuthSettings& settings) {
  Json origins = Json::MakeArray();
  for (const std::string& origin : settings.allowed_origins) origins.Push(Json(origin));
  Json captcha;  // null: off
  if (settings.captcha) {
    const CaptchaSettings& c = *settings.captcha;
    captcha = Json::MakeObject();
    captcha.Set("provider", CaptchaProviderName(c.provider)).Set("secretSet", !c.secret.empty());
    if (!c.site_key.empty()) captcha.Set("siteKey", c.site_key);
    if (!c.verify_url.empty()) captcha.Set("verifyUrl", c.verify_url);
    if (!c.expected_hostnames.empty()) {
      Json hosts = Json::MakeArray();
      for (const std::string& host : c.expected_hostnames) hosts.Push(Json(host));
      captcha.Set("expectedHostnames", std::move(hosts));
    }
    if (c.min_score) captcha.Set("minScore", *c.min_score);
    if (!c.expected_action.empty()) captcha.Set("expectedAction", c.expected_action);
  }
  Json out = Json::MakeObject();
  out.Set("enumerationProtection", settings.enumeration_protection)
      .Set("allowedOrigins", std::move(origins))
      .Set("captcha", std::move(captcha))
      .Set("sessionTtlSeconds", static_cast<int64_t>(settings.session_ttl.count()));
  return out;
}

StatusOr<std::string> NormalizeOrigin(std::string_view origin) {
  PORTICO_ASSIGN_OR_RETURN(Origin parsed, ParseOrigin(origin));
  return std::move(parsed.serialized);
}

bool OriginAllowed(const AuthSettings& settings, std::string_view origin_header) {
  if (origin_header.empty()) return true;  // no Origin: not a browser's cross-site request
  StatusOr<Origin> origin = ParseOrigin(origin_header);  // "null" fails here: refused
  if (!origin.ok()) return false;
  return std::find(settings.allowed_origins.begin(), settings.allowed_origins.end(),
                   origin->serialized) != settings.allowed_origins.end();
}

AuthSettingsStorage::AuthSettingsStorage(std::string_view key_hash_secret)
    : key_(HmacSha256(key_hash_secret, kSealKeyLabel)) {}

StatusOr<AuthSettings> AuthSettingsStorage::Load(TenantSettingsStore& store,
                                                 std::string_view tenant_id) const {
  PORTICO_ASSIGN_OR_RETURN(std::optional<Json> stored, store.Get(tenant_id, kAuthSettingsName));
  if (!stored) return AuthSettings{};
  return Decode(tenant_id, std::move(*stored));
}

StatusOr<AuthSettings> AuthSettingsStorage::Decode(std::string_view tenant_id,
                                                   Json document) const {
  if (Json* captcha = document.Find("captcha"); captcha != nullptr && captcha->is_object()) {
    const Json* sealed = captcha->Find("sealedSecret");
    std::optional<std::string> secret;
    if (sealed != nullptr && sealed->is_string()) {
      secret = OpenAesGcm(key_, sealed->as_string(), SealContext(tenant_id));
    }
    if (!secret) {
      return Internal("the tenant's CAPTCHA secret cannot be read")
          .WithInternal(
              "signup.auth captcha.sealedSecret does not open (KEY_HASH_SECRET changed?); "
              "PUT the captcha again with its secret");
    }
    captcha->Erase("sealedSecret");
    captcha->Set("secret", std::move(*secret));
  }
  StatusOr<AuthSettings> settings = ParseAuthSettings(document);
  if (!settings.ok()) {
    return Internal("the tenant's sign-up settings are unreadable")
        .WithInternal("stored signup.auth: " + settings.status().message());
  }
  return settings;
}

Status AuthSettingsStorage::Save(TenantSettingsStore& store, std::string_view tenant_id,
                                 const AuthSettings& settings) const {
  Json document = AuthSettingsJson(settings);
  if (settings.captcha) {
    Json* captcha = document.Find("captcha");
    captcha->Erase("secretSet");
    captcha->Set("sealedSecret",
                 SealAesGcm(key_, settings.captcha->secret, SealContext(tenant_id)));
  }
  return store.Put(tenant_id, kAuthSettingsName, document);
}

StatusOr<AuthSettings> AuthSettingsStorage::Update(TenantSettingsStore& store,
                                                   std::string_view tenant_id,
                                                   const Json& document) const {
  std::optional<CaptchaSettings> current;
  const Json* captcha = document.Find("captcha");
  if (captcha != nullptr && captcha->is_object() && captcha->Find("secret") == nullptr) {
    PORTICO_ASSIGN_OR_RETURN(AuthSettings stored, Load(store, tenant_id));
    current = std::move(stored.captcha);
  }
  PORTICO_ASSIGN_OR_RETURN(AuthSettings settings, ParseAuthSettingsUpdate(document, current));
  PORTICO_RETURN_IF_ERROR(Save(store, tenant_id, settings));
  return settings;
}

}  // namespace portico::signup
