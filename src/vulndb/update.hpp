// `bulwark db update`: download the feeds from their public locations (or a mirror), then
// build the database into the default cache location. The HTTP transport is libcurl.
#pragma once

#include <string>
#include <vector>

#include "core/result.hpp"
#include "vulndb/build.hpp"

namespace bulwark::vulndb {

struct FeedSource {
  std::string name;
  // Public download locations and the file each is saved as, relative to the download dir
  // (paths keep what classify_feed_file recognises, e.g. "debian-tracker/data/DSA/list").
  std::vector<std::pair<std::string, std::string>> files;
  std::string mirror_file;  // the single file a mirror serves for this feed
};
const std::vector<FeedSource>& public_feeds();

struct UpdateOptions {
  std::string mirror;  // base URL of a mirror (flag --mirror or BULWARK_DB_MIRROR); "" = public
  std::string download_dir;  // where feeds are saved (emptied first: bulwark-owned, e.g. DB.feeds)
  std::string out;           // database path
  long timeout_seconds = 600;
};

struct UpdateReport {
  std::vector<std::string> downloaded;  // files
  std::vector<std::string> missing;     // feeds unavailable (HTTP 404 etc.), with the reason
  BuildReport build;
};

core::Result<UpdateReport> update_db(const UpdateOptions& options);

// Downloads one URL to `dest` (atomically, via a temporary file). HTTP >= 400 is an error
// that names the URL and status.
core::Result<void> http_download(const std::string& url, const std::string& dest,
                                 long timeout_seconds);

}  // namespace bulwark::vulndb
