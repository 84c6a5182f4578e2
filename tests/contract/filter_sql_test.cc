// Differential tests of the filter → SQL translation (db/filter_sql.cc): random users, groups
// and filters; the SQL store on each backend must return exactly what the in-memory store —
// scim::Matches(), the oracle — returns: the same ids in the same order, the same totals, the
// same rejections.

#include <cctype>
#include <cstdio>
#include <random>

#include "database_fixture.h"
#include "scim/directory_store.h"
#include "scim/filter/parser.h"
#include "scim/resource_validator.h"
#include "scim/schema/resource_type.h"
#include "scim/scim_errors.h"
#include "tests/fakes/in_memory_directory_store.h"
#include "tests/unit/scim/filter_generator.h"

namespace portico::testing {
namespace {

using scim::PageRequest;
using scim::ResourceRecord;
using scim::test::FilterGenerator;
using scim::test::GenAttribute;
using std::chrono::milliseconds;

const std::string kEnt = std::string(scim::kEnterpriseUserSchemaUrn) + ":";

// Plain-ASCII values filters are generated from (the generator cuts substrings bytewise); the
// data mixes them in random case with non-ASCII values that case folding must handle.
const std::vector<std::string> kWords = {"alice", "Bob", "carol", "dave", "eve", "frank"};
const std::vector<std::string> kUnicodeWords = {
    "Älice",    "ÄLICE",    "älice", "Straße",      "STRASSE", "Σίσυφος", "ΣΊΣΥΦΟΣ",
    "İstanbul", "ıstanbul", "Ǆemal", "\u212Aelvin", "Zürich",  "ZÜRICH",  "日本語"};
const std::vector<std::string> kTitles = {"Engineer", "engineer", "Manager", "VP", "Ärztin", ""};
const std::vector<std::string> kDomains = {"example.com", "Example.ORG", "beispiel.de"};
const std::vector<std::string> kEmailTypes = {"work", "home", "other", "Work"};
const std::vector<std::string> kLocalities = {"Berlin", "berlin", "Zürich", "ZÜRICH", "Hollywood"};
const std::vector<std::string> kCountries = {"DE", "CH", "de", "US"};
const std::vector<std::string> kEntitlements = {"read", "write", "ADMIN", "admin"};
const std::vector<std::string> kCerts = {"TUlJQg==", "QUJDRA==", "qujdra=="};
const std::vector<std::string> kUserTypes = {"Employee", "Contractor", "intern"};
const std::vector<std::string> kDepartments = {"Sales", "sales", "R&D", "Finance"};

// Deterministic for a seed on every standard library: no std distributions.
class Rng {
 public:
  explicit Rng(uint64_t seed) : rng_(seed) {}
  uint64_t Below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  bool Chance(int percent) { return Below(100) < static_cast<uint64_t>(percent); }
  const std::string& Pick(const std::vector<std::string>& v) { return v[Below(v.size())]; }
  std::string VaryCase(std::string s) {
    if (!Chance(40)) return s;
    for (char& c : s) {
      if (!Chance(50)) continue;
      if (c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 32);
      else if (c >= 'A' && c <= 'Z')
        c = static_cast<char>(c + 32);
    }
    return s;
  }
  std::string Word() {
    const uint64_t roll = Below(100);
    if (roll < 65) return VaryCase(Pick(kWords));
    if (roll < 90) return Pick(kUnicodeWords);
    if (roll < 95) return "";
    return VaryCase(Pick(kWords)) + " " + Pick(kUnicodeWords);
  }

 private:
  std::mt19937_64 rng_;
};

std::string FixedId(int seed, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8%03x-%012x", seed, n);
  return buf;
}

std::vector<std::string> Quoted(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) out.push_back(Json(v).Dump());
  return out;
}

class FilterSqlDifferential : public DatabaseFixture {
 protected:
  struct Dataset {
    Tenant tenant;
    std::vector<std::string> user_ids;
    std::vector<std::string> group_ids;
    std::vector<std::string> group_names;
  };

