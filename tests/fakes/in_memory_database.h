#pragma once

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "portico/database.h"
#include "tests/fakes/in_memory_account_store.h"
#include "tests/fakes/in_memory_directory_store.h"
#include "tests/fakes/in_memory_oauth_stores.h"
#include "tests/fakes/in_memory_signup_session_store.h"
#include "tests/fakes/in_memory_webhook_store.h"

namespace portico::testing {

// A Database kept in memory, with the semantics the store headers document,
// for service tests. Thread-safe.
//
// Isolation: Transact holds the database's one write lock for its whole
// callback (like SQLite's BEGIN IMMEDIATE); it snapshots all state first and
// restores the snapshot when the callback returns non-OK or throws. Run takes
// the lock per store call, so concurrent Run callers interleave between calls
// exactly as they would on separate sessions — each call is atomic, as the
// real stores' single conditional statements are. Calling Run or Transact on
// the same database from inside a Transact callback deadlocks (as waiting
// for a lock you hold would on a real database): don't.
//
// Failure injection: SetUnavailable(true) makes every call (Run, Transact,
// Ping and every store method) return Unavailable; FailOperation("outbox.Enqueue")
// makes just that store method return Unavailable, to fail a transaction
// half-way. Directory methods are named "directory.InsertUser" and so on; the
// directory is an InMemoryDirectoryStore over State::directory. The OAuth-side
// stores (tests/fakes/in_memory_oauth_stores.h) work on State::oauth and are
// named "clients.Insert", "signing_keys.Retire", "revoked_tokens.IsRevoked",
// "tenant_settings.Put", "rate_limits.Hit" and so on; like the SQL schema's
// foreign keys, clients and tenant settings need their tenant to exist. Signup
// sessions (tests/fakes/in_memory_signup_session_store.h) work on
// State::signup, named "signup_sessions.Insert" and so on. Accounts
// (tests/fakes/in_memory_account_store.h) are State::directory's users plus
// State::accounts, named "accounts.InsertUser" and so on. Webhook endpoints
// (tests/fakes/in_memory_webhook_store.h) are State::webhooks, named
// "webhooks.Insert" and so on.
class InMemoryDatabase : public Database {
 public:
  // Everything the database holds; public so tests can inspect it.
  struct State {
    std::vector<Tenant> tenants;          // insertion order
    std::map<std::string, TimePoint> first_api_call_at;  // by tenant id
    std::vector<Credential> credentials;  // insertion order
    std::vector<OtpRecord> otps;
    std::map<int64_t, OutboxMessage> outbox;  // by id (= age order)
    int64_t next_outbox_id = 1;
    InMemoryDirectoryState directory;  // SCIM users, groups, memberships
    // OAuth clients, signing keys, revoked tokens, tenant settings, rate limits.
    InMemoryOAuthState oauth;
    // Signup sessions (tests/fakes/in_memory_signup_session_store.h).
    InMemorySignupState signup;
    // Email verification times and organizations; the accounts themselves are
    // directory.users (tests/fakes/in_memory_account_store.h).
    InMemoryAccountState accounts;
    // Webhook endpoints (tests/fakes/in_memory_webhook_store.h).
    InMemoryWebhookState webhooks;
  };

  Status Run(const Work& work) override {
    if (unavailable_) return Down();
    StoresImpl stores(*this, /*in_transaction=*/false);
    try {
      return work(stores);
    } catch (const std::exception& e) {
      return Internal("work threw").WithInternal(e.what());
    }
  }

  Status Transact(const Work& work) override {
    if (unavailable_) return Down();
    std::lock_guard lock(mu_);
    const State snapshot = state_;
    StoresImpl stores(*this, /*in_transaction=*/true);
    Status result;
    try {
      result = work(stores);
    } catch (const std::exception& e) {
      result = Internal("work threw").WithInternal(e.what());
    }
    if (!result.ok()) state_ = snapshot;  // roll back
    return result;
  }

  Status Ping() override { return unavailable_ ? Down() : Status::Ok(); }

