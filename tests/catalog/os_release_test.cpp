// OS detection: the release-file parsers on the real files of each distribution
// (tests/fixtures/os_release/), the detection order, and the cataloger's capture step.
#include "catalog/os_release.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "image/merged_fs.hpp"

namespace bulwark::catalog {
namespace {

using core::OsInfo;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/tests/fixtures/os_release/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << name;
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

OsInfo os(std::string id, std::string version_id, std::string codename, std::string pretty_name,
          std::string id_like = "", std::string evidence_path = "") {
  return OsInfo{std::move(id),          std::move(version_id), std::move(codename),
                std::move(pretty_name), std::move(id_like),    std::move(evidence_path)};
}

// ---- os-release(5) ----

struct OsReleaseCase {
  const char* file;
  OsInfo want;
};

TEST(OsRelease, ReadsTheOsReleaseOfEachDistribution) {
  const OsReleaseCase cases[] = {
      {"debian-12.os-release", os("debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)")},
      {"ubuntu-22.04.os-release", os("ubuntu", "22.04", "jammy", "Ubuntu 22.04.3 LTS", "debian")},
      {"alpine-3.19.os-release", os("alpine", "3.19.1", "", "Alpine Linux v3.19")},
      {"rhel-9.os-release", os("rhel", "9.3", "", "Red Hat Enterprise Linux 9.3 (Plow)", "fedora")},
      {"centos-7.os-release", os("centos", "7", "", "CentOS Linux 7 (Core)", "rhel fedora")},
      {"fedora-39.os-release", os("fedora", "39", "", "Fedora Linux 39 (Container Image)")},
      {"amzn-2.os-release", os("amzn", "2", "", "Amazon Linux 2", "centos rhel fedora")},
      {"distroless-debian12.os-release", os("debian", "12", "bookworm", "Distroless")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    EXPECT_EQ(os_from_os_release(fixture(c.file)), c.want);
  }
}

TEST(OsRelease, UndoesShellQuotingAndEscapes) {
  auto f = parse_os_release(
      "A=\"say \\\"hi\\\" to \\$HOME \\\\ \\`x\\`\"\n"
      "B='single \\n kept'\n"
      "C=unquoted\\ with\\ escaped\\ spaces\n"
      "D=\"keeps \\n unknown escapes\"\n"
      "E=\"concat\"'enated'\n"
      "F=value # trailing comment\n"
      "G=\n"
      "H=\"\"\n");
  EXPECT_EQ(f["A"], "say \"hi\" to $HOME \\ `x`");
  EXPECT_EQ(f["B"], "single \\n kept");
  EXPECT_EQ(f["C"], "unquoted with escaped spaces");
  EXPECT_EQ(f["D"], "keeps \\n unknown escapes");
  EXPECT_EQ(f["E"], "concatenated");
  EXPECT_EQ(f["F"], "value");
  EXPECT_EQ(f["G"], "");
  EXPECT_EQ(f["H"], "");
}

TEST(OsRelease, SkipsMalformedLinesAndKeepsTheRest) {
  auto f = parse_os_release(
      "# a comment\n"
      "   \n"
      "no equals sign here\n"
      "=no key\n"
      "1ID=starts with a digit\n"
      "ID = spaced\n"
      "I-D=dash\n"
      "\tID=debian\r\n"
      "VERSION_ID=\"12\r\n"  // unterminated quote: the rest of the line
      "ID=ubuntu\n"          // later assignments win, as in a shell
      "\x01\xff=binary\n"
      "PRETTY_NAME=\"last line without newline\"");
  EXPECT_EQ(f.size(), 3u);
  EXPECT_EQ(f["ID"], "ubuntu");
  EXPECT_EQ(f["VERSION_ID"], "12");
  EXPECT_EQ(f["PRETTY_NAME"], "last line without newline");
}

TEST(OsRelease, EmptyOrGarbageGivesNoOs) {
  EXPECT_TRUE(os_from_os_release("").empty());
  EXPECT_TRUE(os_from_os_release("\x7f"
                                 "ELF\x02\x01\x01")
                  .empty());
  EXPECT_TRUE(os_from_os_release("NAME=\"Linux\"\n").empty());
}

TEST(OsRelease, LowercasesIdAndFindsOldDebianCodenames) {
  EXPECT_EQ(os_from_os_release("ID=Debian\nVERSION_ID=\"8\"\nVERSION=\"8 (jessie)\"\n").codename,
            "jessie");
  EXPECT_EQ(os_from_os_release("ID=Debian\n").id, "debian");
  EXPECT_EQ(os_from_os_release("ID=ubuntu\nUBUNTU_CODENAME=focal\n").codename, "focal");
}

// ---- other release files ----

TEST(LsbRelease, ReadsUbuntu) {
  EXPECT_EQ(os_from_lsb_release(fixture("ubuntu-22.04.lsb-release")),
            os("ubuntu", "22.04", "jammy", "Ubuntu 22.04.3 LTS"));
}

TEST(DebianVersion, MapsPointReleasesToMajorAndCodename) {
  EXPECT_EQ(os_from_debian_version(fixture("debian-12.debian_version")),
            os("debian", "12", "bookworm", "Debian GNU/Linux 12.4 (bookworm)"));
  EXPECT_EQ(os_from_debian_version("11.8\n").codename, "bullseye");
  EXPECT_EQ(os_from_debian_version("10.13").codename, "buster");
  EXPECT_EQ(os_from_debian_version("9.13\n").codename, "stretch");
  EXPECT_EQ(os_from_debian_version("13.0\n").codename, "trixie");
  // A future release still gets its number, just no codename.
  EXPECT_EQ(os_from_debian_version("16.1\n"), os("debian", "16", "", "Debian GNU/Linux 16.1"));
}

TEST(DebianVersion, TestingAndUnstableHaveOnlyACodename) {
  EXPECT_EQ(os_from_debian_version("trixie/sid\n"),
            os("debian", "", "trixie", "Debian GNU/Linux trixie/sid"));
}

TEST(DebianVersion, RejectsGarbage) {
  EXPECT_TRUE(os_from_debian_version("").empty());
  EXPECT_TRUE(os_from_debian_version("\n\n").empty());
  EXPECT_TRUE(os_from_debian_version("12a.4").empty());
  EXPECT_TRUE(os_from_debian_version("Hello World").empty());
}

TEST(DebianCodename, KnowsTheReleases) {
  EXPECT_EQ(debian_codename("12"), "bookworm");
  EXPECT_EQ(debian_codename("7"), "wheezy");
  EXPECT_EQ(debian_codename("12.4"), "");
  EXPECT_EQ(debian_codename(""), "");
}

TEST(AlpineRelease, ReadsVersion) {
  EXPECT_EQ(os_from_alpine_release(fixture("alpine-3.19.alpine-release")),
            os("alpine", "3.19.1", "", "Alpine Linux v3.19"));
  EXPECT_EQ(os_from_alpine_release("3.20.0_alpha20231219\n").pretty_name, "Alpine Linux v3.20");
  EXPECT_EQ(os_from_alpine_release("3\n").pretty_name, "Alpine Linux v3");
  EXPECT_TRUE(os_from_alpine_release("edge\n").empty());
  EXPECT_TRUE(os_from_alpine_release("3.19 1\n").empty());
  EXPECT_TRUE(os_from_alpine_release("").empty());
}

TEST(RedhatRelease, ReadsEachFamilyMember) {
  EXPECT_EQ(os_from_redhat_release(fixture("centos-7.centos-release")),
            os("centos", "7.9.2009", "Core", "CentOS Linux release 7.9.2009 (Core)"));
  EXPECT_EQ(os_from_redhat_release(fixture("centos-6.centos-release")),
            os("centos", "6.10", "Final", "CentOS release 6.10 (Final)"));
  EXPECT_EQ(os_from_redhat_release(fixture("rhel-9.redhat-release")),
            os("rhel", "9.3", "Plow", "Red Hat Enterprise Linux release 9.3 (Plow)"));
  EXPECT_EQ(os_from_redhat_release(fixture("rhel-7.redhat-release")).id, "rhel");
  EXPECT_EQ(os_from_redhat_release(fixture("fedora-39.fedora-release")),
            os("fedora", "39", "Thirty Nine", "Fedora release 39 (Thirty Nine)"));
  EXPECT_EQ(os_from_redhat_release(fixture("amzn-2.system-release")),
            os("amzn", "2", "Karoo", "Amazon Linux release 2 (Karoo)"));
  EXPECT_EQ(os_from_redhat_release(fixture("rocky-9.redhat-release")).id, "rocky");
  EXPECT_EQ(os_from_redhat_release("CentOS Stream release 9\n"),
            os("centos", "9", "", "CentOS Stream release 9"));
}

TEST(RedhatRelease, UnknownOrMalformedGivesNoOs) {
  EXPECT_TRUE(os_from_redhat_release("Acme OS release 1 (Road)\n").empty());
  EXPECT_TRUE(os_from_redhat_release("CentOS Linux 7\n").empty());
  EXPECT_TRUE(os_from_redhat_release("").empty());
  EXPECT_EQ(os_from_redhat_release("Fedora release 39 (unterminated\n").codename, "");
}

// ---- detection order ----

struct Files {
  std::map<std::string, std::string, std::less<>> files;
  CapturedLookup lookup() const {
    return [this](std::string_view path) -> const std::string* {
      auto it = files.find(path);
      return it == files.end() ? nullptr : &it->second;
    };
  }
};

TEST(DetectOs, PrefersEtcOsReleaseOverUsrLib) {
  Files f{{{"etc/os-release", fixture("debian-12.os-release")},
           {"usr/lib/os-release", fixture("ubuntu-22.04.os-release")}}};
  auto got = detect_os(f.lookup(), false);
  EXPECT_EQ(got.id, "debian");
  EXPECT_EQ(got.evidence_path, "etc/os-release");
}

TEST(DetectOs, FallsBackToUsrLibOsRelease) {
  Files f{{{"usr/lib/os-release", fixture("fedora-39.os-release")},
           {"etc/fedora-release", fixture("fedora-39.fedora-release")}}};
  auto got = detect_os(f.lookup(), false);
  EXPECT_EQ(got,
            os("fedora", "39", "", "Fedora Linux 39 (Container Image)", "", "usr/lib/os-release"));
}

TEST(DetectOs, OsReleaseBeatsDebianVersion) {
  Files f{{{"etc/os-release", fixture("ubuntu-22.04.os-release")},
           {"etc/debian_version", fixture("ubuntu-22.04.debian_version")}}};
  EXPECT_EQ(detect_os(f.lookup(), false).id, "ubuntu");
}

TEST(DetectOs, LsbReleaseBeatsDebianVersionOnUbuntu) {
  // Ubuntu's debian_version names the Debian release it branched from.
  Files f{{{"etc/lsb-release", fixture("ubuntu-22.04.lsb-release")},
           {"etc/debian_version", fixture("ubuntu-22.04.debian_version")}}};
  auto got = detect_os(f.lookup(), false);
  EXPECT_EQ(got.id, "ubuntu");
  EXPECT_EQ(got.evidence_path, "etc/lsb-release");
}

TEST(DetectOs, FallsBackToDebianVersion) {
  Files f{{{"etc/debian_version", "12.4\n"}}};
  EXPECT_EQ(
      detect_os(f.lookup(), false),
      os("debian", "12", "bookworm", "Debian GNU/Linux 12.4 (bookworm)", "", "etc/debian_version"));
}

TEST(DetectOs, OsReleaseWithoutIdFallsThrough) {
  Files f{{{"etc/os-release", "PRETTY_NAME=\"Custom\"\n"}, {"etc/alpine-release", "3.19.1\n"}}};
  auto got = detect_os(f.lookup(), false);
  EXPECT_EQ(got.id, "alpine");
  EXPECT_EQ(got.evidence_path, "etc/alpine-release");
}

TEST(DetectOs, OsReleaseWithoutIdAndNothingElseKeepsTheName) {
  Files f{{{"etc/os-release", "PRETTY_NAME=\"Custom\"\n"}}};
  auto got = detect_os(f.lookup(), false);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(got.pretty_name, "Custom");
}

TEST(DetectOs, FallsBackToTheRedhatFamilyFiles) {
  Files centos6{{{"etc/centos-release", fixture("centos-6.centos-release")},
                 {"etc/redhat-release", fixture("centos-6.centos-release")}}};
  auto got = detect_os(centos6.lookup(), false);
  EXPECT_EQ(got.id, "centos");
  EXPECT_EQ(got.evidence_path, "etc/centos-release");

  Files rhel7{{{"etc/redhat-release", fixture("rhel-7.redhat-release")}}};
  EXPECT_EQ(detect_os(rhel7.lookup(), false).version_id, "7.9");

  Files amzn{{{"etc/system-release", fixture("amzn-2.system-release")}}};
  EXPECT_EQ(detect_os(amzn.lookup(), false).id, "amzn");
}

TEST(DetectOs, DistrolessWithOsReleaseIsDebian) {
  Files f{{{"etc/os-release", fixture("distroless-debian12.os-release")}}};
  auto got = detect_os(f.lookup(), true);
  EXPECT_EQ(got.id, "debian");
  EXPECT_EQ(got.version_id, "12");
  EXPECT_EQ(got.pretty_name, "Distroless");
}

TEST(DetectOs, DistrolessWithoutReleaseFilesIsDebian) {
  Files none;
  EXPECT_EQ(detect_os(none.lookup(), true),
            os("debian", "", "", "Distroless", "", "var/lib/dpkg/status.d/"));
  Files version{{{"etc/debian_version", "12.4\n"}}};
  auto got = detect_os(version.lookup(), true);
  EXPECT_EQ(got.id, "debian");
  EXPECT_EQ(got.version_id, "12");
  EXPECT_EQ(got.codename, "bookworm");
}

TEST(DetectOs, NothingFoundIsEmpty) {
  Files none;
  EXPECT_TRUE(detect_os(none.lookup(), false).empty());
}

// ---- the cataloger ----

image::Entry file_entry(std::string path, uint64_t size) {
  image::Entry e;
  e.path = std::move(path);
  e.size = size;
  return e;
}

TEST(OsReleaseCataloger, CapturesReleaseFilesVerbatim) {
  OsReleaseCataloger c;
  EXPECT_EQ(c.name(), "os-release");
  const std::string text = fixture("alpine-3.19.os-release");
  image::StringContent content(text);
  image::LayerFacts out;
  ASSERT_TRUE(c.analyze(file_entry("etc/os-release", text.size()), content, out).ok());
  EXPECT_EQ(out.captured.at("etc/os-release"), text);
  EXPECT_TRUE(out.warnings.empty());
  EXPECT_TRUE(out.packages_by_path.empty());
}

TEST(OsReleaseCataloger, SkipsOversizedFilesWithAWarning) {
  OsReleaseCataloger c;
  const std::string big(kMaxOsReleaseFileBytes + 1, 'x');
  image::LayerFacts out;
  image::StringContent by_header(big);
  ASSERT_TRUE(c.analyze(file_entry("etc/os-release", big.size()), by_header, out).ok());
  // A header that understates the size is caught by the bounded read.
  image::StringContent lying(big);
  ASSERT_TRUE(c.analyze(file_entry("etc/debian_version", 10), lying, out).ok());
  EXPECT_TRUE(out.captured.empty());
  ASSERT_EQ(out.warnings.size(), 2u);
  EXPECT_EQ(out.warnings[0].rfind("etc/os-release: ", 0), 0u);
  EXPECT_EQ(out.warnings[1].rfind("etc/debian_version: ", 0), 0u);
}

TEST(OsReleaseCataloger, AsksForEveryReleaseFile) {
  std::set<std::string> exact;
  for (const auto& p : OsReleaseCataloger().patterns()) {
    EXPECT_EQ(p.kind, image::PathPattern::Kind::kExact) << p.text;
    exact.insert(p.text);
  }
  for (const char* path : {"etc/os-release", "usr/lib/os-release", "etc/debian_version",
                           "etc/alpine-release", "etc/redhat-release", "etc/centos-release",
                           "etc/fedora-release", "etc/system-release", "etc/lsb-release"}) {
    EXPECT_EQ(exact.count(path), 1u) << path;
  }
}

// ---- over a merged image ----

image::Entry entry(std::string path, image::EntryType type, std::string link_target = "") {
  image::Entry e;
  e.path = std::move(path);
  e.type = type;
  e.link_target = std::move(link_target);
  return e;
}

TEST(DetectOsOverMergedImage, FollowsTheEtcOsReleaseSymlink) {
  using image::EntryType;
  std::vector<image::LayerResult> layers(2);
  layers[0].layer = 0;
  layers[0].files.entries = {entry("etc", EntryType::kDir), entry("usr", EntryType::kDir),
                             entry("usr/lib", EntryType::kDir),
                             entry("usr/lib/os-release", EntryType::kFile),
                             entry("etc/os-release", EntryType::kSymlink, "../usr/lib/os-release")};
  layers[0].facts.captured["usr/lib/os-release"] = fixture("debian-12.os-release");
  // A later layer upgrades the release file; the symlink still points at it.
  layers[1].layer = 1;
  layers[1].files.entries = {entry("usr/lib/os-release", EntryType::kFile)};
  layers[1].facts.captured["usr/lib/os-release"] = fixture("distroless-debian12.os-release");
  auto fs = image::MergedFs::build(layers);
  MergeContext ctx(fs, layers);
  auto got = detect_os(ctx);
  EXPECT_EQ(got.id, "debian");
  EXPECT_EQ(got.pretty_name, "Distroless");
  EXPECT_EQ(got.evidence_path, "etc/os-release");
}

TEST(DetectOsOverMergedImage, SeesTheDistrolessMarker) {
  using image::EntryType;
  std::vector<image::LayerResult> layers(1);
  layers[0].files.entries = {entry("var", EntryType::kDir), entry("var/lib", EntryType::kDir),
                             entry("var/lib/dpkg", EntryType::kDir),
                             entry("var/lib/dpkg/status.d", EntryType::kDir),
                             entry("var/lib/dpkg/status.d/libc6", EntryType::kFile)};
  auto fs = image::MergedFs::build(layers);
  MergeContext ctx(fs, layers);
  EXPECT_EQ(detect_os(ctx).id, "debian");

  // A directory merely named like the marker's parent is not the marker.
  std::vector<image::LayerResult> other(1);
  other[0].files.entries = {entry("var/lib/dpkg/status.dx", EntryType::kFile)};
  auto fs2 = image::MergedFs::build(other);
  MergeContext ctx2(fs2, other);
  EXPECT_TRUE(detect_os(ctx2).empty());
}

}  // namespace
}  // namespace bulwark::catalog
