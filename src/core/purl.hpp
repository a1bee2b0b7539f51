// Package URLs as ECMA-427 and the purl-spec project define them
// (github.com/package-url/purl-spec: docs/specification/, types/*-definition.json): canonical
// form with per-type normalisation, percent-encoding and validation. Conformance is checked
// against the project's own test suite (tests/fixtures/purl/test-suite-data.json).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulwark::core {

enum class PurlParseMode {
  // ECMA-427 as written: qualifier keys must already be lowercase.
  kStrict,
  // Also accepts purls that real-world producers emit in a sloppy form and normalises them:
  // mixed-case qualifier keys ("?Arch=x86" -> "arch"). For purls read from third-party SBOMs
  // and advisories, where rejecting them would only lose data.
  kLenient,
};

struct PackageUrl {
  std::string type;
  std::string namespace_;  // '/'-separated segments, unencoded
  std::string name;
  std::string version;
  // Keys lowercase, sorted by std::map. A "checksum" list stays one comma-separated value.
  std::map<std::string, std::string> qualifiers;
  std::string subpath;  // '/'-separated segments, unencoded

  // The canonical string "pkg:type/namespace/name@version?k=v#subpath", with the type's
  // normalisation applied (deb names lowercased, pypi '_' -> '-'...). Does not validate: for
  // components from untrusted input use build(), which does.
  std::string to_string() const;
  // Validates the components (type syntax, required name, qualifier keys, the type's rules
  // for namespace and qualifiers) and returns the canonical string.
  Result<std::string> build() const;
  Result<void> validate() const;

  // Parses and normalises a purl string. Errors are kInvalidInput; the message says whether
  // the syntax or a type rule was broken.
  static Result<PackageUrl> parse(std::string_view text,
                                  PurlParseMode mode = PurlParseMode::kStrict);

  bool operator==(const PackageUrl&) const = default;
};

}  // namespace bulwark::core
