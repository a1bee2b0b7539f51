#include "misconfig/compose/rules.hpp"

#include <array>

#include "misconfig/secret_hint.hpp"

namespace bulwark::misconfig::compose {

namespace {

using nlohmann::json;
using report::Severity;

struct Service {
  const YamlDoc* doc;
  std::string file;
  std::string name;
  const json* svc;
  std::string path;  // services.web
};

using CheckFn = void (*)(const Service&, const Rule&, std::vector<Issue>&);
struct DcRule {
  Rule rule;
  CheckFn check;
};

const json* get(const json* j, std::string_view key) {
  if (j == nullptr || !j->is_object()) return nullptr;
  auto it = j->find(key);
  return it == j->end() ? nullptr : &*it;
}

std::string str(const json* j) {
  if (j == nullptr) return {};
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number() || j->is_boolean()) return j->dump();
  return {};
}

void emit(const Service& s, const Rule& r, std::vector<Issue>& out, const std::string& path,
          std::string message) {
  Issue i;
  i.rule = &r;
  i.file = s.file;
  i.document = s.doc->index;
  i.path = path;
  i.line = s.doc->line_of(path);
  i.message = "service " + s.name + ": " + std::move(message);
  out.push_back(std::move(i));
}

std::string field(const Service& s, std::string_view f) {
  return yaml_path_key(s.path, f);
}

void check_privileged(const Service& s, const Rule& r, std::vector<Issue>& out) {
  const json* p = get(s.svc, "privileged");
  if (p != nullptr && p->is_boolean() && p->get<bool>())
    emit(s, r, out, field(s, "privileged"), "privileged: true");
}

void check_host_namespaces(const Service& s, const Rule& r, std::vector<Issue>& out) {
  if (str(get(s.svc, "network_mode")) == "host")
    emit(s, r, out, field(s, "network_mode"), "network_mode: host");
  for (std::string_view f : {"pid", "ipc", "userns_mode", "uts"}) {
    if (str(get(s.svc, f)) == "host") emit(s, r, out, field(s, f), std::string(f) + ": host");
  }
}

void check_docker_sock(const Service& s, const Rule& r, std::vector<Issue>& out) {
  const json* vols = get(s.svc, "volumes");
  if (vols == nullptr || !vols->is_array()) return;
  for (size_t i = 0; i < vols->size(); ++i) {
    const json& v = (*vols)[i];
    std::string source = v.is_string()
                             ? v.get<std::string>().substr(0, v.get<std::string>().find(':'))
                             : str(get(&v, "source"));
    if (source.ends_with("docker.sock") || source.ends_with("containerd.sock") ||
        source.ends_with("podman.sock") || source == "/var/run/docker" || source == "/run/docker")
      emit(s, r, out, yaml_path_index(field(s, "volumes"), i),
           "mounts the container engine socket " + source);
  }
}

void check_user(const Service& s, const Rule& r, std::vector<Issue>& out) {
  std::string u = str(get(s.svc, "user"));
  std::string name = u.substr(0, u.find(':'));
  if (u.empty()) {
    emit(s, r, out, s.path, "no user: runs as the image's user, often root");
  } else if (name == "root" || name == "0") {
    emit(s, r, out, field(s, "user"), "user: " + u);
  }
}

void check_limits(const Service& s, const Rule& r, std::vector<Issue>& out) {
  const json* limits = get(get(get(s.svc, "deploy"), "resources"), "limits");
  bool mem = get(limits, "memory") != nullptr || get(s.svc, "mem_limit") != nullptr;
  bool cpu = get(limits, "cpus") != nullptr || get(s.svc, "cpus") != nullptr ||
             get(s.svc, "cpu_quota") != nullptr;
  if (!mem || !cpu)
    emit(s, r, out, s.path,
         std::string("no ") +
             (!mem && !cpu ? "memory or CPU"
              : !mem       ? "memory"
                           : "CPU") +
             " limit");
}

// "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]"; IPv6 host IPs are bracketed.
bool short_port_public(std::string_view p) {
  size_t colons = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] == '[') {
      size_t close = p.find(']', i);
      if (close == std::string_view::npos) return true;
      std::string_view ip = p.substr(i + 1, close - i - 1);
      return ip == "::" || ip.empty();
    }
    if (p[i] == ':') ++colons;
  }
  if (colons < 2) return true;  // no host IP: all interfaces
  std::string_view ip = p.substr(0, p.find(':'));
  return ip == "0.0.0.0" || ip.empty();
}

void check_ports(const Service& s, const Rule& r, std::vector<Issue>& out) {
  const json* ports = get(s.svc, "ports");
  if (ports == nullptr || !ports->is_array()) return;
  for (size_t i = 0; i < ports->size(); ++i) {
    const json& p = (*ports)[i];
    std::string path = yaml_path_index(field(s, "ports"), i);
    if (p.is_string() || p.is_number()) {
      std::string text = str(&p);
      if (short_port_public(text))
        emit(s, r, out, path, "port " + text + " bound to all interfaces");
    } else if (p.is_object()) {
      std::string ip = str(get(&p, "host_ip"));
      if (ip.empty() || ip == "0.0.0.0" || ip == "::")
        emit(s, r, out, path, "port " + str(get(&p, "target")) + " bound to all interfaces");
    }
  }
}

