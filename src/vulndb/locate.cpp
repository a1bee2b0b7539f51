#include "vulndb/locate.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace bulwark::vulndb {

std::string default_db_path() {
  // Same cache root as cli's default_cache_dir() (scan_pipeline.cpp), which vulndb cannot
  // depend on (cli depends on vulndb).
  std::string root;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x != nullptr && *x == '/')
    root = std::string(x) + "/bulwark";
  else if (const char* h = std::getenv("HOME"); h != nullptr && *h == '/')
    root = std::string(h) + "/.cache/bulwark";
  else
    root = "/tmp/bulwark-cache-" + std::to_string(::getuid());
  return root + "/db/bulwark.db";
}

DbPath resolve_db_path(const std::string& flag) {
  if (!flag.empty()) return {flag, "--db"};
  if (const char* e = std::getenv("BULWARK_DB"); e != nullptr && *e != '\0')
    return {e, "BULWARK_DB"};
  return {default_db_path(), "default"};
}

std::optional<std::time_t> parse_rfc3339_utc(const std::string& s) {
  std::tm tm{};
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s.back() != 'Z')
    return std::nullopt;
  if (strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return std::nullopt;
  return timegm(&tm);
}

core::Result<OpenedDb> open_for_scan(const std::string& flag, int max_age_days, std::time_t now) {
  const DbPath p = resolve_db_path(flag);
  std::error_code ec;
  if (!std::filesystem::exists(p.path, ec))
    return core::Error::not_found(
        "no vulnerability database at " + p.path + " (" + p.chosen_by +
        "): run `bulwark db update` to download one, or offline `bulwark db build --from "
        "FEED... --out " +
        p.path + "`, or pass --db FILE / set BULWARK_DB");
  BW_ASSIGN_OR_RETURN(auto db, VulnDb::open(p.path));
  OpenedDb out;
  if (max_age_days > 0) {
    if (auto built = parse_rfc3339_utc(db->built_at()); built) {
      const double days = std::difftime(now, *built) / 86400.0;
      if (days > max_age_days)
        out.warning = "vulnerability database " + p.path + " was built " +
                      std::to_string(static_cast<long>(days)) + " days ago (older than " +
                      std::to_string(max_age_days) + "): run `bulwark db update`";
    } else {
      out.warning = "vulnerability database " + p.path + " has no valid build time";
    }
  }
  out.db = std::move(db);
  return out;
}

}  // namespace bulwark::vulndb
