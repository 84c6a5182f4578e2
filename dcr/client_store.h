#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/json.h"
#include "portico/status.h"

namespace portico::dcr {

// One registered OAuth client (RFC 7591) as stored. Secrets and tokens are
// kept only as keyed hashes (hex HMAC-SHA256 under KEY_HASH_SECRET).
struct ClientRecord {
  std::string client_id;  // random, ≥ 128 bits, never reused
  std::string tenant_id;
  Json metadata;  // ClientMetadata::json(): the registered metadata
  // Hex SHA-256 of CanonicalFingerprint(metadata) for deduplicating public
  // clients that re-register on every connect; empty when the client is not
  // deduplicable (confidential clients never are).
  std::string fingerprint;
  std::optional<std::string> secret_hash;      // absent for public clients
  std::optional<TimePoint> secret_expires_at;  // absent: never (client_secret_expires_at 0)
  // The secret a PUT rotation replaced, still accepted until its expiry.
  std::optional<std::string> previous_secret_hash;
  std::optional<TimePoint> previous_secret_expires_at;
  std::string registration_token_hash;
  TimePoint issued_at;  // client_id_issued_at
  TimePoint updated_at;
  int64_t version = 1;     // bumped by every Update
  TimePoint last_used_at;  // registration, management or token request
  // The latest expiry of an access token issued to the client, if any: a
  // client holding live tokens is never pruned.
  std::optional<TimePoint> tokens_live_until;
};

// OAuth clients. One instance belongs to one database session (see
// portico/database.h): not thread-safe, use it inside Database::Run/Transact.
class ClientStore {
 public:
  virtual ~ClientStore() = default;

  // AlreadyExists when the client_id is taken.
  virtual Status Insert(const ClientRecord& client) = 0;
  // NotFound when absent.
  virtual StatusOr<ClientRecord> FindById(std::string_view client_id) = 0;
  // The tenant's oldest client with this fingerprint, or nullopt.
  virtual StatusOr<std::optional<ClientRecord>> FindByFingerprint(std::string_view tenant_id,
                                                                  std::string_view fingerprint) = 0;
  // Replaces every field of the stored client with `client`'s and sets
  // version to expected_version + 1. NotFound when absent;
  // FailedPrecondition when the stored version is not `expected_version`.
  virtual Status Update(const ClientRecord& client, int64_t expected_version) = 0;
  // NotFound when absent.
  virtual Status Delete(std::string_view client_id) = 0;
  virtual StatusOr<int64_t> CountByTenant(std::string_view tenant_id) = 0;
  // Moves last_used_at and tokens_live_until forward (never back): a value
  // older than the stored one leaves it. NotFound when absent.
  virtual Status Touch(std::string_view client_id, TimePoint used_at,
                       std::optional<TimePoint> tokens_live_until) = 0;
  // Deletes up to `limit` clients last used before `unused_before` that hold
  // no live token at `now` (tokens_live_until absent or ≤ now), oldest use
  // first, and returns them as they were (for audit events).
  virtual StatusOr<std::vector<ClientRecord>> DeleteUnused(TimePoint unused_before, TimePoint now,
                                                           size_t limit) = 0;
};

}  // namespace portico::dcr
