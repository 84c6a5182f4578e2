#pragma once

#include <string_view>

namespace portico::dcr {

// Small syntax checks for client metadata values. All pure and thread-safe.

// A well-formed BCP 47 language tag (RFC 5646 §2.1): langtag, private use
// ("x-…") or one of the grandfathered tags; case-insensitive. Well-formed,
// not "valid": subtags are not looked up in the IANA registry.
bool IsWellFormedLanguageTag(std::string_view tag);

// An email address as people register them: dot-atom local part (RFC 5322
// §3.4.1, at most 64 octets) "@" a DNS name of at least two labels (letters,
// digits, inner hyphens, at most 63 octets each, a top-level label that is
// not all digits); at most 254 octets. Quoted local parts, address literals
// and non-ASCII (RFC 6531) addresses are refused: a contact must be usable
// by ordinary mail software.
bool IsValidEmailAddress(std::string_view address);

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
bool IsScopeToken(std::string_view token);

// Well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Whether text contains a C0 control character, DEL or a C1 control
// character (U+0080..U+009F): none belongs in a name shown to people.
bool HasControlCharacter(std::string_view utf8);

}  // namespace portico::dcr
