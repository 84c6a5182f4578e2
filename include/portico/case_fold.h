#pragma once

#include <string>
#include <string_view>

namespace portico {

// Unicode simple case folding (CaseFolding.txt statuses C and S, Unicode 15.0) of a UTF-8
// string: the form in which case-insensitive SCIM values are compared and in which the
// case-insensitive uniqueness column of userName is stored. One code point always folds to one
// code point ("ß" stays "ß", "ς" and "Σ" become "σ", "K" (Kelvin) becomes "k"); no language
// tailoring ("I" folds to "i", dotless "ı" and dotted "İ" are left as they are).
//
// Bytes that are not valid UTF-8 (stray continuation bytes, overlong forms, surrogates, code
// points above U+10FFFF, truncated sequences) are copied through unchanged, one byte at a time.
// Returns the folded copy; never fails. Deterministic and independent of the process locale and
// of the C library's Unicode tables, so a stored folded value stays valid across upgrades.
// Thread-safe.
std::string FoldCase(std::string_view utf8);

}  // namespace portico
