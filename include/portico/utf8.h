#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace portico {

// Decodes one well-formed UTF-8 sequence at s[i] (RFC 3629: no overlongs, no
// surrogates, at most U+10FFFF) into *cp. Returns its length (1–4), or 0 when
// the bytes there are not one. Requires i < s.size().
size_t DecodeUtf8(std::string_view s, size_t i, uint32_t* cp);

// Appends the UTF-8 encoding of the code point `cp` (≤ U+10FFFF).
void AppendUtf8(uint32_t cp, std::string& out);

// Byte offset of the first byte that does not start a well-formed sequence,
// or npos when all of `s` is well-formed UTF-8.
size_t FindInvalidUtf8(std::string_view s);

}  // namespace portico
