#include "language_scan.hpp"

#include <gtest/gtest.h>

#include "catalog/catalogers.hpp"
#include "image/image.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {

Sbom scan_with(const std::string& target, const std::string& selection) {
  auto img = image::open_image(target, {});
  EXPECT_TRUE(img.ok()) << target << ": " << img.error().message();
  if (!img.ok()) return {};
  auto catalogers = select_catalogers(selection);
  EXPECT_TRUE(catalogers.ok()) << catalogers.error().message();
  if (!catalogers.ok()) return {};
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : *catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  EXPECT_TRUE(layers.ok()) << target << ": " << layers.error().message();
  if (!layers.ok()) return {};
  return build_sbom(*img, *layers, *catalogers);
}

NameVersions name_versions(const std::vector<core::Package>& pkgs, const std::string& ecosystem) {
  NameVersions out;
  for (const auto& p : pkgs) {
    if (p.ecosystem == ecosystem) out.emplace(p.name, p.version);
  }
  return out;
}

std::vector<testing::TarEntry> entries_from_dir(const std::filesystem::path& dir,
                                                const std::string& prefix) {
  std::vector<testing::TarEntry> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.is_symlink()) continue;
    out.push_back(
        testing::TarEntry::file(prefix + std::filesystem::relative(e.path(), dir).generic_string(),
                                testing::read_file(e.path())));
  }
  return out;
}

core::Result<std::vector<core::Package>> analyze_one(const Cataloger& c, const std::string& path,
                                                     const std::string& content) {
  image::Entry entry;
  entry.path = path;
  entry.size = content.size();
  image::StringContent sc(content);
  image::LayerFacts facts;
  BW_TRY(c.analyze(entry, sc, facts));
  auto it = facts.packages_by_path.find(path);
  if (it == facts.packages_by_path.end()) return std::vector<core::Package>{};
  return it->second;
}

const core::Package* find_package(const std::vector<core::Package>& pkgs, const std::string& name,
                                  const std::string& version) {
  for (const auto& p : pkgs) {
    if (p.name == name && (version.empty() || p.version == version)) return &p;
  }
  return nullptr;
}

}  // namespace bulwark::catalog
