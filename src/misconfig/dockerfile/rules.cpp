// Dockerfile rules. IDs, titles and hints are ours; several ideas follow the public rule list
// of hadolint (DL3000-DL4006) and the Docker build checks, rewritten from their descriptions.
#include "misconfig/dockerfile/rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <regex>
#include <set>

#include "misconfig/dockerfile/shell.hpp"
#include "misconfig/secret_hint.hpp"

namespace bulwark::misconfig::dockerfile {

namespace {

using report::Severity;

struct Ctx {
  const Dockerfile& df;
  std::string_view file;
  std::vector<std::vector<Command>> commands;  // per instruction (RUN only)
};

using CheckFn = void (*)(const Ctx&, const Rule&, std::vector<Issue>&);

struct DfRule {
  Rule rule;
  CheckFn check;
};

void emit(const Ctx& c, const Rule& r, std::vector<Issue>& out, int line, std::string message) {
  Issue i;
  i.rule = &r;
  i.file = std::string(c.file);
  i.line = line;
  i.message = std::move(message);
  out.push_back(std::move(i));
}

std::string lower(std::string_view s) {
  std::string u(s);
  for (auto& ch : u) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return u;
}

const Stage& final_stage(const Dockerfile& df) {
  return df.stages.back();
}

// The stage a stage builds on, when its base names an earlier stage of this file.
std::optional<size_t> parent_stage(const Dockerfile& df, size_t s) {
  std::string base = lower(df.stages[s].base);
  for (size_t i = 0; i < s; ++i) {
    if (!df.stages[i].name.empty() && df.stages[i].name == base) return i;
  }
  return std::nullopt;
}

bool stage_reference(const Dockerfile& df, size_t s) {
  return parent_stage(df, s).has_value();
}

// Last instruction with `keyword` in stage `s` or, when absent, in the stages it builds on.
const Instruction* inherited_last(const Dockerfile& df, size_t s, std::string_view keyword) {
  for (int guard = 0; guard < 1000; ++guard) {
    const Instruction* found = nullptr;
    for (size_t idx : df.stages[s].instructions) {
      if (df.instructions[idx].keyword == keyword) found = &df.instructions[idx];
    }
    if (found != nullptr) return found;
    auto p = parent_stage(df, s);
    if (!p) return nullptr;
    s = *p;
  }
  return nullptr;
}

template <typename F>
void for_each(const Ctx& c, std::string_view keyword, F&& f) {
  for (size_t i = 0; i < c.df.instructions.size(); ++i) {
    if (c.df.instructions[i].keyword == keyword) f(i, c.df.instructions[i]);
  }
}

// Every simple command of every RUN, with the program index past sudo/env wrappers.
template <typename F>
void for_each_command(const Ctx& c, F&& f) {
  for (size_t i = 0; i < c.df.instructions.size(); ++i) {
    for (const auto& cmd : c.commands[i]) {
      size_t p = program_index(cmd.words);
      if (p < cmd.words.size()) f(c.df.instructions[i], cmd, p);
    }
  }
}

bool is_root_user(std::string_view u) {
  std::string_view name = u.substr(0, u.find(':'));
  return name == "root" || name == "0";
}

// ---- image references ----
struct ImageRef {
  std::string name, tag, digest;
};

ImageRef parse_ref(std::string_view ref) {
  ImageRef r;
  if (size_t at = ref.find('@'); at != std::string_view::npos) {
    r.digest = std::string(ref.substr(at + 1));
    ref = ref.substr(0, at);
  }
  size_t colon = ref.rfind(':');
  size_t slash = ref.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    r.tag = std::string(ref.substr(colon + 1));
    ref = ref.substr(0, colon);
  }
  r.name = std::string(ref);
  return r;
}

template <typename F>
void for_each_external_base(const Ctx& c, F&& f) {
  for (size_t s = 0; s < c.df.stages.size(); ++s) {
    const auto& st = c.df.stages[s];
    if (st.base.empty() || lower(st.base) == "scratch" || stage_reference(c.df, s)) continue;
    f(st, parse_ref(st.base));
  }
}

void check_final_root(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  const Instruction* user = inherited_last(c.df, c.df.stages.size() - 1, "USER");
  if (user != nullptr && !user->words.empty() && is_root_user(user->words[0])) {
    emit(c, r, out, user->line, "the final stage switches to USER " + user->words[0]);
  }
}

void check_final_no_user(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  if (inherited_last(c.df, c.df.stages.size() - 1, "USER") == nullptr) {
    emit(c, r, out, final_stage(c.df).line,
         "no USER in the final stage: the container runs as root unless the runtime overrides it");
  }
}

void check_latest(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_external_base(c, [&](const Stage& st, const ImageRef& ref) {
    if (ref.tag == "latest" && ref.digest.empty())
      emit(c, r, out, st.line, "FROM " + st.base + " uses the mutable 'latest' tag");
  });
}

void check_no_tag(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_external_base(c, [&](const Stage& st, const ImageRef& ref) {
    if (ref.tag.empty() && ref.digest.empty() && st.base.find('$') == std::string::npos)
      emit(c, r, out, st.line, "FROM " + st.base + " has no tag: it means 'latest'");
  });
}

void check_no_digest(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_external_base(c, [&](const Stage& st, const ImageRef& ref) {
    if (!ref.tag.empty() && ref.tag != "latest" && ref.digest.empty())
      emit(c, r, out, st.line, "FROM " + st.base + " is not pinned by digest");
  });
}

bool is_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("git@") ||
         s.starts_with("ftp://");
}

