// Output of `bulwark config`: a table, a JSON document (every issue with file, line, document
// index, YAML path and PSS control), or a report::Report for the shared writers (SARIF).
#pragma once

#include <optional>
#include <string>

#include "misconfig/config_scan.hpp"
#include "report/report.hpp"

namespace bulwark::misconfig {

struct PssVerdict {
  PssLevel level;
  bool admitted;
};

std::string write_config_table(const ConfigResult& r, const std::optional<PssVerdict>& pss);
std::string write_config_json(const ConfigResult& r, const std::optional<PssVerdict>& pss);
report::Report to_report(const ConfigResult& r, const std::string& input);

}  // namespace bulwark::misconfig
