#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "dcr/client_store.h"
#include "dcr/revoked_token_store.h"
#include "dcr/signing_key_store.h"
#include "portico/clock.h"
#include "portico/json.h"
#include "portico/rate_limit.h"
#include "portico/status.h"
#include "portico/tenant_settings.h"

namespace portico::testing {

// Everything the in-memory OAuth-side stores hold (clients, signing keys,
// revoked tokens, tenant settings, rate-limit counters); a plain value, so
// InMemoryDatabase can snapshot and restore it with the rest of its state.
struct InMemoryOAuthState {
  struct RevokedToken {
    std::string client_id;
    TimePoint expires_at;
  };
  struct RateCounter {
    TimePoint window_end;
    int64_t hits = 0;
  };
  std::map<std::string, dcr::ClientRecord> clients;                      // by client_id
  std::map<std::string, dcr::SigningKeyRecord> signing_keys;             // by kid
  std::map<std::string, RevokedToken> revoked_tokens;                    // by jti
  std::map<std::pair<std::string, std::string>, Json> tenant_settings;   // (tenant, name)
  std::map<std::pair<std::string, TimePoint>, RateCounter> rate_limits;  // (bucket, start)
};

// What entering one store call yields: a held lock (or none, inside a
// transaction that holds it already) and a status (non-OK: fail the call).
struct OAuthStoreCall {
  std::unique_lock<std::mutex> lock;
  Status status;
};

// The hooks the stores below work through: `enter` locks, counts and injects
// failures for one call named like "clients.Insert"; `tenant_exists` says
// whether a tenant id exists (called with the call's lock held), standing in
// for the foreign keys of the SQL schema.
struct OAuthStoreHooks {
  std::function<OAuthStoreCall(const char* operation)> enter;
  std::function<bool(std::string_view tenant_id)> tenant_exists;
};

// dcr::ClientStore in memory, with the semantics of db/SociClientStore:
// FailedPrecondition when the client's tenant does not exist (the foreign key).
class InMemoryClientStore : public dcr::ClientStore {
 public:
  InMemoryClientStore(InMemoryOAuthState& state, OAuthStoreHooks hooks)
      : state_(state), hooks_(std::move(hooks)) {}

  Status Insert(const dcr::ClientRecord& client) override {
    OAuthStoreCall call = hooks_.enter("clients.Insert");
    if (!call.status.ok()) return call.status;
    if (state_.clients.count(client.client_id) > 0) {
      return AlreadyExists("a client with this client_id already exists");
    }
    if (!hooks_.tenant_exists(client.tenant_id)) {
      return FailedPrecondition("referenced record does not exist");
    }
    dcr::ClientRecord stored = client;
    state_.clients[client.client_id] = std::move(stored);
    return Status::Ok();
  }

  StatusOr<dcr::ClientRecord> FindById(std::string_view client_id) override {
    OAuthStoreCall call = hooks_.enter("clients.FindById");
    if (!call.status.ok()) return call.status;
    auto it = state_.clients.find(std::string(client_id));
    if (it == state_.clients.end()) return NotFound("client not found");
    return it->second;
  }

  StatusOr<std::optional<dcr::ClientRecord>> FindByFingerprint(
      std::string_view tenant_id, std::string_view fingerprint) override {
    OAuthStoreCall call = hooks_.enter("clients.FindByFingerprint");
    if (!call.status.ok()) return call.status;
    std::optional<dcr::ClientRecord> best;
    if (fingerprint.empty()) return best;  // not deduplicable: never matches
    for (const auto& [id, c] : state_.clients) {
      if (c.tenant_id != tenant_id || c.fingerprint != fingerprint) continue;
      if (!best ||
          std::tie(c.issued_at, c.client_id) < std::tie(best->issued_at, best->client_id)) {
        best = c;
      }
    }
    return best;
  }

