#include "scim/scim_service.h"

#include <algorithm>
#include <cassert>
#include <optional>
#include <string>
#include <utility>

#include "portico/parse_json.h"
#include "scim/patch/patch.h"
#include "scim/resource_validator.h"
#include "scim/scim_errors.h"
#include "scim/tenant_scim_settings.h"

namespace portico::scim {
namespace {

bool IsUser(const ResourceType& type) { return &type == &UserResourceType(); }

// No attributes / excludedAttributes: the full default representation.
bool IsPlain(const Projection& projection) {
  return projection.include.empty() && projection.exclude.empty();
}

// Users answered without projection are read as stored text and written out
// without a parse: the document is then copied, not parsed and re-rendered.
DocumentForm FormFor(const ResourceType& type, const Projection& projection) {
  return IsUser(type) && IsPlain(projection) ? DocumentForm::kText : DocumentForm::kParsed;
}

std::string Lowercase(std::string_view name) {
  std::string out(name);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

StatusOr<ResourceRecord> Find(Stores& stores, const ResourceType& type, const ScimCaller& caller,
                              std::string_view id) {
  return IsUser(type) ? stores.directory().FindUser(caller.tenant_id, id)
                      : stores.directory().FindGroup(caller.tenant_id, id);
}

// RFC 7232 §3.1: "*" or a list of entity tags, any of which may match.
Status CheckIfMatch(const Precondition& pre, int64_t version) {
  if (!pre.if_match) return Status::Ok();
  std::string_view rest = *pre.if_match;
  while (!rest.empty()) {
    const size_t comma = rest.find(',');
    std::string_view tag = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    if (tag == "*") return Status::Ok();
    if (ParseVersionTag(tag) == version) return Status::Ok();
  }
  return FailedPrecondition("the resource has changed since that version (If-Match)");
}

Status AsUniquenessError(Status status) {
  if (status.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("userName is already taken in this tenant")
        .WithTag(std::string(kUniqueness));
  }
  return status;
}

}  // namespace

ScimService::ScimService(Database& db, const CredentialIssuer& issuer, Clock& clock, Random& random,
                         PasswordHashFn hash_password, ScimSettings settings)
    : db_(db),
      issuer_(issuer),
      clock_(clock),
      random_(random),
      hash_password_(std::move(hash_password)),
      settings_(std::move(settings)) {}

StatusOr<ScimCaller> ScimService::Authenticate(std::optional<std::string_view> token,
                                               bool write) const {
  if (!token) return Unauthenticated("a Bearer integration key is required");
  PORTICO_ASSIGN_OR_RETURN(CredentialWithTenant found,
                           issuer_.VerifyWithTenant(db_, *token, CredentialKind::kIntegrationKey));
  if (found.tenant.status != "active") return Unauthenticated("invalid or expired credential");
  const auto& modules = found.tenant.modules;
  if (!modules.empty() && std::find(modules.begin(), modules.end(), "scim") == modules.end()) {
    return PermissionDenied("SCIM provisioning is not enabled for this tenant");
  }
  const char* scope = write ? kScopeScimWrite : kScopeScimRead;
  const auto& scopes = found.credential.scopes;
  if (std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
    return PermissionDenied(std::string("this key lacks the ") + scope + " scope");
  }
  if (settings_.on_authenticated) settings_.on_authenticated(found.tenant.id);
  return ScimCaller{found.tenant.id};
}

StatusOr<Json> ScimService::Render(Stores& stores, const ResourceType& type,
                                   ResourceRecord record, const Projection& projection,
                                   const std::vector<GroupRef>* groups_of_user) {
  Json resource;
  if (IsUser(type)) {
    std::optional<std::vector<GroupRef>> groups;
    if (groups_of_user == nullptr && projection.Wants(type, "groups")) {
      PORTICO_ASSIGN_OR_RETURN(groups,
                               stores.directory().GroupsOfUser(record.tenant_id, record.id));
      groups_of_user = &*groups;
    }
    resource = RenderUser(std::move(record), groups_of_user, settings_.base_url);
  } else {
    std::optional<Json::Array> members;
    if (projection.Wants(type, "members")) {
      members.emplace();
      PORTICO_RETURN_IF_ERROR(
          stores.directory().ForEachMember(record.tenant_id, record.id, [&](const MemberRecord& m) {
            members->push_back(MemberJson(m, settings_.base_url));
            return Status::Ok();
          }));
    }
    resource = RenderGroup(std::move(record), members ? &*members : nullptr, settings_.base_url);
  }
  ApplyProjection(projection, type, resource);
  return resource;
}

StatusOr<std::string> ScimService::RenderText(Stores& stores, const ResourceType& type,
                                              ResourceRecord record, const Projection& projection,
                                              const std::vector<GroupRef>* groups_of_user) {
  if (record.document.is_null()) {  // read as text (a parsed document is an object)
    assert(IsUser(type) && IsPlain(projection));
    if (groups_of_user != nullptr || !projection.Wants(type, "groups")) {
      if (std::optional<std::string> text =
              RenderUserText(record, groups_of_user, settings_.base_url)) {
        return std::move(*text);
      }
    }
    // Not in Dump's form (the server writes nothing else; an old or hand-edited row may be):
    // parsed after all.
    StatusOr<Json> parsed = ParseJson(record.document_text);
    if (!parsed.ok()) {
      return Internal("database error")
          .WithInternal("corrupt document of " + record.id + ": " + parsed.status().ToString());
    }
    record.document = std::move(parsed).value();
    record.document_text.clear();
  }
  PORTICO_ASSIGN_OR_RETURN(Json resource,
                           Render(stores, type, std::move(record), projection, groups_of_user));
  return resource.Dump();
}

StatusOr<std::vector<std::vector<GroupRef>>> ScimService::GroupsOfPage(
    Stores& stores, const ScimCaller& caller, const Page& users, const Projection& projection) {
  // A page's computed User.groups come from one query, not one per user.
  if (users.items.empty() || !projection.Wants(UserResourceType(), "groups")) {
    return std::vector<std::vector<GroupRef>>();
  }
  std::vector<std::string> ids;
  ids.reserve(users.items.size());
  for (const ResourceRecord& record : users.items) ids.push_back(record.id);
  return stores.directory().GroupsOfUsers(caller.tenant_id, ids);
}

Status ScimService::Audit(Stores& stores, const ScimCaller& caller, std::string_view event,
                          const ResourceType& type, std::string_view id, TimePoint now) {
  Json audit = Json::MakeObject();
  audit.Set("type", "scim." + Lowercase(type.name()) + "." + std::string(event))
      .Set("tenantId", caller.tenant_id)
      .Set("resourceType", type.name())
      .Set("id", id)
      .Set("at", FormatRfc3339(now));
  return stores.outbox().Enqueue("audit", audit.Dump(), now).status();
}

StatusOr<TenantScimSettings> ScimService::LoadTenantSettings(std::string_view tenant_id) {
  std::optional<Json> document;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(document, stores.tenant_settings().Get(tenant_id, kScimSettingName));
    return Status::Ok();
  }));
  return ParseTenantScimSettings(document ? &*document : nullptr);
}

