#include "portico/tenant_service.h"

#include <gtest/gtest.h>

#include <string>

#include "portico/parse_json.h"
#include "tests/fakes/fake_clock.h"
#include "src/core/mail/mail_outbox.h"
#include "tests/fakes/in_memory_database.h"

namespace portico {
namespace {

struct SlugCase {
  std::string slug;
  std::string rule;  // expected substring of the message; empty = valid
};

TEST(ValidateSlugTest, FollowsTheSlugRules) {
  const SlugCase cases[] = {
      {"acme", ""},
      {"abc", ""},
      {"123", ""},
      {"a-b", ""},
      {"acme-corp-2", ""},
      {"a--b", ""},
      {std::string(40, 'a'), ""},
      {"ab", "3 to 40 characters"},
      {"", "3 to 40 characters"},
      {std::string(41, 'a'), "3 to 40 characters"},
      {"Acme", "lowercase letters, digits and hyphens"},
      {"ac_me", "lowercase letters, digits and hyphens"},
      {"ac me", "lowercase letters, digits and hyphens"},
      {"ac.me", "lowercase letters, digits and hyphens"},
      {"caf\xC3\xA9", "lowercase letters, digits and hyphens"},
      {"-acme", "start and end with a letter or digit"},
      {"acme-", "start and end with a letter or digit"},
      {"---", "start and end with a letter or digit"},
  };
  for (const SlugCase& c : cases) {
    const Status s = ValidateSlug(c.slug);
    if (c.rule.empty()) {
      EXPECT_TRUE(s.ok()) << c.slug << ": " << s.ToString();
    } else {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.slug;
      EXPECT_EQ(s.tag(), "invalid_slug") << c.slug;
      EXPECT_NE(s.message().find(c.rule), std::string::npos) << c.slug << ": " << s.message();
    }
  }
}

TEST(ValidateSlugTest, RejectsReservedSlugs) {
  for (const char* slug :
       {"api",    "admin",   "www",     "scim",     "oauth",      "auth",   "login",
        "logout", "signup",  "sign-up", "register", "well-known", "static", "assets",
        "app",    "portico", "support", "help",     "status",     "docs",   "mail",
        "root",   "system",  "default", "null",     "undefined",  "test",   "localhost"}) {
    const Status s = ValidateSlug(slug);
    EXPECT_EQ(s.tag(), "invalid_slug") << slug;
    EXPECT_NE(s.message().find("reserved"), std::string::npos) << slug << ": " << s.message();
  }
  EXPECT_TRUE(ValidateSlug("apis").ok());
  EXPECT_TRUE(ValidateSlug("my-app").ok());
}

class TenantServiceTest : public ::testing::Test {
 protected:
  StatusOr<CreatedTenant> Create(std::string slug, std::string name = "Acme Corp",
                                 std::vector<std::string> modules = {},
                                 std::optional<std::string> email = std::nullopt) {
    return service_.Create(
        NewTenant{std::move(slug), std::move(name), std::move(modules), std::move(email)});
  }

  void ExpectInvalid(const StatusOr<CreatedTenant>& r, const char* tag, const char* needle) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_EQ(r.status().tag(), tag) << r.status().ToString();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
  }

