#include "scim/tenant_scim_settings.h"

#include <gtest/gtest.h>

#include "portico/parse_json.h"

namespace portico::scim {
namespace {

StatusOr<TenantScimSettings> Parse(const char* text) {
  StatusOr<Json> json = ParseJson(text);
  EXPECT_TRUE(json.ok()) << text;
  return ParseTenantScimSettings(&*json);
}

TEST(TenantScimSettingsTest, NoDocumentMeansPasswordSyncOn) {
  StatusOr<TenantScimSettings> settings = ParseTenantScimSettings(nullptr);
  ASSERT_TRUE(settings.ok());
  EXPECT_TRUE(settings->password_sync);
  ASSERT_TRUE(Parse("{}").ok());
  EXPECT_TRUE(Parse("{}")->password_sync);
}

TEST(TenantScimSettingsTest, PasswordSyncCanBeTurnedOff) {
  StatusOr<TenantScimSettings> settings = Parse(R"({"passwordSync": false})");
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  EXPECT_FALSE(settings->password_sync);
}

TEST(TenantScimSettingsTest, UnknownOrMistypedMembersAreRefusedByName) {
  StatusOr<TenantScimSettings> unknown = Parse(R"({"passwordSynk": false})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("passwordSynk"), std::string::npos);
  StatusOr<TenantScimSettings> mistyped = Parse(R"({"passwordSync": "false"})");
  ASSERT_FALSE(mistyped.ok());
  EXPECT_NE(mistyped.status().message().find("passwordSync"), std::string::npos);
  EXPECT_FALSE(Parse("[]").ok());
}

TEST(TenantScimSettingsTest, TheSeededDocumentParsesBackToTheSameSettings) {
  Json document = TenantScimSettingsJson({.password_sync = false});
  StatusOr<TenantScimSettings> back = ParseTenantScimSettings(&document);
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->password_sync);
  EXPECT_EQ(TenantScimSettingsJson({}).Dump(), R"({"passwordSync":true})");
}

}  // namespace
}  // namespace portico::scim
