#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"
#include "scim/directory_store.h"
#include "scim/filter/parser.h"
#include "scim/schema/resource_type.h"

// The SCIM PATCH engine (RFC 7644 §3.5.2): pure functions from values to values. A request is
// first parsed and normalised (ParsePatchRequest), then applied to a stored document
// (ApplyPatch). What Microsoft Entra ID and Okta actually send is accepted on the way in (see
// compat.h), so the core applies one strict, RFC-shaped form.
namespace portico::scim {

inline constexpr std::string_view kPatchOpSchemaUrn =
    "urn:ietf:params:scim:api:messages:2.0:PatchOp";

enum class PatchOpKind { kAdd, kRemove, kReplace };

// "add", "remove", "replace".
const char* PatchOpName(PatchOpKind op);

// One operation in strict form: it always names its target. Path-less add/replace operations
// (RFC 7644 §3.5.2.1/§3.5.2.3: the target is the resource itself) are expanded into one operation
// per attribute named in the value, in the value's order, so `{"op":"replace","value":{"a":1,
// "b":2}}` becomes replace a, replace b.
struct PatchOperation {
  PatchOpKind op = PatchOpKind::kAdd;
  PatchPath path;         // the resolved target
  std::string path_text;  // the path as the client wrote it (or the path-less key), for messages
  size_t index = 0;       // position of the originating operation in "Operations"
  // add/replace: the value (may be null: "unassign"). remove: absent, except the value list
  // Entra and Okta send to remove selected members (`"value":[{"value":"id"}]`).
  std::optional<Json> value;
};

struct PatchRequest {
  std::vector<PatchOperation> operations;  // empty: a valid no-op request
};

// Parses a PATCH body (RFC 7644 §3.5.2) for `type`: `schemas` must contain kPatchOpSchemaUrn,
// `Operations` is an array (empty allowed); each operation has `op` add / remove / replace (any
// case), an optional string `path` and a `value` (required for add and replace). Member names
// are matched case-insensitively. Path-less add/replace values are expanded (see
// PatchOperation); their keys may be dotted (`name.givenName`), URN-qualified
// (`urn:…:enterprise:2.0:User:employeeNumber`), value paths (`emails[type eq "work"].value`)
// or an extension URN holding an object; `schemas` and `id` keys are ignored (Okta echoes the
// group's id). A path that is an extension URN addresses every attribute of that extension.
//
// Errors (InvalidArgument with the scimType tag, messages prefixed "Operations[i]: "):
// invalidSyntax (body or operation not an object, Operations missing or not an array, unknown or
// missing op), invalidValue (PatchOp schema missing, add/replace without value, a path-less value
// that is not an object), noTarget (remove without path), invalidPath (malformed path, unknown
// attribute, a [ ] filter on a single-valued attribute), invalidFilter (bad filter inside [ ]).
// Pure and thread-safe.
StatusOr<PatchRequest> ParsePatchRequest(const Json& body, const ResourceType& type);

struct PatchResult {
  // The new stored document: canonical names, extension attributes under their URN, without id,
  // meta, schemas, groups, password and members (as ValidatedResource::document).
  Json document;
  // Set when an operation set User.password (writeOnly: never in the document); to be hashed.
  std::optional<std::string> password;
  // Group only: every operation on `members` as one change for DirectoryStore::UpdateGroup
  // (members are never loaded: a group may have 100k of them). Operations compose in order: add
  // then remove of the same id leaves it removed; remove-all then add is a replace.
  MemberChange members;
  // Whether anything may change: the document differs, a password is set or members change.
  // False lets the caller keep version and lastModified (RFC 7644 §3.5.2.1: adding a value that
  // is already there changes nothing).
  bool changed = false;
};

// Applies `request` to `document` (a stored resource document as described in PatchResult)
// following RFC 7644 §3.5.2, atomically: all operations or none. The patched document is
// re-validated with ValidateResource.
//
// Semantics: add appends to multi-valued attributes (skipping exact duplicates), merges
// sub-attributes into complex ones and sets simple ones; replace sets, replaces the whole of a
// multi-valued attribute and merges complex ones; with a value filter both apply to the matching
// elements (merged, or the given sub-attribute set), and when nothing matches add — and replace
// with a sub-attribute, Entra's `emails[type eq "work"].value` — create the element the filter's
// `eq` conditions describe, otherwise replace fails with noTarget. remove unassigns the target;
// with a filter it removes the matching elements (none matching is not an error), with a value
// list it removes the listed elements. Setting `primary` true on one element sets it false on the
// others. A null value unassigns. Values are checked with ValidateAttributeValue after the
// compatibility rewrites of compat.h.
//
// Errors (InvalidArgument with the scimType tag, messages prefixed "Operations[i]: "):
// mutability (readOnly targets such as id, meta, groups, manager.displayName, members.display;
// changing an immutable value such as the value/type/$ref of an existing member; removing or
// unassigning a required attribute — userName, Group.displayName — or the password), noTarget
// (replace with a filter matching nothing), invalidValue (values of the wrong type, two primaries,
// a member without value), invalidSyntax (unknown sub-attributes in a value), invalidFilter (a
// member selection other than `value eq "…"` joined by or). Pure and thread-safe.
StatusOr<PatchResult> ApplyPatch(const Json& document, const PatchRequest& request,
                                 const ResourceType& type);

}  // namespace portico::scim
