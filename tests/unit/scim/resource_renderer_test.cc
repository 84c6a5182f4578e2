#include "scim/resource_renderer.h"

#include <gtest/gtest.h>

#include "portico/parse_json.h"

namespace portico::scim {
namespace {

constexpr char kBase[] = "https://id.example.com/scim/v2";

ResourceRecord SampleUser() {
  ResourceRecord r;
  r.id = "u1";
  r.tenant_id = "t1";
  r.document = *ParseJson(
      R"({"userName":"alice","externalId":"e1","name":{"givenName":"Alice","familyName":"Liddell"},
          "emails":[{"value":"a@x","type":"work"}],
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":
            {"department":"R&D","manager":{"value":"m1"}}})");
  r.version = 3;
  r.created_at = FromUnixMillis(1'700'000'000'000);
  r.updated_at = FromUnixMillis(1'700'000'100'000);
  return r;
}

Json Projected(const char* attributes, const char* excluded) {
  std::optional<std::string> a, e;
  if (attributes) a = attributes;
  if (excluded) e = excluded;
  StatusOr<Projection> p = ParseProjection(a, e, UserResourceType());
  EXPECT_TRUE(p.ok());
  std::vector<GroupRef> groups = {{"g1", "Admins"}};
  Json resource = RenderUser(SampleUser(), &groups, kBase);
  ApplyProjection(*p, UserResourceType(), resource);
  return resource;
}

TEST(ResourceRenderer, RendersUserWithMetaGroupsAndManagerRef) {
  std::vector<GroupRef> groups = {{"g1", "Admins"}};
  Json user = RenderUser(SampleUser(), &groups, kBase);
  EXPECT_EQ(user.Find("id")->as_string(), "u1");
  EXPECT_EQ(user.Find("schemas")->as_array().size(), 2u);
  EXPECT_EQ(user.Find("meta")->Find("version")->as_string(), "W/\"3\"");
  EXPECT_EQ(user.Find("meta")->Find("location")->as_string(), std::string(kBase) + "/Users/u1");
  EXPECT_EQ(user.Find("meta")->Find("created")->as_string(), "2023-11-14T22:13:20.000Z");
  EXPECT_EQ(user.Find("groups")->as_array()[0].Find("$ref")->as_string(),
            std::string(kBase) + "/Groups/g1");
  EXPECT_EQ(user.Find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
                ->Find("manager")
                ->Find("$ref")
                ->as_string(),
            std::string(kBase) + "/Users/m1");
}

// The text path must write, byte for byte, what RenderUser's tree dumps.
std::string TreeRendered(const ResourceRecord& r, const std::vector<GroupRef>* groups) {
  return RenderUser(r, groups, kBase).Dump();
}

std::optional<std::string> TextRendered(ResourceRecord r, const std::vector<GroupRef>* groups) {
  r.document_text = r.document.Dump();
  r.document = Json();
  return RenderUserText(r, groups, kBase);
}

TEST(ResourceRenderer, UserTextIsByteForByteTheTreesDump) {
  const std::vector<GroupRef> none;
  const std::vector<GroupRef> groups = {{"g1", "Admins"},
                                        {"g2", "Ünïcode \"quoted\" \\ tab\there"}};
  std::vector<std::string> documents = {
      // externalId after other members, the enterprise manager (with a stale $ref).
      R"({"userName":"alice","externalId":"e1","name":{"givenName":"Alice"},)"
      R"("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":)"
      R"({"department":"R&D","manager":{"$ref":"old","value":"m1","displayName":"Boss"}}})",
      // the extension before core attributes; a manager without value; a word "manager" elsewhere.
      R"({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"manager":{"displayName":"x"}},)"
      R"("userName":"bob","title":"\"manager\""})",
      R"({"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"\"manager\""},)"
      R"("userName":"cy"})",
      R"({"userName":"dee","active":false,"emails":[{"value":"d@x","primary":true}],"x":-7})",
      R"({"userName":"esc\"aped\\ \u0001 \u007f é 😀"})",
      R"({})",
  };
  for (const std::string& text : documents) {
    ResourceRecord r = SampleUser();
    r.document = *ParseJson(text);
    for (const std::vector<GroupRef>* g :
         {&groups, &none, static_cast<const std::vector<GroupRef>*>(nullptr)}) {
      std::optional<std::string> fast = TextRendered(r, g);
      ASSERT_TRUE(fast.has_value()) << text;
      EXPECT_EQ(*fast, TreeRendered(r, g)) << text;
    }
  }
}

