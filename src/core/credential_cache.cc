#include "portico/credential_cache.h"

namespace portico {

CredentialCache::CredentialCache(std::chrono::milliseconds ttl, const Clock& clock,
                                 size_t max_entries)
    : ttl_(ttl), clock_(clock), max_entries_(max_entries == 0 ? 1 : max_entries) {}

std::optional<CredentialWithTenant> CredentialCache::Find(std::string_view key_hash) const {
  const TimePoint now = clock_.Now();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.find(std::string(key_hash));
  if (it == entries_.end()) return std::nullopt;
  // A clock set back counts as stale too: the entry is only trusted inside its window.
  if (now < it->second.stored_at || now - it->second.stored_at >= ttl_) return std::nullopt;
  return it->second.found;
}

void CredentialCache::Put(const std::string& key_hash, const CredentialWithTenant& found) {
  const TimePoint now = clock_.Now();
  std::lock_guard<std::mutex> lock(mutex_);
  if (entries_.size() >= max_entries_ && entries_.find(key_hash) == entries_.end()) {
    entries_.clear();
  }
  entries_.insert_or_assign(key_hash, Entry{found, now});
}

void CredentialCache::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.clear();
}

}  // namespace portico
