#include "vulndb/matcher.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "version/version.hpp"

namespace bulwark::vulndb {

namespace {

// Go: installed module versions carry a "v", the standard library "go1.21.5"; Go vulndb
// writes both without prefix.
std::string normalise_version(std::string_view eco, std::string_view v) {
  if (eco == "Go") {
    if (v.rfind("go", 0) == 0) v.remove_prefix(2);
    if (v.rfind('v', 0) == 0) v.remove_prefix(1);
  }
  return std::string(v);
}

bool is_zero(std::string_view v) {
  return v == "0" || v == "0.0.0-0";
}

}  // namespace

core::Result<bool> in_osv_range(
    const Range& range, std::string_view version,
    const std::function<core::Result<int>(std::string_view, std::string_view)>& cmp) {
  // OSV schema, "Evaluation": sort the events by version (introduced "0" lowest), then walk
  // them: introduced <= v makes it affected, fixed <= v or last_affected < v ends it; a limit
  // bounds the whole range.
  std::vector<Event> events;
  std::vector<std::string> limits;
  for (const auto& e : range.events) {
    if (e.kind == EventKind::kLimit)
      limits.push_back(e.version);
    else
      events.push_back(e);
  }
  std::optional<core::Error> err;
  std::stable_sort(events.begin(), events.end(), [&](const Event& a, const Event& b) {
    if (err) return false;
    if (is_zero(a.version) || is_zero(b.version)) return is_zero(a.version) && !is_zero(b.version);
    auto c = cmp(a.version, b.version);
    if (!c.ok()) {
      err = c.error();
      return false;
    }
    return *c < 0;
  });
  if (err) return *err;
  bool affected = false;
  for (const auto& e : events) {
    if (e.kind == EventKind::kIntroduced) {
      if (is_zero(e.version)) {
        affected = true;
        continue;
      }
      BW_ASSIGN_OR_RETURN(int c, cmp(version, e.version));
      if (c >= 0) affected = true;
    } else if (e.kind == EventKind::kFixed) {
      BW_ASSIGN_OR_RETURN(int c, cmp(version, e.version));
      if (c >= 0) affected = false;
    } else if (e.kind == EventKind::kLastAffected) {
      BW_ASSIGN_OR_RETURN(int c, cmp(version, e.version));
      if (c > 0) affected = false;
    }
  }
  for (const auto& l : limits) {
    BW_ASSIGN_OR_RETURN(int c, cmp(version, l));
    if (c >= 0) affected = false;
  }
  return affected;
}

core::Result<MatchResult> match_package(const VulnDb& db, const PackageQuery& q) {
  MatchResult out;
  const std::string eco = canonical_ecosystem(q.ecosystem);
  const version::Scheme* scheme = version::find_scheme(eco);
  const version::Scheme* semver = version::find_scheme("SemVer");
  if (scheme == nullptr)
    return core::Error::unsupported("no version rules for ecosystem \"" + q.ecosystem + "\"");
  const std::string v = normalise_version(eco, q.version);
  BW_ASSIGN_OR_RETURN(auto records, db.lookup(eco, q.release, q.name));
  const std::string subject =
      eco + (q.release.empty() ? "" : " " + q.release) + " " + q.name + " " + q.version;
  // Debian OVAL is generated from the security tracker and loses one distinction (fixed
  // version 0 = open or not affected): where the tracker itself speaks of a flaw for this
  // package, its verdict stands and OVAL's entry for that flaw is not used.
  std::set<std::string_view> tracker_ids;
  for (const auto& rec : records)
    if (rec.source == "debian-tracker") tracker_ids.insert(rec.advisory_id);
  for (const auto& rec : records) {
    const Affected& a = rec.affected;
    if (a.status == Status::kNotAffected) continue;
    if (rec.source == "debian-oval" && tracker_ids.contains(rec.advisory_id)) continue;
    const std::string where = rec.source + " " + rec.advisory_id;
    std::string why;
    bool matched = false;
    bool broken = false;
    // Explicit versions.
    for (const auto& listed : a.versions) {
      if (listed == q.version || listed == v) {
        matched = true;
        why = subject + " is listed as affected by " + where;
        break;
      }
    }
    // Ranges.
    for (size_t i = 0; !matched && !broken && i < a.ranges.size(); ++i) {
      const Range& r = a.ranges[i];
      const version::Scheme* s = r.type == "SEMVER" && semver != nullptr ? semver : scheme;
      auto cmp = [&](std::string_view x, std::string_view y) -> core::Result<int> {
        return version::compare(*s, normalise_version(eco, x), normalise_version(eco, y));
      };
      auto in = in_osv_range(r, v, cmp);
      if (!in.ok()) {
        out.warnings.push_back(where + ": " + in.error().message());
        broken = true;
        break;
      }
      if (*in) {
        matched = true;
        std::string desc;
        for (const auto& e : r.events) {
          if (!desc.empty()) desc += ", ";
          desc += std::string(event_kind_name(e.kind)) + " " + e.version;
        }
        why = subject + " is in " + r.type + " range [" + desc + "] of " + where;
      }
    }
    // Constraint strings (RubySec, Node.js security-wg).
    if (!matched && !broken && !a.constraints.empty()) {
      bool vulnerable = true;
      bool has_vulnerable = false;
      std::string matched_expr;
      for (const auto& c : a.constraints) {
        auto sat = version::satisfies(*scheme, v, c.text);
        if (!sat.ok()) {
          out.warnings.push_back(where + ": " + sat.error().message());
          broken = true;
          break;
        }
        if (c.kind == ConstraintKind::kVulnerable) {
          if (!has_vulnerable) vulnerable = false;
          has_vulnerable = true;
          if (*sat) {
            vulnerable = true;
            matched_expr = c.text;
          }
        } else if (*sat) {
          vulnerable = false;
          break;
        }
      }
      if (!broken && vulnerable) {
        matched = true;
        why = subject +
              (has_vulnerable ? " satisfies \"" + matched_expr + "\"" : " is not patched") +
              " in " + where;
      }
    }
    if (!matched) continue;
    BW_ASSIGN_OR_RETURN(auto adv, db.advisory(rec.advisory_row));
    if (!adv.withdrawn.empty()) {
      out.warnings.push_back(where + " matched but was withdrawn on " + adv.withdrawn);
      continue;
    }
    VulnMatch m;
    m.advisory_id = rec.advisory_id;
    m.source = rec.source;
    m.kind = rec.kind;
    m.aliases = adv.aliases;
    m.severity = !a.severity.empty() ? a.severity : adv.severity;
    m.cvss_v3_vector = adv.cvss_v3_vector;
    m.cvss_v3_score = adv.cvss_v3_score;
    for (const auto& r : a.ranges)
      for (const auto& e : r.events)
        if (e.kind == EventKind::kFixed &&
            std::find(m.fixed_versions.begin(), m.fixed_versions.end(), e.version) ==
                m.fixed_versions.end())
          m.fixed_versions.push_back(e.version);
    // Constraint feeds say "patched >=4.17.19": the lower bound of each patched alternative
    // is a version that fixes it.
    for (const auto& c : a.constraints) {
      if (c.kind != ConstraintKind::kPatched) continue;
      std::string_view rest = c.text;
      while (!rest.empty()) {
        auto bar = rest.find("||");
        std::string_view alt = rest.substr(0, bar);
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 2);
        auto comma = alt.find(',');
        if (comma != std::string_view::npos) alt = alt.substr(0, comma);
        while (!alt.empty() && (alt.front() == ' ' || alt.front() == '>' || alt.front() == '=' ||
                                alt.front() == '~' || alt.front() == '^'))
          alt.remove_prefix(1);
        alt = alt.substr(0, alt.find(' '));
        if (alt.empty() || alt.front() == '<' || alt.find('x') != std::string_view::npos) continue;
        std::string fv(alt);
        if (std::find(m.fixed_versions.begin(), m.fixed_versions.end(), fv) ==
            m.fixed_versions.end())
          m.fixed_versions.push_back(fv);
      }
    }
    m.status = a.status;
    if (m.status == Status::kAffected)
      m.status = m.fixed_versions.empty() ? Status::kUnfixed : Status::kFixed;
    m.status_detail = a.status_detail;
    m.why = std::move(why);
    m.references = adv.references;
    std::vector<std::string> cves;
    if (m.advisory_id.rfind("CVE-", 0) == 0) cves.push_back(m.advisory_id);
    for (const auto& al : m.aliases)
      if (al.rfind("CVE-", 0) == 0) cves.push_back(al);
    for (const auto& cve : cves) {
      if (!m.kev) {
        BW_ASSIGN_OR_RETURN(m.kev, db.kev(cve));
      }
      if (!m.epss) {
        BW_ASSIGN_OR_RETURN(m.epss, db.epss(cve));
      }
    }
    out.matches.push_back(std::move(m));
  }
  std::sort(out.matches.begin(), out.matches.end(), [](const VulnMatch& x, const VulnMatch& y) {
    return std::tie(x.advisory_id, x.source) < std::tie(y.advisory_id, y.source);
  });
  return out;
}

}  // namespace bulwark::vulndb
