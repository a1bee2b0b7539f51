#include "misconfig/dockerfile/parser.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace bulwark::misconfig::dockerfile {

namespace {

using core::Error;
using core::Result;

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

std::string lower(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return u;
}

bool blank(std::string_view s) {
  return core::trim(s).empty();
}

bool comment_line(std::string_view s) {
  s = core::trim(s);
  return !s.empty() && s.front() == '#';
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  if (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

// "# key=value" parser directive; key lower-cased.
bool parse_directive(std::string_view line, std::string& key, std::string& value) {
  line = core::trim(line);
  if (line.empty() || line.front() != '#') return false;
  line.remove_prefix(1);
  size_t eq = line.find('=');
  if (eq == std::string_view::npos) return false;
  std::string_view k = core::trim(line.substr(0, eq));
  if (k.empty()) return false;
  for (char c : k) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  key = lower(k);
  value = std::string(core::trim(line.substr(eq + 1)));
  return true;
}

// Strips trailing whitespace and reports whether the line ends with the escape character.
bool continues(std::string_view& line, char escape) {
  std::string_view t = line;
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (!t.empty() && t.back() == escape) {
    t.remove_suffix(1);
    line = t;
    return true;
  }
  return false;
}

// Raw whitespace-separated tokens; quotes and escapes kept for expand().
std::vector<std::string> tokenize(std::string_view s, char escape) {
  std::vector<std::string> out;
  std::string cur;
  bool in_token = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote == 0 && (c == ' ' || c == '\t' || c == '\n')) {
      if (in_token) out.push_back(std::move(cur));
      cur.clear();
      in_token = false;
      continue;
    }
    in_token = true;
    cur += c;
    if (c == escape && quote != '\'' && i + 1 < s.size()) {
      cur += s[++i];
    } else if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
    } else if (c == quote) {
      quote = 0;
    }
  }
  if (in_token) out.push_back(std::move(cur));
  return out;
}

struct Expander {
  const std::map<std::string, std::string>& vars;
  char escape;
  size_t max_out;

  void append(std::string& out, std::string_view s) const {
    size_t room = max_out > out.size() ? max_out - out.size() : 0;
    out.append(s.substr(0, room));
  }

  // Index of the '}' closing the "${" whose body starts at `i`, or npos.
  static size_t closing_brace(std::string_view s, size_t i) {
    int depth = 1;
    for (; i < s.size(); ++i) {
      if (s[i] == '{') ++depth;
      if (s[i] == '}' && --depth == 0) return i;
    }
    return std::string_view::npos;
  }

  const std::string* lookup(std::string_view name) const {
    auto it = vars.find(std::string(name));
    return it == vars.end() ? nullptr : &it->second;
  }

  std::string run(std::string_view s, int depth) const {
    std::string out;
    char quote = 0;
    for (size_t i = 0; i < s.size() && out.size() < max_out; ++i) {
      char c = s[i];
      if (c == escape && quote != '\'' && i + 1 < s.size()) {
        out += s[++i];
        continue;
      }
      if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
        continue;
      }
      if (c == quote) {
        quote = 0;
        continue;
      }
      if (c != '$' || quote == '\'' || i + 1 >= s.size()) {
        out += c;
        continue;
      }
      char n = s[i + 1];
      if (n == '{') {
        size_t close = closing_brace(s, i + 2);
        if (close == std::string_view::npos) {
          append(out, s.substr(i));
          break;
        }
        std::string_view body = s.substr(i + 2, close - i - 2);
        i = close;
        size_t name_end = 0;
        while (name_end < body.size() &&
               (std::isalnum(static_cast<unsigned char>(body[name_end])) != 0 ||
                body[name_end] == '_')) {
          ++name_end;
        }
        std::string_view name = body.substr(0, name_end);
        std::string_view rest = body.substr(name_end);
        const std::string* v = lookup(name);
        bool colon = !rest.empty() && rest.front() == ':';
        if (colon) rest.remove_prefix(1);
        if (rest.empty()) {
          if (v != nullptr) append(out, *v);
          continue;
        }
        char op = rest.front();
        std::string_view word = rest.substr(1);
        bool set = v != nullptr && (!colon || !v->empty());
        std::string expanded_word = depth < 8 ? run(word, depth + 1) : std::string(word);
        if (op == '-') {
          append(out, set ? std::string_view(*v) : std::string_view(expanded_word));
        } else if (op == '+') {
          if (set) append(out, expanded_word);
        } else if (v != nullptr) {
          // ${VAR#pattern}, ${VAR%pattern}, ${VAR?err}: the value unmodified is the closest
          // static answer for checks.
          append(out, *v);
        }
        continue;
      }
      if (std::isalpha(static_cast<unsigned char>(n)) != 0 || n == '_') {
        size_t j = i + 1;
        while (j < s.size() &&
               (std::isalnum(static_cast<unsigned char>(s[j])) != 0 || s[j] == '_')) {
          ++j;
        }
        if (const std::string* v = lookup(s.substr(i + 1, j - i - 1))) append(out, *v);
        i = j - 1;
        continue;
      }
      out += c;
    }
    if (out.size() > max_out) out.resize(max_out);
    return out;
  }
};

