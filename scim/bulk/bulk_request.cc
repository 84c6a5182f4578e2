#include "scim/bulk/bulk_request.h"

#include <algorithm>
#include <set>
#include <utility>

#include "scim/scim_errors.h"

namespace portico::scim {
namespace {

// "Operations[2]: …", keeping code and tag.
Status AtOperation(size_t index, const Status& status) {
  return Status(status.code(), "Operations[" + std::to_string(index) + "]: " + status.message())
      .WithTag(status.tag());
}

// Member `name` of an object, ASCII case-insensitively (RFC 7643 §2.1); nullptr when absent.
// InvalidArgument (invalidSyntax) when it is given twice in different spellings.
StatusOr<const Json*> Member(const Json& object, std::string_view name) {
  const Json* found = nullptr;
  for (const auto& [key, value] : object.as_object()) {
    if (!NameEquals(key, name)) continue;
    if (found != nullptr) {
      return BadRequest(kInvalidSyntax, "'" + std::string(name) + "' is given twice");
    }
    found = &value;
  }
  return found;
}

// An optional string member: nullopt when absent or null.
StatusOr<std::optional<std::string>> OptionalString(const Json& object, std::string_view name) {
  PORTICO_ASSIGN_OR_RETURN(const Json* value, Member(object, name));
  if (value == nullptr || value->is_null()) return std::optional<std::string>();
  if (!value->is_string()) {
    return BadRequest(kInvalidSyntax, "'" + std::string(name) + "' must be a string");
  }
  return std::optional<std::string>(value->as_string());
}

Status CheckSchemas(const Json& body) {
  PORTICO_ASSIGN_OR_RETURN(const Json* schemas, Member(body, "schemas"));
  if (schemas != nullptr && schemas->is_array()) {
    for (const Json& urn : schemas->as_array()) {
      if (urn.is_string() && NameEquals(urn.as_string(), kBulkRequestUrn)) return Status::Ok();
    }
  }
  return BadRequest(kInvalidValue, "'schemas' must contain " + std::string(kBulkRequestUrn));
}

std::optional<BulkMethod> ParseMethod(std::string_view name) {
  for (BulkMethod m :
       {BulkMethod::kPost, BulkMethod::kPut, BulkMethod::kPatch, BulkMethod::kDelete}) {
    if (NameEquals(name, BulkMethodName(m))) return m;
  }
  return std::nullopt;
}

// Splits "/Users" or "/Users/{id}" into its resource type and id ("" when there is none).
// nullopt for any other shape (a base URL, more segments, an unknown endpoint).
std::optional<std::pair<const ResourceType*, std::string>> SplitPath(std::string_view path) {
  for (const ResourceType* type : AllResourceTypes()) {
    const std::string& endpoint = type->endpoint();
    if (path.substr(0, endpoint.size()) != endpoint) continue;
    std::string_view rest = path.substr(endpoint.size());
    if (rest.empty()) return std::make_pair(type, std::string());
    if (rest.front() != '/') continue;
    rest.remove_prefix(1);
    if (rest.empty() || rest.find('/') != std::string_view::npos) return std::nullopt;
    return std::make_pair(type, std::string(rest));
  }
  return std::nullopt;
}

void CollectReferences(const Json& value, std::vector<std::string>& out) {
  switch (value.type()) {
    case Json::Type::kString:
      if (std::optional<std::string_view> ref = BulkIdReference(value.as_string())) {
        if (std::find(out.begin(), out.end(), *ref) == out.end()) out.emplace_back(*ref);
      }
      break;
    case Json::Type::kArray:
      for (const Json& item : value.as_array()) CollectReferences(item, out);
      break;
    case Json::Type::kObject:
      for (const auto& member : value.as_object()) CollectReferences(member.second, out);
      break;
    default:
      break;
  }
}

StatusOr<BulkOperation> ParseOperation(const Json& entry) {
  if (!entry.is_object()) return BadRequest(kInvalidSyntax, "an operation must be an object");
  BulkOperation op;
  PORTICO_ASSIGN_OR_RETURN(std::optional<std::string> method, OptionalString(entry, "method"));
  if (!method) return BadRequest(kInvalidValue, "'method' is required");
  std::optional<BulkMethod> parsed = ParseMethod(*method);
  if (!parsed) {
    return BadRequest(kInvalidValue,
                      "'method' must be POST, PUT, PATCH or DELETE, not '" + *method + "'");
  }
  op.method = *parsed;
  PORTICO_ASSIGN_OR_RETURN(op.bulk_id, OptionalString(entry, "bulkId"));
  if (op.bulk_id && op.bulk_id->empty()) return BadRequest(kInvalidValue, "'bulkId' is empty");
  if (op.method == BulkMethod::kPost && !op.bulk_id) {
    return BadRequest(kInvalidValue, "'bulkId' is required for POST (RFC 7644 §3.7)");
  }
  PORTICO_ASSIGN_OR_RETURN(op.version, OptionalString(entry, "version"));
  PORTICO_ASSIGN_OR_RETURN(std::optional<std::string> path, OptionalString(entry, "path"));
  if (!path) return BadRequest(kInvalidValue, "'path' is required");
  op.path = *path;
  auto split = SplitPath(op.path);
  const bool wants_id = op.method != BulkMethod::kPost;
  if (!split || split->second.empty() == wants_id) {
    return BadRequest(kInvalidValue,
                      wants_id ? "the path of a " + std::string(BulkMethodName(op.method)) +
                                     " must name one resource, as /Users/{id} or /Groups/{id}"
                               : std::string("the path of a POST must be /Users or /Groups"));
  }
  op.type = split->first;
  op.id = std::move(split->second);
  if (std::optional<std::string_view> ref = BulkIdReference(op.id)) {
    op.references.emplace_back(*ref);
  }
  PORTICO_ASSIGN_OR_RETURN(const Json* data, Member(entry, "data"));
  if (op.method != BulkMethod::kDelete) {
    if (data == nullptr || !data->is_object()) {
      return BadRequest(kInvalidSyntax,
                        std::string("'data' must be an object for a ") + BulkMethodName(op.method));
    }
    op.data = *data;
    CollectReferences(op.data, op.references);
  }
  return op;
}

}  // namespace

BulkLimits BulkLimitsFor(size_t max_body_bytes) {
  BulkLimits limits;
  limits.max_payload_bytes =
      std::min<int64_t>(kBulkMaxPayloadBytes, static_cast<int64_t>(max_body_bytes));
  return limits;
}

Status CheckBulkPayloadSize(size_t bytes, const BulkLimits& limits) {
  if (static_cast<int64_t>(bytes) <= limits.max_payload_bytes) return Status::Ok();
  return TooLarge("the size of the bulk request exceeds maxPayloadSize (" +
                  std::to_string(limits.max_payload_bytes) + " bytes)")
      .WithTag(std::string(kTooLarge));
}

const char* BulkMethodName(BulkMethod method) {
  switch (method) {
    case BulkMethod::kPost:
      return "POST";
    case BulkMethod::kPut:
      return "PUT";
    case BulkMethod::kPatch:
      return "PATCH";
    case BulkMethod::kDelete:
      return "DELETE";
  }
  return "POST";
}

StatusOr<BulkRequest> ParseBulkRequest(const Json& body, const BulkLimits& limits) {
  if (!body.is_object()) {
    return BadRequest(kInvalidSyntax, "the request body must be a JSON object");
  }
  PORTICO_ASSIGN_OR_RETURN(const Json* operations, Member(body, "Operations"));
  if (operations == nullptr) return BadRequest(kInvalidSyntax, "'Operations' is required");
  if (!operations->is_array()) {
    return BadRequest(kInvalidSyntax, "'Operations' must be an array of operations");
  }
  // RFC 7644 §3.7.4: counted before anything else, so an oversized job is refused cheaply.
  if (operations->as_array().size() > static_cast<size_t>(limits.max_operations)) {
    return TooLarge("the number of operations exceeds maxOperations (" +
                    std::to_string(limits.max_operations) + ")")
        .WithTag(std::string(kTooLarge));
  }
  PORTICO_RETURN_IF_ERROR(CheckSchemas(body));
  BulkRequest request;
  PORTICO_ASSIGN_OR_RETURN(const Json* fail_on_errors, Member(body, "failOnErrors"));
  if (fail_on_errors != nullptr && !fail_on_errors->is_null()) {
    if (!fail_on_errors->is_int()) {
      return BadRequest(kInvalidSyntax, "'failOnErrors' must be an integer");
    }
    if (fail_on_errors->as_int() < 1) {
      return BadRequest(kInvalidValue, "'failOnErrors' must be at least 1");
    }
    request.fail_on_errors = fail_on_errors->as_int();
  }
  std::set<std::string> bulk_ids;
  const Json::Array& entries = operations->as_array();
  request.operations.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    StatusOr<BulkOperation> op = ParseOperation(entries[i]);
    if (!op.ok()) return AtOperation(i, op.status());
    // RFC 7644 §3.7: a bulkId is unique within a bulk request.
    if (op->bulk_id && !bulk_ids.insert(*op->bulk_id).second) {
      return AtOperation(i, BadRequest(kInvalidValue, "bulkId '" + *op->bulk_id +
                                                          "' is used by another operation"));
    }
    request.operations.push_back(std::move(op).value());
  }
  return request;
}

std::optional<std::string_view> BulkIdReference(std::string_view value) {
  if (value.size() <= kBulkIdPrefix.size() ||
      value.substr(0, kBulkIdPrefix.size()) != kBulkIdPrefix) {
    return std::nullopt;
  }
  return value.substr(kBulkIdPrefix.size());
}

Json ResolveBulkIds(const Json& value, const std::map<std::string, std::string>& ids) {
  switch (value.type()) {
    case Json::Type::kString: {
      std::optional<std::string_view> ref = BulkIdReference(value.as_string());
      if (!ref) return value;
      auto it = ids.find(std::string(*ref));
      return it == ids.end() ? value : Json(it->second);
    }
    case Json::Type::kArray: {
      Json out = Json::MakeArray();
      for (const Json& item : value.as_array()) out.Push(ResolveBulkIds(item, ids));
      return out;
    }
    case Json::Type::kObject: {
      Json::Object out;
      out.reserve(value.as_object().size());
      for (const auto& [key, member] : value.as_object()) {
        out.emplace_back(key, ResolveBulkIds(member, ids));
      }
      return Json(std::move(out));
    }
    default:
      return value;
  }
}

}  // namespace portico::scim
