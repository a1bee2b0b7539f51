#include "catalog/dotnet.hpp"

#include <algorithm>
#include <map>

#include "core/json.hpp"
#include "core/purl.hpp"

namespace bulwark::catalog {

using core::Result;
using nlohmann::json;

namespace {

constexpr size_t kMaxWarnings = 20;

struct Collector {
  std::map<std::pair<std::string, std::string>, core::Package> by_key;
  std::vector<std::string> warnings;
  void warn(std::string w) {
    if (warnings.size() < kMaxWarnings) warnings.push_back(std::move(w));
  }
  void add(const std::string& name, const std::string& version) {
    auto& pkg = by_key[{name, version}];
    if (!pkg.name.empty()) return;
    pkg.name = name;
    pkg.version = version;
    pkg.ecosystem = "nuget";
    pkg.purl = core::PackageUrl{"nuget", "", name, version, {}, ""}.to_string();
  }
  DotnetParseResult finish() {
    DotnetParseResult r;
    for (auto& [key, pkg] : by_key) r.packages.push_back(std::move(pkg));
    r.warnings = std::move(warnings);
    return r;
  }
};

bool valid_nuget_part(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::none_of(s.begin(), s.end(), [](char c) {
    return c == '/' || c == ' ' || static_cast<unsigned char>(c) < 0x20;
  });
}

}  // namespace

Result<DotnetParseResult> parse_deps_json(std::string_view text, std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, what));
  if (!doc.is_object() || !doc.contains("libraries") || !doc["libraries"].is_object()) {
    return core::Error::invalid(std::string(what) + ": not a deps.json (no \"libraries\" object)");
  }
  Collector c;
  for (const auto& [key, lib] : doc["libraries"].items()) {
    // Keys are "Name/Version"; NuGet ids and versions contain no '/'.
    auto slash = key.find('/');
    if (slash == std::string::npos) {
      c.warn("library \"" + key.substr(0, 80) + "\" is not \"Name/Version\"; skipped");
      continue;
    }
    auto name = key.substr(0, slash);
    auto version = key.substr(slash + 1);
    if (!valid_nuget_part(name) || !valid_nuget_part(version)) {
      c.warn("library \"" + key.substr(0, 80) + "\" is not \"Name/Version\"; skipped");
      continue;
    }
    if (core::json_string(lib, "type") != "package") continue;  // project, reference, ...
    c.add(name, version);
  }
  return c.finish();
}

Result<DotnetParseResult> parse_packages_lock_json(std::string_view text, std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, what));
  if (!doc.is_object() || !doc.contains("dependencies") || !doc["dependencies"].is_object()) {
    return core::Error::invalid(std::string(what) +
                                ": not a packages.lock.json (no \"dependencies\" object)");
  }
  Collector c;
  for (const auto& [framework, deps] : doc["dependencies"].items()) {
    if (!deps.is_object()) {
      c.warn("dependencies of " + framework.substr(0, 80) + " are not an object; skipped");
      continue;
    }
    for (const auto& [name, dep] : deps.items()) {
      if (!dep.is_object()) {
        c.warn(framework.substr(0, 80) + ": " + name.substr(0, 80) + ": not an object; skipped");
        continue;
      }
      // Project references are the solution itself; an entry without "resolved" (a
      // CentralTransitive pin nothing uses) names no installed package.
      if (core::json_string(dep, "type") == "Project" || !dep.contains("resolved")) continue;
      auto resolved = core::json_string(dep, "resolved");
      if (!valid_nuget_part(name) || !valid_nuget_part(resolved)) {
        c.warn(framework.substr(0, 80) + ": " + name.substr(0, 80) +
               ": no valid \"resolved\" version; skipped");
        continue;
      }
      c.add(name, resolved);
    }
  }
  return c.finish();
}

std::vector<image::PathPattern> DotnetCataloger::patterns() const {
  return {image::PathPattern::suffix(".deps.json"),
          image::PathPattern::suffix("/packages.lock.json"),
          image::PathPattern::exact("packages.lock.json")};
}

Result<void> DotnetCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                      image::LayerFacts& out) const {
  if (entry.size > kMaxDotnetJsonBytes) {
    return core::Error::limit("larger than the " + std::to_string(kMaxDotnetJsonBytes >> 20) +
                              " MiB limit for .NET dependency files");
  }
  BW_ASSIGN_OR_RETURN(auto text, content.read_all(kMaxDotnetJsonBytes));
  bool deps = entry.path.ends_with(".deps.json");
  auto parsed = deps ? parse_deps_json(text, "deps.json")
                     : parse_packages_lock_json(text, "packages.lock.json");
  if (!parsed.ok()) return std::move(parsed).error();
  for (auto& w : parsed->warnings) out.warnings.push_back(entry.path + ": " + w);
  out.packages_by_path[entry.path] = std::move(parsed->packages);
  return core::ok();
}

}  // namespace bulwark::catalog
