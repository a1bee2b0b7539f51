// Helpers for the language cataloger tests: scan a target through the real pipeline (layer
// reader, catalogers, SBOM merge), build an image from a directory, run one cataloger on one
// file, and compare (name, version) sets.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "catalog/cataloger.hpp"
#include "catalog/sbom.hpp"
#include "support/image_builder.hpp"

namespace bulwark::catalog {

using NameVersions = std::set<std::pair<std::string, std::string>>;

// The SBOM of `target` with the catalogers `selection` picks ("" = all).
Sbom scan_with(const std::string& target, const std::string& selection = "");

NameVersions name_versions(const std::vector<core::Package>& pkgs, const std::string& ecosystem);

// Every regular file below `dir` as layer entries under `prefix` ("app/...").
std::vector<testing::TarEntry> entries_from_dir(const std::filesystem::path& dir,
                                                const std::string& prefix);

// One cataloger over one file: the packages it recorded, or the error it returned.
core::Result<std::vector<core::Package>> analyze_one(const Cataloger& c, const std::string& path,
                                                     const std::string& content);

const core::Package* find_package(const std::vector<core::Package>& pkgs, const std::string& name,
                                  const std::string& version = "");

}  // namespace bulwark::catalog
