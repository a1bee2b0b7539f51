#include "npm_project.hpp"

#include <nlohmann/json.hpp>

#include "support/test_env.hpp"

namespace bulwark::catalog {

namespace {
void collect(const nlohmann::json& node, NameVersions& out) {
  auto deps = node.find("dependencies");
  if (deps == node.end() || !deps->is_object()) return;
  for (const auto& [name, d] : deps->items()) {
    if (d.contains("version")) out.emplace(name, d["version"].get<std::string>());
    collect(d, out);
  }
}
}  // namespace

int run_npm(const std::filesystem::path& dir, const std::string& args, std::string* out) {
  return testing::run_command("cd '" + dir.string() +
                                  "' && npm --cache /var/tmp/bulwark-test-npm-cache "
                                  "--ignore-scripts --no-audit --no-fund --loglevel=error " +
                                  args,
                              out);
}

const NpmProject* npm_project(std::string* why) {
  static std::optional<testing::TempDir> tmp;
  static std::optional<NpmProject> project;
  static std::string error;
  if (project) return &*project;
  if (!error.empty()) {
    *why = error;
    return nullptr;
  }
  if (!testing::have_command("npm")) {
    *why = error = "npm not installed";
    return nullptr;
  }
  tmp.emplace();
  auto dir = tmp->path() / "app";
  std::filesystem::create_directories(dir);
  testing::write_file(dir / "package.json",
                      R"({"name": "bulwark-npm-test", "version": "1.0.0", "private": true})");
  if (run_npm(dir,
              "install --save-exact lodash@4.17.21 @types/node@18.0.0 debug@2.6.9 ms@2.1.3 "
              "chalk@4.1.2 >&2") != 0 ||
      run_npm(dir, "install --save-dev --save-exact minimist@1.2.8 >&2") != 0) {
    *why = error = "npm install failed (is the npm registry reachable?)";
    return nullptr;
  }
  std::string ls;
  if (run_npm(dir, "ls --all --json", &ls) != 0) {
    *why = error = "npm ls failed";
    return nullptr;
  }
  NpmProject p;
  p.dir = dir;
  auto tree = nlohmann::json::parse(ls);
  collect(tree, p.npm_ls);
  p.with_project = p.npm_ls;
  p.with_project.emplace(tree.value("name", ""), tree.value("version", ""));
  project = std::move(p);
  return &*project;
}

}  // namespace bulwark::catalog
