#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"
#include "portico/tenant_settings.h"

namespace portico::signup {

// The tenant settings document (TenantSettingsStore) that holds a tenant's
// account sign-up settings.
inline constexpr char kAuthSettingsName[] = "signup.auth";

// Sign-up session lifetime bounds (sessionTtlSeconds).
inline constexpr int64_t kDefaultSessionTtlSeconds = 7 * 24 * 3600;
inline constexpr int64_t kMinSessionTtlSeconds = 5 * 60;
inline constexpr int64_t kMaxSessionTtlSeconds = 90 * 24 * 3600;
// Bounds that keep a settings document (and each Origin comparison) small.
inline constexpr size_t kMaxAllowedOrigins = 100;
inline constexpr size_t kMaxExpectedHostnames = 50;

enum class CaptchaProvider { kHCaptcha, kTurnstile, kRecaptcha };

// "hcaptcha", "turnstile", "recaptcha".
std::string_view CaptchaProviderName(CaptchaProvider provider);
// The provider's siteverify endpoint:
//   hcaptcha   https://api.hcaptcha.com/siteverify
//   turnstile  https://challenges.cloudflare.com/turnstile/v0/siteverify
//   recaptcha  https://www.google.com/recaptcha/api/siteverify
std::string_view DefaultVerifyUrl(CaptchaProvider provider);

// A tenant's CAPTCHA: when configured, every sign-up carries a token that the
// server verifies with the provider (captcha_verifier.h).
struct CaptchaSettings {
  CaptchaProvider provider = CaptchaProvider::kHCaptcha;
  // The provider's secret key. Never rendered to a client, never logged, and
  // sealed at rest (AuthSettingsStorage).
  std::string secret;
  // hCaptcha: sent as `sitekey` so the provider checks the token was solved
  // for this site. Other providers: kept for the page, not sent.
  std::string site_key;
  // "" → DefaultVerifyUrl(provider). Otherwise an absolute https URL (http only
  // for localhost, 127.0.0.1 and [::1]: a test double or a local proxy).
  std::string verify_url;
  // Lower-case host names the token must have been solved on; empty → any.
  std::vector<std::string> expected_hostnames;
  // reCAPTCHA v3 only: the lowest acceptable score (0–1); a response without a
  // score then fails.
  std::optional<double> min_score;
  // Turnstile and reCAPTCHA v3: the action the widget must have reported; "" → not checked.
  std::string expected_action;

  // verify_url, or the provider's default when it is empty.
  std::string_view EffectiveVerifyUrl() const;

  friend bool operator==(const CaptchaSettings&, const CaptchaSettings&) = default;
};

// A tenant's account sign-up settings. The defaults are what a tenant without
// a "signup.auth" document gets: no CAPTCHA, no enumeration protection, and
// no browser origin allowed (server-to-server calls only).
struct AuthSettings {
  // false: an existing email answers 409 EMAIL_EXISTS with recommendedAction.
  // true: new and existing emails get the same 202 opaque success.
  bool enumeration_protection = false;
  // Exact, normalised origins ("https://app.example.com", "http://localhost:3000").
  std::vector<std::string> allowed_origins;
  std::optional<CaptchaSettings> captcha;
  std::chrono::seconds session_ttl{kDefaultSessionTtlSeconds};

