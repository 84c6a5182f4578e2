#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "portico/json.h"
#include "scim/schema/resource_type.h"

namespace portico::scim {

inline constexpr std::string_view kSchemaSchemaUrn = "urn:ietf:params:scim:schemas:core:2.0:Schema";
inline constexpr std::string_view kResourceTypeSchemaUrn =
    "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
inline constexpr std::string_view kServiceProviderConfigSchemaUrn =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
inline constexpr std::string_view kListResponseUrn =
    "urn:ietf:params:scim:api:messages:2.0:ListResponse";

// What the service provider offers; ServiceProviderConfig is rendered from it
// and the handlers enforce the same numbers.
struct ScimCapabilities {
  bool bulk_supported = false;
  int bulk_max_operations = 0;
  int64_t bulk_max_payload_bytes = 0;
  int filter_max_results = 1000;  // RFC 7644 §3.4.2.4 count ceiling
  int default_page_size = 100;
  int cursor_timeout_seconds = 3600;  // RFC 9865 cursorTimeout
  std::string documentation_uri;
};

// RFC 7643 §5. `base_url` is PUBLIC_BASE_URL + "/scim/v2".
Json ServiceProviderConfigJson(const ScimCapabilities& caps, std::string_view base_url);

// RFC 7643 §6 and §7 representations, generated from the definitions.
Json ResourceTypeJson(const ResourceType& type, std::string_view base_url);
Json SchemaJson(const SchemaDef& schema, std::string_view base_url);

// RFC 7644 §4: a ListResponse over the given resources (no paging needed).
Json ListOf(Json::Array resources);

}  // namespace portico::scim
