#pragma once

#include <string>
#include <string_view>

#include "dcr/client_store.h"
#include "portico/clock.h"
#include "portico/credential_issuer.h"
#include "portico/random.h"

namespace portico::dcr {

// Mints the identifiers and secrets of OAuth clients and checks presented
// ones. Secrets and registration access tokens carry 256 random bits and are
// stored only as the keyed hash tenant credentials use (hex HMAC-SHA256
// under KEY_HASH_SECRET). Prefixes make them recognisable to people and
// secret scanners. Thread-safe.
class ClientSecrets {
 public:
  ClientSecrets(const CredentialIssuer& hasher, Random& random)
      : hasher_(hasher), random_(random) {}

  // "pc_" + 128 random bits: public, unguessable, never reused.
  std::string NewClientId() const { return "pc_" + RandomToken(random_, 16); }
  std::string NewClientSecret() const { return "portico_cs_" + RandomToken(random_, 32); }
  std::string NewRegistrationToken() const { return "portico_rt_" + RandomToken(random_, 32); }

  std::string Hash(std::string_view secret) const { return hasher_.Hash(secret); }

  // Whether `presented` is the client's current secret (unexpired) or the
  // secret a rotation replaced, within its grace period. Constant-time in
  // the hashes.
  bool SecretMatches(const ClientRecord& client, std::string_view presented, TimePoint now) const;
  // Whether `presented` is the client's registration access token.
  // Constant-time in the hashes.
  bool RegistrationTokenMatches(const ClientRecord& client, std::string_view presented) const;

 private:
  const CredentialIssuer& hasher_;
  Random& random_;
};

}  // namespace portico::dcr
