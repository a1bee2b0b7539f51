// Dockerfile parser following the Dockerfile reference (docs.docker.com/reference/dockerfile):
// parser directives (# escape=, # syntax=, # check=), line continuations with the escape
// character, comments inside continuations, heredocs (<<EOF, <<-EOF, quoted delimiters, several
// per instruction), JSON (exec) and shell forms, flags (--from, --chown, --mount, --platform),
// ARG/ENV expansion ($VAR, ${VAR}, ${VAR:-word}, ${VAR:+word}, ${VAR-word}, ${VAR+word}) and
// multi-stage builds. Every instruction keeps its first and last line.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace bulwark::misconfig::dockerfile {

struct Heredoc {
  std::string delimiter;
  std::string content;
  bool strip_tabs = false;  // <<-
  bool expand = true;       // false when the delimiter was quoted
};

struct Flag {
  std::string name;   // "from" for --from=build
  std::string value;  // expanded
};

struct Instruction {
  std::string keyword;  // upper case: FROM, RUN, ...
  std::string raw;      // everything after the keyword, continuation lines joined
  std::vector<Flag> flags;
  std::string args;  // after the flags (unexpanded)
  bool json_form = false;
  std::vector<std::string> json_args;  // exec form, when json_form
  // Shell-style words of `args`, quotes removed and ARG/ENV expanded where the builder expands
  // them (every instruction except RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK).
  std::vector<std::string> words;
  // ENV, ARG, LABEL: key/value pairs (expanded values; ARG without default has "" and
  // has_value false).
  struct KeyValue {
    std::string key, value;
    bool has_value = true;
  };
  std::vector<KeyValue> pairs;
  std::vector<Heredoc> heredocs;
  int line = 0;      // 1-based first line
  int end_line = 0;  // last line, heredoc bodies included
  int stage = -1;    // index into Dockerfile::stages; -1 before the first FROM

  const Flag* flag(std::string_view name) const;
  // The command text a RUN executes: shell form args, exec args joined by spaces, plus heredoc
  // bodies (a RUN whose script is a heredoc runs that body).
  std::string command_text() const;
};

struct Stage {
  std::string base;      // expanded image reference ("debian:12", "scratch", another stage)
  std::string name;      // "AS name", lower case; "" when unnamed
  std::string platform;  // --platform value
  int line = 0;
  std::vector<size_t> instructions;  // indices into Dockerfile::instructions, FROM first
};

struct Dockerfile {
  char escape = '\\';
  std::string syntax;  // # syntax= directive
  std::vector<Instruction> instructions;
  std::vector<Stage> stages;
  int line_count = 0;
};

struct ParseLimits {
  size_t max_bytes = 16u << 20;  // whole file
  size_t max_instructions = 100'000;
  size_t max_expansion = 64u << 10;  // bytes of one expanded word
};

core::Result<Dockerfile> parse(std::string_view text, std::string_view name,
                               const ParseLimits& limits = {});

// Shell-word expansion as the builder does it for ENV/ARG values (exposed for tests).
std::string expand(std::string_view word, const std::map<std::string, std::string>& vars,
                   char escape = '\\', size_t max_out = 64u << 10);

// Splits a shell-form argument string into words: whitespace separated, '...' and "..."
// quoting, the escape character escaping the next one. Quotes are removed.
std::vector<std::string> split_words(std::string_view s, char escape = '\\');

// True when the first non-comment line is FROM or ARG (content sniffing for `bulwark config`).
bool looks_like_dockerfile(std::string_view text);

}  // namespace bulwark::misconfig::dockerfile
