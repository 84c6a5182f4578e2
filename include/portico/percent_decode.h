#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace portico {

// Decodes %XX escapes once (RFC 3986 §2.1). With `plus_as_space` ('+' → ' ',
// the form encoding used in query strings). Returns nullopt on a '%' not
// followed by two hex digits, or on an escaped NUL (%00), which no path or
// parameter legitimately carries. Thread-safe.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space = false);

}  // namespace portico
