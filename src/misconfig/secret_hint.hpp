// A small, self-contained "does this name=value look like a credential" check for ENV/ARG/LABEL,
// Kubernetes env values, compose environment and image config Env.
// TODO(secret engine): once src/secret lands, this delegates to its rule set and keeps only the
// name heuristics; until then a handful of well-known formats plus name + entropy.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace bulwark::misconfig {

// Shannon entropy in bits per character.
double shannon_entropy(std::string_view s);

// A reason ("AWS access key ID", "value of PASSWORD-like name") when `value` assigned to `name`
// looks like a real secret; nullopt for empty values, variable references, placeholders and
// paths to secret files.
std::optional<std::string> secret_reason(std::string_view name, std::string_view value);

// The value with everything after its first 4 characters replaced ("abcd****").
std::string redact(std::string_view value);

}  // namespace bulwark::misconfig
