#pragma once

#include "portico/json.h"
#include "scim/filter/ast.h"

namespace portico::scim {

// The in-memory evaluator: the reference semantics of the filter AST (documented in ast.h) that
// the SQL translation in db/ must reproduce exactly.
//
// Whether `resource` — one SCIM resource in its JSON form (canonical attribute names, extension
// attributes under their schema URN) — satisfies `filter`. Never fails: a value of an unexpected
// JSON type counts as absent. Thread-safe.
bool Matches(const Filter& filter, const Json& resource);

// Whether one element of a complex attribute (e.g. one object of "emails") satisfies a filter over
// its sub-attributes: the inner filter of a kValuePath node, or PatchPath::value_filter. Used by
// the PATCH engine to select the elements an operation applies to. Thread-safe.
bool MatchesValueFilter(const Filter& value_filter, const Json& element);

}  // namespace portico::scim