bool expands_words(std::string_view kw) {
  return kw != "RUN" && kw != "CMD" && kw != "ENTRYPOINT" && kw != "SHELL" && kw != "HEALTHCHECK" &&
         kw != "ONBUILD" && kw != "MAINTAINER";
}

bool takes_flags(std::string_view kw) {
  return kw == "FROM" || kw == "RUN" || kw == "COPY" || kw == "ADD" || kw == "HEALTHCHECK";
}

bool takes_heredocs(std::string_view kw) {
  return kw == "RUN" || kw == "COPY" || kw == "ADD";
}

bool takes_json(std::string_view kw) {
  return kw == "RUN" || kw == "CMD" || kw == "ENTRYPOINT" || kw == "SHELL" || kw == "COPY" ||
         kw == "ADD" || kw == "VOLUME";
}

// Heredoc markers in an instruction line: <<EOF, <<-EOF, <<"EOF", <<'EOF', outside quotes.
struct Marker {
  std::string delimiter;
  bool strip_tabs = false;
  bool quoted = false;
};

std::vector<Marker> heredoc_markers(std::string_view s) {
  std::vector<Marker> out;
  char quote = 0;
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    char c = s[i];
    if (quote == 0 && (c == '\'' || c == '"')) {
      quote = c;
      continue;
    }
    if (c == quote) {
      quote = 0;
      continue;
    }
    if (quote != 0 || c != '<' || s[i + 1] != '<') continue;
    size_t j = i + 2;
    Marker m;
    if (j < s.size() && s[j] == '-') {
      m.strip_tabs = true;
      ++j;
    }
    char q = 0;
    if (j < s.size() && (s[j] == '"' || s[j] == '\'')) {
      q = s[j++];
      m.quoted = true;
    }
    size_t start = j;
    while (j < s.size() &&
           (std::isalnum(static_cast<unsigned char>(s[j])) != 0 || s[j] == '_' || s[j] == '.')) {
      ++j;
    }
    if (j == start || std::isdigit(static_cast<unsigned char>(s[start])) != 0) continue;
    if (q != 0) {
      if (j >= s.size() || s[j] != q) continue;
      ++j;
    }
    m.delimiter = std::string(s.substr(start, j - start - (q != 0 ? 1 : 0)));
    out.push_back(std::move(m));
    i = j - 1;
  }
  return out;
}

std::vector<Instruction::KeyValue> key_values(std::string_view kw, std::string_view args,
                                              const Expander& ex) {
  std::vector<Instruction::KeyValue> out;
  auto toks = tokenize(args, ex.escape);
  if (toks.empty()) return out;
  bool legacy = kw == "ENV" && toks.front().find('=') == std::string::npos;
  if (legacy) {
    // ENV key value-with-spaces (the deprecated form).
    std::string_view rest = core::trim(args);
    size_t sp = rest.find_first_of(" \t");
    std::string_view value = sp == std::string_view::npos ? "" : core::trim(rest.substr(sp));
    out.push_back({toks.front(), ex.run(value, 0), true});
    return out;
  }
  for (const auto& t : toks) {
    size_t eq = t.find('=');
    if (eq == std::string::npos) {
      out.push_back({ex.run(t, 0), "", false});
    } else {
      out.push_back({ex.run(t.substr(0, eq), 0), ex.run(t.substr(eq + 1), 0), true});
    }
  }
  return out;
}

}  // namespace

