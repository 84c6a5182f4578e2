#include <gtest/gtest.h>

#include <string>

#include "dcr/token/form.h"

namespace portico::dcr {
namespace {

TEST(FormUrlDecodeTest, DecodesPlusAndPercentEscapes) {
  EXPECT_EQ(FormUrlDecode("a+b%20c%3A%2b%25"), "a b c:+%");
  EXPECT_EQ(FormUrlDecode("%C3%A9"), "\xC3\xA9");
  EXPECT_EQ(FormUrlDecode(""), "");
}

TEST(FormUrlDecodeTest, RefusesMalformedEscapesAndNul) {
  for (const char* bad : {"%", "%2", "%zz", "a%g1", "%00"}) {
    EXPECT_EQ(FormUrlDecode(bad), std::nullopt) << bad;
  }
}

TEST(FormParamsTest, ParsesPairsInOrderAndDecodesNamesAndValues) {
  StatusOr<FormParams> form =
      FormParams::Parse("grant_type=client_credentials&scope=read+write&client%5Fid=a%2Bb");
  ASSERT_TRUE(form.ok()) << form.status().ToString();
  EXPECT_EQ(form->Get("grant_type"), "client_credentials");
  EXPECT_EQ(form->Get("scope"), "read write");
  EXPECT_EQ(form->Get("client_id"), "a+b");
  EXPECT_EQ(form->Get("missing"), std::nullopt);
  ASSERT_EQ(form->pairs().size(), 3u);
  EXPECT_EQ(form->pairs()[2].first, "client_id");
}

TEST(FormParamsTest, EmptyValuesCountAsOmitted) {
  // RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if
  // they were omitted from the request."
  StatusOr<FormParams> form = FormParams::Parse("scope=&client_secret&&grant_type=x");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->Get("scope"), std::nullopt);
  EXPECT_EQ(form->Get("client_secret"), std::nullopt);
  EXPECT_EQ(form->Get("grant_type"), "x");
}

TEST(FormParamsTest, RepeatedParameterIsInvalidRequest) {
  StatusOr<FormParams> form = FormParams::Parse("scope=a&grant_type=x&scope=b");
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(form.status().tag(), "invalid_request");
  EXPECT_NE(form.status().message().find("'scope'"), std::string::npos);
  // Repeated through an escape too.
  EXPECT_FALSE(FormParams::Parse("scope=a&sc%6Fpe=b").ok());
}

TEST(FormParamsTest, ResourceMayRepeat) {
  // RFC 8707 §2: several resource parameters name several resources.
  StatusOr<FormParams> form =
      FormParams::Parse("resource=https%3A%2F%2Fa&resource=https%3A%2F%2Fb");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->GetAll("resource"), (std::vector<std::string_view>{"https://a", "https://b"}));
}

TEST(FormParamsTest, MalformedEscapeIsInvalidRequest) {
  StatusOr<FormParams> form = FormParams::Parse("client_secret=abc%zz");
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.status().tag(), "invalid_request");
}

TEST(FormParamsTest, UnprintableRepeatedNameIsNotEchoed) {
  StatusOr<FormParams> form = FormParams::Parse("%22x=1&%22x=2");
  ASSERT_FALSE(form.ok());
  EXPECT_EQ(form.status().message().find('"'), std::string::npos);
}

}  // namespace
}  // namespace portico::dcr
