// CISA Known Exploited Vulnerabilities (JSON catalog: {catalogVersion, dateReleased,
// vulnerabilities: [{cveID, vendorProject, product, dateAdded, dueDate,
// knownRansomwareCampaignUse, ...}]}) and FIRST EPSS scores (CSV: a
// "#model_version:...,score_date:..." comment line, a "cve,epss,percentile" header, rows).
#include <cmath>
#include <cstdlib>

#include "core/json.hpp"
#include "core/text.hpp"
#include "vulndb/importer.hpp"

namespace bulwark::vulndb {

void import_kev(std::string_view where, std::string_view text, AdvisorySink& sink,
                ImportStats& stats) {
  auto doc = core::parse_json(text, where);
  if (!doc.ok()) {
    stats.fail(doc.error().message());
    return;
  }
  const auto& j = *doc;
  auto vulns = j.is_object() ? j.find("vulnerabilities") : j.end();
  if (vulns == j.end() || !vulns->is_array()) {
    stats.fail(std::string(where) + ": not a KEV catalog (no \"vulnerabilities\" list)");
    return;
  }
  sink.note("kev_catalog_version", core::json_string(j, "catalogVersion"));
  sink.note("kev_date_released", core::json_string(j, "dateReleased"));
  for (const auto& v : *vulns) {
    KevEntry e;
    e.cve = core::json_string(v, "cveID");
    if (e.cve.rfind("CVE-", 0) != 0) {
      stats.fail(std::string(where) + ": KEV entry without a cveID");
      continue;
    }
    e.vendor = core::json_string(v, "vendorProject");
    e.product = core::json_string(v, "product");
    e.date_added = core::json_string(v, "dateAdded");
    e.due_date = core::json_string(v, "dueDate");
    e.known_ransomware = core::json_string(v, "knownRansomwareCampaignUse") == "Known";
    ++stats.imported;
    sink.add_kev(e);
  }
}

void import_epss(std::string_view where, std::string_view text, AdvisorySink& sink,
                 ImportStats& stats) {
  size_t line_no = 0;
  bool header = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    std::string_view line = core::trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++line_no;
    if (line.empty()) continue;
    if (line[0] == '#') {
      // #model_version:v2023.03.01,score_date:2023-11-10T00:00:00+0000
      std::string_view rest = line.substr(1);
      while (!rest.empty()) {
        const size_t comma = rest.find(',');
        std::string_view kv = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (const size_t colon = kv.find(':'); colon != std::string_view::npos)
          sink.note("epss_" + std::string(kv.substr(0, colon)), kv.substr(colon + 1));
      }
      continue;
    }
    if (!header) {
      if (line != "cve,epss,percentile") {
        stats.fail(std::string(where) + ":" + std::to_string(line_no) +
                   ": expected the header cve,epss,percentile");
        return;
      }
      header = true;
      continue;
    }
    const size_t c1 = line.find(','),
                 c2 = c1 == std::string_view::npos ? c1 : line.find(',', c1 + 1);
    if (c2 == std::string_view::npos) {
      stats.fail(std::string(where) + ":" + std::to_string(line_no) + ": expected 3 fields");
      continue;
    }
    EpssEntry e;
    e.cve = std::string(line.substr(0, c1));
    const std::string a(line.substr(c1 + 1, c2 - c1 - 1)), b(line.substr(c2 + 1));
    char* end1 = nullptr;
    char* end2 = nullptr;
    e.epss = std::strtod(a.c_str(), &end1);
    e.percentile = std::strtod(b.c_str(), &end2);
    if (e.cve.rfind("CVE-", 0) != 0 || a.empty() || b.empty() || *end1 != '\0' || *end2 != '\0' ||
        !(e.epss >= 0 && e.epss <= 1) || !(e.percentile >= 0 && e.percentile <= 1)) {
      stats.fail(std::string(where) + ":" + std::to_string(line_no) + ": bad EPSS row");
      continue;
    }
    ++stats.imported;
    sink.add_epss(e);
  }
  if (!header) stats.fail(std::string(where) + ": no EPSS header line");
}

}  // namespace bulwark::vulndb
