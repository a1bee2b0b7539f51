#include "core/limits.hpp"

#include <gtest/gtest.h>

#include <set>

namespace bulwark::core {
namespace {

TEST(Limits, AssignmentsAcceptCountsAndBinarySuffixes) {
  Limits l;
  ASSERT_TRUE(apply_limit(l, "max_file_read=64M").ok());
  EXPECT_EQ(l.max_file_read, 64ULL << 20);
  ASSERT_TRUE(apply_limit(l, "max_total_uncompressed=2T").ok());
  EXPECT_EQ(l.max_total_uncompressed, 2ULL << 40);
  ASSERT_TRUE(apply_limit(l, "max_layers=12").ok());
  EXPECT_EQ(l.max_layers, 12U);
  ASSERT_TRUE(apply_limit(l, "max_path_length=1k").ok());
  EXPECT_EQ(l.max_path_length, 1024U);
}

TEST(Limits, BadAssignmentsAreErrorsThatNameTheProblem) {
  Limits l;
  const Limits before = l;
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& c :
       {Case{"max_file_read", "expected NAME=VALUE"},
        Case{"no_such_limit=1", "unknown limit 'no_such_limit'"},
        Case{"max_file_read=lots", "not a number"}, Case{"max_file_read=12X", "unknown suffix"},
        Case{"max_file_read=0", "must be > 0"}, Case{"max_layers=5G", "at most 4294967295"},
        Case{"max_file_read=99999999999T", "too large"}}) {
    auto r = apply_limit(l, c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << r.error().message();
  }
  EXPECT_EQ(l.max_file_read, before.max_file_read);
  EXPECT_EQ(l.max_layers, before.max_layers);
}

TEST(Limits, EveryFieldIsListedOnceAndDescribed) {
  std::set<std::string_view> names;
  for (const auto& f : limit_fields()) {
    EXPECT_TRUE(names.insert(f.name).second) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
  }
  auto text = describe_limits(Limits{});
  for (auto n : names) EXPECT_NE(text.find(std::string(n) + "="), std::string::npos) << n;
}

}  // namespace
}  // namespace bulwark::core
