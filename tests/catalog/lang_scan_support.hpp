// Shared by the Ruby, PHP, .NET and binary identifier tests: scan a target with every
// registered cataloger and pick one ecosystem's packages.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catalog/catalogers.hpp"
#include "catalog/sbom.hpp"
#include "image/image.hpp"

namespace bulwark::catalog::lang_test {

inline Sbom scan(const std::string& target) {
  auto img = image::open_image(target, {});
  EXPECT_TRUE(img.ok()) << (img.ok() ? "" : img.error().message());
  if (!img.ok()) return {};
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  EXPECT_TRUE(layers.ok()) << (layers.ok() ? "" : layers.error().message());
  if (!layers.ok()) return {};
  return build_sbom(*img, *layers, catalogers);
}

inline std::vector<core::Package> of(const Sbom& sbom, const std::string& ecosystem) {
  std::vector<core::Package> out;
  for (const auto& p : sbom.packages) {
    if (p.ecosystem == ecosystem) out.push_back(p);
  }
  return out;
}

inline std::set<std::pair<std::string, std::string>> name_versions(
    const std::vector<core::Package>& pkgs) {
  std::set<std::pair<std::string, std::string>> out;
  for (const auto& p : pkgs) out.emplace(p.name, p.version);
  return out;
}

}  // namespace bulwark::catalog::lang_test
