#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "portico/case_fold.h"
#include "portico/json.h"
#include "portico/parse_json.h"
#include "scim/directory_store.h"
#include "scim/filter/date_time.h"
#include "scim/filter/evaluator.h"
#include "scim/schema/resource_type.h"
#include "scim/scim_errors.h"

namespace portico::testing {

// Everything the in-memory directory holds; a plain value, so InMemoryDatabase
// can snapshot and restore it with the rest of its state.
struct InMemoryDirectoryState {
  struct User {
    scim::ResourceRecord record;
    std::optional<std::string> password_hash;
  };
  struct Group {
    scim::ResourceRecord record;
    std::map<std::string, std::string> members;  // member id → "User" / "Group", in id order
  };
  std::map<std::string, User> users;    // by id (ids are unique across tenants, as in SQL)
  std::map<std::string, Group> groups;  // by id
};

// What entering one store call yields: a held lock (or none, inside a
// transaction that holds it already) and a status (non-OK: fail the call).
struct DirectoryCall {
  std::unique_lock<std::mutex> lock;
  Status status;
};

// scim::DirectoryStore in memory, with the semantics of db/SociDirectoryStore:
// filters are evaluated by the oracle scim::Matches() over each resource as the
// store shows it (document + id + meta {resourceType, created, lastModified} +
// the computed User.groups / Group.members), and the attributes the SQL store
// rejects (password, meta.location, meta.version, groups.$ref, members.$ref,
// manager.displayName) are rejected here too (invalidFilter). Orders, paging,
// error codes and messages follow the SQL store. Each call is atomic.
//
// Standalone (default constructor) it owns its state and lock and is
// thread-safe; inside InMemoryDatabase it works on the database's state
// through `enter` (locking, call counting and failure injection there).
class InMemoryDirectoryStore : public scim::DirectoryStore {
 public:
  using Enter = std::function<DirectoryCall(const char* operation)>;

  InMemoryDirectoryStore()
      : owned_(std::make_unique<Owned>()), state_(owned_->state), enter_([this](const char*) {
          return DirectoryCall{std::unique_lock(owned_->mu), Status()};
        }) {}
  InMemoryDirectoryStore(InMemoryDirectoryState& state, Enter enter)
      : state_(state), enter_(std::move(enter)) {}

  // A copy of the state (standalone use), for assertions.
  InMemoryDirectoryState Snapshot() {
    DirectoryCall call = enter_("directory.Snapshot");
    return state_;
  }

  Status InsertUser(const scim::ResourceRecord& user,
                    const std::optional<std::string>& password_hash) override {
    DirectoryCall call = enter_("directory.InsertUser");
    if (!call.status.ok()) return call.status;
    PORTICO_ASSIGN_OR_RETURN(std::string key, UserNameKey(user));
    if (state_.users.count(user.id) > 0) {
      return AlreadyExists("a user with this id already exists");
    }
    if (UserNameTaken(user.tenant_id, key, "")) return AlreadyExists("userName is already taken");
    state_.users[user.id] = InMemoryDirectoryState::User{user, password_hash};
    return Status::Ok();
  }

  StatusOr<scim::ResourceRecord> FindUser(std::string_view tenant_id,
                                          std::string_view id) override {
    DirectoryCall call = enter_("directory.FindUser");
    if (!call.status.ok()) return call.status;
    const InMemoryDirectoryState::User* user = User(tenant_id, id);
    if (user == nullptr) return NotFound("user not found");
    return user->record;
  }

  Status UpdateUser(const scim::ResourceRecord& user, int64_t expected_version,
                    const std::optional<std::string>& password_hash) override {
    DirectoryCall call = enter_("directory.UpdateUser");
    if (!call.status.ok()) return call.status;
    PORTICO_ASSIGN_OR_RETURN(std::string key, UserNameKey(user));
    InMemoryDirectoryState::User* stored = User(user.tenant_id, user.id);
    if (stored == nullptr) return NotFound("user not found");
    if (stored->record.version != expected_version) {
      return Aborted("the resource was changed concurrently; read it again");
    }
    if (UserNameTaken(user.tenant_id, key, user.id)) {
      return AlreadyExists("userName is already taken");
    }
    scim::ResourceRecord record = user;
    record.created_at = stored->record.created_at;  // the SQL UPDATE leaves it
    stored->record = std::move(record);
    if (password_hash) stored->password_hash = password_hash;
    return Status::Ok();
  }

