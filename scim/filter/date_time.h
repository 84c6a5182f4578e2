#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace portico::scim {

// SCIM dateTime values (RFC 7643 §2.3.5) are compared as instants. This is the one parser both the
// filter evaluator and whoever stores dateTime values for SQL comparison use, so the two agree.
//
// Parses an RFC 3339 §5.6 date-time ("2024-02-29T13:05:00Z", "2024-02-29t13:05:00.123456+02:00")
// into Unix milliseconds: fractional seconds are truncated to milliseconds, the offset is applied.
// Requires the time zone ("Z" or ±hh:mm); rejects leap seconds (ss = 60), impossible dates
// (2023-02-29) and anything around the value (spaces). Years 0000–9999.
// Returns nullopt when `text` is not such a date-time. Thread-safe.
std::optional<int64_t> ParseDateTimeMillis(std::string_view text);

// The canonical UTC form "YYYY-MM-DDTHH:MM:SS.mmmZ" of an instant that ParseDateTimeMillis can
// return (its text sorts like the instant for years 0000–9999). Thread-safe.
std::string FormatDateTimeMillis(int64_t unix_millis);

}  // namespace portico::scim
