// `bulwark config PATH`: recognise configuration files by content (Dockerfile, Kubernetes
// YAML/JSON, compose) and run their rule families over one file or a directory tree.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "misconfig/misconfig.hpp"

namespace bulwark::misconfig {

struct ScanLimits {
  size_t max_file_bytes = 16u << 20;  // larger files are skipped with a warning
  size_t max_files = 200'000;         // files looked at in a tree
  int max_depth = 64;                 // directory depth
};

struct CheckedFile {
  std::string path;
  ConfigType type;
};

struct ConfigResult {
  std::vector<CheckedFile> files;     // recognised and checked, sorted
  std::vector<Issue> issues;          // sorted
  std::vector<std::string> warnings;  // one line each: unreadable, too large, invalid
};

// What a file's content is, if it is a configuration we check.
std::optional<ConfigType> detect(std::string_view text);

// Checks one file's content; `name` is used in findings and errors.
core::Result<std::vector<Issue>> check_content(std::string_view text, std::string_view name,
                                               ConfigType type);

// Checks PATH (file or directory). A single file that is not a recognised configuration is an
// error; in a directory such files are skipped silently and invalid ones become warnings.
core::Result<ConfigResult> check_path(const std::string& path, const ScanLimits& limits = {});

}  // namespace bulwark::misconfig