  Status DeleteUser(std::string_view tenant_id, std::string_view id, TimePoint now) override {
    DirectoryCall call = enter_("directory.DeleteUser");
    if (!call.status.ok()) return call.status;
    if (User(tenant_id, id) == nullptr) return NotFound("user not found");
    state_.users.erase(std::string(id));
    for (auto& [gid, group] : state_.groups) {
      if (group.record.tenant_id != tenant_id) continue;
      auto it = group.members.find(std::string(id));
      if (it == group.members.end() || it->second != "User") continue;
      group.members.erase(it);
      ++group.record.version;
      group.record.updated_at = now;
    }
    return Status::Ok();
  }

  StatusOr<scim::Page> ListUsers(std::string_view tenant_id,
                                 const scim::PageRequest& request) override {
    DirectoryCall call = enter_("directory.ListUsers");
    if (!call.status.ok()) return call.status;
    std::vector<const scim::ResourceRecord*> records;
    for (const auto& [id, user] : state_.users) {
      if (user.record.tenant_id == tenant_id) records.push_back(&user.record);
    }
    return List(/*users=*/true, records, request);
  }

  StatusOr<std::vector<scim::GroupRef>> GroupsOfUser(std::string_view tenant_id,
                                                     std::string_view user_id) override {
    DirectoryCall call = enter_("directory.GroupsOfUser");
    if (!call.status.ok()) return call.status;
    return GroupsOf(tenant_id, user_id);
  }

  StatusOr<UserWithGroups> FindUserWithGroups(std::string_view tenant_id, std::string_view id,
                                              scim::DocumentForm form) override {
    DirectoryCall call = enter_("directory.FindUserWithGroups");
    if (!call.status.ok()) return call.status;
    const InMemoryDirectoryState::User* user = User(tenant_id, id);
    if (user == nullptr) return NotFound("user not found");
    return UserWithGroups{InForm(user->record, form), GroupsOf(tenant_id, id)};
  }

  // A stored record as a read in `form` returns it (the text is what the SQL stores write).
  static scim::ResourceRecord InForm(const scim::ResourceRecord& stored, scim::DocumentForm form) {
    scim::ResourceRecord out = stored;
    if (form == scim::DocumentForm::kText) {
      out.document_text = out.document.Dump();
      out.document = Json();
    }
    return out;
  }

  StatusOr<std::vector<std::vector<scim::GroupRef>>> GroupsOfUsers(
      std::string_view tenant_id, const std::vector<std::string>& user_ids) override {
    DirectoryCall call = enter_("directory.GroupsOfUsers");
    if (!call.status.ok()) return call.status;
    std::vector<std::vector<scim::GroupRef>> out;
    for (const std::string& id : user_ids) out.push_back(GroupsOf(tenant_id, id));
    return out;
  }

  Status InsertGroup(const scim::ResourceRecord& group,
                     const std::vector<scim::MemberRef>& members) override {
    DirectoryCall call = enter_("directory.InsertGroup");
    if (!call.status.ok()) return call.status;
    PORTICO_RETURN_IF_ERROR(CheckDisplayName(group));
    PORTICO_ASSIGN_OR_RETURN(std::vector<scim::MemberRef> staged, StageMembers(members));
    PORTICO_RETURN_IF_ERROR(ValidateMembers(group.tenant_id, staged));
    if (state_.groups.count(group.id) > 0) {
      return AlreadyExists("a group with this id already exists");
    }
    InMemoryDirectoryState::Group stored{group, {}};
    AddMembers(group.tenant_id, stored, staged);
    state_.groups[group.id] = std::move(stored);
    return Status::Ok();
  }

