#include "catalog/pnpm_lock.hpp"

#include <charconv>

#include "catalog/lock_file.hpp"

namespace bulwark::catalog {

namespace {

// "5.4" / "'6.0'" / "9.0" -> 5 / 6 / 9; 0 when missing or not a number.
int major_version(std::string_view v) {
  int major = 0;
  std::from_chars(v.data(), v.data() + v.size(), major);
  return major;
}

// The name and version a "packages" key encodes.
std::pair<std::string_view, std::string_view> split_key(std::string_view key, int lock_major) {
  if (key.starts_with('/')) key.remove_prefix(1);
  if (lock_major != 0 && lock_major < 6) {
    // v5: "name/1.0.0" or "@scope/name/1.0.0", peers after '_' in the version part.
    auto slash = key.rfind('/');
    if (slash == std::string_view::npos) return {};
    auto version = key.substr(slash + 1);
    version = version.substr(0, version.find('_'));
    return {key.substr(0, slash), version};
  }
  // v6 and v9: "name@1.0.0" or "@scope/name@1.0.0", peers in "(...)".
  key = key.substr(0, key.find('('));
  return split_npm_spec(key);
}

}  // namespace

core::Result<std::vector<core::Package>> parse_pnpm_lock(std::string_view text,
                                                         std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, parse_yaml(text, what));
  auto root = doc.root();
  if (!root.is_mapping()) return core::Error::invalid(std::string(what) + ": not a YAML mapping");
  std::vector<core::Package> out;
  auto lock_version = root.string_at("lockfileVersion");
  if (lock_version.empty()) {
    return core::Error::invalid(std::string(what) + ": no lockfileVersion: not a pnpm lock file");
  }
  int major = major_version(lock_version);
  auto packages = root["packages"];
  if (!packages.valid() || packages.is_null()) return out;
  if (!packages.is_mapping()) {
    return core::Error::invalid(std::string(what) + ": \"packages\" is not a mapping");
  }
  for (auto [key, e] : packages) {
    if (!key.is_scalar()) continue;
    auto [name, version] = split_key(key.scalar(), major);
    // Tarball and git dependencies carry their name and version as fields.
    auto field_name = e.string_at("name");
    auto field_version = e.string_at("version");
    if (!field_name.empty()) name = field_name;
    if (!field_version.empty()) version = field_version;
    if (name.empty() || version.empty() || version.starts_with("link:") ||
        version.starts_with("file:")) {
      continue;
    }
    auto pkg = npm_package(name, version);
    core::LanguageMetadata meta;
    meta.dev = e.string_at("dev") == "true";
    meta.optional = e.string_at("optional") == "true";
    auto resolution = e["resolution"];
    meta.integrity = std::string(resolution.string_at("integrity"));
    meta.resolved = std::string(resolution.string_at("tarball"));
    pkg.metadata = std::move(meta);
    out.push_back(std::move(pkg));
  }
  return out;
}

std::vector<image::PathPattern> PnpmLockCataloger::patterns() const {
  return file_name_patterns({"pnpm-lock.yaml"});
}

core::Result<void> PnpmLockCataloger::analyze(const image::Entry& entry,
                                              image::EntryContent& content,
                                              image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, read_lock_file(entry, content));
  BW_ASSIGN_OR_RETURN(auto pkgs, parse_pnpm_lock(text, "pnpm-lock.yaml"));
  out.packages_by_path[entry.path] = std::move(pkgs);
  return core::ok();
}

}  // namespace bulwark::catalog