  // A valid User document with random attributes (about half of them absent).
  Json RandomUserDocument(Rng& rng, int n, const std::vector<std::string>& manager_ids) {
    Json doc = Json::MakeObject();
    doc.Set("userName", rng.Word() + "." + std::to_string(n));
    if (rng.Chance(50)) doc.Set("externalId", "EXT-" + rng.VaryCase("a") + std::to_string(n % 7));
    if (rng.Chance(70)) doc.Set("displayName", rng.Word());
    if (rng.Chance(30)) doc.Set("nickName", rng.Word());
    if (rng.Chance(50)) doc.Set("title", rng.Pick(kTitles));
    if (rng.Chance(40)) doc.Set("userType", rng.Pick(kUserTypes));
    if (rng.Chance(30)) doc.Set("preferredLanguage", rng.VaryCase("de-CH"));
    if (rng.Chance(20)) doc.Set("profileUrl", rng.VaryCase("https://example.com/u/") + rng.Word());
    if (rng.Chance(80)) doc.Set("active", rng.Chance(50));
    if (rng.Chance(60)) {
      Json name = Json::MakeObject();
      for (const char* sub : {"givenName", "familyName", "formatted", "middleName",
                              "honorificPrefix", "honorificSuffix"}) {
        if (rng.Chance(50)) name.Set(sub, rng.Word());
      }
      if (!name.as_object().empty()) doc.Set("name", std::move(name));
    }
    Json emails = Json::MakeArray();
    bool primary_taken = false;
    for (int i = static_cast<int>(rng.Below(4)); i > 0; --i) {
      Json e = Json::MakeObject();
      if (rng.Chance(90)) e.Set("value", rng.Word() + "@" + rng.Pick(kDomains));
      if (rng.Chance(70)) e.Set("type", rng.Pick(kEmailTypes));
      if (rng.Chance(20)) e.Set("display", rng.Word());
      if (rng.Chance(40)) {
        const bool primary = !primary_taken && rng.Chance(60);
        primary_taken = primary_taken || primary;
        e.Set("primary", primary);
      }
      if (!e.as_object().empty()) emails.Push(std::move(e));
    }
    if (!emails.as_array().empty()) doc.Set("emails", std::move(emails));
    const auto simple_values = [&](const char* attr, const std::vector<std::string>& pool,
                                   int max) {
      Json values = Json::MakeArray();
      for (int i = static_cast<int>(rng.Below(max + 1)); i > 0; --i) {
        Json e = Json::MakeObject().Set("value", rng.Pick(pool));
        if (rng.Chance(30)) e.Set("type", rng.VaryCase("work"));
        values.Push(std::move(e));
      }
      if (!values.as_array().empty()) doc.Set(attr, std::move(values));
    };
    simple_values("phoneNumbers", {"+1 555 0100", "555-0101", "+41 44 000"}, 2);
    simple_values("entitlements", kEntitlements, 2);
    simple_values("roles", kEntitlements, 1);
    simple_values("x509Certificates", kCerts, 1);
    simple_values("ims", kWords, 1);
    Json addresses = Json::MakeArray();
    for (int i = static_cast<int>(rng.Below(3)); i > 0; --i) {
      Json a = Json::MakeObject();
      if (rng.Chance(70)) a.Set("locality", rng.Pick(kLocalities));
      if (rng.Chance(50)) a.Set("country", rng.Pick(kCountries));
      if (rng.Chance(40)) a.Set("type", rng.Pick(kEmailTypes));
      if (rng.Chance(30)) a.Set("streetAddress", rng.Word() + " 1");
      if (rng.Chance(20)) a.Set("postalCode", rng.VaryCase("ab") + "12");
      if (rng.Chance(20)) a.Set("primary", i == 1);
      if (!a.as_object().empty()) addresses.Push(std::move(a));
    }
    if (!addresses.as_array().empty()) doc.Set("addresses", std::move(addresses));
    if (rng.Chance(50)) {
      Json ent = Json::MakeObject();
      if (rng.Chance(50)) ent.Set("employeeNumber", std::to_string(rng.Below(20)));
      if (rng.Chance(50)) ent.Set("department", rng.Pick(kDepartments));
      if (rng.Chance(30)) ent.Set("organization", rng.Word());
      if (rng.Chance(40) && !manager_ids.empty()) {
        Json manager = Json::MakeObject();
        const std::string& m = manager_ids[rng.Below(manager_ids.size())];
        if (rng.Chance(80)) manager.Set("value", m);
        if (rng.Chance(40)) manager.Set("$ref", "https://example.com/scim/v2/Users/" + m);
        if (!manager.as_object().empty()) ent.Set("manager", std::move(manager));
      }
      if (!ent.as_object().empty()) doc.Set(scim::kEnterpriseUserSchemaUrn, std::move(ent));
    }
    // What the service would store: the validator's canonical form.
    StatusOr<scim::ValidatedResource> valid = scim::ValidateResource(doc, scim::UserResourceType());
    EXPECT_TRUE(valid.ok()) << valid.status().ToString() << " " << doc.Dump();
    return valid.ok() ? valid->document : doc;
  }

