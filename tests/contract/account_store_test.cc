#include "portico/account_store.h"

#include <optional>
#include <string>
#include <vector>

#include "oauth_store_fixture.h"
#include "portico/parse_json.h"
#include "scim/directory_store.h"
#include "scim/filter/parser.h"
#include "scim/schema/resource_type.h"

namespace portico::testing {
namespace {

using std::chrono::milliseconds;

UserAccount MakeAccount(const std::string& tenant_id, std::string email, std::string name = "",
                        TimePoint created_at = T0()) {
  UserAccount a;
  a.id = Uuid();
  a.tenant_id = tenant_id;
  a.email = std::move(email);
  a.name = std::move(name);
  a.created_at = created_at;
  return a;
}

Organization MakeOrganization(const std::string& tenant_id, std::string name,
                              TimePoint created_at = T0()) {
  return Organization{"org_" + Uuid(), tenant_id, std::move(name), created_at};
}

Json Doc(std::string_view text) {
  StatusOr<Json> parsed = ParseJson(text);
  EXPECT_TRUE(parsed.ok()) << text;
  return parsed.ok() ? *parsed : Json::MakeObject();
}

scim::ResourceRecord ScimUser(const std::string& tenant_id, std::string_view document) {
  scim::ResourceRecord r;
  r.id = Uuid();
  r.tenant_id = tenant_id;
  r.document = Doc(document);
  r.version = 1;
  r.created_at = r.updated_at = T0();
  return r;
}

class AccountStoreContract : public OAuthStoreFixture {
 protected:
  template <class F>
  auto Accounts(F&& f) {
    return Query([&](Stores& s) { return f(s.accounts()); });
  }
  template <class F>
  auto Directory(F&& f) {
    return Query([&](Stores& s) { return f(s.directory()); });
  }

  Status Insert(const UserAccount& a) {
    return Accounts([&](AccountStore& s) { return s.InsertUser(a); });
  }
  StatusOr<UserAccount> ByEmail(const std::string& tenant_id, const std::string& email) {
    return Accounts([&](AccountStore& s) { return s.FindUserByEmail(tenant_id, email); });
  }
  StatusOr<UserAccount> ById(const std::string& tenant_id, const std::string& id) {
    return Accounts([&](AccountStore& s) { return s.FindUser(tenant_id, id); });
  }
  Status InsertScim(const scim::ResourceRecord& user) {
    return Directory([&](scim::DirectoryStore& d) { return d.InsertUser(user, std::nullopt); });
  }
  StatusOr<scim::ResourceRecord> ScimFind(const std::string& tenant_id, const std::string& id) {
    return Directory([&](scim::DirectoryStore& d) { return d.FindUser(tenant_id, id); });
  }
  Status AddMember(const std::string& tenant_id, const std::string& org_id,
                   const std::string& user_id, const std::string& role) {
    return Accounts([&](AccountStore& s) {
      return s.AddOrganizationMember(tenant_id, {org_id, user_id, role}, T0());
    });
  }
  StatusOr<std::vector<OrganizationMembership>> MembershipsOf(const std::string& tenant_id,
                                                              const std::string& user_id) {
    return Accounts([&](AccountStore& s) { return s.MembershipsOf(tenant_id, user_id); });
  }

  // The ids a SCIM list with `filter` returns in `tenant_id`.
  std::vector<std::string> ScimListIds(const std::string& tenant_id, std::string_view filter) {
    StatusOr<scim::Filter> f = scim::ParseFilter(filter, scim::UserResourceType());
    EXPECT_TRUE(f.ok()) << filter << ": " << f.status().ToString();
    if (!f.ok()) return {};
    StatusOr<scim::Page> page = Directory([&](scim::DirectoryStore& d) {
      return d.ListUsers(tenant_id, scim::PageRequest{.filter = &*f});
    });
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> ids;
    if (page.ok()) {
      for (const scim::ResourceRecord& r : page->items) ids.push_back(r.id);
    }
    return ids;
  }

