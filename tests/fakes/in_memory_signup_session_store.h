#pragma once

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portico/clock.h"
#include "portico/otp.h"
#include "portico/status.h"
#include "signup/session/signup_session_store.h"
#include "tests/fakes/in_memory_oauth_stores.h"

namespace portico::testing {

// What the in-memory signup session store holds; a plain value, so
// InMemoryDatabase can snapshot and restore it with the rest of its state.
struct InMemorySignupState {
  struct Row {
    signup::SignupSession session;
    std::optional<std::string> slug_hold;  // lowercased slug while held (the SQL column)
  };
  std::map<std::string, Row> sessions;  // by id
  // Provisioning's idempotency records by (session id, key hash) and consent
  // records by session id.
  std::map<std::pair<std::string, std::string>, signup::IdempotencyRecord> idempotency;
  std::map<std::string, signup::ConsentRecord> consents;
};

// SignupSessionStore in memory, with the SQL store's semantics (a slug_hold
// unique among rows, released as the SQL statements release it). Each call is
// atomic under the hooks' lock. Operations are named "signup_sessions.Insert"
// and so on for counting and failure injection.
class InMemorySignupSessionStore : public signup::SignupSessionStore {
 public:
  // `otps`, when given, are the database's one-time codes, from which
  // DeleteEndedSessions removes a deleted session's code as the SQL store does.
  InMemorySignupSessionStore(InMemorySignupState& state, OAuthStoreHooks hooks,
                             std::vector<OtpRecord>* otps = nullptr)
      : state_(state), hooks_(std::move(hooks)), otps_(otps) {}

  Status Insert(const signup::SignupSession& session) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.Insert");
    if (!call.status.ok()) return call.status;
    const std::string key = Lower(session.slug);
    for (auto& [id, row] : state_.sessions) {
      if (row.slug_hold == key && !signup::HoldsSlug(row.session, session.created_at)) {
        row.slug_hold.reset();
      }
    }
    if (state_.sessions.count(session.id) != 0) {
      return AlreadyExists("another signup session holds this slug");
    }
    for (const auto& [id, row] : state_.sessions) {
      if (row.slug_hold == key) return AlreadyExists("another signup session holds this slug");
    }
    state_.sessions[session.id] = InMemorySignupState::Row{session, key};
    return Status::Ok();
  }

