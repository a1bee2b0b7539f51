#include "catalog/toml_file.hpp"

#include <string>

namespace bulwark::catalog {

core::Result<toml::table> parse_toml(std::string_view text, std::string_view what) {
  try {
    return toml::parse(text);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    std::string description(e.description());
    for (auto& c : description) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return core::Error::invalid(std::string(what) + ": malformed TOML at line " +
                                std::to_string(where.line) + ": " + description);
  }
}

}  // namespace bulwark::catalog
