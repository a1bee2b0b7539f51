#include "catalog/yarn_lock.hpp"

#include "catalog/lock_file.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

namespace {

std::string_view unquote(std::string_view s) {
  s = core::trim(s);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

// The package a Yarn 1 entry key describes: the first of its comma-separated specifiers,
// "name@range", or "alias@npm:real@range" for an alias (the real package is what is installed).
std::string_view name_from_v1_key(std::string_view key) {
  auto comma = key.find(',');
  auto spec = unquote(key.substr(0, comma));
  auto [name, range] = split_npm_spec(spec);
  if (range.starts_with("npm:")) {
    auto [real, real_range] = split_npm_spec(range.substr(4));
    if (!real.empty() && !real_range.empty()) return real;
  }
  return name;
}

}  // namespace

core::Result<std::vector<core::Package>> parse_yarn_v1_lock(std::string_view text,
                                                            std::string_view what) {
  std::vector<core::Package> out;
  std::string_view name;
  std::string version;
  core::LanguageMetadata meta;
  bool in_entry = false;
  size_t entries = 0;
  auto flush = [&] {
    if (in_entry && !name.empty() && !version.empty()) {
      auto pkg = npm_package(name, version);
      pkg.metadata = meta;
      out.push_back(std::move(pkg));
    }
    in_entry = false;
    name = {};
    version.clear();
    meta = {};
  };
  size_t pos = 0;
  size_t line_no = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (core::trim(line).empty() || line.front() == '#') continue;
    if (line.front() != ' ') {
      flush();
      if (line.back() != ':') {
        return core::Error::invalid(std::string(what) + ": line " + std::to_string(line_no) +
                                    ": expected an entry key ending in ':'");
      }
      name = name_from_v1_key(line.substr(0, line.size() - 1));
      in_entry = true;
      ++entries;
      continue;
    }
    // Fields of the entry are indented by two spaces; deeper lines are dependency lists.
    if (!in_entry || line.size() < 3 || line[1] != ' ' || line[2] == ' ') continue;
    auto field = line.substr(2);
    auto space = field.find(' ');
    if (space == std::string_view::npos) continue;
    auto key = field.substr(0, space);
    auto value = unquote(field.substr(space + 1));
    if (key == "version") version = std::string(value);
    if (key == "resolved") meta.resolved = std::string(value);
    if (key == "integrity") meta.integrity = std::string(value);
  }
  flush();
  if (entries == 0 && text.find("yarn lockfile") == std::string_view::npos &&
      !core::trim(text).empty()) {
    return core::Error::invalid(std::string(what) + ": no entries: not a yarn.lock");
  }
  return out;
}

core::Result<std::vector<core::Package>> parse_yarn_berry_lock(std::string_view text,
                                                               std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, parse_yaml(text, what));
  auto root = doc.root();
  if (!root.is_mapping()) return core::Error::invalid(std::string(what) + ": not a YAML mapping");
  std::vector<core::Package> out;
  for (auto [key, e] : root) {
    if (!key.is_scalar() || key.scalar() == "__metadata" || !e.is_mapping()) continue;
    auto resolution = e.string_at("resolution");
    auto version = e.string_at("version");
    auto [name, locator] = split_npm_spec(resolution);
    auto protocol = locator.substr(0, locator.find(':'));
    if (name.empty() || version.empty() || e.string_at("linkType") == "soft" ||
        protocol == "workspace" || protocol == "link" || protocol == "portal") {
      continue;
    }
    auto pkg = npm_package(name, version);
    core::LanguageMetadata meta;
    meta.resolved = std::string(resolution);
    meta.integrity = std::string(e.string_at("checksum"));
    pkg.metadata = std::move(meta);
    out.push_back(std::move(pkg));
  }
  return out;
}

core::Result<std::vector<core::Package>> parse_yarn_lock(std::string_view text,
                                                         std::string_view what) {
  // Berry lock files are YAML whose first entry is __metadata; Yarn 1 never writes that key.
  bool berry = text.starts_with("__metadata:") ||
               text.find("\n__metadata:") != std::string_view::npos ||
               text.find("\n\"__metadata\":") != std::string_view::npos;
  return berry ? parse_yarn_berry_lock(text, what) : parse_yarn_v1_lock(text, what);
}

std::vector<image::PathPattern> YarnLockCataloger::patterns() const {
  return file_name_patterns({"yarn.lock"});
}

core::Result<void> YarnLockCataloger::analyze(const image::Entry& entry,
                                              image::EntryContent& content,
                                              image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, read_lock_file(entry, content));
  BW_ASSIGN_OR_RETURN(auto pkgs, parse_yarn_lock(text, "yarn.lock"));
  out.packages_by_path[entry.path] = std::move(pkgs);
  return core::ok();
}

}  // namespace bulwark::catalog
