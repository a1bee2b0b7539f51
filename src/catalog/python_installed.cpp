#include "catalog/python_installed.hpp"

#include <array>

#include "catalog/lock_file.hpp"
#include "core/path.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

namespace {

// Trove classifiers (the Python packaging index's list) that name one license, with its SPDX id
// (spdx.org/licenses).
constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kClassifierSpdx{{
    {"MIT License", "MIT"},
    {"MIT No Attribution License (MIT-0)", "MIT-0"},
    {"ISC License (ISCL)", "ISC"},
    {"Python Software Foundation License", "PSF-2.0"},
    {"Mozilla Public License 2.0 (MPL 2.0)", "MPL-2.0"},
    {"Mozilla Public License 1.1 (MPL 1.1)", "MPL-1.1"},
    {"GNU General Public License v2 (GPLv2)", "GPL-2.0-only"},
    {"GNU General Public License v2 or later (GPLv2+)", "GPL-2.0-or-later"},
    {"GNU General Public License v3 (GPLv3)", "GPL-3.0-only"},
    {"GNU General Public License v3 or later (GPLv3+)", "GPL-3.0-or-later"},
    {"GNU Lesser General Public License v2 (LGPLv2)", "LGPL-2.0-only"},
    {"GNU Lesser General Public License v2 or later (LGPLv2+)", "LGPL-2.0-or-later"},
    {"GNU Lesser General Public License v3 (LGPLv3)", "LGPL-3.0-only"},
    {"GNU Lesser General Public License v3 or later (LGPLv3+)", "LGPL-3.0-or-later"},
    {"The Unlicense (Unlicense)", "Unlicense"},
    {"Academic Free License (AFL)", "AFL-3.0"},
}};

bool is_one_line_license(std::string_view v) {
  return !v.empty() && v.size() <= 120 && v != "UNKNOWN" && v.find('\n') == std::string_view::npos;
}

}  // namespace

std::string license_from_classifier(std::string_view classifier) {
  auto last = classifier.rfind("::");
  auto name = core::trim(last == std::string_view::npos ? classifier : classifier.substr(last + 2));
  for (const auto& [k, v] : kClassifierSpdx) {
    if (k == name) return std::string(v);
  }
  return std::string(name);
}

bool is_python_metadata_path(std::string_view path) {
  auto base = core::base_name(path);
  auto dir = core::base_name(core::parent_path(path));
  return (base == "METADATA" && dir.ends_with(".dist-info")) ||
         (base == "PKG-INFO" && dir.ends_with(".egg-info")) ||
         (base.ends_with(".egg-info") && base.size() > 9);
}

std::optional<core::Package> parse_python_metadata(std::string_view text) {
  std::string name, version, license, expression;
  std::vector<std::string> classifiers;
  std::string* last = nullptr;  // the field a continuation line extends
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the headers end; the body is the description
    if (line.front() == ' ' || line.front() == '\t') {
      if (last != nullptr) *last += "\n" + std::string(core::trim(line));
      continue;
    }
    last = nullptr;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto key = line.substr(0, colon);
    auto value = std::string(core::trim(line.substr(colon + 1)));
    if (key == "Name") {
      name = value;
    } else if (key == "Version") {
      version = value;
    } else if (key == "License") {
      license = value;
      last = &license;
    } else if (key == "License-Expression") {
      expression = value;
    } else if (key == "Classifier" && value.starts_with("License ::")) {
      classifiers.push_back(value);
    }
  }
  if (name.empty() || version.empty()) return std::nullopt;
  auto pkg = pypi_package(name, version);
  if (!expression.empty()) {
    pkg.licenses.push_back(expression);
  } else if (is_one_line_license(license)) {
    pkg.licenses.push_back(license);
  } else {
    for (const auto& c : classifiers) pkg.licenses.push_back(license_from_classifier(c));
  }
  return pkg;
}

std::vector<image::PathPattern> PythonInstalledCataloger::patterns() const {
  return {image::PathPattern::suffix("/METADATA"), image::PathPattern::suffix("/PKG-INFO"),
          image::PathPattern::suffix(".egg-info")};
}

bool PythonInstalledCataloger::wants(const image::Entry& entry) const {
  return is_python_metadata_path(entry.path);
}

core::Result<void> PythonInstalledCataloger::analyze(const image::Entry& entry,
                                                     image::EntryContent& content,
                                                     image::LayerFacts& out) const {
  if (!is_python_metadata_path(entry.path)) return core::ok();
  BW_ASSIGN_OR_RETURN(auto text, read_lock_file(entry, content));
  auto pkg = parse_python_metadata(text);
  if (!pkg) return core::Error::invalid("Python metadata without Name or Version");
  out.packages_by_path[entry.path].push_back(std::move(*pkg));
  return core::ok();
}

}  // namespace bulwark::catalog
