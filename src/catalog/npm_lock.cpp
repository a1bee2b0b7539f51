#include "catalog/npm_lock.hpp"

#include "catalog/lock_file.hpp"
#include "core/json.hpp"

namespace bulwark::catalog {

namespace {

constexpr std::string_view kNodeModules = "node_modules/";

core::LanguageMetadata lock_metadata(const nlohmann::json& e) {
  core::LanguageMetadata m;
  auto flag = [&](const char* k) {
    auto it = e.find(k);
    return it != e.end() && it->is_boolean() && it->get<bool>();
  };
  m.dev = flag("dev") || flag("devOptional");
  m.optional = flag("optional") || flag("devOptional");
  m.resolved = core::json_string(e, "resolved");
  m.integrity = core::json_string(e, "integrity");
  return m;
}

// "npm:real-name@1.2.3" (an alias) -> {"real-name", "1.2.3"}; otherwise {"", version}.
std::pair<std::string_view, std::string_view> alias_target(std::string_view version) {
  if (!version.starts_with("npm:")) return {{}, version};
  return split_npm_spec(version.substr(4));
}

// Versions that name no registry release: local paths and links.
bool is_local(std::string_view version) {
  return version.starts_with("file:") || version.starts_with("link:");
}

void add(std::vector<core::Package>& out, std::string_view name, std::string_view version,
         const nlohmann::json& e) {
  if (name.empty() || version.empty() || is_local(version)) return;
  auto pkg = npm_package(name, version);
  pkg.licenses = npm_declared_licenses(e);
  pkg.metadata = lock_metadata(e);
  out.push_back(std::move(pkg));
}

// lockfileVersion 1: name -> {version, dev, optional, dependencies: {nested...}}. The tree is
// walked with an explicit stack; parse_json already bounds its depth.
void walk_v1(const nlohmann::json& deps, std::vector<core::Package>& out) {
  std::vector<const nlohmann::json*> stack{&deps};
  while (!stack.empty()) {
    const auto* d = stack.back();
    stack.pop_back();
    if (!d->is_object()) continue;
    for (const auto& [key, e] : d->items()) {
      if (!e.is_object()) continue;
      auto version = core::json_string(e, "version");
      auto [alias_name, alias_version] = alias_target(version);
      if (!alias_name.empty()) {
        add(out, alias_name, alias_version, e);
      } else {
        add(out, key, version, e);
      }
      if (auto it = e.find("dependencies"); it != e.end()) stack.push_back(&*it);
    }
  }
}

// lockfileVersion 2/3: "node_modules/a/node_modules/@s/b" -> "@s/b", unless the entry says
// its real name (aliases).
void walk_packages(const nlohmann::json& packages, std::vector<core::Package>& out) {
  for (const auto& [key, e] : packages.items()) {
    if (!e.is_object() || key.empty()) continue;  // "" is the project itself
    auto pos = key.rfind(kNodeModules);
    if (pos == std::string::npos) continue;  // a workspace folder, listed by its link
    if (e.contains("link")) continue;        // the link's target has its own entry
    std::string name = core::json_string(e, "name");
    if (name.empty()) name = key.substr(pos + kNodeModules.size());
    add(out, name, core::json_string(e, "version"), e);
  }
}

}  // namespace

std::vector<std::string> npm_declared_licenses(const nlohmann::json& manifest) {
  std::vector<std::string> out;
  if (!manifest.is_object()) return out;
  auto push = [&](const nlohmann::json& v) {
    if (v.is_string() && !v.get<std::string>().empty()) {
      out.push_back(v.get<std::string>());
    } else if (v.is_object()) {
      auto t = core::json_string(v, "type");
      if (!t.empty()) out.push_back(t);
    }
  };
  if (auto it = manifest.find("license"); it != manifest.end()) push(*it);
  if (auto it = manifest.find("licenses"); it != manifest.end() && it->is_array()) {
    for (const auto& l : *it) push(l);
  }
  return out;
}

core::Result<std::vector<core::Package>> parse_package_lock(std::string_view text,
                                                            std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, what));
  if (!doc.is_object()) {
    return core::Error::invalid(std::string(what) + ": not a JSON object");
  }
  std::vector<core::Package> out;
  auto packages = doc.find("packages");
  if (packages != doc.end() && packages->is_object()) {
    walk_packages(*packages, out);
  } else if (auto deps = doc.find("dependencies"); deps != doc.end() && deps->is_object()) {
    walk_v1(*deps, out);
  } else if (!doc.contains("lockfileVersion")) {
    return core::Error::invalid(std::string(what) +
                                ": neither \"packages\" nor \"dependencies\" nor "
                                "\"lockfileVersion\": not an npm lock file");
  }
  return out;
}

std::vector<image::PathPattern> NpmLockCataloger::patterns() const {
  return file_name_patterns({"package-lock.json", "npm-shrinkwrap.json"});
}

core::Result<void> NpmLockCataloger::analyze(const image::Entry& entry,
                                             image::EntryContent& content,
                                             image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, read_lock_file(entry, content));
  BW_ASSIGN_OR_RETURN(auto pkgs, parse_package_lock(text, "npm lock file"));
  out.packages_by_path[entry.path] = std::move(pkgs);
  return core::ok();
}

}  // namespace bulwark::catalog
