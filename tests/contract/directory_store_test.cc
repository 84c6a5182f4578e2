#include "scim/directory_store.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <algorithm>
#include <latch>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "database_fixture.h"
#include "db/session.h"
#include "portico/case_fold.h"
#include "portico/parse_json.h"
#include "scim/filter/parser.h"
#include "scim/schema/resource_type.h"
#include "scim/scim_errors.h"
#include "tests/fakes/in_memory_database.h"

namespace portico::testing {
namespace {

using scim::MemberChange;
using scim::MemberRef;
using scim::PageRequest;
using scim::ResourceRecord;
using std::chrono::milliseconds;

Json Doc(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : Json::MakeObject();
}

ResourceRecord MakeUser(const std::string& tenant_id, const std::string& user_name,
                        Json extra = Json::MakeObject(), TimePoint created = T0()) {
  ResourceRecord r;
  r.id = Uuid();
  r.tenant_id = tenant_id;
  r.document = Json::MakeObject().Set("userName", user_name);
  for (auto& [name, value] : extra.as_object()) r.document.Set(name, value);
  r.version = 1;
  r.created_at = created;
  r.updated_at = created;
  return r;
}

ResourceRecord MakeGroup(const std::string& tenant_id, const std::string& display_name,
                         TimePoint created = T0()) {
  ResourceRecord r;
  r.id = Uuid();
  r.tenant_id = tenant_id;
  r.document = Json::MakeObject().Set("displayName", display_name);
  r.version = 1;
  r.created_at = created;
  r.updated_at = created;
  return r;
}

MemberRef UserMember(const ResourceRecord& user) { return MemberRef{user.id, "User"}; }

class DirectoryStoreContract : public DatabaseFixture {
 protected:
  void SetUp() override {
    DatabaseFixture::SetUp();
    if (HasFatalFailure()) return;
    tenant_ = MakeTenant("acme");
    other_ = MakeTenant("globex");
    for (const Tenant* t : {&tenant_, &other_}) {
      ASSERT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(*t); }).ok());
    }
  }

  template <class F>
  auto Dir(F&& f) {
    return Query([&](Stores& s) { return f(s.directory()); });
  }

  Status InsertUser(const ResourceRecord& user) {
    return Dir([&](scim::DirectoryStore& d) { return d.InsertUser(user, std::nullopt); });
  }
  Status InsertGroup(const ResourceRecord& group, const std::vector<MemberRef>& members = {}) {
    return Dir([&](scim::DirectoryStore& d) { return d.InsertGroup(group, members); });
  }
  Status UpdateGroup(const ResourceRecord& group, int64_t expected, const MemberChange& change) {
    return Dir([&](scim::DirectoryStore& d) { return d.UpdateGroup(group, expected, change); });
  }

  std::vector<scim::MemberRecord> Members(const std::string& tenant_id,
                                          const std::string& group_id) {
    std::vector<scim::MemberRecord> out;
    Status status = Dir([&](scim::DirectoryStore& d) {
      return d.ForEachMember(tenant_id, group_id, [&](const scim::MemberRecord& m) {
        out.push_back(m);
        return Status::Ok();
      });
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return out;
  }

  std::set<std::string> MemberIds(const std::string& group_id) {
    std::set<std::string> out;
    for (const scim::MemberRecord& m : Members(tenant_.id, group_id)) out.insert(m.id);
    return out;
  }

  StatusOr<scim::Page> ListUsers(const std::string& tenant_id, const PageRequest& request) {
    return Dir([&](scim::DirectoryStore& d) { return d.ListUsers(tenant_id, request); });
  }

  scim::Filter UserFilter(std::string_view text) {
    StatusOr<scim::Filter> f = scim::ParseFilter(text, scim::UserResourceType());
    EXPECT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    return f.ok() ? *f : scim::Filter();
  }

  std::vector<std::string> Ids(const scim::Page& page) {
    std::vector<std::string> out;
    for (const ResourceRecord& r : page.items) out.push_back(r.id);
    return out;
  }

  // A column behind the store's back (what no interface method returns).
  std::optional<std::string> PasswordHashColumn(const std::string& user_id) {
    const db::DatabaseUrl url = *db::ParseDatabaseUrl(test_db_->url());
    soci::session sql;
    if (url.dialect == db::Dialect::kSqlite) {
      sql.open(soci::sqlite3, db::SociConnectString(url));
    } else {
      sql.open(soci::postgresql, db::SociConnectString(url));
    }
    std::string hash;
    soci::indicator ind = soci::i_null;
    sql << "SELECT password_hash FROM users WHERE id = :id", soci::use(user_id),
        soci::into(hash, ind);
    if (ind != soci::i_ok) return std::nullopt;
    return hash;
  }

  Tenant tenant_;
  Tenant other_;
};

// ---- users ------------------------------------------------------------------

TEST_P(DirectoryStoreContract, InsertUserThenFindReturnsDocumentVersionAndTimes) {
  ResourceRecord user =
      MakeUser(tenant_.id, "Alice", Doc(R"({"name": {"givenName": "Alice"}, "emails": [
                                   {"value": "a@example.com", "type": "work", "primary": true}],
                                   "externalId": "ext-1", "active": true})"),
               At(milliseconds(5)));
  user.version = 3;
  user.updated_at = At(milliseconds(9));
  ASSERT_TRUE(InsertUser(user).ok());

  StatusOr<ResourceRecord> found =
      Dir([&](scim::DirectoryStore& d) { return d.FindUser(tenant_.id, user.id); });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, user.id);
  EXPECT_EQ(found->tenant_id, tenant_.id);
  EXPECT_EQ(found->document, user.document);
  EXPECT_EQ(found->version, 3);
  EXPECT_EQ(found->created_at, At(milliseconds(5)));
  EXPECT_EQ(found->updated_at, At(milliseconds(9)));
}

