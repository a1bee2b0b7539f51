#include <algorithm>
#include <cctype>

#include "catalog/ruby.hpp"
#include "core/purl.hpp"
#include "core/text.hpp"

namespace bulwark::catalog {

using core::Result;
using core::trim;

namespace {

constexpr size_t kMaxLicenses = 64;

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

// The closing delimiter of a %q/%Q/%w literal opened with `open`.
char closing_delimiter(char open) {
  switch (open) {
    case '(':
      return ')';
    case '[':
      return ']';
    case '{':
      return '}';
    case '<':
      return '>';
    default:
      return open;
  }
}

// Every string literal in a Ruby expression as RubyGems writes them: "..." (with escapes),
// '...', %q<...>, %Q{...} and the words of %w[...]. Interpolation and other code is not
// evaluated; it is skipped.
std::vector<std::string> string_literals(std::string_view expr) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < expr.size() && out.size() < kMaxLicenses) {
    char c = expr[i];
    if (c == '#') break;  // comment to end of line
    if (c == '"' || c == '\'') {
      std::string s;
      size_t j = i + 1;
      for (; j < expr.size() && expr[j] != c; ++j) {
        if (expr[j] == '\\' && j + 1 < expr.size()) {
          char e = expr[++j];
          if (c == '"') {
            s += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          } else {
            if (e != '\'' && e != '\\') s += '\\';
            s += e;
          }
          continue;
        }
        s += expr[j];
      }
      if (j >= expr.size()) break;  // unterminated: not a literal we can trust
      out.push_back(std::move(s));
      i = j + 1;
      continue;
    }
    if (c == '%' && i + 2 < expr.size() &&
        (expr[i + 1] == 'q' || expr[i + 1] == 'Q' || expr[i + 1] == 'w' || expr[i + 1] == 'W')) {
      bool words = expr[i + 1] == 'w' || expr[i + 1] == 'W';
      char open = expr[i + 2];
      char close = closing_delimiter(open);
      size_t end = expr.find(close, i + 3);
      if (end == std::string_view::npos) break;
      auto body = expr.substr(i + 3, end - i - 3);
      if (words) {
        size_t p = 0;
        while (p < body.size() && out.size() < kMaxLicenses) {
          while (p < body.size() && core::is_space(body[p])) ++p;
          size_t q = p;
          while (q < body.size() && !core::is_space(body[q])) ++q;
          if (q > p) out.emplace_back(body.substr(p, q - p));
          p = q;
        }
      } else {
        out.emplace_back(body);
      }
      i = end + 1;
      continue;
    }
    ++i;
  }
  return out;
}

bool valid_gem_name(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
  });
}

bool valid_gem_version(std::string_view s) {
  return !s.empty() && s.size() <= 128 &&
         std::isalnum(static_cast<unsigned char>(s.front())) != 0 &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ||
                  c == '_' || c == '+';
         });
}

// The block variable of "Gem::Specification.new do |s|" ("s" when absent).
std::string block_variable(std::string_view text) {
  auto pos = text.find("Gem::Specification.new");
  if (pos == std::string_view::npos) return "s";
  auto bar = text.find('|', pos);
  auto eol = text.find('\n', pos);
  if (bar == std::string_view::npos || (eol != std::string_view::npos && bar > eol)) return "s";
  auto end = text.find('|', bar + 1);
  if (end == std::string_view::npos) return "s";
  auto var = trim(text.substr(bar + 1, end - bar - 1));
  if (var.empty() || !std::all_of(var.begin(), var.end(), is_ident_char)) return "s";
  return std::string(var);
}

}  // namespace

bool is_installed_gemspec_path(std::string_view path) {
  if (!path.ends_with(".gemspec")) return false;
  auto slash = path.rfind('/');
  if (slash == std::string_view::npos) return false;
  auto dir = path.substr(0, slash);
  if (dir.ends_with("/default") || dir == "default") dir = dir.substr(0, dir.size() - 7);
  if (dir.ends_with('/')) dir.remove_suffix(1);
  return dir == "specifications" || dir.ends_with("/specifications");
}

