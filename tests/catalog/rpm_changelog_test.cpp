// RPM %changelog as fix evidence: real packages built with rpmbuild from specs whose changelogs
// name CVEs, installed into an rpmdb.sqlite with rpm; what the header reader finds per entry
// must equal what `rpm -q --changelog` prints, and the cataloger keeps entries up to the
// installed version.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "catalog/rpm.hpp"
#include "catalog/rpm_db_sqlite.hpp"
#include "catalog/rpm_header.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using testing::run_command;

// Dates are real weekdays (rpmbuild checks them) and descend, as rpm requires.
constexpr std::string_view kSpecs[] = {
    R"(Name: bw-cl-one
Version: 1.2
Release: 3
Summary: one
License: MIT
BuildArch: noarch
%description
one
%files
%changelog
* Tue Jan 16 2024 Jane Packager <jane@example.org> - 1.2-4
- Fix CVE-2024-9999 in a release newer than the one installed
* Mon Jan 15 2024 Jane Packager <jane@example.org> - 1.2-3
- Fix CVE-2024-1111 (heap overflow)
- Backport the complete fix for CVE-2023-2222 and cve-2023-3333
  (see CVE-2024-1111 again)
* Tue Jan 02 2024 Jane Packager <jane@example.org> - 1.2-2
- Fix CVE-2023-2222 (first attempt)
* Mon Jan 01 2024 Jane Packager <jane@example.org> 1.2-1
- Initial package; CVE-99-1 and XCVE-2020-12345 are not ids
* Sun Dec 31 2023 Nobody Without Version <n@example.org>
- Mentions CVE-2022-4444 without a version
)",
    R"(Name: bw-cl-two
Epoch: 1
Version: 3.0.7
Release: 27.bw1
Summary: two
License: Apache-2.0
BuildArch: noarch
%description
two
%files
%changelog
* Wed Feb 01 2023 Sam Maintainer <sam@example.org> - 1:3.0.7-27
- Resolves: CVE-2023-0286, CVE-2023-0215
* Tue Jan 31 2023 Sam Maintainer <sam@example.org> - 1:3.0.7-26
- Resolves: CVE-2022-4304
)",
};

struct Built {
  std::unique_ptr<testing::TempDir> dir;
  fs::path root;
  std::string error;
};

const Built& built() {
  static const Built kBuilt = [] {
    Built b;
    b.dir = std::make_unique<testing::TempDir>();
    const fs::path d = b.dir->path();
    for (size_t i = 0; i < std::size(kSpecs); ++i) {
      fs::path spec = d / ("cl" + std::to_string(i) + ".spec");
      testing::write_file(spec, kSpecs[i]);
      std::string out;
      if (run_command("rpmbuild -bb --quiet --define '_topdir " + (d / "top").string() +
                          "' --define '__os_install_post %{nil}' '" + spec.string() + "' 2>&1",
                      &out) != 0) {
        b.error = "rpmbuild failed: " + out;
        return b;
      }
    }
    b.root = d / "root";
    fs::create_directories(b.root);
    std::string out;
    if (run_command("rpm --root '" + b.root.string() +
                        "' --dbpath /var/lib/rpm --define '_db_backend sqlite' -i --nodeps "
                        "--noscripts --force-debian $(find '" +
                        (d / "top/RPMS").string() + "' -name '*.rpm') 2>&1",
                    &out) != 0) {
      b.error = "rpm -i failed: " + out;
    }
    return b;
  }();
  return kBuilt;
}

#define BW_REQUIRE_BUILT(var)                  \
  BW_REQUIRE_COMMAND("rpmbuild");              \
  BW_REQUIRE_COMMAND("rpm");                   \
  const Built& var = built();                  \
  ASSERT_TRUE(var.error.empty()) << var.error; \
  (void)0

// One entry as "version: CVE CVE ...", newest first.
using Entries = std::vector<std::string>;

// From `rpm -q --changelog`, with regexes of its own (not find_cve_ids/rpm_changelog_version).
Entries rpm_changelog(const fs::path& root, const std::string& name) {
  std::string out;
  EXPECT_EQ(
      run_command("rpm --root '" + root.string() +
                      "' --dbpath /var/lib/rpm --define '_db_backend sqlite' -q --changelog '" +
                      name + "'",
                  &out),
      0);
  static const std::regex kHeader(R"(^\* \w{3} \w{3} +\d+ \d{4} (.*)$)");
  static const std::regex kVersion(R"(>\s*(?:-\s*)?(\d[A-Za-z0-9._+~^:-]*))");
  static const std::regex kCve(R"((^|[^A-Za-z0-9_])[Cc][Vv][Ee]-(\d{4}-\d{4,12})(?!\d))");
  Entries entries;
  std::vector<std::string> ids;
  std::istringstream in(out);
  std::string line;
  auto flush = [&] {
    if (entries.empty()) return;
    for (const auto& id : ids) entries.back() += " " + id;
    ids.clear();
  };
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, kHeader)) {
      flush();
      std::string name_line = m[1];
      std::smatch v;
      entries.push_back(
          (std::regex_search(name_line, v, kVersion) ? std::string(v[1]) : std::string()) + ":");
      continue;
    }
    for (std::sregex_iterator it(line.begin(), line.end(), kCve), end; it != end; ++it) {
      std::string id = "CVE-" + (*it)[2].str();
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
  }
  flush();
  return entries;
}

