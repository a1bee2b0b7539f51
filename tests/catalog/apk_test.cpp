// The apk cataloger on an installed database in the format apk-tools writes
// (tests/fixtures/apk/alpine-3.19-installed), on malformed databases, and the purls it
// produces once the OS is known.
#include "catalog/apk.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "core/purl.hpp"
#include "image/merged_fs.hpp"

namespace bulwark::catalog {
namespace {

std::string fixture() {
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/tests/fixtures/apk/alpine-3.19-installed",
                   std::ios::binary);
  EXPECT_TRUE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

const core::Package* find(const std::vector<core::Package>& pkgs, std::string_view name) {
  for (const auto& p : pkgs) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool has_warning(const std::vector<std::string>& warnings, std::string_view needle) {
  for (const auto& w : warnings) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(ApkInstalled, ReadsEveryRecordInOrder) {
  auto r = parse_apk_installed(fixture());
  EXPECT_TRUE(r.warnings.empty()) << r.warnings.front();
  std::vector<std::string> names;
  for (const auto& p : r.packages) names.push_back(p.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"musl", "busybox", "ca-certificates-bundle", "libcrypto3",
                                      "libssl3", "zlib", "musl-utils", "alpine-baselayout-data"}));
}

TEST(ApkInstalled, ReadsMusl) {
  auto r = parse_apk_installed(fixture());
  const auto* musl = find(r.packages, "musl");
  ASSERT_NE(musl, nullptr);
  EXPECT_EQ(musl->version, "1.2.4_git20230717-r4");
  EXPECT_EQ(musl->ecosystem, "apk");
  EXPECT_EQ(musl->architecture, "x86_64");
  EXPECT_EQ(musl->source_name, "musl");
  EXPECT_EQ(musl->source_version, "1.2.4_git20230717-r4");
  EXPECT_EQ(musl->licenses, std::vector<std::string>{"MIT"});
  EXPECT_EQ(musl->files,
            (std::vector<std::string>{"lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"}));
  const auto& meta = std::get<core::ApkMetadata>(musl->metadata);
  EXPECT_EQ(meta.origin, "musl");
  EXPECT_EQ(meta.maintainer, "Timo Teräs <timo.teras@iki.fi>");
  EXPECT_EQ(meta.checksum.substr(0, 2), "Q1");
  EXPECT_EQ(meta.commit.size(), 40u);
  // Without an OS the vendor defaults to alpine and the distro is left off.
  EXPECT_EQ(musl->purl, "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64");
}

TEST(ApkInstalled, SubpackagesCarryTheirOrigin) {
  auto r = parse_apk_installed(fixture());
  const auto* crypto = find(r.packages, "libcrypto3");
  ASSERT_NE(crypto, nullptr);
  EXPECT_EQ(crypto->source_name, "openssl");
  EXPECT_EQ(crypto->source_version, "3.1.4-r5");
  EXPECT_EQ(crypto->purl, "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl");
  // Files follow the F: directory they were listed under.
  EXPECT_EQ(crypto->files.front(), "etc/ssl/ct_log_list.cnf");
  EXPECT_EQ(crypto->files.back(), "usr/lib/ossl-modules/legacy.so");
  EXPECT_EQ(crypto->files.size(), 13u);
  EXPECT_EQ(find(r.packages, "ca-certificates-bundle")->source_name, "ca-certificates");
}

TEST(ApkInstalled, KeepsSpdxExpressionsWhole) {
  auto r = parse_apk_installed(fixture());
  EXPECT_EQ(find(r.packages, "ca-certificates-bundle")->licenses,
            std::vector<std::string>{"MPL-2.0 AND MIT"});
  EXPECT_EQ(find(r.packages, "musl-utils")->licenses,
            std::vector<std::string>{"MIT AND BSD-2-Clause AND GPL-2.0-or-later"});
}

TEST(ApkLicense, SplitsLegacyListsAndKeepsExpressions) {
  EXPECT_EQ(split_apk_license("MIT BSD GPL2+"), (std::vector<std::string>{"MIT", "BSD", "GPL2+"}));
  EXPECT_EQ(split_apk_license("  GPL-2.0-only  "), std::vector<std::string>{"GPL-2.0-only"});
  EXPECT_EQ(split_apk_license("MIT  MIT\tZlib"), (std::vector<std::string>{"MIT", "Zlib"}));
  EXPECT_EQ(split_apk_license("(MIT OR Apache-2.0)  AND Unicode-DFS-2016"),
            std::vector<std::string>{"(MIT OR Apache-2.0) AND Unicode-DFS-2016"});
  EXPECT_EQ(split_apk_license("GPL-2.0-or-later WITH Linux-syscall-note"),
            std::vector<std::string>{"GPL-2.0-or-later WITH Linux-syscall-note"});
  EXPECT_EQ(split_apk_license("GPL2+ or Artistic"), std::vector<std::string>{"GPL2+ or Artistic"});
  EXPECT_TRUE(split_apk_license("").empty());
  EXPECT_TRUE(split_apk_license(" \t ").empty());
}

TEST(ApkInstalled, SkipsRecordsWithoutNameOrVersion) {
  auto r = parse_apk_installed(
      "P:good\nV:1.0-r0\nA:x86_64\n\n"
      "V:2.0-r0\nA:x86_64\nT:no name\n\n"
      "P:noversion\nA:x86_64\n\n"
      "P:also-good\nV:3.0-r1\n");
  ASSERT_EQ(r.packages.size(), 2u);
  EXPECT_EQ(r.packages[0].name, "good");
  EXPECT_EQ(r.packages[1].name, "also-good");
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0], "record at line 5: no package name (P:); skipped");
  EXPECT_EQ(r.warnings[1], "record at line 9: package noversion has no version (V:); skipped");
}

