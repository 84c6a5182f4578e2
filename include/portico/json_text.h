#pragma once

#include <string_view>
#include <vector>

namespace portico {

// Serving JSON text the server wrote itself (with Json::Dump) without a parse
// and re-render round trip: a stored document answered as it is stored, plus
// a few computed members.

// One member of an object's text, both views into that text.
struct JsonTextMember {
  // The name as escaped in the text, without its quotes: equal to the name
  // itself whenever the name has no character Json::Dump escapes.
  std::string_view name;
  std::string_view value;  // the value's JSON text
};

// Splits `text`, a JSON object, into its top-level members (appended to
// `members`, in order) when the text is exactly what Json::Dump writes for the
// value ParseJson reads from it — so that copying the pieces out is the same,
// byte for byte, as parsing and dumping: no whitespace, strings escaped as
// Dump escapes them, integers of at most 18 digits (no fraction, exponent or
// -0), valid UTF-8, no deeper nesting than ParseJson accepts, no top-level
// name twice. Returns false otherwise, and for text that is not JSON: the
// caller then parses it. (Repeated names inside nested objects are not looked
// for: Dump of a Json built with Set never writes them.) Thread-safe.
bool SplitDumpedObject(std::string_view text, std::vector<JsonTextMember>& members);

}  // namespace portico
