#include "signup/session/signup_limits.h"

#include <charconv>
#include <cstdint>

namespace portico::signup {
namespace {

constexpr int64_t kMaxCount = 1'000'000;
constexpr int64_t kMaxWindowSeconds = 7 * 24 * 3600;

std::optional<int64_t> WholeNumber(std::string_view text) {
  int64_t n = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (text.empty() || ec != std::errc() || ptr != end || n < 0) return std::nullopt;
  return n;
}

}  // namespace

StatusOr<RateLimit> ParseRateLimitSpec(std::string_view spec) {
  if (spec == "off" || spec == "0") return RateLimit{0, std::chrono::seconds(60)};
  const auto bad = [&]() {
    return InvalidArgument("must be COUNT/WINDOW such as 20/1h or 5/10m (s, m, h or d), or off");
  };
  const size_t slash = spec.find('/');
  if (slash == std::string_view::npos) return bad();
  const std::optional<int64_t> count = WholeNumber(spec.substr(0, slash));
  std::string_view window = spec.substr(slash + 1);
  if (!count || window.size() < 2) return bad();
  int64_t unit = 0;
  switch (window.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    default:
      return bad();
  }
  window.remove_suffix(1);
  const std::optional<int64_t> amount = WholeNumber(window);
  if (!amount) return bad();
  if (*count < 1 || *count > kMaxCount) {
    return InvalidArgument("the count must be between 1 and 1000000 (or the limit off)");
  }
  if (*amount < 1 || *amount > kMaxWindowSeconds / unit) {
    return InvalidArgument("the window must be between 1 second and 7 days");
  }
  return RateLimit{*count, std::chrono::seconds(*amount * unit)};
}

std::string FormatRateLimitSpec(const RateLimit& limit) {
  if (limit.max_hits <= 0) return "off";
  const int64_t s = limit.window.count();
  std::string window;
  if (s % 86400 == 0) {
    window = std::to_string(s / 86400) + "d";
  } else if (s % 3600 == 0) {
    window = std::to_string(s / 3600) + "h";
  } else if (s % 60 == 0) {
    window = std::to_string(s / 60) + "m";
  } else {
    window = std::to_string(s) + "s";
  }
  return std::to_string(limit.max_hits) + "/" + window;
}

}  // namespace portico::signup