TEST_P(DirectoryStoreContract, FindUnknownUserOrGroupIsNotFound) {
  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.FindUser(tenant_.id, Uuid()); }).status().code(),
      StatusCode::kNotFound);
  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.FindGroup(tenant_.id, Uuid()); }).status().code(),
      StatusCode::kNotFound);
}

TEST_P(DirectoryStoreContract, AnotherTenantNeitherSeesNorChangesAUser) {
  ResourceRecord user = MakeUser(tenant_.id, "alice");
  ASSERT_TRUE(InsertUser(user).ok());
  ResourceRecord group = MakeGroup(tenant_.id, "Admins");
  ASSERT_TRUE(InsertGroup(group, {UserMember(user)}).ok());

  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.FindUser(other_.id, user.id); }).status().code(),
      StatusCode::kNotFound);
  ResourceRecord hijack = user;
  hijack.tenant_id = other_.id;
  hijack.document.Set("userName", "mallory");
  hijack.version = 2;
  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.UpdateUser(hijack, 1, std::nullopt); }).code(),
      StatusCode::kNotFound);
  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.DeleteUser(other_.id, user.id, T0()); }).code(),
      StatusCode::kNotFound);
  StatusOr<scim::Page> listed = ListUsers(other_.id, PageRequest{});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total_results, 0);
  scim::Filter by_name = UserFilter(R"(userName eq "alice")");
  listed = ListUsers(other_.id, PageRequest{.filter = &by_name});
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->total_results, 0);
  StatusOr<std::vector<scim::GroupRef>> groups =
      Dir([&](scim::DirectoryStore& d) { return d.GroupsOfUser(other_.id, user.id); });
  ASSERT_TRUE(groups.ok());
  EXPECT_TRUE(groups->empty());
  // Another tenant cannot add the user to its group, nor read or change the group.
  ResourceRecord foreign = MakeGroup(other_.id, "Thieves");
  EXPECT_EQ(InsertGroup(foreign, {UserMember(user)}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Dir([&](scim::DirectoryStore& d) {
              return d.ForEachMember(other_.id, group.id,
                                     [](const scim::MemberRecord&) { return Status::Ok(); });
            }).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(Dir([&](scim::DirectoryStore& d) { return d.DeleteGroup(other_.id, group.id, T0()); }).code(),
            StatusCode::kNotFound);

  StatusOr<ResourceRecord> still =
      Dir([&](scim::DirectoryStore& d) { return d.FindUser(tenant_.id, user.id); });
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->document, user.document);
  EXPECT_EQ(MemberIds(group.id), std::set<std::string>{user.id});
}

TEST_P(DirectoryStoreContract, UserNameIsUniquePerTenantAfterUnicodeCaseFolding) {
  ASSERT_TRUE(InsertUser(MakeUser(tenant_.id, "älice")).ok());

  Status taken = InsertUser(MakeUser(tenant_.id, "ÄLICE"));
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists) << taken.ToString();
  EXPECT_EQ(taken.message(), "userName is already taken");
  EXPECT_FALSE(taken.internal().empty());
  // Another tenant may use it; so may a different name.
  EXPECT_TRUE(InsertUser(MakeUser(other_.id, "ÄLICE")).ok());
  ResourceRecord plain = MakeUser(tenant_.id, "alice");
  EXPECT_TRUE(InsertUser(plain).ok());
  // A taken id is a conflict too, but not one of userName.
  ResourceRecord same_id = MakeUser(tenant_.id, "zoe");
  same_id.id = plain.id;
  Status id_taken = InsertUser(same_id);
  EXPECT_EQ(id_taken.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(id_taken.message(), "a user with this id already exists");
}

TEST_P(DirectoryStoreContract, ConcurrentIdenticalInsertsGiveOneSuccessAndOnlyConflicts) {
  constexpr int kClients = 50;
  std::latch start(kClients);
  std::vector<Status> results(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      ResourceRecord user = MakeUser(tenant_.id, i % 2 == 0 ? "Bob@Example.com" : "bob@example.COM",
                                     Doc(R"({"emails": [{"value": "bob@example.com"}]})"));
      start.arrive_and_wait();
      results[i] = InsertUser(user);
    });
  }
  for (std::thread& t : clients) t.join();
  int created = 0, conflicts = 0;
  for (const Status& s : results) {
    if (s.ok()) ++created;
    if (s.code() == StatusCode::kAlreadyExists) ++conflicts;
    EXPECT_TRUE(s.ok() || s.code() == StatusCode::kAlreadyExists) << s.ToString();
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(conflicts, kClients - 1);
}