bool is_archive(std::string_view s) {
  std::string l = lower(s);
  for (std::string_view ext :
       {".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst",
        ".tzst", ".tar.lz", ".tar.lzma", ".gz", ".bz2", ".xz"}) {
    if (l.ends_with(ext)) return true;
  }
  return false;
}

// Sources of a COPY/ADD (every word but the destination).
std::vector<std::string> sources(const Instruction& ins) {
  std::vector<std::string> s = ins.words;
  if (!s.empty()) s.pop_back();
  return s;
}

void check_add_url(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "ADD", [&](size_t, const Instruction& ins) {
    if (ins.flag("checksum") != nullptr) return;
    for (const auto& s : sources(ins)) {
      if (is_url(s)) emit(c, r, out, ins.line, "ADD downloads " + s + " without --checksum");
    }
  });
}

void check_add_for_copy(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "ADD", [&](size_t, const Instruction& ins) {
    auto src = sources(ins);
    if (src.empty() || !ins.heredocs.empty()) return;
    bool special = std::any_of(src.begin(), src.end(),
                               [](const auto& s) { return is_url(s) || is_archive(s); });
    if (!special) emit(c, r, out, ins.line, "ADD of local files " + src.front() + ": COPY fits");
  });
}

// ---- package managers ----
bool has_word(const Command& cmd, size_t from, std::initializer_list<std::string_view> opts) {
  for (size_t i = from; i < cmd.words.size(); ++i) {
    for (auto o : opts) {
      if (cmd.words[i] == o) return true;
    }
  }
  return false;
}

// A short-option cluster ("-qy") containing `letter`.
bool has_short(const Command& cmd, size_t from, char letter) {
  for (size_t i = from; i < cmd.words.size(); ++i) {
    const auto& w = cmd.words[i];
    if (w.size() >= 2 && w[0] == '-' && w[1] != '-' && w.find(letter) != std::string::npos)
      return true;
  }
  return false;
}

// The first non-option word after the program: "install" in "apt-get -q install x".
std::optional<size_t> subcommand(const Command& cmd, size_t p) {
  for (size_t i = p + 1; i < cmd.words.size(); ++i) {
    const auto& w = cmd.words[i];
    if (w.starts_with("-")) {
      if (w == "-o" || w == "-c" || w == "-t") ++i;  // options with a value
      continue;
    }
    return i;
  }
  return std::nullopt;
}

bool is_cmd(const Command& cmd, size_t p, std::initializer_list<std::string_view> programs,
            std::initializer_list<std::string_view> subs) {
  std::string_view prog = program_name(cmd.words[p]);
  if (std::find(programs.begin(), programs.end(), prog) == programs.end()) return false;
  auto s = subcommand(cmd, p);
  if (!s) return false;
  return std::find(subs.begin(), subs.end(), cmd.words[*s]) != subs.end();
}

// Packages named after the subcommand (not options, not local files).
std::vector<std::string> package_args(const Command& cmd, size_t sub) {
  std::vector<std::string> out;
  for (size_t i = sub + 1; i < cmd.words.size(); ++i) {
    const auto& w = cmd.words[i];
    if (w.starts_with("-")) {
      if (w == "-o" || w == "-t" || w == "--target-release") ++i;
      continue;
    }
    if (w.ends_with(".deb") || w.starts_with("/") || w.starts_with(".") ||
        w.find('$') != std::string::npos)
      continue;
    out.push_back(w);
  }
  return out;
}

bool run_has_cache_mount(const Instruction& ins, std::string_view target_part) {
  for (const auto& f : ins.flags) {
    if (f.name == "mount" && f.value.find("type=cache") != std::string::npos &&
        f.value.find(target_part) != std::string::npos)
      return true;
  }
  return false;
}

bool run_removes(const Ctx& c, const Instruction& ins, std::string_view path_part) {
  size_t idx = static_cast<size_t>(&ins - c.df.instructions.data());
  for (const auto& cmd : c.commands[idx]) {
    size_t p = program_index(cmd.words);
    if (p >= cmd.words.size() || program_name(cmd.words[p]) != "rm") continue;
    for (size_t i = p + 1; i < cmd.words.size(); ++i) {
      if (cmd.words[i].find(path_part) != std::string::npos) return true;
    }
  }
  return false;
}