  StatusOr<signup::SignupSession> Find(std::string_view id) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.Find");
    if (!call.status.ok()) return call.status;
    auto it = state_.sessions.find(std::string(id));
    if (it == state_.sessions.end()) return NotFound("signup session not found");
    return it->second.session;
  }

  Status Update(const signup::SignupSession& session, int64_t expected_version) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.Update");
    if (!call.status.ok()) return call.status;
    auto it = state_.sessions.find(session.id);
    if (it == state_.sessions.end()) return NotFound("signup session not found");
    signup::SignupSession& stored = it->second.session;
    if (stored.version != expected_version) {
      return FailedPrecondition("the signup session was changed concurrently; read it again");
    }
    stored.status = session.status;
    stored.otp_sends = session.otp_sends;
    stored.otp_sent_at = session.otp_sent_at;
    stored.otp_expires_at = session.otp_expires_at;
    stored.email_verified_at = session.email_verified_at;
    stored.provision_step_state = session.provision_step_state.is_object()
                                      ? session.provision_step_state
                                      : Json::MakeObject();
    stored.failure_reason = session.failure_reason;
    stored.tenant_id = session.tenant_id;
    stored.provision_lease_until = session.provision_lease_until;
    stored.updated_at = session.updated_at;
    stored.version = expected_version + 1;
    if (session.status == signup::SignupStatus::kExpired ||
        session.status == signup::SignupStatus::kFailed) {
      it->second.slug_hold.reset();
    }
    return Status::Ok();
  }

  StatusOr<bool> IsSlugHeld(std::string_view slug, TimePoint now) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.IsSlugHeld");
    if (!call.status.ok()) return call.status;
    const std::string key = Lower(slug);
    for (const auto& [id, row] : state_.sessions) {
      if (row.slug_hold == key && signup::HoldsSlug(row.session, now)) return true;
    }
    return false;
  }

  Status InsertIdempotencyRecord(const signup::IdempotencyRecord& record) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.InsertIdempotencyRecord");
    if (!call.status.ok()) return call.status;
    auto [it, inserted] =
        state_.idempotency.emplace(std::pair{record.session_id, record.key_hash}, record);
    (void)it;
    return inserted ? Status::Ok() : AlreadyExists("idempotency record exists");
  }

  StatusOr<signup::IdempotencyRecord> FindIdempotencyRecord(std::string_view session_id,
                                                            std::string_view key_hash) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.FindIdempotencyRecord");
    if (!call.status.ok()) return call.status;
    auto it = state_.idempotency.find(std::pair{std::string(session_id), std::string(key_hash)});
    if (it == state_.idempotency.end()) return NotFound("no idempotency record");
    return it->second;
  }

  Status UpdateIdempotencyRecord(const signup::IdempotencyRecord& record) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.UpdateIdempotencyRecord");
    if (!call.status.ok()) return call.status;
    auto it = state_.idempotency.find(std::pair{record.session_id, record.key_hash});
    if (it == state_.idempotency.end()) return NotFound("no idempotency record");
    it->second.sealed_secrets = record.sealed_secrets;
    it->second.response_status = record.response_status;
    return Status::Ok();
  }

  StatusOr<int64_t> DeleteIdempotencyRecordsBefore(TimePoint cutoff) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.DeleteIdempotencyRecordsBefore");
    if (!call.status.ok()) return call.status;
    int64_t deleted = 0;
    for (auto it = state_.idempotency.begin(); it != state_.idempotency.end();) {
      if (it->second.created_at < cutoff) {
        it = state_.idempotency.erase(it);
        ++deleted;
      } else {
        ++it;
      }
    }
    return deleted;
  }

  StatusOr<int64_t> DeleteEndedSessions(TimePoint expired_before, TimePoint closed_before,
                                        int limit) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.DeleteEndedSessions");
    if (!call.status.ok()) return call.status;
    using signup::SignupStatus;
    const auto ended = [&](const signup::SignupSession& s) {
      if (s.expires_at >= expired_before) return false;
      switch (s.status) {
        case SignupStatus::kPendingEmailVerification:
        case SignupStatus::kEmailVerified:
        case SignupStatus::kExpired:
          return true;
        case SignupStatus::kProvisioned:
        case SignupStatus::kFailed:
          return s.updated_at < closed_before;
        case SignupStatus::kProvisioning:
        case SignupStatus::kReviewRequired:
          return false;
      }
      return false;
    };
    // The SQL store's order: oldest expiry first, then id.
    std::vector<std::pair<TimePoint, std::string>> due;
    for (const auto& [id, row] : state_.sessions) {
      if (ended(row.session)) due.emplace_back(row.session.expires_at, id);
    }
    std::sort(due.begin(), due.end());
    if (limit < 0) limit = 0;
    if (due.size() > static_cast<size_t>(limit)) due.resize(static_cast<size_t>(limit));
    for (const auto& [expires_at, id] : due) {
      state_.sessions.erase(id);
      std::erase_if(state_.idempotency, [&](const auto& entry) { return entry.first.first == id; });
      if (otps_ != nullptr) {
        std::erase_if(*otps_, [&](const OtpRecord& r) {
          return r.purpose == signup::kSignupOtpPurpose && r.subject == id;
        });
      }
    }
    return static_cast<int64_t>(due.size());
  }

  Status InsertConsentRecord(const signup::ConsentRecord& record) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.InsertConsentRecord");
    if (!call.status.ok()) return call.status;
    auto [it, inserted] = state_.consents.emplace(record.session_id, record);
    (void)it;
    return inserted ? Status::Ok() : AlreadyExists("consent record exists");
  }

  StatusOr<signup::ConsentRecord> FindConsentRecord(std::string_view session_id) override {
    OAuthStoreCall call = hooks_.enter("signup_sessions.FindConsentRecord");
    if (!call.status.ok()) return call.status;
    auto it = state_.consents.find(std::string(session_id));
    if (it == state_.consents.end()) return NotFound("no consent record");
    return it->second;
  }

 private:
  static std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }

  InMemorySignupState& state_;
  OAuthStoreHooks hooks_;
  std::vector<OtpRecord>* otps_;
};

}  // namespace portico::testing
