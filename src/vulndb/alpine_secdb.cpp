// Alpine secdb (secdb.alpinelinux.org/<branch>/<repository>.json, generated from the aports
// `secfixes` comments). Each (package, fixed version, id) becomes an affected entry under the
// branch ("v3.19" is stored as "3.19"); the fixed version "0" means "never affected".
#include "core/json.hpp"
#include "vulndb/importer.hpp"

namespace bulwark::vulndb {

void import_alpine_secdb(std::string_view where, std::string_view text, AdvisorySink& sink,
                         ImportStats& stats) {
  auto doc = core::parse_json(text, where);
  if (!doc.ok()) {
    stats.fail(doc.error().message());
    return;
  }
  const auto& j = *doc;
  const std::string branch_raw = core::json_string(j, "distroversion");
  const std::string repo = core::json_string(j, "reponame");
  auto packages = j.is_object() ? j.find("packages") : j.end();
  if (branch_raw.empty() || packages == j.end() || !packages->is_array()) {
    stats.fail(std::string(where) + ": not an Alpine secdb file (distroversion/packages)");
    return;
  }
  const std::string branch =
      branch_raw.size() > 1 && branch_raw[0] == 'v' ? branch_raw.substr(1) : branch_raw;
  for (const auto& p : *packages) {
    const auto pkg = p.is_object() ? p.find("pkg") : p.end();
    if (pkg == p.end() || !pkg->is_object()) {
      stats.fail(std::string(where) + ": package entry without \"pkg\"");
      continue;
    }
    const std::string name = core::json_string(*pkg, "name");
    const auto fixes = pkg->find("secfixes");
    if (name.empty() || fixes == pkg->end() || !fixes->is_object()) {
      stats.fail(std::string(where) + ": package without name or secfixes");
      continue;
    }
    for (const auto& [version, ids] : fixes->items()) {
      if (!ids.is_array()) {
        stats.fail(std::string(where) + ": " + name + " " + version + ": ids are not a list");
        continue;
      }
      for (const auto& idv : ids) {
        if (!idv.is_string()) continue;
        // "CVE-2023-44441 ZDI-CAN-22093": the first token is the id, the rest aliases.
        const std::string s = idv.get<std::string>();
        std::vector<std::string> tokens;
        size_t i = 0;
        while (i < s.size()) {
          while (i < s.size() && s[i] == ' ') ++i;
          size_t e = s.find(' ', i);
          if (e == std::string::npos) e = s.size();
          if (e > i) tokens.push_back(s.substr(i, e - i));
          i = e;
        }
        if (tokens.empty()) continue;
        Advisory a;
        a.source = "alpine-secdb";
        a.id = tokens[0];
        a.aliases.assign(tokens.begin() + 1, tokens.end());
        Affected x;
        x.ecosystem = "Alpine";
        x.release = branch;
        x.package = normalize_package("Alpine", name);
        x.package_kind = "source";
        x.status_detail = "repository=" + repo;
        if (version == "0") {
          x.status = Status::kNotAffected;
        } else {
          x.status = Status::kFixed;
          x.ranges.push_back(
              {"ECOSYSTEM", {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, version}}});
        }
        a.affected.push_back(std::move(x));
        ++stats.imported;
        sink.add(std::move(a));
      }
    }
  }
}

}  // namespace bulwark::vulndb
