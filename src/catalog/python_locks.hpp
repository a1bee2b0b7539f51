// Python dependency declarations that pin exact versions: requirements*.txt (pip's
// requirements file format, only "name==version" lines), Pipfile.lock (JSON), poetry.lock and
// uv.lock (TOML). One cataloger each; the parsers are exposed for tests and fuzzing.
#pragma once

#include <string_view>
#include <vector>

#include "catalog/cataloger.hpp"

namespace bulwark::catalog {

class PythonRequirementsCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "python-requirements"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  bool wants(const image::Entry& entry) const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

class PipfileLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "pipfile-lock"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

class PoetryLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "poetry-lock"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

class UvLockCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "uv-lock"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override;
  core::Result<void> analyze(const image::Entry& entry, image::EntryContent& content,
                             image::LayerFacts& out) const override;
};

// True for file names pip tools use for requirements: requirements.txt, requirements-dev.txt,
// dev-requirements.txt, requirements_test.txt ...
bool is_requirements_file(std::string_view path);
// Only pinned lines ("name==1.0", "name[extra]==1.0 ; marker", "name===1.0"); ranges, URLs,
// options and includes are not packages at a known version.
std::vector<core::Package> parse_requirements(std::string_view text);
core::Result<std::vector<core::Package>> parse_pipfile_lock(std::string_view text,
                                                            std::string_view what);
core::Result<std::vector<core::Package>> parse_poetry_lock(std::string_view text,
                                                           std::string_view what);
// The project itself (editable or virtual source) is skipped.
core::Result<std::vector<core::Package>> parse_uv_lock(std::string_view text,
                                                       std::string_view what);

}  // namespace bulwark::catalog
