// Kubernetes checks: every Pod Security Standards control (baseline and restricted) and every
// hardening rule with a Deployment that violates it and one that does not; the examples of the
// Kubernetes documentation with the verdicts the docs give; Helm and kustomize output; hostile
// YAML bounded.
#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "misconfig/config_scan.hpp"
#include "misconfig/kubernetes/rules.hpp"

namespace bulwark::misconfig::kubernetes {
namespace {

// A Deployment that passes every rule; cases mutate it by text replacement.
constexpr std::string_view kHardened = R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      automountServiceAccountToken: false
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: web
        image: registry.example.com/shop/web:1.4.2@sha256:4b1d9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: 500m, memory: 256Mi}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: [ALL]
)";

// Insertion points (with their indentation) and replaceable lines of kHardened.
constexpr std::string_view kPod = "      automountServiceAccountToken: false\n";
constexpr std::string_view kPodSc = "        runAsNonRoot: true\n";
constexpr std::string_view kSc = "          allowPrivilegeEscalation: false\n";
constexpr std::string_view kContainer = "        resources:\n";
constexpr std::string_view kMeta = "      labels: {app: web}\n";

struct Edit {
  std::string_view from;
  std::string to;
};

std::string edit(std::vector<Edit> edits) {
  std::string s(kHardened);
  for (const auto& e : edits) {
    size_t at = s.find(e.from);
    EXPECT_NE(at, std::string::npos) << e.from;
    if (at != std::string::npos) s.replace(at, e.from.size(), e.to);
  }
  return s;
}

// Inserts `lines` (already indented) before the anchor line.
Edit before(std::string_view anchor, std::string_view lines) {
  return {anchor, std::string(lines) + std::string(anchor)};
}

// Inserts `lines` (already indented) after the anchor line.
Edit after(std::string_view anchor, std::string_view lines) {
  return {anchor, std::string(anchor) + std::string(lines)};
}

std::vector<Issue> run(const std::string& yaml, std::string_view name = "deploy.yaml") {
  auto docs = load_yaml(yaml, name);
  EXPECT_TRUE(docs.ok()) << (docs.ok() ? "" : docs.error().message()) << "\n" << yaml;
  return docs.ok() ? check(*docs, name) : std::vector<Issue>{};
}

std::vector<const Issue*> with_id(const std::vector<Issue>& issues, std::string_view id) {
  std::vector<const Issue*> out;
  for (const auto& i : issues) {
    if (i.rule->id == id) out.push_back(&i);
  }
  return out;
}

struct Case {
  std::string_view id;
  std::vector<Edit> fires;
  std::vector<Edit> clean;  // empty: kHardened itself
  std::string_view path;    // expected YAML path of the first finding
};

