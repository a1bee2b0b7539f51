// `bulwark db build`: recognise each feed by its paths and content, run its importer, and
// write one SQLite file (to a temporary name, renamed when complete).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "vulndb/importer.hpp"
#include "vulndb/store.hpp"

namespace bulwark::vulndb {

// What a file inside a feed is, decided from its path and (for ambiguous JSON) first bytes.
enum class FeedKind {
  kSkip,
  kOsvJson,
  kOsvYaml,
  kRubysec,
  kNodejsNpm,
  kAlpineSecdb,
  kDsaList,
  kDebianOval,
  kUbuntuOval,
  kDebianTracker,
  kKev,
  kEpss,
};
struct Classified {
  FeedKind kind = FeedKind::kSkip;
  std::string source;   // source name for the store
  std::string release;  // OVAL: codename from the file name
  std::string reason;   // kSkip: why (empty = not an advisory file, not counted)
};
Classified classify_feed_file(std::string_view path, std::string_view head);

// Restricts a build to some packages (the demo bundle): lines "Ecosystem name" or
// "Ecosystem:release name"; '#' comments. Affected entries outside the list are dropped, then
// advisories left with none; KEV/EPSS rows are kept only for CVEs of kept advisories.
struct PackageFilter {
  std::set<std::pair<std::string, std::string>> any_release;  // (ecosystem, package)
  std::set<std::tuple<std::string, std::string, std::string>> per_release;
  bool keeps(const Affected& a) const;
  static core::Result<PackageFilter> parse(std::string_view text, std::string_view where);
};

struct BuildOptions {
  std::vector<std::string> inputs;
  std::string out;
  std::string built_at;  // RFC 3339; empty = now
  const PackageFilter* filter = nullptr;
  uint64_t max_entry_bytes = 512ULL << 20;
};

struct BuildReport {
  std::vector<SourceInfo> sources;
  std::vector<std::string> errors;  // first errors across sources
  uint64_t imported = 0;
  uint64_t failed = 0;
};

// Feeds into any sink (tests use a VectorSink); returns per-source statistics.
core::Result<BuildReport> import_feeds(const std::vector<std::string>& inputs, AdvisorySink& sink,
                                       uint64_t max_entry_bytes = 512ULL << 20);
// Imports and writes the database; an input that is unreadable or holds no known feed is an
// error (a typo must not yield an empty database).
core::Result<BuildReport> build_db(const BuildOptions& options);

std::string now_rfc3339();

}  // namespace bulwark::vulndb
