#include "misconfig/dockerfile/shell.hpp"

#include <cctype>

namespace bulwark::misconfig::dockerfile {

namespace {

bool assignment(const std::string& w) {
  size_t eq = w.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  if (std::isdigit(static_cast<unsigned char>(w[0])) != 0) return false;
  for (size_t i = 0; i < eq; ++i) {
    if (std::isalnum(static_cast<unsigned char>(w[i])) == 0 && w[i] != '_') return false;
  }
  return true;
}

}  // namespace

std::vector<Command> shell_commands(std::string_view s, char escape) {
  std::vector<Command> out;
  Command cur;
  std::string word;
  bool in_word = false;
  auto end_word = [&] {
    if (in_word) {
      if (cur.words.empty() && assignment(word)) {
        cur.assignments.push_back(std::move(word));
      } else {
        cur.words.push_back(std::move(word));
      }
    }
    word.clear();
    in_word = false;
  };
  auto end_command = [&](bool pipe_follows) {
    end_word();
    if (!cur.words.empty() || !cur.assignments.empty()) out.push_back(std::move(cur));
    cur = Command{};
    cur.piped_in = pipe_follows;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == escape && i + 1 < s.size()) {
      if (s[i + 1] == '\n') {
        ++i;  // line continuation inside a heredoc script
        continue;
      }
      word += s[++i];
      in_word = true;
      continue;
    }
    if (c == '\'' || c == '"') {
      size_t close = s.find(c, i + 1);
      if (close == std::string_view::npos) close = s.size();
      word.append(s.substr(i + 1, close - i - 1));
      in_word = true;
      i = close;
      continue;
    }
    if ((c == '$' && i + 1 < s.size() && s[i + 1] == '(') || c == '`') {
      // Substitution kept verbatim inside the word.
      size_t j = i + (c == '`' ? 1 : 2);
      int depth = 1;
      for (; j < s.size() && depth > 0; ++j) {
        if (c == '`' ? s[j] == '`' : s[j] == ')') --depth;
        if (c != '`' && s[j] == '(') ++depth;
      }
      word.append(s.substr(i, j - i));
      in_word = true;
      i = j - 1;
      continue;
    }
    if (c == ' ' || c == '\t') {
      end_word();
      continue;
    }
    if (c == '#' && !in_word) {
      size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl - 1;
      continue;
    }
    if (c == '|') {
      bool oror = i + 1 < s.size() && s[i + 1] == '|';
      if (oror) ++i;
      end_command(!oror);
      continue;
    }
    if (c == '&' || c == ';' || c == '\n' || c == '(' || c == ')') {
      if (c == '&' && i + 1 < s.size() && s[i + 1] == '&') ++i;
      end_command(false);
      continue;
    }
    word += c;
    in_word = true;
  }
  end_command(false);
  return out;
}

std::string_view program_name(std::string_view word) {
  size_t slash = word.rfind('/');
  return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

size_t program_index(const std::vector<std::string>& words) {
  size_t i = 0;
  while (i < words.size()) {
    std::string_view p = program_name(words[i]);
    if (p == "sudo") {
      ++i;
      while (i < words.size() && words[i].starts_with("-")) {
        // -u USER / -g GROUP take a value.
        bool takes = words[i] == "-u" || words[i] == "-g" || words[i] == "-C";
        i += takes ? 2 : 1;
      }
    } else if (p == "env") {
      ++i;
      while (i < words.size() &&
             (words[i].starts_with("-") || words[i].find('=') != std::string::npos))
        ++i;
    } else if (p == "nohup" || p == "time" || p == "exec" || p == "command") {
      ++i;
    } else {
      break;
    }
  }
  return i;
}

}  // namespace bulwark::misconfig::dockerfile
