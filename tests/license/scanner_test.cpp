// License findings from a package list: one per (package, declared license), shown by
// severity, with the package's layer and paths, and language packages an OS package installed
// reported through that OS package only.
#include "license/scanner.hpp"

#include <gtest/gtest.h>

namespace bulwark::license {
namespace {

using report::Severity;

core::Package deb(std::string name, std::vector<std::string> licenses,
                  std::vector<std::string> files = {}) {
  core::Package p;
  p.name = name;
  p.version = "1.0-1";
  p.ecosystem = "deb";
  p.purl = "pkg:deb/debian/" + name + "@1.0-1?arch=amd64";
  p.licenses = std::move(licenses);
  p.locations = {{"var/lib/dpkg/status", 1, "sha256:aa"}};
  p.files = std::move(files);
  return p;
}

core::Package lang(std::string eco, std::string name, std::vector<std::string> licenses,
                   std::string path, int layer = 2) {
  core::Package p;
  p.name = name;
  p.version = "2.0.0";
  p.ecosystem = eco;
  p.purl = "pkg:" + eco + "/" + name + "@2.0.0";
  p.licenses = std::move(licenses);
  p.locations = {{std::move(path), layer, "sha256:bb"}};
  return p;
}

const report::Finding* find(const ScanResult& r, std::string_view target_part,
                            std::string_view id) {
  for (const auto& f : r.findings)
    if (f.target.find(target_part) != std::string::npos && f.id == id) return &f;
  return nullptr;
}

TEST(LicenseScan, OneFindingPerPackageLicenseWithCategoryLayerAndPaths) {
  std::vector<core::Package> pkgs = {deb("bash", {"GPL-3.0-or-later", "MIT", "GPL-3.0-or-later"})};
  auto r = scan_packages(pkgs, Policy{});
  ASSERT_EQ(r.findings.size(), 1U) << "MIT (notice, low) is not shown by default";
  EXPECT_EQ(r.hidden, 1U);
  const auto& f = r.findings[0];
  EXPECT_EQ(f.kind, "license");
  EXPECT_EQ(f.id, "GPL-3.0-or-later");
  EXPECT_EQ(f.severity, Severity::kHigh);
  EXPECT_EQ(f.title, "restricted license GPL-3.0-or-later");
  EXPECT_EQ(f.target, "pkg:deb/debian/bash@1.0-1?arch=amd64");
  EXPECT_EQ(f.layer, 1);
  EXPECT_EQ(f.evidence, "GPL-3.0-or-later");
  EXPECT_EQ(f.references,
            std::vector<std::string>{"https://spdx.org/licenses/GPL-3.0-or-later.html"});
  ASSERT_TRUE(f.license.has_value());
  EXPECT_EQ(f.license->category, "restricted");
  EXPECT_EQ(f.license->package_name, "bash");
  EXPECT_EQ(f.license->paths, std::vector<std::string>{"var/lib/dpkg/status"});

  Policy all;
  all.show_all = true;
  auto every = scan_packages(pkgs, all);
  ASSERT_EQ(every.findings.size(), 2U);
  EXPECT_EQ(every.hidden, 0U);
  const auto* mit = find(every, "bash", "MIT");
  ASSERT_NE(mit, nullptr);
  EXPECT_EQ(mit->severity, Severity::kLow);
  EXPECT_EQ(mit->license->category, "notice");
}

TEST(LicenseScan, LanguagePackagesAnOsPackageInstalledAreCoveredByIt) {
  std::vector<core::Package> pkgs = {
      deb("python3-jinja2", {"GPL"},
          {"usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info",
           "usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info/PKG-INFO"}),
      lang("pypi", "jinja2", {"AGPL-3.0-only"},
           "usr/lib/python3/dist-packages/Jinja2-3.1.2.egg-info/PKG-INFO", 1),
      lang("npm", "left-pad", {"AGPL-3.0-only"}, "app/node_modules/left-pad/package.json"),
  };
  auto r = scan_packages(pkgs, Policy{});
  EXPECT_EQ(r.covered, 1U);
  EXPECT_EQ(find(r, "pkg:pypi/jinja2", "AGPL-3.0-only"), nullptr) << "reported via the deb";
  const auto* owner = find(r, "python3-jinja2", "LicenseRef-GPL");
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(owner->license->category, "restricted");
  EXPECT_EQ(owner->license->covers, std::vector<std::string>{"pkg:pypi/jinja2@2.0.0"});
  const auto* npm = find(r, "left-pad", "AGPL-3.0-only");
  ASSERT_NE(npm, nullptr);
  EXPECT_EQ(npm->severity, Severity::kCritical);
  EXPECT_EQ(npm->layer, 2);
}

TEST(LicenseScan, PackagesWithoutALicenseAreUnknownAndDuplicatesMerge) {
  auto a = lang("npm", "app", {}, "app/package.json");
  auto b = lang("npm", "app", {}, "srv/app/package.json", 3);
  auto r = scan_packages({a, b}, Policy{});
  ASSERT_EQ(r.findings.size(), 1U);
  const auto& f = r.findings[0];
  EXPECT_EQ(f.id, "NOASSERTION");
  EXPECT_EQ(f.title, "no license declared");
  EXPECT_EQ(f.severity, Severity::kUnknown);
  EXPECT_EQ(f.license->paths,
            (std::vector<std::string>{"app/package.json", "srv/app/package.json"}));
}

TEST(LicenseScan, PolicyOverridesSeverityDeniesAllowsAndIgnores) {
  Policy p;
  p.source = "org.yaml";
  p.severity[Category::kNotice] = Severity::kMedium;
  p.severity[Category::kRestricted] = Severity::kNone;
  p.deny = {"MPL-2.0"};
  p.allow = {"LicenseRef-acme"};
  p.ignore_packages = {"ignored"};
  std::vector<core::Package> pkgs = {
      deb("a", {"MIT", "GPL-2.0-only", "MPL-2.0", "acme"}),
      deb("ignored", {"AGPL-3.0-only"}),
  };
  auto r = scan_packages(pkgs, p);
  ASSERT_EQ(r.findings.size(), 2U);
  const auto* mit = find(r, "/a@", "MIT");
  ASSERT_NE(mit, nullptr);
  EXPECT_EQ(mit->severity, Severity::kMedium);
  const auto* mpl = find(r, "/a@", "MPL-2.0");
  ASSERT_NE(mpl, nullptr);
  EXPECT_EQ(mpl->severity, Severity::kCritical);
  EXPECT_EQ(mpl->license->policy, "denied");
  EXPECT_NE(mpl->fix.find("org.yaml"), std::string::npos);
  EXPECT_EQ(r.hidden, 2U) << "GPL at severity none and the allowed acme";
}

}  // namespace
}  // namespace bulwark::license