TEST_P(DirectoryStoreContract, UpdateUserChecksVersionAndUserName) {
  ResourceRecord user = MakeUser(tenant_.id, "carol", Doc(R"({"title": "Dev"})"));
  ASSERT_TRUE(InsertUser(user).ok());
  ASSERT_TRUE(InsertUser(MakeUser(tenant_.id, "dave")).ok());

  ResourceRecord next = user;
  next.document = Doc(R"({"userName": "Carol", "title": "Lead"})");
  next.version = 2;
  next.updated_at = At(milliseconds(100));
  Status stale = Dir([&](scim::DirectoryStore& d) { return d.UpdateUser(next, 7, std::nullopt); });
  EXPECT_EQ(stale.code(), StatusCode::kAborted) << stale.ToString();

  ResourceRecord clash = next;
  clash.document.Set("userName", "DAVE");
  Status taken = Dir([&](scim::DirectoryStore& d) { return d.UpdateUser(clash, 1, std::nullopt); });
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists) << taken.ToString();
  EXPECT_EQ(taken.message(), "userName is already taken");

  ASSERT_TRUE(
      Dir([&](scim::DirectoryStore& d) { return d.UpdateUser(next, 1, std::nullopt); }).ok());
  StatusOr<ResourceRecord> found =
      Dir([&](scim::DirectoryStore& d) { return d.FindUser(tenant_.id, user.id); });
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->document, next.document);
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(found->created_at, user.created_at);
  EXPECT_EQ(found->updated_at, At(milliseconds(100)));
  // The match columns follow the document: the old title no longer matches.
  scim::Filter old_title = UserFilter(R"(title eq "dev")");
  scim::Filter new_title = UserFilter(R"(title eq "LEAD")");
  EXPECT_EQ(ListUsers(tenant_.id, PageRequest{.filter = &old_title})->total_results, 0);
  EXPECT_EQ(ListUsers(tenant_.id, PageRequest{.filter = &new_title})->total_results, 1);

  ResourceRecord missing = next;
  missing.id = Uuid();
  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.UpdateUser(missing, 1, std::nullopt); }).code(),
      StatusCode::kNotFound);
}

TEST_P(DirectoryStoreContract, PasswordHashIsKeptUnlessReplaced) {
  ResourceRecord user = MakeUser(tenant_.id, "erin");
  ASSERT_TRUE(Dir([&](scim::DirectoryStore& d) {
                return d.InsertUser(user, std::string("$argon2id$first"));
              }).ok());
  ResourceRecord next = user;
  next.version = 2;
  ASSERT_TRUE(
      Dir([&](scim::DirectoryStore& d) { return d.UpdateUser(next, 1, std::nullopt); }).ok());
  EXPECT_EQ(PasswordHashColumn(user.id), "$argon2id$first");
  next.version = 3;
  ASSERT_TRUE(Dir([&](scim::DirectoryStore& d) {
                return d.UpdateUser(next, 2, std::string("$argon2id$second"));
              }).ok());
  EXPECT_EQ(PasswordHashColumn(user.id), "$argon2id$second");
}

TEST_P(DirectoryStoreContract, ConflictInsideTransactionLeavesTheTransactionUsable) {
  ResourceRecord first = MakeUser(tenant_.id, "frank", Doc(R"({"emails": [{"value": "f@x"}]})"));
  ResourceRecord dup = MakeUser(tenant_.id, "FRANK");
  ResourceRecord second = MakeUser(tenant_.id, "grace");
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.directory().InsertUser(first, std::nullopt));
    Status conflict = s.directory().InsertUser(dup, std::nullopt);
    EXPECT_EQ(conflict.code(), StatusCode::kAlreadyExists) << conflict.ToString();
    return s.directory().InsertUser(second, std::nullopt);
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(ListUsers(tenant_.id, PageRequest{})->total_results, 2);
}

TEST_P(DirectoryStoreContract, FailedTransactionRollsBackDirectoryWrites) {
  ResourceRecord user = MakeUser(tenant_.id, "heidi", Doc(R"({"emails": [{"value": "h@x"}]})"));
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.directory().InsertUser(user, std::nullopt));
    PORTICO_RETURN_IF_ERROR(
        s.directory().InsertGroup(MakeGroup(tenant_.id, "G"), {UserMember(user)}));
    return FailedPrecondition("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ListUsers(tenant_.id, PageRequest{})->total_results, 0);
  scim::Filter by_email = UserFilter(R"(emails.value eq "h@x")");
  EXPECT_EQ(ListUsers(tenant_.id, PageRequest{.filter = &by_email})->total_results, 0);
}

TEST_P(DirectoryStoreContract, DeleteUserRemovesItsMembershipsAndBumpsThoseGroups) {
  ResourceRecord user = MakeUser(tenant_.id, "ivan");
  ResourceRecord stays = MakeUser(tenant_.id, "judy");
  ASSERT_TRUE(InsertUser(user).ok());
  ASSERT_TRUE(InsertUser(stays).ok());
  ResourceRecord with = MakeGroup(tenant_.id, "With");
  ResourceRecord without = MakeGroup(tenant_.id, "Without");
  ASSERT_TRUE(InsertGroup(with, {UserMember(user), UserMember(stays)}).ok());
  ASSERT_TRUE(InsertGroup(without, {UserMember(stays)}).ok());

  ASSERT_TRUE(Dir([&](scim::DirectoryStore& d) {
                return d.DeleteUser(tenant_.id, user.id, At(milliseconds(500)));
              }).ok());
  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.FindUser(tenant_.id, user.id); }).status().code(),
      StatusCode::kNotFound);
  EXPECT_EQ(MemberIds(with.id), std::set<std::string>{stays.id});
  StatusOr<ResourceRecord> bumped =
      Dir([&](scim::DirectoryStore& d) { return d.FindGroup(tenant_.id, with.id); });
  ASSERT_TRUE(bumped.ok());
  EXPECT_EQ(bumped->version, 2);
  EXPECT_EQ(bumped->updated_at, At(milliseconds(500)));
  StatusOr<ResourceRecord> untouched =
      Dir([&](scim::DirectoryStore& d) { return d.FindGroup(tenant_.id, without.id); });
  ASSERT_TRUE(untouched.ok());
  EXPECT_EQ(untouched->version, 1);
  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.DeleteUser(tenant_.id, user.id, T0()); }).code(),
      StatusCode::kNotFound);
}