  friend bool operator==(const AuthSettings&, const AuthSettings&) = default;
};

// The settings from an administrator's document. Members, all optional:
//   enumerationProtection  boolean
//   allowedOrigins         array of origins "scheme://host[:port]": http or
//                          https, no path (not even "/"), query, fragment or
//                          userinfo, no wildcard; http only for localhost,
//                          127.0.0.1 and [::1]. Stored lower-cased without the
//                          scheme's default port; a duplicate is an error.
//   captcha                null (off) or an object: provider ("hcaptcha" |
//                          "turnstile" | "recaptcha", required), secret
//                          (required), siteKey, verifyUrl, expectedHostnames
//                          (array of host names), minScore (number 0–1,
//                          recaptcha only), expectedAction (turnstile and
//                          recaptcha only), secretSet (boolean, ignored: what
//                          AuthSettingsJson renders, so a GET can be PUT back)
//   sessionTtlSeconds      integer, 300 (5 min) to 7776000 (90 days)
// InvalidArgument whose message names the member when one is malformed, out
// of range or unknown (a typo must not silently switch a protection off).
// Pure; thread-safe.
StatusOr<AuthSettings> ParseAuthSettings(const Json& document);

// ParseAuthSettings for an administrator's update, where captcha.secret may be
// left out to keep the secret already configured: that works only when
// `current` is a CAPTCHA of the same provider and the same effective verify
// URL (so a new URL cannot be pointed at a stored secret it was never
// given). Otherwise as ParseAuthSettings (a missing secret is an error).
// Pure; thread-safe.
StatusOr<AuthSettings> ParseAuthSettingsUpdate(const Json& document,
                                               const std::optional<CaptchaSettings>& current);

// The document ParseAuthSettings reads, every member present, for an
// administrator: the CAPTCHA secret is replaced by "secretSet": true;
// "captcha" is null when off; siteKey, verifyUrl, expectedHostnames, minScore
// and expectedAction appear only when set. Pure; thread-safe.
Json AuthSettingsJson(const AuthSettings& settings);

// "scheme://host[:port]" lower-cased, without the scheme's default port —
// the form a browser sends in Origin — or InvalidArgument saying what is
// wrong (scheme not http/https, a path, query, fragment or userinfo, a bad
// host or port, non-ASCII). No http restriction here. Pure; thread-safe.
StatusOr<std::string> NormalizeOrigin(std::string_view origin);

// Whether a request with this Origin header may use the sign-up API. An empty
// value means the request had no Origin header — a server-to-server call —
// and is allowed. Any other value (including "null", which sandboxed and
// file: pages send) must equal, after NormalizeOrigin, one of
// settings.allowed_origins; so the default empty list refuses every browser.
// Pure; thread-safe.
bool OriginAllowed(const AuthSettings& settings, std::string_view origin_header);

// Reads and writes the "signup.auth" document, with the CAPTCHA secret sealed
// (AES-256-GCM under a key derived from KEY_HASH_SECRET, bound to the tenant)
// so a database dump or backup does not hand it out. A small value type;
// thread-safe (the store passed in is not: one per database session).
class AuthSettingsStorage {
 public:
  explicit AuthSettingsStorage(std::string_view key_hash_secret);

  // The tenant's settings (the defaults when it has no document), with the
  // CAPTCHA secret opened. Internal when the stored document does not parse
  // or its secret cannot be opened (KEY_HASH_SECRET changed: PUT the captcha
  // again with its secret); the store's errors as they come.
  StatusOr<AuthSettings> Load(TenantSettingsStore& store, std::string_view tenant_id) const;

  // The settings in a stored "signup.auth" document (e.g. one that
  // TenantSettingsStore::ListByName returned), with the CAPTCHA secret opened.
  // Internal as Load's. Its allowedOrigins member is already normalised, so it
  // may be read directly for a cross-tenant origin list.
  StatusOr<AuthSettings> Decode(std::string_view tenant_id, Json stored) const;

  // Stores `settings` (validated by the caller: ParseAuthSettings*).
  // NotFound when the tenant does not exist; the store's errors otherwise.
  Status Save(TenantSettingsStore& store, std::string_view tenant_id,
              const AuthSettings& settings) const;

  // An administrator's PUT: ParseAuthSettingsUpdate against the stored
  // settings (read only when the document leaves captcha.secret out), then
  // Save. Returns what was stored. Run it in one transaction so a concurrent
  // update cannot slip between the read and the write.
  StatusOr<AuthSettings> Update(TenantSettingsStore& store, std::string_view tenant_id,
                                const Json& document) const;

 private:
  std::string key_;
};

}  // namespace portico::signup