bool run_has(const Ctx& c, const Instruction& ins, std::initializer_list<std::string_view> programs,
             std::initializer_list<std::string_view> subs) {
  size_t idx = static_cast<size_t>(&ins - c.df.instructions.data());
  for (const auto& cmd : c.commands[idx]) {
    size_t p = program_index(cmd.words);
    if (p < cmd.words.size() && is_cmd(cmd, p, programs, subs)) return true;
  }
  return false;
}

void check_apt_yes(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (!is_cmd(cmd, p, {"apt-get", "apt"}, {"install", "upgrade", "dist-upgrade"})) return;
    if (has_word(cmd, p, {"--yes", "--assume-yes", "-qq"}) || has_short(cmd, p + 1, 'y')) return;
    emit(c, r, out, ins.line, "apt-get without -y waits for an answer the build cannot give");
  });
}

void check_apt_recommends(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (!is_cmd(cmd, p, {"apt-get"}, {"install"})) return;
    if (has_word(cmd, p, {"--no-install-recommends"})) return;
    for (size_t i = p; i < cmd.words.size(); ++i) {
      if (cmd.words[i].find("Install-Recommends=") != std::string::npos) return;
    }
    emit(c, r, out, ins.line, "apt-get install without --no-install-recommends");
  });
}

void check_apt_lists(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "RUN", [&](size_t, const Instruction& ins) {
    if (!run_has(c, ins, {"apt-get", "apt"}, {"install"})) return;
    if (run_removes(c, ins, "/var/lib/apt/lists") || run_has_cache_mount(ins, "/var/lib/apt"))
      return;
    emit(c, r, out, ins.line, "apt-get install without removing /var/lib/apt/lists/*");
  });
}

void check_apt_pin(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (!is_cmd(cmd, p, {"apt-get", "apt"}, {"install"})) return;
    auto sub = subcommand(cmd, p);
    for (const auto& pkg : package_args(cmd, *sub)) {
      if (pkg.find('=') == std::string::npos) {
        emit(c, r, out, ins.line, "apt-get install " + pkg + " without a version pin (pkg=ver)");
      }
    }
  });
}

void check_upgrade(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    bool upgrade = is_cmd(cmd, p, {"apt-get", "apt", "aptitude"},
                          {"upgrade", "dist-upgrade", "full-upgrade"}) ||
                   is_cmd(cmd, p, {"apk"}, {"upgrade"}) ||
                   is_cmd(cmd, p, {"yum", "dnf", "microdnf", "zypper"},
                          {"upgrade", "update", "distro-sync", "dist-upgrade", "dup"});
    if (!upgrade) return;
    // "yum update PKG" updates named packages; only a blanket upgrade is flagged.
    std::string_view prog = program_name(cmd.words[p]);
    if (prog == "yum" || prog == "dnf" || prog == "microdnf" || prog == "zypper") {
      if (!package_args(cmd, *subcommand(cmd, p)).empty()) return;
    }
    emit(c, r, out, ins.line,
         std::string(prog) + " " + cmd.words[*subcommand(cmd, p)] +
             " in the image: rebuild on a newer base instead");
  });
}

void check_apk_cache(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (!is_cmd(cmd, p, {"apk"}, {"add"})) return;
    if (has_word(cmd, p, {"--no-cache"}) || run_has_cache_mount(ins, "/var/cache/apk") ||
        run_removes(c, ins, "/var/cache/apk"))
      return;
    emit(c, r, out, ins.line, "apk add without --no-cache leaves the index in /var/cache/apk");
  });
}

void check_yum_yes(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (!is_cmd(cmd, p, {"yum", "dnf", "microdnf", "zypper"},
                {"install", "groupinstall", "localinstall", "in"}))
      return;
    if (has_word(cmd, p, {"--assumeyes", "--non-interactive", "-n"}) || has_short(cmd, p + 1, 'y'))
      return;
    emit(c, r, out, ins.line,
         std::string(program_name(cmd.words[p])) + " install without -y (non-interactive)");
  });
}

void check_yum_clean(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "RUN", [&](size_t, const Instruction& ins) {
    if (!run_has(c, ins, {"yum", "dnf"}, {"install", "groupinstall", "localinstall"})) return;
    if (run_has(c, ins, {"yum", "dnf"}, {"clean"}) || run_removes(c, ins, "/var/cache/yum") ||
        run_removes(c, ins, "/var/cache/dnf") || run_has_cache_mount(ins, "/var/cache/"))
      return;
    emit(c, r, out, ins.line, "yum/dnf install without 'clean all' leaves its cache in the layer");
  });
}

void check_sudo(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "RUN", [&](size_t idx, const Instruction& ins) {
    for (const auto& cmd : c.commands[idx]) {
      if (!cmd.words.empty() && program_name(cmd.words[0]) == "sudo") {
        emit(c, r, out, ins.line, "RUN uses sudo");
        return;
      }
    }
  });
}