  // Removes a tenant as deleting its row would (SQL: the row itself, with the schema's
  // cascades; in memory: from the state).
  void DeleteTenant(const std::string& tenant_id) {
    if (IsSql()) {
      DeleteTenantRow(tenant_id);
      return;
    }
    static_cast<InMemoryDatabase&>(*db_).MutableStateForTest([&](InMemoryDatabase::State& s) {
      std::erase_if(s.tenants, [&](const Tenant& t) { return t.id == tenant_id; });
    });
  }
};

TEST_P(AccountStoreContract, InsertedAccountReadsBackByCaseFoldedEmailAndById) {
  UserAccount a = MakeAccount(tenant_.id, "Jane.Doe@Example.COM", "Jane Doe");
  a.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
  a.email_verified_at = At(milliseconds(5));
  ASSERT_TRUE(Insert(a).ok());

  for (const std::string email : {"jane.doe@example.com", "JANE.DOE@EXAMPLE.COM"}) {
    StatusOr<UserAccount> found = ByEmail(tenant_.id, email);
    ASSERT_TRUE(found.ok()) << email << ": " << found.status().ToString();
    EXPECT_EQ(found->id, a.id);
    EXPECT_EQ(found->tenant_id, tenant_.id);
    EXPECT_EQ(found->email, "Jane.Doe@Example.COM");
    EXPECT_EQ(found->name, "Jane Doe");
    EXPECT_EQ(found->password_hash, a.password_hash);
    EXPECT_EQ(found->email_verified_at, a.email_verified_at);
    EXPECT_TRUE(found->active);
    EXPECT_EQ(found->created_at, T0());
  }
  StatusOr<UserAccount> by_id = ById(tenant_.id, a.id);
  ASSERT_TRUE(by_id.ok()) << by_id.status().ToString();
  EXPECT_EQ(by_id->email, a.email);
  EXPECT_EQ(by_id->password_hash, a.password_hash);

  EXPECT_EQ(ByEmail(tenant_.id, "someone.else@example.com").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ById(tenant_.id, Uuid()).status().code(), StatusCode::kNotFound);
}

TEST_P(AccountStoreContract, AccountWithoutNamePasswordOrVerificationReadsBackEmpty) {
  UserAccount a = MakeAccount(tenant_.id, "bare@example.com");
  a.active = false;
  ASSERT_TRUE(Insert(a).ok());
  StatusOr<UserAccount> found = ById(tenant_.id, a.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->name, "");
  EXPECT_FALSE(found->password_hash.has_value());
  EXPECT_FALSE(found->email_verified_at.has_value());
  EXPECT_FALSE(found->active);
}

TEST_P(AccountStoreContract, AccountIsStoredAsTheScimUserDocument) {
  UserAccount named = MakeAccount(tenant_.id, "Jane@Example.com", "Jane Doe", At(milliseconds(7)));
  UserAccount unnamed = MakeAccount(tenant_.id, "anon@example.com");
  ASSERT_TRUE(Insert(named).ok());
  ASSERT_TRUE(Insert(unnamed).ok());

  StatusOr<scim::ResourceRecord> scim = ScimFind(tenant_.id, named.id);
  ASSERT_TRUE(scim.ok()) << scim.status().ToString();
  EXPECT_EQ(scim->document, Doc(R"({"userName": "Jane@Example.com",
      "emails": [{"value": "Jane@Example.com", "primary": true}], "active": true,
      "displayName": "Jane Doe", "name": {"formatted": "Jane Doe"}})"));
  EXPECT_EQ(scim->version, 1);
  EXPECT_EQ(scim->created_at, At(milliseconds(7)));
  EXPECT_EQ(scim->updated_at, At(milliseconds(7)));

  scim = ScimFind(tenant_.id, unnamed.id);
  ASSERT_TRUE(scim.ok()) << scim.status().ToString();
  EXPECT_EQ(scim->document, Doc(R"({"userName": "anon@example.com",
      "emails": [{"value": "anon@example.com", "primary": true}], "active": true})"));
}

TEST_P(AccountStoreContract, ScimFindsAccountByUserNameAndEmailFilters) {
  UserAccount a = MakeAccount(tenant_.id, "Jane@Example.com", "Jane Doe");
  ASSERT_TRUE(Insert(a).ok());
  ASSERT_TRUE(InsertScim(ScimUser(tenant_.id, R"({"userName": "bob@example.com",
      "emails": [{"value": "bob@example.com"}]})"))
                  .ok());
  const std::vector<std::string> just_a = {a.id};
  EXPECT_EQ(ScimListIds(tenant_.id, R"(userName eq "jane@example.com")"), just_a);
  EXPECT_EQ(ScimListIds(tenant_.id, R"(userName eq "JANE@EXAMPLE.COM")"), just_a);
  EXPECT_EQ(ScimListIds(tenant_.id, R"(emails[value eq "jane@example.com"])"), just_a);
  EXPECT_EQ(ScimListIds(tenant_.id, R"(emails[value eq "Jane@Example.com" and primary eq true])"),
            just_a);
  EXPECT_EQ(ScimListIds(tenant_.id, R"(emails.value eq "jane@example.com")"), just_a);
  EXPECT_EQ(ScimListIds(tenant_.id, R"(name.formatted eq "jane doe")"), just_a);
  EXPECT_EQ(ScimListIds(tenant_.id, R"(displayName eq "Jane Doe" and active eq true)"), just_a);
  EXPECT_TRUE(ScimListIds(other_.id, R"(userName eq "jane@example.com")").empty());
}

TEST_P(AccountStoreContract, EmailTakenByScimUserAfterCaseFoldingIsAlreadyExists) {
  ASSERT_TRUE(InsertScim(ScimUser(tenant_.id, R"({"userName": "ÄNNE@example.com"})")).ok());
  Status taken = Insert(MakeAccount(tenant_.id, "änne@EXAMPLE.com"));
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists) << taken.ToString();
  // Another tenant's userNames do not count.
  EXPECT_TRUE(Insert(MakeAccount(other_.id, "änne@EXAMPLE.com")).ok());
}

TEST_P(AccountStoreContract, ScimUserClashingWithAccountIsAlreadyExists) {
  ASSERT_TRUE(Insert(MakeAccount(tenant_.id, "Kim@example.com")).ok());
  Status taken = InsertScim(ScimUser(tenant_.id, R"({"userName": "KIM@EXAMPLE.COM"})"));
  EXPECT_EQ(taken.code(), StatusCode::kAlreadyExists) << taken.ToString();
  Status again = Insert(MakeAccount(tenant_.id, "kim@example.com"));
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
}

TEST_P(AccountStoreContract, DuplicateIdIsAlreadyExistsAndUnknownTenantIsRejected) {
  UserAccount a = MakeAccount(tenant_.id, "one@example.com");
  ASSERT_TRUE(Insert(a).ok());
  UserAccount same_id = MakeAccount(tenant_.id, "two@example.com");
  same_id.id = a.id;
  EXPECT_EQ(Insert(same_id).code(), StatusCode::kAlreadyExists);
  Status no_tenant = Insert(MakeAccount(Uuid(), "three@example.com"));
  EXPECT_EQ(no_tenant.code(), StatusCode::kFailedPrecondition) << no_tenant.ToString();
  EXPECT_EQ(Insert(MakeAccount(tenant_.id, "")).code(), StatusCode::kInvalidArgument);
}

TEST_P(AccountStoreContract, ScimMadeUserIsFoundByUserNameWithItsPrimaryEmailAndName) {
  scim::ResourceRecord primary = ScimUser(tenant_.id, R"({"userName": "JDoe",
      "emails": [{"value": "work@example.com", "type": "work"},
                 {"value": "home@example.com", "primary": true}],
      "name": {"formatted": "John Doe"}, "active": false})");
  scim::ResourceRecord first = ScimUser(tenant_.id, R"({"userName": "ann",
      "emails": [{"value": "ann@work.example"}, {"value": "ann@home.example"}],
      "displayName": "Ann", "name": {"formatted": "Ann Other"}})");
  scim::ResourceRecord none = ScimUser(tenant_.id, R"({"userName": "Max@Example.com"})");
  for (const auto* u : {&primary, &first, &none}) ASSERT_TRUE(InsertScim(*u).ok());

  StatusOr<UserAccount> found = ByEmail(tenant_.id, "jdoe");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, primary.id);
  EXPECT_EQ(found->email, "home@example.com");
  EXPECT_EQ(found->name, "John Doe");
  EXPECT_FALSE(found->active);
  EXPECT_FALSE(found->password_hash.has_value());
  EXPECT_FALSE(found->email_verified_at.has_value());

  found = ByEmail(tenant_.id, "ANN");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->email, "ann@work.example");
  EXPECT_EQ(found->name, "Ann");
  EXPECT_TRUE(found->active);  // SCIM left `active` out

  found = ByEmail(tenant_.id, "max@example.com");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->email, "Max@Example.com");
  EXPECT_EQ(found->name, "");
  // Found by userName only: an email that is not the userName finds nothing.
  EXPECT_EQ(ByEmail(tenant_.id, "home@example.com").status().code(), StatusCode::kNotFound);
}