TEST(ResourceRenderer, UserTextDeclinesTextDumpWouldNotWrite) {
  ResourceRecord r = SampleUser();
  r.document = Json();
  for (const char* text : {R"({"userName": "a"})", R"({"n":1.5})", R"({"a":"\u00e9"})", "x"}) {
    r.document_text = text;
    EXPECT_FALSE(RenderUserText(r, nullptr, kBase).has_value()) << text;
  }
}

TEST(ResourceRenderer, AttributesKeepsOnlyWhatWasAskedPlusIdAndSchemas) {
  Json user = Projected("userName,name.givenName", nullptr);
  EXPECT_EQ(user.Dump(), R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"u1",)"
                         R"("userName":"alice","name":{"givenName":"Alice"}})");
}

TEST(ResourceRenderer, AttributesAcceptUrnQualifiedPathsInAnyCase) {
  Json user = Projected(
      "URN:ietf:params:scim:schemas:core:2.0:User:USERNAME,"
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
      nullptr);
  EXPECT_EQ(user.Find("userName")->as_string(), "alice");
  const Json* ext = user.Find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
  ASSERT_NE(ext, nullptr);
  EXPECT_EQ(ext->Dump(), R"({"department":"R&D"})");
  EXPECT_EQ(user.Find("emails"), nullptr);
}

TEST(ResourceRenderer, ExcludedAttributesRemoveButNeverId) {
  Json user = Projected(nullptr, "emails,id,meta,name.familyName,groups");
  EXPECT_NE(user.Find("id"), nullptr);
  EXPECT_EQ(user.Find("emails"), nullptr);
  EXPECT_EQ(user.Find("meta"), nullptr);
  EXPECT_EQ(user.Find("groups"), nullptr);
  EXPECT_EQ(user.Find("name")->Dump(), R"({"givenName":"Alice"})");
}

TEST(ResourceRenderer, ExcludingAnExtensionDropsItFromSchemas) {
  Json user = Projected(nullptr, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
  EXPECT_EQ(user.Find("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"), nullptr);
  EXPECT_EQ(user.Find("schemas")->as_array().size(), 1u);
}

TEST(ResourceRenderer, WantsTellsWhetherMembersMustBeFetched) {
  auto none = ParseProjection(std::nullopt, std::nullopt, GroupResourceType());
  auto excluded = ParseProjection(std::nullopt, std::string("members"), GroupResourceType());
  auto only_name = ParseProjection(std::string("displayName"), std::nullopt, GroupResourceType());
  EXPECT_TRUE(none->Wants(GroupResourceType(), "members"));
  EXPECT_FALSE(excluded->Wants(GroupResourceType(), "members"));
  EXPECT_FALSE(only_name->Wants(GroupResourceType(), "members"));
}

TEST(ResourceRenderer, VersionTagsRoundTripAndRejectGarbage) {
  EXPECT_EQ(VersionTag(12), "W/\"12\"");
  EXPECT_EQ(ParseVersionTag("W/\"12\""), 12);
  EXPECT_EQ(ParseVersionTag("\"12\""), 12);
  EXPECT_EQ(ParseVersionTag("W/\"1x\""), std::nullopt);
  EXPECT_EQ(ParseVersionTag("12"), std::nullopt);
}

}  // namespace
}  // namespace portico::scim
