// Parsing and normalising a PATCH body (RFC 7644 §3.5.2) into strict PatchOperations.
#include <string>
#include <utility>

#include "scim/patch/compat.h"
#include "scim/patch/patch.h"
#include "scim/scim_errors.h"

namespace portico::scim {

const char* PatchOpName(PatchOpKind op) {
  switch (op) {
    case PatchOpKind::kAdd:
      return "add";
    case PatchOpKind::kRemove:
      return "remove";
    case PatchOpKind::kReplace:
      return "replace";
  }
  return "add";
}

namespace {

// "Operations[2]: …", keeping tag and details.
Status AtOperation(size_t index, const Status& status) {
  return Status(status.code(), "Operations[" + std::to_string(index) + "]: " + status.message())
      .WithTag(status.tag())
      .WithDetails(status.details())
      .WithInternal(status.internal());
}

// Member `name` of an object, ASCII case-insensitively: clients spell "Operations" and "op"
// in more than one way. InvalidArgument (invalidSyntax) when it is given twice.
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

class RequestParser {
 public:
  explicit RequestParser(const ResourceType& type) : type_(type) {}

  StatusOr<PatchRequest> Parse(const Json& body) {
    if (!body.is_object()) {
      return BadRequest(kInvalidSyntax, "the request body must be a JSON object");
    }
    PORTICO_ASSIGN_OR_RETURN(const Json* schemas, Member(body, "schemas"));
    PORTICO_RETURN_IF_ERROR(CheckSchemas(schemas));
    PORTICO_ASSIGN_OR_RETURN(const Json* operations, Member(body, "Operations"));
    if (operations == nullptr) return BadRequest(kInvalidSyntax, "'Operations' is required");
    if (!operations->is_array()) {
      return BadRequest(kInvalidSyntax, "'Operations' must be an array of operations");
    }
    for (size_t i = 0; i < operations->as_array().size(); ++i) {
      Status status = ParseOperation(i, operations->as_array()[i]);
      if (!status.ok()) return AtOperation(i, status);
    }
    return std::move(request_);
  }

 private:
  static Status CheckSchemas(const Json* schemas) {
    if (schemas != nullptr && schemas->is_array()) {
      for (const Json& urn : schemas->as_array()) {
        if (urn.is_string() && NameEquals(urn.as_string(), kPatchOpSchemaUrn)) return Status::Ok();
      }
    }
    return BadRequest(kInvalidValue, "'schemas' must contain " + std::string(kPatchOpSchemaUrn));
  }

  Status ParseOperation(size_t index, const Json& operation) {
    if (!operation.is_object()) return BadRequest(kInvalidSyntax, "an operation must be an object");
    PORTICO_ASSIGN_OR_RETURN(const Json* op_name, Member(operation, "op"));
    if (op_name == nullptr || !op_name->is_string()) {
      return BadRequest(kInvalidSyntax, "'op' must be \"add\", \"remove\" or \"replace\"");
    }
    std::optional<PatchOpKind> op = ParsePatchOpName(op_name->as_string());
    if (!op) {
      return BadRequest(kInvalidSyntax, "unknown op \"" + op_name->as_string() +
                                            "\"; expected \"add\", \"remove\" or \"replace\"");
    }
    PORTICO_ASSIGN_OR_RETURN(const Json* path, Member(operation, "path"));
    if (path != nullptr && !path->is_null() && !path->is_string()) {
      return BadRequest(kInvalidPath, "'path' must be a string");
    }
    // An empty path is no path (some clients send "path": "").
    const bool has_path = path != nullptr && path->is_string() && !path->as_string().empty();
    PORTICO_ASSIGN_OR_RETURN(const Json* value, Member(operation, "value"));
    if (*op != PatchOpKind::kRemove && value == nullptr) {
      return BadRequest(kInvalidValue,
                        std::string("op \"") + PatchOpName(*op) + "\" requires a 'value'");
    }
    std::optional<Json> given;
    if (value != nullptr) given = *value;

    if (!has_path) {
      // RFC 7644 §3.5.2.2: remove without path fails with noTarget.
      if (*op == PatchOpKind::kRemove) {
        return BadRequest(kNoTarget, "op \"remove\" requires a 'path'");
      }
      return ExpandPathless(index, *op, *value);
    }
    const std::string& text = path->as_string();
    if (const SchemaExtension* ext = type_.FindExtension(text)) {
      return ExpandExtension(index, *op, *ext->schema, given);
    }
    return AddOperation(index, *op, text, std::move(given));
  }