std::vector<Case> cases() {
  return {
      {"BW-K8S-001",
       {after(kPodSc, "        windowsOptions: {hostProcess: true}\n")},
       {after(kPodSc, "        windowsOptions: {hostProcess: false}\n")},
       "spec.template.spec.securityContext.windowsOptions.hostProcess"},
      {"BW-K8S-001",
       {after(kSc, "          windowsOptions:\n            hostProcess: true\n")},
       {},
       "spec.template.spec.containers[0].securityContext.windowsOptions.hostProcess"},
      {"BW-K8S-002",
       {after(kPod, "      hostPID: true\n")},
       {after(kPod, "      hostNetwork: false\n")},
       "spec.template.spec.hostPID"},
      {"BW-K8S-002", {after(kPod, "      hostIPC: yes\n")}, {}, "spec.template.spec.hostIPC"},
      {"BW-K8S-003",
       {after(kSc, "          privileged: true\n")},
       {after(kSc, "          privileged: false\n")},
       "spec.template.spec.containers[0].securityContext.privileged"},
      {"BW-K8S-004",
       {{"drop: [ALL]", "drop: [ALL]\n            add: [CHOWN, SYS_ADMIN]"}},
       {{"drop: [ALL]", "drop: [ALL]\n            add: [CHOWN, NET_BIND_SERVICE]"}},
       "spec.template.spec.containers[0].securityContext.capabilities.add[1]"},
      {"BW-K8S-005",
       {after(
           kPod,
           "      volumes:\n      - name: sock\n        hostPath: {path: /var/run/docker.sock}\n")},
       {after(kPod, "      volumes:\n      - name: tmp\n        emptyDir: {}\n")},
       "spec.template.spec.volumes[0].hostPath"},
      {"BW-K8S-006",
       {before(kContainer, "        ports: [{containerPort: 80, hostPort: 8080}]\n")},
       {before(kContainer, "        ports: [{containerPort: 80, hostPort: 0}]\n")},
       "spec.template.spec.containers[0].ports[0].hostPort"},
      {"BW-K8S-006",
       {{"        resources:\n",
         "        ports:\n        - containerPort: 80\n          hostPort: 80\n        "
         "resources:\n"}},
       {{"        resources:\n",
         "        ports:\n        - containerPort: 80\n        resources:\n"}},
       "spec.template.spec.containers[0].ports[0].hostPort"},
      {"BW-K8S-007",
       {after(kMeta,
              "      annotations:\n        container.apparmor.security.beta.kubernetes.io/web: "
              "unconfined\n")},
       {after(kMeta,
              "      annotations:\n        container.apparmor.security.beta.kubernetes.io/web: "
              "localhost/k8s-nginx\n")},
       "spec.template.metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/"
       "web\"]"},
      {"BW-K8S-007",
       {after(kSc, "          appArmorProfile: {type: Unconfined}\n")},
       {after(kSc, "          appArmorProfile: {type: RuntimeDefault}\n")},
       "spec.template.spec.containers[0].securityContext.appArmorProfile.type"},
      {"BW-K8S-008",
       {after(kSc, "          seLinuxOptions: {type: spc_t}\n")},
       {after(kSc,
              "          seLinuxOptions: {type: container_init_t, level: \"s0:c123,c456\"}\n")},
       "spec.template.spec.containers[0].securityContext.seLinuxOptions.type"},
      {"BW-K8S-008",
       {after(kPodSc, "        seLinuxOptions: {user: system_u}\n")},
       {},
       "spec.template.spec.securityContext.seLinuxOptions.user"},
      {"BW-K8S-009",
       {after(kSc, "          procMount: Unmasked\n")},
       {after(kSc, "          procMount: Default\n")},
       "spec.template.spec.containers[0].securityContext.procMount"},
      {"BW-K8S-010",
       {{"type: RuntimeDefault", "type: Unconfined"}},
       {{"type: RuntimeDefault",
         "type: Localhost\n          localhostProfile: profiles/audit.json"}},
       "spec.template.spec.securityContext.seccompProfile.type"},
      {"BW-K8S-011",
       {after(kPodSc, "        sysctls: [{name: kernel.msgmax, value: \"65536\"}]\n")},
       {after(kPodSc, "        sysctls: [{name: net.ipv4.tcp_syncookies, value: \"1\"}]\n")},
       "spec.template.spec.securityContext.sysctls[0].name"},
      {"BW-K8S-012",
       {after(kPod,
              "      volumes:\n      - name: share\n        nfs: {server: nfs.example, path: "
              "/srv}\n")},
       {after(kPod,
              "      volumes:\n      - name: c\n        configMap: {name: cfg}\n      - name: p\n  "
              "      persistentVolumeClaim: {claimName: data}\n")},
       "spec.template.spec.volumes[0].nfs"},
      {"BW-K8S-013",
       {{"allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true"}},
       {},
       "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"},
      {"BW-K8S-013",
       {{kSc, ""}},
       {},
       "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"},
      {"BW-K8S-014",
       {{kPodSc, ""}},
       {{kPodSc, ""}, after(kSc, "          runAsNonRoot: true\n")},
       "spec.template.spec.containers[0].securityContext.runAsNonRoot"},
      {"BW-K8S-014",
       {after(kSc, "          runAsNonRoot: false\n")},
       {},
       "spec.template.spec.containers[0].securityContext.runAsNonRoot"},
      {"BW-K8S-015",
       {after(kSc, "          runAsUser: 0\n")},
       {after(kSc, "          runAsUser: 1000\n")},
       "spec.template.spec.containers[0].securityContext.runAsUser"},
      {"BW-K8S-015",
       {after(kPodSc, "        runAsUser: 0\n")},
       {},
       "spec.template.spec.securityContext.runAsUser"},
      {"BW-K8S-016",
       {{"        seccompProfile:\n          type: RuntimeDefault\n", ""}},
       {{"        seccompProfile:\n          type: RuntimeDefault\n", ""},
        after(kSc, "          seccompProfile: {type: RuntimeDefault}\n")},
       "spec.template.spec.containers[0].securityContext.seccompProfile.type"},
      {"BW-K8S-017",
       {{"drop: [ALL]", "drop: [NET_RAW]"}},
       {{"drop: [ALL]", "drop: [ALL]\n            add: [NET_BIND_SERVICE]"}},
       "spec.template.spec.containers[0].securityContext.capabilities.drop"},
      {"BW-K8S-017",
       {{"drop: [ALL]", "drop: [ALL]\n            add: [CHOWN]"}},
       {},
       "spec.template.spec.containers[0].securityContext.capabilities.add[0]"},
      {"BW-K8S-020",
       {{"          requests: {cpu: 100m, memory: 128Mi}\n", "          requests: {cpu: 100m}\n"}},
       {},
       "spec.template.spec.containers[0].resources.requests.memory"},
      {"BW-K8S-021",
       {{"          limits: {cpu: 500m, memory: 256Mi}\n", ""}},
       {},
       "spec.template.spec.containers[0].resources.limits.cpu"},
      {"BW-K8S-022",
       {{"readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false"}},
       {},
       "spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem"},
      {"BW-K8S-023",
       {{"registry.example.com/shop/"
         "web:1.4.2@sha256:4b1d9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1",
         "nginx"}},
       {{"registry.example.com/shop/"
         "web:1.4.2@sha256:4b1d9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1",
         "registry.local:5000/web:1.4.2"}},
       "spec.template.spec.containers[0].image"},
      {"BW-K8S-023",
       {{"web:1.4.2@sha256:4b1d9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1",
         "web:latest"}},
       {},
       "spec.template.spec.containers[0].image"},
      {"BW-K8S-024",
       {{"@sha256:4b1d9e8d7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a3928171605f4e3d2c1", ""}},
       {},
       "spec.template.spec.containers[0].image"},
      {"BW-K8S-025",
       {{"namespace: shop", "namespace: default"}},
       {{"  namespace: shop\n", ""}},
       "metadata.namespace"},
      {"BW-K8S-026", {{kPod, ""}}, {}, "spec.template.spec.automountServiceAccountToken"},
      {"BW-K8S-026",
       {{"automountServiceAccountToken: false", "automountServiceAccountToken: true"}},
       {},
       "spec.template.spec.automountServiceAccountToken"},
      {"BW-K8S-027",
       {before(kContainer, "        env: [{name: DB_PASSWORD, value: \"Zq8vLmT2pXw9\"}]\n")},
       {before(kContainer,
               "        env:\n        - name: DB_PASSWORD\n          valueFrom: {secretKeyRef: "
               "{name: db, key: password}}\n        - name: LOG_LEVEL\n          value: debug\n")},
       "spec.template.spec.containers[0].env[0].value"},
  };
}

