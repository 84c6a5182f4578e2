#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "dcr/signing_key_store.h"
#include "portico/clock.h"
#include "portico/database.h"
#include "portico/jose.h"
#include "portico/json.h"
#include "portico/status.h"

namespace portico::dcr {

struct SigningKeysOptions {
  // A current key older than this is retired and a new one takes over.
  std::chrono::seconds rotation_period = std::chrono::hours(24 * 30);
  // The longest lifetime of a token these keys sign (TokenServiceOptions::
  // access_token_lifetime): a retired key stays published that long.
  std::chrono::seconds max_token_lifetime = std::chrono::seconds(3600);
  // The leeway verifiers allow on `exp`; added to how long a retired key is
  // published.
  std::chrono::seconds clock_skew = std::chrono::seconds(60);
  // How long the in-memory keys are used before the store is read again, so
  // the token hot path does no key query. Also how long another process may
  // keep signing with a key this one retired, hence part of the retirement
  // period too.
  std::chrono::seconds refresh_interval = std::chrono::seconds(60);
  // A token whose `kid` is unknown (a key another process made since our last
  // read) triggers a read, but at most this often, so that made-up kids cannot
  // turn every introspection into a store query.
  std::chrono::seconds unknown_kid_refresh_interval = std::chrono::seconds(5);
};

// The server's ES256 access-token signing keys (RFC 9068): the current key to
// sign with and the JWK Set to publish at jwks_uri. The keys live in the
// SigningKeyStore so that every process on the database signs with and
// publishes the same keys; private keys are stored sealed (AES-256-GCM under
// HMAC-SHA256(KEY_HASH_SECRET, "portico token signing key seal"), the kid as
// associated data).
//
// On a read with no usable current key, or with a current key older than the
// rotation period, a new key is made and stored and every other current key
// is retired, to be published until now + max_token_lifetime +
// refresh_interval + clock_skew and then deleted. Two processes that rotate
// at once just make two keys: the newest signs and both are published. A key
// that cannot be opened (sealed under another KEY_HASH_SECRET) is skipped
// with a warning, and retired at the next rotation.
//
// Thread-safe. Every method may be called from many threads at once; reads
// of the store are serialised, and while one thread re-reads a stale view the
// others keep using it.
class SigningKeys {
 public:
  // What one read of the store yields. Immutable once published.
  struct View {
    EcSigningKey signer;    // the newest current key
    JwkSet verifier;        // every published key (newest first), for verifying own tokens
    Json jwks;              // {"keys": [public JWK, …]}: the jwks_uri document
    std::string jwks_text;  // jwks.Dump()
    TimePoint loaded_at;
  };

  // `database` and `clock` must outlive this object. `key_hash_secret` is
  // KEY_HASH_SECRET (only a key derived from it is kept).
  SigningKeys(Database& database, std::string_view key_hash_secret, const Clock& clock,
              SigningKeysOptions options = {});

  // The cached view, read again from the store (rotating, generating and
  // deleting expired keys as needed) when it is older than refresh_interval.
  // Returns the database's status (Unavailable) when the store cannot be read
  // and no fresh view exists; Internal when OpenSSL cannot make a key.
  StatusOr<std::shared_ptr<const View>> Get();
  // As Get, but when `kid` is not among the published keys and the view is
  // older than unknown_kid_refresh_interval, reads the store first.
  StatusOr<std::shared_ptr<const View>> GetForKid(std::string_view kid);
  // Reads the store now, whatever the age of the view. Same errors as Get.
  StatusOr<std::shared_ptr<const View>> Refresh();

  // The AES-256-GCM key the private keys are sealed under.
  static std::string SealKey(std::string_view key_hash_secret);

 private:
  std::shared_ptr<const View> Load() const;
  // Serialised by refresh_mu_. Reads (and, when needed, writes) the store and
  // publishes a new view.
  StatusOr<std::shared_ptr<const View>> RefreshLocked(TimePoint now);
  // The opened key of a record, from opened_ or by unsealing; nullptr when
  // it cannot be opened.
  const EcSigningKey* Open(const SigningKeyRecord& record);
  bool NeedsNewKey(const std::vector<SigningKeyRecord>& records, TimePoint now);
  Status Rotate(Stores& stores, TimePoint now, std::vector<SigningKeyRecord>& records);

  Database& database_;
  const std::string seal_key_;
  const Clock& clock_;
  const SigningKeysOptions options_;

  std::mutex refresh_mu_;
  std::map<std::string, EcSigningKey> opened_;  // by kid; guarded by refresh_mu_

  mutable std::mutex view_mu_;
  std::shared_ptr<const View> view_;  // guarded by view_mu_
};

}  // namespace portico::dcr
