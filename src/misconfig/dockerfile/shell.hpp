// Just enough POSIX shell to lint RUN scripts: simple commands with their words (quotes
// removed), which commands receive a pipe, and command/process substitutions kept as text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace bulwark::misconfig::dockerfile {

struct Command {
  std::vector<std::string> words;  // leading NAME=value assignments removed
  std::vector<std::string> assignments;
  bool piped_in = false;  // `a | b`: true for b
};

std::vector<Command> shell_commands(std::string_view script, char escape = '\\');

// The command a wrapper runs: skips sudo (and its options), env, nohup, time, exec, command.
// Returns the index of the program word, or words.size() when there is none.
size_t program_index(const std::vector<std::string>& words);

// Basename of a program word: "/usr/bin/apt-get" -> "apt-get".
std::string_view program_name(std::string_view word);

}  // namespace bulwark::misconfig::dockerfile