bool is_shell(std::string_view prog) {
  return prog == "sh" || prog == "bash" || prog == "zsh" || prog == "dash" || prog == "ash" ||
         prog == "ksh" || prog == "busybox";
}

void check_curl_pipe_sh(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  static const std::regex kSubst(
      R"((^|[\s;&|(])(ba|z|da|k)?sh\s+(-[a-z]+\s+)*(<\(|["']?\$\(|`)\s*(curl|wget)\b)");
  for_each(c, "RUN", [&](size_t idx, const Instruction& ins) {
    const auto& cmds = c.commands[idx];
    for (size_t i = 1; i < cmds.size(); ++i) {
      size_t p = program_index(cmds[i].words);
      size_t q = program_index(cmds[i - 1].words);
      if (!cmds[i].piped_in || p >= cmds[i].words.size() || q >= cmds[i - 1].words.size()) continue;
      std::string_view from = program_name(cmds[i - 1].words[q]);
      if ((from == "curl" || from == "wget") && is_shell(program_name(cmds[i].words[p]))) {
        emit(
            c, r, out, ins.line,
            std::string(from) + " output piped into " + cmds[i].words[p] + " runs unverified code");
        return;
      }
    }
    std::string text = ins.command_text().substr(0, 1u << 16);
    if (std::regex_search(text, kSubst))
      emit(c, r, out, ins.line, "a shell runs a downloaded script unverified");
  });
}

void check_secrets(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for (const auto& ins : c.df.instructions) {
    if (ins.keyword != "ENV" && ins.keyword != "ARG" && ins.keyword != "LABEL") continue;
    for (const auto& kv : ins.pairs) {
      if (!kv.has_value) continue;
      if (auto why = secret_reason(kv.key, kv.value)) {
        emit(c, r, out, ins.line,
             ins.keyword + " " + kv.key + "=" + redact(kv.value) + ": " + *why);
      }
    }
  }
}

// EXPOSE words: "80", "80/tcp", "8000-8010/udp".
std::vector<std::pair<long, long>> exposed(const Instruction& ins) {
  std::vector<std::pair<long, long>> out;
  for (const auto& w : ins.words) {
    std::string_view p = std::string_view(w).substr(0, w.find('/'));
    size_t dash = p.find('-');
    auto num = [](std::string_view s) -> long {
      if (s.empty() || s.size() > 9) return -1;
      long v = 0;
      for (char ch : s) {
        if (std::isdigit(static_cast<unsigned char>(ch)) == 0) return -1;
        v = v * 10 + (ch - '0');
      }
      return v;
    };
    long a = num(p.substr(0, dash));
    long b = dash == std::string_view::npos ? a : num(p.substr(dash + 1));
    out.emplace_back(a, b);
  }
  return out;
}

void check_ssh(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "EXPOSE", [&](size_t, const Instruction& ins) {
    for (auto [a, b] : exposed(ins)) {
      if (a >= 0 && a <= 22 && b >= 22) emit(c, r, out, ins.line, "EXPOSE 22 (SSH)");
    }
  });
}

void check_port_range(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "EXPOSE", [&](size_t, const Instruction& ins) {
    auto ports = exposed(ins);
    for (size_t i = 0; i < ports.size(); ++i) {
      auto [a, b] = ports[i];
      if (ins.words[i].find('$') != std::string::npos) continue;
      if (a < 0 || b < 0 || a > 65535 || b > 65535 || a > b)
        emit(c, r, out, ins.line, "EXPOSE " + ins.words[i] + " is not a valid port or range");
    }
  });
}

void check_healthcheck(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  if (inherited_last(c.df, c.df.stages.size() - 1, "HEALTHCHECK") == nullptr) {
    emit(c, r, out, final_stage(c.df).line, "the final stage has no HEALTHCHECK");
  }
}

void check_chmod_777(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (program_name(cmd.words[p]) != "chmod") return;
    for (size_t i = p + 1; i < cmd.words.size(); ++i) {
      const auto& w = cmd.words[i];
      if (w == "777" || w == "0777" || w == "a+rwx" || w == "ugo+rwx" || w == "o+w" || w == "a+w") {
        emit(c, r, out, ins.line, "chmod " + w + " makes files writable by every user");
        return;
      }
    }
  });
}

void check_multiple(const Ctx& c, const Rule& r, std::vector<Issue>& out, std::string_view kw) {
  for (const auto& st : c.df.stages) {
    int seen = 0;
    for (size_t idx : st.instructions) {
      const auto& ins = c.df.instructions[idx];
      if (ins.keyword == kw && ++seen == 2)
        emit(c, r, out, ins.line,
             "several " + std::string(kw) + " instructions in one stage: only the last applies");
    }
  }
}

void check_multi_cmd(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  check_multiple(c, r, out, "CMD");
}

void check_multi_entrypoint(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  check_multiple(c, r, out, "ENTRYPOINT");
}