// ---- groups and members -----------------------------------------------------

TEST_P(DirectoryStoreContract, InsertGroupRejectsMembersThatAreNotOfTheTenant) {
  ResourceRecord user = MakeUser(tenant_.id, "ken");
  ResourceRecord stranger = MakeUser(other_.id, "leo");
  ASSERT_TRUE(InsertUser(user).ok());
  ASSERT_TRUE(InsertUser(stranger).ok());
  const std::string ghost = Uuid();

  for (const std::vector<MemberRef>& members :
       {std::vector<MemberRef>{UserMember(user), MemberRef{ghost, ""}},
        std::vector<MemberRef>{MemberRef{ghost, "User"}, UserMember(user)}}) {
    Status status = InsertGroup(MakeGroup(tenant_.id, "G"), members);
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
    EXPECT_EQ(status.tag(), scim::kInvalidValue);
    EXPECT_NE(status.message().find(ghost), std::string::npos) << status.message();
  }
  Status foreign = InsertGroup(MakeGroup(tenant_.id, "G"), {UserMember(stranger)});
  EXPECT_EQ(foreign.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(foreign.message().find(stranger.id), std::string::npos);
  // A user named as a Group is not one.
  Status wrong_type = InsertGroup(MakeGroup(tenant_.id, "G"), {MemberRef{user.id, "Group"}});
  EXPECT_EQ(wrong_type.code(), StatusCode::kInvalidArgument);
  Status bad_type = InsertGroup(MakeGroup(tenant_.id, "G"), {MemberRef{user.id, "Robot"}});
  EXPECT_EQ(bad_type.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_type.tag(), scim::kInvalidValue);

  StatusOr<scim::Page> groups =
      Dir([&](scim::DirectoryStore& d) { return d.ListGroups(tenant_.id, PageRequest{}); });
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(groups->total_results, 0);  // nothing half-written
}

TEST_P(DirectoryStoreContract, MembershipAddKeepsRemoveIgnoresAbsentReplaceSetsExactly) {
  std::vector<ResourceRecord> users;
  for (int i = 0; i < 5; ++i) {
    users.push_back(MakeUser(tenant_.id, "u" + std::to_string(i)));
    ASSERT_TRUE(InsertUser(users.back()).ok());
  }
  ResourceRecord nested = MakeGroup(tenant_.id, "Nested");
  ASSERT_TRUE(InsertGroup(nested).ok());
  ResourceRecord group = MakeGroup(tenant_.id, "Team");
  ASSERT_TRUE(InsertGroup(group, {UserMember(users[0]), UserMember(users[1])}).ok());

  int64_t version = 1;
  const auto update = [&](MemberChange change) {
    ResourceRecord next = group;
    next.version = version + 1;
    Status status = UpdateGroup(next, version, change);
    if (status.ok()) ++version;
    return status;
  };
  ASSERT_TRUE(
      update({.add = {UserMember(users[1]), UserMember(users[2]), MemberRef{nested.id, ""}}}).ok());
  EXPECT_EQ(MemberIds(group.id),
            (std::set<std::string>{users[0].id, users[1].id, users[2].id, nested.id}));
  ASSERT_TRUE(update({.remove = {users[0].id, Uuid()}}).ok());
  EXPECT_EQ(MemberIds(group.id), (std::set<std::string>{users[1].id, users[2].id, nested.id}));
  ASSERT_TRUE(update({.replace = true,
                      .add = {UserMember(users[2]), UserMember(users[3]), UserMember(users[4])}})
                  .ok());
  EXPECT_EQ(MemberIds(group.id), (std::set<std::string>{users[2].id, users[3].id, users[4].id}));
  // A failed change changes nothing, not even the version.
  Status bad = update({.add = {MemberRef{Uuid(), "User"}}, .remove = {users[2].id}});
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MemberIds(group.id), (std::set<std::string>{users[2].id, users[3].id, users[4].id}));
  EXPECT_EQ(
      Dir([&](scim::DirectoryStore& d) { return d.FindGroup(tenant_.id, group.id); })->version,
      version);
  ASSERT_TRUE(update({.remove_all = true}).ok());
  EXPECT_TRUE(MemberIds(group.id).empty());
  ASSERT_TRUE(update({.replace = true}).ok());
  EXPECT_TRUE(MemberIds(group.id).empty());

  ResourceRecord stale = group;
  stale.version = 99;
  EXPECT_EQ(UpdateGroup(stale, 1, {}).code(), StatusCode::kAborted);
  ResourceRecord missing = MakeGroup(tenant_.id, "Missing");
  EXPECT_EQ(UpdateGroup(missing, 1, {}).code(), StatusCode::kNotFound);
}

