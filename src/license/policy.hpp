// An organisation's license rules (--license-policy FILE, YAML; docs/licenses.md): severity per
// category, licenses always allowed or always denied, packages not checked, and whether
// low-severity findings are shown. Without a file the defaults apply.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/package.hpp"
#include "core/result.hpp"
#include "license/categories.hpp"
#include "report/report.hpp"

namespace bulwark::license {

struct Policy {
  std::string source;  // the file it came from ("" for the defaults)
  // Severity per category; categories not overridden keep default_severity().
  std::map<Category, report::Severity> severity;
  // License terms as written in an SPDX expression ("MIT", "GPL-2.0-only WITH
  // Classpath-exception-2.0", "LicenseRef-foo"), canonical spelling; matched against each term
  // of a declared license.
  std::vector<std::string> allow;
  std::vector<std::string> deny;
  report::Severity deny_severity = report::Severity::kCritical;
  // Packages not checked: a purl ("pkg:npm/lodash@4.17.21"), a purl without version (any
  // version) or a bare package name (any ecosystem).
  std::vector<std::string> ignore_packages;
  // Show every finding, also those below medium severity (default: medium and above, plus
  // unknown licenses).
  bool show_all = false;
};

report::Severity default_severity(Category c);
report::Severity severity_for(const Policy& p, Category c);
bool ignores(const Policy& p, const core::Package& pkg);

// Parses a policy document; errors are one line naming `name` (and the line when known).
core::Result<Policy> parse_policy(std::string_view text, std::string_view name);
core::Result<Policy> load_policy(const std::string& path);

}  // namespace bulwark::license
