#include "portico/credential.h"

namespace portico {

const char* CredentialKindName(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::kIntegrationKey:
      return "integration_key";
    case CredentialKind::kBootstrapToken:
      return "bootstrap_token";
    case CredentialKind::kPublicLoginToken:
      return "public_login_token";
  }
  return "integration_key";
}

std::optional<CredentialKind> ParseCredentialKind(std::string_view name) {
  for (const CredentialKind kind :
       {CredentialKind::kIntegrationKey, CredentialKind::kBootstrapToken,
        CredentialKind::kPublicLoginToken}) {
    if (name == CredentialKindName(kind)) return kind;
  }
  return std::nullopt;
}

const std::vector<std::string>& KnownCredentialScopes() {
  static const std::vector<std::string> kScopes = {kScopeScimRead, kScopeScimWrite,
                                                   kScopeDcrRegister, kScopeTenantAdmin,
                                                   kScopeSignupPublic};
  return kScopes;
}

std::vector<std::string> DefaultScopes(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::kIntegrationKey:
      return {kScopeScimRead, kScopeScimWrite, kScopeDcrRegister};
    case CredentialKind::kBootstrapToken:
      return {kScopeDcrRegister};
    case CredentialKind::kPublicLoginToken:
      return {kScopeSignupPublic};
  }
  return {};
}

}  // namespace portico
