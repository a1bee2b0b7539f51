// Kubernetes workload checks (BW-K8S-*): every control of the Pod Security Standards baseline
// and restricted profiles, titled as kubernetes.io/docs/concepts/security/pod-security-standards
// titles them, plus hardening checks outside the standard.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "misconfig/misconfig.hpp"
#include "misconfig/yaml_loader.hpp"

namespace bulwark::misconfig::kubernetes {

std::span<const Rule> rules();

// True when the document is a Kubernetes object (apiVersion and kind), or a List of them.
bool is_kubernetes(const nlohmann::json& doc);

// Checks every workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob,
// ReplicationController, PodTemplate, and List items) in the documents.
std::vector<Issue> check(const std::vector<YamlDoc>& docs, std::string_view file);

// Would the workloads behind `issues` be admitted under `level` (baseline or restricted)?
bool admitted(const std::vector<Issue>& issues, PssLevel level);

}  // namespace bulwark::misconfig::kubernetes