  StatusOr<scim::ResourceRecord> FindGroup(std::string_view tenant_id,
                                           std::string_view id) override {
    DirectoryCall call = enter_("directory.FindGroup");
    if (!call.status.ok()) return call.status;
    const InMemoryDirectoryState::Group* group = Group(tenant_id, id);
    if (group == nullptr) return NotFound("group not found");
    return group->record;
  }

  Status UpdateGroup(const scim::ResourceRecord& group, int64_t expected_version,
                     const scim::MemberChange& change) override {
    DirectoryCall call = enter_("directory.UpdateGroup");
    if (!call.status.ok()) return call.status;
    PORTICO_RETURN_IF_ERROR(CheckDisplayName(group));
    InMemoryDirectoryState::Group* stored = Group(group.tenant_id, group.id);
    if (stored == nullptr) return NotFound("group not found");
    if (stored->record.version != expected_version) {
      return Aborted("the resource was changed concurrently; read it again");
    }
    std::vector<scim::MemberRef> staged;
    if (!change.empty()) {
      PORTICO_ASSIGN_OR_RETURN(staged, StageMembers(change.add));
      PORTICO_RETURN_IF_ERROR(ValidateMembers(group.tenant_id, staged));
    }
    scim::ResourceRecord record = group;
    record.created_at = stored->record.created_at;
    stored->record = std::move(record);
    if (change.empty()) return Status::Ok();
    if (change.replace) {
      std::map<std::string, std::string> kept;
      for (const scim::MemberRef& m : staged) {
        auto it = stored->members.find(m.value);
        if (it != stored->members.end()) kept.insert(*it);
      }
      stored->members = std::move(kept);
    } else if (change.remove_all) {
      stored->members.clear();
    } else {
      for (const std::string& id : change.remove) stored->members.erase(id);
    }
    AddMembers(group.tenant_id, *stored, staged);
    return Status::Ok();
  }

  Status DeleteGroup(std::string_view tenant_id, std::string_view id, TimePoint now) override {
    DirectoryCall call = enter_("directory.DeleteGroup");
    if (!call.status.ok()) return call.status;
    if (Group(tenant_id, id) == nullptr) return NotFound("group not found");
    state_.groups.erase(std::string(id));
    for (auto& [gid, group] : state_.groups) {
      if (group.record.tenant_id != tenant_id) continue;
      auto it = group.members.find(std::string(id));
      if (it == group.members.end() || it->second != "Group") continue;
      group.members.erase(it);
      ++group.record.version;
      group.record.updated_at = now;
    }
    return Status::Ok();
  }

  StatusOr<scim::Page> ListGroups(std::string_view tenant_id,
                                  const scim::PageRequest& request) override {
    DirectoryCall call = enter_("directory.ListGroups");
    if (!call.status.ok()) return call.status;
    std::vector<const scim::ResourceRecord*> records;
    for (const auto& [id, group] : state_.groups) {
      if (group.record.tenant_id == tenant_id) records.push_back(&group.record);
    }
    return List(/*users=*/false, records, request);
  }

  Status ForEachMember(std::string_view tenant_id, std::string_view group_id,
                       const std::function<Status(const scim::MemberRecord&)>& visit) override {
    std::vector<scim::MemberRecord> members;
    {
      DirectoryCall call = enter_("directory.ForEachMember");
      if (!call.status.ok()) return call.status;
      const InMemoryDirectoryState::Group* group = Group(tenant_id, group_id);
      if (group == nullptr) return NotFound("group not found");
      for (const auto& [id, type] : group->members) {
        members.push_back(scim::MemberRecord{id, type, MemberDisplay(tenant_id, id, type)});
      }
    }  // visited without the lock, as the SQL store visits with no statement open
    for (const scim::MemberRecord& m : members) PORTICO_RETURN_IF_ERROR(visit(m));
    return Status::Ok();
  }

