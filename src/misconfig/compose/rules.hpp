// Docker Compose checks (BW-DC-*) over the Compose Specification's service fields.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "misconfig/misconfig.hpp"
#include "misconfig/yaml_loader.hpp"

namespace bulwark::misconfig::compose {

std::span<const Rule> rules();

// True for a compose document: a top-level `services` mapping whose entries are mappings.
bool is_compose(const nlohmann::json& doc);

std::vector<Issue> check(const std::vector<YamlDoc>& docs, std::string_view file);

}  // namespace bulwark::misconfig::compose
