#include <cstdio>

#include "build_info.hpp"
#include "cli/app.hpp"

namespace bulwark::cli {

void add_version_command(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("version",
                                 "Print bulwark's version and the git revision it was built from");
  cmd->callback([&g] {
    std::printf("bulwark %s\ngit revision: %s\nbuild: %s\n", kVersion, kGitRevision, kBuildType);
    g.exit_code = kExitOk;
  });
}

}  // namespace bulwark::cli
