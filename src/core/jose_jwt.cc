// JWT time claims (RFC 7519 §4.1.4–§4.1.6).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "portico/jose.h"

namespace portico {
namespace {

// A NumericDate member (RFC 7519 §2: seconds since the epoch, a JSON number,
// fractions allowed). Absent → false with OK; not a number → error.
StatusOr<bool> ReadNumericDate(const Json& claims, std::string_view name, double& out) {
  const Json* value = claims.Find(name);
  if (value == nullptr) return false;
  if (!value->is_number()) {
    return InvalidArgument("JWT claim \"" + std::string(name) +
                           "\" must be a NumericDate (seconds since the epoch)");
  }
  out = value->as_double();
  return true;
}

}  // namespace

Status CheckJwtTimes(const Json& claims, TimePoint now, std::chrono::seconds leeway,
                     bool require_exp) {
  if (!claims.is_object()) return InvalidArgument("JWT claims must be a JSON object");
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double slack = static_cast<double>(std::max<int64_t>(leeway.count(), 0));

  double exp = 0;
  PORTICO_ASSIGN_OR_RETURN(const bool has_exp, ReadNumericDate(claims, "exp", exp));
  double nbf = 0;
  PORTICO_ASSIGN_OR_RETURN(const bool has_nbf, ReadNumericDate(claims, "nbf", nbf));
  double iat = 0;
  PORTICO_ASSIGN_OR_RETURN(const bool has_iat, ReadNumericDate(claims, "iat", iat));

  if (!has_exp && require_exp) return InvalidArgument("JWT claim \"exp\" is required");
  // §4.1.4: the current time MUST be before exp.
  if (has_exp && now_s >= exp + slack) return InvalidArgument("JWT has expired (exp)");
  // §4.1.5: the current time MUST be after or equal to nbf.
  if (has_nbf && now_s + slack < nbf) return InvalidArgument("JWT is not valid yet (nbf)");
  if (has_iat && iat > now_s + slack) return InvalidArgument("JWT is issued in the future (iat)");
  return Status::Ok();
}

}  // namespace portico
