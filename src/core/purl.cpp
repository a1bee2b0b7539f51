#include "core/purl.hpp"

#include <vector>

namespace bulwark::core {
namespace {

// ---- ASCII helpers (locale-independent: <cctype> would follow the C locale) ----

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_alpha(c) || is_digit(c);
}
char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_lower(c);
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = to_upper(c);
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

std::string_view strip_slashes(std::string_view s) {
  while (!s.empty() && s.front() == '/') s.remove_prefix(1);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return s;
}

// ECMA-427 "Character encoding": alphanumerics, ".-_~" and ':' stay as they are; every other
// octet (separators used as data, '+', space, UTF-8 bytes) becomes %XX.
std::string encode(std::string_view s) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_alnum(ch) || ch == '.' || ch == '-' || ch == '_' || ch == '~' || ch == ':') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode(std::string_view s, std::string_view component) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out.push_back(s[i]);
      continue;
    }
    const int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
    const int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Error::invalid("purl: bad percent-encoding in " + std::string(component));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// ---- per-type rules, from types/<type>-definition.json of the purl-spec project ----

enum class Need { kOptional, kRequired, kProhibited };
enum class Fold { kKeep, kLower, kUpper };

struct TypeRule {
  std::string_view type;
  Need namespace_need;
  Fold namespace_fold;
  bool name_lower;     // "case_sensitive": false on the name
  bool version_lower;  // version "shall be lowercased" (hex digests, commit hashes)
  std::string_view required_qualifier;
};

constexpr auto kO = Need::kOptional;
constexpr auto kR = Need::kRequired;
constexpr auto kP = Need::kProhibited;
constexpr auto kK = Fold::kKeep;
constexpr auto kL = Fold::kLower;

constexpr TypeRule kTypeRules[] = {
    {"alpm", kR, kL, true, false, ""},
    {"apk", kR, kL, true, false, ""},
    {"bazel", kP, kK, false, false, ""},
    {"bitbucket", kR, kL, true, false, ""},
    {"bitnami", kP, kK, true, false, ""},
    {"brew", kO, kL, true, false, ""},
    {"cargo", kP, kK, false, false, ""},
    {"chrome-extension", kP, kK, true, false, ""},
    {"cocoapods", kP, kK, false, false, ""},
    {"composer", kR, kL, true, false, ""},
    {"conan", kO, kK, false, false, ""},
    {"conda", kP, kK, false, false, ""},
    {"cpan", kO, Fold::kUpper, false, false, ""},
    {"cran", kP, kK, false, false, ""},
    {"deb", kR, kL, true, false, ""},
    {"docker", kO, kK, false, false, ""},
    {"gem", kP, kK, false, false, ""},
    {"generic", kO, kK, false, false, ""},
    {"git", kR, kK, false, false, ""},
    {"github", kR, kL, true, false, ""},
    {"golang", kR, kK, false, false, ""},
    {"hackage", kP, kK, false, false, ""},
    {"hex", kO, kL, true, false, ""},
    {"huggingface", kR, kK, false, true, ""},
    {"julia", kP, kK, false, false, "uuid"},
    {"luarocks", kO, kL, true, false, ""},
    {"maven", kR, kK, false, false, ""},
    {"mlflow", kP, kK, false, false, ""},
    {"npm", kO, kK, false, false, ""},
    {"nuget", kP, kK, false, false, ""},
    {"oci", kP, kK, true, true, ""},
    {"opam", kP, kK, false, false, ""},
    {"otp", kP, kK, true, false, ""},
    {"pub", kP, kK, true, false, ""},
    {"pypi", kP, kK, true, false, ""},
    {"qpkg", kR, kL, false, false, ""},
    {"rpm", kR, kL, false, false, ""},
    {"swid", kO, kK, false, false, "tag_id"},
    {"swift", kR, kK, false, false, ""},
    {"vcpkg", kP, kK, false, false, ""},
    {"vscode-extension", kR, kL, true, false, ""},
    {"yocto", kO, kL, false, false, ""},
};

const TypeRule* find_rule(std::string_view type) {
  for (const auto& r : kTypeRules) {
    if (r.type == type) return &r;
  }
  return nullptr;
}

// ECMA-427: a type is ASCII letters, digits, '.' and '-', starting with a letter.
bool valid_type(std::string_view t) {
  if (t.empty() || !is_alpha(t.front())) return false;
  for (char c : t) {
    if (!is_alnum(c) && c != '.' && c != '-') return false;
  }
  return true;
}

