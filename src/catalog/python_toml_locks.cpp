// poetry.lock and uv.lock: TOML documents with one [[package]] table per locked distribution.
// poetry: python-poetry.org/docs/basic-usage/#installing-with-poetrylock; uv:
// docs.astral.sh/uv/concepts/projects/layout/#the-lockfile (source = {registry|git|path|
// editable|virtual}).
#include "catalog/lock_file.hpp"
#include "catalog/python_locks.hpp"
#include "catalog/toml_file.hpp"

namespace bulwark::catalog {

namespace {

const toml::array* package_array(const toml::table& doc, std::string_view what,
                                 core::Result<void>& status) {
  const auto* node = doc.get("package");
  if (node == nullptr) return nullptr;
  const auto* arr = node->as_array();
  if (arr == nullptr)
    status = core::Error::invalid(std::string(what) + ": \"package\" is not an array of tables");
  return arr;
}

}  // namespace

core::Result<std::vector<core::Package>> parse_poetry_lock(std::string_view text,
                                                           std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, parse_toml(text, what));
  core::Result<void> status;
  const auto* arr = package_array(doc, what, status);
  BW_TRY(std::move(status));
  std::vector<core::Package> out;
  if (arr == nullptr) return out;
  for (const auto& node : *arr) {
    const auto* t = node.as_table();
    if (t == nullptr) continue;
    auto name = (*t)["name"].value<std::string>();
    auto version = (*t)["version"].value<std::string>();
    if (!name || !version || name->empty() || version->empty()) continue;
    auto pkg = pypi_package(*name, *version);
    core::LanguageMetadata meta;
    meta.dev = (*t)["category"].value_or(std::string()) == "dev";
    meta.optional = (*t)["optional"].value_or(false);
    meta.resolved = (*t)["source"]["url"].value_or(std::string());
    pkg.metadata = std::move(meta);
    out.push_back(std::move(pkg));
  }
  return out;
}

core::Result<std::vector<core::Package>> parse_uv_lock(std::string_view text,
                                                       std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, parse_toml(text, what));
  core::Result<void> status;
  const auto* arr = package_array(doc, what, status);
  BW_TRY(std::move(status));
  std::vector<core::Package> out;
  if (arr == nullptr) return out;
  for (const auto& node : *arr) {
    const auto* t = node.as_table();
    if (t == nullptr) continue;
    auto name = (*t)["name"].value<std::string>();
    auto version = (*t)["version"].value<std::string>();
    if (!name || !version || name->empty() || version->empty()) continue;
    const auto* source = (*t)["source"].as_table();
    if (source != nullptr && (source->contains("editable") || source->contains("virtual"))) {
      continue;  // the project being locked, not a dependency
    }
    auto pkg = pypi_package(*name, *version);
    core::LanguageMetadata meta;
    if (source != nullptr) {
      for (const auto* k : {"registry", "git", "url", "path", "directory"}) {
        if (auto v = (*source)[k].value<std::string>()) {
          meta.resolved = *v;
          break;
        }
      }
    }
    if (const auto* sdist = (*t)["sdist"].as_table()) {
      meta.integrity = (*sdist)["hash"].value_or(std::string());
    }
    pkg.metadata = std::move(meta);
    out.push_back(std::move(pkg));
  }
  return out;
}

std::vector<image::PathPattern> PoetryLockCataloger::patterns() const {
  return file_name_patterns({"poetry.lock"});
}

core::Result<void> PoetryLockCataloger::analyze(const image::Entry& entry,
                                                image::EntryContent& content,
                                                image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, read_lock_file(entry, content));
  BW_ASSIGN_OR_RETURN(auto pkgs, parse_poetry_lock(text, "poetry.lock"));
  out.packages_by_path[entry.path] = std::move(pkgs);
  return core::ok();
}

std::vector<image::PathPattern> UvLockCataloger::patterns() const {
  return file_name_patterns({"uv.lock"});
}

core::Result<void> UvLockCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                            image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, read_lock_file(entry, content));
  BW_ASSIGN_OR_RETURN(auto pkgs, parse_uv_lock(text, "uv.lock"));
  out.packages_by_path[entry.path] = std::move(pkgs);
  return core::ok();
}

}  // namespace bulwark::catalog
