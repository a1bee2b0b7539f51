// `bulwark version compare|satisfies|--batch` end to end through the built binary.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_env.hpp"

namespace bulwark {
namespace {

struct Run {
  int rc;
  std::string out;
  std::string err;
};

Run bulwark(const std::string& args, const std::string& stdin_text = "") {
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "in", stdin_text);
  std::string out;
  int rc = testing::run_command("'" + testing::bulwark_binary() + "' " + args + " <'" + tmp.str() +
                                    "/in' 2>'" + tmp.str() + "/err'",
                                &out);
  return {rc, out, testing::read_file(tmp.path() / "err")};
}

TEST(VersionCommand, StillPrintsTheBuildVersion) {
  auto r = bulwark("version");
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("git revision: "), std::string::npos);
}

TEST(VersionCommand, ComparePrintsMinusOneZeroOrOne) {
  EXPECT_EQ(bulwark("version compare Debian 1.2-1 1.2-1+deb12u1").out, "-1\n");
  EXPECT_EQ(bulwark("version compare 'Red Hat' 1:1.0-1.el9 1:1.0-1.el9").out, "0\n");
  EXPECT_EQ(bulwark("version compare PyPI 2.0 2.0rc1").out, "1\n");
}

TEST(VersionCommand, SatisfiesPrintsTrueOrFalse) {
  EXPECT_EQ(bulwark("version satisfies npm 1.4.2 '^1.2 || 2.x'").out, "true\n");
  EXPECT_EQ(bulwark("version satisfies RubyGems 4.2.5 '~> 4.2.5, >= 4.2.5.1'").out, "false\n");
  EXPECT_EQ(bulwark("version satisfies Maven 1.5 '[1.0,2.0)'").out, "true\n");
}

TEST(VersionCommand, UnparsableVersionIsAOneLineErrorWithExitTwo) {
  auto r = bulwark("version compare Debian 'a b' 1.0");
  EXPECT_EQ(r.rc, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("\"a b\""), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(bulwark("version satisfies Klingon 1 '>=1'").rc, 2);
}

TEST(VersionCommand, BatchAnswersEveryLineAndReportsBadOnesInPlace) {
  std::string input;
  std::vector<std::string> expected;
  for (int i = 0; i < 2000; ++i) {
    input += R"({"eco":"Debian","a":"1.)" + std::to_string(i) +
             R"(-1","b":"1.1000-1"})"
             "\n";
    expected.push_back(i < 1000 ? "-1" : i == 1000 ? "0" : "1");
  }
  input += "{\"eco\":\"PyPI\",\"version\":\"2.0b1\",\"constraint\":\"<2.0\"}\n";
  expected.push_back("false");
  input += "not json\n";
  input += "{\"eco\":\"npm\",\"a\":\"1.0\",\"b\":\"1.0.0\"}\n";
  input += "{\"eco\":\"Go\",\"version\":\"v1.20.5\",\"constraint\":\">= 1.20.0, < 1.20.6\"}\n";
  auto r = bulwark("version --batch", input);
  EXPECT_EQ(r.rc, 2);  // some lines had errors; all were answered
  std::istringstream ss(r.out);
  std::string line;
  std::vector<nlohmann::json> lines;
  while (std::getline(ss, line)) lines.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(lines.size(), 2004u);
  for (size_t i = 0; i < expected.size(); ++i) {
    ASSERT_TRUE(lines[i].contains("result")) << i << ": " << lines[i].dump();
    EXPECT_EQ(lines[i]["result"].dump(), expected[i]) << i;
  }
  EXPECT_NE(lines[2001]["error"].get<std::string>().find("line 2002"), std::string::npos);
  EXPECT_NE(lines[2002]["error"].get<std::string>().find("\"1.0\""), std::string::npos);
  EXPECT_EQ(lines[2003]["result"], true);
}

}  // namespace
}  // namespace bulwark