void check_workdir_relative(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "WORKDIR", [&](size_t, const Instruction& ins) {
    if (ins.words.empty()) return;
    const auto& w = ins.words[0];
    bool windows =
        w.size() >= 2 && std::isalpha(static_cast<unsigned char>(w[0])) != 0 && w[1] == ':';
    if (!w.starts_with("/") && !w.starts_with("$") && !windows)
      emit(c, r, out, ins.line, "WORKDIR " + w + " is relative to the previous WORKDIR");
  });
}

void check_cd(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (cmd.words[p] == "cd")
      emit(c, r, out, ins.line,
           "RUN cd " + (p + 1 < cmd.words.size() ? cmd.words[p + 1] : std::string()) +
               ": use WORKDIR");
  });
}

void check_maintainer(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "MAINTAINER", [&](size_t, const Instruction& ins) {
    emit(c, r, out, ins.line, "MAINTAINER is deprecated");
  });
}

void check_copy_from(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for (size_t idx = 0; idx < c.df.instructions.size(); ++idx) {
    const auto& ins = c.df.instructions[idx];
    if (ins.keyword != "COPY" && ins.keyword != "ADD") continue;
    const Flag* from = ins.flag("from");
    if (from == nullptr || from->value.empty() || ins.stage < 0) continue;
    std::string v = lower(from->value);
    auto current = static_cast<size_t>(ins.stage);
    if (std::all_of(v.begin(), v.end(),
                    [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; })) {
      if (v.size() > 6 || std::stoul(v) >= current)
        emit(c, r, out, ins.line, "COPY --from=" + from->value + " is not an earlier stage");
      continue;
    }
    bool earlier = false;
    for (size_t s = 0; s < current; ++s) earlier |= c.df.stages[s].name == v;
    if (earlier) continue;
    // Image references (registry, path or tag) are allowed; a bare unknown word is a typo that
    // the builder would try to pull as an image.
    if (v.find_first_of(":/.@") != std::string::npos && c.df.stages[current].name != v) continue;
    emit(c, r, out, ins.line,
         "COPY --from=" + from->value + " names no stage defined before this one");
  }
}

void check_duplicate_stage(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  std::set<std::string> seen;
  for (const auto& st : c.df.stages) {
    if (!st.name.empty() && !seen.insert(st.name).second)
      emit(c, r, out, st.line, "stage name " + st.name + " is used twice");
  }
}

void check_pip_cache(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  // PIP_NO_CACHE_DIR set anywhere by ENV disables the cache as well.
  for (const auto& ins : c.df.instructions) {
    for (const auto& kv : ins.pairs) {
      if (ins.keyword == "ENV" && kv.key == "PIP_NO_CACHE_DIR") return;
    }
  }
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    std::string_view prog = program_name(cmd.words[p]);
    size_t sub = p + 1;
    if (prog.starts_with("python") && has_word(cmd, p, {"-m"})) {
      auto it = std::find(cmd.words.begin() + static_cast<long>(p), cmd.words.end(), "-m");
      if (it + 1 >= cmd.words.end() || *(it + 1) != "pip") return;
      sub = static_cast<size_t>(it - cmd.words.begin()) + 2;
    } else if (prog != "pip" && prog != "pip3") {
      return;
    }
    if (sub >= cmd.words.size() || cmd.words[sub] != "install") return;
    if (has_word(cmd, p, {"--no-cache-dir"})) return;
    if (std::any_of(cmd.assignments.begin(), cmd.assignments.end(),
                    [](const auto& a) { return a.starts_with("PIP_NO_CACHE_DIR="); }))
      return;
    if (run_has_cache_mount(ins, ".cache/pip")) return;
    emit(c, r, out, ins.line, "pip install without --no-cache-dir keeps wheels in the layer");
  });
}

void check_shell_form(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for (const auto& ins : c.df.instructions) {
    if ((ins.keyword == "CMD" || ins.keyword == "ENTRYPOINT") && !ins.json_form &&
        !ins.args.empty())
      emit(c, r, out, ins.line,
           ins.keyword + " in shell form: the process does not receive SIGTERM");
  }
}

void check_apt_not_apt_get(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (program_name(cmd.words[p]) == "apt")
      emit(c, r, out, ins.line, "apt is meant for terminals; scripts use apt-get");
  });
}

void check_copy_dest_slash(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for (const auto& ins : c.df.instructions) {
    if (ins.keyword != "COPY" && ins.keyword != "ADD") continue;
    if (ins.words.size() > 2 && !ins.words.back().ends_with("/"))
      emit(c, r, out, ins.line,
           ins.keyword + " with several sources needs a destination ending in /");
  }
}

void check_platform(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for (const auto& ins : c.df.instructions) {
    if (ins.keyword != "FROM") continue;
    const Flag* f = ins.flag("platform");
    if (f == nullptr || f->value.empty() || ins.raw.find("--platform=$") != std::string::npos)
      continue;
    emit(c, r, out, ins.line, "FROM --platform=" + f->value + " hard-codes the platform");
  }
}