TEST_P(DirectoryStoreContract, ForEachMemberStreamsInIdOrderWithCurrentDisplayNames) {
  // More members than one batch, so the keyset continues across batches.
  constexpr int kUsers = 2100;
  std::vector<MemberRef> members;
  std::map<std::string, std::string> expected;  // id → display
  Status inserted = db_->Transact([&](Stores& s) -> Status {
    for (int i = 0; i < kUsers; ++i) {
      Json extra = Json::MakeObject();
      if (i % 3 != 0) extra.Set("displayName", "Person " + std::to_string(i));
      ResourceRecord user = MakeUser(tenant_.id, "member" + std::to_string(i), extra);
      PORTICO_RETURN_IF_ERROR(s.directory().InsertUser(user, std::nullopt));
      members.push_back(MemberRef{user.id, ""});
      expected[user.id] = i % 3 != 0 ? "Person " + std::to_string(i) : "";
    }
    return Status::Ok();
  });
  ASSERT_TRUE(inserted.ok()) << inserted.ToString();
  ResourceRecord child = MakeGroup(tenant_.id, "Child Group");
  ASSERT_TRUE(InsertGroup(child).ok());
  members.push_back(MemberRef{child.id, "Group"});
  expected[child.id] = "Child Group";
  ResourceRecord group = MakeGroup(tenant_.id, "Everyone");
  ASSERT_TRUE(InsertGroup(group, members).ok());

  std::vector<scim::MemberRecord> seen = Members(tenant_.id, group.id);
  ASSERT_EQ(seen.size(), expected.size());
  auto it = expected.begin();
  for (const scim::MemberRecord& m : seen) {
    EXPECT_EQ(m.id, it->first);
    EXPECT_EQ(m.display, it->second);
    EXPECT_EQ(m.type, m.id == child.id ? "Group" : "User");
    ++it;
  }

  // A PUT that keeps all but two and adds one is a set difference.
  std::vector<MemberRef> next(members.begin() + 2, members.end());
  ResourceRecord extra = MakeUser(tenant_.id, "latecomer");
  ASSERT_TRUE(InsertUser(extra).ok());
  next.push_back(UserMember(extra));
  ResourceRecord updated = group;
  updated.version = 2;
  ASSERT_TRUE(UpdateGroup(updated, 1, {.replace = true, .add = next}).ok());
  std::set<std::string> want;
  for (const MemberRef& m : next) want.insert(m.value);
  EXPECT_EQ(MemberIds(group.id), want);
}

TEST_P(DirectoryStoreContract, ForEachMemberStopsAtTheFirstErrorOfTheVisitor) {
  std::vector<MemberRef> members;
  for (int i = 0; i < 3; ++i) {
    ResourceRecord user = MakeUser(tenant_.id, "v" + std::to_string(i));
    ASSERT_TRUE(InsertUser(user).ok());
    members.push_back(UserMember(user));
  }
  ResourceRecord group = MakeGroup(tenant_.id, "G");
  ASSERT_TRUE(InsertGroup(group, members).ok());
  int visits = 0;
  Status status = Dir([&](scim::DirectoryStore& d) {
    return d.ForEachMember(tenant_.id, group.id, [&](const scim::MemberRecord&) {
      return ++visits == 2 ? Unavailable("client went away") : Status::Ok();
    });
  });
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(visits, 2);
}

TEST_P(DirectoryStoreContract, GroupsOfUserAreItsDirectGroupsByDisplayName) {
  ResourceRecord user = MakeUser(tenant_.id, "mallory");
  ASSERT_TRUE(InsertUser(user).ok());
  ResourceRecord zeta = MakeGroup(tenant_.id, "zeta");
  ResourceRecord alpha = MakeGroup(tenant_.id, "Alpha");
  ResourceRecord other = MakeGroup(tenant_.id, "Beta");
  ASSERT_TRUE(InsertGroup(zeta, {UserMember(user)}).ok());
  ASSERT_TRUE(InsertGroup(alpha, {UserMember(user)}).ok());
  ASSERT_TRUE(InsertGroup(other).ok());
  // Membership through a nested group is not direct.
  ASSERT_TRUE(InsertGroup(MakeGroup(tenant_.id, "Parent"), {MemberRef{zeta.id, "Group"}}).ok());

  StatusOr<std::vector<scim::GroupRef>> groups =
      Dir([&](scim::DirectoryStore& d) { return d.GroupsOfUser(tenant_.id, user.id); });
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].id, alpha.id);
  EXPECT_EQ((*groups)[0].display_name, "Alpha");
  EXPECT_EQ((*groups)[1].id, zeta.id);
}

TEST_P(DirectoryStoreContract, FindUserWithGroupsEqualsFindUserAndGroupsOfUser) {
  ResourceRecord user = MakeUser(tenant_.id, "quinn", Doc(R"({"displayName":"Q"})"));
  ASSERT_TRUE(InsertUser(user).ok());
  // Names JSON must carry intact: quotes, backslashes, tabs, non-ASCII.
  ResourceRecord odd = MakeGroup(tenant_.id, "Ünïcode \"quoted\" \\ tab\there");
  ResourceRecord plain = MakeGroup(tenant_.id, "alpha");
  ASSERT_TRUE(InsertGroup(odd, {UserMember(user)}).ok());
  ASSERT_TRUE(InsertGroup(plain, {UserMember(user)}).ok());

  auto both = Dir([&](scim::DirectoryStore& d) {
    return d.FindUserWithGroups(tenant_.id, user.id, scim::DocumentForm::kParsed);
  });
  ASSERT_TRUE(both.ok()) << both.status().ToString();
  auto alone = Dir([&](scim::DirectoryStore& d) { return d.FindUser(tenant_.id, user.id); });
  auto groups = Dir([&](scim::DirectoryStore& d) { return d.GroupsOfUser(tenant_.id, user.id); });
  ASSERT_TRUE(alone.ok() && groups.ok());
  EXPECT_EQ(both->user.document, alone->document);
  EXPECT_EQ(both->user.version, alone->version);
  EXPECT_EQ(both->user.created_at, alone->created_at);
  ASSERT_EQ(both->groups.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(both->groups[i].id, (*groups)[i].id);
    EXPECT_EQ(both->groups[i].display_name, (*groups)[i].display_name);
  }
  EXPECT_EQ(both->groups[1].display_name, "Ünïcode \"quoted\" \\ tab\there");

  ResourceRecord loner = MakeUser(tenant_.id, "loner");
  ASSERT_TRUE(InsertUser(loner).ok());
  auto none = Dir([&](scim::DirectoryStore& d) {
    return d.FindUserWithGroups(tenant_.id, loner.id, scim::DocumentForm::kParsed);
  });
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->groups.empty());
  EXPECT_EQ(Dir([&](scim::DirectoryStore& d) {
              return d.FindUserWithGroups(other_.id, user.id, scim::DocumentForm::kParsed);
            })
                .status()
                .code(),
            StatusCode::kNotFound);
}

