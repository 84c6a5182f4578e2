#include "dcr/token/signing_keys.h"

#include <algorithm>
#include <set>
#include <utility>

#include "portico/crypto.h"
#include "portico/log.h"

namespace portico::dcr {
namespace {

constexpr char kSealPurpose[] = "portico token signing key seal";

bool IsCurrent(const SigningKeyRecord& record) { return !record.retired_at.has_value(); }

bool IsPublished(const SigningKeyRecord& record, TimePoint now) {
  return !record.expires_at || *record.expires_at > now;
}

bool AnyExpired(const std::vector<SigningKeyRecord>& records, TimePoint now) {
  return std::any_of(records.begin(), records.end(),
                     [now](const SigningKeyRecord& r) { return !IsPublished(r, now); });
}

void Wipe(std::string& secret) {
  // volatile: the compiler may not drop stores to memory about to be freed.
  volatile char* p = secret.data();
  for (size_t i = 0; i < secret.size(); ++i) p[i] = 0;
}

}  // namespace

SigningKeys::SigningKeys(Database& database, std::string_view key_hash_secret, const Clock& clock,
                         SigningKeysOptions options)
    : database_(database), seal_key_(SealKey(key_hash_secret)), clock_(clock), options_(options) {}

std::string SigningKeys::SealKey(std::string_view key_hash_secret) {
  return HmacSha256(key_hash_secret, kSealPurpose);
}

std::shared_ptr<const SigningKeys::View> SigningKeys::Load() const {
  std::lock_guard lock(view_mu_);
  return view_;
}

StatusOr<std::shared_ptr<const SigningKeys::View>> SigningKeys::Get() {
  std::shared_ptr<const View> view = Load();
  if (view && clock_.Now() - view->loaded_at < options_.refresh_interval) return view;
  std::unique_lock lock(refresh_mu_, std::defer_lock);
  if (view) {
    // Stale: one thread reads the store, the others keep signing meanwhile.
    if (!lock.try_lock()) return view;
  } else {
    lock.lock();
  }
  view = Load();  // another thread may have read it while we waited
  if (view && clock_.Now() - view->loaded_at < options_.refresh_interval) return view;
  return RefreshLocked(clock_.Now());
}

StatusOr<std::shared_ptr<const SigningKeys::View>> SigningKeys::GetForKid(std::string_view kid) {
  PORTICO_ASSIGN_OR_RETURN(std::shared_ptr<const View> view, Get());
  const auto known_or_recent = [&](const View& v) {
    return v.verifier.FindByKid(kid) != nullptr ||
           clock_.Now() - v.loaded_at < options_.unknown_kid_refresh_interval;
  };
  if (known_or_recent(*view)) return view;
  std::lock_guard lock(refresh_mu_);
  view = Load();
  if (view && known_or_recent(*view)) return view;
  return RefreshLocked(clock_.Now());
}

StatusOr<std::shared_ptr<const SigningKeys::View>> SigningKeys::Refresh() {
  std::lock_guard lock(refresh_mu_);
  return RefreshLocked(clock_.Now());
}

const EcSigningKey* SigningKeys::Open(const SigningKeyRecord& record) {
  if (auto it = opened_.find(record.kid); it != opened_.end()) return &it->second;
  std::optional<std::string> pem = OpenAesGcm(seal_key_, record.sealed_private_key, record.kid);
  if (!pem) {
    Log(LogLevel::kWarn, "signing_key.unreadable",
        Json::MakeObject()
            .Set("kid", record.kid)
            .Set("reason", "cannot be unsealed (was KEY_HASH_SECRET changed?)"));
    return nullptr;
  }
  StatusOr<EcSigningKey> key = EcSigningKey::FromPrivatePem(*pem);
  Wipe(*pem);
  if (!key.ok() || key->kid() != record.kid) {
    Log(LogLevel::kWarn, "signing_key.unreadable",
        Json::MakeObject().Set("kid", record.kid).Set("reason", "not the P-256 key its kid names"));
    return nullptr;
  }
  return &opened_.emplace(record.kid, std::move(key).value()).first->second;
}

bool SigningKeys::NeedsNewKey(const std::vector<SigningKeyRecord>& records, TimePoint now) {
  for (const SigningKeyRecord& record : records) {  // newest first
    if (IsCurrent(record) && Open(record) != nullptr) {
      return now - record.created_at >= options_.rotation_period;
    }
  }
  return true;
}

Status SigningKeys::Rotate(Stores& stores, TimePoint now, std::vector<SigningKeyRecord>& records) {
  SigningKeyStore& store = stores.signing_keys();
  // Again inside the transaction: on SQLite it holds the write lock, so a
  // process that rotated meanwhile is seen here and no second key is made.
  PORTICO_ASSIGN_OR_RETURN(records, store.List());
  if (NeedsNewKey(records, now)) {
    PORTICO_ASSIGN_OR_RETURN(EcSigningKey key, EcSigningKey::Generate());
    std::string pem = key.PrivatePem();
    SigningKeyRecord created{.kid = key.kid(),
                             .sealed_private_key = SealAesGcm(seal_key_, pem, key.kid()),
                             .created_at = now};
    Wipe(pem);
    PORTICO_RETURN_IF_ERROR(store.Insert(created));
    // Tokens signed with a retired key stay verifiable until they expire,
    // including those other processes sign until their next read.
    const TimePoint expires_at =
        now + options_.max_token_lifetime + options_.refresh_interval + options_.clock_skew;
    for (const SigningKeyRecord& record : records) {
      if (!IsCurrent(record)) continue;
      Status retired = store.Retire(record.kid, now, expires_at);
      // Already retired or deleted by another process: nothing left to do.
      if (!retired.ok() && retired.code() != StatusCode::kFailedPrecondition &&
          retired.code() != StatusCode::kNotFound) {
        return retired;
      }
    }
    opened_.insert_or_assign(created.kid, std::move(key));
    Log(LogLevel::kInfo, "signing_key.created", Json::MakeObject().Set("kid", created.kid));
  }
  if (AnyExpired(records, now)) {
    PORTICO_RETURN_IF_ERROR(store.DeleteExpired(now).status());
  }
  PORTICO_ASSIGN_OR_RETURN(records, store.List());
  return Status::Ok();
}

StatusOr<std::shared_ptr<const SigningKeys::View>> SigningKeys::RefreshLocked(TimePoint now) {
  std::vector<SigningKeyRecord> records;
  PORTICO_RETURN_IF_ERROR(database_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(records, stores.signing_keys().List());
    return Status::Ok();
  }));
  if (NeedsNewKey(records, now) || AnyExpired(records, now)) {
    PORTICO_RETURN_IF_ERROR(
        database_.Transact([&](Stores& stores) { return Rotate(stores, now, records); }));
  }

  const EcSigningKey* signer = nullptr;
  Json keys = Json::MakeArray();
  std::set<std::string> kids;
  for (const SigningKeyRecord& record : records) {  // newest first
    if (!IsPublished(record, now)) continue;
    const EcSigningKey* key = Open(record);
    if (key == nullptr) continue;
    kids.insert(record.kid);
    if (signer == nullptr && IsCurrent(record)) signer = key;
    if (keys.as_array().size() < JwkSet::kMaxKeys) keys.Push(key->PublicJwk());
  }
  if (signer == nullptr) return Internal("no usable token signing key after rotation");
  for (auto it = opened_.begin(); it != opened_.end();) {  // forget deleted keys
    it = kids.count(it->first) != 0 ? std::next(it) : opened_.erase(it);
  }

  Json jwks = Json::MakeObject();
  jwks.Set("keys", std::move(keys));
  StatusOr<JwkSet> verifier = JwkSet::Parse(jwks);
  if (!verifier.ok()) {
    return Internal("published signing keys do not form a JWK Set")
        .WithInternal(verifier.status().message());
  }
  std::string text = jwks.Dump();
  auto view = std::make_shared<const View>(View{.signer = *signer,
                                                .verifier = std::move(verifier).value(),
                                                .jwks = std::move(jwks),
                                                .jwks_text = std::move(text),
                                                .loaded_at = now});
  std::lock_guard lock(view_mu_);
  view_ = view;
  return view;
}

}  // namespace portico::dcr
