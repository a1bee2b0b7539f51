// Gemfile.lock as Bundler writes it (bundler/lib/bundler/lockfile_generator.rb): top-level
// section names at column 0; in the source sections (GEM, GIT, PATH, PLUGIN SOURCE) a
// "specs:" list whose entries are "    name (version[-platform])" at four spaces, each followed
// by its dependencies at six; PLATFORMS lists platforms at two spaces.
#include <algorithm>
#include <set>

#include "catalog/ruby.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

using core::Result;

namespace {

constexpr size_t kMaxWarnings = 20;

size_t indent_of(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[n] == ' ') ++n;
  return n;
}

}  // namespace

Result<GemfileLockResult> parse_gemfile_lock(std::string_view text) {
  static const std::set<std::string_view> kSourceSections = {"GEM", "GIT", "PATH", "PLUGIN SOURCE"};
  static const std::set<std::string_view> kOtherSections = {
      "PLATFORMS", "DEPENDENCIES", "RUBY VERSION", "BUNDLED WITH", "CHECKSUMS"};
  GemfileLockResult out;
  size_t line_no = 0;
  auto warn = [&](std::string_view what) {
    if (out.warnings.size() < kMaxWarnings) {
      out.warnings.push_back("line " + std::to_string(line_no) + ": " + std::string(what));
    }
  };
  std::string_view section;
  bool in_specs = false;
  bool known_section_seen = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (core::trim(line).empty()) continue;
    size_t indent = indent_of(line);
    if (indent == 0) {
      section = line;
      in_specs = false;
      if (kSourceSections.count(section) != 0 || kOtherSections.count(section) != 0) {
        known_section_seen = true;
      } else if (line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") ||
                 line.starts_with("=======")) {
        warn("unresolved merge conflict marker");
      } else {
        warn("unknown section skipped");
      }
      continue;
    }
    if (kSourceSections.count(section) != 0) {
      if (indent == 2) {
        in_specs = core::trim(line) == "specs:";
        continue;
      }
      if (!in_specs || indent != 4) continue;  // six spaces: a dependency of the last spec
      auto entry = line.substr(4);
      auto open = entry.find(" (");
      if (open == std::string_view::npos || !entry.ends_with(')')) {
        warn("spec line is not \"name (version)\"");
        continue;
      }
      auto name = entry.substr(0, open);
      auto full = entry.substr(open + 2, entry.size() - open - 3);
      auto [version, platform] = split_gem_platform(full);
      if (name.empty() || version.empty() || name.find(' ') != std::string_view::npos ||
          version.find(' ') != std::string_view::npos) {
        warn("spec line is not \"name (version)\"");
        continue;
      }
      core::Package pkg;
      pkg.name = std::string(name);
      pkg.version = std::string(version);
      pkg.ecosystem = "gem";
      pkg.architecture = std::string(platform);
      pkg.purl = gem_purl(pkg.name, pkg.version, pkg.architecture);
      out.packages.push_back(std::move(pkg));
    } else if (section == "PLATFORMS" && indent == 2) {
      out.platforms.emplace_back(core::trim(line));
    }
  }
  if (!known_section_seen) {
    return core::Error::invalid("Gemfile.lock: no GEM, PLATFORMS or DEPENDENCIES section");
  }
  return out;
}

std::vector<image::PathPattern> GemfileLockCataloger::patterns() const {
  return {image::PathPattern::suffix("/Gemfile.lock"), image::PathPattern::exact("Gemfile.lock"),
          image::PathPattern::suffix("/gems.locked"), image::PathPattern::exact("gems.locked")};
}

Result<void> GemfileLockCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                           image::LayerFacts& out) const {
  if (entry.size > kMaxGemfileLockBytes) {
    return core::Error::limit("Gemfile.lock larger than " +
                              std::to_string(kMaxGemfileLockBytes >> 20) + " MiB");
  }
  BW_ASSIGN_OR_RETURN(auto text, content.read_all(kMaxGemfileLockBytes));
  BW_ASSIGN_OR_RETURN(auto parsed, parse_gemfile_lock(text));
  for (auto& w : parsed.warnings) out.warnings.push_back(entry.path + ": " + w);
  out.packages_by_path[entry.path] = std::move(parsed.packages);
  return core::ok();
}

}  // namespace bulwark::catalog