// DocumentForm::kText hands back the document as stored, which is what Json::Dump wrote:
// the unprojected reads copy it into responses unparsed.
TEST_P(DirectoryStoreContract, TextFormReadsGiveTheStoredDumpUnparsed) {
  ResourceRecord user =
      MakeUser(tenant_.id, "Text.Form", Doc(R"({"displayName":"Tab\there \"q\" \\ é","n":-7})"));
  ASSERT_TRUE(InsertUser(user).ok());
  const std::string dumped = user.document.Dump();

  auto found = Dir([&](scim::DirectoryStore& d) {
    return d.FindUserWithGroups(tenant_.id, user.id, scim::DocumentForm::kText);
  });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_TRUE(found->user.document.is_null());
  EXPECT_EQ(found->user.document_text, dumped);
  EXPECT_EQ(found->user.version, 1);

  scim::Filter by_name = UserFilter(R"(userName eq "text.form")");  // the one-row lookup
  scim::Filter by_title = UserFilter(R"(displayName sw "Tab")");    // the general list
  for (const scim::Filter* filter : {&by_name, &by_title, static_cast<scim::Filter*>(nullptr)}) {
    PageRequest request{.filter = filter};
    request.document_form = scim::DocumentForm::kText;
    StatusOr<scim::Page> page = ListUsers(tenant_.id, request);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    ASSERT_EQ(page->items.size(), 1u);
    EXPECT_TRUE(page->items[0].document.is_null());
    EXPECT_EQ(page->items[0].document_text, dumped);
    request.document_form = scim::DocumentForm::kParsed;
    page = ListUsers(tenant_.id, request);
    ASSERT_TRUE(page.ok() && page->items.size() == 1u);
    EXPECT_EQ(page->items[0].document, user.document);
    EXPECT_TRUE(page->items[0].document_text.empty());
  }
}

TEST_P(DirectoryStoreContract, GroupsOfUsersAnswersAPageInRequestOrder) {
  ResourceRecord ann = MakeUser(tenant_.id, "ann");
  ResourceRecord bob = MakeUser(tenant_.id, "bob");
  ResourceRecord cy = MakeUser(tenant_.id, "cy");
  for (const ResourceRecord* u : {&ann, &bob, &cy}) ASSERT_TRUE(InsertUser(*u).ok());
  ResourceRecord zeta = MakeGroup(tenant_.id, "zeta");
  ResourceRecord alpha = MakeGroup(tenant_.id, "Alpha");
  ASSERT_TRUE(InsertGroup(zeta, {UserMember(ann), UserMember(cy)}).ok());
  ASSERT_TRUE(InsertGroup(alpha, {UserMember(cy)}).ok());

  auto groups = Dir([&](scim::DirectoryStore& d) {
    return d.GroupsOfUsers(tenant_.id, {cy.id, bob.id, ann.id, "no-such-user"});
  });
  // Another tenant never sees them.
  auto foreign = Dir([&](scim::DirectoryStore& d) { return d.GroupsOfUsers(other_.id, {cy.id}); });
  ASSERT_TRUE(foreign.ok());
  EXPECT_TRUE((*foreign)[0].empty());
  ASSERT_TRUE(groups.ok()) << groups.status().ToString();
  ASSERT_EQ(groups->size(), 4u);
  ASSERT_EQ((*groups)[0].size(), 2u);
  EXPECT_EQ((*groups)[0][0].id, alpha.id);
  EXPECT_EQ((*groups)[0][1].id, zeta.id);
  EXPECT_TRUE((*groups)[1].empty());
  ASSERT_EQ((*groups)[2].size(), 1u);
  EXPECT_EQ((*groups)[2][0].display_name, "zeta");
  EXPECT_TRUE((*groups)[3].empty());
  EXPECT_TRUE(Dir([&](scim::DirectoryStore& d) { return d.GroupsOfUsers(tenant_.id, {}); })->empty());
  // A one-user page takes another statement (GroupsOfUser's): same groups, same order.
  auto one = Dir([&](scim::DirectoryStore& d) { return d.GroupsOfUsers(tenant_.id, {cy.id}); });
  ASSERT_TRUE(one.ok()) << one.status().ToString();
  ASSERT_EQ(one->size(), 1u);
  ASSERT_EQ((*one)[0].size(), 2u);
  EXPECT_EQ((*one)[0][0].id, alpha.id);
  EXPECT_EQ((*one)[0][0].display_name, "Alpha");
  EXPECT_EQ((*one)[0][1].id, zeta.id);
  auto missing =
      Dir([&](scim::DirectoryStore& d) { return d.GroupsOfUsers(tenant_.id, {"no-such-user"}); });
  ASSERT_TRUE(missing.ok());
  ASSERT_EQ(missing->size(), 1u);
  EXPECT_TRUE((*missing)[0].empty());
}

