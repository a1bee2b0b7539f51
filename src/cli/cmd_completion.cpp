// `bulwark completion bash`: a completion script generated from the parser itself, so every
// command and option stays in sync with the binary.
#include <cstdio>

#include "cli/app.hpp"

namespace bulwark::cli {

namespace {

std::string option_names(const CLI::App& app) {
  std::string out;
  for (const auto* opt : app.get_options()) {
    for (const auto& l : opt->get_lnames()) out += " --" + l;
    for (const auto& s : opt->get_snames()) out += " -" + s;
  }
  return out;
}

std::string bash_script(const CLI::App& root) {
  std::string commands;
  std::string cases;
  for (const auto* sub : root.get_subcommands([](const CLI::App*) { return true; })) {
    commands += " " + sub->get_name();
    cases += "    " + sub->get_name() + ") opts=\"" + option_names(*sub) + "\" ;;\n";
  }
  return "# bash completion for bulwark; install with:\n"
         "#   bulwark completion bash > /etc/bash_completion.d/bulwark\n"
         "_bulwark() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} cmd='' opts='' i\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n"
         "  done\n"
         "  if [[ -z $cmd ]]; then\n"
         "    COMPREPLY=($(compgen -W \"" +
         commands + option_names(root) +
         "\" -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  case $cmd in\n" +
         cases +
         "  esac\n"
         "  case ${COMP_WORDS[COMP_CWORD-1]} in\n"
         "    -f|--format) COMPREPLY=($(compgen -W 'cyclonedx spdx json table' -- \"$cur\")); "
         "return ;;\n"
         "    -o|--output|--cache-dir) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
         "  esac\n"
         "  if [[ $cur == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
         "  else\n"
         "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
         "  fi\n"
         "}\n"
         "complete -F _bulwark bulwark\n";
}

}  // namespace

void add_completion_command(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash)");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "Shell to complete for")
      ->required()
      ->check(CLI::IsMember({"bash"}));
  cmd->callback([&app, &g, shell] {
    auto text = bash_script(app);
    std::fwrite(text.data(), 1, text.size(), stdout);
    g.exit_code = kExitOk;
  });
}

}  // namespace bulwark::cli
