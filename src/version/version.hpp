// Version semantics per ecosystem: compare two versions and test a version against the
// ecosystem's own constraint syntax. Ecosystem names are OSV's ("Debian", "Alpine", "Red Hat",
// "npm", "PyPI", "Maven", "RubyGems", "Go", "crates.io", "NuGet", "Packagist", ...) plus
// lower-case aliases (deb, apk, rpm, semver, pep440, ...); an OSV release suffix such as
// "Debian:12" or "Alpine:v3.18" is accepted and ignored. An unparsable version or constraint
// is an error naming the input, never a guess.
#pragma once

#include <string_view>

#include "core/result.hpp"

namespace bulwark::version {

struct Scheme;  // opaque; one per ecosystem (scheme.hpp inside this module)

const Scheme* find_scheme(std::string_view ecosystem);  // nullptr when unknown

// -1, 0 or 1; an error when either version does not parse.
core::Result<int> compare(const Scheme& scheme, std::string_view a, std::string_view b);
// The ecosystem's own constraint syntax (docs/cli.md lists each).
core::Result<bool> satisfies(const Scheme& scheme, std::string_view version,
                             std::string_view constraint);

core::Result<int> compare(std::string_view ecosystem, std::string_view a, std::string_view b);
core::Result<bool> satisfies(std::string_view ecosystem, std::string_view version,
                             std::string_view constraint);

}  // namespace bulwark::version
