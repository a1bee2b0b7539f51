// The license policy file. Strict like the ignore file: an unknown key, category or severity
// is an error naming FILE:LINE, because a typo that silently changed what is reported would go
// unnoticed until an audit.
#include "license/policy.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <fstream>

#include "core/yaml_text.hpp"
#include "license/expression.hpp"

namespace bulwark::license {

using core::Error;
using core::Result;
using report::Severity;

namespace {

constexpr size_t kMaxBytes = 1u << 20;
constexpr size_t kMaxListEntries = 10'000;
constexpr int kMaxFlowDepth = 16;

std::string at(std::string_view name, const YAML::Mark& mark) {
  std::string s(name);
  if (mark.line >= 0) s += ":" + std::to_string(mark.line + 1);
  return s;
}

std::optional<Severity> parse_severity(std::string word) {
  std::transform(word.begin(), word.end(), word.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (Severity s : {Severity::kUnknown, Severity::kNone, Severity::kLow, Severity::kMedium,
                     Severity::kHigh, Severity::kCritical}) {
    if (report::severity_name(s) == word) return s;
  }
  return std::nullopt;
}

Result<Severity> severity_value(const YAML::Node& n, std::string_view name) {
  if (n.IsScalar()) {
    if (auto s = parse_severity(n.Scalar())) return *s;
  }
  return Error::invalid(at(name, n.Mark()) + ": \"" + (n.IsScalar() ? n.Scalar() : "") +
                        "\" is not a severity (critical, high, medium, low, none, unknown)");
}

Result<std::vector<std::string>> string_list(const YAML::Node& n, std::string_view key,
                                             std::string_view name) {
  if (n.IsNull()) return std::vector<std::string>{};
  if (!n.IsSequence())
    return Error::invalid(at(name, n.Mark()) + ": \"" + std::string(key) +
                          "\" must be a list of strings");
  if (n.size() > kMaxListEntries)
    return Error::limit(at(name, n.Mark()) + ": \"" + std::string(key) + "\" has more than " +
                        std::to_string(kMaxListEntries) + " entries");
  std::vector<std::string> out;
  for (const auto& item : n) {
    if (!item.IsScalar() || item.Scalar().empty())
      return Error::invalid(at(name, item.Mark()) + ": \"" + std::string(key) +
                            "\" entries must be non-empty strings");
    out.push_back(item.Scalar());
  }
  return out;
}

// allow/deny entries: one SPDX license term each, in canonical spelling.
Result<std::vector<std::string>> license_list(const YAML::Node& n, std::string_view key,
                                              std::string_view name) {
  BW_ASSIGN_OR_RETURN(auto raw, string_list(n, key, name));
  std::vector<std::string> out;
  size_t i = 0;
  for (const auto& entry : raw) {
    auto term = canonical_term(entry);
    if (!term)
      return Error::invalid(at(name, n[i].Mark()) + ": \"" + entry + "\" in \"" + std::string(key) +
                            "\" is not an SPDX license id (optionally WITH an exception) or a "
                            "LicenseRef-");
    out.push_back(std::move(*term));
    ++i;
  }
  return out;
}

}  // namespace

Severity default_severity(Category c) {
  switch (c) {
    case Category::kForbidden:
      return Severity::kCritical;
    case Category::kRestricted:
      return Severity::kHigh;
    case Category::kReciprocal:
      return Severity::kMedium;
    case Category::kNotice:
    case Category::kPermissive:
    case Category::kUnencumbered:
      return Severity::kLow;
    case Category::kUnknown:
      return Severity::kUnknown;
  }
  return Severity::kUnknown;
}

Severity severity_for(const Policy& p, Category c) {
  if (auto it = p.severity.find(c); it != p.severity.end()) return it->second;
  return default_severity(c);
}

bool ignores(const Policy& p, const core::Package& pkg) {
  for (const auto& e : p.ignore_packages) {
    if (e.starts_with("pkg:")) {
      if (pkg.purl == e) return true;
      // Without a version: any version (the purl's qualifiers and subpath follow '@...').
      if (e.find('@') == std::string::npos && pkg.purl.starts_with(e) &&
          (pkg.purl.size() == e.size() || pkg.purl[e.size()] == '@' || pkg.purl[e.size()] == '?' ||
           pkg.purl[e.size()] == '#'))
        return true;
    } else if (pkg.name == e) {
      return true;
    }
  }
  return false;
}

Result<Policy> parse_policy(std::string_view text, std::string_view name) {
  BW_TRY(
      core::check_yaml_text(text, name, {.max_bytes = kMaxBytes, .max_flow_depth = kMaxFlowDepth}));
  Policy p;
  p.source = std::string(name);
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return p;  // an empty file: the defaults
    if (!root.IsMap())
      return Error::invalid(at(name, root.Mark()) +
                            ": expected a mapping at the top (severity, "
                            "allow, deny, deny-severity, "
                            "ignore-packages, show)");
    for (const auto& kv : root) {
      if (!kv.first.IsScalar())
        return Error::invalid(at(name, kv.first.Mark()) + ": keys must be plain strings");
      const std::string key = kv.first.Scalar();
      const YAML::Node& value = kv.second;
      if (key == "severity") {
        if (value.IsNull()) continue;
        if (!value.IsMap())
          return Error::invalid(at(name, value.Mark()) +
                                ": \"severity\" must map categories to severities");
        for (const auto& entry : value) {
          const std::string cat = entry.first.IsScalar() ? entry.first.Scalar() : "";
          auto c = parse_category(cat);
          if (!c)
            return Error::invalid(at(name, entry.first.Mark()) + ": unknown category \"" + cat +
                                  "\" (expected forbidden, restricted, reciprocal, notice, "
                                  "permissive, unencumbered or unknown)");
          BW_ASSIGN_OR_RETURN(p.severity[*c], severity_value(entry.second, name));
        }
      } else if (key == "allow") {
        BW_ASSIGN_OR_RETURN(p.allow, license_list(value, key, name));
      } else if (key == "deny") {
        BW_ASSIGN_OR_RETURN(p.deny, license_list(value, key, name));
      } else if (key == "deny-severity") {
        BW_ASSIGN_OR_RETURN(p.deny_severity, severity_value(value, name));
      } else if (key == "ignore-packages") {
        BW_ASSIGN_OR_RETURN(p.ignore_packages, string_list(value, key, name));
      } else if (key == "show") {
        const std::string v = value.IsScalar() ? value.Scalar() : "";
        if (v != "all" && v != "default")
          return Error::invalid(at(name, value.Mark()) + ": \"show\" must be all or default");
        p.show_all = v == "all";
      } else {
        return Error::invalid(at(name, kv.first.Mark()) + ": unknown key \"" + key +
                              "\" (expected severity, allow, deny, deny-severity, "
                              "ignore-packages, show)");
      }
    }
    for (const auto& d : p.deny) {
      if (std::find(p.allow.begin(), p.allow.end(), d) != p.allow.end())
        return Error::invalid(std::string(name) + ": " + d + " is both allowed and denied");
    }
  } catch (const YAML::Exception& e) {
    return Error::invalid(at(name, e.mark) + ": invalid YAML: " + e.msg);
  }
  return p;
}

Result<Policy> load_policy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error::from_errno(path, errno);
  std::string data;
  data.resize(kMaxBytes + 1);
  f.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(f.gcount()));
  return parse_policy(data, path);
}

}  // namespace bulwark::license