TEST(KubernetesRules, HardenedDeploymentPassesEveryRule) {
  auto issues = run(std::string(kHardened));
  for (const auto& i : issues) ADD_FAILURE() << i.rule->id << " " << i.path << ": " << i.message;
}

TEST(KubernetesRules, EveryViolationFiresAtItsPathAndItsFixDoesNot) {
  for (const auto& c : cases()) {
    auto bad = run(edit(c.fires));
    auto hits = with_id(bad, c.id);
    ASSERT_FALSE(hits.empty()) << c.id << " should fire on:\n" << edit(c.fires);
    if (!c.path.empty()) {
      EXPECT_EQ(hits[0]->path, c.path) << c.id;
    }
    EXPECT_GT(hits[0]->line, 0) << c.id;
    EXPECT_EQ(hits[0]->document, 0);
    auto good = run(edit(c.clean));
    EXPECT_TRUE(with_id(good, c.id).empty()) << c.id << " should not fire on:\n" << edit(c.clean);
  }
}

TEST(KubernetesRules, EveryRuleHasCases) {
  std::set<std::string_view> covered;
  for (const auto& c : cases()) covered.insert(c.id);
  for (const auto& r : rules()) EXPECT_TRUE(covered.contains(r.id)) << r.id << " has no case";
}

