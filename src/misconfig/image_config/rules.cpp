#include "misconfig/image_config/rules.hpp"

#include <fnmatch.h>

#include <array>
#include <map>
#include <regex>

#include "image/merged_fs.hpp"
#include "misconfig/secret_hint.hpp"

namespace bulwark::misconfig::image_config {

namespace {

using nlohmann::json;
using report::Severity;

constexpr size_t kMaxPerRule = 200;  // file findings per rule: the rest is summarised

struct Ctx {
  const json& config;  // the image config's "config" object (may be null)
  const json& root;
  const std::vector<image::LayerResult>& layers;
  const image::MergedFs& fs;
  bool has_config;
};

using CheckFn = void (*)(const Ctx&, const Rule&, std::vector<Issue>&);
struct ImgRule {
  Rule rule;
  CheckFn check;
};

Issue make(const Rule& r, std::string file, std::string path, std::string message,
           std::optional<int> layer = std::nullopt) {
  Issue i;
  i.rule = &r;
  i.file = std::move(file);
  i.path = std::move(path);
  i.message = std::move(message);
  i.layer = layer;
  return i;
}

std::string jstr(const json& j, std::string_view key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void check_root(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  if (!c.has_config) return;
  std::string u = jstr(c.config, "User");
  std::string name = u.substr(0, u.find(':'));
  if (u.empty()) {
    out.push_back(make(r, "", "config.User", "no User in the image config: runs as root"));
  } else if (name == "root" || name == "0") {
    out.push_back(make(r, "", "config.User", "User is " + u));
  }
}

void check_env(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  if (!c.config.is_object() || !c.config.contains("Env") || !c.config["Env"].is_array()) return;
  const auto& env = c.config["Env"];
  for (size_t i = 0; i < env.size(); ++i) {
    if (!env[i].is_string()) continue;
    std::string e = env[i].get<std::string>();
    size_t eq = e.find('=');
    if (eq == std::string::npos) continue;
    std::string k = e.substr(0, eq), v = e.substr(eq + 1);
    if (auto why = secret_reason(k, v))
      out.push_back(
          make(r, "", "config.Env[" + std::to_string(i) + "]", k + "=" + redact(v) + ": " + *why));
  }
}

void check_ports(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  if (!c.config.is_object() || !c.config.contains("ExposedPorts") ||
      !c.config["ExposedPorts"].is_object())
    return;
  for (const auto& [k, v] : c.config["ExposedPorts"].items()) {
    long port = std::strtol(k.c_str(), nullptr, 10);
    if (port > 0 && port < 1024)
      out.push_back(make(r, "", "config.ExposedPorts[\"" + k + "\"]",
                         "exposes privileged port " + k + (port == 22 ? " (SSH)" : "")));
  }
}

void check_healthcheck(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  if (!c.has_config) return;
  const json* hc = nullptr;
  if (c.config.is_object() && c.config.contains("Healthcheck")) hc = &c.config["Healthcheck"];
  bool none = hc == nullptr || !hc->is_object() || !hc->contains("Test") ||
              ((*hc)["Test"].is_array() && !(*hc)["Test"].empty() && (*hc)["Test"][0] == "NONE");
  if (none) out.push_back(make(r, "", "config.Healthcheck", "the image defines no healthcheck"));
}

void check_history(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  static const std::regex kPipe(
      R"((curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(/bin/|/usr/bin/)?(ba|z|da|k)?sh\b)");
  static const std::regex kSubst(R"((ba|z|da|k)?sh\s+(-c\s+)?["']?(\$\(|<\(|`)\s*(curl|wget)\b)");
  if (!c.root.is_object() || !c.root.contains("history") || !c.root["history"].is_array()) return;
  int layer = 0;
  const auto& hist = c.root["history"];
  for (size_t i = 0; i < hist.size(); ++i) {
    bool empty = hist[i].is_object() && hist[i].value("empty_layer", false);
    std::string cmd = jstr(hist[i], "created_by").substr(0, 1u << 16);
    if (std::regex_search(cmd, kPipe) || std::regex_search(cmd, kSubst)) {
      std::optional<int> l;
      if (!empty) l = layer;
      out.push_back(make(r, "", "history[" + std::to_string(i) + "].created_by",
                         "built with a downloaded script piped into a shell: " + cmd.substr(0, 200),
                         l));
    }
    if (!empty) ++layer;
  }
}

// Visible versions of files, each with the layer that wrote it.
template <typename F>
void for_each_visible(const Ctx& c, F&& f) {
  for (const auto& lr : c.layers) {
    for (const auto& e : lr.files.entries) {
      const image::FileRecord* rec = c.fs.find(e.path);
      if (rec != nullptr && rec->entry == &e) f(e, lr.layer);
    }
  }
}

void capped(std::vector<Issue>& out, size_t& n, Issue i, const Rule& r) {
  if (n < kMaxPerRule) out.push_back(std::move(i));
  if (++n == kMaxPerRule + 1)
    out.push_back(make(
        r, "", "", "more than " + std::to_string(kMaxPerRule) + " files; the rest are not listed"));
}

void check_setuid(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  size_t n = 0;
  for_each_visible(c, [&](const image::Entry& e, int layer) {
    if (e.type != image::EntryType::kFile || (e.mode & 06000) == 0) return;
    std::string what =
        (e.mode & 04000) != 0 ? ((e.mode & 02000) != 0 ? "setuid+setgid" : "setuid") : "setgid";
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", e.mode & 07777);
    capped(out, n,
           make(r, "/" + e.path, "",
                what + " file, mode " + mode + ", owner uid " + std::to_string(e.uid), layer),
           r);
  });
}

void check_world_writable(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  size_t n = 0;
  for_each_visible(c, [&](const image::Entry& e, int layer) {
    if ((e.mode & 0002) == 0) return;
    bool bad = e.type == image::EntryType::kFile ||
               (e.type == image::EntryType::kDir && (e.mode & 01000) == 0);
    if (!bad) return;
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", e.mode & 07777);
    capped(out, n,
           make(r, "/" + e.path, "",
                std::string(e.type == image::EntryType::kDir ? "directory" : "file") +
                    " writable by every user (mode " + mode + ")",
                layer),
           r);
  });
}

struct Cache {
  std::string_view label;
  std::string_view glob;  // fnmatch, FNM_PATHNAME off: '*' crosses '/'
  std::string_view dir;
};
constexpr std::array kCaches = {
    Cache{"apt package archives", "var/cache/apt/archives/*.deb", "/var/cache/apt/archives"},
    Cache{"apt package lists", "var/lib/apt/lists/*_*", "/var/lib/apt/lists"},
    Cache{"apk cache", "var/cache/apk/*", "/var/cache/apk"},
    Cache{"pip cache", "root/.cache/pip/*", "/root/.cache/pip"},
    Cache{"pip cache", "home/*/.cache/pip/*", "/home/*/.cache/pip"},
    Cache{"yum/dnf cache", "var/cache/yum/*", "/var/cache/yum"},
    Cache{"yum/dnf cache", "var/cache/dnf/*.rpm", "/var/cache/dnf"},
};

void check_caches(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  struct Tally {
    size_t files = 0;
    uint64_t bytes = 0;
  };
  std::map<std::pair<size_t, int>, Tally> tallies;  // (cache index, layer)
  for_each_visible(c, [&](const image::Entry& e, int layer) {
    if (e.type != image::EntryType::kFile) return;
    for (size_t i = 0; i < kCaches.size(); ++i) {
      if (::fnmatch(std::string(kCaches[i].glob).c_str(), e.path.c_str(), 0) == 0 &&
          e.path.find("/partial/") == std::string::npos) {
        auto& t = tallies[{i, layer}];
        ++t.files;
        t.bytes += e.size;
        break;
      }
    }
  });
  for (const auto& [key, t] : tallies) {
    const auto& cache = kCaches[key.first];
    out.push_back(make(r, std::string(cache.dir), "",
                       std::string(cache.label) + " left behind: " + std::to_string(t.files) +
                           " files, " + std::to_string(t.bytes) + " bytes",
                       key.second));
  }
}

using S = Severity;
constexpr auto kImg = ConfigType::kImageConfig;

const std::array kTable = {
    ImgRule{{"BW-IMG-001", "Image runs as root", S::kMedium,
             "Set a non-root USER in the Dockerfile's final stage", kImg},
            check_root},
    ImgRule{{"BW-IMG-002", "Secret in image Env", S::kHigh,
             "Pass secrets at run time (secret mounts, orchestrator secrets), not in Env", kImg},
            check_env},
    ImgRule{{"BW-IMG-003", "Privileged port exposed", S::kLow,
             "Listen on a port >= 1024 and map it at run time", kImg},
            check_ports},
    ImgRule{{"BW-IMG-004", "No healthcheck", S::kLow, "Add HEALTHCHECK to the Dockerfile", kImg},
            check_healthcheck},
    ImgRule{{"BW-IMG-005", "Downloaded script piped to a shell during build", S::kHigh,
             "Download, verify a checksum or signature, then run", kImg},
            check_history},
    ImgRule{{"BW-IMG-006", "setuid/setgid file", S::kMedium,
             "Remove the setuid/setgid bit (chmod u-s,g-s) or the file if it is not needed", kImg},
            check_setuid},
    ImgRule{{"BW-IMG-007", "World-writable file", S::kMedium,
             "Remove write permission for others (chmod o-w); use the sticky bit for shared dirs",
             kImg},
            check_world_writable},
    ImgRule{{"BW-IMG-008", "Package manager cache left behind", S::kLow,
             "Clean the cache in the same RUN that installs (rm -rf /var/lib/apt/lists/*, apk "
             "--no-cache, pip --no-cache-dir)",
             kImg},
            check_caches},
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

std::vector<Issue> check(const json& config, const std::vector<image::LayerResult>& layers) {
  static const json kNull;
  const json& cfg = config.is_object() && config.contains("config") ? config["config"] : kNull;
  bool has_config = config.is_object() && (config.contains("config") || config.contains("rootfs"));
  auto fs = image::MergedFs::build(layers);
  Ctx c{cfg, config, layers, fs, has_config};
  std::vector<Issue> out;
  auto rs = rules();
  for (size_t i = 0; i < kTable.size(); ++i) kTable[i].check(c, rs[i], out);
  return out;
}

}  // namespace bulwark::misconfig::image_config