  testing::FakeClock clock_;
  testing::InMemoryDatabase db_;
  CredentialIssuer issuer_{"key-hash-secret", SecureRandom(), clock_};
  TenantService service_{db_, issuer_, SecureRandom(), clock_};
};

TEST_F(TenantServiceTest, CreatesTenantWithAllModulesByDefault) {
  StatusOr<CreatedTenant> created = Create("acme", "  Acme Corp \t");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const Tenant& t = created->tenant;
  EXPECT_EQ(t.id.size(), 36u);
  EXPECT_EQ(t.slug, "acme");
  EXPECT_EQ(t.name, "Acme Corp");
  EXPECT_EQ(t.modules, KnownModules());
  EXPECT_EQ(KnownModules(), (std::vector<std::string>{"scim", "dcr", "signup"}));
  EXPECT_EQ(t.status, "active");
  EXPECT_EQ(t.created_at, clock_.Now());
  const auto state = db_.Snapshot();
  ASSERT_EQ(state.tenants.size(), 1u);
  EXPECT_EQ(state.tenants[0].id, t.id);
  EXPECT_EQ(state.tenants[0].name, "Acme Corp");
}

TEST_F(TenantServiceTest, IssuesThreeCredentialsThatVerify) {
  StatusOr<CreatedTenant> created = Create("acme");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct Expect {
    const IssuedCredential* issued;
    CredentialKind kind;
    const char* prefix;
    const char* name;
    std::vector<std::string> scopes;
  };
  const Expect expectations[] = {
      {&created->integration_key,
       CredentialKind::kIntegrationKey,
       "portico_ik_",
       "default",
       {"scim:read", "scim:write", "dcr:register", "tenant:admin"}},
      {&created->bootstrap_token,
       CredentialKind::kBootstrapToken,
       "portico_bt_",
       "bootstrap",
       {"dcr:register"}},
      {&created->public_login_token,
       CredentialKind::kPublicLoginToken,
       "portico_pl_",
       "public-login",
       {"signup:public"}},
  };
  for (const Expect& e : expectations) {
    EXPECT_EQ(e.issued->secret.rfind(e.prefix, 0), 0u) << e.issued->secret;
    StatusOr<Credential> verified = Unauthenticated("not run");
    ASSERT_TRUE(db_.Run([&](Stores& s) {
                     verified = issuer_.Verify(s.credentials(), e.issued->secret, e.kind);
                     return Status::Ok();
                   })
                    .ok());
    ASSERT_TRUE(verified.ok()) << e.name << ": " << verified.status().ToString();
    EXPECT_EQ(verified->tenant_id, created->tenant.id);
    EXPECT_EQ(verified->name, e.name);
    EXPECT_EQ(verified->scopes, e.scopes);
    EXPECT_FALSE(verified->expires_at.has_value());
  }
  // The secrets themselves are stored nowhere.
  for (const Credential& c : db_.Snapshot().credentials) {
    for (const Expect& e : expectations) {
      EXPECT_EQ(c.key_hash.find(e.issued->secret.substr(11)), std::string::npos);
    }
  }
  EXPECT_EQ(db_.Snapshot().credentials.size(), 3u);
}

TEST_F(TenantServiceTest, EnqueuesAnAuditEventInTheSameTransaction) {
  StatusOr<CreatedTenant> created = Create("acme");
  ASSERT_TRUE(created.ok());
  const auto state = db_.Snapshot();
  ASSERT_EQ(state.outbox.size(), 1u);
  const OutboxMessage& m = state.outbox.begin()->second;
  EXPECT_EQ(m.topic, "audit");
  StatusOr<Json> payload = ParseJson(m.payload);
  ASSERT_TRUE(payload.ok()) << m.payload;
  EXPECT_EQ(payload->Find("type")->as_string(), "tenant.created");
  EXPECT_EQ(payload->Find("tenantId")->as_string(), created->tenant.id);
  EXPECT_EQ(payload->Find("slug")->as_string(), "acme");
  EXPECT_EQ(payload->Find("at")->as_string(), FormatRfc3339(clock_.Now()));
  EXPECT_EQ(m.payload.find("portico_"), std::string::npos) << "no secret in the audit event";
}

TEST_F(TenantServiceTest, DuplicateSlugIsAlreadyExistsCaseInsensitively) {
  ASSERT_TRUE(Create("acme").ok());
  StatusOr<CreatedTenant> again = Create("acme", "Other");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(again.status().tag(), "slug_taken");
  EXPECT_EQ(again.status().message(), "slug is already taken");

  // A row whose slug differs only in case (e.g. written by an older version).
  Tenant legacy;
  legacy.id = "legacy";
  legacy.slug = "Globex";
  legacy.name = "Globex";
  ASSERT_TRUE(db_.Run([&](Stores& s) { return s.tenants().Insert(legacy); }).ok());
  EXPECT_EQ(Create("globex").status().code(), StatusCode::kAlreadyExists);
  const auto state = db_.Snapshot();
  EXPECT_EQ(state.tenants.size(), 2u);
  EXPECT_EQ(state.credentials.size(), 3u) << "failed creations left credentials behind";
  EXPECT_EQ(state.outbox.size(), 1u);
}

TEST_F(TenantServiceTest, AcceptsAChosenModuleSubset) {
  StatusOr<CreatedTenant> created = Create("acme", "Acme", {"signup", "scim"});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->tenant.modules, (std::vector<std::string>{"signup", "scim"}));
}