  // The resource as filters see it (what Matches() is evaluated on).
  Json RenderUser(const scim::ResourceRecord& record) const {
    Json doc = WithMeta(record, "User");
    Json groups = Json::MakeArray();
    for (const scim::GroupRef& g : GroupsOf(record.tenant_id, record.id)) {
      groups.Push(Json::MakeObject()
                      .Set("value", g.id)
                      .Set("display", g.display_name)
                      .Set("type", "direct"));
    }
    if (!groups.as_array().empty()) doc.Set("groups", std::move(groups));
    return doc;
  }

  Json RenderGroup(const scim::ResourceRecord& record) const {
    Json doc = WithMeta(record, "Group");
    const InMemoryDirectoryState::Group* group = Group(record.tenant_id, record.id);
    Json members = Json::MakeArray();
    if (group != nullptr) {
      for (const auto& [id, type] : group->members) {
        Json m = Json::MakeObject().Set("value", id).Set("type", type);
        if (std::optional<std::string> display = DisplayOf(record.tenant_id, id, type)) {
          m.Set("display", *display);
        }
        members.Push(std::move(m));
      }
    }
    if (!members.as_array().empty()) doc.Set("members", std::move(members));
    return doc;
  }

 private:
  struct Owned {
    std::mutex mu;
    InMemoryDirectoryState state;
  };

  // ---- lookups ----

  InMemoryDirectoryState::User* User(std::string_view tenant_id, std::string_view id) const {
    auto it = state_.users.find(std::string(id));
    if (it == state_.users.end() || it->second.record.tenant_id != tenant_id) return nullptr;
    return &it->second;
  }

  InMemoryDirectoryState::Group* Group(std::string_view tenant_id, std::string_view id) const {
    auto it = state_.groups.find(std::string(id));
    if (it == state_.groups.end() || it->second.record.tenant_id != tenant_id) return nullptr;
    return &it->second;
  }

  static std::optional<std::string> StringMember(const Json& doc, std::string_view name) {
    const Json* v = doc.Find(name);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return v->as_string();
  }

  static StatusOr<std::string> UserNameKey(const scim::ResourceRecord& user) {
    std::optional<std::string> name = StringMember(user.document, "userName");
    if (!name) return scim::BadRequest(scim::kInvalidValue, "userName is required");
    return FoldCase(*name);
  }

  static Status CheckDisplayName(const scim::ResourceRecord& group) {
    if (!StringMember(group.document, "displayName")) {
      return scim::BadRequest(scim::kInvalidValue, "displayName is required");
    }
    return Status::Ok();
  }

  bool UserNameTaken(std::string_view tenant_id, const std::string& key,
                     std::string_view except_id) const {
    for (const auto& [id, user] : state_.users) {
      if (user.record.tenant_id != tenant_id || id == except_id) continue;
      std::optional<std::string> name = StringMember(user.record.document, "userName");
      if (name && FoldCase(*name) == key) return true;
    }
    return false;
  }

  std::vector<scim::GroupRef> GroupsOf(std::string_view tenant_id, std::string_view user_id) const {
    std::vector<scim::GroupRef> out;
    for (const auto& [gid, group] : state_.groups) {
      if (group.record.tenant_id != tenant_id) continue;
      auto it = group.members.find(std::string(user_id));
      if (it == group.members.end() || it->second != "User") continue;
      out.push_back(
          scim::GroupRef{gid, StringMember(group.record.document, "displayName").value_or("")});
    }
    std::sort(out.begin(), out.end(), [](const scim::GroupRef& a, const scim::GroupRef& b) {
      return std::forward_as_tuple(FoldCase(a.display_name), a.display_name, a.id) <
             std::forward_as_tuple(FoldCase(b.display_name), b.display_name, b.id);
    });
    return out;
  }

  std::optional<std::string> DisplayOf(std::string_view tenant_id, const std::string& id,
                                       const std::string& type) const {
    if (type == "User") {
      const InMemoryDirectoryState::User* user = User(tenant_id, id);
      return user != nullptr ? StringMember(user->record.document, "displayName") : std::nullopt;
    }
    const InMemoryDirectoryState::Group* group = Group(tenant_id, id);
    return group != nullptr ? StringMember(group->record.document, "displayName") : std::nullopt;
  }

