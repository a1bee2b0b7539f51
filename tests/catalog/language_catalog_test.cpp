// What every language cataloger relies on: selection by name and tag, one package per
// identity with all its locations, bad files inside an image as warnings naming layer, path
// and reason, and the corpus images (npm app layer, python site layer) cataloged completely.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>

#include "catalog/catalogers.hpp"
#include "core/limits.hpp"
#include "language_scan.hpp"
#include "npm_project.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

using testing::TarEntry;

std::vector<std::string> names(const std::vector<std::unique_ptr<Cataloger>>& list) {
  std::vector<std::string> out;
  for (const auto& c : list) out.emplace_back(c->name());
  return out;
}

TEST(CatalogerSelection, TagsAndNamesSelectAndOsDetectionAlwaysRuns) {
  auto os = select_catalogers("os");
  ASSERT_TRUE(os.ok());
  EXPECT_EQ(names(*os), (std::vector<std::string>{"os-release", "dpkg", "apk", "rpm"}));
  auto mixed = select_catalogers("python-installed, yarn");
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(names(*mixed),
            (std::vector<std::string>{"os-release", "yarn-lock", "python-installed"}));
  auto all = select_catalogers("");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(names(*all).size(), all_catalogers().size());
  auto lang = select_catalogers("language");
  ASSERT_TRUE(lang.ok());
  EXPECT_EQ(names(*lang).size() + 3, names(*all).size()) << "everything but dpkg, apk, rpm";
  auto installed = select_catalogers("installed");
  ASSERT_TRUE(installed.ok());
  auto installed_names = names(*installed);
  EXPECT_EQ(installed_names.front(), "os-release");
  for (const char* n : {"node-modules", "python-installed"}) {
    EXPECT_NE(std::find(installed_names.begin(), installed_names.end(), n), installed_names.end())
        << n;
  }
  for (const char* n : {"npm-lock", "yarn-lock", "pnpm-lock", "dpkg"}) {
    EXPECT_EQ(std::find(installed_names.begin(), installed_names.end(), n), installed_names.end())
        << n << " is not an installed-package cataloger";
  }
  auto unknown = select_catalogers("os,cobol");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message().find("unknown cataloger or tag: cobol (known: "),
            std::string::npos);
  EXPECT_EQ(unknown.error().message().find('\n'), std::string::npos);
}

TEST(PackageMerge, SameIdentityFromSeveralFilesBecomesOnePackageWithEveryLocation) {
  core::Package a;
  a.name = "lodash";
  a.version = "4.17.21";
  a.ecosystem = "npm";
  a.purl = "pkg:npm/lodash@4.17.21";
  a.locations = {{"b/package-lock.json", 1, "sha256:b"}};
  core::Package b = a;
  b.locations = {{"a/node_modules/lodash/package.json", 2, "sha256:c"}};
  b.licenses = {"MIT"};
  b.metadata = core::LanguageMetadata{true, false, "", ""};
  core::Package other = a;
  other.version = "4.17.20";
  core::Package deb = a;
  deb.ecosystem = "deb";
  deb.purl = "pkg:deb/debian/lodash@4.17.21";
  std::vector<core::Package> pkgs{a, other, b, deb, a};
  merge_duplicate_packages(pkgs);
  ASSERT_EQ(pkgs.size(), 3u);
  const auto* merged = find_package(pkgs, "lodash", "4.17.21");
  ASSERT_NE(merged, nullptr);
  ASSERT_EQ(merged->ecosystem, "deb") << "sorted by ecosystem first";
  merged = &pkgs[2];
  EXPECT_EQ(merged->ecosystem, "npm");
  EXPECT_EQ(merged->version, "4.17.21");
  EXPECT_EQ(merged->locations,
            (std::vector<core::Location>{{"a/node_modules/lodash/package.json", 2, "sha256:c"},
                                         {"b/package-lock.json", 1, "sha256:b"}}));
  EXPECT_EQ(merged->licenses, std::vector<std::string>{"MIT"});
  EXPECT_TRUE(std::get<core::LanguageMetadata>(merged->metadata).dev);
}

