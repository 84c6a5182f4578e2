#pragma once

#include <optional>
#include <string_view>

#include "portico/clock.h"

namespace portico::signup {

// RFC 3339 §5.6 date-time, strictly: "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"
// ('T' and 'Z' in either case), with real calendar dates (leap years), hours
// 00–23, minutes and seconds 00–59 (a leap second is refused), 1–9 fraction
// digits (truncated to milliseconds) and a numeric offset up to ±23:59.
// nullopt for anything else. Pure; thread-safe.
std::optional<TimePoint> ParseRfc3339(std::string_view text);

}  // namespace portico::signup
