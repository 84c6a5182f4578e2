#pragma once

#include "portico/json.h"
#include "portico/status.h"

namespace portico::scim {

// The tenant settings document that holds a tenant's SCIM settings, seeded
// by signup provisioning (detectors_seeded_at) and edited through
// /api/tenant/scim-settings.
inline constexpr char kScimSettingName[] = "scim.settings";

struct TenantScimSettings {
  // Whether the identity provider may set passwords (Okta's "push password"):
  // off for tenants whose users sign in only through their IdP, so that no
  // SCIM client can plant a password beside single sign-on.
  bool password_sync = true;
};

// The settings from a "scim.settings" document (nullptr: none stored, the
// defaults). Members (all optional): passwordSync (boolean). InvalidArgument
// naming the member when one is malformed or unknown. Pure.
StatusOr<TenantScimSettings> ParseTenantScimSettings(const Json* document);

// The document with every member explicit, as seeded for new tenants.
Json TenantScimSettingsJson(const TenantScimSettings& settings);

}  // namespace portico::scim