StatusOr<std::string> ScimService::HashClientPassword(const ScimCaller& caller,
                                                      std::string_view password) {
  PORTICO_ASSIGN_OR_RETURN(TenantScimSettings tenant, LoadTenantSettings(caller.tenant_id));
  if (!tenant.password_sync) {
    return BadRequest(kInvalidValue,
                      "this tenant does not accept passwords over SCIM (passwordSync is off in "
                      "/api/tenant/scim-settings)");
  }
  return hash_password_(password);
}

StatusOr<Json> ScimService::GetTenantSettings(std::string_view tenant_id) {
  PORTICO_ASSIGN_OR_RETURN(TenantScimSettings settings, LoadTenantSettings(tenant_id));
  return TenantScimSettingsJson(settings);
}

StatusOr<Json> ScimService::PutTenantSettings(std::string_view tenant_id, const Json& document) {
  PORTICO_ASSIGN_OR_RETURN(TenantScimSettings settings, ParseTenantScimSettings(&document));
  Json explicit_document = TenantScimSettingsJson(settings);
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) {
    return stores.tenant_settings().Put(tenant_id, kScimSettingName, explicit_document);
  }));
  return explicit_document;
}

StatusOr<ScimService::Written> ScimService::Create(const ScimCaller& caller,
                                                   const ResourceType& type, const Json& body,
                                                   const Projection& projection) {
  PORTICO_ASSIGN_OR_RETURN(ValidatedResource valid, ValidateResource(body, type));
  std::optional<std::string> password_hash;
  if (valid.password) {
    PORTICO_ASSIGN_OR_RETURN(password_hash, HashClientPassword(caller, *valid.password));
  }
  const TimePoint now = clock_.Now();
  ResourceRecord record{.id = NewUuid(random_),
                        .tenant_id = caller.tenant_id,
                        .document = std::move(valid.document),
                        .version = 1,
                        .created_at = now,
                        .updated_at = now};
  Written written{.resource = Json(), .version = record.version};
  PORTICO_RETURN_IF_ERROR(db_.Transact([&](Stores& stores) -> Status {
    if (IsUser(type)) {
      PORTICO_RETURN_IF_ERROR(
          AsUniquenessError(stores.directory().InsertUser(record, password_hash)));
    } else {
      PORTICO_RETURN_IF_ERROR(stores.directory().InsertGroup(record, valid.members));
    }
    PORTICO_RETURN_IF_ERROR(Audit(stores, caller, "created", type, record.id, now));
    PORTICO_ASSIGN_OR_RETURN(written.resource, Render(stores, type, record, projection));
    return Status::Ok();
  }));
  return written;
}

