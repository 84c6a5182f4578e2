#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "portico/clock.h"
#include "portico/credential.h"

namespace portico {

// Remembers credentials that verified (with their tenant) for a short time,
// keyed by the credential's keyed hash, so that a client sending the same key
// on every request costs one database lookup per `ttl` instead of one per
// request (an IdP pushing users sends thousands a minute). Only successful
// lookups are kept; expiry is still checked on every use by the caller.
// What it trades: a credential revoked or a tenant suspended by ANOTHER
// process is honoured here for at most `ttl`; this process forgets at once
// (CredentialIssuer::ForgetCached, called wherever it revokes). Bounded:
// full, it starts over empty. Thread-safe.
class CredentialCache {
 public:
  CredentialCache(std::chrono::milliseconds ttl, const Clock& clock, size_t max_entries = 10000);

  std::optional<CredentialWithTenant> Find(std::string_view key_hash) const;
  void Put(const std::string& key_hash, const CredentialWithTenant& found);
  void Clear();

 private:
  struct Entry {
    CredentialWithTenant found;
    TimePoint stored_at;
  };

  const std::chrono::milliseconds ttl_;
  const Clock& clock_;
  const size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace portico
