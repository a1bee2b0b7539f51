// What every importer shares: the sink it writes advisories to, and the counts it reports.
// One bad advisory never aborts an import: it is counted in `failed` with its first errors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "vulndb/model.hpp"

namespace bulwark::vulndb {

class AdvisorySink {
 public:
  virtual ~AdvisorySink() = default;
  virtual void add(Advisory advisory) = 0;
  virtual void add_kev(const KevEntry& entry) = 0;
  virtual void add_epss(const EpssEntry& entry) = 0;
  // Free-form facts about a source (EPSS model version, score date...).
  virtual void note(std::string_view key, std::string_view value) = 0;
};

// Collects into vectors (tests, fuzz targets, the demo-bundle filter).
class VectorSink final : public AdvisorySink {
 public:
  std::vector<Advisory> advisories;
  std::vector<KevEntry> kev;
  std::vector<EpssEntry> epss;
  std::map<std::string, std::string> notes;
  void add(Advisory a) override { advisories.push_back(std::move(a)); }
  void add_kev(const KevEntry& e) override { kev.push_back(e); }
  void add_epss(const EpssEntry& e) override { epss.push_back(e); }
  void note(std::string_view k, std::string_view v) override { notes[std::string(k)] = v; }
};

struct ImportStats {
  uint64_t imported = 0;  // advisories (or KEV/EPSS rows) written
  uint64_t failed = 0;    // records rejected (malformed); see errors
  uint64_t skipped = 0;   // records deliberately not imported (see skip_reasons)
  uint64_t git_ranges_ignored = 0;
  uint64_t informational = 0;  // RustSec informational notices (imported, kept apart)
  uint64_t withdrawn = 0;
  std::map<std::string, uint64_t> skip_reasons;
  std::vector<std::string> errors;  // first kMaxErrors messages

  static constexpr size_t kMaxErrors = 20;
  void fail(std::string message);
  void skip(const std::string& reason) {
    ++skipped;
    ++skip_reasons[reason];
  }
  void merge(const ImportStats& o);
};

// --- importers, one file each ------------------------------------------------------------
// `where` names the input (archive path + member) for error messages.

// OSV JSON (one advisory per document) and OSV YAML (same schema, YAML syntax).
void import_osv_json(std::string_view where, std::string_view text, std::string_view source,
                     AdvisorySink& sink, ImportStats& stats);
void import_osv_yaml(std::string_view where, std::string_view text, std::string_view source,
                     AdvisorySink& sink, ImportStats& stats);
// RubySec gems/<gem>/<id>.yml.
void import_rubysec(std::string_view where, std::string_view text, AdvisorySink& sink,
                    ImportStats& stats);
// Node.js security-wg vuln/npm/<n>.json (NSP format).
void import_nodejs_npm(std::string_view where, std::string_view text, AdvisorySink& sink,
                       ImportStats& stats);
// Alpine secdb <branch>/<repo>.json.
void import_alpine_secdb(std::string_view where, std::string_view text, AdvisorySink& sink,
                         ImportStats& stats);
// Debian security tracker data/DSA/list, data/DLA/list.
void import_dsa_list(std::string_view where, std::string_view text, std::string_view source,
                     AdvisorySink& sink, ImportStats& stats);
// Debian security tracker JSON (security-tracker.debian.org/tracker/data/json).
void import_debian_tracker(std::string_view where, std::string_view text, AdvisorySink& sink,
                           ImportStats& stats);
// CISA Known Exploited Vulnerabilities catalog (JSON).
void import_kev(std::string_view where, std::string_view text, AdvisorySink& sink,
                ImportStats& stats);
// FIRST EPSS scores (CSV with a leading #model_version comment line).
void import_epss(std::string_view where, std::string_view text, AdvisorySink& sink,
                 ImportStats& stats);

// OVAL definitions (Debian per-release files, Ubuntu USN OVAL), read as a stream. `read`
// fills up to `len` bytes and returns the count, 0 at end, -1 on error.
enum class OvalFlavor { kDebian, kUbuntu };
struct OvalInput {
  virtual ~OvalInput() = default;
  virtual int read(char* buf, int len) = 0;
};
void import_oval(std::string_view where, OvalInput& input, OvalFlavor flavor,
                 std::string_view release, AdvisorySink& sink, ImportStats& stats);
void import_oval_text(std::string_view where, std::string_view text, OvalFlavor flavor,
                      std::string_view release, AdvisorySink& sink, ImportStats& stats);

}  // namespace bulwark::vulndb
