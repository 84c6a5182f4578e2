#pragma once

#include <string>

#include "portico/status.h"

namespace Pistache::Http {
class Endpoint;
}  // namespace Pistache::Http

namespace portico::http {

// Tag of CheckTlsKeyPair's failures that concern the key file (the others
// concern the certificate file).
inline constexpr char kTlsKeyProblem[] = "tls_key";

// Reads a PEM certificate (chain) file and an unencrypted PEM private key
// file and checks that the key belongs to the first certificate. Ok, or
// InvalidArgument whose message says what is wrong with which file (tag
// kTlsKeyProblem when it is the key's fault: unreadable, not a key, or not
// the certificate's). Touches only the two files; thread-safe.
Status CheckTlsKeyPair(const std::string& cert_path, const std::string& key_path);

// Turns on TLS for `endpoint` (before it serves) with Pistache's useSSL and
// raises the minimum protocol version to TLS 1.2, which Pistache 0.0.5 leaves
// at OpenSSL's default. Unavailable when the files cannot be loaded or the
// version cannot be set.
Status EnableTls(Pistache::Http::Endpoint& endpoint, const std::string& cert_path,
                 const std::string& key_path);

}  // namespace portico::http