  std::string MemberDisplay(std::string_view tenant_id, const std::string& id,
                            const std::string& type) const {
    return DisplayOf(tenant_id, id, type).value_or("");
  }

  static Json WithMeta(const scim::ResourceRecord& record, const char* resource_type) {
    Json doc = record.document;
    doc.Set("id", record.id);
    doc.Set("meta",
            Json::MakeObject()
                .Set("resourceType", resource_type)
                .Set("created", scim::FormatDateTimeMillis(ToUnixMillis(record.created_at)))
                .Set("lastModified", scim::FormatDateTimeMillis(ToUnixMillis(record.updated_at))));
    return doc;
  }

  // ---- members ----

  static StatusOr<std::vector<scim::MemberRef>> StageMembers(
      const std::vector<scim::MemberRef>& members) {
    std::vector<scim::MemberRef> out;
    for (const scim::MemberRef& m : members) {
      std::string type;
      if (AsciiLower(m.type) == "user") {
        type = "User";
      } else if (AsciiLower(m.type) == "group") {
        type = "Group";
      } else if (!m.type.empty()) {
        return scim::BadRequest(scim::kInvalidValue, "member '" + m.value + "' has type '" +
                                                         m.type + "'; expected User or Group");
      }
      out.push_back(scim::MemberRef{m.value, type});
    }
    return out;
  }

  Status ValidateMembers(std::string_view tenant_id,
                         const std::vector<scim::MemberRef>& staged) const {
    for (const scim::MemberRef& m : staged) {
      const bool user = m.type != "Group" && User(tenant_id, m.value) != nullptr;
      const bool group = m.type != "User" && Group(tenant_id, m.value) != nullptr;
      if (!user && !group) {
        return scim::BadRequest(scim::kInvalidValue,
                                "member '" + m.value + "' is not a user or group of this tenant");
      }
    }
    return Status::Ok();
  }

  void AddMembers(std::string_view tenant_id, InMemoryDirectoryState::Group& group,
                  const std::vector<scim::MemberRef>& staged) const {
    for (const scim::MemberRef& m : staged) {
      const bool user = m.type != "Group" && User(tenant_id, m.value) != nullptr;
      group.members.emplace(m.value, user ? "User" : "Group");  // existing ones are kept
    }
  }

  static std::string AsciiLower(std::string s) {
    for (char& c : s) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    return s;
  }

  // ---- filters and lists ----

  // The attributes the SQL store neither stores nor computes.
  static bool Unsupported(const scim::ResolvedAttr& a) {
    const bool core = scim::IsCoreSchemaUrn(a.urn);
    if (core && a.attr == "password") return true;
    if (core && a.attr == "meta" && (a.sub == "location" || a.sub == "version")) return true;
    if (a.urn == scim::kEnterpriseUserSchemaUrn && a.attr == "manager") {
      return a.sub == "displayName";
    }
    return a.sub == "$ref";
  }

  static Status CheckFilter(const scim::Filter& f) {
    if (f.kind != scim::Filter::Kind::kAnd && f.kind != scim::Filter::Kind::kOr &&
        f.kind != scim::Filter::Kind::kNot && Unsupported(f.attr)) {
      return scim::BadRequest(scim::kInvalidFilter,
                              "filtering on '" + scim::PathToString(f.attr) + "' is not supported");
    }
    for (const scim::Filter& child : f.children) PORTICO_RETURN_IF_ERROR(CheckFilter(child));
    return Status::Ok();
  }

  // A sort key: null, text or integer (never both).
  struct Key {
    bool null = true;
    bool integer = false;
    std::string text;
    int64_t number = 0;
  };

  static Key KeyOf(const Json* value, const scim::ResolvedAttr& attr) {
    Key k;
    if (value == nullptr) return k;
    if (attr.type == scim::AttrType::kBoolean) {
      k.integer = true;
      if (!value->is_bool()) return k;
      k.null = false;
      k.number = value->as_bool() ? 1 : 0;
      return k;
    }
    if (!value->is_string()) return k;
    k.null = false;
    k.text = attr.case_exact ? value->as_string() : FoldCase(value->as_string());
    return k;
  }

