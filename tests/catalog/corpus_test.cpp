// The real images of ../shared/corpus/build.sh scan correctly, in both of their forms: every
// package with the layer that added it (expectations read from the corpus MANIFEST.txt), the
// OS, and files deleted by whiteouts reported as removed.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "catalog/catalogers.hpp"
#include "catalog/sbom.hpp"
#include "image/image.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

struct Manifest {
  std::map<std::string, std::vector<std::string>> lines;  // [section] -> lines
};

Manifest read_manifest(const std::filesystem::path& dir) {
  Manifest m;
  std::ifstream f(dir / "MANIFEST.txt");
  std::string line, section;
  while (std::getline(f, line)) {
    if (line.size() > 2 && line.front() == '[' && line.back() == ']') {
      section = line.substr(1, line.size() - 2);
    } else if (!section.empty() && !line.empty() && line[0] != '#') {
      m.lines[section].push_back(line);
    }
  }
  return m;
}

Sbom scan(const std::string& target) {
  auto img = image::open_image(target, {});
  EXPECT_TRUE(img.ok()) << target << ": " << img.error().message();
  if (!img.ok()) return {};
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  EXPECT_TRUE(layers.ok()) << target << ": " << layers.error().message();
  if (!layers.ok()) return {};
  return build_sbom(*img, *layers, catalogers);
}

class Corpus : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    auto dir = testing::corpus_dir(&why);
    if (!dir) BW_SKIP_OR_FAIL(why);
    dir_ = *dir;
    manifest_ = read_manifest(dir_);
  }
  std::filesystem::path dir_;
  Manifest manifest_;
};

std::map<std::string, std::pair<std::string, int>> debs(const Sbom& s) {
  std::map<std::string, std::pair<std::string, int>> out;
  for (const auto& p : s.packages) {
    if (p.ecosystem == "deb") out[p.name] = {p.version, p.locations.at(0).layer_index};
  }
  return out;
}

TEST_F(Corpus, DebianAppPackagesCarryTheLayerThatAddedThem) {
  for (const auto* form : {"debian-app.docker.tar", "debian-app.oci"}) {
    SCOPED_TRACE(form);
    auto sbom = scan((dir_ / form).string());
    auto pkgs = debs(sbom);
    size_t expected_total = 0;
    std::set<std::string> layer2;
    static const std::regex kDeb(R"(^deb layer=2 (\S+) (\S+)$)");
    for (const auto& line : manifest_.lines["debian-app"]) {
      std::smatch m;
      if (std::regex_match(line, m, kDeb)) {
        layer2.insert(m[1]);
        ASSERT_TRUE(pkgs.count(m[1])) << m[1];
        EXPECT_EQ(pkgs[m[1]].first, m[2]) << m[1];
        EXPECT_EQ(pkgs[m[1]].second, 1) << m[1];  // 0-based: the manifest's layer 2
      }
      if (line.starts_with("dpkg_status_packages=")) expected_total = std::stoul(line.substr(21));
    }
    EXPECT_EQ(layer2.size(), 13U);
    EXPECT_EQ(pkgs.size(), expected_total);
    // Layer 1 is byte-identical to debian-min: a package is dated to layer 1 exactly when
    // debian-min has it in the same version, else to layer 2 (requested or a dependency).
    auto base = debs(scan((dir_ / "debian-min.docker.tar").string()));
    for (const auto& [name, v] : pkgs) {
      auto it = base.find(name);
      bool in_base = it != base.end() && it->second.first == v.first;
      EXPECT_EQ(v.second, in_base ? 0 : 1) << name;
    }
    EXPECT_EQ(sbom.os.id, "debian");
    EXPECT_EQ(sbom.os.version_id, "12");
  }
}

TEST_F(Corpus, DebianAppFilesDeletedByWhiteoutsAreReportedAsRemoved) {
  auto sbom = scan((dir_ / "debian-app.oci").string());
  std::map<std::string, RemovedFile> removed;
  for (const auto& f : sbom.removed_files) removed[f.path] = f;
  ASSERT_TRUE(removed.count("root/.aws/credentials"));
  EXPECT_EQ(removed["root/.aws/credentials"].added_in_layer, 3);
  EXPECT_EQ(removed["root/.aws/credentials"].removed_in_layer, 4);
  ASSERT_TRUE(removed.count("opt/keys/id_rsa"));  // opaque directory
  EXPECT_EQ(removed["opt/keys/id_rsa"].removed_in_layer, 4);
  ASSERT_TRUE(removed.count("app/node_modules/minimist/package.json"));
  EXPECT_EQ(removed["app/node_modules/minimist/package.json"].added_in_layer, 2);
  EXPECT_FALSE(removed.count("opt/keys/README.txt"));
}

TEST_F(Corpus, BothFormsOfEveryImageGiveTheSamePackages) {
  for (const auto* name : {"debian-min", "debian-app", "rpm-db", "python-site"}) {
    SCOPED_TRACE(name);
    auto a = scan((dir_ / (std::string(name) + ".docker.tar")).string());
    auto b = scan((dir_ / (std::string(name) + ".oci")).string());
    ASSERT_EQ(a.packages.size(), b.packages.size());
    for (size_t i = 0; i < a.packages.size(); ++i) {
      EXPECT_EQ(a.packages[i].purl, b.packages[i].purl);
      EXPECT_EQ(a.packages[i].locations[0].layer_index, b.packages[i].locations[0].layer_index);
    }
    EXPECT_EQ(a.os, b.os);
  }
}

TEST_F(Corpus, DebianMinHasEveryStatusPackageInLayerOne) {
  auto sbom = scan((dir_ / "debian-min.docker.tar").string());
  size_t expected = 0;
  for (const auto& line : manifest_.lines["debian-min"]) {
    if (line.starts_with("dpkg_status_packages=")) expected = std::stoul(line.substr(21));
  }
  EXPECT_GT(expected, 50U);
  EXPECT_EQ(sbom.packages.size(), expected);
  for (const auto& p : sbom.packages) EXPECT_EQ(p.locations[0].layer_index, 0);
  EXPECT_TRUE(sbom.removed_packages.empty());
}

// big (only in the `all` corpus): nano, installed by layer 1, is purged in layer 2.
TEST_F(Corpus, BigReportsThePurgedPackageAsRemoved) {
  if (!std::filesystem::exists(dir_ / "big.docker.tar")) {
    GTEST_SKIP()
        << "the `big` image is only built by `build.sh OUT all` (bench/sbom_vs_floor.sh builds it)";
  }
  auto sbom = scan((dir_ / "big.docker.tar").string());
  const core::Package* nano = nullptr;
  for (const auto& p : sbom.removed_packages) {
    if (p.name == "nano") nano = &p;
  }
  ASSERT_NE(nano, nullptr);
  EXPECT_EQ(nano->locations[0].layer_index, 0);
  EXPECT_EQ(nano->removed_in_layer, 1);
  bool nano_binary_removed = false;
  for (const auto& f : sbom.removed_files)
    nano_binary_removed |= f.path == "usr/bin/nano" && f.removed_in_layer == 1;
  EXPECT_TRUE(nano_binary_removed);
  EXPECT_EQ(std::count_if(sbom.packages.begin(), sbom.packages.end(),
                          [](const core::Package& p) { return p.ecosystem == "deb"; }),
            711);
}

}  // namespace
}  // namespace bulwark::catalog
