// Dockerfile rules (BW-DF-*): a table of rule metadata plus check functions over a parsed file.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "misconfig/dockerfile/parser.hpp"
#include "misconfig/misconfig.hpp"

namespace bulwark::misconfig::dockerfile {

std::span<const Rule> rules();

// Runs every rule over `df`; issues name `file` and the instruction's line.
std::vector<Issue> check(const Dockerfile& df, std::string_view file);

}  // namespace bulwark::misconfig::dockerfile
