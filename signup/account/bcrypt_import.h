#pragma once

#include <string_view>

#include "portico/password_hasher.h"
#include "portico/status.h"

namespace portico::signup {

// Imported password hashes (seed 003's passwordHash): bcrypt only, as
// "$2b$NN$" + 22 characters of salt + 31 of hash, in bcrypt's own base64
// alphabet ("./A-Za-z0-9"), 60 characters in all. The cost NN (two digits,
// log2 of the rounds) must be 4–14: below 4 bcrypt itself refuses, above 14
// one verification takes seconds (53 ms at 10 here, doubling per step) —
// a hash import must not become a way to stall the hashing pool.
using portico::kMaxBcryptCost;  // the verifier's own limits: what is imported can sign in
using portico::kMinBcryptCost;

// The details.code values of a rejected passwordHash.
// $2a$, $2x$, $2y$ (other bcrypt revisions), or not bcrypt at all (argon2,
// scrypt, SHA-crypt, plain text…).
inline constexpr char kUnsupportedHash[] = "UNSUPPORTED_PASSWORD_HASH";
inline constexpr char kBcryptCostOutOfRange[] = "BCRYPT_COST_OUT_OF_RANGE";
// $2b$ with the wrong length, characters outside the alphabet, or a salt or
// hash whose last character has bits bcrypt never sets (no password could
// ever match it: bcrypt re-encodes what it decodes).
inline constexpr char kMalformedHash[] = "MALFORMED_PASSWORD_HASH";

// OK when `hash` is a $2b$ bcrypt hash Portico accepts. Otherwise
// InvalidArgument tagged VALIDATION_ERROR whose message says precisely what
// is wrong and whose details are {"field": "passwordHash", "code": one of the
// codes above, "message": the same message}. The hash is never echoed (it is
// a secret). Pure; thread-safe.
Status ValidateBcryptHash(std::string_view hash);

// Whether `password` matches the imported `hash`, computed by libxcrypt's
// crypt_rn (Debian's maintained bcrypt, the same code as the system's
// /etc/shadow) and compared in constant time. False when the hash fails
// ValidateBcryptHash or the password contains a NUL byte (crypt would stop
// reading there, so "abc\0xyz" would match "abc"). bcrypt reads only the
// first 72 bytes of a password: a longer one matches whatever its first 72
// bytes match — the property of every imported bcrypt hash, which is why
// it is re-hashed with argon2id on the first successful sign-in. CPU-bound
// (2^cost rounds): call it on the hashing pool. Thread-safe (crypt_rn keeps
// its state in a per-call buffer).
bool VerifyBcrypt(std::string_view hash, std::string_view password);

}  // namespace portico::signup
