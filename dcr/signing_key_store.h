#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/status.h"

namespace portico::dcr {

// A key the server signs access tokens with (ES256, RFC 9068). The private
// key is stored sealed (encrypted under a key derived from KEY_HASH_SECRET),
// never in the clear.
struct SigningKeyRecord {
  std::string kid;                 // RFC 7638 thumbprint
  std::string sealed_private_key;  // opaque to the store
  TimePoint created_at;
  // When the key stopped signing (a newer key took over); absent while current.
  std::optional<TimePoint> retired_at;
  // Published at jwks_uri until then (retirement + the longest token lifetime),
  // then deleted.
  std::optional<TimePoint> expires_at;
};

// Token signing keys. Shared by every process on the database. One instance
// belongs to one database session: not thread-safe.
class SigningKeyStore {
 public:
  virtual ~SigningKeyStore() = default;
  // AlreadyExists when the kid is taken.
  virtual Status Insert(const SigningKeyRecord& key) = 0;
  // Every stored key, newest first.
  virtual StatusOr<std::vector<SigningKeyRecord>> List() = 0;
  // Sets retired_at and expires_at on a key that is not retired yet.
  // NotFound when absent; FailedPrecondition when already retired.
  virtual Status Retire(std::string_view kid, TimePoint retired_at, TimePoint expires_at) = 0;
  // Deletes keys whose expires_at is ≤ now; returns how many.
  virtual StatusOr<int64_t> DeleteExpired(TimePoint now) = 0;
};

}  // namespace portico::dcr
