#include "signup/session/rfc3339.h"

#include <chrono>
#include <cstdint>

namespace portico::signup {
namespace {

// Reads exactly `n` ASCII digits at text[*pos]; nullopt otherwise.
std::optional<int> Digits(std::string_view text, size_t* pos, size_t n) {
  if (*pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = text[*pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  *pos += n;
  return value;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

std::optional<TimePoint> ParseRfc3339(std::string_view text) {
  size_t pos = 0;
  const auto year = Digits(text, &pos, 4);
  if (!year || !Expect(text, &pos, '-')) return std::nullopt;
  const auto month = Digits(text, &pos, 2);
  if (!month || !Expect(text, &pos, '-')) return std::nullopt;
  const auto day = Digits(text, &pos, 2);
  if (!day || pos >= text.size() || (text[pos] != 'T' && text[pos] != 't')) return std::nullopt;
  ++pos;
  const auto hour = Digits(text, &pos, 2);
  if (!hour || !Expect(text, &pos, ':')) return std::nullopt;
  const auto minute = Digits(text, &pos, 2);
  if (!minute || !Expect(text, &pos, ':')) return std::nullopt;
  const auto second = Digits(text, &pos, 2);
  if (!second) return std::nullopt;

  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) {
        millis += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return std::nullopt;
  }

  int offset_minutes = 0;
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const auto off_hour = Digits(text, &pos, 2);
    if (!off_hour || !Expect(text, &pos, ':')) return std::nullopt;
    const auto off_minute = Digits(text, &pos, 2);
    if (!off_minute || *off_hour > 23 || *off_minute > 59) return std::nullopt;
    offset_minutes = sign * (*off_hour * 60 + *off_minute);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  if (*hour > 23 || *minute > 59 || *second > 59) return std::nullopt;

  using namespace std::chrono;
  const year_month_day date{std::chrono::year{*year}, std::chrono::month(*month),
                            std::chrono::day(*day)};
  if (!date.ok()) return std::nullopt;
  // Local time minus its offset is UTC.
  const auto utc = sys_days(date) + hours(*hour) + minutes(*minute) + seconds(*second) +
                   milliseconds(millis) - minutes(offset_minutes);
  return time_point_cast<system_clock::duration>(utc);
}

}  // namespace portico::signup