StatusOr<ScimService::Written> ScimService::Get(const ScimCaller& caller, const ResourceType& type,
                                                std::string_view id, const Projection& projection) {
  Written written;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    if (IsUser(type) && projection.Wants(type, "groups")) {
      // The user and its groups in one round trip.
      const DocumentForm form = FormFor(type, projection);
      PORTICO_ASSIGN_OR_RETURN(DirectoryStore::UserWithGroups found,
                               stores.directory().FindUserWithGroups(caller.tenant_id, id, form));
      written.version = found.user.version;
      if (form == DocumentForm::kText) {
        PORTICO_ASSIGN_OR_RETURN(written.text, RenderText(stores, type, std::move(found.user),
                                                          projection, &found.groups));
        return Status::Ok();
      }
      PORTICO_ASSIGN_OR_RETURN(
          written.resource, Render(stores, type, std::move(found.user), projection, &found.groups));
      return Status::Ok();
    }
    StatusOr<ResourceRecord> record = Find(stores, type, caller, id);
    if (!record.ok()) return record.status();
    written.version = record->version;
    PORTICO_ASSIGN_OR_RETURN(written.resource,
                             Render(stores, type, std::move(*record), projection));
    return Status::Ok();
  }));
  return written;
}

StatusOr<ScimService::Written> ScimService::Replace(const ScimCaller& caller,
                                                    const ResourceType& type, std::string_view id,
                                                    const Json& body, const Precondition& pre,
                                                    const Projection& projection) {
  PORTICO_ASSIGN_OR_RETURN(ValidatedResource valid, ValidateResource(body, type));
  std::optional<std::string> password_hash;
  if (valid.password) {
    PORTICO_ASSIGN_OR_RETURN(password_hash, HashClientPassword(caller, *valid.password));
  }
  Written written;
  // Without If-Match the last writer wins: a concurrent update (Aborted) is retried.
  for (int attempt = 0;; ++attempt) {
    const TimePoint now = clock_.Now();
    Status status = db_.Transact([&](Stores& stores) -> Status {
      StatusOr<ResourceRecord> existing = Find(stores, type, caller, id);
      if (!existing.ok()) return existing.status();
      PORTICO_RETURN_IF_ERROR(CheckIfMatch(pre, existing->version));
      ResourceRecord record = *existing;
      record.document = valid.document;
      record.version = existing->version + 1;
      record.updated_at = now;
      if (IsUser(type)) {
        PORTICO_RETURN_IF_ERROR(AsUniquenessError(
            stores.directory().UpdateUser(record, existing->version, password_hash)));
      } else {
        MemberChange members{.replace = true, .add = valid.members};
        PORTICO_RETURN_IF_ERROR(stores.directory().UpdateGroup(record, existing->version, members));
      }
      PORTICO_RETURN_IF_ERROR(Audit(stores, caller, "updated", type, record.id, now));
      written.version = record.version;
      PORTICO_ASSIGN_OR_RETURN(written.resource, Render(stores, type, record, projection));
      return Status::Ok();
    });
    if (status.code() == StatusCode::kAborted && !pre.if_match && attempt < 3) continue;
    PORTICO_RETURN_IF_ERROR(status);
    return written;
  }
}