void check_useradd_l(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (program_name(cmd.words[p]) != "useradd") return;
    if (has_word(cmd, p, {"-l", "--no-log-init"})) return;
    // Large UIDs make /var/log/lastlog and faillog sparse files of gigabytes.
    for (size_t i = p + 1; i + 1 < cmd.words.size(); ++i) {
      if ((cmd.words[i] == "-u" || cmd.words[i] == "--uid") && cmd.words[i + 1].size() > 5)
        emit(c, r, out, ins.line, "useradd with a large UID and without -l");
    }
  });
}

void check_wget_and_curl(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  int curl = 0, wget = 0, line = 0;
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    std::string_view prog = program_name(cmd.words[p]);
    if (prog == "curl") curl = curl != 0 ? curl : ins.line;
    if (prog == "wget") wget = wget != 0 ? wget : ins.line;
    if (curl != 0 && wget != 0 && line == 0) line = ins.line;
  });
  if (line != 0) emit(c, r, out, line, "both wget and curl are used: pick one");
}

bool shell_sets_pipefail(const Ctx& c, const Instruction& run) {
  // SHELL ["/bin/bash", "-o", "pipefail", "-c"] earlier in the stage (or a parent stage).
  if (run.stage < 0) return false;
  auto s = static_cast<size_t>(run.stage);
  for (int guard = 0; guard < 1000; ++guard) {
    for (size_t idx : c.df.stages[s].instructions) {
      const auto& ins = c.df.instructions[idx];
      if (&ins == &run) break;
      if (ins.keyword == "SHELL" && ins.command_text().find("pipefail") != std::string::npos)
        return true;
    }
    auto p = parent_stage(c.df, s);
    if (!p) return false;
    s = *p;
  }
  return false;
}

void check_pipefail(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  static const std::regex kSet(
      R"(set\s+(-[a-zA-Z]*o\s+pipefail|-o\s+pipefail|-[a-zA-Z]*o\s*pipefail))");
  for_each(c, "RUN", [&](size_t idx, const Instruction& ins) {
    if (ins.json_form) return;
    const auto& cmds = c.commands[idx];
    bool piped =
        std::any_of(cmds.begin(), cmds.end(), [](const Command& cmd) { return cmd.piped_in; });
    if (!piped || shell_sets_pipefail(c, ins)) return;
    std::string text = ins.command_text().substr(0, 1u << 16);
    if (text.find("pipefail") != std::string::npos && std::regex_search(text, kSet)) return;
    emit(c, r, out, ins.line,
         "RUN with a pipe but without `set -o pipefail`: a failing left side is ignored");
  });
}

void check_apk_pin(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (!is_cmd(cmd, p, {"apk"}, {"add"})) return;
    auto sub = subcommand(cmd, p);
    for (size_t i = *sub + 1; i < cmd.words.size(); ++i) {
      const auto& w = cmd.words[i];
      if (w.starts_with("-")) {
        if (w == "-X" || w == "--repository" || w == "-t" || w == "--virtual" || w == "-p" ||
            w == "--root")
          ++i;
        continue;
      }
      if (w.find('$') != std::string::npos || w.ends_with(".apk")) continue;
      if (w.find('=') == std::string::npos && w.find('~') == std::string::npos &&
          w.find('<') == std::string::npos && w.find('>') == std::string::npos)
        emit(c, r, out, ins.line, "apk add " + w + " without a version pin (pkg=ver)");
    }
  });
}

void check_relative_dest(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for (size_t idx = 0; idx < c.df.instructions.size(); ++idx) {
    const auto& ins = c.df.instructions[idx];
    if ((ins.keyword != "COPY" && ins.keyword != "ADD") || ins.words.size() < 2 || ins.stage < 0)
      continue;
    const auto& dest = ins.words.back();
    bool windows = dest.size() >= 2 && std::isalpha(static_cast<unsigned char>(dest[0])) != 0 &&
                   dest[1] == ':';
    if (dest.starts_with("/") || windows) continue;
    // WORKDIR earlier in this stage, or anywhere in a stage it builds on.
    bool workdir = false;
    for (size_t j : c.df.stages[static_cast<size_t>(ins.stage)].instructions) {
      if (j >= idx) break;
      workdir |= c.df.instructions[j].keyword == "WORKDIR";
    }
    if (auto p = parent_stage(c.df, static_cast<size_t>(ins.stage)); p && !workdir)
      workdir = inherited_last(c.df, *p, "WORKDIR") != nullptr;
    if (!workdir)
      emit(c, r, out, ins.line,
           ins.keyword + " to relative " + dest +
               " without a WORKDIR: it lands under the base "
               "image's working directory");
  }
}

