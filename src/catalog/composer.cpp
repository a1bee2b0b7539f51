#include "catalog/composer.hpp"

#include <set>

#include "core/json.hpp"
#include "core/purl.hpp"

namespace bulwark::catalog {

using core::Result;
using nlohmann::json;

namespace {

constexpr size_t kMaxWarnings = 20;

struct Collector {
  ComposerParseResult result;
  void warn(std::string w) {
    if (result.warnings.size() < kMaxWarnings) result.warnings.push_back(std::move(w));
  }
};

// One package object: {"name": "vendor/project", "version": "v1.2.3", "license": [...]}.
void add_package(const json& j, bool dev, size_t index, std::string_view list, Collector& c) {
  auto where = std::string(list) + "[" + std::to_string(index) + "]";
  if (!j.is_object()) {
    c.warn(where + ": not an object; skipped");
    return;
  }
  auto full = core::json_string(j, "name");
  auto version = core::json_string(j, "version");
  auto slash = full.find('/');
  if (full.empty() || slash == std::string::npos || slash == 0 || slash + 1 == full.size() ||
      full.find('/', slash + 1) != std::string::npos) {
    c.warn(where + ": name is not \"vendor/project\"; skipped");
    return;
  }
  if (version.empty()) {
    c.warn(where + " (" + full + "): no version; skipped");
    return;
  }
  ComposerPackage p;
  p.dev = dev;
  auto& pkg = p.package;
  pkg.name = full;
  pkg.version = version;
  pkg.ecosystem = "composer";
  // "license" is an array of SPDX ids in both files; a lone string is accepted too.
  if (auto it = j.find("license"); it != j.end()) {
    if (it->is_string()) {
      pkg.licenses.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& l : *it) {
        if (l.is_string() && !l.get_ref<const std::string&>().empty()) {
          pkg.licenses.push_back(l.get<std::string>());
        }
      }
    }
  }
  core::PackageUrl purl{"composer", full.substr(0, slash), full.substr(slash + 1), version, {}, ""};
  pkg.purl = purl.to_string();
  c.result.packages.push_back(std::move(p));
}

void add_list(const json& doc, std::string_view key, bool dev, Collector& c) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return;
  if (!it->is_array()) {
    c.warn(std::string(key) + ": not an array; skipped");
    return;
  }
  size_t i = 0;
  for (const auto& p : *it) add_package(p, dev, i++, key, c);
}

}  // namespace

Result<ComposerParseResult> parse_composer_lock(std::string_view text, std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, what));
  if (!doc.is_object() || (!doc.contains("packages") && !doc.contains("packages-dev"))) {
    return core::Error::invalid(std::string(what) +
                                ": not a composer.lock (no \"packages\" object member)");
  }
  Collector c;
  add_list(doc, "packages", false, c);
  add_list(doc, "packages-dev", true, c);
  return std::move(c.result);
}

Result<ComposerParseResult> parse_composer_installed(std::string_view text, std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, what));
  Collector c;
  if (doc.is_array()) {  // Composer 1
    size_t i = 0;
    for (const auto& p : doc) add_package(p, false, i++, "packages", c);
    return std::move(c.result);
  }
  if (!doc.is_object() || !doc.contains("packages")) {
    return core::Error::invalid(std::string(what) +
                                ": not an installed.json (neither an array nor {\"packages\"})");
  }
  add_list(doc, "packages", false, c);
  std::set<std::string> dev_names;
  if (auto it = doc.find("dev-package-names"); it != doc.end() && it->is_array()) {
    for (const auto& n : *it) {
      if (n.is_string()) dev_names.insert(n.get<std::string>());
    }
  }
  for (auto& p : c.result.packages) p.dev = dev_names.count(p.package.name) != 0;
  return std::move(c.result);
}

std::vector<image::PathPattern> ComposerCataloger::patterns() const {
  return {image::PathPattern::suffix("/composer.lock"), image::PathPattern::exact("composer.lock"),
          image::PathPattern::suffix("/installed.json"),
          image::PathPattern::exact("vendor/composer/installed.json")};
}

bool ComposerCataloger::wants(const image::Entry& entry) const {
  // "/installed.json" is matched by file name (one lookup); only Composer's own counts.
  return entry.path.ends_with("composer.lock") || entry.path == "vendor/composer/installed.json" ||
         entry.path.ends_with("/vendor/composer/installed.json");
}

Result<void> ComposerCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                        image::LayerFacts& out) const {
  bool lock = entry.path.ends_with("composer.lock");
  // "/installed.json" is matched by file name (one lookup); only Composer's own counts.
  if (!lock && entry.path != "vendor/composer/installed.json" &&
      !entry.path.ends_with("/vendor/composer/installed.json")) {
    return core::ok();
  }
  if (entry.size > kMaxComposerJsonBytes) {
    return core::Error::limit("larger than the " + std::to_string(kMaxComposerJsonBytes >> 20) +
                              " MiB limit for Composer files");
  }
  BW_ASSIGN_OR_RETURN(auto text, content.read_all(kMaxComposerJsonBytes));
  auto parsed = lock ? parse_composer_lock(text, "composer.lock")
                     : parse_composer_installed(text, "installed.json");
  if (!parsed.ok()) return std::move(parsed).error();
  for (auto& w : parsed->warnings) out.warnings.push_back(entry.path + ": " + w);
  auto& pkgs = out.packages_by_path[entry.path];
  for (auto& p : parsed->packages) {
    // Reported like npm's dev flag: LanguageMetadata, "bulwark:lock:dev" in CycloneDX.
    core::LanguageMetadata m;
    m.dev = p.dev;
    p.package.metadata = std::move(m);
    pkgs.push_back(std::move(p.package));
  }
  return core::ok();
}

}  // namespace bulwark::catalog
