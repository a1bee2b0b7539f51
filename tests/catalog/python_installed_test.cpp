// Installed Python distributions: this machine's Debian python3-* packages against
// importlib.metadata of Debian's own interpreter, the corpus python-site image, and the
// license and name rules of the core metadata specification.
#include "catalog/python_installed.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "language_scan.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

constexpr const char* kDistPackages = "/usr/lib/python3/dist-packages";

// importlib.metadata's view of a directory: (PEP 503 name, version) of every distribution.
NameVersions importlib_view(const std::string& dir) {
  std::string out;
  int rc = testing::run_command(
      "/usr/bin/python3 -c 'import importlib.metadata as m, re, sys\n"
      "for d in m.distributions(path=[sys.argv[1]]):\n"
      "    print(re.sub(r\"[-_.]+\", \"-\", d.metadata[\"Name\"]).lower(), d.version)' '" +
          dir + "'",
      &out);
  EXPECT_EQ(rc, 0);
  NameVersions set;
  std::istringstream in(out);
  std::string name, version;
  while (in >> name >> version) set.emplace(name, version);
  return set;
}

TEST(PythonInstalled, DebianDistPackagesEqualImportlibMetadata) {
  BW_REQUIRE_COMMAND("/usr/bin/python3");
  if (!std::filesystem::is_directory(kDistPackages)) BW_SKIP_OR_FAIL("no Debian dist-packages");
  auto expected = importlib_view(kDistPackages);
  ASSERT_GE(expected.size(), 5u);
  auto sbom = scan_with(std::string("dir:") + kDistPackages, "python-installed");
  EXPECT_EQ(name_versions(sbom.packages, "pypi"), expected);
  // One package per distribution, even where Debian ships two metadata directories for it
  // (cryptography: a .dist-info and an .egg-info): both are its locations.
  EXPECT_EQ(sbom.packages.size(), expected.size());
  for (const auto& p : sbom.packages) {
    EXPECT_EQ(p.purl, "pkg:pypi/" + p.name + "@" + p.version);
    ASSERT_FALSE(p.locations.empty());
    for (const auto& l : p.locations) EXPECT_TRUE(is_python_metadata_path(l.path)) << l.path;
  }
}

TEST(PythonInstalled, SitePackagesInAnImageLayerEqualImportlibOfTheSameFiles) {
  BW_REQUIRE_COMMAND("/usr/bin/python3");
  if (!std::filesystem::is_directory(kDistPackages)) BW_SKIP_OR_FAIL("no Debian dist-packages");
  // Only the metadata (the interpreter needs nothing else to list distributions).
  testing::TempDir tmp;
  auto site = tmp.path() / "usr/local/lib/python3.11/site-packages";
  std::filesystem::create_directories(site);
  for (const auto& e : std::filesystem::directory_iterator(kDistPackages)) {
    auto n = e.path().filename().string();
    if (n.ends_with(".dist-info") || n.ends_with(".egg-info")) {
      std::filesystem::copy(e.path(), site / n, std::filesystem::copy_options::recursive);
    }
  }
  auto expected = importlib_view(site.string());
  testing::ImageBuilder b;
  b.layer(entries_from_dir(tmp.path(), ""));
  b.write_docker_archive(tmp.str() + "/img.tar");
  auto sbom = scan_with(tmp.str() + "/img.tar", "python");
  EXPECT_EQ(name_versions(sbom.packages, "pypi"), expected);
  for (const auto& p : sbom.packages) {
    EXPECT_EQ(p.locations.at(0).layer_index, 0);
    EXPECT_TRUE(p.locations.at(0).path.starts_with("usr/local/lib/python3.11/site-packages/"));
  }
}

TEST(PythonInstalled, LicensesComeFromExpressionThenLicenseThenClassifiers) {
  auto expr = parse_python_metadata(
      "Metadata-Version: 2.4\nName: Foo_Bar\nVersion: 1.0\nLicense-Expression: MIT OR "
      "Apache-2.0\nLicense: ignored\n\nbody\nName: not-a-header\n");
  ASSERT_TRUE(expr);
  EXPECT_EQ(expr->name, "foo-bar");
  EXPECT_EQ(expr->purl, "pkg:pypi/foo-bar@1.0");
  EXPECT_EQ(expr->licenses, std::vector<std::string>{"MIT OR Apache-2.0"});
  auto full_text = parse_python_metadata(
      "Name: x\nVersion: 2\nLicense: Copyright (c) someone\n        Permission is hereby granted\n"
      "Classifier: License :: OSI Approved :: MIT License\nClassifier: License :: OSI Approved :: "
      "GNU General Public License v2 or later (GPLv2+)\nClassifier: Programming Language :: "
      "Python\n");
  ASSERT_TRUE(full_text);
  EXPECT_EQ(full_text->licenses, (std::vector<std::string>{"MIT", "GPL-2.0-or-later"}));
  auto unknown = parse_python_metadata("Name: y\nVersion: 3\nLicense: UNKNOWN\n");
  ASSERT_TRUE(unknown);
  EXPECT_TRUE(unknown->licenses.empty());
  EXPECT_FALSE(parse_python_metadata("Name: z\n"));
  EXPECT_FALSE(parse_python_metadata(std::string(1000, '\0')));
}

TEST(PythonInstalled, OnlyMetadataFilesOfDistributionDirectoriesCount) {
  EXPECT_TRUE(is_python_metadata_path("usr/lib/python3/dist-packages/a-1.dist-info/METADATA"));
  EXPECT_TRUE(is_python_metadata_path("opt/venv/lib/python3.12/site-packages/a.egg-info/PKG-INFO"));
  EXPECT_TRUE(is_python_metadata_path("usr/lib/python3/dist-packages/six-1.16.0.egg-info"));
  EXPECT_FALSE(is_python_metadata_path("usr/share/doc/x/METADATA"));
  EXPECT_FALSE(is_python_metadata_path("src/PKG-INFO"));
  EXPECT_EQ(license_from_classifier("License :: OSI Approved :: BSD License"), "BSD License");
}

}  // namespace
}  // namespace bulwark::catalog
