// Module-internal: JSON parsing for the VEX parsers, and the parsers over an already parsed
// document (so parse_vex() parses once).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.hpp"
#include "vex/vex.hpp"

namespace bulwark::vex::detail {

// Like core::parse_json (same depth bound, same messages) but without nlohmann's callback
// parser, whose end-of-object handling in 3.11.2 walks the whole parent array each time: a
// 20,000-statement VEX took 28 s. The depth is checked on the text first instead.
core::Result<nlohmann::json> parse_json(std::string_view text, std::string_view name);

core::Result<Document> openvex_from_json(const nlohmann::json& doc, std::string_view name);
core::Result<Document> cyclonedx_vex_from_json(const nlohmann::json& doc, std::string_view name);

}  // namespace bulwark::vex::detail
