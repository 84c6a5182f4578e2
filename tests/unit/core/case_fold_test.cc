#include "portico/case_fold.h"

#include <gtest/gtest.h>

#include <string>

namespace portico {
namespace {

struct FoldCase_ {
  const char* name;
  std::string in;
  std::string want;
};

class FoldCaseTest : public ::testing::TestWithParam<FoldCase_> {};

TEST_P(FoldCaseTest, FoldsToSimpleCaseFolding) {
  EXPECT_EQ(FoldCase(GetParam().in), GetParam().want) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Scripts, FoldCaseTest,
    ::testing::Values(
        FoldCase_{"AsciiLettersFoldOthersKept", "BJensen@Example.COM 0-9_[]{}~",
                  "bjensen@example.com 0-9_[]{}~"},
        FoldCase_{"Empty", "", ""}, FoldCase_{"LatinOne", "ÀÉÎÕÜÝ àéîõüý", "àéîõüý àéîõüý"},
        FoldCase_{"LatinExtendedA", "ŁÓDŹ Čeština Ħ", "łódź čeština ħ"},
        FoldCase_{"MicroSignFoldsToGreekMu", "µ", "μ"}, FoldCase_{"LongSFoldsToS", "ſ", "s"},
        FoldCase_{"KelvinSignFoldsToK", "\u212A", "k"},
        FoldCase_{"AngstromSignFoldsToARing", "\u212B", "å"},
        FoldCase_{"GreekCapitalSigmaAndFinalSigmaBothFoldToSigma", "ΟΔΥΣΣΕΥΣ οδυσσευς",
                  "οδυσσευσ οδυσσευσ"},
        FoldCase_{"GreekTonos", "ΆΈΉ", "άέή"},
        FoldCase_{"Cyrillic", "МОСКВА Ёлка ЯЩИК", "москва ёлка ящик"},
        FoldCase_{"CyrillicExtended", "ЀЂЏ", "ѐђџ"},
        FoldCase_{"GermanSharpSStaysOneCodePoint", "Straße STRASSE", "straße strasse"},
        FoldCase_{"CapitalSharpSFoldsToSharpS", "\u1E9E", "ß"},
        FoldCase_{"TurkishDotlessIIsNotTailored", "ı", "ı"},
        FoldCase_{"TurkishDottedCapitalIHasNoSimpleFolding", "İ", "İ"},
        FoldCase_{"AsciiCapitalIFoldsToDottedI", "I", "i"}, FoldCase_{"Armenian", "ԱԲԳ", "աբգ"},
        FoldCase_{"Georgian", "ᲐᲑᲒ", "აბგ"},
        FoldCase_{"CherokeeFoldsToUppercaseNotLowercase", "Ꭰ ꭰ", "Ꭰ Ꭰ"},
        FoldCase_{"FullwidthLatin", "ＡＢＣ", "ａｂｃ"},
        FoldCase_{"DeseretFourByteSequence", "\U00010400", "\U00010428"},
        FoldCase_{"AdlamLastRangeInTable", "\U0001E900", "\U0001E922"},
        FoldCase_{"CjkAndEmojiUnchanged", "漢字😀", "漢字😀"},
        FoldCase_{"InvalidBytesKeptAsIs",
                  std::string("A\xFF"
                              "B\xC3",
                              4),
                  std::string("a\xFF"
                              "b\xC3",
                              4)},
        FoldCase_{"StrayContinuationByteKept",
                  std::string("\x80"
                              "Z",
                              2),
                  std::string("\x80"
                              "z",
                              2)},
        FoldCase_{"OverlongEncodingNotDecoded", std::string("\xC1\x81", 2),
                  std::string("\xC1\x81", 2)},
        FoldCase_{"EncodedSurrogateNotDecoded", std::string("\xED\xA0\x80", 3),
                  std::string("\xED\xA0\x80", 3)},
        FoldCase_{"TruncatedSequenceThenAscii",
                  std::string("\xD0"
                              "A",
                              2),
                  std::string("\xD0"
                              "a",
                              2)}),
    [](const ::testing::TestParamInfo<FoldCase_>& info) { return std::string(info.param.name); });

TEST(FoldCaseTest, IsIdempotent) {
  const std::string samples[] = {"ΟΔΥΣΣΕΥΣ", "Straße \u1E9E", "МОСКВА", "\u212A\u212B", "ÀÉ"};
  for (const std::string& s : samples) {
    const std::string once = FoldCase(s);
    EXPECT_EQ(FoldCase(once), once) << s;
  }
}

TEST(FoldCaseTest, CaseVariantsOfOneNameFoldEqual) {
  EXPECT_EQ(FoldCase("Jürgen.Ölund@Exämple.org"), FoldCase("JÜRGEN.ÖLUND@EXÄMPLE.ORG"));
  EXPECT_NE(FoldCase("jurgen"), FoldCase("jürgen"));  // no accent stripping
}

}  // namespace
}  // namespace portico
