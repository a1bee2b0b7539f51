// Installed Python distributions: *.dist-info/METADATA (wheels, PEP 376/627) and
// *.egg-info/PKG-INFO or a bare *.egg-info file (setuptools, distutils), wherever they lie
// (site-packages, Debian's dist-packages, virtual environments). Core metadata fields as the
// PyPA "Core metadata specifications" define them; licenses from License-Expression (PEP 639),
// else a one-line License, else the "License ::" classifiers.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class PythonInstalledCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "python-installed"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  bool wants(const image::Entry& entry) const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

// True for paths of installed-distribution metadata files.
bool is_python_metadata_path(std::string_view path);

// The distribution a METADATA / PKG-INFO text describes; nullopt without Name or Version.
std::optional<core::Package> parse_python_metadata(std::string_view text);

// "License :: OSI Approved :: MIT License" -> "MIT" (SPDX id where the classifier names
// exactly one license; otherwise the classifier's last part).
std::string license_from_classifier(std::string_view classifier);

}  // namespace bulwark::catalog