  void SetUnavailable(bool unavailable) { unavailable_ = unavailable; }
  // Makes the named store method ("tenants.Insert", "credentials.FindByHash",
  // "otps.Consume", "outbox.Claim", …) return Unavailable; "" clears it.
  void FailOperation(std::string name) {
    std::lock_guard lock(mu_);
    failing_operation_ = std::move(name);
  }

  // How often a store method (same names as above) has been called.
  int CallCount(std::string_view name) const {
    std::lock_guard lock(mu_);
    auto it = calls_.find(std::string(name));
    return it == calls_.end() ? 0 : it->second;
  }
  int TotalCalls() const {
    std::lock_guard lock(mu_);
    int total = 0;
    for (const auto& [name, n] : calls_) total += n;
    return total;
  }

  // A copy of everything, for assertions.
  State Snapshot() const {
    std::lock_guard lock(mu_);
    return state_;
  }

  // Edits state directly, for arranging cases no store method produces
  // (e.g. a suspended tenant). Not for use inside Transact.
  template <typename Edit>
  void MutableStateForTest(Edit edit) {
    std::lock_guard lock(mu_);
    edit(state_);
  }

 private:
  static Status Down() { return Unavailable("database unavailable (InMemoryDatabase)"); }

  static std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }

  // Locks for one store call (outside a transaction; inside one the
  // transaction already holds the lock), counts it and applies failure
  // injection.
  class Call {
   public:
    Call(InMemoryDatabase& db, bool in_transaction, const char* name) : db_(db) {
      if (!in_transaction) lock_ = std::unique_lock(db_.mu_);
      ++db_.calls_[name];
      if (db_.unavailable_ || db_.failing_operation_ == name) status_ = Down();
    }
    const Status& status() const { return status_; }
    State& state() { return db_.state_; }

   private:
    InMemoryDatabase& db_;
    std::unique_lock<std::mutex> lock_;
    Status status_;
  };

  class Tenants : public TenantStore {
   public:
    Tenants(InMemoryDatabase& db, bool tx) : db_(db), tx_(tx) {}
    Status Insert(const Tenant& tenant) override {
      Call call(db_, tx_, "tenants.Insert");
      if (!call.status().ok()) return call.status();
      for (const Tenant& t : call.state().tenants) {
        if (t.id == tenant.id) return AlreadyExists("tenant id exists");
        if (Lower(t.slug) == Lower(tenant.slug)) return AlreadyExists("tenant slug exists");
      }
      call.state().tenants.push_back(tenant);
      return Status::Ok();
    }
    StatusOr<Tenant> FindById(std::string_view id) override {
      Call call(db_, tx_, "tenants.FindById");
      if (!call.status().ok()) return call.status();
      for (const Tenant& t : call.state().tenants) {
        if (t.id == id) return t;
      }
      return NotFound("no such tenant");
    }
    StatusOr<Tenant> FindBySlug(std::string_view slug) override {
      Call call(db_, tx_, "tenants.FindBySlug");
      if (!call.status().ok()) return call.status();
      for (const Tenant& t : call.state().tenants) {
        if (Lower(t.slug) == Lower(slug)) return t;
      }
      return NotFound("no such tenant");
    }
    StatusOr<std::optional<TimePoint>> MarkFirstApiCall(std::string_view tenant_id,
                                                        TimePoint at) override {
      Call call(db_, tx_, "tenants.MarkFirstApiCall");
      if (!call.status().ok()) return call.status();
      for (const Tenant& t : call.state().tenants) {
        if (t.id != tenant_id) continue;
        if (!call.state().first_api_call_at.emplace(t.id, at).second) break;
        return std::optional<TimePoint>(t.created_at);
      }
      return std::optional<TimePoint>();
    }

   private:
    InMemoryDatabase& db_;
    bool tx_;
  };

