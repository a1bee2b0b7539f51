// Secret rules as data: the built-in table (builtin_rules.cpp) and rules loaded from a gitleaks
// TOML config (gitleaks_config.cpp) share one shape, so the engine treats them alike.
#pragma once

#include <string>
#include <vector>

#include "report/report.hpp"

namespace bulwark::secret {

// What an allowlist regex is matched against (gitleaks `regexTarget`).
enum class RegexTarget { kSecret, kMatch, kLine };

// A finding is dropped when the allowlist applies: with condition OR (the default) when any of
// its paths, regexes or stopwords matches; with AND when every kind it lists matches.
struct Allowlist {
  std::string description;
  std::vector<std::string> paths;    // regexes on the file path
  std::vector<std::string> regexes;  // regexes on the target below
  RegexTarget regex_target = RegexTarget::kSecret;
  std::vector<std::string> stopwords;     // substrings of the secret, case-insensitive
  bool require_all = false;               // condition = "AND"
  std::vector<std::string> target_rules;  // global allowlists only: empty = every rule
};

struct Rule {
  std::string id;
  std::string title;
  std::string category;
  report::Severity severity = report::Severity::kHigh;
  std::string regex;     // PCRE syntax that Vectorscan also accepts; empty: path-only rule
  int secret_group = 0;  // 0: the first capture group if there is one, else the whole match
  double entropy = 0;    // minimum Shannon entropy (bits per byte) of the secret; 0: none
  std::vector<std::string> keywords;  // lower case; see enforce_keywords
  // gitleaks semantics: the rule applies only to files that contain one of its keywords
  // (case-insensitive). Built-in rules spell their keywords inside the regex already.
  bool enforce_keywords = false;
  std::string path;  // regex on the file path; the rule applies only to matching files
  std::vector<Allowlist> allowlists;
  // A template of a true positive: literal text with {c:N} placeholders for N random
  // characters of class c (see tests/secret/rules_test.cpp). Documentation and tests only.
  std::string example;
};

struct RuleSet {
  std::vector<Rule> rules;
  std::vector<Allowlist> allowlists;  // global
};

// The built-in rules and global allowlist (placeholders like EXAMPLE, ${VAR}, <password>).
RuleSet builtin_rules();

}  // namespace bulwark::secret