TEST(KubernetesRules, ControlsAreTitledAsThePodSecurityStandardsTitleThem) {
  std::multiset<std::pair<std::string, std::string>> got;
  for (const auto& r : rules()) {
    if (r.pss_level != PssLevel::kNone)
      got.emplace(std::string(r.title), std::string(pss_level_name(r.pss_level)));
  }
  // kubernetes.io/docs/concepts/security/pod-security-standards: the control column.
  std::multiset<std::pair<std::string, std::string>> want = {
      {"HostProcess", "baseline"},
      {"Host Namespaces", "baseline"},
      {"Privileged Containers", "baseline"},
      {"Capabilities", "baseline"},
      {"HostPath Volumes", "baseline"},
      {"Host Ports", "baseline"},
      {"AppArmor", "baseline"},
      {"SELinux", "baseline"},
      {"/proc Mount Type", "baseline"},
      {"Seccomp", "baseline"},
      {"Sysctls", "baseline"},
      {"Volume Types", "restricted"},
      {"Privilege Escalation", "restricted"},
      {"Running as Non-root", "restricted"},
      {"Running as Non-root user", "restricted"},
      {"Seccomp", "restricted"},
      {"Capabilities", "restricted"}};
  EXPECT_EQ(got, want);
}

TEST(KubernetesRules, LineNumberPointsAtTheOffendingField) {
  auto issues = run(edit({after(kSc, "          privileged: true\n")}));
  auto hits = with_id(issues, "BW-K8S-003");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->line, 27);  // the inserted line, right after allowPrivilegeEscalation (26)
  EXPECT_EQ(hits[0]->file, "deploy.yaml");
}

std::set<std::string> controls(const std::vector<Issue>& issues, PssLevel level) {
  std::set<std::string> out;
  for (const auto& i : issues) {
    if (i.rule->pss_level == level) out.insert(std::string(i.rule->title));
  }
  return out;
}

// The Pod the Kubernetes docs apply in "Apply Pod Security Standards at the Namespace Level"
// (k8s.io/examples/security/example-baseline-pod.yaml). The docs show it admitted under baseline
// and warned under restricted for exactly: allowPrivilegeEscalation != false, unrestricted
// capabilities, runAsNonRoot != true, seccompProfile.
TEST(PodSecurityStandards, DocsBaselinePodExampleHasTheDocumentedVerdicts) {
  auto issues = run(R"(apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
    - image: nginx
      name: nginx
      ports:
        - containerPort: 80
)");
  EXPECT_TRUE(admitted(issues, PssLevel::kBaseline));
  EXPECT_FALSE(admitted(issues, PssLevel::kRestricted));
  EXPECT_EQ(controls(issues, PssLevel::kRestricted),
            (std::set<std::string>{"Privilege Escalation", "Capabilities", "Running as Non-root",
                                   "Seccomp"}));
  EXPECT_TRUE(controls(issues, PssLevel::kBaseline).empty());
}

// The security-context-demo Pod of "Configure a Security Context for a Pod or Container"
// (k8s.io/examples/pods/security/security-context.yaml): runAsUser 1000 and no privilege
// escalation pass baseline; restricted still needs runAsNonRoot, seccomp and dropped caps.
TEST(PodSecurityStandards, DocsSecurityContextDemoPodIsBaselineButNotRestricted) {
  auto issues = run(R"(apiVersion: v1
kind: Pod
metadata:
  name: security-context-demo
spec:
  securityContext:
    runAsUser: 1000
    runAsGroup: 3000
    fsGroup: 2000
    supplementalGroups: [4000]
  volumes:
  - name: sec-ctx-vol
    emptyDir: {}
  containers:
  - name: sec-ctx-demo
    image: busybox:1.28
    command: [ "sh", "-c", "sleep 1h" ]
    volumeMounts:
    - name: sec-ctx-vol
      mountPath: /data/demo
    securityContext:
      allowPrivilegeEscalation: false
)");
  EXPECT_TRUE(admitted(issues, PssLevel::kBaseline));
  EXPECT_EQ(controls(issues, PssLevel::kRestricted),
            (std::set<std::string>{"Capabilities", "Running as Non-root", "Seccomp"}));
}