TEST_F(TenantServiceTest, RejectsUnknownOrDuplicateModules) {
  ExpectInvalid(Create("acme", "Acme", {"scim", "billing"}), "invalid_modules", "billing");
  ExpectInvalid(Create("acme", "Acme", {"dcr", "dcr"}), "invalid_modules", "dcr");
  ExpectInvalid(Create("acme", "Acme", {"SCIM"}), "invalid_modules", "SCIM");
}

TEST_F(TenantServiceTest, ValidatesTheName) {
  ExpectInvalid(Create("acme", ""), "invalid_name", "1 to 200");
  ExpectInvalid(Create("acme", " \t "), "invalid_name", "1 to 200");
  ExpectInvalid(Create("acme", std::string(201, 'x')), "invalid_name", "1 to 200");
  ExpectInvalid(Create("acme", "Ac\x01me"), "invalid_name", "control");
  ExpectInvalid(Create("acme", "Ac\nme"), "invalid_name", "control");
  std::string two_hundred_accents;
  for (int i = 0; i < 200; ++i) two_hundred_accents += "\xC3\xA9";
  EXPECT_TRUE(Create("acme", two_hundred_accents).ok()) << "200 characters, 400 bytes";
}

TEST_F(TenantServiceTest, ValidatesTheSlug) {
  ExpectInvalid(Create("ab"), "invalid_slug", "3 to 40");
  ExpectInvalid(Create("admin"), "invalid_slug", "reserved");
  ExpectInvalid(Create("ACME"), "invalid_slug", "lowercase");
}

TEST_F(TenantServiceTest, NormalisesTheAdminEmailDomain) {
  StatusOr<CreatedTenant> created = Create("acme", "Acme", {}, "Jane.Doe@Example.COM");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->tenant.admin_email, "Jane.Doe@example.com");
  EXPECT_EQ(db_.Snapshot().tenants[0].admin_email, "Jane.Doe@example.com");
  EXPECT_FALSE(Create("globex").value().tenant.admin_email.has_value());
}

TEST_F(TenantServiceTest, RejectsMalformedAdminEmail) {
  const std::string cases[] = {
      "",
      "no-at-sign",
      "a@b@example.com",
      "@example.com",
      "jane@localhost",
      "jane@",
      "jane doe@example.com",
      "jane@exa mple.com",
      "jane\x01@example.com",
      std::string(65, 'a') + "@example.com",
      "a@" + std::string(250, 'b') + ".com",
      "jane@.example.com",
      "jane@example.com.",
  };
  for (const std::string& email : cases) {
    StatusOr<CreatedTenant> r = Create("acme", "Acme", {}, email);
    ASSERT_FALSE(r.ok()) << email;
    EXPECT_EQ(r.status().tag(), "invalid_email") << email;
  }
  EXPECT_TRUE(Create("acme", "Acme", {}, std::string(64, 'a') + "@example.com").ok());
}

TEST_F(TenantServiceTest, InvalidRequestNeverTouchesTheDatabase) {
  ExpectInvalid(Create("admin"), "invalid_slug", "reserved");
  ExpectInvalid(Create("acme", "Acme", {"nope"}), "invalid_modules", "nope");
  EXPECT_EQ(db_.TotalCalls(), 0);
}

TEST_F(TenantServiceTest, FailingStoreLeavesNothingHalfWritten) {
  for (const char* operation : {"outbox.Enqueue", "credentials.Insert", "tenants.Insert"}) {
    db_.FailOperation(operation);
    StatusOr<CreatedTenant> r = Create("acme");
    ASSERT_FALSE(r.ok()) << operation;
    EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << operation;
    const auto state = db_.Snapshot();
    EXPECT_TRUE(state.tenants.empty()) << operation;
    EXPECT_TRUE(state.credentials.empty()) << operation;
    EXPECT_TRUE(state.outbox.empty()) << operation;
  }
  db_.FailOperation("");
  EXPECT_TRUE(Create("acme").ok()) << "the failed attempts must not block the slug";
}