  Status Update(const dcr::ClientRecord& client, int64_t expected_version) override {
    OAuthStoreCall call = hooks_.enter("clients.Update");
    if (!call.status.ok()) return call.status;
    auto it = state_.clients.find(client.client_id);
    if (it == state_.clients.end()) return NotFound("client not found");
    if (it->second.version != expected_version) {
      return FailedPrecondition("the client was changed concurrently; read it again");
    }
    if (!hooks_.tenant_exists(client.tenant_id)) {
      return FailedPrecondition("referenced record does not exist");
    }
    it->second = client;
    it->second.version = expected_version + 1;
    return Status::Ok();
  }

  Status Delete(std::string_view client_id) override {
    OAuthStoreCall call = hooks_.enter("clients.Delete");
    if (!call.status.ok()) return call.status;
    if (state_.clients.erase(std::string(client_id)) == 0) return NotFound("client not found");
    return Status::Ok();
  }

  StatusOr<int64_t> CountByTenant(std::string_view tenant_id) override {
    OAuthStoreCall call = hooks_.enter("clients.CountByTenant");
    if (!call.status.ok()) return call.status;
    int64_t n = 0;
    for (const auto& [id, c] : state_.clients) {
      if (c.tenant_id == tenant_id) ++n;
    }
    return n;
  }

  Status Touch(std::string_view client_id, TimePoint used_at,
               std::optional<TimePoint> tokens_live_until) override {
    OAuthStoreCall call = hooks_.enter("clients.Touch");
    if (!call.status.ok()) return call.status;
    auto it = state_.clients.find(std::string(client_id));
    if (it == state_.clients.end()) return NotFound("client not found");
    dcr::ClientRecord& c = it->second;
    c.last_used_at = std::max(c.last_used_at, used_at);
    if (tokens_live_until && (!c.tokens_live_until || *tokens_live_until > *c.tokens_live_until)) {
      c.tokens_live_until = tokens_live_until;
    }
    return Status::Ok();
  }

  StatusOr<std::vector<dcr::ClientRecord>> DeleteUnused(TimePoint unused_before, TimePoint now,
                                                        size_t limit) override {
    OAuthStoreCall call = hooks_.enter("clients.DeleteUnused");
    if (!call.status.ok()) return call.status;
    std::vector<dcr::ClientRecord> unused;
    for (const auto& [id, c] : state_.clients) {
      if (c.last_used_at >= unused_before) continue;
      if (c.tokens_live_until && *c.tokens_live_until > now) continue;
      unused.push_back(c);
    }
    std::sort(unused.begin(), unused.end(), [](const auto& a, const auto& b) {
      return std::tie(a.last_used_at, a.client_id) < std::tie(b.last_used_at, b.client_id);
    });
    if (unused.size() > limit) unused.resize(limit);
    for (const dcr::ClientRecord& c : unused) state_.clients.erase(c.client_id);
    return unused;
  }

 private:
  InMemoryOAuthState& state_;
  OAuthStoreHooks hooks_;
};

// dcr::SigningKeyStore in memory.
class InMemorySigningKeyStore : public dcr::SigningKeyStore {
 public:
  InMemorySigningKeyStore(InMemoryOAuthState& state, OAuthStoreHooks hooks)
      : state_(state), hooks_(std::move(hooks)) {}

  Status Insert(const dcr::SigningKeyRecord& key) override {
    OAuthStoreCall call = hooks_.enter("signing_keys.Insert");
    if (!call.status.ok()) return call.status;
    if (!state_.signing_keys.emplace(key.kid, key).second) {
      return AlreadyExists("a signing key with this kid already exists");
    }
    return Status::Ok();
  }

  StatusOr<std::vector<dcr::SigningKeyRecord>> List() override {
    OAuthStoreCall call = hooks_.enter("signing_keys.List");
    if (!call.status.ok()) return call.status;
    std::vector<dcr::SigningKeyRecord> out;
    for (const auto& [kid, k] : state_.signing_keys) out.push_back(k);
    // Newest first; the kid breaks ties, descending like the SQL store.
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::tie(a.created_at, a.kid) > std::tie(b.created_at, b.kid);
    });
    return out;
  }

  Status Retire(std::string_view kid, TimePoint retired_at, TimePoint expires_at) override {
    OAuthStoreCall call = hooks_.enter("signing_keys.Retire");
    if (!call.status.ok()) return call.status;
    auto it = state_.signing_keys.find(std::string(kid));
    if (it == state_.signing_keys.end()) return NotFound("signing key not found");
    if (it->second.retired_at) return FailedPrecondition("signing key already retired");
    it->second.retired_at = retired_at;
    it->second.expires_at = expires_at;
    return Status::Ok();
  }

  StatusOr<int64_t> DeleteExpired(TimePoint now) override {
    OAuthStoreCall call = hooks_.enter("signing_keys.DeleteExpired");
    if (!call.status.ok()) return call.status;
    return static_cast<int64_t>(std::erase_if(state_.signing_keys, [&](const auto& entry) {
      return entry.second.expires_at && *entry.second.expires_at <= now;
    }));
  }

 private:
  InMemoryOAuthState& state_;
  OAuthStoreHooks hooks_;
};

