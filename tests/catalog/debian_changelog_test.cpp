#include "catalog/debian_changelog.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "catalog/catalogers.hpp"
#include "catalog/changelog.hpp"
#include "catalog/sbom.hpp"
#include "core/limits.hpp"
#include "core/serial.hpp"
#include "image/image.hpp"
#include "image/layer_cache.hpp"
#include "support/test_env.hpp"
#include "version/version.hpp"

namespace bulwark::catalog {
namespace {

std::vector<std::string> ids(const DebianChangelogEntry& e) {
  std::vector<std::string> out;
  for (const auto& c : e.cves) out.push_back(c.cve);
  return out;
}

constexpr std::string_view kTwoEntries =
    "curl (7.88.1-10+deb12u5) bookworm-security; urgency=medium\n"
    "\n"
    "  * Fix CVE-2023-38545 and cve-2023-38546:\n"
    "    - the SOCKS5 heap overflow (CVE-2023-38545)\n"
    "  * Not an id: CVE-23-1, XCVE-2023-0001, CVE-2023-123\n"
    "\n"
    " -- Samuel Henrique <samueloph@debian.org>  Fri, 06 Oct 2023 20:49:14 +0100\n"
    "\n"
    "curl (7.88.1-10+deb12u4) bookworm; urgency=medium\n"
    "\n"
    "  * d/p/fix-CVE-2023-27534-regression.patch: restore sftp://host/~\n"
    "\n"
    " -- Samuel Henrique <samueloph@debian.org>  Mon, 02 Oct 2023 10:00:00 +0100\n";

TEST(DebianChangelog, ReadsEachEntrysVersionAndTheCvesItsChangeLinesName) {
  auto cl = parse_debian_changelog(kTwoEntries);
  ASSERT_EQ(cl.entries.size(), 2U);
  EXPECT_TRUE(cl.warnings.empty()) << cl.warnings.front();
  EXPECT_EQ(cl.entries[0].version, "7.88.1-10+deb12u5");
  EXPECT_EQ(ids(cl.entries[0]), (std::vector<std::string>{"CVE-2023-38545", "CVE-2023-38546"}));
  // The first line naming the id is the evidence, trimmed.
  EXPECT_EQ(cl.entries[0].cves[0].line, "* Fix CVE-2023-38545 and cve-2023-38546:");
  EXPECT_EQ(cl.entries[0].cves[0].version, "7.88.1-10+deb12u5");
  EXPECT_EQ(cl.entries[1].version, "7.88.1-10+deb12u4");
  EXPECT_EQ(ids(cl.entries[1]), (std::vector<std::string>{"CVE-2023-27534"}));
}

TEST(DebianChangelog, KeepsEntriesUpToTheInstalledVersionOncePerCveAtTheOldestEntry) {
  std::string text =
      "openssl (3.0.12-1) unstable; urgency=medium\n\n  * CVE-2023-5678 and CVE-2023-1111 again\n"
      "\n -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n\n"
      "openssl (3.0.11-1~deb12u2) bookworm; urgency=medium\n\n  * CVE-2023-1111 fixed\n"
      "\n -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n\n"
      "openssl (3.0.11-1~deb12u1) bookworm; urgency=medium\n\n  * First fix CVE-2023-1111\n"
      "\n -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n";
  auto cl = parse_debian_changelog(text);
  std::vector<core::ChangelogCve> mentions;
  for (const auto& e : cl.entries)
    for (const auto& c : e.cves) mentions.push_back(c);
  auto kept = changelog_cves_up_to(mentions, "deb", "3.0.11-1~deb12u2");
  ASSERT_EQ(kept.size(), 1U);
  EXPECT_EQ(kept[0].cve, "CVE-2023-1111");
  EXPECT_EQ(kept[0].version, "3.0.11-1~deb12u1");
  EXPECT_EQ(kept[0].line, "* First fix CVE-2023-1111");
  auto all = changelog_cves_up_to(mentions, "deb", "3.0.12-1");
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].cve, "CVE-2023-1111");
  EXPECT_EQ(all[1].cve, "CVE-2023-5678");
  EXPECT_TRUE(changelog_cves_up_to(mentions, "deb", "3.0.10-1").empty());
}

