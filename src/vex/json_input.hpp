// Module-internal: the VEX parsers over an already parsed document (so parse_vex() parses
// once).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.hpp"
#include "vex/vex.hpp"

namespace bulwark::vex::detail {

core::Result<Document> openvex_from_json(const nlohmann::json& doc, std::string_view name);
core::Result<Document> cyclonedx_vex_from_json(const nlohmann::json& doc, std::string_view name);

}  // namespace bulwark::vex::detail
