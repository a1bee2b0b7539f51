// A real npm project made once per test program: `npm install --ignore-scripts` of pinned
// releases (a scoped package, a transitive tree, a nested duplicate: debug@2.6.9 needs
// ms@2.0.0 while ms@2.1.3 is top-level, and a dev dependency) into a temp dir, with npm's own
// view of the installed tree (`npm ls --all --json`) as the reference.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "language_scan.hpp"

namespace bulwark::catalog {

struct NpmProject {
  std::filesystem::path dir;  // holds package.json, package-lock.json (v3), node_modules/
  NameVersions npm_ls;        // every (name, version) npm ls reports below the root
  // npm_ls plus the project itself (name and version of its package.json), which a scan of
  // the project reports as the application's package.
  NameVersions with_project;
};

// The installed project, or nullopt with *why set (npm missing, registry unreachable).
const NpmProject* npm_project(std::string* why);

// Runs npm in `dir` with the test cache; returns the exit status.
int run_npm(const std::filesystem::path& dir, const std::string& args, std::string* out = nullptr);

}  // namespace bulwark::catalog
