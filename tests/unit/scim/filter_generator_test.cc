#include "tests/unit/scim/filter_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <string>

#include "scim/filter/ast.h"
#include "scim/filter/evaluator.h"
#include "scim/filter/parser.h"
#include "tests/unit/scim/filter_fake_schema.h"

namespace portico::scim {
namespace {

using test::FakeUserGenAttributes;
using test::FakeUserResolver;
using test::FilterGenerator;

constexpr int kSeeds = 1000;

const FakeUserResolver& Resolver() {
  static const FakeUserResolver* resolver = new FakeUserResolver();
  return *resolver;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(FilterGeneratorTest, SameSeedGivesSameFiltersAndResources) {
  FilterGenerator a(FakeUserGenAttributes(), 42);
  FilterGenerator b(FakeUserGenAttributes(), 42);
  FilterGenerator c(FakeUserGenAttributes(), 43);
  const std::string fa = a.NextFilter();
  EXPECT_EQ(fa, b.NextFilter());
  EXPECT_NE(fa, c.NextFilter());
  EXPECT_EQ(a.NextResource().Dump(), b.NextResource().Dump());
}

TEST(FilterGeneratorTest, EveryGeneratedFilterParsesAndRoundTripsThroughCanonicalText) {
  for (int seed = 0; seed < kSeeds; ++seed) {
    FilterGenerator gen(FakeUserGenAttributes(), seed);
    const std::string text = gen.NextFilter();
    StatusOr<Filter> f = ParseFilter(text, Resolver());
    ASSERT_TRUE(f.ok()) << "seed " << seed << ": " << f.status().ToString() << "\n  " << text;
    StatusOr<Filter> again = ParseFilter(ToString(*f), Resolver());
    ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n  " << ToString(*f);
    EXPECT_TRUE(*again == *f) << "seed " << seed << "\n  " << text << "\n  " << ToString(*f);
  }
}

TEST(FilterGeneratorTest, CoversTheGrammar) {
  std::string all;
  for (int seed = 0; seed < kSeeds; ++seed) {
    FilterGenerator gen(FakeUserGenAttributes(), seed);
    all += Lower(gen.NextFilter()) + "\n";
  }
  for (const char* piece : {" eq ",
                            " ne ",
                            " co ",
                            " sw ",
                            " ew ",
                            " gt ",
                            " ge ",
                            " lt ",
                            " le ",
                            " pr",
                            " and ",
                            " or ",
                            "not",
                            " null",
                            " true",
                            "emails[",
                            "addresses[",
                            "].",
                            "urn:ietf:params:scim:schemas:extension:enterprise",
                            "urn:example:params",
                            "meta.created",
                            "(("}) {
    EXPECT_NE(all.find(piece), std::string::npos) << piece;
  }
}

TEST(FilterGeneratorTest, FiltersSplitRandomResources) {
  // Differential tests need signal: filters that select some resources and reject others.
  int matched = 0;
  int total = 0;
  int selective = 0;  // filters that both matched and rejected something
  for (int seed = 0; seed < 300; ++seed) {
    FilterGenerator gen(FakeUserGenAttributes(), seed);
    StatusOr<Filter> f = ParseFilter(gen.NextFilter(), Resolver());
    ASSERT_TRUE(f.ok());
    int hits = 0;
    for (int i = 0; i < 20; ++i) {
      const Json resource = gen.NextResource();
      const bool m = Matches(*f, resource);
      hits += m ? 1 : 0;
      // not is the exact complement on every generated pair.
      EXPECT_NE(Matches(Filter::Not(*f), resource), m);
    }
    matched += hits;
    total += 20;
    if (hits > 0 && hits < 20) ++selective;
  }
  EXPECT_GT(matched, total / 5);
  EXPECT_LT(matched, total * 4 / 5);
  EXPECT_GT(selective, 300 / 4);
}

TEST(FilterGeneratorTest, ResourcesPutExtensionsUnderTheirUrn) {
  bool saw_extension = false;
  for (int seed = 0; seed < 20; ++seed) {
    FilterGenerator gen(FakeUserGenAttributes(), seed);
    const Json r = gen.NextResource();
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r.Find("employeeNumber"), nullptr);
    if (const Json* ent = r.Find(test::kEnterpriseUrn)) {
      EXPECT_TRUE(ent->is_object());
      saw_extension = true;
    }
  }
  EXPECT_TRUE(saw_extension);
}

// Mutated filters (characters dropped, duplicated or replaced) must never crash the parser,
// and every rejection must point inside the text.
TEST(FilterParserFuzzTest, MutatedFiltersFailCleanlyWithPositionInsideTheText) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "()[]\"\\. :aeorn01-$\t";
  int rejected = 0;
  for (int seed = 0; seed < kSeeds; ++seed) {
    FilterGenerator gen(FakeUserGenAttributes(), seed);
    std::string text = gen.NextFilter();
    const int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0:
          text.erase(at, 1);
          break;
        case 1:
          text.insert(at, 1, text[at]);
          break;
        default:
          text[at] = alphabet[rng() % alphabet.size()];
      }
    }
    StatusOr<Filter> f = ParseFilter(text, Resolver());
    if (f.ok()) continue;
    ++rejected;
    const Status& s = f.status();
    EXPECT_EQ(s.tag(), "invalidFilter") << text;
    const Json* position = s.details().Find("position");
    ASSERT_NE(position, nullptr) << s.ToString();
    EXPECT_GE(position->as_int(), 0);
    EXPECT_LE(position->as_int(), static_cast<int64_t>(text.size())) << s.ToString() << "\n"
                                                                     << text;
  }
  EXPECT_GT(rejected, kSeeds / 2);
}

}  // namespace
}  // namespace portico::scim
