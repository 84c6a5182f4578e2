#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "portico/status.h"
#include "scim/bulk/bulk_request.h"
#include "scim/scim_service.h"

namespace portico::scim {

// What happened to one operation of a bulk request (RFC 7644 §3.7.3).
struct BulkOperationResult {
  size_t index = 0;  // position in the request's Operations
  BulkMethod method = BulkMethod::kPost;
  std::optional<std::string> bulk_id;   // echoed from the request
  std::optional<std::string> version;   // the ETag after a successful POST, PUT or PATCH
  std::optional<std::string> location;  // absolute URL of the resource, when known
  int status = 0;                       // on success: 201 (POST), 200 (PUT, PATCH), 204 (DELETE)
  // Non-OK when the operation failed: the error as the same request on its own would have
  // answered (the SCIM error mapping gives its HTTP status and body). An unresolvable bulkId
  // reference is Aborted (409) tagged invalidValue.
  Status error;
};

struct BulkResult {
  // The operations that were attempted, in request order. After failOnErrors errors the rest
  // are not attempted and not listed.
  std::vector<BulkOperationResult> operations;
  int errors = 0;
};

// Executes SCIM bulk requests (RFC 7644 §3.7) against a ScimService. Stateless; `scim` must
// outlive it.
class BulkService {
 public:
  explicit BulkService(ScimService& scim) : scim_(scim) {}

  // Runs the operations for `caller` and reports each one; never fails as a whole (per-
  // operation failures are in the result).
  //
  // Each operation is its own transaction, as the same request sent alone would be: RFC 7644
  // §3.7 does not make a bulk request atomic, so operations that succeeded stay done when a
  // later one fails.
  //
  // Order: operations run in request order, except that an operation referring to
  // "bulkId:<id>" (in its path or anywhere in its data) first runs the POST with that bulkId
  // if it has not run yet (RFC 7644 §3.7.2 lets the service provider reorder), so forward
  // references work. A reference to a bulkId no POST carries, to a POST that failed, or in a
  // cycle (including an operation referring to its own bulkId) fails that operation with 409
  // invalidValue (RFC 7644 §3.7.1 allows giving up on circular references) and the others go
  // on. Resolution is iterative: a chain of maxOperations references needs no deep stack.
  //
  // failOnErrors: once that many operations have failed, nothing more is attempted.
  // Passwords in the data are hashed inline (slow): call it off the reactor threads then.
  // Thread-safe.
  BulkResult Execute(const ScimCaller& caller, const BulkRequest& request);

 private:
  ScimService& scim_;
};

}  // namespace portico::scim
