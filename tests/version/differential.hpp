// Differential testing of version schemes against reference implementations: generated and
// real version strings, a reference script run once over all pairs, and a comparison that
// reports how many pairs ran and the first disagreements.
#pragma once

#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "support/test_env.hpp"

namespace bulwark::testing {

struct Pair {
  std::string a, b;
};

// Runs `command` with the pairs ("a<TAB>b" lines) on stdin; one output line per pair.
// Returns false (with *why) when the command fails or prints the wrong number of lines.
bool run_reference(const std::string& command, const std::vector<Pair>& pairs,
                   std::vector<std::string>* out, std::string* why);

struct DiffReport {
  size_t pairs = 0;          // pairs sent to the reference
  size_t agreed = 0;         // same answer (including both rejecting the input)
  size_t both_rejected = 0;  // the reference and we rejected the input
  std::vector<std::string> disagreements;
};

// kind: "compare" (answers -1/0/1) or "satisfies" (true/false); the reference answers "E" for
// input it rejects.
DiffReport diff_against(const std::string& ecosystem, const std::string& kind,
                        const std::vector<Pair>& pairs, const std::vector<std::string>& ref);

// Prints "[differential] <label>: N pairs ..." and fails the test on any disagreement.
void expect_agreement(const std::string& label, const DiffReport& r);

// Random pairs from a pool plus each version against a mutated neighbour (near pairs find
// tie-breaking bugs), deterministic for a seed.
std::vector<Pair> make_pairs(const std::vector<std::string>& pool, size_t random_pairs,
                             uint32_t seed);

// Every match of a Perl regex (\\K and lookarounds trim it) in the members of
// ../shared/advisories/<tarball> that match `wildcards` (shell-quoted tar wildcards); empty with
// *why when the archive or the tools are missing.
std::vector<std::string> grep_advisories(const std::filesystem::path& shared,
                                         const std::string& tarball, const std::string& wildcards,
                                         const std::string& pcre, std::string* why);

std::string reference_dir();  // tests/version/reference

// A generator seed: `base`, shifted by $BULWARK_DIFF_SEED to explore other inputs (the default
// run is deterministic).
uint32_t seed(uint32_t base);

// For references that do not validate their input (libapt-pkg, rpm.ver): the pairs whose both
// versions we accept; *rejected counts the others.
std::vector<Pair> accepted_pairs(const std::string& ecosystem, const std::vector<Pair>& pairs,
                                 size_t* rejected);
std::vector<std::string> dedupe(std::vector<std::string> v);

}  // namespace bulwark::testing

namespace bulwark::testing {
// node-semver installed with npm into a cache directory (once per machine); "" with *why.
std::string npm_semver_module(std::string* why);
// MavenRef.java compiled against Debian's maven-artifact jar; the java command line prefix.
std::string maven_reference_command(std::string* why);
}  // namespace bulwark::testing