// dcr::RevokedTokenStore in memory. A repeated Revoke keeps the first row.
class InMemoryRevokedTokenStore : public dcr::RevokedTokenStore {
 public:
  InMemoryRevokedTokenStore(InMemoryOAuthState& state, OAuthStoreHooks hooks)
      : state_(state), hooks_(std::move(hooks)) {}

  Status Revoke(std::string_view jti, std::string_view client_id,
                TimePoint token_expires_at) override {
    OAuthStoreCall call = hooks_.enter("revoked_tokens.Revoke");
    if (!call.status.ok()) return call.status;
    state_.revoked_tokens.emplace(std::string(jti), InMemoryOAuthState::RevokedToken{
                                                        std::string(client_id), token_expires_at});
    return Status::Ok();
  }

  StatusOr<bool> RecordOnce(std::string_view jti, std::string_view client_id,
                            TimePoint expires_at) override {
    OAuthStoreCall call = hooks_.enter("revoked_tokens.RecordOnce");
    if (!call.status.ok()) return call.status;
    return state_.revoked_tokens
        .emplace(std::string(jti),
                 InMemoryOAuthState::RevokedToken{std::string(client_id), expires_at})
        .second;
  }

  StatusOr<bool> IsRevoked(std::string_view jti) override {
    OAuthStoreCall call = hooks_.enter("revoked_tokens.IsRevoked");
    if (!call.status.ok()) return call.status;
    return state_.revoked_tokens.count(std::string(jti)) > 0;
  }

  StatusOr<int64_t> DeleteExpired(TimePoint now) override {
    OAuthStoreCall call = hooks_.enter("revoked_tokens.DeleteExpired");
    if (!call.status.ok()) return call.status;
    return static_cast<int64_t>(std::erase_if(
        state_.revoked_tokens, [&](const auto& entry) { return entry.second.expires_at <= now; }));
  }

 private:
  InMemoryOAuthState& state_;
  OAuthStoreHooks hooks_;
};

// TenantSettingsStore in memory: NotFound from Put for a tenant that
// `tenant_exists` denies.
class InMemoryTenantSettingsStore : public TenantSettingsStore {
 public:
  InMemoryTenantSettingsStore(InMemoryOAuthState& state, OAuthStoreHooks hooks)
      : state_(state), hooks_(std::move(hooks)) {}

  StatusOr<std::optional<Json>> Get(std::string_view tenant_id, std::string_view name) override {
    OAuthStoreCall call = hooks_.enter("tenant_settings.Get");
    if (!call.status.ok()) return call.status;
    auto it = state_.tenant_settings.find({std::string(tenant_id), std::string(name)});
    if (it == state_.tenant_settings.end()) return std::optional<Json>();
    return std::optional<Json>(it->second);
  }

  Status Put(std::string_view tenant_id, std::string_view name, const Json& value) override {
    OAuthStoreCall call = hooks_.enter("tenant_settings.Put");
    if (!call.status.ok()) return call.status;
    if (!hooks_.tenant_exists(tenant_id)) return NotFound("tenant not found");
    state_.tenant_settings[{std::string(tenant_id), std::string(name)}] = value;
    return Status::Ok();
  }

