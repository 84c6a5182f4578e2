#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/credential.h"
#include "portico/credential_cache.h"
#include "portico/crypto.h"
#include "portico/database.h"
#include "portico/random.h"
#include "portico/status.h"

namespace portico {

// A freshly minted credential: the record to store and the secret to show
// once. The secret is never derivable from the record.
struct IssuedCredential {
  Credential record;
  std::string secret;
};

// Mints and verifies tenant credentials. Secrets are
// "<prefix><43 base64url chars>" (256 random bits); prefixes make them
// recognisable to people and secret scanners: portico_ik_ (integration key),
// portico_bt_ (bootstrap token), portico_pl_ (public login token).
// Stored only as hex HMAC-SHA256 under KEY_HASH_SECRET. Thread-safe.
class CredentialIssuer {
 public:
  CredentialIssuer(std::string key_hash_secret, Random& random, const Clock& clock);

  // Pure: builds the record and secret; the caller stores the record (so it
  // can share a transaction with other writes).
  IssuedCredential Mint(std::string_view tenant_id, CredentialKind kind, std::string name,
                        std::vector<std::string> scopes,
                        std::optional<std::chrono::seconds> ttl = std::nullopt) const;

  // Hex HMAC of a presented secret, as stored in Credential::key_hash.
  std::string Hash(std::string_view secret) const;

  // Resolves a presented secret. Unauthenticated (one message for every
  // case, so callers learn nothing) when malformed, unknown, of another kind
  // than `expected`, revoked or expired. Unavailable if the store is.
  StatusOr<Credential> Verify(CredentialStore& store, std::string_view presented,
                              std::optional<CredentialKind> expected = std::nullopt) const;

  // Verify, fetching the credential's tenant in the same query, or from the
  // cache (set_cache) when it verified there within the cache's TTL.
  StatusOr<CredentialWithTenant> VerifyWithTenant(
      CredentialStore& store, std::string_view presented,
      std::optional<CredentialKind> expected = std::nullopt) const;

  // The same, leasing a database session only when the cache cannot answer
  // (a cached key costs no session at all).
  StatusOr<CredentialWithTenant> VerifyWithTenant(
      Database& db, std::string_view presented,
      std::optional<CredentialKind> expected = std::nullopt) const;

  static const char* Prefix(CredentialKind kind);

  // Remembers what VerifyWithTenant found (nullptr: every call looks up).
  // `cache` must outlive the issuer. Set once, before serving.
  void set_cache(CredentialCache* cache) { cache_ = cache; }
  // Forgets every remembered credential: called by whoever revokes one in this
  // process, so a revoked key stops working here at once. Thread-safe.
  void ForgetCached() const {
    if (cache_ != nullptr) cache_->Clear();
  }

 private:
  StatusOr<CredentialKind> CheckFormat(std::string_view presented,
                                       std::optional<CredentialKind> expected) const;
  static Status LookupFailure(const Status& status);
  Status CheckRecord(const Credential& credential, const std::string& hash,
                     CredentialKind claimed) const;
  // The store's answer for `hash` (already computed from a well-formed key
  // of kind `claimed`), remembered in the cache when it verified.
  StatusOr<CredentialWithTenant> LookupWithTenant(CredentialStore& store, const std::string& hash,
                                                  CredentialKind claimed) const;
  // The cached answer for `hash`, checked again against now; nullopt on a miss.
  std::optional<StatusOr<CredentialWithTenant>> FromCache(const std::string& hash,
                                                           CredentialKind claimed) const;

  HmacSha256Key key_hash_secret_;
  CredentialCache* cache_ = nullptr;
  Random& random_;
  const Clock& clock_;
};

}  // namespace portico