// The header reader's mentions, regrouped by entry (consecutive records of one version).
std::map<std::string, RpmHeader> headers(const fs::path& root) {
  std::map<std::string, RpmHeader> out;
  auto db = testing::read_file(root / "var/lib/rpm/rpmdb.sqlite");
  auto r = read_rpm_sqlite(db, [&](uint32_t, std::string_view blob) -> core::Result<void> {
    auto h = parse_rpm_header(blob);
    EXPECT_TRUE(h.ok());
    if (h.ok()) out[h->name] = std::move(*h);
    return core::ok();
  });
  EXPECT_TRUE(r.ok());
  return out;
}

TEST(RpmChangelog, EveryEntrysCvesEqualRpmQueryChangelog) {
  BW_REQUIRE_BUILT(b);
  auto hs = headers(b.root);
  for (const auto* name : {"bw-cl-one", "bw-cl-two"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(hs.count(name));
    const RpmHeader& h = hs[name];
    EXPECT_TRUE(h.changelog_problem.empty()) << h.changelog_problem;
    Entries expected = rpm_changelog(b.root, name);
    ASSERT_FALSE(expected.empty());
    // Ours, grouped the same way: entries without CVEs are absent from the mentions, so compare
    // only the entries that name some.
    Entries ours;
    std::string last_version = "\x01";
    for (const auto& c : h.changelog_cves) {
      if (ours.empty() || c.version != last_version) ours.push_back(c.version + ":");
      last_version = c.version;
      ours.back() += " " + c.cve;
    }
    std::erase_if(expected, [](const std::string& e) { return e.back() == ':'; });
    EXPECT_GE(ours.size(), 2U);
    EXPECT_EQ(ours, expected);
  }
}

TEST(RpmChangelog, CatalogerKeepsEntriesUpToTheInstalledVersionAtTheirOldestMention) {
  BW_REQUIRE_BUILT(b);
  std::vector<std::string> warnings;
  auto pkgs = read_rpm_database("var/lib/rpm/rpmdb.sqlite",
                                testing::read_file(b.root / "var/lib/rpm/rpmdb.sqlite"), warnings);
  ASSERT_TRUE(pkgs.ok());
  EXPECT_TRUE(warnings.empty()) << warnings.front();
  std::map<std::string, std::vector<std::string>> got;
  for (const auto& p : *pkgs) {
    for (const auto& c : p.changelog_cves) got[p.name].push_back(c.cve + "@" + c.version);
  }
  // 1.2-4 is newer than 1.2-3: its CVE-2024-9999 is not evidence. CVE-2023-2222 was first
  // fixed in 1.2-2. The unversioned entry ships in the package, so it is kept.
  EXPECT_EQ(got["bw-cl-one"],
            (std::vector<std::string>{"CVE-2022-4444@", "CVE-2023-2222@1.2-2",
                                      "CVE-2023-3333@1.2-3", "CVE-2024-1111@1.2-3"}));
  // The changelog's "1:3.0.7-27" is older than the installed 1:3.0.7-27.bw1 (rpm order).
  EXPECT_EQ(got["bw-cl-two"],
            (std::vector<std::string>{"CVE-2022-4304@1:3.0.7-26", "CVE-2023-0215@1:3.0.7-27",
                                      "CVE-2023-0286@1:3.0.7-27"}));
  for (const auto& p : *pkgs) {
    if (p.name != "bw-cl-one") continue;
    for (const auto& c : p.changelog_cves) {
      if (c.cve == "CVE-2024-1111") {
        EXPECT_EQ(c.line, "- Fix CVE-2024-1111 (heap overflow)");
      }
    }
  }
}

TEST(RpmChangelog, VersionIsTheTokenAfterTheAddress) {
  EXPECT_EQ(rpm_changelog_version("Jane <j@x.org> - 1:2.3-4.el9"), "1:2.3-4.el9");
  EXPECT_EQ(rpm_changelog_version("Jane <j@x.org> 2.3-4"), "2.3-4");
  EXPECT_EQ(rpm_changelog_version("Jane <j@x.org> -2.3-4 rebuilt"), "2.3-4");
  EXPECT_EQ(rpm_changelog_version("Jane Doe - 0.9^git1-1"), "0.9^git1-1");
  EXPECT_EQ(rpm_changelog_version("Jane <j@x.org>"), "");
  EXPECT_EQ(rpm_changelog_version("Jane <j@x.org> - v2.3"), "");
  EXPECT_EQ(rpm_changelog_version("Jane <j@x.org> - 2.3(4)"), "");
}

}  // namespace
}  // namespace bulwark::catalog
