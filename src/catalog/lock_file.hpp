// Helpers shared by the language catalogers: bounded reading of lock files and manifests,
// patterns for file names found at any depth, YAML parsing with limits, and the package
// records of each ecosystem with their purls.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/package.hpp"
#include "core/result.hpp"
#include "core/yaml_doc.hpp"
#include "image/layer_reader.hpp"

namespace bulwark::catalog {

// The whole entry, or a limit error when it is larger than limits().max_lock_file_bytes.
core::Result<std::string> read_lock_file(const image::Entry& entry, image::EntryContent& content);

// Patterns matching files named exactly `names` in any directory (the root included).
std::vector<image::PathPattern> file_name_patterns(std::initializer_list<std::string_view> names);

// YAML text as a flat tree (libyaml; lock files are big and machine-written). Errors name
// `what`; documents nested deeper than the JSON limit are refused.
core::Result<core::YamlDoc> parse_yaml(std::string_view text, std::string_view what);

// npm: "@scope/name" -> pkg:npm/%40scope/name@version.
core::Package npm_package(std::string_view name, std::string_view version);
// Splits "name@range" / "@scope/name@range" at the '@' that ends the name.
std::pair<std::string_view, std::string_view> split_npm_spec(std::string_view spec);

// PEP 503: lowercased, runs of '-', '_' and '.' replaced by one '-'.
std::string pep503_normalize(std::string_view name);
// A PyPI package with its PEP 503 name and purl pkg:pypi/name@version.
core::Package pypi_package(std::string_view name, std::string_view version);

}  // namespace bulwark::catalog