TEST(LanguageCatalogs, BadLockFilesInAnImageAreWarningsAndTheRestIsCatalogued) {
  testing::TempDir tmp;
  std::string deep_yaml = "lockfileVersion: '9.0'\npackages: " + std::string(50000, '{');
  std::string deep_json = std::string(100000, '[');
  auto saved = core::limits();
  auto small = saved;
  small.max_lock_file_bytes = 1 << 20;
  core::set_limits(small);
  testing::ImageBuilder b;
  b.layer({TarEntry::file("etc/os-release", "ID=debian\nVERSION_ID=12\n")});
  b.layer({TarEntry::file("app/package-lock.json", "{\"packages\": "),
           TarEntry::file("app/Pipfile.lock", deep_json),
           TarEntry::file("app/pnpm-lock.yaml", deep_yaml),
           TarEntry::file("app/yarn.lock", "__metadata:\n  version: 6\n\"a@npm:1\": [\n"),
           TarEntry::file("app/poetry.lock", "[[package]\n"),
           TarEntry::file("app/uv.lock", std::string((1 << 20) + 1, '#')),
           TarEntry::file("app/node_modules/left-pad/package.json", "{\"name\": 5}}"),
           TarEntry::file(
               "ok/package-lock.json",
               R"({"lockfileVersion": 3, "packages": {"node_modules/ms": {"version": "2.1.3"}}})"),
           TarEntry::file("ok/requirements.txt", "requests==2.31.0\n")});
  b.write_oci_layout(tmp.str() + "/img");
  auto sbom = scan_with("oci:" + tmp.str() + "/img");
  core::set_limits(saved);
  EXPECT_EQ(name_versions(sbom.packages, "npm"), (NameVersions{{"ms", "2.1.3"}}));
  EXPECT_EQ(name_versions(sbom.packages, "pypi"), (NameVersions{{"requests", "2.31.0"}}));
  std::string all;
  for (const auto& w : sbom.warnings) all += w + "\n";
  for (const auto* expected :
       {"layer 2: app/package-lock.json: npm-lock: npm lock file: malformed JSON",
        "layer 2: app/Pipfile.lock: pipfile-lock: Pipfile.lock: JSON nested deeper than",
        "layer 2: app/pnpm-lock.yaml: pnpm-lock: pnpm-lock.yaml: YAML nested deeper than",
        "layer 2: app/yarn.lock: yarn-lock: yarn.lock: malformed YAML",
        "layer 2: app/poetry.lock: poetry-lock: poetry.lock: malformed TOML at line 1",
        "layer 2: app/uv.lock: uv-lock: 1048577 bytes, larger than the limit of 1048576",
        "layer 2: app/node_modules/left-pad/package.json: node-modules: package.json: malformed "
        "JSON"}) {
    EXPECT_NE(all.find(expected), std::string::npos) << "missing: " << expected << "\nin:\n" << all;
  }
  for (const auto& w : sbom.warnings) EXPECT_EQ(w.find('\n'), std::string::npos) << w;
}

// ---- corpus -------------------------------------------------------------------------------

std::map<std::string, std::vector<std::string>> manifest_sections(const std::filesystem::path& d) {
  std::map<std::string, std::vector<std::string>> out;
  std::ifstream f(d / "MANIFEST.txt");
  std::string line, section;
  while (std::getline(f, line)) {
    if (line.size() > 2 && line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
    } else if (!line.empty()) {
      out[section].push_back(line);
    }
  }
  return out;
}

class LanguageCorpus : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testing::corpus_dir(&why);
    if (!dir) BW_SKIP_OR_FAIL(why);
    dir_ = *dir;
    manifest_ = manifest_sections(dir_);
  }
  // The distributions the corpus lists for python-site, from their directory names
  // ("charset_normalizer-3.0.1.dist-info"), names normalised as PEP 503 says.
  NameVersions python_site() {
    NameVersions out;
    static const std::regex kLine(R"(^python-metadata layer=1 (.+)-([^-]+)\.(dist|egg)-info$)");
    static const std::regex kSeparators("[-_.]+");
    for (const auto& line : manifest_["python-site"]) {
      std::smatch m;
      if (!std::regex_match(line, m, kLine)) continue;
      std::string name = std::regex_replace(m[1].str(), kSeparators, "-");
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.emplace(name, m[2]);
    }
    return out;
  }
  std::filesystem::path dir_;
  std::map<std::string, std::vector<std::string>> manifest_;
};

