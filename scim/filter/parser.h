#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "portico/status.h"
#include "scim/filter/ast.h"
#include "scim/filter/attribute_resolver.h"

namespace portico::scim {

// Guards against filters built to exhaust the server. Exceeding one is invalidFilter
// ("too long" / "too complex"); the parser never recurses deeper than max_depth levels.
struct FilterLimits {
  size_t max_length = 4096;  // characters (code points) of the whole text
  int max_depth = 32;        // nesting of ( ), not ( ) and [ ]
  int max_nodes = 200;       // AST nodes produced
};

// Parses a SCIM filter (RFC 7644 §3.4.2.2: the ten operators, and / or / not with "and" binding
// tighter than "or", grouping, valuePath `emails[type eq "work" and value co "@x"]`,
// sub-attributes, schema-URN-qualified paths) and resolves every attribute path through
// `resolver`, so the result carries canonical names and types (see ast.h for the meaning).
// Attribute names, operators and true / false / null are case-insensitive; string literals follow
// JSON string rules. Also accepted: `emails[type eq "work"].value eq "x"` (sent by Microsoft
// Entra), meaning one element with type "work" whose value eq "x", i.e.
// `emails[type eq "work" and value eq "x"]`.
//
// Returns the AST, or InvalidArgument tagged "invalidFilter" whose message says what is wrong and
// at which character (0-based code point offset, "… at position 12"), with {"position": 12} in
// the details: syntax errors, unknown attributes, operators that do not fit the attribute's type,
// literals of the wrong type, nested [ ] filters and the limits above. Thread-safe (as long as
// `resolver` is).
StatusOr<Filter> ParseFilter(std::string_view text, const AttributeResolver& resolver,
                             const FilterLimits& limits = {});

// A PATCH operation's "path" (RFC 7644 §3.5.2: PATH = attrPath / valuePath [subAttr]).
struct PatchPath {
  // The attribute the path targets: "name.familyName" → name / familyName; "emails" → emails;
  // with a value filter, the multi-valued parent and the sub-attribute after "]." if any
  // ("emails[type eq \"work\"].value" → emails / value; "members[value eq \"1\"]" → members).
  ResolvedAttr attr{};
  // `emails[type eq "work"]`: selects the elements of the parent the operation applies to; its
  // attributes are sub-attributes of the parent (evaluate it with MatchesValueFilter).
  std::optional<Filter> value_filter;
};

// Parses and resolves a PATCH path such as `members[value eq "2819c223"]`,
// `emails[type eq "work"].value`, `name.familyName` or
// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
// Returns the path, or InvalidArgument tagged "invalidPath" for a malformed path or an unknown
// attribute, or tagged "invalidFilter" for an error inside [ ] (RFC 7644 §3.12); message and
// details as for ParseFilter. Thread-safe (as long as `resolver` is).
StatusOr<PatchPath> ParsePatchPath(std::string_view text, const AttributeResolver& resolver,
                                   const FilterLimits& limits = {});

}  // namespace portico::scim
