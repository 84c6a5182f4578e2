#include "dcr/token/form.h"

#include <algorithm>

#include "portico/percent_decode.h"

namespace portico::dcr {
namespace {

Status FormError(std::string message) {
  return InvalidArgument(std::move(message)).WithTag("invalid_request");
}

// Whether a name may be echoed in error_description: RFC 6749 §5.2 allows
// printable ASCII except '"' and '\' (and the message quotes it in ').
bool Printable(std::string_view text) {
  return text.size() <= 100 && std::all_of(text.begin(), text.end(), [](char c) {
           return c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' && c != '\'';
         });
}

}  // namespace

std::optional<std::string> FormUrlDecode(std::string_view text) {
  return PercentDecode(text, /*plus_as_space=*/true);
}

StatusOr<FormParams> FormParams::Parse(std::string_view body,
                                       const std::vector<std::string_view>& repeatable) {
  Pairs pairs;
  while (!body.empty()) {
    const size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    std::optional<std::string> name = FormUrlDecode(pair.substr(0, eq));
    std::optional<std::string> value =
        eq == std::string_view::npos ? std::string() : FormUrlDecode(pair.substr(eq + 1));
    if (!name || !value) return FormError("the request body has a malformed %-escape");
    const bool repeats =
        std::any_of(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == *name; });
    if (repeats && std::find(repeatable.begin(), repeatable.end(), std::string_view(*name)) ==
                       repeatable.end()) {
      // RFC 6749 §3.2: "Request and response parameters MUST NOT be included
      // more than once."
      return FormError(Printable(*name) ? "parameter '" + *name + "' is repeated"
                                        : std::string("a parameter is repeated"));
    }
    pairs.emplace_back(std::move(*name), std::move(*value));
  }
  return FormParams(std::move(pairs));
}

std::optional<std::string_view> FormParams::Get(std::string_view name) const {
  for (const auto& [key, value] : pairs_) {
    if (key == name && !value.empty()) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> FormParams::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [key, value] : pairs_) {
    if (key == name && !value.empty()) out.emplace_back(value);
  }
  return out;
}

}  // namespace portico::dcr
