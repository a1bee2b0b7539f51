// RPM versions: differential against python3-rpm (rpm.ver, rpmvercmp) on generated versions.
#include <gtest/gtest.h>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

std::vector<std::string> generated_rpm(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](std::string_view from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  std::vector<std::string> out;
  static const char* kReleases[] = {"1.el8", "2.el9_1", "1.fc38",   "0.rc1.el7", "3.module+el8.6.0",
                                    "1",     "10.el9",  "1.el8_5.1"};
  for (size_t i = 0; i < n; ++i) {
    std::string v;
    if (rng() % 7 == 0) v += std::to_string(rng() % 3) + ":";
    v += pick("0123456789");
    int len = static_cast<int>(rng() % 8);
    for (int k = 0; k < len; ++k) v += pick("0123456789..~^_+aZbx");
    if (rng() % 3) {
      v += "-";
      if (rng() % 2)
        v += kReleases[rng() % std::size(kReleases)];
      else {
        v += pick("0123456789a");
        for (int k = 0, rl = static_cast<int>(rng() % 5); k < rl; ++k) v += pick("0123456789.~^el");
      }
    }
    out.push_back(v);
  }
  return out;
}

TEST(RpmVersion, OrdersAsRpmvercmp) {
  auto cmp = [](std::string_view a, std::string_view b) { return *version::compare("rpm", a, b); };
  EXPECT_EQ(cmp("1.0~rc1-1", "1.0-1"), -1);
  EXPECT_EQ(cmp("1.0^git1-1", "1.0-1"), 1);
  EXPECT_EQ(cmp("1.0^git1", "1.0.1"), -1);
  EXPECT_EQ(cmp("1:1.0-1", "2.0-1"), 1);
  EXPECT_EQ(cmp("1.0a", "1.0.1"), -1);  // letters are older than numbers
  EXPECT_EQ(
      cmp("2.4.37-47.module+el8.6.0+15654+427eba2e.2", "2.4.37-47.module+el8.6.0+15654+427eba2e.2"),
      0);
  EXPECT_EQ(cmp("1.0", "1.0-1"), -1);  // a missing release sorts first, as labelCompare
  EXPECT_FALSE(version::compare("rpm", "2:", "1").ok());
  EXPECT_FALSE(version::compare("rpm", "1.0 1", "1").ok());
  EXPECT_TRUE(*version::satisfies("Red Hat", "0:1.1.1k-7.el8_6", "< 1:1.1.1k-8.el8_6, >= 1.0"));
}

TEST(RpmVersion, AgreesWithPythonRpmOnGeneratedVersions) {
  if (testing::run_command("/usr/bin/python3 -c 'import rpm'") != 0) {
    BW_SKIP_OR_FAIL("python3-rpm not installed");
  }
  auto pool = testing::dedupe(generated_rpm(3000, testing::seed(5)));
  size_t rejected = 0;
  auto pairs =
      testing::accepted_pairs("rpm", testing::make_pairs(pool, 6000, testing::seed(9)), &rejected);
  std::printf("[differential] rpm: %zu mutated pairs we reject not sent to rpm.ver\n", rejected);
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference("/usr/bin/python3 " + testing::reference_dir() + "/rpm_ref.py",
                                     pairs, &ref, &why))
      << why;
  testing::expect_agreement("rpm vs python3-rpm",
                            testing::diff_against("rpm", "compare", pairs, ref));
}

}  // namespace
}  // namespace bulwark