TEST_P(AccountStoreContract, PasswordAndVerificationUpdatesBumpTheScimVersion) {
  UserAccount a = MakeAccount(tenant_.id, "pw@example.com");
  ASSERT_TRUE(Insert(a).ok());

  ASSERT_TRUE(Accounts([&](AccountStore& s) {
                return s.SetPasswordHash(tenant_.id, a.id, "$2b$10$hash", At(milliseconds(10)));
              }).ok());
  StatusOr<scim::ResourceRecord> scim = ScimFind(tenant_.id, a.id);
  ASSERT_TRUE(scim.ok()) << scim.status().ToString();
  EXPECT_EQ(scim->version, 2);
  EXPECT_EQ(scim->updated_at, At(milliseconds(10)));
  EXPECT_EQ(ById(tenant_.id, a.id)->password_hash, "$2b$10$hash");

  ASSERT_TRUE(Accounts([&](AccountStore& s) {
                return s.MarkEmailVerified(tenant_.id, a.id, At(milliseconds(20)));
              }).ok());
  scim = ScimFind(tenant_.id, a.id);
  ASSERT_TRUE(scim.ok()) << scim.status().ToString();
  EXPECT_EQ(scim->version, 3);
  EXPECT_EQ(scim->updated_at, At(milliseconds(20)));
  StatusOr<UserAccount> found = ById(tenant_.id, a.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->email_verified_at, At(milliseconds(20)));
  EXPECT_EQ(found->password_hash, "$2b$10$hash");
  EXPECT_EQ(found->created_at, T0());

  // A SCIM update (which names no password) keeps both.
  scim::ResourceRecord replaced = *scim;
  replaced.document.Set("displayName", "Renamed");
  replaced.version = 4;
  ASSERT_TRUE(Directory([&](scim::DirectoryStore& d) {
                return d.UpdateUser(replaced, 3, std::nullopt);
              }).ok());
  found = ById(tenant_.id, a.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->name, "Renamed");
  EXPECT_EQ(found->password_hash, "$2b$10$hash");
  EXPECT_EQ(found->email_verified_at, At(milliseconds(20)));
}

