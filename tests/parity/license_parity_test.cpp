// Differential test of the license scanner against Trivy's (`trivy image --scanners license`)
// on the corpus images (Debian copyright files, pip metadata, the RPM License tag). Trivy's
// classification follows Google's license categories, as ours does, so every (package, license)
// Trivy puts in a category must be in the same category in bulwark's report. Licenses are compared
// by family: the license id without -only/-or-later/'+' and without an exception ("GPL-2+ with
// Autoconf exception" and Trivy's "GPL-2.0-with-autoconf-exception" are both gpl-2.0), then, where
// Trivy names a version the declaration does not ("GPL" in a Debian copyright file whose text
// points at GPL-3), by name alone. What Trivy reports that no License: line of the package declares
// is counted, not failed: Trivy also reads license texts out of the copyright file's prose.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "support/test_env.hpp"
#include "trivy_peer.hpp"

namespace bulwark {
namespace {

using json = nlohmann::json;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// "GPL-2.0-or-later WITH Libtool-exception" -> "gpl-2.0"; "GPL-2+" -> "gpl-2.0".
std::string family(const std::string& license) {
  static const std::regex kWith("[ -]with[ -]", std::regex::icase);
  std::smatch m;
  std::string s = license;
  if (std::regex_search(s, m, kWith)) s = m.prefix().str();
  s = lower(s);
  std::replace(s.begin(), s.end(), ' ', '-');  // PyPI's "Apache 2.0"
  for (std::string suffix : {"-only", "-or-later", "+"}) {
    if (s.size() > suffix.size() && s.ends_with(suffix)) s.resize(s.size() - suffix.size());
  }
  static const std::regex kMajorOnly(".*-[0-9]+");
  if (std::regex_match(s, kMajorOnly)) s += ".0";
  return s;
}

// "gpl-3.0" -> "gpl": the license's name without its version.
std::string name_only(const std::string& fam) {
  static const std::regex kVersion("-v?[0-9]+(\\.[0-9]+)*$");
  return std::regex_replace(fam, kVersion, "");
}

// Package names as both tools can agree on them: PyPI names compare case-insensitively and
// with '_' and '.' as '-' (PEP 503); Trivy keeps the metadata's spelling ("Jinja2").
std::string package_key(const std::string& name) {
  std::string s = lower(name);
  std::replace(s.begin(), s.end(), '_', '-');
  std::replace(s.begin(), s.end(), '.', '-');
  return s;
}

struct Ours {
  std::string family;
  std::string category;
  std::string id;
};

class LicenseParity : public ::testing::TestWithParam<std::string> {};

TEST_P(LicenseParity, EveryCategoryTrivyAssignsIsBulwarksToo) {
  BW_REQUIRE_SHARED(shared);
  std::string why;
  auto corpus = testing::corpus_dir(&why);
  if (!corpus) BW_SKIP_OR_FAIL(why);
  auto tool = testing::install_trivy(shared, &why);
  if (!tool) BW_SKIP_OR_FAIL(why);
  const std::string image = (*corpus / (GetParam() + ".docker.tar")).string();

  testing::TempDir tmp;
  const std::string trivy_out = tmp.str() + "/trivy.json";
  ASSERT_EQ(testing::run_command("'" + *tool + "' image --quiet --input '" + image +
                                 "' --scanners license --format json --output '" + trivy_out + "'"),
            0)
      << "Trivy failed on " << image;
  std::string mine;
  ASSERT_EQ(testing::run_command("'" + testing::bulwark_binary() + "' -q scan --no-cache '" +
                                     image + "' --scanners license --license-all -f json",
                                 &mine),
            0);

  std::map<std::string, std::vector<Ours>> ours;  // by package_key()
  const auto report = json::parse(mine);
  for (const auto& f : report["findings"]) {
    if (f["kind"] != "license") continue;
    const auto& l = f["license"];
    std::string id = f["id"];
    // A name has a LicenseRef id; its family comes from the declared text.
    std::string base = id.starts_with("LicenseRef-") ? l["declared"].get<std::string>() : id;
    ours[package_key(l["package_name"])].push_back({family(base), l["category"], id});
  }
  ASSERT_FALSE(ours.empty());

  int total = 0, trivy_unknown = 0, agree = 0, agree_by_name = 0, undeclared = 0;
  int we_classify_trivy_unknown = 0;
  std::vector<std::string> disagreements;
  auto theirs = json::parse(testing::read_file(trivy_out));
  for (const auto& result : theirs["Results"]) {
    const std::string target = result.value("Target", "");
    if (!result.contains("Licenses") || !result["Licenses"].is_array()) continue;
    for (const auto& l : result["Licenses"]) {
      ++total;
      const std::string pkg = l.value("PkgName", "");
      const std::string name = l.value("Name", "");
      const std::string cat = l.value("Category", "");
      const auto& candidates = ours[package_key(pkg)];
      const std::string fam = family(name);
      if (cat == "unknown") {
        ++trivy_unknown;
        for (const auto& o : candidates)
          if (o.family == fam && o.category != "unknown") {
            ++we_classify_trivy_unknown;
            break;
          }
        continue;
      }
      bool exact = false, exact_agrees = false;
      for (const auto& o : candidates) {
        if (o.family != fam) continue;
        exact = true;
        if (o.category == cat) exact_agrees = true;
      }
      if (exact) {
        if (exact_agrees) {
          ++agree;
        } else {
          disagreements.push_back(target + "/" + pkg + " " + name + ": trivy " + cat);
        }
        continue;
      }
      bool by_name = false, by_name_agrees = false;
      for (const auto& o : candidates) {
        if (name_only(o.family) != name_only(fam)) continue;
        by_name = true;
        if (o.category == cat) by_name_agrees = true;
      }
      if (by_name) {
        if (by_name_agrees) {
          ++agree_by_name;
        } else {
          disagreements.push_back(target + "/" + pkg + " " + name + " (by name): trivy " + cat);
        }
        continue;
      }
      ++undeclared;
    }
  }
  std::cout << "[ parity ] licenses on " << GetParam() << ": trivy " << total
            << " (package, license), " << trivy_unknown << " unknown to trivy (bulwark classifies "
            << we_classify_trivy_unknown << " of them); of the categorised: " << agree
            << " agree by license family, " << agree_by_name << " by license name, "
            << disagreements.size() << " disagree, " << undeclared
            << " not declared in the package's License: lines\n";
  EXPECT_GE(agree + agree_by_name, (total - trivy_unknown) * 9 / 10)
      << "too few licenses compared: the comparison itself is broken";
  EXPECT_GT(agree, 0);
  EXPECT_TRUE(disagreements.empty())
      << disagreements.size() << " disagreements, e.g. " << disagreements.front();
  // Trivy reads more than the License: lines, but not much more.
  EXPECT_LE(undeclared, total / 10);
}

// debian-app: Debian copyright files and an npm app; python-site: pip-installed packages;
// rpm-db: the RPM License tag.
INSTANTIATE_TEST_SUITE_P(Corpus, LicenseParity,
                         ::testing::Values("debian-app", "python-site", "rpm-db"));

}  // namespace
}  // namespace bulwark