TEST(PodSecurityStandards, PrivilegedPodFailsBaseline) {
  auto issues = run(R"(apiVersion: v1
kind: Pod
metadata: {name: priv}
spec:
  hostNetwork: true
  containers:
  - name: c
    image: busybox:1.36
    securityContext: {privileged: true}
)");
  EXPECT_FALSE(admitted(issues, PssLevel::kBaseline));
  EXPECT_EQ(controls(issues, PssLevel::kBaseline),
            (std::set<std::string>{"Host Namespaces", "Privileged Containers"}));
}

TEST(PodSecurityStandards, WindowsPodsAreExemptFromLinuxOnlyRestrictedControls) {
  auto issues = run(R"(apiVersion: v1
kind: Pod
metadata: {name: win}
spec:
  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers:
  - name: c
    image: mcr.microsoft.com/windows/nanoserver:ltsc2022
)");
  EXPECT_TRUE(admitted(issues, PssLevel::kRestricted));
}

TEST(KubernetesWorkloads, FindsPodSpecsOfEveryWorkloadKind) {
  std::string sc = "securityContext: {privileged: true}";
  auto docs = R"(apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: c, image: "a:1", securityContext: {privileged: true}}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      initContainers: [{name: init, image: "a:1", securityContext: {privileged: true}}]
      containers: [{name: c, image: "a:1"}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  template: {spec: {containers: [{name: c, image: "a:1", securityContext: {privileged: true}}]}}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  template: {spec: {containers: [{name: c, image: "a:1", securityContext: {privileged: true}}]}}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  template: {spec: {ephemeralContainers: [{name: dbg, image: "a:1", securityContext: {privileged: true}}], containers: [{name: c, image: "a:1"}]}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: not-a-workload}
data: {privileged: "true"}
)";
  auto issues = run(docs);
  std::vector<std::pair<int, std::string>> got;
  for (const auto* i : with_id(issues, "BW-K8S-003")) got.emplace_back(i->document, i->path);
  std::sort(got.begin(), got.end());
  std::vector<std::pair<int, std::string>> want = {
      {0, "spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged"},
      {1, "spec.template.spec.initContainers[0].securityContext.privileged"},
      {2, "spec.template.spec.containers[0].securityContext.privileged"},
      {3, "spec.template.spec.containers[0].securityContext.privileged"},
      {4, "spec.template.spec.ephemeralContainers[0].securityContext.privileged"}};
  EXPECT_EQ(got, want);
  (void)sc;
}

// `helm template` output: "# Source:" comments, a leading ---, several kinds per stream.
TEST(KubernetesWorkloads, ReadsHelmRenderedOutput) {
  auto issues = run(R"(---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: release-shop
  labels:
    helm.sh/chart: shop-0.1.0
    app.kubernetes.io/managed-by: Helm
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: release-shop
spec:
  type: ClusterIP
  ports:
    - port: 80
      targetPort: http
---
# Source: shop/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-shop
  labels:
    helm.sh/chart: shop-0.1.0
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: shop
  template:
    metadata:
      labels:
        app.kubernetes.io/name: shop
    spec:
      serviceAccountName: release-shop
      securityContext:
        {}
      containers:
        - name: shop
          securityContext:
            {}
          image: "nginx:1.16.0"
          imagePullPolicy: IfNotPresent
          ports:
            - name: http
              containerPort: 80
              protocol: TCP
          resources:
            {}
)",
                    "rendered.yaml");
  auto esc = with_id(issues, "BW-K8S-013");
  ASSERT_EQ(esc.size(), 1u);
  EXPECT_EQ(esc[0]->document, 2);
  EXPECT_EQ(esc[0]->path,
            "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation");
  EXPECT_EQ(esc[0]->line, 45);  // the nearest ancestor present: securityContext's {} value
  EXPECT_TRUE(admitted(issues, PssLevel::kBaseline));
  EXPECT_FALSE(admitted(issues, PssLevel::kRestricted));
}

