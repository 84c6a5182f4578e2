#include "scim/tenant_scim_settings.h"

#include <string>

namespace portico::scim {

StatusOr<TenantScimSettings> ParseTenantScimSettings(const Json* document) {
  TenantScimSettings settings;
  if (document == nullptr) return settings;
  if (!document->is_object()) return InvalidArgument("the SCIM settings must be a JSON object");
  for (const auto& [name, value] : document->as_object()) {
    if (name == "passwordSync") {
      if (!value.is_bool()) return InvalidArgument("passwordSync must be a boolean");
      settings.password_sync = value.as_bool();
    } else {
      return InvalidArgument("unknown SCIM setting \"" + name + "\" (known: passwordSync)");
    }
  }
  return settings;
}

Json TenantScimSettingsJson(const TenantScimSettings& settings) {
  Json document = Json::MakeObject();
  document.Set("passwordSync", settings.password_sync);
  return document;
}

}  // namespace portico::scim
