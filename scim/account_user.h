#pragma once

#include "portico/account_store.h"
#include "portico/json.h"
#include "scim/directory_store.h"

namespace portico::scim {

// How an account of the shared user store (portico/account_store.h) is a
// SCIM User, in one place for every AccountStore implementation:
//   userName = email, emails = [{value: email, primary: true}], active,
//   displayName and name.formatted = name (when there is one),
//   roles = [{value: role}, …] (when there are any).
// The record is version 1, created and last modified at created_at.
ResourceRecord AccountUserRecord(const UserAccount& account);

// Reads an account's email, name and roles back from a User document,
// whoever wrote it (SCIM clients included): email = the primary email, else
// the first, else userName; name = displayName, else name.formatted, else "";
// roles = the `value` of each roles entry that has one. Pure.
void ReadAccountUser(const Json& document, UserAccount& account);

}  // namespace portico::scim