StatusOr<ScimService::Written> ScimService::Patch(const ScimCaller& caller,
                                                  const ResourceType& type, std::string_view id,
                                                  const Json& body, const Precondition& pre,
                                                  const Projection& projection, bool render) {
  PORTICO_ASSIGN_OR_RETURN(PatchRequest request, ParsePatchRequest(body, type));
  // A patch that sets a password is hashed outside the transaction (argon2id
  // is slow; the write lock must not wait for it): the first pass learns the
  // password, the next one stores its hash.
  std::optional<std::pair<std::string, std::string>> hashed;  // plaintext, hash
  std::optional<std::string> to_hash;
  Written written;
  for (int attempt = 0;; ++attempt) {
    to_hash.reset();
    const TimePoint now = clock_.Now();
    Status status = db_.Transact([&](Stores& stores) -> Status {
      StatusOr<ResourceRecord> existing = Find(stores, type, caller, id);
      if (!existing.ok()) return existing.status();
      PORTICO_RETURN_IF_ERROR(CheckIfMatch(pre, existing->version));
      PORTICO_ASSIGN_OR_RETURN(PatchResult result, ApplyPatch(existing->document, request, type));
      std::optional<std::string> password_hash;
      if (result.password) {
        if (!hashed || hashed->first != *result.password) {
          to_hash = *result.password;
          return Aborted("password to hash");
        }
        password_hash = hashed->second;
      }
      ResourceRecord record = *existing;
      if (result.changed) {
        record.document = std::move(result.document);
        record.version = existing->version + 1;
        record.updated_at = now;
        if (IsUser(type)) {
          PORTICO_RETURN_IF_ERROR(AsUniquenessError(
              stores.directory().UpdateUser(record, existing->version, password_hash)));
        } else {
          PORTICO_RETURN_IF_ERROR(
              stores.directory().UpdateGroup(record, existing->version, result.members));
        }
        PORTICO_RETURN_IF_ERROR(Audit(stores, caller, "updated", type, record.id, now));
      }
      written.version = record.version;
      if (render) {
        PORTICO_ASSIGN_OR_RETURN(written.resource, Render(stores, type, record, projection));
      }
      return Status::Ok();
    });
    if (to_hash && attempt < 3) {
      PORTICO_ASSIGN_OR_RETURN(std::string hash, HashClientPassword(caller, *to_hash));
      hashed = std::make_pair(*to_hash, std::move(hash));
      continue;
    }
    if (status.code() == StatusCode::kAborted && !pre.if_match && attempt < 3) continue;
    PORTICO_RETURN_IF_ERROR(status);
    return written;
  }
}

Status ScimService::Delete(const ScimCaller& caller, const ResourceType& type, std::string_view id,
                           const Precondition& pre) {
  const TimePoint now = clock_.Now();
  return db_.Transact([&](Stores& stores) -> Status {
    StatusOr<ResourceRecord> existing = Find(stores, type, caller, id);
    if (!existing.ok()) return existing.status();
    PORTICO_RETURN_IF_ERROR(CheckIfMatch(pre, existing->version));
    if (IsUser(type)) {
      PORTICO_RETURN_IF_ERROR(stores.directory().DeleteUser(caller.tenant_id, id, now));
    } else {
      PORTICO_RETURN_IF_ERROR(stores.directory().DeleteGroup(caller.tenant_id, id, now));
    }
    return Audit(stores, caller, "deleted", type, id, now);
  });
}

