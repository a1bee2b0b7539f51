// Where the scan finds its database: --db FILE, else $BULWARK_DB, else the default cache
// location ($XDG_CACHE_HOME/bulwark/db/bulwark.db, the same cache root as the layer cache).
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "vulndb/store.hpp"

namespace bulwark::vulndb {

std::string default_db_path();
// The path to use and how it was chosen ("--db", "BULWARK_DB", "default").
struct DbPath {
  std::string path;
  std::string chosen_by;
};
DbPath resolve_db_path(const std::string& flag);

struct OpenedDb {
  std::unique_ptr<VulnDb> db;
  std::optional<std::string> warning;  // set when older than max_age_days
};
// Opens the database a scan should use. Absent: an error saying how to get one. Older than
// `max_age_days` (0 = never warn) relative to `now`: opened, with a warning.
core::Result<OpenedDb> open_for_scan(const std::string& flag, int max_age_days, std::time_t now);

// Seconds since the epoch for an RFC 3339 UTC time ("2026-11-26T04:05:48Z"); nullopt if not.
std::optional<std::time_t> parse_rfc3339_utc(const std::string& s);

}  // namespace bulwark::vulndb
