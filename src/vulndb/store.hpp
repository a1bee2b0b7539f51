// The advisory store: ONE SQLite file (schema in docs/vulndb.md). DbWriter builds it inside a
// single transaction; VulnDb opens it read-only and memory-mapped, and rejects a file that is
// not SQLite, is truncated, or has another schema version with one line naming the file.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "vulndb/importer.hpp"
#include "vulndb/model.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace bulwark::vulndb {

struct StmtCache;  // prepared statements reused across lookups (store.cpp)

inline constexpr int kSchemaVersion = 1;

struct SourceInfo {
  std::string name;    // "osv-go", "debian-oval", ...
  std::string kind;    // importer kind
  std::string origin;  // the path or URL it was read from
  std::string date;    // newest date found in the feed (modified/published/generator timestamp)
  uint64_t imported = 0;
  uint64_t failed = 0;
  uint64_t skipped = 0;
  std::string notes;  // JSON object: skip reasons, git ranges ignored, model version...
};

struct DbInfo {
  int schema_version = 0;
  std::string built_at;  // RFC 3339 UTC
  std::vector<SourceInfo> sources;
  uint64_t advisories = 0;
  uint64_t affected = 0;
  uint64_t aliases = 0;
  uint64_t kev = 0;
  uint64_t epss = 0;
};

class DbWriter final : public AdvisorySink {
 public:
  // Creates (or truncates) `path`. Writes go to one transaction; finish() commits.
  static core::Result<std::unique_ptr<DbWriter>> create(const std::string& path);
  ~DbWriter() override;
  DbWriter(const DbWriter&) = delete;
  DbWriter& operator=(const DbWriter&) = delete;

  // Advisories with the same (source, id) are merged: affected entries appended, aliases and
  // references unioned (Debian OVAL lists one CVE once per release file).
  void add(Advisory advisory) override;
  void add_kev(const KevEntry& entry) override;
  void add_epss(const EpssEntry& entry) override;
  void note(std::string_view key, std::string_view value) override;
  void add_source(const SourceInfo& source);
  // Builds the indexes, writes metadata, commits and closes. Returns the first write error.
  core::Result<void> finish(const std::string& built_at);

 private:
  DbWriter() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One affected entry with the advisory facts a matcher needs to explain a match.
struct AffectedRecord {
  int64_t advisory_row = 0;
  std::string advisory_id;
  std::string source;
  std::string kind;
  Affected affected;
};

class VulnDb {
 public:
  // Read-only, mmap'ed. Errors: missing file, not SQLite, truncated, wrong schema version.
  static core::Result<std::unique_ptr<VulnDb>> open(const std::string& path);
  ~VulnDb();
  VulnDb(const VulnDb&) = delete;
  VulnDb& operator=(const VulnDb&) = delete;

  const std::string& path() const { return path_; }
  const std::string& built_at() const { return built_at_; }
  core::Result<DbInfo> info() const;
  // Affected entries for (ecosystem, release, package); the name is normalised here.
  core::Result<std::vector<AffectedRecord>> lookup(std::string_view ecosystem,
                                                   std::string_view release,
                                                   std::string_view package) const;
  // True when any affected entry names this (ecosystem, release): whether the database can
  // say anything about a distro release at all.
  core::Result<bool> has_release(std::string_view ecosystem, std::string_view release) const;
  // The full advisory (all affected entries) by source-local id; nullopt when absent.
  core::Result<std::vector<Advisory>> advisories_by_id(std::string_view id) const;
  // The advisory (with all its affected entries) at a row from lookup().
  core::Result<Advisory> advisory(int64_t row) const { return load_advisory(row); }
  core::Result<std::optional<KevEntry>> kev(std::string_view cve) const;
  core::Result<std::optional<EpssEntry>> epss(std::string_view cve) const;

 private:
  VulnDb() = default;
  core::Result<Advisory> load_advisory(int64_t row) const;
  core::Result<void> load_affected_details(int64_t affected_row, Affected& a) const;
  sqlite3* db_ = nullptr;
  // Not thread-safe: one VulnDb per thread (lookups reuse prepared statements).
  std::unique_ptr<StmtCache> cache_;
  std::string path_;
  std::string built_at_;
};

}  // namespace bulwark::vulndb
