// TOML documents (poetry.lock, uv.lock, Cargo.lock...) through toml++, with parse errors as
// one-line values naming the file and line. toml++ caps nesting itself (256 levels).
#pragma once

#include <toml++/toml.h>

#include <string_view>

#include "core/result.hpp"

namespace bulwark::catalog {

core::Result<toml::table> parse_toml(std::string_view text, std::string_view what);

}  // namespace bulwark::catalog
