// Checks on YAML text made before a YAML library sees it. yaml-cpp parses flow collections
// ("[...]", "{...}") recursively, so a few kilobytes of brackets exhaust the stack; and YAML
// never contains NUL, so a NUL means binary input. Every module that hands untrusted text to
// yaml-cpp (misconfig, vex, license) calls this first.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.hpp"

namespace bulwark::core {

struct YamlTextLimits {
  size_t max_bytes = 16u << 20;
  int max_flow_depth = 100;
};

// kLimitExceeded when the text is larger than max_bytes or nests flow collections deeper than
// max_flow_depth (brackets inside quoted scalars do not count); kInvalidInput on a NUL byte.
// Messages start with `name`.
Result<void> check_yaml_text(std::string_view text, std::string_view name,
                             const YamlTextLimits& limits);

}  // namespace bulwark::core
