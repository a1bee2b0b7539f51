#include "secret/gitleaks_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace bulwark::secret {

using core::Error;
using core::Result;

namespace {

constexpr size_t kMaxConfigBytes = 8 << 20;
constexpr int kMaxExtendDepth = 2;  // as gitleaks: a config may extend one that extends one

Result<std::vector<std::string>> strings(const toml::node* n, const std::string& where) {
  std::vector<std::string> out;
  if (n == nullptr) return out;
  const auto* arr = n->as_array();
  if (arr == nullptr) return Error::invalid(where + ": expected an array of strings");
  for (const auto& v : *arr) {
    const auto* s = v.as_string();
    if (s == nullptr) return Error::invalid(where + ": expected an array of strings");
    out.push_back(s->get());
  }
  return out;
}

Result<Allowlist> parse_allowlist(const toml::table& t, const std::string& where) {
  Allowlist a;
  if (auto d = t["description"].value<std::string>()) a.description = *d;
  BW_ASSIGN_OR_RETURN(a.paths, strings(t.get("paths"), where + ".paths"));
  BW_ASSIGN_OR_RETURN(a.regexes, strings(t.get("regexes"), where + ".regexes"));
  BW_ASSIGN_OR_RETURN(a.stopwords, strings(t.get("stopwords"), where + ".stopwords"));
  BW_ASSIGN_OR_RETURN(a.target_rules, strings(t.get("targetRules"), where + ".targetRules"));
  if (auto rt = t["regexTarget"].value<std::string>()) {
    if (*rt == "secret" || rt->empty())
      a.regex_target = RegexTarget::kSecret;
    else if (*rt == "match")
      a.regex_target = RegexTarget::kMatch;
    else if (*rt == "line")
      a.regex_target = RegexTarget::kLine;
    else
      return Error::invalid(where + ".regexTarget: '" + *rt + "' (secret, match or line)");
  }
  if (auto c = t["condition"].value<std::string>()) {
    std::string u = *c;
    for (auto& ch : u) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (u == "AND" || u == "&&")
      a.require_all = true;
    else if (u != "OR" && u != "||" && !u.empty())
      return Error::invalid(where + ".condition: '" + *c + "' (OR or AND)");
  }
  return a;
}

report::Severity parse_severity(std::string_view s) {
  if (s == "critical") return report::Severity::kCritical;
  if (s == "medium") return report::Severity::kMedium;
  if (s == "low") return report::Severity::kLow;
  return report::Severity::kHigh;
}

Result<Rule> parse_rule(const toml::table& t, const std::string& where) {
  Rule r;
  auto id = t["id"].value<std::string>();
  if (!id || id->empty()) return Error::invalid(where + ": a rule needs an id");
  r.id = *id;
  const std::string w = where + " (" + r.id + ")";
  r.title = t["description"].value_or(r.id);
  r.category = "custom";
  r.severity = parse_severity(t["severity"].value_or(std::string("high")));
  r.regex = t["regex"].value_or(std::string());
  r.path = t["path"].value_or(std::string());
  if (const auto* g = t.get("secretGroup")) {
    auto v = g->value<int64_t>();
    if (!v || *v < 0 || *v > 99) return Error::invalid(w + ": secretGroup must be 0..99");
    r.secret_group = static_cast<int>(*v);
  }
  if (const auto* e = t.get("entropy")) {
    auto v = e->value<double>();
    if (!v || *v < 0 || *v > 8) return Error::invalid(w + ": entropy must be a number 0..8");
    r.entropy = *v;
  }
  BW_ASSIGN_OR_RETURN(r.keywords, strings(t.get("keywords"), w + ".keywords"));
  for (auto& k : r.keywords)
    for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  r.enforce_keywords = true;
  if (const auto* al = t.get("allowlist")) {  // older single-table form
    const auto* tt = al->as_table();
    if (tt == nullptr) return Error::invalid(w + ".allowlist: expected a table");
    BW_ASSIGN_OR_RETURN(auto a, parse_allowlist(*tt, w + ".allowlist"));
    r.allowlists.push_back(std::move(a));
  }
  if (const auto* als = t.get("allowlists")) {
    const auto* arr = als->as_array();
    if (arr == nullptr) return Error::invalid(w + ".allowlists: expected an array of tables");
    for (size_t i = 0; i < arr->size(); ++i) {
      const auto* tt = (*arr)[i].as_table();
      if (tt == nullptr) return Error::invalid(w + ".allowlists: expected tables");
      BW_ASSIGN_OR_RETURN(auto a,
                          parse_allowlist(*tt, w + ".allowlists[" + std::to_string(i) + "]"));
      r.allowlists.push_back(std::move(a));
    }
  }
  if (r.regex.empty() && r.path.empty())
    return Error::invalid(w + ": a rule needs a regex or a path");
  return r;
}

Result<RuleSet> parse(std::string_view text, const std::string& origin, const RuleSet& builtin,
                      int depth, const std::filesystem::path& dir);

Result<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Error::from_errno(path, errno);
  std::string data;
  data.resize(kMaxConfigBytes + 1);
  f.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(f.gcount()));
  if (data.size() > kMaxConfigBytes)
    return Error::limit(path + ": larger than " + std::to_string(kMaxConfigBytes) + " bytes");
  return data;
}

