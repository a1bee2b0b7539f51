// YAML (and JSON) documents as nlohmann::json trees with the line of every node, bounded
// against hostile input: total bytes, nodes visited (alias expansion counted, so "billion
// laughs" documents stop early), nesting depth and document count. Shared by the Kubernetes and
// compose checks. Plain scalars are typed as Kubernetes' YAML reader types them (YAML 1.1:
// yes/no/on/off are booleans).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulwark::misconfig {

struct YamlLimits {
  size_t max_bytes = 16u << 20;
  size_t max_nodes = 500'000;  // per stream, aliases expanded
  int max_depth = 100;
  size_t max_documents = 10'000;
};

struct YamlDoc {
  int index = 0;  // position in the stream, 0-based
  nlohmann::json root;
  std::map<std::string, int> lines;  // YAML path -> 1-based line

  // Line of `path` or of its nearest ancestor that has one; 0 when unknown.
  int line_of(std::string path) const;
};

core::Result<std::vector<YamlDoc>> load_yaml(std::string_view text, std::string_view name,
                                             const YamlLimits& limits = {});

// Appends a key to a YAML path: "a.b", or a["x/y"] for keys with dots or slashes.
std::string yaml_path_key(std::string_view parent, std::string_view key);
std::string yaml_path_index(std::string_view parent, size_t i);

}  // namespace bulwark::misconfig
