#include "misconfig/misconfig.hpp"

#include <algorithm>
#include <tuple>

#include "misconfig/compose/rules.hpp"
#include "misconfig/dockerfile/rules.hpp"
#include "misconfig/image_config/rules.hpp"
#include "misconfig/kubernetes/rules.hpp"

namespace bulwark::misconfig {

std::string_view config_type_name(ConfigType t) {
  switch (t) {
    case ConfigType::kDockerfile:
      return "dockerfile";
    case ConfigType::kKubernetes:
      return "kubernetes";
    case ConfigType::kCompose:
      return "compose";
    case ConfigType::kImageConfig:
      return "image";
  }
  return "unknown";
}

std::string_view pss_level_name(PssLevel l) {
  switch (l) {
    case PssLevel::kNone:
      return "";
    case PssLevel::kBaseline:
      return "baseline";
    case PssLevel::kRestricted:
      return "restricted";
  }
  return "";
}

std::span<const Rule* const> all_rules() {
  static const std::vector<const Rule*> kAll = [] {
    std::vector<const Rule*> v;
    for (auto family :
         {dockerfile::rules(), kubernetes::rules(), compose::rules(), image_config::rules()}) {
      for (const auto& r : family) v.push_back(&r);
    }
    std::sort(v.begin(), v.end(), [](const Rule* a, const Rule* b) { return a->id < b->id; });
    return v;
  }();
  return kAll;
}

const Rule* find_rule(std::string_view id) {
  for (const Rule* r : all_rules()) {
    if (r->id == id) return r;
  }
  return nullptr;
}

report::Finding to_finding(const Issue& issue) {
  report::Finding f;
  f.kind = "misconfig";
  f.id = std::string(issue.rule->id);
  f.title = std::string(issue.rule->title);
  f.severity = issue.severity.value_or(issue.rule->severity);
  f.target = issue.file.empty() ? issue.path : issue.file;
  if (issue.line > 0) f.target += ":" + std::to_string(issue.line);
  f.layer = issue.layer;
  f.evidence = issue.message;
  if (issue.document >= 0) f.evidence += " [document " + std::to_string(issue.document) + "]";
  if (!issue.path.empty() && !issue.file.empty()) f.evidence += " at " + issue.path;
  if (issue.rule->pss_level != PssLevel::kNone) {
    f.evidence +=
        " (Pod Security Standards, " + std::string(pss_level_name(issue.rule->pss_level)) + ")";
    f.references.emplace_back(
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/");
  }
  f.fix = std::string(issue.rule->fix);
  return f;
}

void sort_issues(std::vector<Issue>& issues) {
  auto key = [](const Issue& i) {
    return std::tie(i.file, i.document, i.line, i.rule->id, i.path, i.message);
  };
  std::sort(issues.begin(), issues.end(),
            [&](const Issue& a, const Issue& b) { return key(a) < key(b); });
  issues.erase(std::unique(issues.begin(), issues.end(),
                           [&](const Issue& a, const Issue& b) { return key(a) == key(b); }),
               issues.end());
}

}  // namespace bulwark::misconfig
