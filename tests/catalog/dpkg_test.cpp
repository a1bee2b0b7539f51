#include "catalog/dpkg.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "catalog/catalogers.hpp"
#include "catalog/sbom.hpp"
#include "image/image.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

using Row = std::tuple<std::string, std::string, std::string, std::string, std::string>;

// dpkg-query's view: name, version, arch, source name, source version, for packages whose
// files are on disk (status neither not-installed nor config-files).
std::set<Row> dpkg_query(const std::string& admindir) {
  std::string out;
  int rc = testing::run_command(
      "dpkg-query --admindir='" + admindir +
          "' -W -f '${db:Status-Status}\\t${Package}\\t${Version}\\t${Architecture}\\t"
          "${source:Package}\\t${source:Version}\\n'",
      &out);
  EXPECT_EQ(rc, 0);
  std::set<Row> rows;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string part;
    while (std::getline(ss, part, '\t')) f.push_back(part);
    f.resize(6);
    if (f[0] == "not-installed" || f[0] == "config-files") continue;
    rows.emplace(f[1], f[2], f[3], f[4], f[5]);
  }
  return rows;
}

std::set<Row> ours(const std::vector<core::Package>& pkgs) {
  std::set<Row> rows;
  for (const auto& p : pkgs)
    rows.emplace(p.name, p.version, p.architecture, p.source_name, p.source_version);
  return rows;
}

TEST(DpkgCatalog, ReadsSourcePackageNameAndVersion) {
  auto r = parse_dpkg_status(
      "Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl "
      "(3.0.11-1~deb12u2)\n"
      "Version: 3.0.11-1~deb12u2\nDescription: x\n multi-line\n .\n more\n\n"
      "Package: bash\nStatus: install ok installed\nVersion: 5.2.15-2+b2\nSource: bash "
      "(5.2.15-2)\nArchitecture: amd64\n\n"
      "Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nSource: "
      "zlib\nArchitecture: amd64\n\n"
      "Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n");
  ASSERT_EQ(r.packages.size(), 3U);
  EXPECT_EQ(r.packages[0].source_name, "openssl");
  EXPECT_EQ(r.packages[0].source_version, "3.0.11-1~deb12u2");
  EXPECT_EQ(r.packages[1].source_version, "5.2.15-2");  // binNMU: source version differs
  EXPECT_EQ(r.packages[2].source_name, "zlib");
  EXPECT_EQ(r.packages[2].source_version, "1:1.2.13.dfsg-1");
}

TEST(DpkgCatalog, MalformedStatusGivesWarningsNotCrashes) {
  auto r = parse_dpkg_status("Package: a\n\nVersion: 1\n\n\x01\x02:\n\nPackage: b\nVersion: 2\n");
  ASSERT_EQ(r.packages.size(), 1U);
  EXPECT_EQ(r.packages[0].name, "b");
  EXPECT_EQ(r.warnings.size(), 3U);  // no Version; no Package; a garbage paragraph
}

TEST(DpkgCatalog, ReadsDep5AndFreeFormCopyright) {
  auto dep5 = parse_debian_copyright(
      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: "
      "*\nCopyright: x\n"
      "License: GPL-2+\n\nFiles: lib/*\nLicense: LGPL-2.1+ or MIT\n\nLicense: GPL-2+\n text\n");
  EXPECT_EQ(dep5, (std::vector<std::string>{"GPL-2+", "LGPL-2.1+ or MIT"}));
  auto free_form = parse_debian_copyright(
      "see /usr/share/common-licenses/GPL-3. and /usr/share/common-licenses/Apache-2.0\n");
  EXPECT_EQ(free_form, (std::vector<std::string>{"Apache-2.0", "GPL-3"}));
}

// Scans a root directory holding a copy of a dpkg database and compares with dpkg-query.
std::vector<core::Package> scan_dir(const std::string& root) {
  auto img = image::open_image("dir:" + root, {});
  EXPECT_TRUE(img.ok());
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  EXPECT_TRUE(layers.ok());
  auto sbom = build_sbom(*img, *layers, catalogers);
  std::vector<core::Package> debs;
  for (auto& p : sbom.packages) {
    if (p.ecosystem == "deb") debs.push_back(std::move(p));
  }
  return debs;
}

