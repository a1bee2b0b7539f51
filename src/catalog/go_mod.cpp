#include "catalog/go_mod.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "catalog/go_binary.hpp"
#include "core/limits.hpp"
#include "core/path.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

using core::Result;

namespace {

// Splits a go.mod line into tokens: bare words and "quoted" / `raw` strings; stops at //.
std::vector<std::string> tokens(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    char c = line[i];
    if (core::is_space(c)) {
      ++i;
    } else if (line.substr(i, 2) == "//") {
      break;
    } else if (c == '"' || c == '`') {
      size_t end = i + 1;
      std::string tok;
      while (end < line.size() && line[end] != c) {
        if (c == '"' && line[end] == '\\' && end + 1 < line.size()) ++end;
        tok += line[end++];
      }
      out.push_back(std::move(tok));
      i = end + 1;
    } else {
      size_t end = i;
      while (end < line.size() && !core::is_space(line[end]) && line.substr(end, 2) != "//") ++end;
      out.emplace_back(line.substr(i, end - i));
      i = end;
    }
  }
  return out;
}

struct Replace {
  std::string old_path, old_version, new_path, new_version;
};

bool is_local_path(const std::string& p) {
  return p.starts_with("./") || p.starts_with("../") || p.starts_with("/") || p == "." || p == "..";
}

core::Package module_package(const std::string& path, const std::string& version) {
  core::Package p;
  p.name = path;
  p.version = version;
  p.ecosystem = "golang";
  p.purl = go_purl(path, version);
  return p;
}

// go 1.16 / 1.21.3 -> comparable (major, minor).
std::pair<int, int> go_release(std::string_view v) {
  int major = 0, minor = 0;
  size_t i = 0;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])))
    major = major * 10 + (v[i++] - '0');
  if (i < v.size() && v[i] == '.') ++i;
  while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && minor < 10000) {
    minor = minor * 10 + (v[i++] - '0');
  }
  return {major, minor};
}

constexpr std::string_view kGoModFact = "go-mod:go ";

}  // namespace

GoModFile parse_go_mod(std::string_view text) {
  GoModFile out;
  std::vector<std::pair<std::string, std::string>> reqs;
  std::vector<Replace> replaces;
  std::string block;  // verb of the open "verb (" block
  size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto t = tokens(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (t.empty()) continue;
    std::string verb;
    size_t first = 0;
    if (!block.empty()) {
      if (t[0] == ")") {
        block.clear();
        continue;
      }
      verb = block;
    } else {
      verb = t[0];
      first = 1;
      if (t.size() == 2 && t[1] == "(") {
        block = verb;
        continue;
      }
    }
    std::vector<std::string> args(t.begin() + static_cast<std::ptrdiff_t>(first), t.end());
    if (verb == "module" && !args.empty()) {
      out.module = args[0];
    } else if (verb == "go" && !args.empty()) {
      out.go_version = args[0];
    } else if (verb == "require" && args.size() >= 2) {
      reqs.emplace_back(args[0], args[1]);
    } else if (verb == "replace") {
      auto arrow = std::find(args.begin(), args.end(), "=>");
      if (arrow == args.end()) continue;
      auto left = static_cast<size_t>(arrow - args.begin());
      size_t right = args.size() - left - 1;
      if (left < 1 || left > 2 || right < 1 || right > 2) continue;
      Replace r{args[0], left == 2 ? args[1] : "", args[left + 1],
                right == 2 ? args[left + 2] : ""};
      replaces.push_back(std::move(r));
    }
  }
  for (const auto& [path, version] : reqs) {
    // A version-specific replacement wins over one for every version (go.mod semantics).
    const Replace* hit = nullptr;
    for (const auto& r : replaces) {
      if (r.old_path != path) continue;
      if (r.old_version == version) {
        hit = &r;
        break;
      }
      if (r.old_version.empty() && hit == nullptr) hit = &r;
    }
    if (hit == nullptr) {
      out.requires_.push_back(module_package(path, version));
    } else if (is_local_path(hit->new_path) || hit->new_version.empty()) {
      out.requires_.push_back(module_package(path, "(devel)"));
    } else {
      out.requires_.push_back(module_package(hit->new_path, hit->new_version));
    }
  }
  return out;
}

std::vector<core::Package> parse_go_sum(std::string_view text) {
  std::vector<core::Package> out;
  std::set<std::pair<std::string, std::string>> seen;
  size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto t = tokens(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (t.size() != 3 || t[1].ends_with("/go.mod")) continue;
    if (seen.emplace(t[0], t[1]).second) out.push_back(module_package(t[0], t[1]));
  }
  return out;
}

std::vector<image::PathPattern> GoModCataloger::patterns() const {
  return {image::PathPattern::exact("go.mod"), image::PathPattern::suffix("/go.mod"),
          image::PathPattern::exact("go.sum"), image::PathPattern::suffix("/go.sum")};
}

Result<void> GoModCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                     image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, content.read_all(core::limits().max_file_read));
  if (entry.path.ends_with("go.mod")) {
    auto mod = parse_go_mod(text);
    out.facts_by_path[entry.path] = {std::string(kGoModFact) + mod.go_version};
    if (!mod.requires_.empty()) out.packages_by_path[entry.path] = std::move(mod.requires_);
  } else {
    auto sum = parse_go_sum(text);
    if (!sum.empty()) out.packages_by_path[entry.path] = std::move(sum);
  }
  return core::ok();
}

void GoModCataloger::finalize(const MergeContext& ctx, std::vector<core::Package>& packages) const {
  // go.sum packages stay only where no go.mod >= 1.17 (which lists every module) sits beside.
  std::map<std::string, bool> complete_mod;  // go.sum path -> its go.mod lists everything
  auto complete = [&](const std::string& sum_path) {
    auto it = complete_mod.find(sum_path);
    if (it != complete_mod.end()) return it->second;
    std::string dir(core::parent_path(sum_path));
    const auto* facts = ctx.facts(dir.empty() ? "go.mod" : dir + "/go.mod");
    bool yes = false;
    if (facts != nullptr) {
      for (const auto& f : *facts) {
        if (f.starts_with(kGoModFact))
          yes = go_release(f.substr(kGoModFact.size())) >= std::pair{1, 17};
      }
    }
    complete_mod[sum_path] = yes;
    return yes;
  };
  std::erase_if(packages, [&](const core::Package& p) {
    return !p.locations.empty() && p.locations[0].path.ends_with("go.sum") &&
           complete(p.locations[0].path);
  });
}

}  // namespace bulwark::catalog
