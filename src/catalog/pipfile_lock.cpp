#include "catalog/lock_file.hpp"
#include "catalog/python_locks.hpp"
#include "core/json.hpp"

namespace bulwark::catalog {

// Pipfile.lock (github.com/pypa/pipfile, pipenv's lock writer): "default" and "develop" map
// names to {"version": "==1.2.3", "hashes": [...], "index": ...}.
core::Result<std::vector<core::Package>> parse_pipfile_lock(std::string_view text,
                                                            std::string_view what) {
  BW_ASSIGN_OR_RETURN(auto doc, core::parse_json(text, what));
  if (!doc.is_object() || (!doc.contains("default") && !doc.contains("develop"))) {
    return core::Error::invalid(std::string(what) +
                                ": no \"default\" or \"develop\" section: not a Pipfile.lock");
  }
  std::vector<core::Package> out;
  for (const auto* section : {"default", "develop"}) {
    auto it = doc.find(section);
    if (it == doc.end() || !it->is_object()) continue;
    for (const auto& [name, e] : it->items()) {
      auto version = core::json_string(e, "version");
      if (!version.starts_with("==")) continue;  // git/path entries carry no version
      version = version.substr(version.starts_with("===") ? 3 : 2);
      if (version.empty()) continue;
      auto pkg = pypi_package(name, version);
      core::LanguageMetadata meta;
      meta.dev = std::string_view(section) == "develop";
      if (auto h = e.find("hashes");
          h != e.end() && h->is_array() && !h->empty() && h->front().is_string()) {
        meta.integrity = h->front().get<std::string>();
      }
      pkg.metadata = std::move(meta);
      out.push_back(std::move(pkg));
    }
  }
  return out;
}

std::vector<image::PathPattern> PipfileLockCataloger::patterns() const {
  return file_name_patterns({"Pipfile.lock"});
}

core::Result<void> PipfileLockCataloger::analyze(const image::Entry& entry,
                                                 image::EntryContent& content,
                                                 image::LayerFacts& out) const {
  BW_ASSIGN_OR_RETURN(auto text, read_lock_file(entry, content));
  BW_ASSIGN_OR_RETURN(auto pkgs, parse_pipfile_lock(text, "Pipfile.lock"));
  out.packages_by_path[entry.path] = std::move(pkgs);
  return core::ok();
}

}  // namespace bulwark::catalog
