// The license policy file: what it may say, and one-line errors naming FILE:LINE for what it
// may not (inline YAML, as Falco's rule-loader tests do).
#include "license/policy.hpp"

#include <gtest/gtest.h>

#include "support/test_env.hpp"

namespace bulwark::license {
namespace {

using report::Severity;

TEST(LicensePolicy, ReadsEveryKey) {
  auto p = parse_policy(R"(
severity:
  restricted: medium
  Unknown: HIGH
allow: [mit, "GPL-2.0-only WITH Classpath-exception-2.0", LicenseRef-acme]
deny:
  - AGPL-3.0-only
deny-severity: high
ignore-packages:
  - pkg:deb/debian/tzdata
  - bash
show: all
)",
                        "org.yaml");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->source, "org.yaml");
  EXPECT_EQ(severity_for(*p, Category::kRestricted), Severity::kMedium);
  EXPECT_EQ(severity_for(*p, Category::kUnknown), Severity::kHigh);
  EXPECT_EQ(severity_for(*p, Category::kForbidden), Severity::kCritical) << "default kept";
  EXPECT_EQ(p->allow, (std::vector<std::string>{"MIT", "GPL-2.0-only WITH Classpath-exception-2.0",
                                                "LicenseRef-acme"}));
  EXPECT_EQ(p->deny, std::vector<std::string>{"AGPL-3.0-only"});
  EXPECT_EQ(p->deny_severity, Severity::kHigh);
  EXPECT_TRUE(p->show_all);
  EXPECT_EQ(p->ignore_packages.size(), 2U);
}

TEST(LicensePolicy, EmptyFileMeansTheDefaults) {
  auto p = parse_policy("", "empty.yaml");
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->severity.empty());
  EXPECT_FALSE(p->show_all);
  EXPECT_EQ(default_severity(Category::kForbidden), Severity::kCritical);
  EXPECT_EQ(default_severity(Category::kRestricted), Severity::kHigh);
  EXPECT_EQ(default_severity(Category::kReciprocal), Severity::kMedium);
  EXPECT_EQ(default_severity(Category::kNotice), Severity::kLow);
  EXPECT_EQ(default_severity(Category::kPermissive), Severity::kLow);
  EXPECT_EQ(default_severity(Category::kUnencumbered), Severity::kLow);
  EXPECT_EQ(default_severity(Category::kUnknown), Severity::kUnknown);
}

TEST(LicensePolicy, IgnoresPackagesByPurlPurlWithoutVersionOrName) {
  Policy p;
  p.ignore_packages = {"pkg:npm/lodash", "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64", "zlib1g"};
  core::Package lodash{
      .name = "lodash", .version = "4.17.15", .ecosystem = "npm", .purl = "pkg:npm/lodash@4.17.15"};
  core::Package lodash_es{
      .name = "lodash-es", .ecosystem = "npm", .purl = "pkg:npm/lodash-es@4.0.0"};
  core::Package bash{
      .name = "bash", .ecosystem = "deb", .purl = "pkg:deb/debian/bash@5.2.15-2%2Bb13?arch=amd64"};
  core::Package zlib{.name = "zlib1g", .ecosystem = "deb", .purl = "pkg:deb/debian/zlib1g@1"};
  EXPECT_TRUE(ignores(p, lodash));
  EXPECT_FALSE(ignores(p, lodash_es)) << "a purl prefix must end at the name";
  EXPECT_TRUE(ignores(p, bash));
  EXPECT_TRUE(ignores(p, zlib));
}

struct BadCase {
  const char* yaml;
  const char* message;  // expected part of the one-line error
};

class LicensePolicyErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(LicensePolicyErrors, AreOneLineNamingTheFile) {
  auto p = parse_policy(GetParam().yaml, "bad.yaml");
  ASSERT_FALSE(p.ok()) << GetParam().yaml;
  const std::string& m = p.error().message();
  EXPECT_EQ(m.rfind("bad.yaml", 0), 0U) << m;
  EXPECT_NE(m.find(GetParam().message), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
}

INSTANTIATE_TEST_SUITE_P(
    BadInput, LicensePolicyErrors,
    ::testing::Values(
        BadCase{"severity:\n  copyleft: high\n", "bad.yaml:2: unknown category \"copyleft\""},
        BadCase{"severity:\n  restricted: severe\n", "is not a severity"},
        BadCase{"severity: [high]\n", "must map categories to severities"},
        BadCase{"allow: [\"MIT OR Apache-2.0\"]\n", "is not an SPDX license id"},
        BadCase{"deny: [GPL-2+]\n", "\"GPL-2+\" in \"deny\" is not an SPDX license id"},
        BadCase{"allow: MIT\n", "must be a list of strings"},
        BadCase{"allow: [MIT]\ndeny: [mit]\n", "MIT is both allowed and denied"},
        BadCase{"colour: red\n", "bad.yaml:1: unknown key \"colour\""},
        BadCase{"show: some\n", "\"show\" must be all or default"},
        BadCase{"- just\n- a list\n", "expected a mapping at the top"},
        BadCase{"allow: [MIT\n", "invalid YAML"},
        BadCase{"severity: {restricted: high\n", "invalid YAML"},
        BadCase{"deny: [[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]\n", "nested deeper"}));

TEST(LicensePolicy, BinaryContentIsRefused) {
  auto p = parse_policy(std::string("allow: [\"a\0b\"]\n", 15), "bin.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error().message(), "bin.yaml: binary content (NUL byte), not YAML");
}

TEST(LicensePolicy, AliasBombsAreBounded) {
  // Billion laughs: aliases are shared nodes in yaml-cpp, and the loader only walks lists of
  // scalars, so the entries are rejected without expanding anything.
  std::string y = "ignore-packages: [&a [x, x, x, x, x, x, x, x, x, x]";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    y += std::string(", &") + c + " [*" + prev + ", *" + prev + ", *" + prev + "]";
  }
  y += "]\n";
  auto p = parse_policy(y, "bomb.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("bomb.yaml:1: \"ignore-packages\" entries must be"),
            std::string::npos)
      << p.error().message();
}

TEST(LicensePolicy, LoadNamesAMissingFile) {
  auto p = load_policy("/nonexistent/policy.yaml");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("/nonexistent/policy.yaml"), std::string::npos);
}

TEST(LicensePolicy, LoadReadsAFile) {
  testing::TempDir dir;
  testing::write_file(dir.path() / "p.yaml", "deny: [AGPL-3.0-only]\n");
  auto p = load_policy((dir.path() / "p.yaml").string());
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->deny, std::vector<std::string>{"AGPL-3.0-only"});
}

}  // namespace
}  // namespace bulwark::license