TEST(DebianChangelog, MalformedInputGivesWarningsNotEntriesFromNowhere) {
  for (std::string_view bad :
       {std::string_view(""), std::string_view("\x1f\x8b garbage\n\n\n"),
        std::string_view("  * CVE-2020-0001 before any header\n"),
        std::string_view("pkg (1.0) unstable; urgency=low\n  * CVE-2020-0002\n"),  // no trailer
        std::string_view("pkg (not-a-version) unstable; urgency=low\n\n  * CVE-2020-0003\n")}) {
    auto cl = parse_debian_changelog(bad);
    EXPECT_FALSE(cl.warnings.empty()) << bad;
    for (const auto& e : cl.entries) {
      if (e.version.empty()) continue;  // no header or an invalid version: no version
      EXPECT_EQ(e.version, "1.0") << bad;
    }
  }
  // A line cut in the middle of a multi-byte character stays valid UTF-8.
  std::string longline = "pkg (1.0-1) unstable; urgency=low\n\n  * CVE-2020-0004 ";
  for (int i = 0; i < 200; ++i) longline += "\xc3\xa9";
  auto cl = parse_debian_changelog(longline + "\n");
  ASSERT_EQ(cl.entries.size(), 1U);
  ASSERT_EQ(cl.entries[0].cves.size(), 1U);
  const auto& line = cl.entries[0].cves[0].line;
  EXPECT_LE(line.size(), kChangelogLineMax);
  EXPECT_TRUE(line.ends_with("\xc3\xa9..."));
}

TEST(DebianChangelog, StopsAtTheEntryAndCveLimitsWithAWarning) {
  auto saved = core::limits();
  auto l = saved;
  l.max_changelog_entries = 3;
  core::set_limits(l);
  std::string text;
  for (int i = 9; i >= 1; --i) {
    text += "p (" + std::to_string(i) + ".0-1) unstable; urgency=low\n\n  * CVE-2021-000" +
            std::to_string(i) + "\n\n -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n\n";
  }
  auto cl = parse_debian_changelog(text);
  EXPECT_EQ(cl.entries.size(), 3U);
  EXPECT_EQ(cl.entries.front().version, "9.0-1");
  ASSERT_FALSE(cl.warnings.empty());
  EXPECT_NE(cl.warnings.back().find("more than 3 entries"), std::string::npos);
  l = saved;
  l.max_changelog_cves = 2;
  core::set_limits(l);
  cl = parse_debian_changelog(text);
  size_t n = 0;
  for (const auto& e : cl.entries) n += e.cves.size();
  EXPECT_EQ(n, 2U);
  EXPECT_NE(cl.warnings.back().find("more than 2 CVE"), std::string::npos);
  core::set_limits(saved);
}

TEST(DebianChangelog, InflateKeepsWholeLinesUpToTheByteLimitAndReportsCorruptStreams) {
  testing::TempDir tmp;
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "  * line " + std::to_string(i) + " CVE-2022-1234\n";
  testing::write_file(tmp.path() / "c", text);
  ASSERT_EQ(testing::run_command("gzip -9n '" + (tmp.path() / "c").string() + "'"), 0);
  std::string gz = testing::read_file(tmp.path() / "c.gz");
  auto whole = inflate_changelog(gz, "c.gz");
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->text, text);
  EXPECT_TRUE(whole->problem.empty());

  auto saved = core::limits();
  auto l = saved;
  l.max_changelog_bytes = 1000;
  core::set_limits(l);
  auto cut = inflate_changelog(gz, "c.gz");
  core::set_limits(saved);
  ASSERT_TRUE(cut.ok());
  EXPECT_LE(cut->text.size(), 1000U);
  EXPECT_TRUE(cut->text.ends_with("\n"));
  EXPECT_TRUE(text.starts_with(cut->text));
  EXPECT_NE(cut->problem.find("larger than 1000 bytes"), std::string::npos);

  auto truncated = inflate_changelog(std::string_view(gz).substr(0, gz.size() / 2), "c.gz");
  ASSERT_TRUE(truncated.ok());
  EXPECT_FALSE(truncated->problem.empty());
  EXPECT_TRUE(text.starts_with(truncated->text));
  EXPECT_FALSE(inflate_changelog("not gzip at all", "x.gz").ok());
}