std::pair<std::string_view, std::string_view> split_gem_platform(std::string_view version) {
  auto dash = version.find('-');
  if (dash == std::string_view::npos) return {version, {}};
  return {version.substr(0, dash), version.substr(dash + 1)};
}

std::string gem_purl(std::string_view name, std::string_view version, std::string_view platform) {
  core::PackageUrl purl{"gem", "", std::string(name), std::string(version), {}, ""};
  if (!platform.empty() && platform != "ruby") purl.qualifiers["platform"] = std::string(platform);
  return purl.to_string();
}

Result<core::Package> parse_gemspec(std::string_view text) {
  std::string var = block_variable(text);
  std::optional<std::string> name, version, platform, stub_name, stub_version;
  std::vector<std::string> licenses;
  bool have_licenses = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    auto line = trim(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.starts_with("# stub: ") && !stub_name) {
      // "# stub: rack 2.2.22 ruby lib": name, version, platform, require paths.
      auto rest = trim(line.substr(8));
      auto sp = rest.find(' ');
      if (sp != std::string_view::npos) {
        stub_name = std::string(rest.substr(0, sp));
        auto after = trim(rest.substr(sp + 1));
        stub_version = std::string(after.substr(0, after.find(' ')));
      }
      continue;
    }
    if (!line.starts_with(var) || line.size() <= var.size() + 1 || line[var.size()] != '.') {
      continue;
    }
    auto rest = line.substr(var.size() + 1);
    size_t n = 0;
    while (n < rest.size() && is_ident_char(rest[n])) ++n;
    auto attr = rest.substr(0, n);
    auto rhs = trim(rest.substr(n));
    if (rhs.size() < 2 || rhs[0] != '=' || rhs[1] == '=' || rhs[1] == '~') continue;
    rhs = trim(rhs.substr(1));
    if (attr == "name" && !name) {
      auto lits = string_literals(rhs);
      if (!lits.empty()) name = lits.front();
    } else if (attr == "version" && !version) {
      auto lits = string_literals(rhs);
      if (!lits.empty()) version = lits.front();
    } else if (attr == "platform" && !platform) {
      auto lits = string_literals(rhs);
      if (!lits.empty()) platform = lits.front();
    } else if ((attr == "license" || attr == "licenses") && !have_licenses) {
      have_licenses = true;
      for (auto& l : string_literals(rhs)) {
        auto t = trim(l);
        if (!t.empty()) licenses.emplace_back(t);
      }
    }
  }
  if (!name) name = stub_name;
  if (!version) version = stub_version;
  if (!name || !valid_gem_name(*name)) {
    return core::Error::invalid("gemspec: no valid gem name (s.name = \"...\")");
  }
  if (!version || !valid_gem_version(*version)) {
    return core::Error::invalid("gemspec: gem " + *name + " has no valid version");
  }
  core::Package pkg;
  pkg.name = *name;
  pkg.version = *version;
  pkg.ecosystem = "gem";
  if (platform && *platform != "ruby") pkg.architecture = *platform;
  pkg.licenses = std::move(licenses);
  pkg.purl = gem_purl(pkg.name, pkg.version, pkg.architecture);
  return pkg;
}

std::vector<image::PathPattern> GemspecCataloger::patterns() const {
  return {image::PathPattern::suffix(".gemspec")};
}

bool GemspecCataloger::wants(const image::Entry& entry) const {
  return is_installed_gemspec_path(entry.path);
}

Result<void> GemspecCataloger::analyze(const image::Entry& entry, image::EntryContent& content,
                                       image::LayerFacts& out) const {
  // Gemspecs outside a specifications directory are source trees' Ruby programs, not records.
  if (!is_installed_gemspec_path(entry.path)) return core::ok();
  if (entry.size > kMaxGemspecBytes) {
    return core::Error::limit("gemspec larger than " + std::to_string(kMaxGemspecBytes >> 20) +
                              " MiB");
  }
  BW_ASSIGN_OR_RETURN(auto text, content.read_all(kMaxGemspecBytes));
  BW_ASSIGN_OR_RETURN(auto pkg, parse_gemspec(text));
  out.packages_by_path[entry.path].push_back(std::move(pkg));
  return core::ok();
}

}  // namespace bulwark::catalog