TEST(ApkInstalled, SkipsRecordsWithImpossibleNames) {
  auto r =
      parse_apk_installed("P:a/b\nV:1\n\nP:a b\nV:1\n\nP:caf\xc3\xa9\nV:1\n\nP:ok+x_y.z-1\nV:1\n");
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].name, "ok+x_y.z-1");
  EXPECT_EQ(r.warnings.size(), 3u);
}

TEST(ApkInstalled, SkipsHugeLines) {
  std::string text = "P:big\nV:1.0-r0\nT:" + std::string(kMaxApkLineBytes, 'x') + "\nA:x86_64\n";
  auto r = parse_apk_installed(text);
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].architecture, "x86_64");
  EXPECT_TRUE(has_warning(r.warnings, "line 3: ")) << testing::PrintToString(r.warnings);
  EXPECT_TRUE(has_warning(r.warnings, "too long"));

  // A huge P: line is skipped too, so its record has no name.
  auto r2 = parse_apk_installed("P:" + std::string(kMaxApkLineBytes, 'p') + "\nV:1\n");
  EXPECT_TRUE(r2.packages.empty());
  EXPECT_TRUE(has_warning(r2.warnings, "no package name"));
}

TEST(ApkInstalled, CountsMalformedLinesOnce) {
  // "::" is a line for the (unknown, ignored) key ':', not a malformed one.
  auto r = parse_apk_installed("P:a\ngarbage\nV:1-r0\nX\n::\nanother bad line\n");
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].version, "1-r0");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "3 lines without a \"<key>:\" prefix ignored (first at line 2)");
}

TEST(ApkInstalled, ToleratesCrlfMissingFinalNewlineAndExtraBlankLines) {
  auto r = parse_apk_installed("\n\n\r\nP:a\r\nV:1-r0\r\nA:aarch64\r\n\r\n\r\n\nP:b\nV:2-r0");
  ASSERT_EQ(r.packages.size(), 2u);
  EXPECT_EQ(r.packages[0].architecture, "aarch64");
  EXPECT_EQ(r.packages[1].version, "2-r0");
  EXPECT_TRUE(r.warnings.empty());
}

TEST(ApkInstalled, EmptyAndBinaryInputGiveNoPackages) {
  EXPECT_TRUE(parse_apk_installed("").packages.empty());
  EXPECT_TRUE(parse_apk_installed("").warnings.empty());
  const std::string binary("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xff\x00\x01", 13);
  auto r = parse_apk_installed(binary);
  EXPECT_TRUE(r.packages.empty());
  EXPECT_FALSE(r.warnings.empty());
}

TEST(ApkInstalled, FilesOutsideTheRootAreDropped) {
  auto r = parse_apk_installed(
      "P:evil\nV:1-r0\nR:top-level-file\nF:../../etc\nR:passwd\nF:usr/bin\nR:../../../x\n"
      "R:ok\n");
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].files, (std::vector<std::string>{"top-level-file", "usr/bin/ok"}));
  EXPECT_TRUE(has_warning(r.warnings, "directory escapes the root"));
  EXPECT_TRUE(has_warning(r.warnings, "file path escapes the root"));
}

