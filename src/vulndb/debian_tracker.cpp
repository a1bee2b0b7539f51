// Debian security tracker JSON (https://security-tracker.debian.org/tracker/data/json), the
// format documented by the tracker team:
//   { "<source package>": { "<CVE or TEMP id>": { "releases": { "<codename>": {
//       "status": "resolved" | "open" | "undetermined", "fixed_version": "...",
//       "urgency": "not yet assigned" | "unimportant" | "end-of-life" | "low" | ...,
//       "nodsa": "...", "nodsa_reason": "postponed" | "ignored", "repositories": {...} } } } } }
// The document is read package by package (nlohmann's parser callback discards each package
// once imported), so the ~70 MB file is never held as one tree.
#include <nlohmann/json.hpp>

#include "vulndb/importer.hpp"

namespace bulwark::vulndb {

namespace {

using nlohmann::json;

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

void import_package(std::string_view where, const std::string& pkg, const json& cves,
                    AdvisorySink& sink, ImportStats& stats) {
  if (!cves.is_object()) {
    stats.fail(std::string(where) + ": package " + pkg + " is not an object");
    return;
  }
  for (const auto& [id, entry] : cves.items()) {
    auto releases = entry.is_object() ? entry.find("releases") : entry.end();
    if (releases == entry.end() || !releases->is_object()) {
      stats.fail(std::string(where) + ": " + pkg + " " + id + ": no releases");
      continue;
    }
    if (id.rfind("TEMP-", 0) == 0) {
      stats.skip("TEMP- id (no CVE assigned yet)");
      continue;
    }
    Advisory a;
    a.id = id;
    a.source = "debian-tracker";
    for (const auto& [codename, r] : releases->items()) {
      if (!r.is_object()) continue;
      Affected x;
      x.ecosystem = "Debian";
      x.release = codename;
      x.package = normalize_package("Debian", pkg);
      x.package_kind = "source";
      std::string urgency = str(r, "urgency");
      while (!urgency.empty() && urgency.back() == '*') urgency.pop_back();  // "low**"
      x.severity = urgency;
      const std::string status = str(r, "status");
      const std::string fixed = str(r, "fixed_version");
      const std::string nodsa_reason = str(r, "nodsa_reason");
      if (status == "resolved") {
        if (fixed == "0") {
          x.status = Status::kNotAffected;
        } else if (!fixed.empty()) {
          x.status = Status::kFixed;
          x.ranges.push_back(
              {"ECOSYSTEM", {{EventKind::kIntroduced, "0"}, {EventKind::kFixed, fixed}}});
        } else {
          stats.fail(std::string(where) + ": " + pkg + " " + id + " " + codename +
                     ": resolved without fixed_version");
          continue;
        }
      } else if (status == "open" || status == "undetermined") {
        x.ranges.push_back({"ECOSYSTEM", {{EventKind::kIntroduced, "0"}}});
        x.status = Status::kUnfixed;
        if (status == "undetermined") x.status_detail = "undetermined";
        if (urgency == "end-of-life") {
          x.status = Status::kWillNotFix;
          x.status_detail = "end-of-life";
        } else if (nodsa_reason == "ignored") {
          x.status = Status::kWillNotFix;
          x.status_detail = "ignored";
        } else if (nodsa_reason == "postponed") {
          x.status_detail = "postponed";
        } else if (r.contains("nodsa")) {
          x.status_detail = "no-dsa";
        } else if (urgency == "unimportant") {
          x.status_detail = "unimportant";
        }
      } else {
        stats.fail(std::string(where) + ": " + pkg + " " + id + " " + codename +
                   ": unknown status \"" + status + "\"");
        continue;
      }
      a.affected.push_back(std::move(x));
    }
    ++stats.imported;
    sink.add(std::move(a));
  }
}

}  // namespace

void import_debian_tracker(std::string_view where, std::string_view text, AdvisorySink& sink,
                           ImportStats& stats) {
  std::string current_key;
  uint64_t packages = 0;
  bool top_is_object = true;
  auto cb = [&](int depth, json::parse_event_t event, json& parsed) -> bool {
    if (depth == 0 && event == json::parse_event_t::array_start) top_is_object = false;
    if (depth == 1 && event == json::parse_event_t::key) {
      current_key = parsed.is_string() ? parsed.get<std::string>() : std::string();
      return true;
    }
    if (depth == 1 &&
        (event == json::parse_event_t::object_end || event == json::parse_event_t::array_end ||
         event == json::parse_event_t::value)) {
      ++packages;
      import_package(where, current_key, parsed, sink, stats);
      return false;  // discard: the package has been imported
    }
    return true;
  };
  try {
    const json rest = json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/true);
    (void)rest;
  } catch (const json::exception& e) {
    stats.fail(std::string(where) + ": truncated or malformed tracker JSON after " +
               std::to_string(packages) + " packages: " + e.what());
    return;
  }
  if (!top_is_object) stats.fail(std::string(where) + ": tracker JSON is not an object");
}

}  // namespace bulwark::vulndb