TEST_F(TenantServiceTest, UnavailableDatabaseIsUnavailable) {
  db_.SetUnavailable(true);
  EXPECT_EQ(Create("acme").status().code(), StatusCode::kUnavailable);
}

TEST_F(TenantServiceTest, ASlugHeldElsewhereIsTakenButCreateInIgnoresTheHold) {
  std::vector<std::string> asked;
  TenantService held_service(db_, issuer_, SecureRandom(), clock_,
                             [&](Stores&, std::string_view slug, TimePoint now) -> StatusOr<bool> {
                               asked.push_back(std::string(slug));
                               EXPECT_EQ(now, clock_.Now());
                               return slug == "globex";
                             });
  StatusOr<CreatedTenant> held = held_service.Create(NewTenant{"globex", "Globex", {}, {}});
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(held.status().tag(), "slug_taken");
  EXPECT_NE(held.status().message().find("signup session"), std::string::npos);
  EXPECT_TRUE(db_.Snapshot().tenants.empty());
  EXPECT_TRUE(held_service.Create(NewTenant{"acme", "Acme", {}, {}}).ok());
  EXPECT_EQ(asked, (std::vector<std::string>{"globex", "acme"}));
  // Provisioning creates the tenant for the very session that holds the slug.
  ASSERT_TRUE(
      db_.Transact([&](Stores& stores) {
           return held_service.CreateIn(stores, NewTenant{"globex", "Globex", {}, {}}).status();
         })
          .ok());
  EXPECT_EQ(asked.size(), 2u);
}

TEST_F(TenantServiceTest, CreateInJoinsTheCallersTransaction) {
  // Provisioning creates the tenant inside its own transaction; when a later
  // step fails, the tenant goes too.
  const Status s = db_.Transact([&](Stores& stores) -> Status {
    PORTICO_RETURN_IF_ERROR(service_.CreateIn(stores, NewTenant{"acme", "Acme", {}, {}}).status());
    return Aborted("a later provisioning step failed");
  });
  EXPECT_EQ(s.code(), StatusCode::kAborted);
  EXPECT_TRUE(db_.Snapshot().tenants.empty());
  EXPECT_TRUE(db_.Snapshot().credentials.empty());
}

}  // namespace
}  // namespace portico

namespace portico {
namespace {

TEST(TenantServiceMailTest, QueuesTheAdminNoticeInTheSameCommit) {
  testing::InMemoryDatabase db;
  testing::FakeClock clock;
  Random& random = SecureRandom();  // FakeRandom's counter repeats within a few tenants
  CredentialIssuer issuer(std::string(40, 'k'), random, clock);
  TenantService service(db, issuer, random, clock);
  auto created = service.Create({.slug = "noticed", .name = "Noticed", .admin_email = "ops@Example.com"});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  std::vector<OutboxMessage> mails;
  for (const auto& [id, m] : db.Snapshot().outbox) {
    if (m.topic == mail::kMailTopic) mails.push_back(m);
  }
  ASSERT_EQ(mails.size(), 1u);
  auto message = mail::DecodeMailPayload(mails[0].payload);
  ASSERT_TRUE(message.ok()) << message.status().ToString();
  EXPECT_EQ(message->to, "ops@example.com");
  EXPECT_NE(message->subject.find("Noticed"), std::string::npos);
  EXPECT_EQ(message->text.find(created->integration_key.secret), std::string::npos)
      << "the notice never carries a secret";

  // No admin email, no mail; and a failed commit queues nothing.
  ASSERT_TRUE(service.Create({.slug = "quiet", .name = "Quiet"}).ok());
  db.FailOperation("credentials.Insert");
  ASSERT_FALSE(service.Create({.slug = "failing", .name = "F", .admin_email = "a@b.example"}).ok());
  int mail_count = 0;
  for (const auto& [id, m] : db.Snapshot().outbox) mail_count += m.topic == mail::kMailTopic;
  EXPECT_EQ(mail_count, 1);
}

}  // namespace
}  // namespace portico
