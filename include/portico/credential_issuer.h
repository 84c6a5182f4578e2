#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/credential.h"
#include "portico/crypto.h"
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

  // Verify, fetching the credential's tenant in the same query.
  StatusOr<CredentialWithTenant> VerifyWithTenant(
      CredentialStore& store, std::string_view presented,
      std::optional<CredentialKind> expected = std::nullopt) const;

  static const char* Prefix(CredentialKind kind);

 private:
  StatusOr<CredentialKind> CheckFormat(std::string_view presented,
                                       std::optional<CredentialKind> expected) const;
  static Status LookupFailure(const Status& status);
  Status CheckRecord(const Credential& credential, const std::string& hash,
                     CredentialKind claimed) const;

  HmacSha256Key key_hash_secret_;
  Random& random_;
  const Clock& clock_;
};

}  // namespace portico
