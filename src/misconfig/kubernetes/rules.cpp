#include "misconfig/kubernetes/rules.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "misconfig/secret_hint.hpp"

namespace bulwark::misconfig::kubernetes {

namespace {

using nlohmann::json;
using report::Severity;

// One pod spec found in a document, with the paths its fields are reported under.
struct Workload {
  const YamlDoc* doc;
  std::string file;
  std::string kind, name;
  const json* object;  // the top object (or List item)
  std::string object_path;
  const json* pod_meta;  // pod template metadata (may be null)
  std::string pod_meta_path;
  const json* spec;  // the pod spec
  std::string spec_path;
};

struct ContainerRef {
  const json* c;
  std::string path;  // "spec.containers[0]"
  std::string name;
  bool ephemeral;
};

using CheckFn = void (*)(const Workload&, const Rule&, std::vector<Issue>&);
struct K8sRule {
  Rule rule;
  CheckFn check;
};

const json* get(const json* j, std::string_view key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  auto it = j->find(key);
  return it == j->end() ? nullptr : &*it;
}

std::string str(const json* j) {
  return j != nullptr && j->is_string() ? j->get<std::string>() : std::string();
}

bool is_true(const json* j) {
  return j != nullptr && j->is_boolean() && j->get<bool>();
}

bool is_false(const json* j) {
  return j != nullptr && j->is_boolean() && !j->get<bool>();
}

// Appends a dotted field path ("seccompProfile.type") one key at a time.
std::string join(std::string_view a, std::string_view dotted) {
  std::string out(a);
  while (true) {
    size_t dot = dotted.find('.');
    out = yaml_path_key(out, dotted.substr(0, dot));
    if (dot == std::string_view::npos) return out;
    dotted.remove_prefix(dot + 1);
  }
}

// Appends one key that may itself contain dots or slashes (annotation names).
std::string join_key(std::string_view a, std::string_view key) {
  return yaml_path_key(a, key);
}

void emit(const Workload& w, const Rule& r, std::vector<Issue>& out, const std::string& path,
          std::string message) {
  Issue i;
  i.rule = &r;
  i.file = w.file;
  i.document = w.doc->index;
  i.path = path;
  i.line = w.doc->line_of(path);
  i.message = w.kind + "/" + (w.name.empty() ? "<unnamed>" : w.name) + ": " + std::move(message);
  out.push_back(std::move(i));
}

std::vector<ContainerRef> containers(const Workload& w, bool include_ephemeral = true) {
  std::vector<ContainerRef> out;
  for (std::string_view list : {"initContainers", "containers", "ephemeralContainers"}) {
    if (list == "ephemeralContainers" && !include_ephemeral) continue;
    const json* arr = get(w.spec, list);
    if (arr == nullptr || !arr->is_array()) continue;
    for (size_t i = 0; i < arr->size(); ++i) {
      const json& c = (*arr)[i];
      if (!c.is_object()) continue;
      out.push_back({&c, yaml_path_index(join(w.spec_path, list), i), str(get(&c, "name")),
                     list == "ephemeralContainers"});
    }
  }
  return out;
}

std::string cname(const ContainerRef& c) {
  return "container " + (c.name.empty() ? std::string("<unnamed>") : c.name);
}

const json* sc(const ContainerRef& c) {
  return get(c.c, "securityContext");
}

const json* pod_sc(const Workload& w) {
  return get(w.spec, "securityContext");
}

std::string sc_path(const ContainerRef& c, std::string_view field) {
  return join(join(c.path, "securityContext"), field);
}

std::string pod_sc_path(const Workload& w, std::string_view field) {
  return join(join(w.spec_path, "securityContext"), field);
}

bool windows_pod(const Workload& w) {
  return str(get(get(w.spec, "os"), "name")) == "windows";
}

// ---- baseline ----
void check_host_process(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  if (is_true(get(get(pod_sc(w), "windowsOptions"), "hostProcess")))
    emit(w, r, out, pod_sc_path(w, "windowsOptions.hostProcess"), "pod sets hostProcess: true");
  for (const auto& c : containers(w)) {
    if (is_true(get(get(sc(c), "windowsOptions"), "hostProcess")))
      emit(w, r, out, sc_path(c, "windowsOptions.hostProcess"), cname(c) + " sets hostProcess");
  }
}

void check_host_namespaces(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for (std::string_view f : {"hostNetwork", "hostPID", "hostIPC"}) {
    if (is_true(get(w.spec, f)))
      emit(w, r, out, join(w.spec_path, f), "shares the host's namespace: " + std::string(f));
  }
}

void check_privileged(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for (const auto& c : containers(w)) {
    if (is_true(get(sc(c), "privileged")))
      emit(w, r, out, sc_path(c, "privileged"), cname(c) + " is privileged");
  }
}

const json* caps(const ContainerRef& c, std::string_view which) {
  return get(get(sc(c), "capabilities"), which);
}

void check_caps_baseline(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  static const std::set<std::string> kAllowed = {
      "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "MKNOD",
      "NET_BIND_SERVICE", "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};
  for (const auto& c : containers(w)) {
    const json* add = caps(c, "add");
    if (add == nullptr || !add->is_array()) continue;
    for (size_t i = 0; i < add->size(); ++i) {
      std::string cap = (*add)[i].is_string() ? (*add)[i].get<std::string>() : "";
      if (!kAllowed.contains(cap))
        emit(w, r, out, yaml_path_index(sc_path(c, "capabilities.add"), i),
             cname(c) + " adds capability " + cap);
    }
  }
}

template <typename F>
void for_each_volume(const Workload& w, F&& f) {
  const json* vols = get(w.spec, "volumes");
  if (vols == nullptr || !vols->is_array()) return;
  for (size_t i = 0; i < vols->size(); ++i) {
    if ((*vols)[i].is_object()) f((*vols)[i], yaml_path_index(join(w.spec_path, "volumes"), i));
  }
}

void check_host_path(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for_each_volume(w, [&](const json& v, const std::string& path) {
    if (const json* hp = get(&v, "hostPath"); hp != nullptr && !hp->is_null())
      emit(w, r, out, join(path, "hostPath"),
           "volume " + str(get(&v, "name")) + " mounts host path " + str(get(hp, "path")));
  });
}

void check_host_ports(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for (const auto& c : containers(w)) {
    const json* ports = get(c.c, "ports");
    if (ports == nullptr || !ports->is_array()) continue;
    for (size_t i = 0; i < ports->size(); ++i) {
      const json* hp = get(&(*ports)[i], "hostPort");
      if (hp != nullptr && hp->is_number() && hp->get<double>() != 0)
        emit(w, r, out, join(yaml_path_index(join(c.path, "ports"), i), "hostPort"),
             cname(c) + " binds host port " + hp->dump());
    }
  }
}

void check_apparmor(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  auto bad_type = [](const json* p) {
    std::string t = str(get(p, "type"));
    return p != nullptr && !t.empty() && t != "RuntimeDefault" && t != "Localhost";
  };
  if (bad_type(get(pod_sc(w), "appArmorProfile")))
    emit(w, r, out, pod_sc_path(w, "appArmorProfile.type"), "pod AppArmor profile is not confined");
  for (const auto& c : containers(w)) {
    if (bad_type(get(sc(c), "appArmorProfile")))
      emit(w, r, out, sc_path(c, "appArmorProfile.type"),
           cname(c) + " AppArmor profile is " + str(get(get(sc(c), "appArmorProfile"), "type")));
  }
  const json* ann = get(w.pod_meta, "annotations");
  if (ann == nullptr || !ann->is_object()) return;
  constexpr std::string_view kPrefix = "container.apparmor.security.beta.kubernetes.io/";
  for (const auto& [k, v] : ann->items()) {
    if (!std::string_view(k).starts_with(kPrefix)) continue;
    std::string val = v.is_string() ? v.get<std::string>() : "";
    if (val != "runtime/default" && !val.starts_with("localhost/"))
      emit(w, r, out, join_key(join(w.pod_meta_path, "annotations"), k),
           "annotation " + k + ": " + val);
  }
}

void check_selinux(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  static const std::set<std::string> kTypes = {"", "container_t", "container_init_t",
                                               "container_kvm_t", "container_engine_t"};
  auto check = [&](const json* opts, const std::string& path, const std::string& who) {
    if (opts == nullptr || !opts->is_object()) return;
    if (!kTypes.contains(str(get(opts, "type"))))
      emit(w, r, out, join(path, "type"), who + " sets SELinux type " + str(get(opts, "type")));
    for (std::string_view f : {"user", "role"}) {
      if (!str(get(opts, f)).empty())
        emit(w, r, out, join(path, f), who + " sets SELinux " + std::string(f));
    }
  };
  check(get(pod_sc(w), "seLinuxOptions"), pod_sc_path(w, "seLinuxOptions"), "pod");
  for (const auto& c : containers(w))
    check(get(sc(c), "seLinuxOptions"), sc_path(c, "seLinuxOptions"), cname(c));
}

void check_proc_mount(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for (const auto& c : containers(w)) {
    std::string pm = str(get(sc(c), "procMount"));
    if (!pm.empty() && pm != "Default")
      emit(w, r, out, sc_path(c, "procMount"), cname(c) + " sets procMount " + pm);
  }
}

std::string seccomp_type(const json* securityContext) {
  return str(get(get(securityContext, "seccompProfile"), "type"));
}

void check_seccomp_baseline(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  if (seccomp_type(pod_sc(w)) == "Unconfined")
    emit(w, r, out, pod_sc_path(w, "seccompProfile.type"), "pod seccomp profile is Unconfined");
  for (const auto& c : containers(w)) {
    if (seccomp_type(sc(c)) == "Unconfined")
      emit(w, r, out, sc_path(c, "seccompProfile.type"), cname(c) + " seccomp is Unconfined");
  }
}

void check_sysctls(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  static const std::set<std::string> kSafe = {"kernel.shm_rmid_forced",
                                              "net.ipv4.ip_local_port_range",
                                              "net.ipv4.ip_unprivileged_port_start",
                                              "net.ipv4.tcp_syncookies",
                                              "net.ipv4.ping_group_range",
                                              "net.ipv4.ip_local_reserved_ports",
                                              "net.ipv4.tcp_keepalive_time",
                                              "net.ipv4.tcp_fin_timeout",
                                              "net.ipv4.tcp_keepalive_intvl",
                                              "net.ipv4.tcp_keepalive_probes"};
  const json* s = get(pod_sc(w), "sysctls");
  if (s == nullptr || !s->is_array()) return;
  for (size_t i = 0; i < s->size(); ++i) {
    std::string n = str(get(&(*s)[i], "name"));
    if (!kSafe.contains(n))
      emit(w, r, out, join(yaml_path_index(pod_sc_path(w, "sysctls"), i), "name"),
           "unsafe sysctl " + n);
  }
}

// ---- restricted ----
void check_volume_types(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  static const std::set<std::string> kAllowed = {"configMap", "csi",       "downwardAPI",
                                                 "emptyDir",  "ephemeral", "persistentVolumeClaim",
                                                 "projected", "secret",    "name"};
  for_each_volume(w, [&](const json& v, const std::string& path) {
    for (const auto& [k, val] : v.items()) {
      if (!kAllowed.contains(k) && !val.is_null())
        emit(w, r, out, join(path, k),
             "volume " + str(get(&v, "name")) + " has restricted type " + k);
    }
  });
}

void check_privilege_escalation(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  if (windows_pod(w)) return;
  for (const auto& c : containers(w)) {
    if (!is_false(get(sc(c), "allowPrivilegeEscalation")))
      emit(w, r, out, sc_path(c, "allowPrivilegeEscalation"),
           cname(c) + " does not set allowPrivilegeEscalation: false");
  }
}

void check_run_as_non_root(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  const json* pod = get(pod_sc(w), "runAsNonRoot");
  if (is_false(pod))
    emit(w, r, out, pod_sc_path(w, "runAsNonRoot"), "pod sets runAsNonRoot: false");
  bool pod_true = is_true(pod);
  for (const auto& c : containers(w)) {
    const json* v = get(sc(c), "runAsNonRoot");
    if (is_false(v)) {
      emit(w, r, out, sc_path(c, "runAsNonRoot"), cname(c) + " sets runAsNonRoot: false");
    } else if (!pod_true && !is_true(v)) {
      emit(w, r, out, sc_path(c, "runAsNonRoot"),
           cname(c) + " may run as root: runAsNonRoot is not true for the pod or the container");
    }
  }
}

void check_run_as_user(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  auto zero = [](const json* v) { return v != nullptr && v->is_number() && v->get<double>() == 0; };
  if (zero(get(pod_sc(w), "runAsUser")))
    emit(w, r, out, pod_sc_path(w, "runAsUser"), "pod sets runAsUser: 0");
  for (const auto& c : containers(w)) {
    if (zero(get(sc(c), "runAsUser")))
      emit(w, r, out, sc_path(c, "runAsUser"), cname(c) + " sets runAsUser: 0");
  }
}

void check_seccomp_restricted(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  if (windows_pod(w)) return;
  auto good = [](const std::string& t) { return t == "RuntimeDefault" || t == "Localhost"; };
  bool pod_ok = good(seccomp_type(pod_sc(w)));
  for (const auto& c : containers(w)) {
    std::string t = seccomp_type(sc(c));
    if (t.empty() ? !pod_ok : !good(t))
      emit(w, r, out, sc_path(c, "seccompProfile.type"),
           cname(c) + " has no RuntimeDefault or Localhost seccomp profile");
  }
}

void check_caps_restricted(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  if (windows_pod(w)) return;
  for (const auto& c : containers(w)) {
    const json* drop = caps(c, "drop");
    bool all = drop != nullptr && drop->is_array() &&
               std::any_of(drop->begin(), drop->end(), [](const json& d) {
                 return d.is_string() && d.get<std::string>() == "ALL";
               });
    if (!all)
      emit(w, r, out, sc_path(c, "capabilities.drop"),
           cname(c) + " does not drop ALL capabilities");
    const json* add = caps(c, "add");
    if (add == nullptr || !add->is_array()) continue;
    for (size_t i = 0; i < add->size(); ++i) {
      std::string cap = (*add)[i].is_string() ? (*add)[i].get<std::string>() : "";
      if (cap != "NET_BIND_SERVICE")
        emit(w, r, out, yaml_path_index(sc_path(c, "capabilities.add"), i),
             cname(c) + " adds capability " + cap);
    }
  }
}

// ---- hardening outside the standard ----
void check_resources(const Workload& w, const Rule& r, std::vector<Issue>& out,
                     std::string_view which) {
  for (const auto& c : containers(w, false)) {
    const json* res = get(get(c.c, "resources"), which);
    for (std::string_view k : {"cpu", "memory"}) {
      if (get(res, k) == nullptr)
        emit(w, r, out, join(join(join(c.path, "resources"), which), k),
             cname(c) + " sets no " + std::string(k) + " " + std::string(which));
    }
  }
}

void check_requests(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  check_resources(w, r, out, "requests");
}

void check_limits(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  check_resources(w, r, out, "limits");
}

void check_read_only_root(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for (const auto& c : containers(w, false)) {
    if (!is_true(get(sc(c), "readOnlyRootFilesystem")))
      emit(w, r, out, sc_path(c, "readOnlyRootFilesystem"),
           cname(c) + " has a writable root filesystem");
  }
}

struct ImageRef {
  std::string tag, digest;
};

ImageRef parse_image(std::string_view ref) {
  ImageRef r;
  if (size_t at = ref.find('@'); at != std::string_view::npos) {
    r.digest = std::string(ref.substr(at + 1));
    ref = ref.substr(0, at);
  }
  size_t colon = ref.rfind(':');
  size_t slash = ref.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
    r.tag = std::string(ref.substr(colon + 1));
  return r;
}

void check_image_tag(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for (const auto& c : containers(w)) {
    std::string img = str(get(c.c, "image"));
    if (img.empty()) continue;
    auto ref = parse_image(img);
    if (ref.digest.empty() && (ref.tag.empty() || ref.tag == "latest"))
      emit(w, r, out, join(c.path, "image"),
           cname(c) + " image " + img + " is not a fixed version");
  }
}

void check_image_digest(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for (const auto& c : containers(w)) {
    std::string img = str(get(c.c, "image"));
    auto ref = parse_image(img);
    if (!img.empty() && ref.digest.empty() && !ref.tag.empty() && ref.tag != "latest")
      emit(w, r, out, join(c.path, "image"),
           cname(c) + " image " + img + " is not pinned by digest");
  }
}

void check_default_namespace(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  const json* ns = get(get(w.object, "metadata"), "namespace");
  if (str(ns) == "default")
    emit(w, r, out, join(join(w.object_path, "metadata"), "namespace"),
         "deployed into the default namespace");
}

void check_automount(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  if (!is_false(get(w.spec, "automountServiceAccountToken")))
    emit(w, r, out, join(w.spec_path, "automountServiceAccountToken"),
         "the service account token is mounted into the pod");
}

void check_env_secrets(const Workload& w, const Rule& r, std::vector<Issue>& out) {
  for (const auto& c : containers(w)) {
    const json* env = get(c.c, "env");
    if (env == nullptr || !env->is_array()) continue;
    for (size_t i = 0; i < env->size(); ++i) {
      const json* v = get(&(*env)[i], "value");
      if (v == nullptr || !v->is_string()) continue;
      std::string name = str(get(&(*env)[i], "name"));
      if (auto why = secret_reason(name, v->get<std::string>()))
        emit(w, r, out, join(yaml_path_index(join(c.path, "env"), i), "value"),
             cname(c) + " env " + name + "=" + redact(v->get<std::string>()) + ": " + *why);
    }
  }
}

using S = Severity;
constexpr auto kK8s = ConfigType::kKubernetes;
constexpr auto kB = PssLevel::kBaseline;
constexpr auto kR = PssLevel::kRestricted;

const std::array kTable = {
    K8sRule{{"BW-K8S-001", "HostProcess", S::kHigh,
             "Remove windowsOptions.hostProcess or set it to false", kK8s, kB},
            check_host_process},
    K8sRule{{"BW-K8S-002", "Host Namespaces", S::kHigh,
             "Remove hostNetwork, hostPID and hostIPC (or set them to false)", kK8s, kB},
            check_host_namespaces},
    K8sRule{{"BW-K8S-003", "Privileged Containers", S::kCritical,
             "Remove securityContext.privileged or set it to false", kK8s, kB},
            check_privileged},
    K8sRule{{"BW-K8S-004", "Capabilities", S::kHigh,
             "Add only capabilities of the baseline list (e.g. NET_BIND_SERVICE, CHOWN)", kK8s, kB},
            check_caps_baseline},
    K8sRule{{"BW-K8S-005", "HostPath Volumes", S::kHigh,
             "Use emptyDir, configMap, secret or a PersistentVolumeClaim instead of hostPath", kK8s,
             kB},
            check_host_path},
    K8sRule{{"BW-K8S-006", "Host Ports", S::kMedium,
             "Remove hostPort; expose the port with a Service", kK8s, kB},
            check_host_ports},
    K8sRule{{"BW-K8S-007", "AppArmor", S::kHigh,
             "Use the RuntimeDefault or a Localhost AppArmor profile", kK8s, kB},
            check_apparmor},
    K8sRule{
        {"BW-K8S-008", "SELinux", S::kHigh,
         "Leave seLinuxOptions.type to the container types and do not set user or role", kK8s, kB},
        check_selinux},
    K8sRule{{"BW-K8S-009", "/proc Mount Type", S::kHigh, "Remove procMount or set it to Default",
             kK8s, kB},
            check_proc_mount},
    K8sRule{{"BW-K8S-010", "Seccomp", S::kHigh, "Do not set seccompProfile.type to Unconfined",
             kK8s, kB},
            check_seccomp_baseline},
    K8sRule{{"BW-K8S-011", "Sysctls", S::kHigh, "Set only the safe, namespaced sysctls", kK8s, kB},
            check_sysctls},
    K8sRule{{"BW-K8S-012", "Volume Types", S::kMedium,
             "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, "
             "projected or secret volumes",
             kK8s, kR},
            check_volume_types},
    K8sRule{{"BW-K8S-013", "Privilege Escalation", S::kMedium,
             "Set securityContext.allowPrivilegeEscalation: false in every container", kK8s, kR},
            check_privilege_escalation},
    K8sRule{{"BW-K8S-014", "Running as Non-root", S::kMedium,
             "Set securityContext.runAsNonRoot: true for the pod (or every container)", kK8s, kR},
            check_run_as_non_root},
    K8sRule{{"BW-K8S-015", "Running as Non-root user", S::kMedium,
             "Do not set runAsUser: 0; pick a non-zero UID", kK8s, kR},
            check_run_as_user},
    K8sRule{{"BW-K8S-016", "Seccomp", S::kMedium,
             "Set securityContext.seccompProfile.type: RuntimeDefault (or Localhost)", kK8s, kR},
            check_seccomp_restricted},
    K8sRule{{"BW-K8S-017", "Capabilities", S::kMedium,
             "Set capabilities.drop: [ALL] and add at most NET_BIND_SERVICE", kK8s, kR},
            check_caps_restricted},
    K8sRule{{"BW-K8S-020", "CPU/memory requests not set", S::kLow,
             "Set resources.requests.cpu and resources.requests.memory", kK8s},
            check_requests},
    K8sRule{{"BW-K8S-021", "CPU/memory limits not set", S::kLow,
             "Set resources.limits.cpu and resources.limits.memory", kK8s},
            check_limits},
    K8sRule{{"BW-K8S-022", "Root filesystem is writable", S::kLow,
             "Set securityContext.readOnlyRootFilesystem: true and mount writable volumes", kK8s},
            check_read_only_root},
    K8sRule{{"BW-K8S-023", "Image tag is latest or missing", S::kMedium,
             "Use a version tag, ideally with @sha256:<digest>", kK8s},
            check_image_tag},
    K8sRule{{"BW-K8S-024", "Image not pinned by digest", S::kLow,
             "Append @sha256:<digest> to the image reference", kK8s},
            check_image_digest},
    K8sRule{{"BW-K8S-025", "Workload in the default namespace", S::kLow,
             "Deploy into a dedicated namespace", kK8s},
            check_default_namespace},
    K8sRule{{"BW-K8S-026", "Service account token mounted", S::kLow,
             "Set automountServiceAccountToken: false unless the pod calls the API", kK8s},
            check_automount},
    K8sRule{{"BW-K8S-027", "Secret in plain environment variable", S::kHigh,
             "Reference a Secret with valueFrom.secretKeyRef instead of a literal value", kK8s},
            check_env_secrets},
};

// Where the pod spec sits for each workload kind.
struct Shape {
  std::string_view kind;
  std::string_view template_path;  // "" for Pod: the spec is the object's spec
};
constexpr std::array kShapes = {
    Shape{"Pod", ""},
    Shape{"Deployment", "spec.template"},
    Shape{"StatefulSet", "spec.template"},
    Shape{"DaemonSet", "spec.template"},
    Shape{"ReplicaSet", "spec.template"},
    Shape{"ReplicationController", "spec.template"},
    Shape{"Job", "spec.template"},
    Shape{"CronJob", "spec.jobTemplate.spec.template"},
    Shape{"PodTemplate", "template"},
};

const json* at_path(const json* j, std::string_view dotted) {
  while (j != nullptr && !dotted.empty()) {
    size_t dot = dotted.find('.');
    j = get(j, dotted.substr(0, dot));
    dotted = dot == std::string_view::npos ? "" : dotted.substr(dot + 1);
  }
  return j;
}

std::string prefixed(std::string_view prefix, std::string_view rel) {
  if (prefix.empty()) return std::string(rel);
  if (rel.empty()) return std::string(prefix);
  return std::string(prefix) + "." + std::string(rel);
}

void collect(const YamlDoc& doc, std::string_view file, const json& obj, const std::string& path,
             int depth, std::vector<Workload>& out) {
  if (!obj.is_object() || depth > 4) return;
  std::string kind = str(get(&obj, "kind"));
  if (const json* items = get(&obj, "items");
      items != nullptr && items->is_array() && kind.ends_with("List")) {
    for (size_t i = 0; i < items->size(); ++i)
      collect(doc, file, (*items)[i], yaml_path_index(prefixed(path, "items"), i), depth + 1, out);
    return;
  }
  for (const auto& s : kShapes) {
    if (s.kind != kind) continue;
    Workload w{
        &doc, std::string(file), kind, str(get(get(&obj, "metadata"), "name")), &obj, path, nullptr,
        "",   nullptr,           ""};
    if (s.template_path.empty()) {
      w.pod_meta = get(&obj, "metadata");
      w.pod_meta_path = prefixed(path, "metadata");
      w.spec = get(&obj, "spec");
      w.spec_path = prefixed(path, "spec");
    } else {
      const json* tmpl = at_path(&obj, s.template_path);
      w.pod_meta = get(tmpl, "metadata");
      w.pod_meta_path = prefixed(path, std::string(s.template_path) + ".metadata");
      w.spec = get(tmpl, "spec");
      w.spec_path = prefixed(path, std::string(s.template_path) + ".spec");
    }
    if (w.spec != nullptr && w.spec->is_object()) out.push_back(std::move(w));
  }
}

}  // namespace

std::span<const Rule> rules() {
  static const auto kRules = [] {
    std::array<Rule, kTable.size()> r{};
    for (size_t i = 0; i < kTable.size(); ++i) r[i] = kTable[i].rule;
    return r;
  }();
  return kRules;
}

bool is_kubernetes(const nlohmann::json& doc) {
  return doc.is_object() && doc.contains("apiVersion") && doc.contains("kind") &&
         doc["kind"].is_string();
}

std::vector<Issue> check(const std::vector<YamlDoc>& docs, std::string_view file) {
  std::vector<Workload> workloads;
  for (const auto& d : docs) collect(d, file, d.root, "", 0, workloads);
  std::vector<Issue> out;
  auto rs = rules();
  for (const auto& w : workloads) {
    for (size_t i = 0; i < kTable.size(); ++i) kTable[i].check(w, rs[i], out);
  }
  return out;
}

bool admitted(const std::vector<Issue>& issues, PssLevel level) {
  return std::none_of(issues.begin(), issues.end(), [&](const Issue& i) {
    auto l = i.rule->pss_level;
    return l != PssLevel::kNone && static_cast<int>(l) <= static_cast<int>(level);
  });
}

}  // namespace bulwark::misconfig::kubernetes
