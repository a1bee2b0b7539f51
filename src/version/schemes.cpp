// The one registration list of version schemes (rules as data) and the public entry points.
#include <string>

#include "core/text.hpp"
#include "version/scheme.hpp"

namespace bulwark::version {
namespace {

// Names as OSV spells them first; lower-case aliases after. Lookup is case-insensitive.
constexpr Scheme kSchemes[] = {
    {"Debian",
     {"Ubuntu", "deb", "dpkg", "debian", "ubuntu", ""},
     deb::compare,
     deb::satisfies,
     "operator list: >= 1.2-1, << 2 || = 3 (<< and >> strict, as dpkg)"},
    {"Red Hat",
     {"rpm", "RHEL", "Rocky Linux", "AlmaLinux", "openSUSE", "SUSE"},
     rpm::compare,
     rpm::satisfies,
     "operator list: >= 1:1.2-3.el9, < 2 || = 3"},
    {"Alpine",
     {"apk", "alpine", "Wolfi", "Chainguard", ""},
     apk::compare,
     apk::satisfies,
     "operator list: >= 1.2-r0, < 2 || = 3"},
    {"npm",
     {"node", "", "", "", "", ""},
     npm::compare,
     npm::satisfies,
     "node-semver ranges: ^1.2 ~1.2.3 1.x >=1 <2 || 3.0.0 - 3.4"},
    {"SemVer",
     {"semver", "", "", "", "", ""},
     semver::compare,
     semver::satisfies,
     "node-semver ranges over strict SemVer 2.0 versions"},
    {"Go",
     {"golang", "go", "", "", "", ""},
     go::compare,
     go::satisfies,
     "operator list: >= v1.2.3, < v1.3.0 (v optional)"},
    {"crates.io",
     {"cargo", "crates", "rust", "", "", ""},
     cargo::compare,
     cargo::satisfies,
     "Cargo requirements: ^1.2, ~1.2.3, >=1, <2, =1.2.3, 1.*, comma = and; || = or"},
    {"PyPI",
     {"pep440", "python", "pypi", "pip", "", ""},
     pep440::compare,
     pep440::satisfies,
     "PEP 440 specifiers: ~=1.2, ==1.2.*, !=1.3, >=1, <2, ===1.0 (comma = and)"},
    {"Maven",
     {"maven", "java", "", "", "", ""},
     maven::compare,
     maven::satisfies,
     "Maven ranges: [1.0,2.0) (,1.0] [1.0] and unions [1,2),[3,); a bare version is exact"},
    {"RubyGems",
     {"rubygems", "gem", "ruby", "", "", ""},
     rubygems::compare,
     rubygems::satisfies,
     "gem requirements: ~> 1.2, >= 1.2.3, != 2 (comma = and; || = or)"},
    {"NuGet",
     {"nuget", "dotnet", "", "", "", ""},
     nuget::compare,
     nuget::satisfies,
     "NuGet ranges: 1.0 (>= 1.0), [1.0], [1.0,2.0), (,2.0]"},
    {"Packagist",
     {"composer", "php", "packagist", "", "", ""},
     composer::compare,
     composer::satisfies,
     "Composer constraints: ^1.2, ~1.2, 1.2.*, >=1.0 <2.0, 1.0 - 2.0, || for or"},
};

core::Result<const Scheme*> require_scheme(std::string_view ecosystem) {
  const Scheme* s = find_scheme(ecosystem);
  if (s == nullptr) {
    return core::Error::unsupported("unknown ecosystem \"" + std::string(ecosystem) +
                                    "\" (known: Debian, Ubuntu, Alpine, Red Hat, rpm, npm, PyPI, "
                                    "Maven, RubyGems, Go, crates.io, NuGet, Packagist)");
  }
  return s;
}

}  // namespace

std::span<const Scheme> all_schemes() {
  return kSchemes;
}

const Scheme* find_scheme(std::string_view ecosystem) {
  // OSV qualifies some ecosystems with a release: "Debian:12", "Alpine:v3.18".
  auto colon = ecosystem.find(':');
  if (colon != std::string_view::npos) ecosystem = ecosystem.substr(0, colon);
  ecosystem = trim_space(ecosystem);
  if (ecosystem.empty()) return nullptr;
  for (const Scheme& s : kSchemes) {
    if (core::equal_nocase(s.name, ecosystem)) return &s;
    for (auto alias : s.aliases) {
      if (!alias.empty() && core::equal_nocase(alias, ecosystem)) return &s;
    }
  }
  return nullptr;
}

core::Result<int> compare(const Scheme& scheme, std::string_view a, std::string_view b) {
  if (a.size() > kMaxVersionLength) return bad_version(scheme.name, a.substr(0, 64), "too long");
  if (b.size() > kMaxVersionLength) return bad_version(scheme.name, b.substr(0, 64), "too long");
  return scheme.compare(a, b);
}

core::Result<bool> satisfies(const Scheme& scheme, std::string_view version,
                             std::string_view constraint) {
  if (version.size() > kMaxVersionLength) {
    return bad_version(scheme.name, version.substr(0, 64), "too long");
  }
  if (constraint.size() > kMaxConstraintLength) {
    return bad_constraint(scheme.name, constraint.substr(0, 64), "too long");
  }
  return scheme.satisfies(version, constraint);
}

core::Result<int> compare(std::string_view ecosystem, std::string_view a, std::string_view b) {
  BW_ASSIGN_OR_RETURN(const Scheme* s, require_scheme(ecosystem));
  return compare(*s, a, b);
}

core::Result<bool> satisfies(std::string_view ecosystem, std::string_view version,
                             std::string_view constraint) {
  BW_ASSIGN_OR_RETURN(const Scheme* s, require_scheme(ecosystem));
  return satisfies(*s, version, constraint);
}

core::Error bad_version(std::string_view scheme, std::string_view v, std::string_view why) {
  return core::Error::invalid(std::string(scheme) + ": version \"" + std::string(v) +
                              "\": " + std::string(why));
}

core::Error bad_constraint(std::string_view scheme, std::string_view c, std::string_view why) {
  return core::Error::invalid(std::string(scheme) + ": constraint \"" + std::string(c) +
                              "\": " + std::string(why));
}

int compare_digits(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return sign(a.compare(b));
}

std::string_view trim_space(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

namespace {

enum class Op { kLt, kLe, kGt, kGe, kEq, kNe };

bool apply(Op op, int c) {
  switch (op) {
    case Op::kLt:
      return c < 0;
    case Op::kLe:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    case Op::kGe:
      return c >= 0;
    case Op::kEq:
      return c == 0;
    case Op::kNe:
      return c != 0;
  }
  return false;
}

}  // namespace

core::Result<bool> satisfies_op_list(std::string_view scheme, CompareFn cmp,
                                     std::string_view version, std::string_view constraint,
                                     CompareFn fuzzy) {
  // Parse the version first so an unparsable version is reported even for an empty constraint.
  BW_TRY(cmp(version, version));
  std::string_view rest = trim_space(constraint);
  if (rest.empty()) return bad_constraint(scheme, constraint, "empty");
  bool any_alternative = false;
  while (true) {
    size_t bar = rest.find("||");
    std::string_view alt = trim_space(rest.substr(0, bar));
    if (alt.empty()) return bad_constraint(scheme, constraint, "empty alternative around ||");
    bool all = true;
    while (!alt.empty()) {
      size_t n = 0;
      while (n < alt.size() && (alt[n] == '<' || alt[n] == '>' || alt[n] == '=' || alt[n] == '!' ||
                                (fuzzy != nullptr && alt[n] == '~'))) {
        ++n;
      }
      std::string_view op_text = alt.substr(0, n);
      const bool use_fuzzy = op_text.find('~') != std::string_view::npos;
      if (use_fuzzy) {
        if (op_text == "~")
          op_text = "=";
        else if (op_text == "<~")
          op_text = "<=";
        else if (op_text == ">~")
          op_text = ">=";
        else
          return bad_constraint(scheme, constraint, "unknown operator " + std::string(op_text));
      }
      Op op;
      if (op_text == "<" || op_text == "<<")
        op = Op::kLt;
      else if (op_text == "<=")
        op = Op::kLe;
      else if (op_text == ">" || op_text == ">>")
        op = Op::kGt;
      else if (op_text == ">=")
        op = Op::kGe;
      else if (op_text == "=" || op_text == "==")
        op = Op::kEq;
      else if (op_text == "!=")
        op = Op::kNe;
      else if (op_text.empty())
        return bad_constraint(scheme, constraint, "clause without operator");
      else
        return bad_constraint(scheme, constraint, "unknown operator " + std::string(op_text));
      alt = trim_space(alt.substr(n));
      size_t end = 0;
      while (end < alt.size() && alt[end] != ',' && alt[end] != ' ' && alt[end] != '\t') ++end;
      std::string_view operand = alt.substr(0, end);
      if (operand.empty()) return bad_constraint(scheme, constraint, "operator without version");
      auto c = (use_fuzzy ? fuzzy : cmp)(version, operand);
      if (!c.ok()) return bad_constraint(scheme, constraint, c.error().message());
      if (!apply(op, *c)) all = false;
      alt = trim_space(alt.substr(end));
      if (!alt.empty() && alt.front() == ',') {
        alt = trim_space(alt.substr(1));
        if (alt.empty()) return bad_constraint(scheme, constraint, "trailing comma");
      }
    }
    if (all) any_alternative = true;
    if (bar == std::string_view::npos) break;
    rest = rest.substr(bar + 2);
  }
  return any_alternative;
}

}  // namespace bulwark::version