TEST(DebianChangelog, LayerCachePackageEncodingKeepsChangelogCves) {
  core::Package p;
  p.name = "libssl3";
  p.version = "3.0.11-1~deb12u2";
  p.ecosystem = "deb";
  p.changelog_cves = {{"CVE-2023-5678", "3.0.11-1~deb12u2", "* Fix CVE-2023-5678"},
                      {"CVE-2024-0727", "", "- CVE-2024-0727 (PKCS12)"}};
  core::BinaryWriter w;
  image::put_package(w, p);
  std::string data = w.take();
  core::BinaryReader r(data);
  auto back = image::get_package(r);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, p);
  EXPECT_TRUE(r.at_end());
  for (size_t cut = 0; cut < data.size(); ++cut) {
    core::BinaryReader partial(std::string_view(data).substr(0, cut));
    EXPECT_FALSE(image::get_package(partial).ok()) << cut;
  }
}

// --- Differential against dpkg's own parser (Dpkg::Changelog::Debian, which
// dpkg-parsechangelog runs): entry versions and the CVE ids of each entry's change lines, the
// ids found by a Perl regex independent of find_cve_ids.

constexpr std::string_view kReferenceScript = R"PERL(
use strict; use warnings;
use Dpkg::Changelog::Debian;
use IO::Uncompress::Gunzip qw($GunzipError);
while (my $f = <STDIN>) {
  chomp $f;
  my $z = IO::Uncompress::Gunzip->new($f) or do { print "F\t$f\nX\n"; next; };
  my $c = Dpkg::Changelog::Debian->new(verbose => 0);
  $c->parse($z, $f);
  print "F\t$f\n";
  foreach my $e (@{$c}) {
    my $v = $e->get_version();
    print "E\t", (defined $v ? "$v" : ""), "\n";
    my %seen;
    foreach my $line (@{$e->get_part('changes') // []}) {
      while ($line =~ /(?<![A-Za-z0-9_])CVE-(\d{4}-\d{4,12})(?!\d)/gi) {
        my $id = "CVE-$1";
        print "C\t$id\n" unless $seen{$id}++;
      }
    }
  }
}
)PERL";

// file -> "E version\nC id\n..." as both sides print it.
using Rendered = std::map<std::string, std::string>;

Rendered reference(const std::vector<std::string>& files, const testing::TempDir& tmp) {
  testing::write_file(tmp.path() / "ref.pl", kReferenceScript);
  std::string list;
  for (const auto& f : files) list += f + "\n";
  testing::write_file(tmp.path() / "files", list);
  std::string out;
  int rc = testing::run_command("perl '" + (tmp.path() / "ref.pl").string() + "' < '" +
                                    (tmp.path() / "files").string() + "' 2>/dev/null",
                                &out);
  EXPECT_EQ(rc, 0);
  Rendered r;
  std::istringstream in(out);
  std::string line, current;
  while (std::getline(in, line)) {
    if (line.starts_with("F\t")) {
      current = line.substr(2);
      r[current];
    } else if (line.starts_with("E\t")) {
      r[current] += "E " + line.substr(2) + "\n";
    } else if (line.starts_with("C\t")) {
      r[current] += "C " + line.substr(2) + "\n";
    } else if (line == "X") {
      r.erase(current);
    }
  }
  return r;
}

Rendered ours(const std::vector<std::string>& files) {
  Rendered r;
  for (const auto& f : files) {
    auto inflated = inflate_changelog(testing::read_file(f), f);
    if (!inflated.ok() || !inflated->problem.empty()) continue;
    auto cl = parse_debian_changelog(inflated->text);
    std::string& s = r[f];
    for (const auto& e : cl.entries) {
      s += "E " + e.version + "\n";
      for (const auto& c : e.cves) s += "C " + c.cve + "\n";
    }
  }
  return r;
}