  class Credentials : public CredentialStore {
   public:
    Credentials(InMemoryDatabase& db, bool tx) : db_(db), tx_(tx) {}
    Status Insert(const Credential& credential) override {
      Call call(db_, tx_, "credentials.Insert");
      if (!call.status().ok()) return call.status();
      for (const Credential& c : call.state().credentials) {
        if (c.id == credential.id) return AlreadyExists("credential id exists");
        if (c.key_hash == credential.key_hash) return AlreadyExists("credential hash exists");
      }
      call.state().credentials.push_back(credential);
      return Status::Ok();
    }
    StatusOr<Credential> FindByHash(std::string_view key_hash) override {
      Call call(db_, tx_, "credentials.FindByHash");
      if (!call.status().ok()) return call.status();
      for (const Credential& c : call.state().credentials) {
        if (c.key_hash == key_hash) return c;
      }
      return NotFound("no such credential");
    }
    StatusOr<CredentialWithTenant> FindByHashWithTenant(std::string_view key_hash) override {
      Call call(db_, tx_, "credentials.FindByHashWithTenant");
      if (!call.status().ok()) return call.status();
      for (const Credential& c : call.state().credentials) {
        if (c.key_hash != key_hash) continue;
        for (const Tenant& t : call.state().tenants) {
          if (t.id == c.tenant_id) return CredentialWithTenant{c, t};
        }
      }
      return NotFound("no such credential");
    }
    Status Revoke(std::string_view id, TimePoint at) override {
      Call call(db_, tx_, "credentials.Revoke");
      if (!call.status().ok()) return call.status();
      for (Credential& c : call.state().credentials) {
        if (c.id == id) {
          if (!c.revoked_at) c.revoked_at = at;
          return Status::Ok();
        }
      }
      return NotFound("no such credential");
    }
    StatusOr<std::vector<Credential>> ListByTenant(std::string_view tenant_id) override {
      Call call(db_, tx_, "credentials.ListByTenant");
      if (!call.status().ok()) return call.status();
      std::vector<Credential> out;
      for (const Credential& c : call.state().credentials) {
        if (c.tenant_id == tenant_id) out.push_back(c);
      }
      std::stable_sort(out.begin(), out.end(), [](const Credential& a, const Credential& b) {
        return a.created_at < b.created_at;
      });
      return out;
    }

   private:
    InMemoryDatabase& db_;
    bool tx_;
  };

  class Otps : public OtpStore {
   public:
    Otps(InMemoryDatabase& db, bool tx) : db_(db), tx_(tx) {}
    Status Put(const OtpRecord& record) override {
      Call call(db_, tx_, "otps.Put");
      if (!call.status().ok()) return call.status();
      auto& otps = call.state().otps;
      std::erase_if(otps, [&](const OtpRecord& r) {
        return (r.purpose == record.purpose && r.subject == record.subject) || r.id == record.id;
      });
      otps.push_back(record);
      return Status::Ok();
    }
    StatusOr<OtpRecord> Find(std::string_view purpose, std::string_view subject) override {
      Call call(db_, tx_, "otps.Find");
      if (!call.status().ok()) return call.status();
      for (const OtpRecord& r : call.state().otps) {
        if (r.purpose == purpose && r.subject == subject) return r;
      }
      return NotFound("no code");
    }
    StatusOr<int> AddFailedAttempt(std::string_view id, int max_attempts) override {
      Call call(db_, tx_, "otps.AddFailedAttempt");
      if (!call.status().ok()) return call.status();
      for (OtpRecord& r : call.state().otps) {
        if (r.id != id) continue;
        if (r.consumed_at || r.attempts >= max_attempts) {
          return FailedPrecondition("code consumed or locked");
        }
        return ++r.attempts;
      }
      return NotFound("no such code");
    }
    StatusOr<bool> Consume(std::string_view id, int max_attempts, TimePoint now) override {
      Call call(db_, tx_, "otps.Consume");
      if (!call.status().ok()) return call.status();
      for (OtpRecord& r : call.state().otps) {
        if (r.id != id) continue;
        if (r.consumed_at || r.attempts >= max_attempts || now >= r.expires_at) return false;
        r.consumed_at = now;
        return true;
      }
      return false;
    }

   private:
    InMemoryDatabase& db_;
    bool tx_;
  };

