#pragma once

#include "portico/database.h"
#include "signup/account/auth_settings.h"
#include "src/http/router.h"
#include "src/tenant_api/tenant_credentials.h"

namespace portico::signup {

inline constexpr char kAuthSettingsPath[] = "/api/tenant/auth-settings";
inline constexpr char kPasswordPolicyPath[] = "/api/tenant/password-policy";

// A tenant's account sign-up settings, through the tenant API with a
// tenant:admin integration key (401 without one, 403 without the scope;
// errors as {"error", "error_description"}, validation errors 400 naming the
// member; bodies application/json, 415 otherwise; answers Cache-Control: no-store):
//   GET /api/tenant/auth-settings     AuthSettingsJson of the stored settings
//                                     (the defaults when none), never the secret
//   PUT /api/tenant/auth-settings     ParseAuthSettings rules; captcha.secret may
//                                     be left out to keep the stored one (same
//                                     provider and verifyUrl); answers what GET would
//   GET /api/tenant/password-policy   the effective policy, every member
//                                     (PasswordPolicyJson; defaults when none)
//   PUT /api/tenant/password-policy   ParsePasswordPolicy rules; stores the document
//                                     as given (absent members follow the server's
//                                     defaults) and answers the effective policy
// `db`, `storage` and `credentials` must outlive the router. The handlers make short
// database calls on the reactor thread, like the other tenant API routes.
void AddAuthSettingsRoutes(http::Router& router, Database& db, const AuthSettingsStorage& storage,
                           const tenant_api::TenantCredentials& credentials);

}  // namespace portico::signup
