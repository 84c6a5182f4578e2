#pragma once

#include <string>
#include <string_view>

namespace portico::http {

// True when `id` is an acceptable client X-Request-Id: [A-Za-z0-9._:-]{1,128}.
bool IsValidRequestId(std::string_view id);

// A fresh request id: 12 random bytes, base64url without padding (16
// characters, the shape of RandomToken(SecureRandom(), 12)). The bytes come
// from SecureRandom in per-thread batches: one RAND_bytes call per request
// cost about a tenth of a whole /healthz request. Ids are unique, not secret.
// Thread-safe.
std::string NewRequestId();

}  // namespace portico::http