// Docker reuses a cached RUN layer: an index refresh in a RUN of its own can leave a later
// install (in another RUN, after a cache hit) working from an old index. Docker's Dockerfile
// best practices: combine `apt-get update` with `apt-get install` in the same RUN.
void check_update_alone(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each(c, "RUN", [&](size_t, const Instruction& ins) {
    bool update = run_has(c, ins, {"apt-get", "apt", "aptitude"}, {"update"}) ||
                  run_has(c, ins, {"apk"}, {"update"});
    if (!update) return;
    if (run_has(c, ins, {"apt-get", "apt", "aptitude"},
                {"install", "upgrade", "dist-upgrade", "full-upgrade"}) ||
        run_has(c, ins, {"apk"}, {"add", "upgrade"}))
      return;
    emit(c, r, out, ins.line,
         "package index updated in a RUN of its own: after a cache hit a later install uses a "
         "stale index");
  });
}

void check_ln_sh(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  for_each_command(c, [&](const Instruction& ins, const Command& cmd, size_t p) {
    if (program_name(cmd.words[p]) != "ln" || cmd.words.size() < p + 3) return;
    const auto& target = cmd.words.back();
    if (target == "/bin/sh" || target == "/usr/bin/sh")
      emit(c, r, out, ins.line, "RUN replaces /bin/sh: use the SHELL instruction");
  });
}

using S = Severity;
constexpr auto kDf = ConfigType::kDockerfile;

