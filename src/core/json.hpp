// nlohmann::json behind a Result: parse errors become values naming the input, and nesting
// depth is capped so hostile documents cannot exhaust the stack when the tree is used.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "core/result.hpp"

namespace bulwark::core {

inline constexpr int kMaxJsonDepth = 256;

Result<nlohmann::json> parse_json(std::string_view text, std::string_view what);

// Typed field access for documents from untrusted sources; missing or mistyped fields give
// the default instead of throwing.
std::string json_string(const nlohmann::json& j, std::string_view key, std::string_view def = "");
int64_t json_int(const nlohmann::json& j, std::string_view key, int64_t def = 0);

// Deterministic, compact JSON text (invalid UTF-8 replaced instead of throwing).
std::string dump_json(const nlohmann::json& j, int indent = 2);

}  // namespace bulwark::core
