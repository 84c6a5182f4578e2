#include "dcr/client_secrets.h"

#include "portico/crypto.h"

namespace portico::dcr {

bool ClientSecrets::SecretMatches(const ClientRecord& client, std::string_view presented,
                                  TimePoint now) const {
  if (presented.empty()) return false;
  const std::string hash = Hash(presented);
  bool match = false;
  if (client.secret_hash && (!client.secret_expires_at || now < *client.secret_expires_at)) {
    match = ConstantTimeEquals(hash, *client.secret_hash);
  }
  if (client.previous_secret_hash && client.previous_secret_expires_at &&
      now < *client.previous_secret_expires_at) {
    match = ConstantTimeEquals(hash, *client.previous_secret_hash) || match;
  }
  return match;
}

bool ClientSecrets::RegistrationTokenMatches(const ClientRecord& client,
                                             std::string_view presented) const {
  return !presented.empty() && !client.registration_token_hash.empty() &&
         ConstantTimeEquals(Hash(presented), client.registration_token_hash);
}

}  // namespace portico::dcr
