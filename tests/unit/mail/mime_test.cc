#include "src/core/mail/mime.h"

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>

#include "tests/unit/mail/mail_test_util.h"

namespace portico::mail {
namespace {

using portico::testing::Body;
using portico::testing::DecodeEncodedWords;
using portico::testing::HeaderValue;

// Every line of `text` (CRLF-separated) is at most `limit` characters.
::testing::AssertionResult LinesAtMost(const std::string& text, size_t limit) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\r\n", start);
    if (end == std::string::npos) end = text.size();
    if (end - start > limit) {
      return ::testing::AssertionFailure()
             << "line of " << (end - start) << " chars: " << text.substr(start, end - start);
    }
    start = end + 2;
  }
  return ::testing::AssertionSuccess();
}

TEST(IsValidAddressTest, AcceptsPlainAddresses) {
  for (const char* address : {"a@example.com", "first.last+tag@sub.example.co", "x@localhost"}) {
    EXPECT_TRUE(IsValidAddress(address)) << address;
  }
}

TEST(IsValidAddressTest, RejectsAnythingThatCouldSplitACommandOrHeader) {
  for (const char* address :
       {"", "no-at-sign", "@example.com", "a@", "a b@example.com", "a@example.com\r\nRCPT TO:<x>",
        "<a@example.com>", "a@example.com> SIZE=1", "a,b@example.com", "a@b@example.com",
        "\"quoted\"@example.com", "a@example..com", "a@.example.com", "jos\xc3\xa9@example.com"}) {
    EXPECT_FALSE(IsValidAddress(address)) << address;
  }
}

TEST(IsValidUtf8Test, RejectsMalformedSequences) {
  EXPECT_TRUE(
      IsValidUtf8("Gr\xc3\xbc\xc3\x9f"
                  "e \xf0\x9f\x94\x91"));
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

TEST(ParseMailboxTest, SplitsDisplayNameAndAddress) {
  StatusOr<Mailbox> plain = ParseMailbox("no-reply@example.com", "MAIL_FROM");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->address, "no-reply@example.com");
  EXPECT_EQ(plain->display_name, "");

  StatusOr<Mailbox> named = ParseMailbox("  Portico <no-reply@example.com> ", "MAIL_FROM");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->display_name, "Portico");
  EXPECT_EQ(named->address, "no-reply@example.com");

  StatusOr<Mailbox> quoted = ParseMailbox(R"("Acme, \"Inc.\"" <a@example.com>)", "MAIL_FROM");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->display_name, R"(Acme, "Inc.")");
}

TEST(ParseMailboxTest, RejectsLineBreaksAndBadAddressesNamingTheSetting) {
  for (const char* text :
       {"", "Portico <no-reply@example.com", "Portico <>", "not an address",
        "Portico <a@example.com>\r\nBcc: victim@example.com", "Evil\nBcc: x <a@example.com>"}) {
    StatusOr<Mailbox> parsed = ParseMailbox(text, "RESEND_FROM_EMAIL");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message().rfind("RESEND_FROM_EMAIL: ", 0), 0u)
        << parsed.status().message();
  }
}

TEST(EncodeHeaderTextTest, LeavesPrintableAsciiAlone) {
  EXPECT_EQ(EncodeHeaderText("Your sign-up code"), "Your sign-up code");
}