TEST(ApkInstalled, BoundsTheNumberOfWarnings) {
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "V:1\n\n";
  auto r = parse_apk_installed(text);
  EXPECT_TRUE(r.packages.empty());
  ASSERT_EQ(r.warnings.size(), 21u);
  EXPECT_EQ(r.warnings.back(), "and 980 more problems");
}

TEST(ApkInstalled, LaterFieldValuesWin) {
  auto r = parse_apk_installed("P:a\nV:1-r0\nV:1-r1\n");
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].version, "1-r1");
}

// ---- the cataloger ----

TEST(ApkCataloger, AsksForTheInstalledDatabaseOnly) {
  ApkCataloger c;
  EXPECT_EQ(c.name(), "apk");
  auto patterns = c.patterns();
  ASSERT_EQ(patterns.size(), 1u);
  EXPECT_EQ(patterns[0].kind, image::PathPattern::Kind::kExact);
  EXPECT_EQ(patterns[0].text, "lib/apk/db/installed");
}

TEST(ApkCataloger, StoresPackagesAndWarningsUnderThePath) {
  ApkCataloger c;
  const std::string text = fixture() + "P:broken\n";
  image::StringContent content(text);
  image::Entry entry;
  entry.path = "lib/apk/db/installed";
  entry.size = text.size();
  image::LayerFacts out;
  ASSERT_TRUE(c.analyze(entry, content, out).ok());
  EXPECT_EQ(out.packages_by_path.at("lib/apk/db/installed").size(), 8u);
  ASSERT_EQ(out.warnings.size(), 1u);
  EXPECT_EQ(out.warnings[0].rfind("lib/apk/db/installed: record at line ", 0), 0u);
}

core::OsInfo alpine_3_19() {
  core::OsInfo os;
  os.id = "alpine";
  os.version_id = "3.19.1";
  return os;
}

TEST(ApkCataloger, FinalizeAddsTheDistro) {
  auto packages = parse_apk_installed(fixture()).packages;
  std::vector<image::LayerResult> layers;
  auto fs = image::MergedFs::build(layers);
  MergeContext ctx(fs, layers);
  ctx.set_os(alpine_3_19());
  ApkCataloger().finalize(ctx, packages);
  EXPECT_EQ(find(packages, "musl")->purl,
            "pkg:apk/alpine/musl@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1");
  EXPECT_EQ(find(packages, "libssl3")->purl,
            "pkg:apk/alpine/libssl3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl");
  // Every purl is valid and reads back to the same package.
  for (const auto& p : packages) {
    auto parsed = core::PackageUrl::parse(p.purl);
    ASSERT_TRUE(parsed.ok()) << p.purl;
    EXPECT_EQ(parsed->name, p.name);
    EXPECT_EQ(parsed->version, p.version);
  }
}

TEST(ApkPurl, VendorFollowsApkBasedDistributionsOnly) {
  core::Package p;
  p.name = "busybox";
  p.version = "1.36.1-r15";
  p.architecture = "aarch64";
  p.source_name = "busybox";

  core::OsInfo wolfi;
  wolfi.id = "wolfi";
  wolfi.version_id = "20230201";
  EXPECT_EQ(apk_purl(p, wolfi),
            "pkg:apk/wolfi/busybox@1.36.1-r15?arch=aarch64&distro=wolfi-20230201");

  core::OsInfo pmos;
  pmos.id = "postmarketos";
  pmos.id_like = "alpine";
  pmos.version_id = "v23.12";
  EXPECT_EQ(apk_purl(p, pmos),
            "pkg:apk/postmarketos/busybox@1.36.1-r15?arch=aarch64&distro=postmarketos-v23.12");

  // An apk database in a Debian image is odd; do not call its packages Debian's.
  core::OsInfo debian;
  debian.id = "debian";
  debian.version_id = "12";
  EXPECT_EQ(apk_purl(p, debian), "pkg:apk/alpine/busybox@1.36.1-r15?arch=aarch64");

  core::OsInfo edge;  // alpine without a version: no distro qualifier
  edge.id = "alpine";
  EXPECT_EQ(apk_purl(p, edge), "pkg:apk/alpine/busybox@1.36.1-r15?arch=aarch64");
}

}  // namespace
}  // namespace bulwark::catalog