void expect_same(const std::vector<std::string>& files, size_t* cves_seen) {
  testing::TempDir tmp;
  auto ref = reference(files, tmp);
  auto got = ours(files);
  EXPECT_EQ(ref.size(), files.size());
  size_t mismatches = 0;
  for (const auto& [file, expected] : ref) {
    auto it = got.find(file);
    if (it == got.end()) {
      ADD_FAILURE() << file << ": not read";
      continue;
    }
    if (it->second != expected && ++mismatches <= 5) {
      ADD_FAILURE() << file << "\n--- dpkg:\n" << expected << "--- ours:\n" << it->second;
    }
    for (size_t p = expected.find("\nC "); p != std::string::npos; p = expected.find("\nC ", p + 1))
      ++*cves_seen;
  }
  EXPECT_EQ(mismatches, 0U);
}

bool have_dpkg_perl() {
  return testing::run_command("perl -MDpkg::Changelog::Debian -e 1 2>/dev/null") == 0;
}

TEST(DebianChangelogDifferential, AgreesWithDpkgOnEveryChangelogOnThisMachine) {
  if (!have_dpkg_perl()) BW_SKIP_OR_FAIL("dpkg-dev (Dpkg::Changelog::Debian) not installed");
  std::vector<std::string> files;
  std::set<std::filesystem::path> seen;
  for (const auto& d : std::filesystem::directory_iterator("/usr/share/doc")) {
    auto f = d.path() / "changelog.Debian.gz";
    std::error_code ec;
    auto canon = std::filesystem::canonical(f, ec);
    if (ec || !std::filesystem::is_regular_file(canon) || !seen.insert(canon).second) continue;
    files.push_back(canon.string());
  }
  ASSERT_GT(files.size(), 100U);
  size_t cves = 0;
  expect_same(files, &cves);
  EXPECT_GT(cves, 1000U);  // real changelogs name thousands: the comparison covered them
  std::cout << "[ differential ] " << files.size() << " changelogs, " << cves
            << " CVE mentions per entry agree with dpkg\n";
}

TEST(DebianChangelogDifferential, AgreesWithDpkgOnTheCorpusImagesChangelogs) {
  if (!have_dpkg_perl()) BW_SKIP_OR_FAIL("dpkg-dev (Dpkg::Changelog::Debian) not installed");
  std::string why;
  auto corpus = testing::corpus_dir(&why);
  if (!corpus) BW_SKIP_OR_FAIL(why);
  testing::TempDir tmp;
  // Every layer of debian-app, unpacked in order (only the changelogs).
  std::string script = "set -e; cd '" + tmp.str() + "'; mkdir root; for l in $(tar tf '" +
                       (*corpus / "debian-app.docker.tar").string() +
                       "' | grep '/layer.tar$'); do tar xOf '" +
                       (*corpus / "debian-app.docker.tar").string() +
                       "' \"$l\" | tar x -C root --wildcards 'usr/share/doc/*/changelog.Debian.gz' "
                       "2>/dev/null || true; done";
  ASSERT_EQ(testing::run_command(script), 0);
  std::vector<std::string> files;
  for (const auto& d : std::filesystem::directory_iterator(tmp.path() / "root/usr/share/doc")) {
    auto f = d.path() / "changelog.Debian.gz";
    if (std::filesystem::is_regular_file(std::filesystem::symlink_status(f))) {
      files.push_back(f.string());
    }
  }
  ASSERT_GT(files.size(), 100U);
  size_t cves = 0;
  expect_same(files, &cves);
  EXPECT_GT(cves, 300U);
}

// --- The dpkg cataloger on real images.

std::map<std::string, const core::Package*> by_name(const std::vector<core::Package>& pkgs) {
  std::map<std::string, const core::Package*> m;
  for (const auto& p : pkgs)
    if (p.ecosystem == "deb") m[p.name] = &p;
  return m;
}

std::vector<core::Package> scan(const std::string& target) {
  auto img = image::open_image(target, {});
  EXPECT_TRUE(img.ok()) << target;
  if (!img.ok()) return {};
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  EXPECT_TRUE(layers.ok());
  if (!layers.ok()) return {};
  return build_sbom(*img, *layers, catalogers).packages;
}

const core::ChangelogCve* find(const core::Package& p, std::string_view cve) {
  for (const auto& c : p.changelog_cves)
    if (c.cve == cve) return &c;
  return nullptr;
}