TEST(EncodeHeaderTextTest, EncodesNonAsciiInShortWordsWithoutSplittingCharacters) {
  // 40 two-byte characters: more than one encoded word's worth.
  std::string subject;
  for (int i = 0; i < 40; ++i) subject += "\xc3\xa9";  // é
  std::string encoded = EncodeHeaderText(subject);
  EXPECT_EQ(encoded.rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(encoded.find("\r\n "), std::string::npos) << "expected several folded words";
  // Each word decodes on its own to whole characters, i.e. valid UTF-8.
  std::istringstream words(encoded);
  for (std::string word; words >> word;) {
    EXPECT_LE(word.size(), 75u);
    EXPECT_TRUE(IsValidUtf8(DecodeEncodedWords(word))) << word;
  }
  EXPECT_TRUE(LinesAtMost("Subject: " + encoded, 76));
  std::string unfolded = std::regex_replace(encoded, std::regex("\r\n "), " ");
  EXPECT_EQ(DecodeEncodedWords(unfolded), subject);
}

TEST(EncodeHeaderTextTest, EncodesTextThatWouldOtherwiseReadAsAnEncodedWord) {
  std::string tricky = "=?UTF-8?B?SGk=?=";
  std::string encoded = EncodeHeaderText(tricky);
  EXPECT_NE(encoded, tricky);
  EXPECT_EQ(DecodeEncodedWords(encoded), tricky);
}

TEST(FormatMailboxTest, QuotesSpecialsAndEncodesNonAscii) {
  EXPECT_EQ(FormatMailbox({"", "a@example.com"}), "a@example.com");
  EXPECT_EQ(FormatMailbox({"Portico", "a@example.com"}), "Portico <a@example.com>");
  EXPECT_EQ(FormatMailbox({"Acme, \"Inc.\"", "a@example.com"}),
            R"("Acme, \"Inc.\"" <a@example.com>)");
  std::string encoded = FormatMailbox({"J\xc3\xbcrgen", "a@example.com"});
  EXPECT_EQ(encoded, "=?UTF-8?B?SsO8cmdlbg==?= <a@example.com>");
}

TEST(FormatRfc5322DateTest, FormatsUtcWithEnglishNames) {
  // 2026-11-21T23:13:56Z was a Saturday.
  TimePoint t = std::chrono::system_clock::from_time_t(1795302836);
  EXPECT_EQ(FormatRfc5322Date(t), "Sat, 21 Nov 2026 23:13:56 +0000");
}

TEST(NormalizeLineEndingsTest, ConvertsLfAndLoneCrToCrlf) {
  EXPECT_EQ(NormalizeLineEndings("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd");
}

TEST(EncodeQuotedPrintableTest, EncodesNonAsciiEqualsAndTrailingSpace) {
  EXPECT_EQ(EncodeQuotedPrintable("Gr\xc3\xbc\xc3\x9f"
                                  "e a=b \r\nnext\t"),
            "Gr=C3=BC=C3=9Fe a=3Db=20\r\nnext=09");
}

TEST(EncodeQuotedPrintableTest, SoftBreaksLongLinesWithoutSplittingEscapes) {
  std::string line;
  for (int i = 0; i < 100; ++i) line += "\xc3\xa9";  // 200 bytes → 600 encoded chars
  std::string encoded = EncodeQuotedPrintable(line);
  EXPECT_TRUE(LinesAtMost(encoded, 76));
  std::string joined = std::regex_replace(encoded, std::regex("=\r\n"), "");
  std::string expected;
  for (int i = 0; i < 100; ++i) expected += "=C3=A9";
  EXPECT_EQ(joined, expected);
}

TextMessage SampleMessage() {
  TextMessage message;
  message.from = {"Portico", "no-reply@portico.test"};
  message.to = "alice@example.com";
  message.subject = "Your code";
  message.text = "Hello\nYour code is 123456\n";
  message.date = std::chrono::system_clock::from_time_t(1795302836);
  message.message_id = "abc123@portico.test";
  return message;
}

TEST(BuildTextMessageTest, WritesTheRequiredHeadersWithCrlf) {
  std::string built = BuildTextMessage(SampleMessage());
  EXPECT_EQ(HeaderValue(built, "Date"), "Sat, 21 Nov 2026 23:13:56 +0000");
  EXPECT_EQ(HeaderValue(built, "From"), "Portico <no-reply@portico.test>");
  EXPECT_EQ(HeaderValue(built, "To"), "alice@example.com");
  EXPECT_EQ(HeaderValue(built, "Subject"), "Your code");
  EXPECT_EQ(HeaderValue(built, "Message-ID"), "<abc123@portico.test>");
  EXPECT_EQ(HeaderValue(built, "MIME-Version"), "1.0");
  EXPECT_EQ(HeaderValue(built, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(HeaderValue(built, "Content-Transfer-Encoding"), "7bit");
  EXPECT_EQ(Body(built), "Hello\r\nYour code is 123456\r\n");
  // No bare LF anywhere.
  for (size_t i = 0; i < built.size(); ++i) {
    if (built[i] == '\n') {
      ASSERT_TRUE(i > 0 && built[i - 1] == '\r') << "bare LF at " << i;
    }
  }
}

TEST(BuildTextMessageTest, UsesQuotedPrintableForNonAsciiOrLongLines) {
  TextMessage message = SampleMessage();
  message.text =
      "Gr\xc3\xbc\xc3\x9f"
      "e";
  std::string built = BuildTextMessage(message);
  EXPECT_EQ(HeaderValue(built, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_EQ(Body(built), "Gr=C3=BC=C3=9Fe\r\n");

  message.text = std::string(1200, 'x');
  built = BuildTextMessage(message);
  EXPECT_EQ(HeaderValue(built, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_TRUE(LinesAtMost(built, 998));
}

}  // namespace
}  // namespace portico::mail