const Flag* Instruction::flag(std::string_view name) const {
  for (const auto& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string Instruction::command_text() const {
  std::string s;
  if (json_form) {
    for (const auto& a : json_args) {
      if (!s.empty()) s += ' ';
      s += a;
    }
  } else {
    s = args;
  }
  for (const auto& h : heredocs) {
    s += '\n';
    s += h.content;
  }
  return s;
}

std::string expand(std::string_view word, const std::map<std::string, std::string>& vars,
                   char escape, size_t max_out) {
  return Expander{vars, escape, max_out}.run(word, 0);
}

std::vector<std::string> split_words(std::string_view s, char escape) {
  std::vector<std::string> out;
  for (auto& t : tokenize(s, escape)) {
    // Quote removal only: `$` stays as written.
    std::string w;
    char quote = 0;
    for (size_t i = 0; i < t.size(); ++i) {
      char c = t[i];
      if (c == escape && quote != '\'' && i + 1 < t.size()) {
        w += t[++i];
      } else if (quote == 0 && (c == '\'' || c == '"')) {
        quote = c;
      } else if (c == quote) {
        quote = 0;
      } else {
        w += c;
      }
    }
    out.push_back(std::move(w));
  }
  return out;
}

bool looks_like_dockerfile(std::string_view text) {
  bool saw_from = false;
  bool first = true;
  size_t checked = 0;
  for (auto line : split_lines(text.substr(0, 1u << 20))) {
    if (blank(line) || comment_line(line)) continue;
    std::string_view t = core::trim(line);
    size_t sp = t.find_first_of(" \t");
    if (sp == std::string_view::npos) {
      if (first) return false;
      continue;
    }
    std::string kw = upper(t.substr(0, sp));
    if (first && kw != "FROM" && kw != "ARG") return false;
    first = false;
    if (kw == "FROM") saw_from = true;
    if (saw_from || ++checked > 200) break;
  }
  return saw_from;
}

Result<Dockerfile> parse(std::string_view text, std::string_view name, const ParseLimits& limits) {
  auto fail = [&](int line, std::string_view what) {
    return Error::invalid(std::string(name) + ":" + std::to_string(line) + ": " +
                          std::string(what));
  };
  if (text.size() > limits.max_bytes) {
    return Error::limit(std::string(name) + ": " + std::to_string(text.size()) +
                        " bytes is larger than the " + std::to_string(limits.max_bytes) +
                        " byte Dockerfile limit");
  }
  if (text.find('\0') != std::string_view::npos) {
    return Error::invalid(std::string(name) + ": binary content (NUL byte), not a Dockerfile");
  }
  Dockerfile df;
  auto lines = split_lines(text);
  df.line_count = static_cast<int>(lines.size());
  size_t i = 0;
  // Parser directives: only at the very top, before any other line.
  for (; i < lines.size(); ++i) {
    std::string key, value;
    if (!parse_directive(lines[i], key, value)) break;
    if (key == "escape") {
      if (value != "\\" && value != "`") return fail(static_cast<int>(i + 1), "invalid escape");
      df.escape = value.front();
    } else if (key == "syntax") {
      df.syntax = value;
    } else if (key != "check") {
      break;  // an unknown directive is a comment and ends the directive block
    }
  }

  std::map<std::string, std::string> global_args;
  std::map<std::string, std::string> vars;  // current stage's ARG + ENV
  for (; i < lines.size(); ++i) {
    if (blank(lines[i]) || comment_line(lines[i])) continue;
    Instruction ins;
    ins.line = static_cast<int>(i + 1);
    std::string logical;
    std::string_view cur = lines[i];
    while (continues(cur, df.escape)) {
      logical += cur;
      // Comment and empty lines inside a continuation are dropped.
      do {
        ++i;
      } while (i < lines.size() && (comment_line(lines[i]) || blank(lines[i])));
      if (i >= lines.size()) {
        cur = {};
        break;
      }
      cur = lines[i];
    }
    logical += cur;
    ins.end_line = static_cast<int>(std::min(i + 1, lines.size()));
    std::string_view body = core::trim(logical);
    size_t sp = body.find_first_of(" \t");
    ins.keyword = upper(body.substr(0, sp));
    ins.raw = sp == std::string_view::npos ? "" : std::string(core::trim(body.substr(sp)));
    for (char c : ins.keyword) {
      if (std::isalpha(static_cast<unsigned char>(c)) == 0) {
        return fail(ins.line, "not an instruction: \"" + ins.keyword.substr(0, 40) + "\"");
      }
    }
    if (df.instructions.size() >= limits.max_instructions) {
      return Error::limit(std::string(name) + ": more than " +
                          std::to_string(limits.max_instructions) + " instructions");
    }

    // Flags at the start of the arguments.
    std::string_view rest = ins.raw;
    Expander ex{ins.keyword == "FROM" ? global_args : vars, df.escape, limits.max_expansion};
    if (takes_flags(ins.keyword)) {
      while (rest.starts_with("--")) {
        size_t end = rest.find_first_of(" \t");
        std::string_view f = rest.substr(2, end == std::string_view::npos ? end : end - 2);
        size_t eq = f.find('=');
        Flag flag{lower(f.substr(0, eq)),
                  eq == std::string_view::npos ? "" : ex.run(f.substr(eq + 1), 0)};
        ins.flags.push_back(std::move(flag));
        rest = end == std::string_view::npos ? "" : core::trim(rest.substr(end));
      }
    }
    ins.args = std::string(rest);

    if (takes_heredocs(ins.keyword)) {
      for (auto& m : heredoc_markers(ins.args)) {
        Heredoc h{m.delimiter, "", m.strip_tabs, !m.quoted};
        bool closed = false;
        while (++i < lines.size()) {
          std::string_view l = lines[i];
          if (m.strip_tabs) {
            while (!l.empty() && l.front() == '\t') l.remove_prefix(1);
          }
          if (l == m.delimiter) {
            closed = true;
            break;
          }
          h.content += l;
          h.content += '\n';
        }
        if (!closed) return fail(ins.line, "unterminated heredoc <<" + m.delimiter);
        ins.end_line = static_cast<int>(i + 1);
        ins.heredocs.push_back(std::move(h));
      }
    }

    if (takes_json(ins.keyword) && !ins.args.empty() && ins.args.front() == '[') {
      auto j = nlohmann::json::parse(ins.args, nullptr, false);
      if (!j.is_discarded() && j.is_array() &&
          std::all_of(j.begin(), j.end(), [](const auto& e) { return e.is_string(); })) {
        ins.json_form = true;
        for (const auto& e : j) ins.json_args.push_back(e.template get<std::string>());
      }
    }

    const std::string& kw = ins.keyword;
    if (kw == "ENV" || kw == "ARG" || kw == "LABEL") {
      ins.pairs = key_values(kw, ins.args, ex);
    } else if (expands_words(kw)) {
      if (ins.json_form) {
        for (const auto& a : ins.json_args) ins.words.push_back(ex.run(a, 0));
      } else {
        for (const auto& t : tokenize(ins.args, df.escape)) ins.words.push_back(ex.run(t, 0));
      }
    }

    if (kw == "FROM") {
      Stage st;
      st.line = ins.line;
      if (const Flag* p = ins.flag("platform")) st.platform = p->value;
      if (!ins.words.empty()) st.base = ins.words[0];
      if (ins.words.size() >= 3 && upper(ins.words[1]) == "AS") st.name = lower(ins.words[2]);
      df.stages.push_back(std::move(st));
      vars.clear();
    }
    ins.stage = static_cast<int>(df.stages.size()) - 1;
    if (kw == "ARG") {
      for (const auto& p : ins.pairs) {
        auto& scope = ins.stage < 0 ? global_args : vars;
        if (p.has_value) {
          scope[p.key] = p.value;
        } else if (auto g = global_args.find(p.key); ins.stage >= 0 && g != global_args.end()) {
          vars[p.key] = g->second;  // ARG NAME inside a stage imports the global default
        } else if (!scope.contains(p.key)) {
          scope[p.key] = "";
        }
      }
    } else if (kw == "ENV") {
      for (const auto& p : ins.pairs) vars[p.key] = p.value;
    }
    if (ins.stage >= 0)
      df.stages[static_cast<size_t>(ins.stage)].instructions.push_back(df.instructions.size());
    df.instructions.push_back(std::move(ins));
  }
  if (df.stages.empty()) {
    return Error::invalid(std::string(name) + ": no FROM instruction, not a Dockerfile");
  }
  return df;
}

}  // namespace bulwark::misconfig::dockerfile
