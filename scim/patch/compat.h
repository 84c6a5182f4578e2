#pragma once

#include <optional>
#include <string_view>

#include "portico/json.h"
#include "scim/patch/patch.h"
#include "scim/schema/attribute.h"

// The compatibility pass: what Microsoft Entra ID and Okta send that the strict RFC 7644 forms do
// not allow, rewritten before the strict core sees it. Each rewrite is one documented habit of a
// real identity provider; anything else is left for the strict checks to judge.
namespace portico::scim {

// The operation an `op` value names, ASCII case-insensitively (Entra sends "Add", "Replace",
// "Remove"); nullopt for anything else. Thread-safe.
std::optional<PatchOpKind> ParsePatchOpName(std::string_view name);

// `value` as sent for an attribute described by `def` (multi-valued or not as def says; for one
// element of a multi-valued attribute pass a definition with multi_valued false), rewritten:
//  - "True" / "False" strings (any case) for boolean attributes and sub-attributes → true / false
//    (Entra: `{"op":"Replace","path":"active","value":"False"}`);
//  - a bare string where a complex value with a "value" sub-attribute is expected (the attribute
//    or one element of it) → {"value": string} (Entra sends the enterprise `manager` as the
//    manager's id);
//  - a single value for a multi-valued attribute → a one-element array
//    (`{"op":"add","path":"members","value":{"value":"id"}}`).
// Other values are returned unchanged. Pure and thread-safe.
Json NormalizeValueForCompat(const AttributeDef& def, const Json& value);

}  // namespace portico::scim
