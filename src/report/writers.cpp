// The one list of output formats. Adding a format is one file plus one line here.
#include <array>

#include "report/report.hpp"

namespace bulwark::report {
namespace {

constexpr std::array kWriters = {
    Writer{"table", "human-readable table for terminals (default)", write_table},
    Writer{"json", "bulwark JSON report (docs/schema/report.schema.json)", write_json},
    Writer{"cyclonedx", "CycloneDX 1.5 JSON SBOM", write_cyclonedx},
    Writer{"spdx", "SPDX 2.3 JSON SBOM", write_spdx},
    Writer{"sarif", "SARIF 2.1.0 findings (code scanning)", write_sarif},
    Writer{"html", "self-contained HTML report (summary, risk, findings filter, layers)",
           write_html},
};

// A duplicated --format name fails the build instead of shadowing a writer.
constexpr bool names_unique() {
  for (size_t i = 0; i < kWriters.size(); ++i) {
    for (size_t j = i + 1; j < kWriters.size(); ++j) {
      if (kWriters[i].name == kWriters[j].name) return false;
    }
  }
  return true;
}
static_assert(names_unique(), "two writers share a --format name");

}  // namespace

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kUnknown:
      return "unknown";
    case Severity::kNone:
      return "none";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

std::span<const Writer> writers() {
  return kWriters;
}

const Writer* find_writer(std::string_view name) {
  for (const auto& w : kWriters) {
    if (w.name == name) return &w;
  }
  return nullptr;
}

}  // namespace bulwark::report
