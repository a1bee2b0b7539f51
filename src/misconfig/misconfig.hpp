// Misconfiguration checks: Dockerfiles, Kubernetes manifests, compose files and the image
// itself. Every check is a row of a rule table (stable ID, title, severity, fix hint, check
// function); this header is the module's public surface.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "report/report.hpp"

namespace bulwark::misconfig {

enum class ConfigType { kDockerfile, kKubernetes, kCompose, kImageConfig };
std::string_view config_type_name(ConfigType t);

// Pod Security Standards level of a Kubernetes control (kubernetes.io/docs/concepts/security/
// pod-security-standards); kNone for checks outside the standard.
enum class PssLevel { kNone, kBaseline, kRestricted };
std::string_view pss_level_name(PssLevel l);

// Rule metadata, shared by every rule family (the check functions live in each family's
// table next to this record).
struct Rule {
  std::string_view id;  // stable: BW-DF-001, BW-K8S-003, BW-DC-004, BW-IMG-002
  std::string_view title;
  report::Severity severity;
  std::string_view fix;
  ConfigType type;
  PssLevel pss_level = PssLevel::kNone;  // Kubernetes only; the title is then the PSS control
};

struct Issue {
  const Rule* rule = nullptr;
  std::string file;     // config file path, or the path inside the image ("/usr/bin/x")
  int line = 0;         // 1-based; 0 when unknown
  int document = -1;    // YAML document index (Kubernetes), -1 otherwise
  std::string path;     // YAML path "spec.template.spec.containers[0].securityContext.privileged"
  std::string message;  // what was found, specific to this occurrence
  std::optional<int> layer;  // image layer (image checks)
  // This occurrence's severity when it differs from the rule's (BW-IMG-006: a setuid program
  // an OS package installed with its usual mode is low).
  std::optional<report::Severity> severity;
};

// Every rule of every family, sorted by ID (for docs, SARIF rule metadata and tests).
std::span<const Rule* const> all_rules();
const Rule* find_rule(std::string_view id);

report::Finding to_finding(const Issue& issue);

// Sorts issues by (file, document, line, rule id, path, message) and drops exact duplicates.
void sort_issues(std::vector<Issue>& issues);

}  // namespace bulwark::misconfig