  class Outbox : public OutboxStore {
   public:
    Outbox(InMemoryDatabase& db, bool tx) : db_(db), tx_(tx) {}
    StatusOr<int64_t> Enqueue(std::string_view topic, std::string_view payload,
                              TimePoint now) override {
      Call call(db_, tx_, "outbox.Enqueue");
      if (!call.status().ok()) return call.status();
      OutboxMessage m;
      m.id = call.state().next_outbox_id++;
      m.topic = std::string(topic);
      m.payload = std::string(payload);
      m.next_attempt_at = now;
      m.created_at = now;
      call.state().outbox.emplace(m.id, m);
      return m.id;
    }
    StatusOr<std::vector<OutboxMessage>> Claim(TimePoint now, int limit,
                                               TimePoint lease_until) override {
      Call call(db_, tx_, "outbox.Claim");
      if (!call.status().ok()) return call.status();
      // Longest due first: next_attempt_at, then id.
      std::vector<OutboxMessage*> due;
      for (auto& [id, m] : call.state().outbox) {
        if (!m.delivered_at && !m.dead && m.next_attempt_at <= now) due.push_back(&m);
      }
      std::sort(due.begin(), due.end(), [](const OutboxMessage* a, const OutboxMessage* b) {
        return std::tie(a->next_attempt_at, a->id) < std::tie(b->next_attempt_at, b->id);
      });
      std::vector<OutboxMessage> out;
      for (OutboxMessage* m : due) {
        if (static_cast<int>(out.size()) >= limit) break;
        m->next_attempt_at = lease_until;
        out.push_back(*m);
      }
      return out;
    }
    Status MarkDelivered(int64_t id, int attempts, TimePoint at) override {
      Call call(db_, tx_, "outbox.MarkDelivered");
      if (!call.status().ok()) return call.status();
      auto it = call.state().outbox.find(id);
      if (it == call.state().outbox.end()) return NotFound("no such message");
      it->second.attempts = attempts;
      it->second.delivered_at = at;
      return Status::Ok();
    }
    Status MarkFailed(int64_t id, int attempts, TimePoint next_attempt_at, std::string_view error,
                      bool dead) override {
      Call call(db_, tx_, "outbox.MarkFailed");
      if (!call.status().ok()) return call.status();
      auto it = call.state().outbox.find(id);
      if (it == call.state().outbox.end()) return NotFound("no such message");
      it->second.attempts = attempts;
      it->second.next_attempt_at = next_attempt_at;
      it->second.last_error = std::string(error);
      it->second.dead = dead;
      return Status::Ok();
    }
    StatusOr<int64_t> DeleteFinished(TimePoint delivered_before, TimePoint dead_before,
                                     int limit) override {
      Call call(db_, tx_, "outbox.DeleteFinished");
      if (!call.status().ok()) return call.status();
      int64_t deleted = 0;
      auto& outbox = call.state().outbox;  // ordered by id, as the SQL deletes
      // The newest message stays, as in the SQL (its id keeps ids from repeating).
      const int64_t newest = outbox.empty() ? 0 : outbox.rbegin()->first;
      for (auto it = outbox.begin(); it != outbox.end() && deleted < limit && it->first < newest;) {
        const OutboxMessage& m = it->second;
        const bool finished = (m.delivered_at && *m.delivered_at < delivered_before) ||
                              (!m.delivered_at && m.dead && m.created_at < dead_before);
        if (finished) {
          it = outbox.erase(it);
          ++deleted;
        } else {
          ++it;
        }
      }
      return deleted;
    }
    StatusOr<OutboxMessage> Get(int64_t id) override {
      Call call(db_, tx_, "outbox.Get");
      if (!call.status().ok()) return call.status();
      auto it = call.state().outbox.find(id);
      if (it == call.state().outbox.end()) return NotFound("no such message");
      return it->second;
    }
    StatusOr<int64_t> CountPending() override {
      Call call(db_, tx_, "outbox.CountPending");
      if (!call.status().ok()) return call.status();
      int64_t n = 0;
      for (const auto& [id, m] : call.state().outbox) {
        if (!m.delivered_at && !m.dead) ++n;
      }
      return n;
    }
    StatusOr<int64_t> CountDead() override {
      Call call(db_, tx_, "outbox.CountDead");
      if (!call.status().ok()) return call.status();
      int64_t n = 0;
      for (const auto& [id, m] : call.state().outbox) {
        if (!m.delivered_at && m.dead) ++n;
      }
      return n;
    }