  // Users and groups of a new tenant, written to both stores alike.
  Dataset Populate(int seed, int users, int groups) {
    Rng rng(static_cast<uint64_t>(seed) * 7919 + 1);
    Dataset data;
    data.tenant = MakeTenant("t" + std::to_string(seed));
    EXPECT_TRUE(Query([&](Stores& s) { return s.tenants().Insert(data.tenant); }).ok());
    std::vector<ResourceRecord> user_records;
    for (int i = 0; i < users; ++i) {
      ResourceRecord r;
      r.id = FixedId(seed, i);
      r.tenant_id = data.tenant.id;
      r.document = RandomUserDocument(rng, i, data.user_ids);
      r.version = 1;
      r.created_at = At(milliseconds(1000 * static_cast<int64_t>(rng.Below(60))));
      r.updated_at = r.created_at + milliseconds(rng.Below(20'000));
      data.user_ids.push_back(r.id);
      user_records.push_back(std::move(r));
    }
    struct GroupWrite {
      ResourceRecord record;
      std::vector<scim::MemberRef> members;
    };
    std::vector<GroupWrite> group_writes;
    for (int i = 0; i < groups; ++i) {
      GroupWrite g;
      g.record.id = FixedId(seed, 0x800 + i);
      g.record.tenant_id = data.tenant.id;
      const std::string name = rng.Word() + " team " + std::to_string(i);
      g.record.document = Json::MakeObject().Set("displayName", name);
      if (rng.Chance(50)) g.record.document.Set("externalId", "G-" + std::to_string(i));
      g.record.version = 1;
      g.record.created_at = At(milliseconds(1000 * static_cast<int64_t>(rng.Below(60))));
      g.record.updated_at = g.record.created_at;
      for (int k = static_cast<int>(rng.Below(25)); k > 0; --k) {
        g.members.push_back(
            {data.user_ids[rng.Below(data.user_ids.size())], rng.Chance(50) ? "User" : ""});
      }
      if (i > 0 && rng.Chance(40)) g.members.push_back({data.group_ids[rng.Below(i)], "Group"});
      data.group_ids.push_back(g.record.id);
      data.group_names.push_back(name);
      group_writes.push_back(std::move(g));
    }
    const auto write = [&](scim::DirectoryStore& d) -> Status {
      for (const ResourceRecord& r : user_records) {
        PORTICO_RETURN_IF_ERROR(d.InsertUser(r, std::nullopt));
      }
      for (const GroupWrite& g : group_writes) {
        PORTICO_RETURN_IF_ERROR(d.InsertGroup(g.record, g.members));
      }
      return Status::Ok();
    };
    Status sql = db_->Transact([&](Stores& s) { return write(s.directory()); });
    EXPECT_TRUE(sql.ok()) << sql.ToString();
    Status fake = write(fake_);
    EXPECT_TRUE(fake.ok()) << fake.ToString();
    return data;
  }

  std::vector<GenAttribute> UserAttributes(const Dataset& data) {
    using T = scim::AttrType;
    std::vector<std::string> ids = {data.user_ids[0], data.user_ids[7], data.user_ids[42]};
    std::vector<std::string> instants = {R"("2027-01-15T08:00:00Z")", R"("2027-01-15T08:00:20Z")",
                                         R"("2027-01-15T09:00:30.500+01:00")",
                                         R"("2027-01-15T08:00:59.999Z")"};
    std::vector<std::string> group_names;
    for (const std::string& name : data.group_names) {
      if (name.size() > 5 && static_cast<unsigned char>(name[0]) < 0x80) {
        group_names.push_back(name.substr(0, name.find(' ')));
      }
    }
    if (group_names.empty()) group_names.push_back("team");
    return {
        {"id", T::kString, false, Quoted(ids)},
        {"externalId", T::kString, false, Quoted({"EXT-a1", "EXT-A3", "ext-a1"})},
        {"userName", T::kString, false, Quoted({"alice.1", "bob", "Carol", "eve.", ".1"})},
        {"displayName", T::kString, false, Quoted(kWords)},
        {"nickName", T::kString, false, Quoted(kWords)},
        {"title", T::kString, false, Quoted({"Engineer", "manager", "VP", "", "er"})},
        {"userType", T::kString, false, Quoted(kUserTypes)},
        {"preferredLanguage", T::kString, false, Quoted({"de-CH", "de", "EN"})},
        {"profileUrl", T::kReference, false, Quoted({"https://example.com/u/alice", "https"})},
        {"active", T::kBoolean, false, {"true", "false"}},
        {"name.givenName", T::kString, false, Quoted(kWords)},
        {"name.familyName", T::kString, false, Quoted(kWords)},
        {"name.formatted", T::kString, false, Quoted(kWords)},
        {"emails.value", T::kString, true,
         Quoted({"alice@example.com", "bob@Example.ORG", "example", "@beispiel.de"})},
        {"emails.type", T::kString, true, Quoted({"work", "home", "Work", "other"})},
        {"emails.primary", T::kBoolean, true, {"true", "false"}},
        {"emails.display", T::kString, true, Quoted(kWords)},
        {"phoneNumbers.value", T::kString, true, Quoted({"+1 555 0100", "555", "+41"})},
        {"phoneNumbers.type", T::kString, true, Quoted({"work", "WORK"})},
        {"entitlements.value", T::kString, true, Quoted(kEntitlements)},
        {"roles.value", T::kString, true, Quoted(kEntitlements)},
        {"x509Certificates.value", T::kBinary, true, Quoted(kCerts)},
        {"ims.value", T::kString, true, Quoted(kWords)},
        {"addresses.locality", T::kString, true, Quoted({"Berlin", "berlin", "Hollywood"})},
        {"addresses.country", T::kString, true, Quoted({"DE", "ch", "US"})},
        {"addresses.type", T::kString, true, Quoted({"work", "home"})},
        {"addresses.primary", T::kBoolean, true, {"true", "false"}},
        {"addresses.postalCode", T::kString, true, Quoted({"ab12", "AB12"})},
        {"groups.value", T::kString, true, Quoted({data.group_ids[0], data.group_ids[3]})},
        {"groups.display", T::kString, true, Quoted(group_names)},
        {"groups.type", T::kString, true, Quoted({"direct", "indirect", "Direct"})},
        {"meta.created", T::kDateTime, false, instants},
        {"meta.lastModified", T::kDateTime, false, instants},
        {"meta.resourceType", T::kString, false, Quoted({"User", "user", "Group"})},
        {kEnt + "employeeNumber", T::kString, false, Quoted({"1", "12", "7"})},
        {kEnt + "department", T::kString, false, Quoted(kDepartments)},
        {kEnt + "organization", T::kString, false, Quoted(kWords)},
        {kEnt + "manager.value", T::kString, false, Quoted(ids)},
        {kEnt + "manager.$ref", T::kReference, false, Quoted({"https://example.com", "Users/"})},
    };
  }

  std::vector<GenAttribute> GroupAttributes(const Dataset& data) {
    using T = scim::AttrType;
    return {
        {"id", T::kString, false, Quoted({data.group_ids[0], data.group_ids[5]})},
        {"externalId", T::kString, false, Quoted({"G-1", "g-2", "G-"})},
        {"displayName", T::kString, false, Quoted({"alice team 0", "team", "TEAM 1", "bob"})},
        {"members.value", T::kString, true,
         Quoted({data.user_ids[0], data.user_ids[9], data.group_ids[1], data.group_ids[2]})},
        {"members.type", T::kString, true, Quoted({"User", "group", "Group"})},
        {"members.display", T::kString, true, Quoted(kWords)},
        {"meta.created",
         T::kDateTime,
         false,
         {R"("2027-01-15T08:00:20Z")", R"("2027-01-15T08:00:40Z")"}},
        {"meta.resourceType", T::kString, false, Quoted({"Group", "User"})},
    };
  }

  std::vector<scim::ResolvedAttr> SortAttributes(bool users) {
    const scim::ResourceType& type = users ? scim::UserResourceType() : scim::GroupResourceType();
    const std::string ent(scim::kEnterpriseUserSchemaUrn);
    std::vector<scim::AttrPath> paths =
        users ? std::vector<scim::AttrPath>{{"", "userName", ""},
                                            {"", "displayName", ""},
                                            {"", "title", ""},
                                            {"", "active", ""},
                                            {"", "externalId", ""},
                                            {"", "id", ""},
                                            {"", "meta", "created"},
                                            {"", "meta", "lastModified"},
                                            {"", "meta", "resourceType"},
                                            {"", "name", "givenName"},
                                            {"", "emails", ""},
                                            {"", "emails", "type"},
                                            {"", "emails", "primary"},
                                            {"", "addresses", "locality"},
                                            {ent, "department", ""},
                                            {ent, "manager", "value"}}
              : std::vector<scim::AttrPath>{{"", "displayName", ""},
                                            {"", "externalId", ""},
                                            {"", "meta", "created"},
                                            {"", "id", ""}};
    std::vector<scim::ResolvedAttr> out;
    for (const scim::AttrPath& p : paths) {
      std::optional<scim::ResolvedAttr> r = type.Resolve(p);
      EXPECT_TRUE(r.has_value()) << p.attr << "." << p.sub;
      if (r) out.push_back(*r);
    }
    return out;
  }

  StatusOr<scim::Page> SqlList(bool users, const std::string& tenant_id,
                               const PageRequest& request) {
    return Query([&](Stores& s) {
      return users ? s.directory().ListUsers(tenant_id, request)
                   : s.directory().ListGroups(tenant_id, request);
    });
  }
  StatusOr<scim::Page> FakeList(bool users, const std::string& tenant_id,
                                const PageRequest& request) {
    return users ? fake_.ListUsers(tenant_id, request) : fake_.ListGroups(tenant_id, request);
  }

  static std::vector<std::string> Ids(const scim::Page& page) {
    std::vector<std::string> out;
    for (const ResourceRecord& r : page.items) out.push_back(r.id);
    return out;
  }

  // Both stores answer `request` alike; returns the number of matches (-1 when rejected).
  int64_t ExpectSameAnswer(bool users, const std::string& tenant_id, const PageRequest& request,
                           const std::string& what) {
    StatusOr<scim::Page> sql = SqlList(users, tenant_id, request);
    StatusOr<scim::Page> fake = FakeList(users, tenant_id, request);
    EXPECT_EQ(sql.ok(), fake.ok())
        << what << "\n sql: " << sql.status().ToString() << "\n fake: " << fake.status().ToString();
    if (!sql.ok() || !fake.ok()) {
      EXPECT_EQ(sql.status().code(), fake.status().code()) << what;
      EXPECT_EQ(sql.status().tag(), fake.status().tag()) << what;
      return -1;
    }
    EXPECT_EQ(sql->total_results, fake->total_results) << what;
    EXPECT_EQ(Ids(*sql), Ids(*fake)) << what;
    EXPECT_EQ(sql->next_position.has_value(), fake->next_position.has_value()) << what;
    return fake->total_results;
  }

  // Filters from the generator, half of them also sorted; every one compared.
  void RunGenerated(bool users, const Dataset& data, uint64_t seed, int filters) {
    FilterGenerator generator(users ? UserAttributes(data) : GroupAttributes(data), seed);
    Rng rng(seed + 17);
    const std::vector<scim::ResolvedAttr> sorts = SortAttributes(users);
    const scim::ResourceType& type = users ? scim::UserResourceType() : scim::GroupResourceType();
    int parsed = 0, selective = 0;
    const int64_t everyone =
        FakeList(users, data.tenant.id, PageRequest{.count = 0}).value().total_results;
    for (int i = 0; i < filters; ++i) {
      const std::string text = generator.NextFilter();
      StatusOr<scim::Filter> filter = scim::ParseFilter(text, type);
      if (!filter.ok()) continue;  // counted below
      ++parsed;
      PageRequest request{.filter = &*filter, .count = 1000};
      std::string what = "filter: " + text;
      if (rng.Chance(50)) {
        request.sort = scim::SortSpec{sorts[rng.Below(sorts.size())], rng.Chance(50)};
        what += "\n sortBy: " + scim::PathToString(request.sort->attr) +
                (request.sort->descending ? " descending" : "");
      }
      const int64_t n = ExpectSameAnswer(users, data.tenant.id, request, what);
      if (n > 0 && n < everyone) ++selective;
      if (HasFailure()) return;  // the first difference is the one to read
    }
    EXPECT_GE(parsed, filters * 9 / 10);
    EXPECT_GE(selective, parsed / 4) << "filters that select some but not all: too few to test";
  }

  InMemoryDirectoryStore fake_;
};

TEST_P(FilterSqlDifferential, GeneratedUserFiltersSelectWhatTheOracleSelects) {
  for (int seed : {1, 2, 3}) {
    Dataset data = Populate(seed, 200, 15);
    RunGenerated(/*users=*/true, data, static_cast<uint64_t>(seed), 250);
    if (HasFailure()) return;
  }
}

TEST_P(FilterSqlDifferential, GeneratedGroupFiltersSelectWhatTheOracleSelects) {
  for (int seed : {4, 5}) {
    Dataset data = Populate(seed, 60, 40);
    RunGenerated(/*users=*/false, data, static_cast<uint64_t>(seed), 150);
    if (HasFailure()) return;
  }
}

TEST_P(FilterSqlDifferential, EdgeCaseFiltersSelectWhatTheOracleSelects) {
  Dataset data = Populate(6, 200, 15);
  Dataset neighbour = Populate(7, 30, 5);  // must never leak into tenant 6's answers
  const std::string& gid = data.group_ids[2];
  std::string upper_gid = gid;
  for (char& c : upper_gid) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::vector<std::string> user_filters = {
      "name pr",
      "not (name pr)",
      "emails pr",
      "not (emails pr)",
      "addresses pr",
      "meta pr",
      "groups pr",
      "not (groups pr)",
      kEnt + "manager pr",
      "not (" + kEnt + "manager pr)",
      R"(displayName co "ä")",
      R"(displayName eq "älice")",
      R"(displayName sw "STRASSE")",
      R"(displayName eq "σίσυφος")",
      R"(displayName eq "kelvin")",
      R"(displayName eq "istanbul")",
      R"(displayName gt "z")",
      R"(displayName lt "ä")",
      R"(userName ew ".1")",
      R"(title ew "")",
      R"(title co "")",
      R"(title sw "")",
      R"(title eq "")",
      "title pr",
      R"(title ne "engineer")",
      R"(title gt "M")",
      R"(title le "ärztin")",
      R"(emails[type eq "work" and value co "EXAMPLE"])",
      R"(emails[not (primary eq true)])",
      R"(emails[primary eq false])",
      "emails.primary eq true",
      "emails.primary ne true",
      R"(emails[type eq "work"].value ew ".com")",
      R"(emails.value ne "bob@example.com")",
      R"(addresses[locality eq "zürich" and country eq "ch"])",
      R"(addresses.locality ew "ICH")",
      R"(addresses[not (type pr)])",
      R"(x509Certificates.value eq "QUJDRA==")",
      R"(meta.created gt "2027-01-15T08:00:20Z")",
      R"(meta.lastModified le "2027-01-15T09:00:20.500+01:00")",
      R"(meta.resourceType eq "user")",
      R"(meta.resourceType eq "User")",
      R"(meta[created lt "2027-01-15T08:00:30Z"])",
      "id eq " + Json(data.user_ids[5]).Dump(),
      "id gt " + Json(data.user_ids[100]).Dump(),
      "id eq " + Json(neighbour.user_ids[0]).Dump(),
      R"(externalId eq "EXT-a1")",
      R"(externalId eq "ext-a1")",
      "active eq false",
      "active ne true",
      "not (active pr)",
      kEnt + "manager.value eq " + Json(data.user_ids[3]).Dump(),
      kEnt + R"(manager[value pr and $ref co "USERS"])",
      kEnt + R"(manager[not (value pr)])",
      kEnt + R"(department eq "r&d")",
      R"(name[givenName pr and not (familyName pr)])",
      R"(name[not (givenName pr)])",
      R"(groups.display co "TEAM")",
      R"(groups[display sw "a" and type eq "direct"])",
      R"(groups.type eq "indirect")",
      "groups.value eq " + Json(gid).Dump(),
      "groups.value eq " + Json(upper_gid).Dump(),
      "groups[value eq " + Json(gid).Dump() + R"( and display pr])",
      "groups.value eq " + Json(neighbour.group_ids[0]).Dump(),
      R"(phoneNumbers.value co " ")",
      R"(entitlements[value eq "admin"] and roles pr)",
  };
  for (const std::string& text : user_filters) {
    StatusOr<scim::Filter> f = scim::ParseFilter(text, scim::UserResourceType());
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    ExpectSameAnswer(true, data.tenant.id, PageRequest{.filter = &*f, .count = 1000}, text);
  }
  const std::vector<std::string> group_filters = {
      "members pr",
      "not (members pr)",
      R"(members.type eq "group")",
      R"(members[type eq "User" and display co "a"])",
      "members.display pr",
      "members.value eq " + Json(data.user_ids[0]).Dump(),
      "members.value eq " + Json(neighbour.user_ids[0]).Dump(),
      R"(displayName co "TEAM")",
      R"(members[not (display pr)])",
      R"(meta.resourceType eq "Group")",
  };
  for (const std::string& text : group_filters) {
    StatusOr<scim::Filter> f = scim::ParseFilter(text, scim::GroupResourceType());
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    ExpectSameAnswer(false, data.tenant.id, PageRequest{.filter = &*f, .count = 1000}, text);
  }
}

TEST_P(FilterSqlDifferential, UnstoredAttributesAreRejectedByBothStores) {
  Dataset data = Populate(8, 5, 2);
  const std::vector<std::pair<bool, std::string>> rejected = {
      {true, "password pr"},
      {true, R"(password eq "hunter2" or userName pr)"},
      {true, "meta.location pr"},
      {true, R"(meta.version eq "W/\"1\"")"},
      {true, "groups.$ref pr"},
      {true, R"(groups[$ref co "x"])"},
      {true, kEnt + R"(manager.displayName eq "x")"},
      {false, "members.$ref pr"},
      {false, "meta.location pr"},
  };
  for (const auto& [users, text] : rejected) {
    StatusOr<scim::Filter> f =
        scim::ParseFilter(text, users ? scim::UserResourceType() : scim::GroupResourceType());
    ASSERT_TRUE(f.ok()) << text << ": " << f.status().ToString();
    PageRequest request{.filter = &*f};
    StatusOr<scim::Page> sql = SqlList(users, data.tenant.id, request);
    StatusOr<scim::Page> fake = FakeList(users, data.tenant.id, request);
    EXPECT_EQ(sql.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(sql.status().tag(), scim::kInvalidFilter) << text;
    EXPECT_EQ(fake.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(fake.status().tag(), scim::kInvalidFilter) << text;
  }
}

TEST_P(FilterSqlDifferential, CursorWalksMatchTheOracleOrder) {
  Dataset data = Populate(9, 120, 10);
  StatusOr<scim::Filter> f =
      scim::ParseFilter(R"(emails pr or title pr)", scim::UserResourceType());
  ASSERT_TRUE(f.ok());
  for (const scim::ResolvedAttr& attr : SortAttributes(true)) {
    for (bool descending : {false, true}) {
      PageRequest all{.filter = &*f, .count = 1000};
      all.sort = scim::SortSpec{attr, descending};
      StatusOr<scim::Page> expected = FakeList(true, data.tenant.id, all);
      ASSERT_TRUE(expected.ok()) << expected.status().ToString();
      PageRequest request = all;
      request.count = 17;
      std::vector<std::string> walked;
      for (int guard = 0; guard < 20; ++guard) {
        StatusOr<scim::Page> page = SqlList(true, data.tenant.id, request);
        ASSERT_TRUE(page.ok()) << page.status().ToString();
        for (const std::string& id : Ids(*page)) walked.push_back(id);
        if (!page->next_position) break;
        request.after = page->next_position;
      }
      EXPECT_EQ(walked, Ids(*expected))
          << scim::PathToString(attr) << (descending ? " descending" : "");
      // Index paging agrees too.
      PageRequest middle = all;
      middle.start_index = 11;
      middle.count = 13;
      ExpectSameAnswer(true, data.tenant.id, middle, "index page of " + scim::PathToString(attr));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, FilterSqlDifferential, ::testing::ValuesIn(AllBackends()),
                         BackendParamName());

}  // namespace
}  // namespace portico::testing
