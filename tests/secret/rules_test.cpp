// Table-driven over the built-in rule table: each rule fires on three examples generated in its
// provider's format and stays quiet on three near misses (too short, a placeholder, a wrong
// prefix or variable name).
#include "secret/rules.hpp"

#include <gtest/gtest.h>

#include <set>

#include "secret/engine.hpp"
#include "secret/example_gen.hpp"

namespace bulwark::secret {
namespace {

using testing::break_keywords;
using testing::expand;
using testing::Fill;

const std::shared_ptr<const Engine>& engine() {
  static auto e = [] {
    auto r = Engine::compile(builtin_rules());
    if (!r.ok()) throw std::runtime_error(r.error().message());
    return std::move(r).value();
  }();
  return e;
}

bool fires(const std::string& text, const std::string& rule_id) {
  for (const auto& m : engine()->scan("/test/file.txt", text))
    if (m.rule->id == rule_id) return true;
  return false;
}

TEST(BuiltinRules, EightyOrMoreRulesWithUniqueIdsAndExamples) {
  auto set = builtin_rules();
  EXPECT_GE(set.rules.size(), 80U);
  std::set<std::string> ids;
  for (const auto& r : set.rules) {
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id " << r.id;
    EXPECT_FALSE(r.title.empty()) << r.id;
    EXPECT_FALSE(r.category.empty()) << r.id;
    EXPECT_FALSE(r.example.empty()) << r.id;
    EXPECT_FALSE(r.keywords.empty()) << r.id;
    EXPECT_GT(r.entropy, 0) << r.id << ": every built-in rule has an entropy floor";
  }
}

TEST(BuiltinRules, AllCompileIntoOneDatabase) {
  ASSERT_NE(engine(), nullptr);
}

class RuleExamples : public ::testing::TestWithParam<Rule> {};

TEST_P(RuleExamples, FiresOnThreeGeneratedTokens) {
  const Rule& r = GetParam();
  for (uint64_t seed : {1U, 2U, 3U}) {
    std::string text = "# config\n" +
                       expand(r.example, std::hash<std::string>{}(r.id) + seed, Fill::kRandom) +
                       "\nother = 1\n";
    std::string low = testing::lower(text);
    bool has_keyword = false;
    for (const auto& k : r.keywords) has_keyword |= low.find(k) != std::string::npos;
    EXPECT_TRUE(has_keyword) << r.id << ": the example holds none of the keywords";
    EXPECT_TRUE(fires(text, r.id)) << r.id << " missed: " << text;
  }
}

TEST_P(RuleExamples, QuietOnTruncatedPlaceholderAndWrongPrefix) {
  const Rule& r = GetParam();
  uint64_t seed = std::hash<std::string>{}(r.id);
  std::string truncated = expand(r.example, seed, Fill::kTruncated);
  std::string placeholder = expand(r.example, seed, Fill::kPlaceholder);
  std::string wrong_prefix = break_keywords(expand(r.example, seed, Fill::kRandom), r);
  EXPECT_FALSE(fires(truncated, r.id)) << r.id << " fired on a too-short value: " << truncated;
  EXPECT_FALSE(fires(placeholder, r.id)) << r.id << " fired on a placeholder: " << placeholder;
  EXPECT_FALSE(fires(wrong_prefix, r.id)) << r.id << " fired with a wrong prefix: " << wrong_prefix;
}

INSTANTIATE_TEST_SUITE_P(Builtin, RuleExamples, ::testing::ValuesIn(builtin_rules().rules),
                         [](const ::testing::TestParamInfo<Rule>& p) {
                           std::string n = p.param.id;
                           for (auto& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace bulwark::secret