TEST_F(LanguageCorpus, PythonSiteImageListsEveryDistributionItShips) {
  auto expected = python_site();
  ASSERT_GE(expected.size(), 10u);
  for (const auto* form : {"python-site.docker.tar", "python-site.oci"}) {
    SCOPED_TRACE(form);
    auto sbom = scan_with((dir_ / form).string());
    EXPECT_EQ(name_versions(sbom.packages, "pypi"), expected);
    for (const auto& p : sbom.packages) {
      if (p.ecosystem != "pypi") continue;
      EXPECT_EQ(p.locations.at(0).layer_index, 0);
      EXPECT_FALSE(p.locations.at(0).layer_digest.empty());
    }
  }
}

TEST_F(LanguageCorpus, NpmAppLayerEqualsNpmLsOfThatLayerAndTheDeletedPackageIsReported) {
  BW_REQUIRE_COMMAND("npm");
  auto archive = dir_ / "debian-app.docker.tar";
  testing::TempDir tmp;
  // The app layer, unpacked with tar, read by npm itself.
  std::string layer;
  ASSERT_EQ(
      testing::run_command(
          "tar -xOf '" + archive.string() + "' manifest.json | jq -r '.[0].Layers[2]'", &layer),
      0);
  while (!layer.empty() && layer.back() == '\n') layer.pop_back();
  ASSERT_EQ(testing::run_command("tar -xOf '" + archive.string() + "' '" + layer +
                                 "' | tar -x -C '" + tmp.str() + "' app"),
            0);
  std::string ls;
  ASSERT_EQ(run_npm(tmp.path() / "app", "ls --all --json", &ls), 0);
  NameVersions expected;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& n) {
    if (!n.contains("dependencies")) return;
    for (const auto& [name, d] : n["dependencies"].items()) {
      expected.emplace(name, d["version"].get<std::string>());
      walk(d);
    }
  };
  auto tree = nlohmann::json::parse(ls);
  walk(tree);
  // The application itself (app/package.json beside its lock file) is a package too.
  expected.emplace(tree.value("name", ""), tree.value("version", ""));
  ASSERT_GE(expected.size(), 40u);
  for (const auto& line : manifest_["debian-app"]) {
    static const std::regex kTop(R"(^npm layer=3 top-level (\S+) (\S+)$)");
    std::smatch m;
    if (std::regex_match(line, m, kTop)) {
      EXPECT_TRUE(expected.count({m[1], m[2]})) << line;
    }
  }
  for (const auto* form : {"debian-app.docker.tar", "debian-app.oci"}) {
    SCOPED_TRACE(form);
    auto sbom = scan_with((dir_ / form).string());
    EXPECT_EQ(name_versions(sbom.packages, "npm"), expected);
    for (const auto& p : sbom.packages) {
      if (p.ecosystem != "npm") continue;
      for (const auto& l : p.locations) EXPECT_EQ(l.layer_index, 2) << p.name << " " << l.path;
    }
    // minimist: its directory was deleted by layer 5, the lock file still lists it.
    const auto* minimist = find_package(sbom.packages, "minimist");
    ASSERT_NE(minimist, nullptr);
    ASSERT_EQ(minimist->locations.size(), 1u);
    EXPECT_EQ(minimist->locations[0].path, "app/package-lock.json");
    const auto* removed = find_package(sbom.removed_packages, "minimist");
    ASSERT_NE(removed, nullptr);
    EXPECT_EQ(removed->removed_in_layer, 4);
    EXPECT_EQ(removed->locations.at(0).path, "app/node_modules/minimist/package.json");
    EXPECT_EQ(name_versions(sbom.packages, "pypi"), python_site())
        << "python-site is cut from the same dist-packages as debian-app's layer 2";
  }
}

}  // namespace
}  // namespace bulwark::catalog