// kustomize build output and `kubectl get -o yaml` Lists.
TEST(KubernetesWorkloads, ReadsKustomizeOutputAndLists) {
  auto issues = run(R"(apiVersion: v1
kind: Namespace
metadata:
  name: prod
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Pod
  metadata: {name: a, namespace: prod}
  spec:
    containers: [{name: c, image: "a:1", securityContext: {capabilities: {add: [SYS_ADMIN]}}}]
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: b, namespace: prod}
  spec:
    template:
      spec:
        hostPID: true
        containers: [{name: c, image: "b:1"}]
)");
  auto caps = with_id(issues, "BW-K8S-004");
  ASSERT_EQ(caps.size(), 1u);
  EXPECT_EQ(caps[0]->document, 1);
  EXPECT_EQ(caps[0]->path, "items[0].spec.containers[0].securityContext.capabilities.add[0]");
  auto host = with_id(issues, "BW-K8S-002");
  ASSERT_EQ(host.size(), 1u);
  EXPECT_EQ(host[0]->path, "items[1].spec.template.spec.hostPID");
}

TEST(KubernetesWorkloads, ReadsJsonManifests) {
  auto issues = run(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},
  "spec": {"hostIPC": true, "containers": [{"name": "c", "image": "a:1"}]}})",
                    "pod.json");
  auto hits = with_id(issues, "BW-K8S-002");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0]->path, "spec.hostIPC");
  EXPECT_EQ(hits[0]->line, 2);
}

TEST(KubernetesWorkloads, YamlMergeKeysApply) {
  auto issues = run(R"(apiVersion: v1
kind: Pod
metadata: {name: m}
spec:
  containers:
  - &base {name: a, image: "a:1", securityContext: {privileged: true}}
  - <<: *base
    name: b
)");
  EXPECT_EQ(with_id(issues, "BW-K8S-003").size(), 2u);
}

// ---- hostile input ----
TEST(YamlLimits, BillionLaughsStopsAtTheNodeBudget) {
  std::string bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
    bomb += "]\n";
  }
  bomb += "apiVersion: v1\nkind: Pod\n";
  auto start = std::chrono::steady_clock::now();
  auto r = load_yaml(bomb, "bomb.yaml");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kLimitExceeded);
  EXPECT_EQ(r.error().message().rfind("bomb.yaml: more than 500000 nodes", 0), 0u);
  EXPECT_NE(r.error().message().find("YAML bomb"), std::string::npos);
  EXPECT_LT(secs, 5.0);
}

TEST(YamlLimits, DeepNestingIsRefusedWithOneLine) {
  std::string flow(100000, '[');
  auto r = load_yaml(flow, "deep.yaml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "deep.yaml: flow collections nested deeper than 100 levels");
  std::string block;
  for (int i = 0; i < 300; ++i) block += std::string(static_cast<size_t>(i) * 2, ' ') + "k:\n";
  auto b = load_yaml(block, "block.yaml");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), core::ErrorCode::kLimitExceeded);
}

TEST(YamlLimits, HugeDocumentIsRefusedBeforeParsing) {
  YamlLimits small;
  small.max_bytes = 1 << 20;
  std::string big =
      "apiVersion: v1\nkind: ConfigMap\ndata:\n  x: \"" + std::string(2 << 20, 'a') + "\"\n";
  auto r = load_yaml(big, "big.yaml", small);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), core::ErrorCode::kLimitExceeded);
  // Many small documents stop at the document limit.
  YamlLimits few;
  few.max_documents = 10;
  std::string many;
  for (int i = 0; i < 50; ++i) many += "---\na: 1\n";
  EXPECT_FALSE(load_yaml(many, "many.yaml", few).ok());
}

TEST(YamlLimits, InvalidUtf8AndGarbageGiveOneLineErrorsOrValues) {
  auto utf =
      load_yaml("apiVersion: v1\nkind: Pod\nmetadata: {name: \"\xff\xfe\xc3\x28\"}\n", "u.yaml");
  if (!utf.ok()) {
    EXPECT_EQ(utf.error().message().find('\n'), std::string::npos);
  }
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 65536; ++i) {
    x = x * 1103515245 + 12345;
    garbage += static_cast<char>((x >> 16) & 0xff);
  }
  auto g = load_yaml(garbage, "garbage.bin");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().message().find('\n'), std::string::npos);
  auto bad = load_yaml("a: [1, 2\nb: }\n", "bad.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message().rfind("bad.yaml:", 0), 0u);
  EXPECT_EQ(bad.error().message().find('\n'), std::string::npos);
}

}  // namespace
}  // namespace bulwark::misconfig::kubernetes
