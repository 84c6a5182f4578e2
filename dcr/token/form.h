#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "portico/status.h"

namespace portico::dcr {

// Decodes one application/x-www-form-urlencoded name or value (WHATWG URL
// §5.1, the encoding RFC 6749 Appendix B and §2.3.1 use): '+' is a space,
// %XX an octet. nullopt on a '%' not followed by two hex digits or on an
// escaped NUL. Pure; thread-safe.
std::optional<std::string> FormUrlDecode(std::string_view text);

// The parameters of an OAuth request body (RFC 6749 §3.2,
// application/x-www-form-urlencoded), decoded. An immutable value.
class FormParams {
 public:
  using Pairs = std::vector<std::pair<std::string, std::string>>;

  // Parses `body`. Empty pairs ("a=1&&b=2") are skipped and a pair without
  // '=' is a name with an empty value. RFC 6749 §3.2: a parameter sent more
  // than once is an error, except those named in `repeatable` (RFC 8707 §2
  // allows several `resource` parameters). Returns InvalidArgument tagged
  // "invalid_request" on a malformed escape or a repeated parameter. Pure;
  // thread-safe.
  static StatusOr<FormParams> Parse(std::string_view body,
                                    const std::vector<std::string_view>& repeatable = {"resource"});
  // Built from decoded pairs as given (tests, other transports).
  explicit FormParams(Pairs pairs = {}) : pairs_(std::move(pairs)) {}

  // The first value of `name`, or nullopt when absent. RFC 6749 §3.1:
  // a parameter sent without a value is treated as omitted, so an empty value
  // is nullopt too.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every non-empty value of `name`, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  const Pairs& pairs() const { return pairs_; }

 private:
  Pairs pairs_;
};

}  // namespace portico::dcr
