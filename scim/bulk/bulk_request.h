#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/json.h"
#include "portico/status.h"
#include "scim/schema/resource_type.h"

// SCIM Bulk (RFC 7644 §3.7): the request as a pure value. Parsing and validation only; the
// operations are executed by BulkService (bulk_service.h).
namespace portico::scim {

inline constexpr std::string_view kBulkRequestUrn =
    "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
inline constexpr std::string_view kBulkResponseUrn =
    "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
// RFC 7644 §3.7.2: a value "bulkId:<id>" names the resource created by the POST with that bulkId.
inline constexpr std::string_view kBulkIdPrefix = "bulkId:";

// The limits the server enforces AND advertises in /ServiceProviderConfig (RFC 7643 §5
// bulk.maxOperations / bulk.maxPayloadSize): the wiring builds ScimCapabilities from them and
// the handler checks the same numbers.
inline constexpr int kBulkMaxOperations = 1000;
inline constexpr int64_t kBulkMaxPayloadBytes = int64_t{1} << 20;  // 1 MiB

struct BulkLimits {
  int max_operations = kBulkMaxOperations;
  int64_t max_payload_bytes = kBulkMaxPayloadBytes;
};

// The limits for a server whose HTTP layer rejects bodies over `max_body_bytes`: the payload
// limit never promises more than the server accepts. Pure.
BulkLimits BulkLimitsFor(size_t max_body_bytes);

// RFC 7644 §3.7.4: OK when a body of `bytes` is within limits.max_payload_bytes; else TooLarge
// (413) tagged tooLarge, naming the limit. Pure.
Status CheckBulkPayloadSize(size_t bytes, const BulkLimits& limits);

enum class BulkMethod { kPost, kPut, kPatch, kDelete };

// "POST", "PUT", "PATCH", "DELETE".
const char* BulkMethodName(BulkMethod method);

// One entry of "Operations", checked.
struct BulkOperation {
  BulkMethod method = BulkMethod::kPost;
  std::optional<std::string> bulk_id;  // required for POST; echoed in the response
  std::optional<std::string> version;  // an ETag: If-Match for PUT, PATCH and DELETE
  std::string path;                    // as sent: "/Users" or "/Groups/{id}"
  const ResourceType* type = nullptr;  // UserResourceType() or GroupResourceType()
  // PUT, PATCH, DELETE: the id segment of `path`, which may itself be "bulkId:<ref>". POST: "".
  std::string id;
  Json data;  // POST, PUT, PATCH: the body (an object); DELETE: null
  // The bulkIds this operation refers to (in `id` and anywhere in `data`), each once, in the
  // order they first appear. They must be resolved before it runs.
  std::vector<std::string> references;
};

struct BulkRequest {
  std::optional<int64_t> fail_on_errors;  // >= 1 when given
  std::vector<BulkOperation> operations;
};

// Parses a BulkRequest body (RFC 7644 §3.7). Member names are matched ASCII case-insensitively
// (RFC 7643 §2.1); `method` in any case. An empty Operations array is a valid no-op.
//
// Errors:
//   TooLarge (413) tagged tooLarge: more than limits.max_operations operations (checked before
//     any operation is looked at);
//   InvalidArgument tagged invalidSyntax: the body or an operation not an object, Operations
//     missing or not an array, a member given twice or of the wrong JSON type, data missing for
//     POST/PUT/PATCH;
//   InvalidArgument tagged invalidValue: schemas without kBulkRequestUrn, failOnErrors < 1, an
//     unknown method, a POST without bulkId, an empty or duplicate bulkId, a path that is not
//     "/Users" / "/Groups" for POST or "/Users/{id}" / "/Groups/{id}" for the others.
// Messages of per-operation errors start with "Operations[i]: ". Pure; thread-safe.
StatusOr<BulkRequest> ParseBulkRequest(const Json& body, const BulkLimits& limits);

// The bulkId a value refers to: "bulkId:qwerty" → "qwerty"; nullopt for anything else
// (including a bare "bulkId:").
std::optional<std::string_view> BulkIdReference(std::string_view value);

// `value` with every string that is a bulkId reference whose bulkId is in `ids` replaced by the
// mapped resource id, at any depth (group members' value, the enterprise manager.value, PATCH
// values). References not in `ids` are left as they are. Pure.
Json ResolveBulkIds(const Json& value, const std::map<std::string, std::string>& ids);

}  // namespace portico::scim
