#include "wellknown/authorization_server_metadata.h"

#include <string_view>

namespace portico::wellknown {
namespace {

void SetUrl(Json& doc, std::string_view name, const std::string& url) {
  if (!url.empty()) doc.Set(name, url);
}

void SetList(Json& doc, std::string_view name, const std::vector<std::string>& values) {
  if (values.empty()) return;
  Json list = Json::MakeArray();
  for (const std::string& v : values) list.Push(v);
  doc.Set(name, std::move(list));
}

}  // namespace

Json AuthorizationServerMetadata(const AuthorizationServerInfo& info) {
  Json doc = Json::MakeObject();
  doc.Set("issuer", info.issuer);
  SetUrl(doc, "registration_endpoint", info.registration_endpoint);
  SetUrl(doc, "token_endpoint", info.token_endpoint);
  SetUrl(doc, "jwks_uri", info.jwks_uri);
  SetUrl(doc, "introspection_endpoint", info.introspection_endpoint);
  SetUrl(doc, "revocation_endpoint", info.revocation_endpoint);
  if (info.service_documentation) SetUrl(doc, "service_documentation", *info.service_documentation);
  SetList(doc, "scopes_supported", info.scopes_supported);
  // REQUIRED by RFC 8414 even when empty: a server without an authorization
  // endpoint supports no response type.
  Json response_types = Json::MakeArray();
  for (const std::string& r : info.response_types_supported) response_types.Push(r);
  doc.Set("response_types_supported", std::move(response_types));
  SetList(doc, "grant_types_supported", info.grant_types_supported);
  SetList(doc, "token_endpoint_auth_methods_supported", info.token_endpoint_auth_methods_supported);
  SetList(doc, "token_endpoint_auth_signing_alg_values_supported",
          info.token_endpoint_auth_signing_alg_values_supported);
  // Introspection and revocation always want an authenticated client.
  std::vector<std::string> authenticated;
  for (const std::string& m : info.token_endpoint_auth_methods_supported) {
    if (m != "none") authenticated.push_back(m);
  }
  if (!info.introspection_endpoint.empty()) {
    SetList(doc, "introspection_endpoint_auth_methods_supported", authenticated);
  }
  if (!info.revocation_endpoint.empty()) {
    SetList(doc, "revocation_endpoint_auth_methods_supported", authenticated);
  }
  SetList(doc, "code_challenge_methods_supported", info.code_challenge_methods_supported);
  return doc;
}

Json OpenIdConfiguration(const AuthorizationServerInfo& info) {
  Json doc = AuthorizationServerMetadata(info);
  Json subject_types = Json::MakeArray();
  subject_types.Push("public");
  doc.Set("subject_types_supported", std::move(subject_types));
  Json id_token_algs = Json::MakeArray();
  id_token_algs.Push("ES256");
  doc.Set("id_token_signing_alg_values_supported", std::move(id_token_algs));
  return doc;
}

}  // namespace portico::wellknown
