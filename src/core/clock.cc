#include "portico/clock.h"

#include <algorithm>
#include <cstring>

namespace portico {
namespace {

class RealClock : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace

Clock& SystemClock() {
  static RealClock clock;
  return clock;
}

int64_t ToUnixMillis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

TimePoint FromUnixMillis(int64_t ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

namespace {

// Howard Hinnant's days-from-civil inverse: proleptic Gregorian date of a day
// count since 1970-01-01, without gmtime_r's locale and time-zone locks.
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += (m <= 2);
}

void Digits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

// Called for every log line and most responses, so it avoids snprintf.
void FormatRfc3339To(TimePoint t, char* out) {
  const int64_t ms = ToUnixMillis(t);
  int64_t days = ms / 86'400'000;
  int64_t in_day = ms % 86'400'000;
  if (in_day < 0) {  // floor toward the past for times before 1970
    in_day += 86'400'000;
    --days;
  }
  int64_t year;
  unsigned month, day;
  CivilFromDays(days, year, month, day);
  if (year < 0 || year > 9999) year = std::clamp<int64_t>(year, 0, 9999);
  static constexpr char kTemplate[] = "0000-00-00T00:00:00.000Z";
  static_assert(sizeof kTemplate - 1 == kRfc3339Length);
  std::memcpy(out, kTemplate, kRfc3339Length);
  Digits(out, year, 4);
  Digits(out + 5, month, 2);
  Digits(out + 8, day, 2);
  Digits(out + 11, in_day / 3'600'000, 2);
  Digits(out + 14, in_day / 60'000 % 60, 2);
  Digits(out + 17, in_day / 1000 % 60, 2);
  Digits(out + 20, in_day % 1000, 3);
}

std::string FormatRfc3339(TimePoint t) {
  std::string out(kRfc3339Length, '\0');
  FormatRfc3339To(t, out.data());
  return out;
}

}  // namespace portico
