// Debian versions: differential against libapt-pkg (python3-apt) and dpkg --compare-versions on
// generated versions, the versions installed on this machine and those in the DSA/DLA lists.
#include <gtest/gtest.h>

#include <sstream>

#include "version/differential.hpp"
#include "version/version.hpp"

namespace bulwark {
namespace {

using testing::Pair;

std::vector<std::string> generated_deb(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](std::string_view from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  auto chance = [&](int pct) { return std::uniform_int_distribution<int>(0, 99)(rng) < pct; };
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    std::string v;
    if (chance(15)) v += std::to_string(rng() % 4) + ":";
    v += pick("0123456789");
    int len = static_cast<int>(rng() % 8);
    for (int k = 0; k < len; ++k) v += pick("0123456789..~+abzA");
    if (chance(60)) {
      v += "-";
      v += pick("0123456789a~");
      int rl = static_cast<int>(rng() % 5);
      for (int k = 0; k < rl; ++k) v += pick("0123456789.+~bd");
    }
    out.push_back(v);
  }
  return out;
}

std::vector<std::string> installed_versions() {
  std::string out;
  testing::run_command("dpkg-query -W -f '${Version}\\n' 2>/dev/null", &out);
  std::vector<std::string> v;
  std::istringstream ss(out);
  std::string line;
  while (std::getline(ss, line)) v.push_back(line);
  return v;
}

TEST(DebVersion, OrdersAsPolicySays) {
  auto cmp = [](std::string_view a, std::string_view b) {
    auto r = version::compare("Debian", a, b);
    EXPECT_TRUE(r.ok()) << a << " " << b;
    return r.ok() ? *r : 99;
  };
  EXPECT_EQ(cmp("1.0~rc1", "1.0"), -1);  // tilde sorts before the end
  EXPECT_EQ(cmp("1.0", "1.0+b1"), -1);
  EXPECT_EQ(cmp("1:0.9", "2.0"), 1);  // epoch wins
  EXPECT_EQ(cmp("1.0-1", "1.0-1"), 0);
  EXPECT_EQ(cmp("1.0", "1.0-0"), 0);  // absent revision is "0"
  EXPECT_EQ(cmp("2.30-1", "2.4-1"), 1);
  EXPECT_EQ(cmp("1.2.3-1+deb12u1", "1.2.3-1"), 1);
  EXPECT_EQ(cmp("1.0a", "1.0+"), -1);                 // letters before other characters
  EXPECT_EQ(cmp("00000000000000000000001", "1"), 0);  // digits are unbounded
}

TEST(DebVersion, RejectsWhatDpkgRejectsOrWarnsAbout) {
  for (const char* bad : {"", "a1.0", "1.0-", ":1.0", "1:", "x:1.0", "1.0 2", "1.0_1", "1.0-1_2"}) {
    EXPECT_FALSE(version::compare("deb", bad, "1.0").ok()) << bad;
  }
  auto e = version::compare("Debian", "1.0 2", "1");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.error().message().find("1.0 2"), std::string::npos);
}

TEST(DebVersion, SatisfiesOperatorLists) {
  EXPECT_TRUE(*version::satisfies("Debian", "1.2-1", ">= 1.0, << 2.0"));
  EXPECT_FALSE(*version::satisfies("Debian", "2.0", ">= 1.0, << 2.0"));
  EXPECT_TRUE(*version::satisfies("Debian:12", "3.0", "<< 1.0 || = 3.0"));
  EXPECT_FALSE(version::satisfies("Debian", "1.0", "1.0").ok());  // no operator
  EXPECT_FALSE(version::satisfies("Debian", "1.0", ">= x1").ok());
}

TEST(DebVersion, AgreesWithLibaptOnGeneratedAndRealVersions) {
  BW_REQUIRE_COMMAND("/usr/bin/python3");
  if (testing::run_command("/usr/bin/python3 -c 'import apt_pkg'") != 0) {
    BW_SKIP_OR_FAIL("python3-apt not installed");
  }
  BW_REQUIRE_SHARED(shared);
  std::vector<std::string> pool = generated_deb(3000, testing::seed(1));
  auto installed = installed_versions();
  pool.insert(pool.end(), installed.begin(), installed.end());
  std::string why_grep;
  // "\t[bookworm] - openssl 3.0.8-1~deb12u1" and "\t- openssl 1.1.1n-0+deb11u4"
  auto listed = testing::grep_advisories(shared, "debian-security-tracker-lists.tar.zst",
                                         "'data/DSA/list' 'data/DLA/list'",
                                         R"(^\t(?:\[\w+\] )?- \S+ \K[0-9][^ \t]*)", &why_grep);
  std::printf("[differential] deb: %zu installed and %zu DSA/DLA versions\n", installed.size(),
              listed.size());
  ASSERT_GT(listed.size(), 1000u) << why_grep;
  pool.insert(pool.end(), listed.begin(), listed.end());
  pool = testing::dedupe(pool);
  // Only versions we accept go to apt (apt does not validate); rejected real ones are counted.
  std::vector<std::string> valid;
  size_t rejected_real = 0;
  for (const auto& v : pool) {
    if (version::compare("Debian", v, v).ok())
      valid.push_back(v);
    else
      ++rejected_real;
  }
  std::printf("[differential] deb: %zu versions rejected as invalid\n", rejected_real);
  size_t rejected_pairs = 0;
  auto pairs = testing::accepted_pairs("Debian", testing::make_pairs(valid, 6000, testing::seed(7)),
                                       &rejected_pairs);
  std::printf(
      "[differential] deb: %zu mutated pairs we reject not sent to apt (it does not validate)\n",
      rejected_pairs);
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference("/usr/bin/python3 " + testing::reference_dir() + "/deb_ref.py",
                                     pairs, &ref, &why))
      << why;
  testing::expect_agreement("deb vs libapt-pkg",
                            testing::diff_against("Debian", "compare", pairs, ref));
}

TEST(DebVersion, AgreesWithDpkgCompareVersions) {
  BW_REQUIRE_COMMAND("dpkg");
  auto pool = generated_deb(400, testing::seed(3));
  auto pairs = testing::make_pairs(pool, 200, testing::seed(11));
  pairs.resize(400);
  // One shell process runs dpkg for every pair.
  // dpkg exits 0 (true), 1 (false) or 2 (a version it rejects).
  std::string script =
      "while IFS=\"$(printf '\\t')\" read -r a b; do "
      "dpkg --compare-versions \"$a\" lt \"$b\"; rc=$?; "
      "if [ $rc = 0 ]; then echo -1; elif [ $rc = 1 ]; then "
      "if dpkg --compare-versions \"$a\" eq \"$b\"; then echo 0; else echo 1; fi; "
      "else echo E; fi; done";
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "ref.sh", script);
  std::vector<std::string> ref;
  std::string why;
  ASSERT_TRUE(testing::run_reference("sh '" + (tmp.path() / "ref.sh").string() + "' 2>/dev/null",
                                     pairs, &ref, &why))
      << why;
  testing::expect_agreement("deb vs dpkg --compare-versions",
                            testing::diff_against("Debian", "compare", pairs, ref));
}

}  // namespace
}  // namespace bulwark