TEST(DpkgCatalog, EqualsDpkgQueryOnThisMachinesDatabase) {
  BW_REQUIRE_COMMAND("dpkg-query");
  testing::TempDir tmp;
  std::filesystem::create_directories(tmp.path() / "var/lib");
  std::filesystem::copy("/var/lib/dpkg", tmp.path() / "var/lib/dpkg",
                        std::filesystem::copy_options::recursive);
  for (const auto& d : std::filesystem::directory_iterator("/usr/share/doc")) {
    auto copyright = d.path() / "copyright";
    if (!std::filesystem::is_regular_file(copyright)) continue;
    auto dest = tmp.path() / "usr/share/doc" / d.path().filename();
    std::filesystem::create_directories(dest);
    std::filesystem::copy_file(copyright, dest / "copyright");
  }
  auto expected = dpkg_query("/var/lib/dpkg");
  auto pkgs = scan_dir(tmp.str());
  EXPECT_GT(expected.size(), 100U);
  EXPECT_EQ(ours(pkgs), expected);
  // Owned files come from info/*.list, licenses from DEP-5 copyright files.
  std::map<std::string, const core::Package*> by_name;
  for (const auto& p : pkgs) by_name[p.name] = &p;
  ASSERT_TRUE(by_name.count("dpkg"));
  const auto& files = by_name["dpkg"]->files;
  EXPECT_NE(std::find(files.begin(), files.end(), "usr/bin/dpkg"), files.end());
  EXPECT_FALSE(by_name["dpkg"]->licenses.empty());
  EXPECT_TRUE(by_name["dpkg"]->purl.starts_with("pkg:deb/debian/dpkg@")) << by_name["dpkg"]->purl;
}

// Debian links the doc directory of packages built from one source to one of them
// (usr/share/doc/libgcc-s1 -> gcc-12-base); their licenses are read through the link.
TEST(DpkgCatalog, LicensesFollowASymlinkedDocDirectory) {
  testing::TempDir tmp;
  const auto root = tmp.path();
  std::filesystem::create_directories(root / "var/lib/dpkg");
  testing::write_file(root / "var/lib/dpkg/status",
                      "Package: gcc-12-base\nStatus: install ok installed\nVersion: 12.2.0-14\n"
                      "Architecture: amd64\nSource: gcc-12\n\n"
                      "Package: libgcc-s1\nStatus: install ok installed\nVersion: 12.2.0-14\n"
                      "Architecture: amd64\nSource: gcc-12\n\n"
                      "Package: orphan\nStatus: install ok installed\nVersion: 1\n"
                      "Architecture: amd64\n\n");
  std::filesystem::create_directories(root / "usr/share/doc/gcc-12-base");
  testing::write_file(root / "usr/share/doc/gcc-12-base/copyright",
                      "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
                      "\n\nFiles: *\nLicense: GPL-3+\n");
  std::filesystem::create_directory_symlink("gcc-12-base", root / "usr/share/doc/libgcc-s1");
  // A link leading nowhere gives no license, and no error.
  std::filesystem::create_directory_symlink("missing", root / "usr/share/doc/orphan");
  std::map<std::string, std::vector<std::string>> licenses;
  for (const auto& p : scan_dir(tmp.str())) licenses[p.name] = p.licenses;
  EXPECT_EQ(licenses["gcc-12-base"], std::vector<std::string>{"GPL-3.0-or-later"});
  EXPECT_EQ(licenses["libgcc-s1"], std::vector<std::string>{"GPL-3.0-or-later"});
  EXPECT_TRUE(licenses.contains("orphan"));
  EXPECT_TRUE(licenses["orphan"].empty());
}

// The corpus debian-min root is a real mmdebstrap root; its layer's dpkg database must equal
// what dpkg-query says about the same database extracted to disk.
TEST(DpkgCatalog, EqualsDpkgQueryOnAnMmdebstrapRoot) {
  BW_REQUIRE_COMMAND("dpkg-query");
  std::string why;
  auto corpus = testing::corpus_dir(&why);
  if (!corpus) BW_SKIP_OR_FAIL(why);
  testing::TempDir tmp;
  auto img = image::open_image((*corpus / "debian-min.docker.tar").string(), {});
  ASSERT_TRUE(img.ok()) << img.error().message();
  // Extract only the dpkg database with tar itself (the reference), then ask dpkg-query.
  std::string layer_tar;
  ASSERT_EQ(testing::run_command("tar -xOf '" + (*corpus / "debian-min.docker.tar").string() +
                                 "' '" + img->layers[0].blob.location + "' | tar -x -C '" +
                                 tmp.str() + "' var/lib/dpkg/status"),
            0);
  auto expected = dpkg_query(tmp.str() + "/var/lib/dpkg");
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  auto sbom = build_sbom(*img, *layers, catalogers);
  EXPECT_GT(expected.size(), 80U);
  EXPECT_EQ(ours(sbom.packages), expected);
  EXPECT_EQ(sbom.os.id, "debian");
  EXPECT_EQ(sbom.os.codename, "bookworm");
}

}  // namespace
}  // namespace bulwark::catalog