  StatusOr<std::vector<std::pair<std::string, Json>>> ListByName(std::string_view name) override {
    OAuthStoreCall call = hooks_.enter("tenant_settings.ListByName");
    if (!call.status.ok()) return call.status;
    std::vector<std::pair<std::string, Json>> out;
    for (const auto& [key, value] : state_.tenant_settings) {
      if (key.second == name && hooks_.tenant_exists(key.first)) out.emplace_back(key.first, value);
    }
    return out;
  }

 private:
  InMemoryOAuthState& state_;
  OAuthStoreHooks hooks_;
};

// RateLimitStore in memory; each Hit is atomic under the call's lock.
class InMemoryRateLimitStore : public RateLimitStore {
 public:
  InMemoryRateLimitStore(InMemoryOAuthState& state, OAuthStoreHooks hooks)
      : state_(state), hooks_(std::move(hooks)) {}

  StatusOr<int64_t> Hit(std::string_view bucket, TimePoint window_start,
                        TimePoint window_end) override {
    OAuthStoreCall call = hooks_.enter("rate_limits.Hit");
    if (!call.status.ok()) return call.status;
    auto [it, inserted] = state_.rate_limits.try_emplace(
        {std::string(bucket), window_start}, InMemoryOAuthState::RateCounter{window_end});
    return ++it->second.hits;
  }

  StatusOr<int64_t> DeleteEnded(TimePoint now) override {
    OAuthStoreCall call = hooks_.enter("rate_limits.DeleteEnded");
    if (!call.status.ok()) return call.status;
    return static_cast<int64_t>(std::erase_if(
        state_.rate_limits, [&](const auto& entry) { return entry.second.window_end <= now; }));
  }

 private:
  InMemoryOAuthState& state_;
  OAuthStoreHooks hooks_;
};

// The five stores over one state of their own, for tests that need no
// InMemoryDatabase (e.g. CheckRateLimit's). Thread-safe: each call takes the
// one lock. Every tenant exists unless `tenant_exists` says otherwise.
// FailOperation("rate_limits.Hit") makes that method return Unavailable.
class InMemoryOAuthStores {
 public:
  InMemoryOAuthStores()
      : clients_(state_, Hooks()),
        signing_keys_(state_, Hooks()),
        revoked_tokens_(state_, Hooks()),
        tenant_settings_(state_, Hooks()),
        rate_limits_(state_, Hooks()) {}
  InMemoryOAuthStores(const InMemoryOAuthStores&) = delete;
  InMemoryOAuthStores& operator=(const InMemoryOAuthStores&) = delete;

  dcr::ClientStore& clients() { return clients_; }
  dcr::SigningKeyStore& signing_keys() { return signing_keys_; }
  dcr::RevokedTokenStore& revoked_tokens() { return revoked_tokens_; }
  TenantSettingsStore& tenant_settings() { return tenant_settings_; }
  RateLimitStore& rate_limits() { return rate_limits_; }

  // Which tenant ids exist (default: all). Set before use.
  void SetTenantExists(std::function<bool(std::string_view)> tenant_exists) {
    std::lock_guard lock(mu_);
    tenant_exists_ = std::move(tenant_exists);
  }
  void FailOperation(std::string name) {
    std::lock_guard lock(mu_);
    failing_operation_ = std::move(name);
  }
  InMemoryOAuthState Snapshot() {
    std::lock_guard lock(mu_);
    return state_;
  }

 private:
  OAuthStoreHooks Hooks() {
    return OAuthStoreHooks{[this](const char* name) {
                             OAuthStoreCall call{std::unique_lock(mu_), Status()};
                             if (failing_operation_ == name) {
                               call.status =
                                   Unavailable("database unavailable (InMemoryOAuthStores)");
                             }
                             return call;
                           },
                           [this](std::string_view tenant_id) {
                             return !tenant_exists_ || tenant_exists_(tenant_id);
                           }};
  }

  std::mutex mu_;
  InMemoryOAuthState state_;
  std::function<bool(std::string_view)> tenant_exists_;
  std::string failing_operation_;
  InMemoryClientStore clients_;
  InMemorySigningKeyStore signing_keys_;
  InMemoryRevokedTokenStore revoked_tokens_;
  InMemoryTenantSettingsStore tenant_settings_;
  InMemoryRateLimitStore rate_limits_;
};

}  // namespace portico::testing
