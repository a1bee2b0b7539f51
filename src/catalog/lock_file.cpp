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

core::Result<core::YamlDoc> parse_yaml(std::string_view text, std::string_view what) {
  return core::YamlDoc::parse(text, what, core::kMaxJsonDepth);
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