TEST_P(DirectoryStoreContract, DeleteGroupRemovesItFromParentGroups) {
  ResourceRecord child = MakeGroup(tenant_.id, "Child");
  ASSERT_TRUE(InsertGroup(child).ok());
  ResourceRecord parent = MakeGroup(tenant_.id, "Parent");
  ASSERT_TRUE(InsertGroup(parent, {MemberRef{child.id, "Group"}}).ok());

  const TimePoint deleted_at = T0() + std::chrono::hours(1);
  ASSERT_TRUE(Dir([&](scim::DirectoryStore& d) {
                return d.DeleteGroup(tenant_.id, child.id, deleted_at);
              }).ok());
  EXPECT_TRUE(MemberIds(parent.id).empty());
  auto found = Dir([&](scim::DirectoryStore& d) { return d.FindGroup(tenant_.id, parent.id); });
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(found->updated_at, deleted_at);  // meta.lastModified moves with the version
  EXPECT_EQ(Dir([&](scim::DirectoryStore& d) {
              return d.DeleteGroup(tenant_.id, child.id, deleted_at);
            }).code(),
            StatusCode::kNotFound);
}

// ---- lists ------------------------------------------------------------------

TEST_P(DirectoryStoreContract, IndexPagingFollowsCreationThenIdOrder) {
  std::vector<std::string> expected;
  std::vector<ResourceRecord> users;
  for (int i = 0; i < 7; ++i) {
    // Two share a creation time: id breaks the tie.
    users.push_back(MakeUser(tenant_.id, "p" + std::to_string(i), Json::MakeObject(),
                             At(milliseconds(i == 4 ? 3 : i))));
  }
  for (int i = 6; i >= 0; --i) ASSERT_TRUE(InsertUser(users[i]).ok());
  std::vector<ResourceRecord> sorted = users;
  std::sort(sorted.begin(), sorted.end(), [](const ResourceRecord& a, const ResourceRecord& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  for (const ResourceRecord& r : sorted) expected.push_back(r.id);

  StatusOr<scim::Page> page = ListUsers(tenant_.id, PageRequest{.start_index = 3, .count = 2});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->total_results, 7);
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{expected[2], expected[3]}));
  EXPECT_TRUE(page->next_position.has_value());

  page = ListUsers(tenant_.id, PageRequest{.start_index = 6, .count = 5});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{expected[5], expected[6]}));
  EXPECT_FALSE(page->next_position.has_value());

  page = ListUsers(tenant_.id, PageRequest{.count = 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_results, 7);
  EXPECT_TRUE(page->items.empty());

  page = ListUsers(tenant_.id, PageRequest{.start_index = 50});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_results, 7);
  EXPECT_TRUE(page->items.empty());
}

TEST_P(DirectoryStoreContract, CursorPagingVisitsEveryMatchOnceInSortOrder) {
  // Titles with ties, absences and case differences (sorted case-insensitively).
  const char* titles[] = {"b", nullptr, "A", "c", "B", nullptr, "a", "b", "C", "d", nullptr};
  for (int i = 0; i < 11; ++i) {
    Json extra = Json::MakeObject();
    if (titles[i] != nullptr) extra.Set("title", titles[i]);
    ASSERT_TRUE(
        InsertUser(MakeUser(tenant_.id, "c" + std::to_string(i), extra, At(milliseconds(i % 4))))
            .ok());
  }
  for (bool descending : {false, true}) {
    PageRequest all{.count = 100};
    all.sort = scim::SortSpec{*scim::UserResourceType().Resolve({"", "title", ""}), descending};
    StatusOr<scim::Page> full = ListUsers(tenant_.id, all);
    ASSERT_TRUE(full.ok()) << full.status().ToString();
    ASSERT_EQ(full->items.size(), 11u);
    // NULLs last in both directions; case-folded order.
    std::vector<std::string> keys;
    for (const ResourceRecord& r : full->items) {
      const Json* t = r.document.Find("title");
      keys.push_back(t ? FoldCase(t->as_string()) : "~");
    }
    for (size_t i = 1; i < keys.size(); ++i) {
      if (keys[i] == "~" || keys[i - 1] == "~") {
        EXPECT_FALSE(keys[i - 1] == "~" && keys[i] != "~");
      } else {
        EXPECT_TRUE(descending ? keys[i - 1] >= keys[i] : keys[i - 1] <= keys[i]);
      }
    }
    std::vector<std::string> walked;
    PageRequest request = all;
    request.count = 3;
    for (int guard = 0; guard < 10; ++guard) {
      StatusOr<scim::Page> page = ListUsers(tenant_.id, request);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      EXPECT_EQ(page->total_results, 11);
      for (const std::string& id : Ids(*page)) walked.push_back(id);
      if (!page->next_position) break;
      request.after = page->next_position;
    }
    EXPECT_EQ(walked, Ids(*full));
  }
}

