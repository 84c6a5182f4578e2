#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "portico/status.h"

namespace portico::scim {

// RFC 7644 §3.12 scimType values, carried as the Status tag; scim/http maps
// Status to the SCIM Error schema in one place.
inline constexpr std::string_view kInvalidFilter = "invalidFilter";
inline constexpr std::string_view kTooMany = "tooMany";
inline constexpr std::string_view kUniqueness = "uniqueness";
inline constexpr std::string_view kMutability = "mutability";
inline constexpr std::string_view kInvalidSyntax = "invalidSyntax";
inline constexpr std::string_view kInvalidPath = "invalidPath";
inline constexpr std::string_view kNoTarget = "noTarget";
inline constexpr std::string_view kInvalidValue = "invalidValue";
inline constexpr std::string_view kInvalidVers = "invalidVers";
inline constexpr std::string_view kSensitive = "sensitive";
inline constexpr std::string_view kInvalidCursor = "invalidCursor";
inline constexpr std::string_view kExpiredCursor = "expiredCursor";
// Not in RFC 7644 §3.12's table: SCIM Bulk's 413 (§3.7.4) for too many operations or bytes.
inline constexpr std::string_view kTooLarge = "tooLarge";

// A 400 with the given scimType.
inline Status BadRequest(std::string_view scim_type, std::string message) {
  return InvalidArgument(std::move(message)).WithTag(std::string(scim_type));
}

}  // namespace portico::scim