  // RFC 7644 §3.5.2.1 / §3.5.2.3: without path the value holds the attributes to add or replace.
  Status ExpandPathless(size_t index, PatchOpKind op, const Json& value) {
    if (!value.is_object()) {
      return BadRequest(kInvalidValue, std::string("op \"") + PatchOpName(op) +
                                           "\" without 'path' needs an object of attributes");
    }
    for (const auto& [key, attr_value] : value.as_object()) {
      // Okta sends the group's own id in a path-less replace; schemas is an echo of the resource.
      if (NameEquals(key, "id") || NameEquals(key, "schemas")) continue;
      if (const SchemaExtension* ext = type_.FindExtension(key)) {
        PORTICO_RETURN_IF_ERROR(ExpandExtension(index, op, *ext->schema, attr_value));
        continue;
      }
      if (NameEquals(key, type_.core().id)) {  // the core schema URN holding core attributes
        if (attr_value.is_null()) continue;
        PORTICO_RETURN_IF_ERROR(ExpandPathless(index, op, attr_value));
        continue;
      }
      PORTICO_RETURN_IF_ERROR(AddOperation(index, op, key, attr_value));
    }
    return Status::Ok();
  }

  // A whole extension (`"urn:…:enterprise:2.0:User": {…}` as a path-less key, or as the path):
  // one operation per attribute given; remove (or replace with null) unassigns all of them.
  Status ExpandExtension(size_t index, PatchOpKind op, const SchemaDef& schema,
                         const std::optional<Json>& value) {
    if (op == PatchOpKind::kRemove || (op == PatchOpKind::kReplace && value->is_null())) {
      for (const AttributeDef& attr : schema.attributes) {
        if (attr.mutability == Mutability::kReadOnly) continue;
        PORTICO_RETURN_IF_ERROR(
            AddOperation(index, PatchOpKind::kRemove, schema.id + ":" + attr.name, std::nullopt));
      }
      return Status::Ok();
    }
    if (value->is_null()) return Status::Ok();  // add null: nothing to add
    if (!value->is_object()) {
      return BadRequest(kInvalidValue, "the value of schema '" + schema.id + "' must be an object");
    }
    for (const auto& [key, attr_value] : value->as_object()) {
      PORTICO_RETURN_IF_ERROR(AddOperation(index, op, schema.id + ":" + key, attr_value));
    }
    return Status::Ok();
  }

  Status AddOperation(size_t index, PatchOpKind op, const std::string& path_text,
                      std::optional<Json> value) {
    PORTICO_ASSIGN_OR_RETURN(PatchPath path, ParsePatchPath(path_text, type_));
    if (path.value_filter && !path.attr.multi_valued) {
      return BadRequest(kInvalidPath, "'" + path_text +
                                          "': a [ ] filter selects values of a multi-valued "
                                          "attribute only");
    }
    request_.operations.push_back(PatchOperation{
        .op = op,
        .path = std::move(path),
        .path_text = path_text,
        .index = index,
        .value = std::move(value),
    });
    return Status::Ok();
  }

  const ResourceType& type_;
  PatchRequest request_;
};

}  // namespace

StatusOr<PatchRequest> ParsePatchRequest(const Json& body, const ResourceType& type) {
  return RequestParser(type).Parse(body);
}

}  // namespace portico::scim