StatusOr<ListResult> ScimService::List(const ScimCaller& caller, const ResourceType& type,
                                       const ListParams& params) {
  const TimePoint now = clock_.Now();
  PORTICO_ASSIGN_OR_RETURN(
      ListQuery query, BuildListQuery(params, type, settings_.limits, settings_.cursor_key, now));
  ListResult result;
  result.start_index = query.cursor_paging ? 1 : query.page.start_index;
  query.page.document_form = FormFor(type, query.projection);
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    PORTICO_ASSIGN_OR_RETURN(
        Page page, IsUser(type) ? stores.directory().ListUsers(caller.tenant_id, query.page)
                                : stores.directory().ListGroups(caller.tenant_id, query.page));
    result.total_results = page.total_results;
    std::vector<std::vector<GroupRef>> groups;
    if (IsUser(type)) {
      PORTICO_ASSIGN_OR_RETURN(groups, GroupsOfPage(stores, caller, page, query.projection));
    }
    result.resources.reserve(page.items.size());
    for (size_t i = 0; i < page.items.size(); ++i) {
      PORTICO_ASSIGN_OR_RETURN(std::string resource,
                               RenderText(stores, type, std::move(page.items[i]), query.projection,
                                          groups.empty() ? nullptr : &groups[i]));
      result.resources.push_back(std::move(resource));
    }
    if (query.cursor_paging && page.next_position) {
      result.next_cursor =
          MakeCursor(*page.next_position, query, settings_.cursor_key, now + settings_.cursor_ttl);
    }
    return Status::Ok();
  }));
  return result;
}

StatusOr<ListResult> ScimService::SearchAll(const ScimCaller& caller, const ListParams& params) {
  if (params.sort_by) {
    return InvalidArgument("sortBy is supported on /Users/.search and /Groups/.search, not across "
                           "resource types")
        .WithTag(std::string(kInvalidValue));
  }
  if (params.cursor) {
    return InvalidArgument("cursor paging is per resource type: use /Users or /Groups")
        .WithTag(std::string(kInvalidValue));
  }
  const TimePoint now = clock_.Now();
  StatusOr<ListQuery> users = BuildListQuery(params, UserResourceType(), settings_.limits,
                                             settings_.cursor_key, now);
  StatusOr<ListQuery> groups = BuildListQuery(params, GroupResourceType(), settings_.limits,
                                              settings_.cursor_key, now);
  if (!users.ok() && !groups.ok()) return users.status();
  if (users.ok()) users->page.document_form = FormFor(UserResourceType(), users->projection);
  const PageRequest& asked = users.ok() ? users->page : groups->page;
  const int64_t start = asked.start_index;
  const int count = asked.count;
  ListResult result;
  result.start_index = start;
  PORTICO_RETURN_IF_ERROR(db_.Run([&](Stores& stores) -> Status {
    int64_t users_total = 0;
    if (users.ok()) {
      PORTICO_ASSIGN_OR_RETURN(Page page,
                               stores.directory().ListUsers(caller.tenant_id, users->page));
      users_total = page.total_results;
      PORTICO_ASSIGN_OR_RETURN(std::vector<std::vector<GroupRef>> of_users,
                               GroupsOfPage(stores, caller, page, users->projection));
      for (size_t i = 0; i < page.items.size(); ++i) {
        PORTICO_ASSIGN_OR_RETURN(
            std::string resource,
            RenderText(stores, UserResourceType(), std::move(page.items[i]), users->projection,
                       of_users.empty() ? nullptr : &of_users[i]));
        result.resources.push_back(std::move(resource));
      }
    }
    int64_t groups_total = 0;
    if (groups.ok()) {
      // The groups continue where the users ended.
      groups->page.start_index = std::max<int64_t>(1, start - users_total);
      groups->page.count = count - static_cast<int>(result.resources.size());
      PORTICO_ASSIGN_OR_RETURN(Page page,
                               stores.directory().ListGroups(caller.tenant_id, groups->page));
      groups_total = page.total_results;
      for (const ResourceRecord& record : page.items) {
        PORTICO_ASSIGN_OR_RETURN(std::string resource, RenderText(stores, GroupResourceType(),
                                                                  record, groups->projection));
        result.resources.push_back(std::move(resource));
      }
    }
    result.total_results = users_total + groups_total;
    return Status::Ok();
  }));
  return result;
}

}  // namespace portico::scim