// ECMA-427: a key is lowercase ASCII letters, digits, '.', '-' and '_', starting with a letter.
bool valid_key(std::string_view k) {
  if (k.empty() || !(k.front() >= 'a' && k.front() <= 'z')) return false;
  for (char c : k) {
    const bool lower_alnum = (c >= 'a' && c <= 'z') || is_digit(c);
    if (!lower_alnum && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

// Joins the non-empty segments of a '/'-separated path, dropping "." and ".." too when
// `drop_dots` (subpaths): the canonical form has neither empty nor relative segments.
std::string clean_segments(std::string_view s, bool drop_dots) {
  std::string out;
  for (auto seg : split(s, '/')) {
    if (seg.empty() || (drop_dots && (seg == "." || seg == ".."))) continue;
    if (!out.empty()) out.push_back('/');
    out += seg;
  }
  return out;
}

// Type-specific case folding and name rewriting, applied both after parsing and before
// building so that equal packages always give equal strings.
void normalize(PackageUrl& p) {
  p.type = lower(p.type);
  p.namespace_ = clean_segments(p.namespace_, false);
  p.name = std::string(strip_slashes(p.name));
  p.subpath = clean_segments(p.subpath, true);
  std::map<std::string, std::string> quals;
  for (const auto& [k, v] : p.qualifiers) {
    if (!v.empty()) quals.emplace(lower(k), v);
  }
  p.qualifiers = std::move(quals);

  const TypeRule* rule = find_rule(p.type);
  if (rule == nullptr) return;
  if (rule->namespace_fold == Fold::kLower) p.namespace_ = lower(p.namespace_);
  if (rule->namespace_fold == Fold::kUpper) p.namespace_ = upper(p.namespace_);
  if (rule->name_lower) p.name = lower(p.name);
  if (rule->version_lower) p.version = lower(p.version);

  if (p.type == "pypi") {
    // PyPI treats '-' and '_' alike; the purl spells them '-'.
    for (char& c : p.name) c = c == '_' ? '-' : c;
  } else if (p.type == "pub") {
    // pub names are [a-z0-9_]; anything else becomes '_'.
    for (char& c : p.name) c = ((c >= 'a' && c <= 'z') || is_digit(c)) ? c : '_';
  } else if (p.type == "mlflow") {
    // Databricks model names are case-insensitive, Azure ML ones are not.
    auto it = p.qualifiers.find("repository_url");
    if (it != p.qualifiers.end() && lower(it->second).find("databricks") != std::string::npos) {
      p.name = lower(p.name);
    }
  }
}

// The type's own rules on a normalised purl.
Result<void> check_type_rules(const PackageUrl& p) {
  const TypeRule* rule = find_rule(p.type);
  if (rule == nullptr) return ok();
  auto fail = [&](std::string_view what) {
    return Error::invalid("purl type '" + p.type + "': " + std::string(what));
  };
  if (rule->namespace_need == Need::kRequired && p.namespace_.empty()) {
    return fail("namespace is required");
  }
  if (rule->namespace_need == Need::kProhibited && !p.namespace_.empty()) {
    return fail("namespace is not allowed");
  }
  if (!rule->required_qualifier.empty() &&
      p.qualifiers.find(std::string(rule->required_qualifier)) == p.qualifiers.end()) {
    return fail("qualifier '" + std::string(rule->required_qualifier) + "' is required");
  }
  if (p.type == "cpan" && p.name.find("::") != std::string::npos) {
    return fail("the name is a distribution name and cannot contain '::' (a module name)");
  }
  if (p.type == "chrome-extension") {
    bool id_ok = p.name.size() == 32;
    for (char c : p.name) id_ok = id_ok && c >= 'a' && c <= 'p';
    if (!id_ok) return fail("the name must be a 32-letter extension id (a-p)");
    if (!p.version.empty()) {
      int parts = 0;
      bool ver_ok = true;
      for (auto part : split(p.version, '.')) {
        ++parts;
        ver_ok = ver_ok && !part.empty();
        for (char c : part) ver_ok = ver_ok && is_digit(c);
      }
      if (!ver_ok || parts > 4) return fail("the version must be 1 to 4 dot-separated numbers");
    }
  }
  return ok();
}

std::string encode_path(std::string_view s) {
  std::string out;
  for (auto seg : split(s, '/')) {
    if (!out.empty()) out.push_back('/');
    out += encode(seg);
  }
  return out;
}

// Percent-decodes '/'-separated segments, dropping empty ones (and "." / ".." for subpaths).
// A decoded segment may not contain '/': "%2F" would change the path's structure.
Result<std::string> decode_segments(std::string_view s, std::string_view component,
                                    bool drop_dots) {
  std::string out;
  for (auto seg : split(s, '/')) {
    BW_ASSIGN_OR_RETURN(std::string d, decode(seg, component));
    if (d.empty() || (drop_dots && (d == "." || d == ".."))) continue;
    if (d.find('/') != std::string::npos) {
      return Error::invalid("purl: a " + std::string(component) + " segment contains '/'");
    }
    if (!out.empty()) out.push_back('/');
    out += d;
  }
  return out;
}

}  // namespace

std::string PackageUrl::to_string() const {
  PackageUrl p = *this;
  normalize(p);
  std::string out = "pkg:" + p.type + "/";
  if (!p.namespace_.empty()) out += encode_path(p.namespace_) + "/";
  // A git name is the repository path on the host ("owner/repo"): its '/' are separators.
  out += p.type == "git" ? encode_path(p.name) : encode(p.name);
  if (!p.version.empty()) out += "@" + encode(p.version);
  char sep = '?';
  for (const auto& [k, v] : p.qualifiers) {
    out += sep;
    out += k + "=" + encode(v);
    sep = '&';
  }
  if (!p.subpath.empty()) out += "#" + encode_path(p.subpath);
  return out;
}

Result<void> PackageUrl::validate() const {
  if (!valid_type(type)) return Error::invalid("purl: invalid or missing type '" + type + "'");
  if (strip_slashes(name).empty()) return Error::invalid("purl: missing name");
  std::map<std::string, int> seen;
  for (const auto& [k, v] : qualifiers) {
    const std::string key = lower(k);
    if (!valid_key(key)) return Error::invalid("purl: invalid qualifier key '" + k + "'");
    if (++seen[key] > 1) return Error::invalid("purl: duplicate qualifier key '" + key + "'");
  }
  PackageUrl p = *this;
  normalize(p);
  return check_type_rules(p);
}

Result<std::string> PackageUrl::build() const {
  BW_TRY(validate());
  return to_string();
}

Result<PackageUrl> PackageUrl::parse(std::string_view text, PurlParseMode mode) {
  PackageUrl p;
  std::string_view rest = text;

  // Right to left, as ECMA-427's parsing procedure: subpath, qualifiers, scheme, type,
  // version, name, namespace.
  if (auto hash = rest.rfind('#'); hash != std::string_view::npos) {
    BW_ASSIGN_OR_RETURN(p.subpath, decode_segments(rest.substr(hash + 1), "subpath", true));
    rest = rest.substr(0, hash);
  }
  if (auto q = rest.rfind('?'); q != std::string_view::npos) {
    for (auto pair : split(rest.substr(q + 1), '&')) {
      if (pair.empty()) continue;
      auto eq = pair.find('=');
      if (eq == std::string_view::npos) {
        return Error::invalid("purl: qualifier '" + std::string(pair) + "' has no '='");
      }
      std::string key(pair.substr(0, eq));
      if (mode == PurlParseMode::kLenient) key = lower(key);
      if (!valid_key(key)) return Error::invalid("purl: invalid qualifier key '" + key + "'");
      BW_ASSIGN_OR_RETURN(std::string value, decode(pair.substr(eq + 1), "qualifier value"));
      if (p.qualifiers.count(key) != 0) {
        return Error::invalid("purl: duplicate qualifier key '" + key + "'");
      }
      if (!value.empty()) p.qualifiers.emplace(std::move(key), std::move(value));
    }
    rest = rest.substr(0, q);
  }

  if (rest.size() < 4 || lower(rest.substr(0, 4)) != "pkg:") {
    return Error::invalid("purl: missing 'pkg:' scheme");
  }
  rest.remove_prefix(4);
  // "pkg://type/..." is accepted: the slashes are not significant.
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);

  auto slash = rest.find('/');
  if (slash == std::string_view::npos) return Error::invalid("purl: missing type or name");
  p.type = lower(rest.substr(0, slash));
  if (!valid_type(p.type)) return Error::invalid("purl: invalid type '" + p.type + "'");
  rest = strip_slashes(rest.substr(slash + 1));

  // The version separator is the last '@' after the last '/': an '@' further left belongs to
  // the namespace (npm scopes written "@babel" instead of "%40babel").
  auto at = rest.rfind('@');
  auto last_slash = rest.rfind('/');
  if (at != std::string_view::npos && (last_slash == std::string_view::npos || at > last_slash)) {
    BW_ASSIGN_OR_RETURN(p.version, decode(rest.substr(at + 1), "version"));
    rest = rest.substr(0, at);
    // "ns/@1.0": the name between the '/' and the '@' is empty (the trailing '/' that may
    // be dropped is one after the name, as in "pkg:maven/g/a/").
    if (rest.empty() || rest.back() == '/') return Error::invalid("purl: missing name");
  }

  std::string_view ns_part;
  std::string_view name_part = rest;
  if (p.type == "git") {
    // The namespace is the host, the name the repository path on it.
    if (auto first = rest.find('/'); first != std::string_view::npos) {
      ns_part = rest.substr(0, first);
      name_part = rest.substr(first + 1);
    }
    BW_ASSIGN_OR_RETURN(p.name, decode_segments(name_part, "name", false));
  } else {
    if (last_slash = rest.rfind('/'); last_slash != std::string_view::npos) {
      ns_part = rest.substr(0, last_slash);
      name_part = rest.substr(last_slash + 1);
    }
    BW_ASSIGN_OR_RETURN(p.name, decode(name_part, "name"));
  }
  BW_ASSIGN_OR_RETURN(p.namespace_, decode_segments(ns_part, "namespace", false));

  normalize(p);
  // Checked after normalisation: a name of only slashes ("%2F") is no name either.
  if (p.name.empty()) return Error::invalid("purl: missing name");
  BW_TRY(check_type_rules(p));
  return p;
}

}  // namespace bulwark::core