Result<RuleSet> parse(std::string_view text, const std::string& origin, const RuleSet& builtin,
                      int depth, const std::filesystem::path& dir) {
  if (text.size() > kMaxConfigBytes)
    return Error::limit(origin + ": larger than " + std::to_string(kMaxConfigBytes) + " bytes");
  toml::table doc;
  try {
    doc = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    return Error::invalid(origin + ":" + std::to_string(e.source().begin.line) + ": " +
                          std::string(e.description()));
  }
  RuleSet out;
  if (const auto* ext = doc["extend"].as_table()) {
    bool use_default = (*ext)["useDefault"].value_or(false);
    auto path = (*ext)["path"].value<std::string>();
    if (use_default && path)
      return Error::invalid(origin + ": [extend] takes useDefault or path, not both");
    if (use_default) out = builtin;
    if (path) {
      if (depth >= kMaxExtendDepth)
        return Error::invalid(origin + ": [extend] chains deeper than " +
                              std::to_string(kMaxExtendDepth));
      auto p = std::filesystem::path(*path);
      if (p.is_relative()) p = dir / p;
      BW_ASSIGN_OR_RETURN(auto base_text, read_file(p.string()));
      BW_ASSIGN_OR_RETURN(out, parse(base_text, p.string(), builtin, depth + 1, p.parent_path()));
    }
  }
  if (const auto* rules = doc.get("rules")) {
    const auto* arr = rules->as_array();
    if (arr == nullptr) return Error::invalid(origin + ": rules must be [[rules]] tables");
    for (size_t i = 0; i < arr->size(); ++i) {
      const auto* t = (*arr)[i].as_table();
      if (t == nullptr) return Error::invalid(origin + ": rules must be [[rules]] tables");
      BW_ASSIGN_OR_RETURN(auto r, parse_rule(*t, origin + ": rules[" + std::to_string(i) + "]"));
      // A rule of the extending config replaces the base rule with the same id.
      auto it = std::find_if(out.rules.begin(), out.rules.end(),
                             [&](const Rule& b) { return b.id == r.id; });
      if (it != out.rules.end())
        *it = std::move(r);
      else
        out.rules.push_back(std::move(r));
    }
  }
  if (const auto* al = doc.get("allowlist")) {
    const auto* t = al->as_table();
    if (t == nullptr) return Error::invalid(origin + ": allowlist must be a table");
    BW_ASSIGN_OR_RETURN(auto a, parse_allowlist(*t, origin + ": allowlist"));
    out.allowlists.push_back(std::move(a));
  }
  if (const auto* als = doc.get("allowlists")) {
    const auto* arr = als->as_array();
    if (arr == nullptr) return Error::invalid(origin + ": allowlists must be [[allowlists]]");
    for (size_t i = 0; i < arr->size(); ++i) {
      const auto* t = (*arr)[i].as_table();
      if (t == nullptr) return Error::invalid(origin + ": allowlists must be [[allowlists]]");
      BW_ASSIGN_OR_RETURN(auto a,
                          parse_allowlist(*t, origin + ": allowlists[" + std::to_string(i) + "]"));
      out.allowlists.push_back(std::move(a));
    }
  }
  return out;
}

}  // namespace

Result<RuleSet> parse_gitleaks_config(std::string_view text, std::string_view origin,
                                      const RuleSet& builtin) {
  std::error_code ec;
  auto cwd = std::filesystem::current_path(ec);
  return parse(text, std::string(origin), builtin, 0, cwd);
}

Result<RuleSet> load_gitleaks_config(const std::string& path, const RuleSet& builtin) {
  BW_ASSIGN_OR_RETURN(auto text, read_file(path));
  return parse(text, path, builtin, 0, std::filesystem::path(path).parent_path());
}

}  // namespace bulwark::secret
