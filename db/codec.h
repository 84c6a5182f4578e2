#pragma once

// Internal to db/: how values without a portable column type are stored.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/status.h"

namespace portico::db {

// A list of strings as JSON array text ('["scim","dcr"]'), readable by SQL
// JSON functions on both dialects.
std::string EncodeStringList(const std::vector<std::string>& items);
// Internal when `text` is not a JSON array of strings (a corrupt row).
StatusOr<std::vector<std::string>> DecodeStringList(std::string_view text);

// ASCII lowercase: the key for case-insensitive uniqueness (slugs are ASCII).
std::string AsciiLower(std::string_view text);

}  // namespace portico::db
