#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "portico/clock.h"
#include "portico/status.h"

namespace portico::dcr {

// Access tokens revoked before they expired (RFC 7009), by `jti`. A row is
// needed only until the token would have expired anyway. One instance belongs
// to one database session: not thread-safe.
class RevokedTokenStore {
 public:
  virtual ~RevokedTokenStore() = default;
  // Idempotent: revoking a revoked token is OK.
  virtual Status Revoke(std::string_view jti, std::string_view client_id,
                        TimePoint token_expires_at) = 0;
  virtual StatusOr<bool> IsRevoked(std::string_view jti) = 0;
  // Records `jti` unless it is recorded already, in one atomic statement:
  // true when this call recorded it, false when it was there before. For
  // single-use values that concurrent requests race for (RFC 7523 §3 client
  // assertion jtis): of two racing callers exactly one gets true, on
  // PostgreSQL too (a check then a write would let both through).
  virtual StatusOr<bool> RecordOnce(std::string_view jti, std::string_view client_id,
                                    TimePoint expires_at) = 0;
  // Deletes rows whose token has expired by `now`; returns how many.
  virtual StatusOr<int64_t> DeleteExpired(TimePoint now) = 0;
};

}  // namespace portico::dcr
