#include "catalog/lock_file.hpp"
#include "catalog/python_locks.hpp"
#include "core/path.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

bool is_requirements_file(std::string_view path) {
  auto base = core::base_name(path);
  return base.ends_with(".txt") && base.find("requirements") != std::string_view::npos;
}

std::vector<core::Package> parse_requirements(std::string_view text) {
  std::vector<core::Package> out;
  std::string logical;  // lines joined at trailing backslashes
  auto handle = [&](std::string_view line) {
    if (auto hash = line.find(" #"); hash != std::string_view::npos) line = line.substr(0, hash);
    line = core::trim(line);
    if (line.empty() || line.front() == '#' || line.front() == '-') return;
    if (auto semi = line.find(';'); semi != std::string_view::npos) line = line.substr(0, semi);
    auto eq = line.find("==");
    if (eq == std::string_view::npos) return;
    auto name = core::trim(line.substr(0, eq));
    if (auto bracket = name.find('['); bracket != std::string_view::npos) {
      name = core::trim(name.substr(0, bracket));
    }
    auto version = line.substr(eq + 2);
    if (version.starts_with('=')) version.remove_prefix(1);  // "===" arbitrary equality
    version = core::trim(version);
    version = core::trim(version.substr(0, version.find_first_of(" \t,")));
    if (name.empty() || version.empty() || version.find('*') != std::string_view::npos) return;
    for (char c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return;
    }
    out.push_back(pypi_package(name, version));
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\\') {
      logical.append(line.substr(0, line.size() - 1));
      continue;
    }
    logical.append(line);
    handle(logical);
    logical.clear();
  }
  if (!logical.empty()) handle(logical);
  return out;
}

std::vector<image::PathPattern> PythonRequirementsCataloger::patterns() const {
  // Any depth, any *requirements*.txt name: a suffix costs one hash lookup per entry, where
  // globs with wildcard directories would cost an fnmatch each; analyze() checks the name.
  return {image::PathPattern::suffix(".txt")};
}

bool PythonRequirementsCataloger::wants(const image::Entry& entry) const {
  return is_requirements_file(entry.path);
}

core::Result<void> PythonRequirementsCataloger::analyze(const image::Entry& entry,
                                                        image::EntryContent& content,
                                                        image::LayerFacts& out) const {
  if (!is_requirements_file(entry.path)) return core::ok();
  BW_ASSIGN_OR_RETURN(auto text, read_lock_file(entry, content));
  out.packages_by_path[entry.path] = parse_requirements(text);
  return core::ok();
}

}  // namespace bulwark::catalog
