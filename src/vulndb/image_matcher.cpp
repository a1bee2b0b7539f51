#include "vulndb/image_matcher.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "core/purl.hpp"
#include "version/version.hpp"
#include "vulndb/matcher.hpp"

namespace bulwark::vulndb {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string major_of(std::string_view v) {
  return std::string(v.substr(0, v.find('.')));
}

// Advisories that bundle several flaws (a DSA/DLA or USN fixes every CVE it lists): they are
// attributed to each of their CVEs, never merged as one flaw.
bool is_bundle(const VulnMatch& m) {
  return m.source == "debian-dsa" || m.source == "debian-dla" || m.source == "ubuntu-oval" ||
         m.advisory_id.starts_with("DSA-") || m.advisory_id.starts_with("DLA-") ||
         m.advisory_id.starts_with("USN-");
}

// Sources whose severity is the distro's own word for its package.
bool is_distro_source(std::string_view source) {
  return source.starts_with("debian-") || source == "ubuntu-oval" || source == "alpine-secdb";
}

bool is_cve(std::string_view id) {
  return id.starts_with("CVE-");
}

std::vector<std::string> cves_of(const VulnMatch& m) {
  std::vector<std::string> out;
  if (is_cve(m.advisory_id)) out.push_back(m.advisory_id);
  for (const auto& a : m.aliases)
    if (is_cve(a)) out.push_back(a);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Union-find over advisory ids: ids of one flaw end in one set.
class IdSets {
 public:
  size_t node(const std::string& id) {
    auto [it, fresh] = index_.try_emplace(id, parent_.size());
    if (fresh) parent_.push_back(parent_.size());
    return it->second;
  }
  bool has(const std::string& id) const { return index_.contains(id); }
  size_t find(size_t n) {
    while (parent_[n] != n) n = parent_[n] = parent_[parent_[n]];
    return n;
  }
  void unite(size_t a, size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::unordered_map<std::string, size_t> index_;
  std::vector<size_t> parent_;
};

// The package as the database names it: maven "group:artifact", npm "@scope/name", Go module
// path, composer "vendor/name".
std::string language_name(const core::Package& p) {
  auto u = core::PackageUrl::parse(p.purl, core::PurlParseMode::kLenient);
  if (!u.ok() || u->namespace_.empty()) return p.name;
  if (p.ecosystem == "maven") return u->namespace_ + ":" + u->name;
  if (p.ecosystem == "npm" || p.ecosystem == "golang" || p.ecosystem == "composer")
    return u->namespace_ + "/" + u->name;
  return p.name;
}

std::string parent_dir(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A compiled binary's embedded modules (Go build info, cargo-auditable): the OS package owns the
// binary, but its distro advisories do not cover the statically linked libraries (Debian tracks
// Go standard library flaws against golang-1.xx, not against each program built with it).
bool is_embedded_in_binary(const core::Package& p) {
  if (p.ecosystem != "golang" && p.ecosystem != "cargo") return false;
  for (const auto& l : p.locations) {
    if (ends_with(l.path, "go.mod") || ends_with(l.path, "go.sum") ||
        ends_with(l.path, "Cargo.lock") || ends_with(l.path, "Cargo.toml"))
      return false;
  }
  return !p.locations.empty();
}

struct Query {
  std::string ecosystem;  // OSV
  std::string release;
  std::string name;
  std::string version;
};

std::string package_label(const core::Package& p) {
  return p.ecosystem + ":" + p.name;
}

std::string title_for(const core::Package& p, const report::VulnerabilityInfo& v,
                      const std::string& id, const std::string& fix_version) {
  std::string t = p.name + " " + p.version + ": " + id;
  if (v.status == "fixed-per-changelog") return t + ", fixed per the package changelog";
  if (v.status == "fixed") return t + ", fixed in " + fix_version;
  if (v.status == "will-not-fix")
    return t + ", will not be fixed" +
           (v.status_detail.empty() ? "" : " (" + v.status_detail + ")");
  return t + ", no fixed version" + (v.status_detail.empty() ? "" : " (" + v.status_detail + ")");
}

// One finding from the matches (sorted by source:id) that describe one flaw of one package.
report::Finding make_finding(const core::Package& p, const Query& q, const std::string& id,
                             const std::vector<const VulnMatch*>& ms,
                             const std::set<std::string>& group_ids, bool os_package) {
  report::Finding f;
  f.kind = "vulnerability";
  f.id = id;
  f.target = p.purl;
  for (const auto& l : p.locations)
    if (l.layer_index >= 0) {
      f.layer = l.layer_index;
      break;
    }
  if (!p.locations.empty()) f.evidence = p.locations.front().path;
  report::VulnerabilityInfo v;
  v.package_name = p.name;
  v.package_version = p.version;
  v.ecosystem = p.ecosystem;
  if (os_package) v.source_package = p.source_name.empty() ? p.name : p.source_name;
  std::set<std::string> aliases;
  for (const auto& g : group_ids)
    if (g != id) aliases.insert(g);
  bool any_fixed = false, any_wnf = false, malicious = false;
  report::Severity distro_sev = report::Severity::kUnknown;
  report::Severity best_sev = report::Severity::kUnknown;
  std::optional<double> best_score;
  std::set<std::string> refs_seen;
  for (const auto* m : ms) {
    v.advisories.push_back(m->source + ":" + m->advisory_id);
    if (m->advisory_id != id) aliases.insert(m->advisory_id);
    // A bundle's other CVEs are other flaws; every other advisory's aliases name this one.
    if (!is_bundle(*m))
      for (const auto& a : m->aliases)
        if (a != id) aliases.insert(a);
    for (const auto& fv : m->fixed_versions)
      if (std::find(v.fixed_versions.begin(), v.fixed_versions.end(), fv) == v.fixed_versions.end())
        v.fixed_versions.push_back(fv);
    if (m->status == Status::kFixed) any_fixed = true;
    if (m->status == Status::kWillNotFix) any_wnf = true;
    if (m->kind == "malicious") malicious = true;
    if (v.status_detail.empty() && !m->status_detail.empty() && is_distro_source(m->source))
      v.status_detail = m->status_detail;
    if (is_distro_source(m->source)) {
      auto s = severity_from(m->severity, std::nullopt);
      if (s != report::Severity::kUnknown && (distro_sev == report::Severity::kUnknown ||
                                              static_cast<int>(s) > static_cast<int>(distro_sev)))
        distro_sev = s;
    }
    auto s = severity_from(m->severity, m->cvss_v3_score);
    if (best_sev == report::Severity::kUnknown || static_cast<int>(s) > static_cast<int>(best_sev))
      best_sev = s;
    if (m->cvss_v3_score && (!best_score || *m->cvss_v3_score > *best_score)) {
      best_score = m->cvss_v3_score;
      v.cvss_v3_vector = m->cvss_v3_vector;
      v.cvss_v3_score = m->cvss_v3_score;
    }
    if (m->kev) f.known_exploited = true;
    if (m->epss && (!f.epss || m->epss->epss > *f.epss)) f.epss = m->epss->epss;
    for (const auto& r : m->references)
      if (refs_seen.insert(r).second) f.references.push_back(r);
  }
  v.aliases.assign(aliases.begin(), aliases.end());
  std::sort(v.advisories.begin(), v.advisories.end());
  v.advisories.erase(std::unique(v.advisories.begin(), v.advisories.end()), v.advisories.end());
  v.status = any_fixed ? "fixed" : any_wnf ? "will-not-fix" : "unfixed";
  f.severity = malicious                                  ? report::Severity::kCritical
               : distro_sev != report::Severity::kUnknown ? distro_sev
                                                          : best_sev;
  v.why = ms.front()->why;
  if (ms.size() > 1)
    v.why += " (and " + std::to_string(ms.size() - 1) + " more advisor" +
             (ms.size() == 2 ? "y" : "ies") + ")";
  // The lowest fixed version above the installed one: what to upgrade to.
  std::string fix_version;
  if (v.status == "fixed") {
    const version::Scheme* scheme = version::find_scheme(q.ecosystem);
    for (const auto& fv : v.fixed_versions) {
      if (scheme == nullptr) {
        fix_version = fv;
        break;
      }
      auto above = version::compare(*scheme, fv, q.version);
      if (!above.ok() || *above <= 0) continue;
      if (fix_version.empty()) {
        fix_version = fv;
        continue;
      }
      auto lower_than = version::compare(*scheme, fv, fix_version);
      if (lower_than.ok() && *lower_than < 0) fix_version = fv;
    }
    if (fix_version.empty() && !v.fixed_versions.empty()) fix_version = v.fixed_versions.front();
  }
  // The package's own changelog naming the flaw as fixed outweighs an advisory's range (a
  // backported fix the advisory does not know about).
  for (const auto& c : p.changelog_cves) {
    if (c.cve == id || aliases.contains(c.cve)) {
      v.status = "fixed-per-changelog";
      v.changelog_evidence = c.line;
      break;
    }
  }
  if (v.status == "fixed") f.fix = "upgrade to " + fix_version;
  f.title = malicious ? p.name + " " + p.version + ": " + id + ", a known malicious package"
                      : title_for(p, v, id, fix_version);
  f.vulnerability = std::move(v);
  return f;
}

// Merges one package's matches: advisories of one flaw (same CVE, or aliases of each other)
// become one finding; bundles (DSA/DLA/USN) count towards each CVE they list.
std::vector<report::Finding> merge_matches(const core::Package& p, const Query& q,
                                           const std::vector<VulnMatch>& matches, bool os_package) {
  IdSets sets;
  std::vector<const VulnMatch*> singles, bundles;
  for (const auto& m : matches) {
    if (m.kind.starts_with("informational")) continue;  // unmaintained/unsound notices
    (is_bundle(m) ? bundles : singles).push_back(&m);
  }
  std::vector<std::vector<std::string>> single_ids(singles.size());
  for (size_t i = 0; i < singles.size(); ++i) {
    const auto& m = *singles[i];
    auto ids = cves_of(m);
    if (ids.empty()) {
      ids.push_back(m.advisory_id);
      for (const auto& a : m.aliases) ids.push_back(a);
    }
    size_t first = sets.node(ids.front());
    for (const auto& id : ids) sets.unite(first, sets.node(id));
    single_ids[i] = std::move(ids);
  }
  // group root -> (ids in the group, matches)
  std::map<size_t, std::pair<std::set<std::string>, std::vector<const VulnMatch*>>> groups;
  for (size_t i = 0; i < singles.size(); ++i) {
    auto& g = groups[sets.find(sets.node(single_ids[i].front()))];
    g.first.insert(single_ids[i].begin(), single_ids[i].end());
    g.second.push_back(singles[i]);
  }
  for (const auto* m : bundles) {
    auto ids = cves_of(*m);
    if (ids.empty()) ids.push_back(m->advisory_id);
    for (const auto& id : ids) {
      auto& g = groups[sets.find(sets.node(id))];
      g.first.insert(id);
      if (std::find(g.second.begin(), g.second.end(), m) == g.second.end()) g.second.push_back(m);
    }
  }
  std::vector<report::Finding> out;
  for (auto& [root, g] : groups) {
    auto& [ids, ms] = g;
    std::sort(ms.begin(), ms.end(), [](const VulnMatch* a, const VulnMatch* b) {
      return std::tie(a->source, a->advisory_id) < std::tie(b->source, b->advisory_id);
    });
    // The finding's id: its CVE (the lowest, when aliases name several), else the advisory id.
    std::string id;
    for (const auto& x : ids)
      if (is_cve(x)) {
        id = x;
        break;
      }
    if (id.empty()) {
      std::vector<std::string> own;
      for (const auto* m : ms) own.push_back(m->advisory_id);
      id = *std::min_element(own.begin(), own.end());
    }
    out.push_back(make_finding(p, q, id, ms, ids, os_package));
  }
  return out;
}

}  // namespace

std::optional<DistroRelease> distro_release(const core::OsInfo& os) {
  const std::string id = lower(os.id);
  const std::string codename = lower(os.codename);
  if (id == "debian") {
    std::string rel = codename;
    if (rel.empty()) {
      static const std::map<std::string, std::string> kByMajor = {
          {"7", "wheezy"},    {"8", "jessie"},    {"9", "stretch"}, {"10", "buster"},
          {"11", "bullseye"}, {"12", "bookworm"}, {"13", "trixie"}, {"14", "forky"}};
      auto it = kByMajor.find(major_of(os.version_id));
      if (it != kByMajor.end()) rel = it->second;
    }
    if (rel.empty() && os.pretty_name.find("sid") != std::string::npos) rel = "sid";
    if (rel.empty()) return std::nullopt;
    return DistroRelease{"Debian", rel, "deb", "debian " + rel};
  }
  if (id == "ubuntu") {
    if (codename.empty()) return std::nullopt;
    return DistroRelease{"Ubuntu", codename, "deb", "ubuntu " + codename};
  }
  if (id == "alpine") {
    // VERSION_ID 3.19.1 -> branch 3.19; development snapshots (3.21.0_alpha...) are edge.
    const std::string& v = os.version_id;
    if (v.empty()) return std::nullopt;
    std::string branch = v.find('_') != std::string::npos ? "edge" : v;
    if (branch != "edge") {
      auto first = branch.find('.');
      auto second = first == std::string::npos ? first : branch.find('.', first + 1);
      if (second != std::string::npos) branch.resize(second);
    }
    return DistroRelease{"Alpine", branch, "apk", "alpine " + branch};
  }
  // RPM distros by major version (OSV ecosystem names).
  static const std::map<std::string, std::string> kRpm = {
      {"rhel", "Red Hat"},        {"centos", "CentOS"},          {"rocky", "Rocky Linux"},
      {"almalinux", "AlmaLinux"}, {"ol", "Oracle Linux"},        {"amzn", "Amazon Linux"},
      {"fedora", "Fedora"},       {"opensuse-leap", "openSUSE"}, {"sles", "SUSE"},
      {"mariner", "Mariner"},     {"azurelinux", "Azure Linux"}};
  if (auto it = kRpm.find(id); it != kRpm.end() && !os.version_id.empty()) {
    std::string rel =
        (id == "opensuse-leap" || id == "sles") ? os.version_id : major_of(os.version_id);
    return DistroRelease{it->second, rel, "rpm", id + " " + rel};
  }
  return std::nullopt;
}

std::string language_ecosystem(std::string_view purl_type) {
  static const std::map<std::string, std::string, std::less<>> kMap = {
      {"npm", "npm"},      {"pypi", "PyPI"},   {"golang", "Go"},   {"cargo", "crates.io"},
      {"gem", "RubyGems"}, {"maven", "Maven"}, {"nuget", "NuGet"}, {"composer", "Packagist"}};
  auto it = kMap.find(purl_type);
  return it == kMap.end() ? std::string() : it->second;
}

report::Severity severity_from(std::string_view word, std::optional<double> score) {
  const std::string w = lower(word);
  if (w == "critical") return report::Severity::kCritical;
  if (w == "high" || w == "important") return report::Severity::kHigh;
  if (w == "medium" || w == "moderate") return report::Severity::kMedium;
  if (w == "low" || w == "negligible" || w == "unimportant") return report::Severity::kLow;
  if (w == "none") return report::Severity::kNone;
  if (!score) return report::Severity::kUnknown;
  // CVSS v3.1 specification, section 5 (qualitative severity rating scale).
  if (*score >= 9.0) return report::Severity::kCritical;
  if (*score >= 7.0) return report::Severity::kHigh;
  if (*score >= 4.0) return report::Severity::kMedium;
  if (*score > 0.0) return report::Severity::kLow;
  return report::Severity::kNone;
}

core::Result<ImageMatches> match_image(const VulnDb& db, const core::OsInfo& os,
                                       const std::vector<core::Package>& packages) {
  ImageMatches out;
  std::set<std::string> warnings;
  const auto distro = distro_release(os);
  bool os_matchable = false;
  if (distro) {
    BW_ASSIGN_OR_RETURN(os_matchable, db.has_release(distro->ecosystem, distro->release));
  }
  // Which OS package owns each path, for language packages installed by the package manager.
  std::unordered_map<std::string_view, size_t> owner_of;
  size_t os_packages = 0;
  for (size_t i = 0; i < packages.size(); ++i) {
    const auto& p = packages[i];
    if (p.ecosystem != "deb" && p.ecosystem != "apk" && p.ecosystem != "rpm") continue;
    ++os_packages;
    for (const auto& f : p.files) owner_of.try_emplace(f, i);
  }
  if (os_packages > 0 && !os_matchable) {
    if (!distro)
      warnings.insert("the operating system " +
                      (os.empty() ? std::string("is unknown")
                                  : "\"" + os.id + " " + os.version_id + "\" is not supported") +
                      "; OS packages were not matched");
    else
      warnings.insert("the database has no advisories for " + distro->display +
                      "; OS packages were not matched");
  }
  auto owner = [&](const core::Package& p) -> std::optional<size_t> {
    for (const auto& l : p.locations) {
      if (auto it = owner_of.find(l.path); it != owner_of.end()) return it->second;
      // Python metadata directories: the package owns the directory, maybe not each file.
      std::string dir = parent_dir(l.path);
      if (ends_with(dir, ".dist-info") || ends_with(dir, ".egg-info"))
        if (auto it = owner_of.find(dir); it != owner_of.end()) return it->second;
    }
    return std::nullopt;
  };

  // Language packages an OS package installed: reported through that OS package.
  std::map<size_t, std::vector<std::string>> covered;  // OS package -> language purls
  std::vector<bool> skip(packages.size(), false);
  std::vector<std::string> embedded_note(packages.size());
  size_t unmatched_owned = 0;
  for (size_t i = 0; i < packages.size(); ++i) {
    const auto& p = packages[i];
    if (language_ecosystem(p.ecosystem).empty()) continue;
    auto o = owner(p);
    if (!o) continue;
    if (is_embedded_in_binary(p)) {
      embedded_note[i] = "; built into " + p.locations.front().path + ", which " +
                         package_label(packages[*o]) + " owns";
      continue;
    }
    skip[i] = true;
    covered[*o].push_back(p.purl);
    if (!os_matchable) ++unmatched_owned;
  }
  // Without distro advisories the language packages the OS installed go unmatched too: say so.
  if (unmatched_owned > 0 && distro) {
    warnings.erase("the database has no advisories for " + distro->display +
                   "; OS packages were not matched");
    warnings.insert("the database has no advisories for " + distro->display +
                    "; OS packages and the " + std::to_string(unmatched_owned) +
                    " language packages they installed were not matched");
  }

  std::unordered_map<std::string, MatchResult> cache;  // one lookup per distinct query
  for (size_t i = 0; i < packages.size(); ++i) {
    const auto& p = packages[i];
    if (skip[i]) continue;
    Query q;
    bool os_package = false;
    if (p.ecosystem == "deb" || p.ecosystem == "apk" || p.ecosystem == "rpm") {
      if (!os_matchable || p.ecosystem != distro->package_ecosystem) continue;
      os_package = true;
      q.ecosystem = distro->ecosystem;
      q.release = distro->release;
      if (distro->ecosystem == "Ubuntu") {
        // Ubuntu OVAL names binary packages.
        q.name = p.name;
        q.version = p.version;
      } else if (distro->ecosystem == "Alpine") {
        q.name = p.source_name.empty() ? p.name : p.source_name;
        q.version = p.version;
      } else {
        q.name = p.source_name.empty() ? p.name : p.source_name;
        q.version = p.source_version.empty() ? p.version : p.source_version;
      }
    } else {
      q.ecosystem = language_ecosystem(p.ecosystem);
      if (q.ecosystem.empty()) continue;
      q.name = language_name(p);
      q.version = p.version;
    }
    if (q.version.empty()) {
      warnings.insert(p.purl + ": no version; not matched");
      continue;
    }
    const std::string key = q.ecosystem + '\x1f' + q.release + '\x1f' + q.name + '\x1f' + q.version;
    auto it = cache.find(key);
    if (it == cache.end()) {
      auto r = match_package(db, {q.ecosystem, q.release, q.name, q.version});
      if (!r.ok()) {
        if (r.error().code() == core::ErrorCode::kUnsupported) {
          warnings.insert(p.purl + ": " + r.error().message());
          continue;
        }
        return std::move(r).error();
      }
      it = cache.emplace(key, std::move(r).value()).first;
    }
    for (const auto& w : it->second.warnings) warnings.insert(p.purl + ": " + w);
    auto found = merge_matches(p, q, it->second.matches, os_package);
    for (auto& f : found) {
      auto& v = *f.vulnerability;
      if (auto c = covered.find(i); c != covered.end()) {
        v.owner_package = package_label(p);
        std::string list;
        for (const auto& purl : c->second) list += (list.empty() ? "" : ", ") + purl;
        v.why += "; also covers " + list + " (installed by " + package_label(p) + ")";
      }
      v.why += embedded_note[i];
      out.findings.push_back(std::move(f));
    }
  }
  // One finding per (package, flaw) even when a package is listed twice (same purl).
  std::sort(out.findings.begin(), out.findings.end(),
            [](const report::Finding& a, const report::Finding& b) {
              return std::tie(a.target, a.id, a.layer) < std::tie(b.target, b.id, b.layer);
            });
  out.findings.erase(std::unique(out.findings.begin(), out.findings.end(),
                                 [](const report::Finding& a, const report::Finding& b) {
                                   return a.target == b.target && a.id == b.id;
                                 }),
                     out.findings.end());
  out.warnings.assign(warnings.begin(), warnings.end());
  return out;
}

}  // namespace bulwark::vulndb