TEST_P(AccountStoreContract, UpdatesOfAnUnknownUserAreNotFound) {
  UserAccount a = MakeAccount(tenant_.id, "mine@example.com");
  ASSERT_TRUE(Insert(a).ok());
  for (const std::string& tenant : {other_.id, tenant_.id}) {
    const std::string id = tenant == tenant_.id ? Uuid() : a.id;
    EXPECT_EQ(Accounts([&](AccountStore& s) {
                return s.SetPasswordHash(tenant, id, "$2b$10$x", T0());
              }).code(),
              StatusCode::kNotFound);
    EXPECT_EQ(
        Accounts([&](AccountStore& s) { return s.MarkEmailVerified(tenant, id, T0()); }).code(),
        StatusCode::kNotFound);
  }
  StatusOr<scim::ResourceRecord> scim = ScimFind(tenant_.id, a.id);
  ASSERT_TRUE(scim.ok());
  EXPECT_EQ(scim->version, 1);  // the other tenant's attempts changed nothing
}

TEST_P(AccountStoreContract, OrganizationsReadBackAndDuplicateIdIsAlreadyExists) {
  const Organization org = MakeOrganization(tenant_.id, "Acme Inc.", At(milliseconds(3)));
  ASSERT_TRUE(Accounts([&](AccountStore& s) { return s.InsertOrganization(org); }).ok());
  StatusOr<Organization> found =
      Accounts([&](AccountStore& s) { return s.FindOrganization(tenant_.id, org.id); });
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, org.id);
  EXPECT_EQ(found->tenant_id, tenant_.id);
  EXPECT_EQ(found->name, "Acme Inc.");
  EXPECT_EQ(found->created_at, At(milliseconds(3)));

  Organization same_id = MakeOrganization(other_.id, "Other");
  same_id.id = org.id;
  EXPECT_EQ(Accounts([&](AccountStore& s) { return s.InsertOrganization(same_id); }).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(Accounts([&](AccountStore& s) {
              return s.InsertOrganization(MakeOrganization(Uuid(), "No tenant"));
            }).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Accounts([&](AccountStore& s) { return s.FindOrganization(other_.id, org.id); })
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST_P(AccountStoreContract, MembershipIsIdempotentKeepsItsRoleAndListsByOrganizationAge) {
  UserAccount a = MakeAccount(tenant_.id, "member@example.com");
  ASSERT_TRUE(Insert(a).ok());
  const Organization newer = MakeOrganization(tenant_.id, "Newer", At(milliseconds(2)));
  const Organization older = MakeOrganization(tenant_.id, "Older", At(milliseconds(1)));
  for (const Organization* o : {&newer, &older}) {
    ASSERT_TRUE(Accounts([&](AccountStore& s) { return s.InsertOrganization(*o); }).ok());
  }
  ASSERT_TRUE(AddMember(tenant_.id, newer.id, a.id, "owner").ok());
  Status again = AddMember(tenant_.id, newer.id, a.id, "member");
  EXPECT_TRUE(again.ok()) << again.ToString();
  ASSERT_TRUE(AddMember(tenant_.id, older.id, a.id, "admin").ok());

  StatusOr<std::vector<OrganizationMembership>> memberships = MembershipsOf(tenant_.id, a.id);
  ASSERT_TRUE(memberships.ok()) << memberships.status().ToString();
  ASSERT_EQ(memberships->size(), 2u);
  EXPECT_EQ((*memberships)[0].organization_id, older.id);
  EXPECT_EQ((*memberships)[0].user_id, a.id);
  EXPECT_EQ((*memberships)[0].role, "admin");
  EXPECT_EQ((*memberships)[1].organization_id, newer.id);
  EXPECT_EQ((*memberships)[1].role, "owner");  // the second add kept it
}

TEST_P(AccountStoreContract, MembershipNeedsTheTenantsOrganizationAndUser) {
  UserAccount mine = MakeAccount(tenant_.id, "mine@example.com");
  UserAccount theirs = MakeAccount(other_.id, "theirs@example.com");
  ASSERT_TRUE(Insert(mine).ok());
  ASSERT_TRUE(Insert(theirs).ok());
  const Organization my_org = MakeOrganization(tenant_.id, "Mine");
  const Organization their_org = MakeOrganization(other_.id, "Theirs");
  for (const Organization* o : {&my_org, &their_org}) {
    ASSERT_TRUE(Accounts([&](AccountStore& s) { return s.InsertOrganization(*o); }).ok());
  }
  EXPECT_EQ(AddMember(tenant_.id, "org_missing", mine.id, "member").code(), StatusCode::kNotFound);
  EXPECT_EQ(AddMember(tenant_.id, my_org.id, Uuid(), "member").code(), StatusCode::kNotFound);
  EXPECT_EQ(AddMember(tenant_.id, their_org.id, mine.id, "member").code(), StatusCode::kNotFound);
  EXPECT_EQ(AddMember(tenant_.id, my_org.id, theirs.id, "member").code(), StatusCode::kNotFound);
  EXPECT_EQ(AddMember(other_.id, my_org.id, mine.id, "member").code(), StatusCode::kNotFound);

  ASSERT_TRUE(AddMember(tenant_.id, my_org.id, mine.id, "owner").ok());
  StatusOr<std::vector<OrganizationMembership>> seen = MembershipsOf(other_.id, mine.id);
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_TRUE(seen->empty());
  seen = MembershipsOf(tenant_.id, theirs.id);
  ASSERT_TRUE(seen.ok());
  EXPECT_TRUE(seen->empty());
}

TEST_P(AccountStoreContract, AnotherTenantNeverSeesTheAccount) {
  UserAccount a = MakeAccount(tenant_.id, "shared@example.com", "Tenant A");
  ASSERT_TRUE(Insert(a).ok());
  EXPECT_EQ(ByEmail(other_.id, "shared@example.com").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ById(other_.id, a.id).status().code(), StatusCode::kNotFound);
  UserAccount b = MakeAccount(other_.id, "shared@example.com", "Tenant B");
  ASSERT_TRUE(Insert(b).ok());
  StatusOr<UserAccount> in_b = ByEmail(other_.id, "SHARED@example.com");
  ASSERT_TRUE(in_b.ok()) << in_b.status().ToString();
  EXPECT_EQ(in_b->id, b.id);
  EXPECT_EQ(in_b->name, "Tenant B");
  StatusOr<UserAccount> in_a = ByEmail(tenant_.id, "SHARED@example.com");
  ASSERT_TRUE(in_a.ok()) << in_a.status().ToString();
  EXPECT_EQ(in_a->id, a.id);
}

TEST_P(AccountStoreContract, DeletingTheScimUserRemovesItsMemberships) {
  UserAccount a = MakeAccount(tenant_.id, "gone@example.com");
  ASSERT_TRUE(Insert(a).ok());
  const Organization org = MakeOrganization(tenant_.id, "Org");
  ASSERT_TRUE(Accounts([&](AccountStore& s) { return s.InsertOrganization(org); }).ok());
  ASSERT_TRUE(AddMember(tenant_.id, org.id, a.id, "owner").ok());
  ASSERT_TRUE(Directory([&](scim::DirectoryStore& d) {
                return d.DeleteUser(tenant_.id, a.id, At(milliseconds(1)));
              }).ok());
  EXPECT_EQ(ByEmail(tenant_.id, "gone@example.com").status().code(), StatusCode::kNotFound);
  StatusOr<std::vector<OrganizationMembership>> left = MembershipsOf(tenant_.id, a.id);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  EXPECT_TRUE(left->empty());
  if (IsSql()) {
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"), 0);
  }
  // The email is free again.
  EXPECT_TRUE(Insert(MakeAccount(tenant_.id, "GONE@example.com")).ok());
}

TEST_P(AccountStoreContract, DeletingTheTenantRemovesItsOrganizationsAndMemberships) {
  UserAccount a = MakeAccount(tenant_.id, "a@example.com");
  UserAccount b = MakeAccount(other_.id, "b@example.com");
  ASSERT_TRUE(Insert(a).ok());
  ASSERT_TRUE(Insert(b).ok());
  const Organization org = MakeOrganization(tenant_.id, "Doomed");
  const Organization kept = MakeOrganization(other_.id, "Kept");
  for (const Organization* o : {&org, &kept}) {
    ASSERT_TRUE(Accounts([&](AccountStore& s) { return s.InsertOrganization(*o); }).ok());
  }
  ASSERT_TRUE(AddMember(tenant_.id, org.id, a.id, "owner").ok());
  ASSERT_TRUE(AddMember(other_.id, kept.id, b.id, "owner").ok());

  DeleteTenant(tenant_.id);

  EXPECT_EQ(Accounts([&](AccountStore& s) { return s.FindOrganization(tenant_.id, org.id); })
                .status()
                .code(),
            StatusCode::kNotFound);
  StatusOr<std::vector<OrganizationMembership>> left = MembershipsOf(tenant_.id, a.id);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  EXPECT_TRUE(left->empty());
  if (IsSql()) {
    EXPECT_EQ(ById(tenant_.id, a.id).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organizations"), 1);
    EXPECT_EQ(CountRows("SELECT COUNT(*) FROM organization_members"), 1);
  }
  StatusOr<std::vector<OrganizationMembership>> other = MembershipsOf(other_.id, b.id);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  EXPECT_EQ(other->size(), 1u);
}

TEST_P(AccountStoreContract, ClashInsideATransactionLeavesItUsable) {
  const UserAccount first = MakeAccount(tenant_.id, "first@example.com");
  const Organization org = MakeOrganization(tenant_.id, "Org");
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.accounts().InsertUser(first));
    Status clash = s.accounts().InsertUser(MakeAccount(tenant_.id, "FIRST@example.com"));
    if (clash.code() != StatusCode::kAlreadyExists) return Internal("expected a clash");
    PORTICO_RETURN_IF_ERROR(s.accounts().InsertOrganization(org));
    Status org_clash = s.accounts().InsertOrganization(org);
    if (org_clash.code() != StatusCode::kAlreadyExists) return Internal("expected a clash");
    return s.accounts().AddOrganizationMember(tenant_.id, {org.id, first.id, "owner"}, T0());
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(ById(tenant_.id, first.id).ok());
  StatusOr<std::vector<OrganizationMembership>> memberships = MembershipsOf(tenant_.id, first.id);
  ASSERT_TRUE(memberships.ok());
  EXPECT_EQ(memberships->size(), 1u);
}

TEST_P(AccountStoreContract, RolledBackTransactionLeavesNoAccount) {
  const UserAccount a = MakeAccount(tenant_.id, "rolled@example.com");
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.accounts().InsertUser(a));
    return Aborted("changed my mind");
  });
  EXPECT_EQ(status.code(), StatusCode::kAborted);
  EXPECT_EQ(ByEmail(tenant_.id, "rolled@example.com").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(ScimListIds(tenant_.id, R"(emails[value eq "rolled@example.com"])").empty());
}

