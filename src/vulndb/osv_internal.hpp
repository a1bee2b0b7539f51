// Helpers shared by importers inside vulndb/ (not part of the module's public surface).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.hpp"
#include "vulndb/importer.hpp"

namespace bulwark::vulndb {

// YAML text -> JSON tree (scalars kept as strings), depth-limited; errors name `where`.
core::Result<nlohmann::json> parse_yaml_document(std::string_view where, std::string_view text);
core::Result<Advisory> osv_from_json(const nlohmann::json& j, std::string_view source,
                                     ImportStats& stats);

}  // namespace bulwark::vulndb
