#include "portico/credential_issuer.h"

#include "portico/crypto.h"

namespace portico {
namespace {

constexpr size_t kSecretBytes = 32;  // 256 bits
constexpr size_t kRandomChars = 43;  // base64url of 32 bytes, no padding
constexpr size_t kHintChars = 4;
constexpr CredentialKind kAllKinds[] = {CredentialKind::kIntegrationKey,
                                        CredentialKind::kBootstrapToken,
                                        CredentialKind::kPublicLoginToken};

// One message for every rejection, so a caller cannot tell an unknown secret
// from a revoked, expired or mistyped one.
Status Rejected() { return Unauthenticated("invalid or expired credential"); }

// The kind a well-formed secret claims by its prefix; nullopt when malformed.
std::optional<CredentialKind> WellFormedKind(std::string_view presented) {
  for (const CredentialKind kind : kAllKinds) {
    const std::string_view prefix = CredentialIssuer::Prefix(kind);
    if (presented.size() != prefix.size() + kRandomChars) continue;
    if (presented.substr(0, prefix.size()) != prefix) continue;
    // Decoding checks the alphabet and that the text is the one canonical
    // encoding of 32 bytes.
    const auto raw = Base64UrlDecode(presented.substr(prefix.size()));
    if (!raw || raw->size() != kSecretBytes) return std::nullopt;
    return kind;
  }
  return std::nullopt;
}

}  // namespace

CredentialIssuer::CredentialIssuer(std::string key_hash_secret, Random& random, const Clock& clock)
    : key_hash_secret_(key_hash_secret), random_(random), clock_(clock) {}

const char* CredentialIssuer::Prefix(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::kIntegrationKey:
      return "portico_ik_";
    case CredentialKind::kBootstrapToken:
      return "portico_bt_";
    case CredentialKind::kPublicLoginToken:
      return "portico_pl_";
  }
  return "portico_ik_";
}

std::string CredentialIssuer::Hash(std::string_view secret) const {
  return HexEncode(key_hash_secret_.Sign(secret));
}

IssuedCredential CredentialIssuer::Mint(std::string_view tenant_id, CredentialKind kind,
                                        std::string name, std::vector<std::string> scopes,
                                        std::optional<std::chrono::seconds> ttl) const {
  const std::string random_part = RandomToken(random_, kSecretBytes);
  IssuedCredential issued;
  issued.secret = std::string(Prefix(kind)) + random_part;
  Credential& record = issued.record;
  record.id = NewUuid(random_);
  record.tenant_id = std::string(tenant_id);
  record.kind = kind;
  record.name = std::move(name);
  record.display_hint = std::string(Prefix(kind)) + random_part.substr(0, kHintChars) + "\u2026";
  record.key_hash = Hash(issued.secret);
  record.scopes = std::move(scopes);
  record.created_at = clock_.Now();
  if (ttl) record.expires_at = record.created_at + *ttl;
  return issued;
}

StatusOr<Credential> CredentialIssuer::Verify(CredentialStore& store, std::string_view presented,
                                              std::optional<CredentialKind> expected) const {
  PORTICO_ASSIGN_OR_RETURN(CredentialKind claimed, CheckFormat(presented, expected));
  const std::string hash = Hash(presented);
  StatusOr<Credential> found = store.FindByHash(hash);
  if (!found.ok()) return LookupFailure(found.status());
  PORTICO_RETURN_IF_ERROR(CheckRecord(*found, hash, claimed));
  return std::move(found).value();
}

StatusOr<CredentialWithTenant> CredentialIssuer::VerifyWithTenant(
    CredentialStore& store, std::string_view presented,
    std::optional<CredentialKind> expected) const {
  PORTICO_ASSIGN_OR_RETURN(CredentialKind claimed, CheckFormat(presented, expected));
  const std::string hash = Hash(presented);
  if (auto cached = FromCache(hash, claimed)) return std::move(*cached);
  return LookupWithTenant(store, hash, claimed);
}

StatusOr<CredentialWithTenant> CredentialIssuer::VerifyWithTenant(
    Database& db, std::string_view presented, std::optional<CredentialKind> expected) const {
  // Checked and hashed once: the HMAC is the dearest step of a lookup.
  PORTICO_ASSIGN_OR_RETURN(CredentialKind claimed, CheckFormat(presented, expected));
  const std::string hash = Hash(presented);
  if (auto cached = FromCache(hash, claimed)) return std::move(*cached);
  std::optional<StatusOr<CredentialWithTenant>> found;
  PORTICO_RETURN_IF_ERROR(db.Run([&](Stores& stores) -> Status {
    found = LookupWithTenant(stores.credentials(), hash, claimed);
    return Status::Ok();
  }));
  return std::move(*found);
}

StatusOr<CredentialWithTenant> CredentialIssuer::LookupWithTenant(CredentialStore& store,
                                                                  const std::string& hash,
                                                                  CredentialKind claimed) const {
  StatusOr<CredentialWithTenant> found = store.FindByHashWithTenant(hash);
  if (!found.ok()) return LookupFailure(found.status());
  PORTICO_RETURN_IF_ERROR(CheckRecord(found->credential, hash, claimed));
  if (cache_ != nullptr) cache_->Put(hash, *found);
  return std::move(found).value();
}

std::optional<StatusOr<CredentialWithTenant>> CredentialIssuer::FromCache(
    const std::string& hash, CredentialKind claimed) const {
  if (cache_ == nullptr) return std::nullopt;
  std::optional<CredentialWithTenant> cached = cache_->Find(hash);
  if (!cached) return std::nullopt;
  // Expiry is checked against now, not against when it was cached.
  if (Status valid = CheckRecord(cached->credential, hash, claimed); !valid.ok()) return valid;
  return StatusOr<CredentialWithTenant>(std::move(*cached));
}

StatusOr<CredentialKind> CredentialIssuer::CheckFormat(
    std::string_view presented, std::optional<CredentialKind> expected) const {
  // Cheap checks first: garbage never reaches the database.
  const std::optional<CredentialKind> claimed = WellFormedKind(presented);
  if (!claimed) return Rejected();
  if (expected && *claimed != *expected) return Rejected();
  return *claimed;
}

Status CredentialIssuer::LookupFailure(const Status& status) {
  if (status.code() == StatusCode::kNotFound) return Rejected();
  return status;  // Unavailable (or another store failure) passes through
}

Status CredentialIssuer::CheckRecord(const Credential& credential, const std::string& hash,
                                     CredentialKind claimed) const {
  // The store matched on the hash already; compare again in constant time so
  // a store that matches loosely (e.g. case-insensitively) cannot be fooled.
  if (!ConstantTimeEquals(credential.key_hash, hash)) return Rejected();
  if (credential.kind != claimed) return Rejected();
  if (credential.revoked_at) return Rejected();
  if (credential.expires_at && *credential.expires_at <= clock_.Now()) return Rejected();
  return Status::Ok();
}

}  // namespace portico
