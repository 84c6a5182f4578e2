#include "scim/account_user.h"

#include <string>
#include <utility>

namespace portico::scim {
namespace {

const std::string* StringMember(const Json& object, std::string_view name) {
  const Json* value = object.is_object() ? object.Find(name) : nullptr;
  return value != nullptr && value->is_string() ? &value->as_string() : nullptr;
}

std::string AccountEmail(const Json& document) {
  const Json* emails = document.Find("emails");
  if (emails != nullptr && emails->is_array()) {
    const std::string* first = nullptr;
    for (const Json& e : emails->as_array()) {
      const std::string* value = StringMember(e, "value");
      if (value == nullptr) continue;
      const Json* primary = e.Find("primary");
      if (primary != nullptr && primary->is_bool() && primary->as_bool()) return *value;
      if (first == nullptr) first = value;
    }
    if (first != nullptr) return *first;
  }
  const std::string* user_name = StringMember(document, "userName");
  return user_name != nullptr ? *user_name : "";
}

std::string AccountName(const Json& document) {
  if (const std::string* display = StringMember(document, "displayName")) return *display;
  if (const Json* name = document.Find("name")) {
    if (const std::string* formatted = StringMember(*name, "formatted")) return *formatted;
  }
  return "";
}

}  // namespace

ResourceRecord AccountUserRecord(const UserAccount& account) {
  Json email = Json::MakeObject();
  email.Set("value", account.email).Set("primary", true);
  Json emails = Json::MakeArray();
  emails.Push(std::move(email));
  Json document = Json::MakeObject();
  document.Set("userName", account.email)
      .Set("emails", std::move(emails))
      .Set("active", account.active);
  if (!account.name.empty()) {
    Json name = Json::MakeObject();
    name.Set("formatted", account.name);
    document.Set("displayName", account.name).Set("name", std::move(name));
  }
  if (!account.roles.empty()) {
    Json roles = Json::MakeArray();
    for (const std::string& role : account.roles) roles.Push(Json::MakeObject().Set("value", role));
    document.Set("roles", std::move(roles));
  }
  ResourceRecord record;
  record.id = account.id;
  record.tenant_id = account.tenant_id;
  record.document = std::move(document);
  record.version = 1;
  record.created_at = account.created_at;
  record.updated_at = account.created_at;
  return record;
}

void ReadAccountUser(const Json& document, UserAccount& account) {
  account.email = AccountEmail(document);
  account.name = AccountName(document);
  account.roles.clear();
  if (const Json* roles = document.Find("roles"); roles != nullptr && roles->is_array()) {
    for (const Json& role : roles->as_array()) {
      if (const std::string* value = StringMember(role, "value")) account.roles.push_back(*value);
    }
  }
}

}  // namespace portico::scim