TEST_P(AccountStoreContract, RolesAreStoredAsScimRolesAndReadBack) {
  UserAccount a = MakeAccount(tenant_.id, "boss@example.com");
  a.roles = {"billing-admin", "auditor"};
  ASSERT_TRUE(Insert(a).ok());
  StatusOr<UserAccount> found = ById(tenant_.id, a.id);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->roles, a.roles);
  StatusOr<scim::ResourceRecord> scim = ScimFind(tenant_.id, a.id);
  ASSERT_TRUE(scim.ok()) << scim.status().ToString();
  EXPECT_EQ(*scim->document.Find("roles"),
            Doc(R"([{"value": "billing-admin"}, {"value": "auditor"}])"));
  EXPECT_EQ(ScimListIds(tenant_.id, R"(roles.value eq "auditor")"),
            std::vector<std::string>{a.id});
}

class AccountSessionContract : public AccountStoreContract {
 protected:
  AccountSession MakeSession(const UserAccount& user, std::string hash, TimePoint expires) {
    return AccountSession{.id = Uuid(),
                          .tenant_id = user.tenant_id,
                          .user_id = user.id,
                          .token_hash = std::move(hash),
                          .client_ip = "203.0.113.7",
                          .user_agent = "curl/8",
                          .created_at = T0(),
                          .expires_at = expires};
  }
  Status InsertSession(const AccountSession& session) {
    return Accounts([&](AccountStore& s) { return s.InsertSession(session); });
  }
  StatusOr<AccountSession> FindSession(const std::string& hash) {
    return Accounts([&](AccountStore& s) { return s.FindSessionByHash(hash); });
  }
};