void check_caps(const Service& s, const Rule& r, std::vector<Issue>& out) {
  const json* add = get(s.svc, "cap_add");
  if (add == nullptr || !add->is_array()) return;
  for (size_t i = 0; i < add->size(); ++i) {
    std::string c = str(&(*add)[i]);
    std::string bare = c.starts_with("CAP_") ? c.substr(4) : c;
    if (bare == "ALL" || bare == "SYS_ADMIN" || bare == "SYS_PTRACE" || bare == "SYS_MODULE" ||
        bare == "NET_ADMIN" || bare == "DAC_READ_SEARCH" || bare == "SYS_RAWIO" || bare == "BPF")
      emit(s, r, out, yaml_path_index(field(s, "cap_add"), i), "cap_add " + c);
  }
}

void check_security_opt(const Service& s, const Rule& r, std::vector<Issue>& out) {
  const json* opts = get(s.svc, "security_opt");
  if (opts == nullptr || !opts->is_array()) return;
  for (size_t i = 0; i < opts->size(); ++i) {
    std::string o = str(&(*opts)[i]);
    if (o.find("unconfined") != std::string::npos || o == "label:disable" || o == "label=disable")
      emit(s, r, out, yaml_path_index(field(s, "security_opt"), i), "security_opt " + o);
  }
}

void check_env_secrets(const Service& s, const Rule& r, std::vector<Issue>& out) {
  const json* env = get(s.svc, "environment");
  if (env == nullptr) return;
  auto one = [&](const std::string& k, const std::string& v, const std::string& path) {
    if (auto why = secret_reason(k, v)) emit(s, r, out, path, k + "=" + redact(v) + ": " + *why);
  };
  if (env->is_object()) {
    for (const auto& [k, v] : env->items())
      one(k, str(&v), yaml_path_key(field(s, "environment"), k));
  } else if (env->is_array()) {
    for (size_t i = 0; i < env->size(); ++i) {
      std::string e = str(&(*env)[i]);
      size_t eq = e.find('=');
      if (eq != std::string::npos)
        one(e.substr(0, eq), e.substr(eq + 1), yaml_path_index(field(s, "environment"), i));
    }
  }
}

using S = Severity;
constexpr auto kDc = ConfigType::kCompose;

const std::array kTable = {
    DcRule{{"BW-DC-001", "Privileged service", S::kCritical, "Remove privileged: true", kDc},
           check_privileged},
    DcRule{{"BW-DC-002", "Service shares a host namespace", S::kHigh,
            "Remove network_mode/pid/ipc/uts/userns_mode: host", kDc},
           check_host_namespaces},
    DcRule{{"BW-DC-003", "Container engine socket mounted", S::kCritical,
            "Do not mount docker.sock: it grants root on the host", kDc},
           check_docker_sock},
    DcRule{{"BW-DC-004", "Service runs as root or sets no user", S::kMedium,
            "Set user: \"<uid>:<gid>\" to a non-root user", kDc},
           check_user},
    DcRule{{"BW-DC-005", "No memory/CPU limits", S::kLow,
            "Set deploy.resources.limits (memory, cpus) or mem_limit/cpus", kDc},
           check_limits},
    DcRule{{"BW-DC-006", "Port bound to all interfaces", S::kMedium,
            "Bind to 127.0.0.1 (\"127.0.0.1:8080:80\" or host_ip) unless the port must be public",
            kDc},
           check_ports},
    DcRule{{"BW-DC-007", "Dangerous capability added", S::kHigh,
            "Add only the capabilities the service needs; never ALL or SYS_ADMIN", kDc},
           check_caps},
    DcRule{{"BW-DC-008", "Security profile disabled", S::kHigh,
            "Remove seccomp/apparmor unconfined and label:disable from security_opt", kDc},
           check_security_opt},
    DcRule{{"BW-DC-009", "Secret in environment", S::kHigh,
            "Use Compose secrets or an env_file kept out of version control", kDc},
           check_env_secrets},
};

}  // namespace

std::span<const Rule> rules() {
  static const auto kRules = [] {
    std::array<Rule, kTable.size()> r{};
    for (size_t i = 0; i < kTable.size(); ++i) r[i] = kTable[i].rule;
    return r;
  }();
  return kRules;
}

bool is_compose(const nlohmann::json& doc) {
  const json* s = get(&doc, "services");
  if (s == nullptr || !s->is_object() || s->empty()) return false;
  for (const auto& [k, v] : s->items()) {
    if (!v.is_object() && !v.is_null()) return false;
  }
  return !doc.contains("apiVersion");
}

std::vector<Issue> check(const std::vector<YamlDoc>& docs, std::string_view file) {
  std::vector<Issue> out;
  auto rs = rules();
  for (const auto& d : docs) {
    if (!is_compose(d.root)) continue;
    for (const auto& [name, svc] : d.root["services"].items()) {
      if (!svc.is_object()) continue;
      Service s{&d, std::string(file), name, &svc, yaml_path_key("services", name)};
      for (size_t i = 0; i < kTable.size(); ++i) kTable[i].check(s, rs[i], out);
    }
  }
  return out;
}

}  // namespace bulwark::misconfig::compose
