// One risk number per image (docs/scoring.md): findings weighted by kind and severity,
// vulnerabilities also by fix availability, KEV and EPSS, secrets and malware as near-blocking,
// plus exposure from the image config. Weights are data (the tables in score.cpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "report/report.hpp"

namespace bulwark::risk {

// What the image config says about how the container will run.
struct Exposure {
  bool runs_as_root = false;
  std::vector<int> exposed_ports;  // ExposedPorts, e.g. 22 for "22/tcp"
};

// From an image config (the "config" object's User and ExposedPorts; tolerant of absent or
// malformed fields, which add nothing).
Exposure exposure_from_config(const nlohmann::json& image_config);

report::RiskScore compute(const std::vector<report::Finding>& findings, const Exposure& exposure);

char grade_for(int score);

}  // namespace bulwark::risk