TEST_P(AccountSessionContract, SessionReadsBackByTokenHash) {
  const UserAccount a = MakeAccount(tenant_.id, "s@example.com");
  ASSERT_TRUE(Insert(a).ok());
  const AccountSession session = MakeSession(a, "hash-1", At(std::chrono::hours(1)));
  ASSERT_TRUE(InsertSession(session).ok());
  StatusOr<AccountSession> found = FindSession("hash-1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ(found->id, session.id);
  EXPECT_EQ(found->tenant_id, tenant_.id);
  EXPECT_EQ(found->user_id, a.id);
  EXPECT_EQ(found->token_hash, "hash-1");
  EXPECT_EQ(found->client_ip, "203.0.113.7");
  EXPECT_EQ(found->user_agent, "curl/8");
  EXPECT_EQ(found->created_at, T0());
  EXPECT_EQ(found->expires_at, At(std::chrono::hours(1)));
  EXPECT_EQ(FindSession("hash-2").status().code(), StatusCode::kNotFound);
}

TEST_P(AccountSessionContract, DuplicateTokenHashOrIdIsAlreadyExistsAndLeavesTheTransactionUsable) {
  const UserAccount a = MakeAccount(tenant_.id, "dup@example.com");
  ASSERT_TRUE(Insert(a).ok());
  const AccountSession first = MakeSession(a, "same", At(std::chrono::hours(1)));
  AccountSession same_id = MakeSession(a, "other", At(std::chrono::hours(1)));
  same_id.id = first.id;
  Status status = db_->Transact([&](Stores& s) -> Status {
    PORTICO_RETURN_IF_ERROR(s.accounts().InsertSession(first));
    if (s.accounts().InsertSession(MakeSession(a, "same", At(std::chrono::hours(2)))).code() !=
        StatusCode::kAlreadyExists) {
      return Internal("expected a clash on the token hash");
    }
    if (s.accounts().InsertSession(same_id).code() != StatusCode::kAlreadyExists) {
      return Internal("expected a clash on the id");
    }
    return s.accounts().InsertSession(MakeSession(a, "third", At(std::chrono::hours(1))));
  });
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_TRUE(FindSession("third").ok());
}

TEST_P(AccountSessionContract, SessionNeedsTheTenantsUser) {
  const UserAccount a = MakeAccount(tenant_.id, "mine@example.com");
  ASSERT_TRUE(Insert(a).ok());
  AccountSession foreign = MakeSession(a, "h", At(std::chrono::hours(1)));
  foreign.tenant_id = other_.id;
  EXPECT_EQ(InsertSession(foreign).code(), StatusCode::kNotFound);
  AccountSession ghost = MakeSession(a, "h", At(std::chrono::hours(1)));
  ghost.user_id = Uuid();
  EXPECT_EQ(InsertSession(ghost).code(), StatusCode::kNotFound);
  EXPECT_EQ(FindSession("h").status().code(), StatusCode::kNotFound);
}

TEST_P(AccountSessionContract, DeletingTheUserEndsItsSessions) {
  const UserAccount a = MakeAccount(tenant_.id, "bye@example.com");
  ASSERT_TRUE(Insert(a).ok());
  ASSERT_TRUE(InsertSession(MakeSession(a, "bye", At(std::chrono::hours(1)))).ok());
  ASSERT_TRUE(Directory([&](scim::DirectoryStore& d) {
                return d.DeleteUser(tenant_.id, a.id, At(milliseconds(1)));
              }).ok());
  EXPECT_EQ(FindSession("bye").status().code(), StatusCode::kNotFound);
}

TEST_P(AccountSessionContract, HousekeepingDeletesOnlyExpiredSessions) {
  const UserAccount a = MakeAccount(tenant_.id, "hk@example.com");
  ASSERT_TRUE(Insert(a).ok());
  ASSERT_TRUE(InsertSession(MakeSession(a, "old", At(std::chrono::minutes(5)))).ok());
  ASSERT_TRUE(InsertSession(MakeSession(a, "edge", At(std::chrono::minutes(10)))).ok());
  ASSERT_TRUE(InsertSession(MakeSession(a, "live", At(std::chrono::minutes(11)))).ok());
  StatusOr<int64_t> deleted = Accounts(
      [&](AccountStore& s) { return s.DeleteExpiredSessions(At(std::chrono::minutes(10))); });
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(FindSession("old").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(FindSession("edge").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(FindSession("live").ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, AccountSessionContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

INSTANTIATE_TEST_SUITE_P(Stores, AccountStoreContract, ::testing::ValuesIn(AllStoreTargets()),
                         StoreTargetName());

}  // namespace
}  // namespace portico::testing
