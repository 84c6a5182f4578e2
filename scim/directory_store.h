#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "portico/clock.h"
#include "portico/json.h"
#include "portico/status.h"
#include "scim/filter/ast.h"
#include "scim/resource_validator.h"

namespace portico::scim {

// How a read hands back a stored document: parsed (ResourceRecord::document),
// or as the text stored (ResourceRecord::document_text, `document` left null)
// for a caller that answers with it unparsed: an unprojected GET or list,
// where parsing and re-rendering the document was a third of the work.
enum class DocumentForm { kParsed, kText };

// A stored User or Group: the validated document plus what the server owns.
struct ResourceRecord {
  std::string id;
  std::string tenant_id;
  Json document;  // ValidatedResource::document
  // The document as stored (Json::Dump text), filled instead of `document` by
  // reads asked for DocumentForm::kText; empty otherwise.
  std::string document_text;
  int64_t version = 1;
  TimePoint created_at;
  TimePoint updated_at;
};

// A group a user belongs to (the computed User.groups, RFC 7643 §4.1.2).
struct GroupRef {
  std::string id;
  std::string display_name;
};

// A member of a group as stored, with the member's current display name.
struct MemberRecord {
  std::string id;
  std::string type;  // "User" or "Group"
  std::string display;
};

struct SortSpec {
  ResolvedAttr attr;
  bool descending = false;
};

// One page of a list (RFC 7644 §3.4.2.4 index paging, RFC 9865 cursors).
// Results are always in a deterministic order: the sort attribute (when
// given), then creation time, then id.
struct PageRequest {
  const Filter* filter = nullptr;  // resolved against the resource type; null = all
  std::optional<SortSpec> sort;
  int64_t start_index = 1;  // 1-based; ignored when `after` is set
  int count = 100;          // 0: only totalResults
  // Cursor paging: continue after the item this opaque position names (a
  // store-made string from Page::next_position). Invalid → InvalidArgument
  // tagged invalidCursor.
  std::optional<std::string> after;
  DocumentForm document_form = DocumentForm::kParsed;  // of the items
};

struct Page {
  int64_t total_results = 0;
  std::vector<ResourceRecord> items;
  std::optional<std::string> next_position;  // set when more items follow
};

// Membership changes of one group update, applied in SQL (never by loading
// the member list): PUT replaces the set, PATCH adds and removes.
struct MemberChange {
  bool replace = false;             // the members become exactly `add`
  std::vector<MemberRef> add;       // existing members are kept (ON CONFLICT DO NOTHING)
  std::vector<std::string> remove;  // ids; absent ones are ignored
  bool remove_all = false;
  bool empty() const { return !replace && add.empty() && remove.empty() && !remove_all; }
};

// Users and groups of every tenant, each call scoped by tenant id. One
// instance belongs to one database session (obtained through Stores): not
// thread-safe. Errors common to all methods: Unavailable when the database
// is down, Internal for corrupt rows.
class DirectoryStore {
 public:
  virtual ~DirectoryStore() = default;

  // AlreadyExists when the tenant already has the userName (compared after
  // Unicode case folding).
  virtual Status InsertUser(const ResourceRecord& user,
                            const std::optional<std::string>& password_hash) = 0;
  // NotFound when the tenant has no such user.
  virtual StatusOr<ResourceRecord> FindUser(std::string_view tenant_id, std::string_view id) = 0;
  // FindUser and GroupsOfUser in one statement (one round trip for a GET),
  // the document in `form`.
  struct UserWithGroups {
    ResourceRecord user;
    std::vector<GroupRef> groups;
  };
  virtual StatusOr<UserWithGroups> FindUserWithGroups(std::string_view tenant_id,
                                                      std::string_view id, DocumentForm form) = 0;
  // Replaces the document (version must still be `expected_version`; the
  // stored version becomes user.version). `password_hash` set → replaced.
  // NotFound; Aborted when the version moved on; AlreadyExists (userName).
  virtual Status UpdateUser(const ResourceRecord& user, int64_t expected_version,
                            const std::optional<std::string>& password_hash) = 0;
  // Deletes the user and its memberships (the groups it left get a new
  // version). NotFound when absent.
  virtual Status DeleteUser(std::string_view tenant_id, std::string_view id, TimePoint now) = 0;
  virtual StatusOr<Page> ListUsers(std::string_view tenant_id, const PageRequest& request) = 0;
  // The groups with `user_id` as a direct member, by display name.
  virtual StatusOr<std::vector<GroupRef>> GroupsOfUser(std::string_view tenant_id,
                                                       std::string_view user_id) = 0;
  // The same for a page of users in one query: the result has one entry per
  // requested id (in the same order), empty for a user in no group.
  virtual StatusOr<std::vector<std::vector<GroupRef>>> GroupsOfUsers(
      std::string_view tenant_id, const std::vector<std::string>& user_ids) = 0;

  // InvalidArgument (scimType invalidValue) naming the first member that is
  // not a user or group of the tenant.
  virtual Status InsertGroup(const ResourceRecord& group,
                             const std::vector<MemberRef>& members) = 0;
  virtual StatusOr<ResourceRecord> FindGroup(std::string_view tenant_id, std::string_view id) = 0;
  // As UpdateUser, plus the membership change (same errors as InsertGroup).
  virtual Status UpdateGroup(const ResourceRecord& group, int64_t expected_version,
                             const MemberChange& members) = 0;
  // Deletes the group and its memberships; the groups it was a member of get
  // a new version and `now` as their last modification. NotFound when absent.
  virtual Status DeleteGroup(std::string_view tenant_id, std::string_view id, TimePoint now) = 0;
  virtual StatusOr<Page> ListGroups(std::string_view tenant_id, const PageRequest& request) = 0;
  // Calls `visit` for each member in id order, streaming (never the whole
  // list in memory); stops at the first error `visit` returns.
  virtual Status ForEachMember(std::string_view tenant_id, std::string_view group_id,
                               const std::function<Status(const MemberRecord&)>& visit) = 0;
};

}  // namespace portico::scim