const std::array kTable = {
    DfRule{{"BW-DF-001", "Final stage runs as root", S::kHigh,
            "Add `USER <non-root>` after the last step that needs root", kDf},
           check_final_root},
    DfRule{{"BW-DF-002", "Final stage has no USER", S::kMedium,
            "Create an unprivileged user and end the Dockerfile with `USER <name>`", kDf},
           check_final_no_user},
    DfRule{{"BW-DF-003", "Base image uses the 'latest' tag", S::kMedium,
            "Pin a version tag, ideally with @sha256:<digest>", kDf},
           check_latest},
    DfRule{{"BW-DF-004", "Base image has no tag", S::kMedium,
            "Name a version tag, ideally with @sha256:<digest>", kDf},
           check_no_tag},
    DfRule{{"BW-DF-005", "Base image not pinned by digest", S::kLow,
            "Append @sha256:<digest> so rebuilds use the same bytes", kDf},
           check_no_digest},
    DfRule{{"BW-DF-006", "ADD downloads from a URL", S::kMedium,
            "Download with curl/wget and verify a checksum, or use ADD --checksum=sha256:...", kDf},
           check_add_url},
    DfRule{{"BW-DF-007", "ADD used where COPY fits", S::kLow,
            "Use COPY for local files; keep ADD for archives that should be extracted", kDf},
           check_add_for_copy},
    DfRule{{"BW-DF-008", "apt-get without -y", S::kMedium,
            "Pass -y (or --yes) so the build never waits for input", kDf},
           check_apt_yes},
    DfRule{{"BW-DF-009", "apt-get install without --no-install-recommends", S::kLow,
            "Add --no-install-recommends to avoid pulling unneeded packages", kDf},
           check_apt_recommends},
    DfRule{{"BW-DF-010", "apt lists not removed after apt-get install", S::kLow,
            "End the same RUN with `&& rm -rf /var/lib/apt/lists/*`", kDf},
           check_apt_lists},
    DfRule{{"BW-DF-011", "apt-get install without version pins", S::kLow,
            "Pin versions: apt-get install pkg=1.2.3-1", kDf},
           check_apt_pin},
    DfRule{{"BW-DF-012", "Package upgrade inside the image", S::kMedium,
            "Rebuild on an updated base image instead of upgrading in a layer", kDf},
           check_upgrade},
    DfRule{{"BW-DF-013", "apk add without --no-cache", S::kLow, "Use `apk add --no-cache`", kDf},
           check_apk_cache},
    DfRule{{"BW-DF-014", "yum/dnf/zypper install without -y", S::kMedium,
            "Pass -y (zypper: --non-interactive)", kDf},
           check_yum_yes},
    DfRule{{"BW-DF-015", "yum/dnf cache not cleaned", S::kLow,
            "End the same RUN with `&& yum clean all` (or dnf clean all)", kDf},
           check_yum_clean},
    DfRule{{"BW-DF-016", "sudo used in RUN", S::kMedium,
            "RUN already runs as the current USER; switch USER instead of sudo", kDf},
           check_sudo},
    DfRule{{"BW-DF-017", "Downloaded script piped to a shell", S::kHigh,
            "Download to a file, verify its checksum or signature, then run it", kDf},
           check_curl_pipe_sh},
    DfRule{
        {"BW-DF-018", "Secret in ENV, ARG or LABEL", S::kHigh,
         "Pass secrets with RUN --mount=type=secret; ENV/ARG/LABEL values stay in the image", kDf},
        check_secrets},
    DfRule{{"BW-DF-019", "SSH port 22 exposed", S::kMedium,
            "Do not run sshd in containers; use `docker exec` / `kubectl exec`", kDf},
           check_ssh},
    DfRule{{"BW-DF-020", "No HEALTHCHECK", S::kLow,
            "Add HEALTHCHECK CMD <probe> so the runtime can detect a hung service", kDf},
           check_healthcheck},
    DfRule{{"BW-DF-021", "chmod 777", S::kMedium,
            "Grant only what is needed (e.g. 755 for programs, 644 for files)", kDf},
           check_chmod_777},
    DfRule{{"BW-DF-022", "Several CMD instructions", S::kMedium, "Keep one CMD per stage", kDf},
           check_multi_cmd},
    DfRule{{"BW-DF-023", "Several ENTRYPOINT instructions", S::kMedium,
            "Keep one ENTRYPOINT per stage", kDf},
           check_multi_entrypoint},
    DfRule{{"BW-DF-024", "Relative WORKDIR", S::kLow, "Use an absolute path in WORKDIR", kDf},
           check_workdir_relative},
    DfRule{{"BW-DF-025", "cd in RUN instead of WORKDIR", S::kLow, "Use WORKDIR to change directory",
            kDf},
           check_cd},
    DfRule{{"BW-DF-026", "MAINTAINER is deprecated", S::kLow,
            "Use LABEL org.opencontainers.image.authors=...", kDf},
           check_maintainer},
    DfRule{{"BW-DF-027", "COPY --from names an unknown stage", S::kHigh,
            "Reference a stage defined earlier (FROM ... AS name) or a full image reference", kDf},
           check_copy_from},
    DfRule{{"BW-DF-028", "Duplicate stage name", S::kMedium, "Give every stage a unique name", kDf},
           check_duplicate_stage},
    DfRule{{"BW-DF-029", "pip install without --no-cache-dir", S::kLow,
            "Use `pip install --no-cache-dir` or ENV PIP_NO_CACHE_DIR=1", kDf},
           check_pip_cache},
    DfRule{{"BW-DF-030", "CMD/ENTRYPOINT in shell form", S::kLow,
            "Use the JSON form: CMD [\"prog\", \"arg\"]", kDf},
           check_shell_form},
    DfRule{{"BW-DF-031", "EXPOSE of an invalid port", S::kMedium,
            "Ports are 0-65535, ranges low-high", kDf},
           check_port_range},
    DfRule{{"BW-DF-032", "apt used in a script", S::kLow,
            "Use apt-get (stable interface) in Dockerfiles", kDf},
           check_apt_not_apt_get},
    DfRule{{"BW-DF-033", "COPY/ADD with several sources to a non-directory", S::kMedium,
            "End the destination with /", kDf},
           check_copy_dest_slash},
    DfRule{{"BW-DF-034", "FROM --platform hard-coded", S::kLow,
            "Use --platform=$BUILDPLATFORM or leave the platform to the build", kDf},
           check_platform},
    DfRule{{"BW-DF-035", "useradd with a large UID and without -l", S::kLow,
            "Pass -l (--no-log-init) to useradd", kDf},
           check_useradd_l},
    DfRule{{"BW-DF-036", "Both wget and curl used", S::kLow,
            "Use one download tool to keep the image small", kDf},
           check_wget_and_curl},
    DfRule{{"BW-DF-037", "Pipe without pipefail", S::kLow,
            "Start the RUN with `set -o pipefail &&` or set SHELL [\"/bin/bash\", \"-o\", "
            "\"pipefail\", \"-c\"]",
            kDf},
           check_pipefail},
    DfRule{{"BW-DF-038", "apk add without version pins", S::kLow,
            "Pin versions: apk add pkg=1.2.3-r0", kDf},
           check_apk_pin},
    DfRule{{"BW-DF-039", "COPY/ADD to a relative path without WORKDIR", S::kLow,
            "Set WORKDIR first or copy to an absolute path", kDf},
           check_relative_dest},
    DfRule{{"BW-DF-040", "/bin/sh replaced in RUN", S::kLow,
            "Use SHELL [\"/bin/bash\", \"-c\"] instead of linking over /bin/sh", kDf},
           check_ln_sh},
    DfRule{{"BW-DF-041", "Package index updated in a RUN of its own", S::kLow,
            "Update and install in the same RUN: `apt-get update && apt-get install -y ...`", kDf},
           check_update_alone},
};

}  // namespace

std::span<const Rule> rules() {
  static const auto kRules = [] {
    std::array<Rule, kTable.size()> r{};
    for (size_t i = 0; i < kTable.size(); ++i) r[i] = kTable[i].rule;
    return r;
  }();
  return kRules;
}

std::vector<Issue> check(const Dockerfile& df, std::string_view file) {
  Ctx c{df, file, {}};
  c.commands.resize(df.instructions.size());
  for (size_t i = 0; i < df.instructions.size(); ++i) {
    const auto& ins = df.instructions[i];
    if (ins.keyword == "RUN") c.commands[i] = shell_commands(ins.command_text());
  }
  std::vector<Issue> out;
  auto rs = rules();
  for (size_t i = 0; i < kTable.size(); ++i) kTable[i].check(c, rs[i], out);
  return out;
}

}  // namespace bulwark::misconfig::dockerfile
