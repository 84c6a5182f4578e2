#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scim/filter/attribute_resolver.h"
#include "tests/unit/scim/filter_generator.h"

// A small User-like schema for the filter tests (and the SQL translator's differential tests):
// the filter code only sees it through AttributeResolver, like the real schema in scim/schema.
namespace portico::scim::test {

inline constexpr char kCoreUserUrn[] = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr char kEnterpriseUrn[] =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
// A made-up extension with the types the core User lacks (numbers, binary, multi-valued string).
inline constexpr char kTestExtensionUrn[] =
    "urn:example:params:scim:schemas:extension:test:2.0:User";

struct FakeAttr {
  std::string name;
  AttrType type = AttrType::kString;
  bool multi_valued = false;
  bool case_exact = false;
  std::vector<FakeAttr> subs;
};

struct FakeSchema {
  std::string urn;
  std::vector<FakeAttr> attrs;
};

inline std::vector<FakeSchema> FakeUserSchemas() {
  using T = AttrType;
  auto str = [](std::string n, bool exact = false) {
    return FakeAttr{std::move(n), T::kString, false, exact, {}};
  };
  auto typed = [](std::string n, AttrType t) {
    return FakeAttr{std::move(n), t, false, false, {}};
  };
  return {
      {kCoreUserUrn,
       {
           str("id", true),
           str("externalId", true),
           str("userName"),
           str("displayName"),
           str("nickName"),
           typed("active", T::kBoolean),
           {"name",
            T::kComplex,
            false,
            false,
            {str("givenName"), str("familyName"), str("formatted")}},
           {"emails",
            T::kComplex,
            true,
            false,
            {str("value"), str("type"), typed("primary", T::kBoolean), str("display")}},
           {"addresses",
            T::kComplex,
            true,
            false,
            {str("locality"), str("region"), str("postalCode"), str("country"), str("type")}},
           {"meta",
            T::kComplex,
            false,
            false,
            {typed("created", T::kDateTime), typed("lastModified", T::kDateTime),
             str("resourceType", true), typed("location", T::kReference), str("version", true)}},
       }},
      {kEnterpriseUrn,
       {
           str("employeeNumber"),
           str("department"),
           {"manager",
            T::kComplex,
            false,
            false,
            {str("value", true), str("displayName"), {"$ref", T::kReference, false, true, {}}}},
       }},
      {kTestExtensionUrn,
       {
           typed("loginCount", T::kInteger),
           typed("score", T::kDecimal),
           {"badge", T::kBinary, false, true, {}},
           {"tags", T::kString, true, false, {}},
           {"codes", T::kString, true, true, {}},
       }},
  };
}

inline bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Resolves like the real schema: names and URNs case-insensitively, the URN optional for the core
// schema and required for the extensions.
class FakeUserResolver : public AttributeResolver {
 public:
  FakeUserResolver() : schemas_(FakeUserSchemas()) {}

  std::optional<ResolvedAttr> Resolve(const AttrPath& path) const override {
    for (const FakeSchema& schema : schemas_) {
      const bool schema_matches = path.urn.empty() ? schema.urn == kCoreUserUrn
                                                   : EqualsIgnoreAsciiCase(path.urn, schema.urn);
      if (!schema_matches) continue;
      const FakeAttr* top = Find(schema.attrs, path.attr);
      if (top == nullptr) return std::nullopt;
      ResolvedAttr out{schema.urn, top->name, "", top->type, top->multi_valued, top->case_exact};
      if (path.sub.empty()) return out;
      const FakeAttr* sub = Find(top->subs, path.sub);
      if (sub == nullptr) return std::nullopt;
      out.sub = sub->name;
      out.type = sub->type;
      out.case_exact = sub->case_exact;
      return out;
    }
    return std::nullopt;
  }

 private:
  static const FakeAttr* Find(const std::vector<FakeAttr>& attrs, std::string_view name) {
    for (const FakeAttr& a : attrs) {
      if (EqualsIgnoreAsciiCase(a.name, name)) return &a;
    }
    return nullptr;
  }

  std::vector<FakeSchema> schemas_;
};

// The leaves of the fake schema with sample values, for FilterGenerator. The samples mix case,
// non-ASCII text that case folding must match ("ΣΊΣΥΦΟΣ" / "σίσυφος"), one instant written in two
// time zones, and integers beyond 2^53.
inline std::vector<GenAttribute> FakeUserGenAttributes() {
  using T = AttrType;
  const std::string ent = std::string(kEnterpriseUrn) + ":";
  const std::string ext = std::string(kTestExtensionUrn) + ":";
  const std::vector<std::string> instants = {
      R"("2011-08-01T18:29:49.793Z")", R"("2011-08-01T20:29:49.793+02:00")",
      R"("2024-01-31T12:00:00Z")", R"("2024-01-31T12:00:00.5Z")", R"("2024-01-31T07:00:00-05:00")"};
  return {
      {"id", T::kString, false, {R"("2819c223")", R"("2819C223")", R"("a1")"}},
      {"externalId", T::kString, false, {R"("ext-1")", R"("EXT-1")"}},
      {"userName",
       T::kString,
       false,
       {R"("bjensen")", R"("BJensen")", R"("alice@example.com")", R"("ΣΊΣΥΦΟΣ")", R"("σίσυφος")",
        R"("straße")"}},
      {"displayName", T::kString, false, {R"("Babs Jensen")", R"("Alice")", R"("")"}},
      {"active", T::kBoolean, false, {"true", "false"}},
      {"name.givenName", T::kString, false, {R"("Barbara")", R"("Alice")", R"("Åsa")"}},
      {"name.familyName", T::kString, false, {R"("Jensen")", R"("jensen")", R"("O'Brien")"}},
      {"emails.value",
       T::kString,
       true,
       {R"("bjensen@example.com")", R"("BJensen@Example.com")", R"("alice@work.example")"}},
      {"emails.type", T::kString, true, {R"("work")", R"("home")", R"("Work")", R"("other")"}},
      {"emails.primary", T::kBoolean, true, {"true", "false"}},
      {"addresses.locality", T::kString, true, {R"("Hollywood")", R"("Berlin")", R"("München")"}},
      {"addresses.type", T::kString, true, {R"("work")", R"("home")"}},
      {"meta.created", T::kDateTime, false, instants},
      {"meta.lastModified", T::kDateTime, false, instants},
      {"meta.version", T::kString, false, {R"("W/\"a330bc54f0671c9\"")", R"("w/\"A330\"")"}},
      {ent + "employeeNumber", T::kString, false, {R"("701984")", R"("42")"}},
      {ent + "manager.value", T::kString, false, {R"("26118915")", R"("ABC")", R"("abc")"}},
      {ent + "manager.displayName", T::kString, false, {R"("John Smith")"}},
      {ext + "loginCount",
       T::kInteger,
       false,
       {"0", "5", "42", "-1", "9007199254740993", "42.0", "9007199254740992.0"}},
      {ext + "score", T::kDecimal, false, {"1.5", "2", "-0.25", "1e3", "1000"}},
      {ext + "badge", T::kBinary, false, {R"("SGVsbG8=")", R"("c2NpbQ==")", R"("sgvsbg8=")"}},
      {ext + "tags", T::kString, true, {R"("admin")", R"("Admin")", R"("dev")"}},
      {ext + "codes", T::kString, true, {R"("A1")", R"("a1")"}},
  };
}

}  // namespace portico::scim::test