TEST_P(DirectoryStoreContract, ForeignOrMalformedCursorIsInvalidCursor) {
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(InsertUser(MakeUser(tenant_.id, "k" + std::to_string(i))).ok());
  StatusOr<scim::Page> page = ListUsers(tenant_.id, PageRequest{.count = 1});
  ASSERT_TRUE(page.ok());
  ASSERT_TRUE(page->next_position.has_value());
  PageRequest sorted{.count = 1, .after = page->next_position};
  sorted.sort = scim::SortSpec{*scim::UserResourceType().Resolve({"", "userName", ""}), false};
  for (const PageRequest& request :
       {sorted, PageRequest{.count = 1, .after = std::string("not a cursor")},
        PageRequest{.count = 1, .after = std::string("")}}) {
    StatusOr<scim::Page> bad = ListUsers(tenant_.id, request);
    EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(bad.status().tag(), scim::kInvalidCursor);
  }
}

TEST_P(DirectoryStoreContract, SortByMultiValuedAttributeUsesThePrimaryElseFirstValue) {
  ResourceRecord a = MakeUser(tenant_.id, "sa", Doc(R"({"emails": [{"value": "z@x"},
                                                      {"value": "b@x", "primary": true}]})"));
  ResourceRecord b = MakeUser(tenant_.id, "sb", Doc(R"({"emails": [{"value": "c@x"},
                                                      {"value": "a@x"}]})"));
  ResourceRecord c = MakeUser(tenant_.id, "sc");
  for (const ResourceRecord* r : {&c, &b, &a}) ASSERT_TRUE(InsertUser(*r).ok());
  PageRequest request;
  request.sort = scim::SortSpec{*scim::UserResourceType().Resolve({"", "emails", "value"}), false};
  StatusOr<scim::Page> page = ListUsers(tenant_.id, request);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Ids(*page), (std::vector<std::string>{a.id, b.id, c.id}));

  request.sort = scim::SortSpec{*scim::UserResourceType().Resolve({"", "password", ""}), false};
  EXPECT_EQ(ListUsers(tenant_.id, request).status().tag(), scim::kInvalidValue);
}

TEST_P(DirectoryStoreContract, UserNameEqualityFindsTheUserWhateverTheCase) {
  ResourceRecord user = MakeUser(tenant_.id, "Ærøskøbing.ÖSTERREICH");
  ASSERT_TRUE(InsertUser(user).ok());
  ASSERT_TRUE(InsertUser(MakeUser(tenant_.id, "someone-else")).ok());
  scim::Filter f = UserFilter(R"(userName eq "ærøskøbing.österreich")");
  StatusOr<scim::Page> page = ListUsers(tenant_.id, PageRequest{.filter = &f});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(page->total_results, 1);
  EXPECT_EQ(Ids(*page), std::vector<std::string>{user.id});
  EXPECT_EQ(page->items[0].document, user.document);
  page = ListUsers(tenant_.id, PageRequest{.filter = &f, .count = 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total_results, 1);
  EXPECT_TRUE(page->items.empty());
}

TEST_P(DirectoryStoreContract, FilterValuesAreBoundNotSpliced) {
  const std::string evil = R"(o'brien"); DROP TABLE users; --)";
  ResourceRecord user = MakeUser(tenant_.id, evil, Json::MakeObject().Set("title", evil));
  ASSERT_TRUE(InsertUser(user).ok());
  scim::Filter f =
      UserFilter(std::string("title eq ") + Json(evil).Dump() + " or userName co \"'\"");
  StatusOr<scim::Page> page = ListUsers(tenant_.id, PageRequest{.filter = &f});
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  EXPECT_EQ(Ids(*page), std::vector<std::string>{user.id});
}

TEST_P(DirectoryStoreContract, FilterOnPasswordIsRejectedSoNobodyCanProbeIt) {
  ASSERT_TRUE(Dir([&](scim::DirectoryStore& d) {
                return d.InsertUser(MakeUser(tenant_.id, "nina"), std::string("$argon2id$x"));
              }).ok());
  for (const char* text : {"password pr", R"(password eq "secret")", "not (password pr)"}) {
    scim::Filter f = UserFilter(text);
    StatusOr<scim::Page> page = ListUsers(tenant_.id, PageRequest{.filter = &f});
    EXPECT_EQ(page.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(page.status().tag(), scim::kInvalidFilter) << text;
  }
}

// The fake's directory follows InMemoryDatabase's transactions like its other stores.
TEST(InMemoryDatabaseDirectory, TransactRollsBackDirectoryWritesAndInjectsFailures) {
  InMemoryDatabase db;
  ResourceRecord kept = MakeUser("t1", "kept");
  ASSERT_TRUE(db.Run([&](Stores& s) { return s.directory().InsertUser(kept, std::nullopt); }).ok());
  ResourceRecord group = MakeGroup("t1", "G");
  Status status = db.Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.directory().InsertUser(MakeUser("t1", "dropped"), std::nullopt));
    PORTICO_RETURN_IF_ERROR(s.directory().InsertGroup(group, {UserMember(kept)}));
    return Aborted("no");
  });
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  InMemoryDatabase::State state = db.Snapshot();
  EXPECT_EQ(state.directory.users.size(), 1u);
  EXPECT_TRUE(state.directory.groups.empty());
  EXPECT_EQ(db.CallCount("directory.InsertUser"), 2);

  db.FailOperation("directory.FindUser");
  Status down = db.Run([&](Stores& s) { return s.directory().FindUser("t1", kept.id).status(); });
  EXPECT_EQ(down.code(), StatusCode::kUnavailable);
}

INSTANTIATE_TEST_SUITE_P(Backends, DirectoryStoreContract, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