TEST(DpkgChangelogCves, CurlAndOpensslInTheCorpusCarryTheCvesTheirChangelogsFixed) {
  std::string why;
  auto corpus = testing::corpus_dir(&why);
  if (!corpus) BW_SKIP_OR_FAIL(why);
  auto pkgs = scan((*corpus / "debian-app.docker.tar").string());
  auto m = by_name(pkgs);
  for (const auto* name : {"curl", "libcurl4", "openssl", "libssl3"}) {
    ASSERT_TRUE(m.count(name)) << name;
    EXPECT_GT(m[name]->changelog_cves.size(), 5U) << name;
    EXPECT_TRUE(std::is_sorted(m[name]->changelog_cves.begin(), m[name]->changelog_cves.end(),
                               [](const auto& a, const auto& b) { return a.cve < b.cve; }))
        << name;
  }
  // Read from the real changelogs (zcat usr/share/doc/curl/changelog.Debian.gz).
  const auto* c = find(*m["curl"], "CVE-2024-11053");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->version, "7.88.1-10+deb12u10");
  EXPECT_EQ(c->line, "* Import patch for CVE-2024-11053");
  c = find(*m["libcurl4"], "CVE-2025-0167");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->version, "7.88.1-10+deb12u11");
  for (const auto* name : {"openssl", "libssl3"}) {
    ASSERT_NE(find(*m[name], "CVE-2024-5535"), nullptr) << name;
    c = find(*m[name], "CVE-2024-0727");
    ASSERT_NE(c, nullptr) << name;
    EXPECT_EQ(c->version, "3.0.13-1~deb12u1");
    EXPECT_EQ(c->line, "- CVE-2024-0727 (PKCS12 Decoding crashes) (Closes: #1061582).");
  }
  // Every kept entry is at or below the installed version.
  for (const auto& [name, p] : m) {
    for (const auto& cc : p->changelog_cves) {
      auto cmp = version::compare("deb", cc.version,
                                  p->source_version.empty() ? p->version : p->source_version);
      ASSERT_TRUE(cmp.ok());
      EXPECT_LE(*cmp, 0) << name << " " << cc.cve << " " << cc.version;
    }
  }
}

TEST(DpkgChangelogCves, FollowsADocDirectorySymlinkAndDropsEntriesNewerThanInstalled) {
  testing::TempDir tmp;
  auto root = tmp.path();
  std::filesystem::create_directories(root / "var/lib/dpkg");
  testing::write_file(root / "var/lib/dpkg/status",
                      "Package: libfoo1\nStatus: install ok installed\nVersion: 1.2-3\n"
                      "Source: foo\nArchitecture: amd64\n\n"
                      "Package: foo-bin\nStatus: install ok installed\nVersion: 1.2-3\n"
                      "Source: foo\nArchitecture: amd64\n");
  std::filesystem::create_directories(root / "usr/share/doc/foo-bin");
  std::filesystem::create_symlink("foo-bin", root / "usr/share/doc/libfoo1");
  testing::write_file(root / "usr/share/doc/foo-bin/changelog.Debian",
                      "foo (1.2-4) unstable; urgency=high\n\n  * Fix CVE-2024-0002.\n\n"
                      " -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n\n"
                      "foo (1.2-3) unstable; urgency=high\n\n  * Fix CVE-2024-0001.\n\n"
                      " -- A <a@b.c>  Mon, 01 Jan 2024 00:00:00 +0000\n");
  ASSERT_EQ(testing::run_command("gzip -9n '" +
                                 (root / "usr/share/doc/foo-bin/changelog.Debian").string() + "'"),
            0);
  auto pkgs = scan(tmp.str());
  auto m = by_name(pkgs);
  for (const auto* name : {"libfoo1", "foo-bin"}) {
    ASSERT_TRUE(m.count(name)) << name;
    ASSERT_EQ(m[name]->changelog_cves.size(), 1U) << name;
    EXPECT_EQ(m[name]->changelog_cves[0].cve, "CVE-2024-0001");
    EXPECT_EQ(m[name]->changelog_cves[0].version, "1.2-3");
    EXPECT_EQ(m[name]->changelog_cves[0].line, "* Fix CVE-2024-0001.");
  }
}

}  // namespace
}  // namespace bulwark::catalog
