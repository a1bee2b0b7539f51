#include "catalog/lock_file.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "core/limits.hpp"
#include "core/purl.hpp"

namespace bulwark::catalog {

core::Result<std::string> read_lock_file(const image::Entry& entry, image::EntryContent& content) {
  const uint64_t limit = core::limits().max_lock_file_bytes;
  if (entry.size > limit) {
    return core::Error::limit(std::to_string(entry.size) + " bytes, larger than the limit of " +
                              std::to_string(limit) + " for lock files and manifests");
  }
  return content.read_all(limit);
}

std::vector<image::PathPattern> file_name_patterns(std::initializer_list<std::string_view> names) {
  std::vector<image::PathPattern> out;
  for (auto n : names) {
    out.push_back(image::PathPattern::exact(std::string(n)));
    out.push_back(image::PathPattern::suffix("/" + std::string(n)));
  }
  return out;
}

namespace {
// Nesting that yaml-cpp's recursive descent would follow: flow brackets and block indentation
// (each block level needs at least one more column of indentation or "- " / "? " prefix).
// A cheap early refusal with a clear message; yaml-cpp's own DepthGuard (2000 levels, since
// 0.7.0) stays the backstop for what this scan misjudges (quotes inside plain scalars).
bool yaml_too_deep(std::string_view text, size_t max_depth) {
  size_t flow = 0;
  bool line_start = true;
  size_t prefix = 0;
  char quote = 0;
  char prev = 0;  // previous character of the line outside the indentation (0: none yet)
  for (char c : text) {
    char before = prev;
    prev = c;
    if (c == '\n') {
      prev = 0;
      line_start = true;
      prefix = 0;
      quote = 0;  // flow scalars may span lines; resetting only makes the check stricter
      continue;
    }
    if (line_start) {
      if (c == ' ' || c == '-' || c == '?' || c == ':' || c == '\t') {
        if (++prefix > 2 * max_depth) return true;
        prev = 0;
        continue;
      }
      line_start = false;
    }
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if ((c == '"' || c == '\'') && (before == ' ' || before == '[' || before == '{' ||
                                    before == ',' || before == ':' || before == 0)) {
      quote = c;
    } else if (c == '[' || c == '{') {
      if (++flow > max_depth) return true;
    } else if ((c == ']' || c == '}') && flow > 0) {
      --flow;
    }
  }
  return false;
}
}  // namespace

core::Result<YAML::Node> parse_yaml(std::string_view text, std::string_view what) {
  if (yaml_too_deep(text, core::kMaxJsonDepth)) {
    return core::Error::limit(std::string(what) + ": YAML nested deeper than " +
                              std::to_string(core::kMaxJsonDepth));
  }
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return core::Error::invalid(std::string(what) + ": malformed YAML: " + e.what());
  }
}

std::string yaml_string(const YAML::Node& node, std::string_view key) {
  try {
    if (!node.IsMap()) return {};
    auto v = node[std::string(key)];
    if (!v || !v.IsScalar()) return {};
    return v.Scalar();
  } catch (const YAML::Exception&) {
    return {};
  }
}

bool yaml_bool(const YAML::Node& node, std::string_view key) {
  return yaml_string(node, key) == "true";
}

std::pair<std::string_view, std::string_view> split_npm_spec(std::string_view spec) {
  auto at = spec.find('@', spec.starts_with('@') ? 1 : 0);
  if (at == std::string_view::npos) return {spec, {}};
  return {spec.substr(0, at), spec.substr(at + 1)};
}

core::Package npm_package(std::string_view name, std::string_view version) {
  core::Package p;
  p.name = std::string(name);
  p.version = std::string(version);
  p.ecosystem = "npm";
  core::PackageUrl purl{"npm", "", p.name, p.version, {}, ""};
  if (name.starts_with('@')) {
    auto slash = name.find('/');
    if (slash != std::string_view::npos) {
      purl.namespace_ = std::string(name.substr(0, slash));
      purl.name = std::string(name.substr(slash + 1));
    }
  }
  p.purl = purl.to_string();
  return p;
}

std::string pep503_normalize(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool sep = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      sep = true;
      continue;
    }
    if (sep) out.push_back('-');
    sep = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  if (sep) out.push_back('-');
  return out;
}

core::Package pypi_package(std::string_view name, std::string_view version) {
  core::Package p;
  p.name = pep503_normalize(name);
  p.version = std::string(version);
  p.ecosystem = "pypi";
  p.purl = core::PackageUrl{"pypi", "", p.name, p.version, {}, ""}.to_string();
  return p;
}

}  // namespace bulwark::catalog
