#include "misconfig/image_config/rules.hpp"

#include <fnmatch.h>

#include <array>
#include <map>
#include <regex>
#include <set>

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

// Visible versions of the files `want` selects, each with the layer that wrote it. `want`
// looks at the header only and runs first: a big image has tens of thousands of entries and
// only a few are candidates, so few need the (hash) visibility lookup.
template <typename W, typename F>
void for_each_visible(const Ctx& c, W&& want, F&& f) {
  for (const auto& lr : c.layers) {
    for (const auto& e : lr.files.entries) {
      if (!want(e)) continue;
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

// The dpkg package that lists `path` among its files, from the visible version of each
// var/lib/dpkg/info/*.list (the dpkg cataloger records their contents as facts), with the layer
// that wrote that list. Lists name paths as packaged ("bin/su"); the image may hold the file
// behind a symlinked directory ("usr/bin/su", merged /usr), hence the resolution.
struct Owner {
  std::string package;
  int list_layer = 0;
};

std::string_view base_name(std::string_view p) {
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

std::map<std::string, Owner> dpkg_owners(const Ctx& c, const std::set<std::string>& paths) {
  constexpr std::string_view kInfoDir = "var/lib/dpkg/info/";
  std::map<std::string, Owner> out;
  if (paths.empty()) return out;
  std::set<std::string_view> names;
  for (const auto& p : paths) names.insert(base_name(p));
  for (const auto& lr : c.layers) {
    for (const auto& [list, files] : lr.facts.facts_by_path) {
      if (!list.starts_with(kInfoDir) || !list.ends_with(".list")) continue;
      const image::FileRecord* rec = c.fs.find(list);
      if (rec == nullptr || rec->layer != lr.layer) continue;  // not the visible version
      std::string pkg = list.substr(kInfoDir.size(), list.size() - kInfoDir.size() - 5);
      pkg = pkg.substr(0, pkg.find(':'));  // "libfoo:amd64"
      for (const auto& f : files) {
        if (names.count(base_name(f)) == 0) continue;
        std::string hit;
        if (paths.count(f) != 0) {
          hit = f;
        } else if (auto resolved = c.fs.resolve(f); resolved && paths.count(*resolved) != 0) {
          hit = *resolved;
        }
        if (!hit.empty()) out.emplace(hit, Owner{pkg, lr.layer});
      }
    }
  }
  return out;
}

// BW-IMG-006. Debian ships a dozen setuid/setgid programs (su, passwd, mount, chsh, ...): when
// a package's file list names the file, no layer above the one that wrote that list rewrote
// the file, root owns it and neither group nor others can write it, it is the distribution's
// own and low (dpkg does not record modes: a root-owned, not group/other-writable file is the
// shape every Debian setuid/setgid program ships with).
// Files no package owns stay medium; so do package files a later layer rewrote or whose owner
// or mode is unusual. A setuid/setgid file that group or others can write is high: anyone who
// can write it can run code with its owner's rights.
void check_setuid(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  struct Hit {
    const image::Entry* e;
    int layer;
  };
  std::vector<Hit> hits;
  std::set<std::string> paths;
  auto want = [](const image::Entry& e) {
    return e.type == image::EntryType::kFile && (e.mode & 06000) != 0;
  };
  for_each_visible(c, want, [&](const image::Entry& e, int layer) {
    hits.push_back({&e, layer});
    paths.insert(e.path);
  });
  auto owners = dpkg_owners(c, paths);
  size_t n = 0;
  for (const auto& [ep, layer] : hits) {
    const image::Entry& e = *ep;
    std::string what =
        (e.mode & 04000) != 0 ? ((e.mode & 02000) != 0 ? "setuid+setgid" : "setuid") : "setgid";
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", e.mode & 07777);
    std::string msg = what + " file, mode " + mode + ", owner uid " + std::to_string(e.uid);
    Severity sev = Severity::kMedium;
    bool writable = (e.mode & 0022) != 0;
    auto owner = owners.find(e.path);
    if (writable) {
      sev = Severity::kHigh;
      msg += ", writable by " + std::string((e.mode & 0002) != 0 ? "every user" : "its group");
    } else if (owner == owners.end()) {
      msg += "; no OS package owns it";
    } else if (layer > owner->second.list_layer) {
      msg += "; package " + owner->second.package + " (installed in layer " +
             std::to_string(owner->second.list_layer + 1) + ") owns it, but layer " +
             std::to_string(layer + 1) + " rewrote it";
    } else if (e.uid != 0) {
      msg += "; package " + owner->second.package + " owns it, but not as root";
    } else {
      sev = Severity::kLow;
      msg += "; installed by package " + owner->second.package + " with its usual mode";
    }
    Issue i = make(r, "/" + e.path, "", std::move(msg), layer);
    i.severity = sev;
    capped(out, n, std::move(i), r);
  }
}

void check_world_writable(const Ctx& c, const Rule& r, std::vector<Issue>& out) {
  size_t n = 0;
  auto want = [](const image::Entry& e) {
    return (e.mode & 0002) != 0 && (e.type == image::EntryType::kFile ||
                                    (e.type == image::EntryType::kDir && (e.mode & 01000) == 0));
  };
  for_each_visible(c, want, [&](const image::Entry& e, int layer) {
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
  auto want = [](const image::Entry& e) {
    if (e.type != image::EntryType::kFile) return false;
    for (const auto& cache : kCaches) {
      // The glob's fixed start: "var/cache/apt/archives/", "home/"
      if (e.path.starts_with(cache.glob.substr(0, cache.glob.find('*')))) return true;
    }
    return false;
  };
  for_each_visible(c, want, [&](const image::Entry& e, int layer) {
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