  // What SortSql orders by (see db/filter_sql.h), or InvalidArgument (invalidValue);
  // nullopt for meta.resourceType (the same for every resource).
  static StatusOr<std::optional<std::function<Key(const scim::ResourceRecord&)>>> SortKey(
      const scim::ResolvedAttr& attr, bool users) {
    using KeyFn = std::function<Key(const scim::ResourceRecord&)>;
    const auto unsupported = [&] {
      return scim::BadRequest(scim::kInvalidValue,
                              "sorting by '" + scim::PathToString(attr) + "' is not supported");
    };
    const bool core = scim::IsCoreSchemaUrn(attr.urn);
    if (Unsupported(attr)) return unsupported();
    if (core && attr.attr == "id") {
      return std::optional<KeyFn>([](const scim::ResourceRecord& r) {
        Key k;
        k.null = false;
        k.text = r.id;
        return k;
      });
    }
    if (core && attr.attr == "meta") {
      if (attr.sub == "resourceType") return std::optional<KeyFn>();
      const bool created = attr.sub == "created";
      if (!created && attr.sub != "lastModified") return unsupported();
      return std::optional<KeyFn>([created](const scim::ResourceRecord& r) {
        Key k;
        k.null = false;
        k.integer = true;
        k.number = ToUnixMillis(created ? r.created_at : r.updated_at);
        return k;
      });
    }
    if (attr.type == scim::AttrType::kComplex && attr.sub.empty() && !attr.multi_valued) {
      return unsupported();
    }
    if (!attr.multi_valued) {
      return std::optional<KeyFn>([attr](const scim::ResourceRecord& r) {
        const Json* holder = &r.document;
        if (!scim::IsCoreSchemaUrn(attr.urn)) holder = r.document.Find(attr.urn);
        const Json* value = holder != nullptr ? holder->Find(attr.attr) : nullptr;
        if (value != nullptr && !attr.sub.empty()) value = value->Find(attr.sub);
        return KeyOf(value, attr);
      });
    }
    // Multi-valued: user_values attributes only (not groups / members).
    if (!users || !core || attr.attr == "groups") return unsupported();
    std::string sub = attr.sub;
    if (sub.empty()) {
      if (attr.attr == "addresses") return unsupported();
      sub = "value";
    }
    scim::ResolvedAttr leaf = attr;
    leaf.sub = sub;
    if (std::optional<scim::ResolvedAttr> resolved =
            scim::UserResourceType().Resolve(scim::AttrPath{attr.urn, attr.attr, sub})) {
      leaf = *resolved;
    } else {
      return unsupported();
    }
    return std::optional<KeyFn>([leaf](const scim::ResourceRecord& r) {
      const Json* values = r.document.Find(leaf.attr);
      const Json* chosen = nullptr;
      if (values != nullptr && values->is_array()) {
        for (const Json& e : values->as_array()) {
          if (!e.is_object()) continue;
          if (chosen == nullptr) chosen = &e;
          const Json* primary = e.Find("primary");
          if (primary != nullptr && primary->is_bool() && primary->as_bool()) {
            chosen = &e;
            break;
          }
        }
      }
      return KeyOf(chosen != nullptr ? chosen->Find(leaf.sub) : nullptr, leaf);
    });
  }

  struct Item {
    const scim::ResourceRecord* record;
    Key key;
  };

  // Strictly before in (key NULLs last, key asc/desc, created_at, id) order.
  static bool Before(const Item& a, const Item& b, bool descending) {
    if (a.key.null != b.key.null) return !a.key.null;
    if (!a.key.null) {
      const int c = a.key.integer ? (a.key.number < b.key.number ? -1 : a.key.number > b.key.number)
                                  : a.key.text.compare(b.key.text);
      if (c != 0) return descending ? c > 0 : c < 0;
    }
    const int64_t ca = ToUnixMillis(a.record->created_at);
    const int64_t cb = ToUnixMillis(b.record->created_at);
    if (ca != cb) return ca < cb;
    return a.record->id < b.record->id;
  }

