#include "core/yaml_text.hpp"

#include <string>

namespace bulwark::core {

Result<void> check_yaml_text(std::string_view text, std::string_view name,
                             const YamlTextLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error::limit(std::string(name) + ": " + std::to_string(text.size()) +
                        " bytes is larger than the " + std::to_string(limits.max_bytes) +
                        " byte YAML limit");
  }
  if (text.find('\0') != std::string_view::npos)
    return Error::invalid(std::string(name) + ": binary content (NUL byte), not YAML");
  int depth = 0;
  char quote = 0;  // a quoted scalar ends at its quote or, if unterminated, at the line's end
  for (char c : text) {
    if (quote != 0) {
      if (c == quote || c == '\n') quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++depth > limits.max_flow_depth) {
        return Error::limit(std::string(name) + ": flow collections nested deeper than " +
                            std::to_string(limits.max_flow_depth) + " levels");
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return ok();
}

}  // namespace bulwark::core
