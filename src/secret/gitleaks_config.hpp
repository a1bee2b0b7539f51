// Custom secret rules in the gitleaks TOML config format: [[rules]] (id, description, regex,
// secretGroup, entropy, keywords, path, tags, [[rules.allowlist]]), the global [allowlist] and
// [[allowlists]] (paths, regexes, regexTarget, stopwords, condition, targetRules), and
// [extend] useDefault / path. Format as documented in gitleaks' README and config/gitleaks.toml.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "secret/rules.hpp"

namespace bulwark::secret {

// `origin` names the input in errors. `builtin` is what [extend] useDefault = true pulls in.
core::Result<RuleSet> parse_gitleaks_config(std::string_view text, std::string_view origin,
                                            const RuleSet& builtin);
core::Result<RuleSet> load_gitleaks_config(const std::string& path, const RuleSet& builtin);

}  // namespace bulwark::secret