  StatusOr<scim::Page> List(bool users, const std::vector<const scim::ResourceRecord*>& records,
                            const scim::PageRequest& request) const {
    if (request.filter != nullptr) PORTICO_RETURN_IF_ERROR(CheckFilter(*request.filter));
    std::optional<std::function<Key(const scim::ResourceRecord&)>> key_fn;
    if (request.sort) {
      PORTICO_ASSIGN_OR_RETURN(key_fn, SortKey(request.sort->attr, users));
    }
    const bool descending = request.sort && request.sort->descending;
    const std::string sort_id =
        request.sort ? scim::PathToString(request.sort->attr) + (descending ? " desc" : " asc")
                     : "";
    std::vector<Item> items;
    for (const scim::ResourceRecord* r : records) {
      if (request.filter != nullptr &&
          !scim::Matches(*request.filter, users ? RenderUser(*r) : RenderGroup(*r))) {
        continue;
      }
      items.push_back(Item{r, key_fn ? (*key_fn)(*r) : Key()});
    }
    std::sort(items.begin(), items.end(),
              [&](const Item& a, const Item& b) { return Before(a, b, descending); });
    scim::Page page;
    page.total_results = static_cast<int64_t>(items.size());
    const int count = std::max(request.count, 0);
    if (count == 0) return page;
    size_t begin = static_cast<size_t>(std::max<int64_t>(request.start_index, 1) - 1);
    if (request.after) {
      PORTICO_ASSIGN_OR_RETURN(Item position, DecodePosition(*request.after, sort_id));
      begin = 0;
      while (begin < items.size() && !Before(position, items[begin], descending)) ++begin;
    }
    for (size_t i = begin; i < items.size() && static_cast<int>(page.items.size()) < count; ++i) {
      page.items.push_back(InForm(*items[i].record, request.document_form));
      if (static_cast<int>(page.items.size()) == count && i + 1 < items.size()) {
        page.next_position = EncodePosition(items[i], sort_id);
      }
    }
    return page;
  }

  // Cursor positions are this fake's own (opaque) JSON; records referenced by an Item
  // decoded from one live in position_record_.
  std::string EncodePosition(const Item& item, const std::string& sort_id) const {
    Json key;
    if (!item.key.null) key = item.key.integer ? Json(item.key.number) : Json(item.key.text);
    Json out = Json::MakeArray();
    out.Push(sort_id)
        .Push(std::move(key))
        .Push(ToUnixMillis(item.record->created_at))
        .Push(item.record->id);
    return out.Dump();
  }

  StatusOr<Item> DecodePosition(const std::string& text, const std::string& sort_id) const {
    const Status invalid =
        scim::BadRequest(scim::kInvalidCursor, "the cursor is not valid for this request");
    StatusOr<Json> parsed = ParseJson(text);
    if (!parsed.ok() || !parsed->is_array() || parsed->as_array().size() != 4) return invalid;
    const Json::Array& a = parsed->as_array();
    if (!a[0].is_string() || a[0].as_string() != sort_id || !a[2].is_int() || !a[3].is_string()) {
      return invalid;
    }
    position_record_.id = a[3].as_string();
    position_record_.created_at = FromUnixMillis(a[2].as_int());
    Item item{&position_record_, Key()};
    if (a[1].is_string()) {
      item.key.null = false;
      item.key.text = a[1].as_string();
    } else if (a[1].is_int()) {
      item.key.null = false;
      item.key.integer = true;
      item.key.number = a[1].as_int();
    } else if (!a[1].is_null()) {
      return invalid;
    }
    return item;
  }

  std::unique_ptr<Owned> owned_;
  InMemoryDirectoryState& state_;
  Enter enter_;
  mutable scim::ResourceRecord position_record_;
};

}  // namespace portico::testing