   private:
    InMemoryDatabase& db_;
    bool tx_;
  };

  class StoresImpl : public Stores {
   public:
    StoresImpl(InMemoryDatabase& db, bool tx)
        : tenants_(db, tx),
          credentials_(db, tx),
          otps_(db, tx),
          outbox_(db, tx),
          directory_(db.state_.directory,
                     [&db, tx](const char* name) {
                       // As Call: the lock per call outside a transaction, counting, failure
                       // injection.
                       DirectoryCall call;
                       if (!tx) call.lock = std::unique_lock(db.mu_);
                       ++db.calls_[name];
                       if (db.unavailable_ || db.failing_operation_ == name) call.status = Down();
                       return call;
                     }),
          clients_(db.state_.oauth, OAuthHooks(db, tx)),
          signing_keys_(db.state_.oauth, OAuthHooks(db, tx)),
          revoked_tokens_(db.state_.oauth, OAuthHooks(db, tx)),
          tenant_settings_(db.state_.oauth, OAuthHooks(db, tx)),
          rate_limits_(db.state_.oauth, OAuthHooks(db, tx)),
          signup_sessions_(db.state_.signup, OAuthHooks(db, tx), &db.state_.otps),
          accounts_(db.state_.directory, db.state_.accounts, OAuthHooks(db, tx)),
          webhooks_(db.state_.webhooks, OAuthHooks(db, tx)) {}
    TenantStore& tenants() override { return tenants_; }
    CredentialStore& credentials() override { return credentials_; }
    OtpStore& otps() override { return otps_; }
    OutboxStore& outbox() override { return outbox_; }
    scim::DirectoryStore& directory() override { return directory_; }
    TenantSettingsStore& tenant_settings() override { return tenant_settings_; }
    RateLimitStore& rate_limits() override { return rate_limits_; }
    dcr::ClientStore& clients() override { return clients_; }
    dcr::SigningKeyStore& signing_keys() override { return signing_keys_; }
    dcr::RevokedTokenStore& revoked_tokens() override { return revoked_tokens_; }
    signup::SignupSessionStore& signup_sessions() override { return signup_sessions_; }
    AccountStore& accounts() override { return accounts_; }
    WebhookStore& webhooks() override { return webhooks_; }

   private:
    // As Call: the lock per call outside a transaction, counting, failure
    // injection; tenants are looked up under that lock.
    static OAuthStoreHooks OAuthHooks(InMemoryDatabase& db, bool tx) {
      return OAuthStoreHooks{[&db, tx](const char* name) {
                               OAuthStoreCall call;
                               if (!tx) call.lock = std::unique_lock(db.mu_);
                               ++db.calls_[name];
                               if (db.unavailable_ || db.failing_operation_ == name)
                                 call.status = Down();
                               return call;
                             },
                             [&db](std::string_view tenant_id) {
                               return std::any_of(
                                   db.state_.tenants.begin(), db.state_.tenants.end(),
                                   [&](const Tenant& t) { return t.id == tenant_id; });
                             }};
    }

    Tenants tenants_;
    Credentials credentials_;
    Otps otps_;
    Outbox outbox_;
    InMemoryDirectoryStore directory_;
    InMemoryClientStore clients_;
    InMemorySigningKeyStore signing_keys_;
    InMemoryRevokedTokenStore revoked_tokens_;
    InMemoryTenantSettingsStore tenant_settings_;
    InMemoryRateLimitStore rate_limits_;
    InMemorySignupSessionStore signup_sessions_;
    InMemoryAccountStore accounts_;
    InMemoryWebhookStore webhooks_;
  };

  mutable std::mutex mu_;
  State state_;
  std::atomic<bool> unavailable_{false};
  std::string failing_operation_;
  std::map<std::string, int> calls_;
};

}  // namespace portico::testing
