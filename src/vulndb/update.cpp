#include "vulndb/update.hpp"

#include <curl/curl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <mutex>

#include "core/log.hpp"

namespace bulwark::vulndb {

namespace fs = std::filesystem;

const std::vector<FeedSource>& public_feeds() {
  // Public locations as documented by each publisher.
  static const std::vector<FeedSource> kFeeds = [] {
    std::vector<FeedSource> f;
    auto osv = [](const char* eco, const char* file) {
      return std::make_pair(
          std::string("https://osv-vulnerabilities.storage.googleapis.com/") + eco + "/all.zip",
          std::string(file));
    };
    f.push_back({"osv-go", {osv("Go", "osv-go-all.zip")}, "go-vulndb-osv.tar.zst"});
    f.push_back({"osv-pypi", {osv("PyPI", "osv-pypi-all.zip")}, "pypa-advisory-database.tar.zst"});
    f.push_back({"osv-crates",
                 {osv("crates.io", "osv-crates-all.zip")},
                 "rustsec-advisory-db-osv.tar.zst"});
    f.push_back({"rubysec",
                 {{"https://github.com/rubysec/ruby-advisory-db/archive/refs/heads/master.tar.gz",
                   "rubysec.tar.gz"}},
                 "rubysec-ruby-advisory-db.tar.zst"});
    f.push_back({"nodejs-security-wg",
                 {{"https://github.com/nodejs/security-wg/archive/refs/heads/main.tar.gz",
                   "nodejs-security-wg.tar.gz"}},
                 "nodejs-security-wg-vulns.tar.zst"});
    f.push_back({"malicious-npm",
                 {{"https://github.com/leitwacht/malicious-packages/archive/refs/heads/main.tar.gz",
                   "leitwacht-malicious-packages.tar.gz"}},
                 "leitwacht-malicious-npm-osv.tar.zst"});
    FeedSource debian_oval{"debian-oval", {}, "debian-oval.tar.zst"};
    for (const char* rel : {"buster", "bullseye", "bookworm", "trixie"})
      debian_oval.files.emplace_back(
          std::string("https://www.debian.org/security/oval/oval-definitions-") + rel + ".xml.bz2",
          std::string("debian-oval/oval-definitions-") + rel + ".xml.bz2");
    f.push_back(debian_oval);
    f.push_back({"debian-tracker",
                 {{"https://security-tracker.debian.org/tracker/data/json",
                   "debian-tracker/debian-security-tracker.json"},
                  {"https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/"
                   "data/DSA/list",
                   "debian-tracker/data/DSA/list"},
                  {"https://salsa.debian.org/security-tracker-team/security-tracker/-/raw/master/"
                   "data/DLA/list",
                   "debian-tracker/data/DLA/list"}},
                 "debian-security-tracker-lists.tar.zst"});
    FeedSource alpine{"alpine-secdb", {}, "alpine-secdb.tar.zst"};
    for (const char* br : {"v3.17", "v3.18", "v3.19", "v3.20", "v3.21", "edge"})
      for (const char* repo : {"main", "community"})
        alpine.files.emplace_back(
            std::string("https://secdb.alpinelinux.org/") + br + "/" + repo + ".json",
            std::string("alpine/") + br + "/" + repo + ".json");
    f.push_back(alpine);
    FeedSource ubuntu{"ubuntu-oval", {}, "ubuntu-oval.tar.zst"};
    for (const char* rel : {"focal", "jammy", "noble", "oracular"})
      ubuntu.files.emplace_back(
          std::string("https://security-metadata.canonical.com/oval/com.ubuntu.") + rel +
              ".usn.oval.xml.bz2",
          std::string("ubuntu/com.ubuntu.") + rel + ".usn.oval.xml.bz2");
    f.push_back(ubuntu);
    f.push_back({"debian-tracker-json",
                 {},
                 "debian-security-tracker.json"});  // mirror-only: the JSON above, when mirrored
    f.push_back(
        {"cisa-kev",
         {{"https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json",
           "known_exploited_vulnerabilities.json"}},
         "known_exploited_vulnerabilities.json"});
    f.push_back(
        {"epss",
         {{"https://epss.cyentia.com/epss_scores-current.csv.gz", "epss_scores-current.csv.gz"}},
         "epss_scores-current.csv.gz"});
    return f;
  }();
  return kFeeds;
}

namespace {

size_t write_cb(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* f = static_cast<std::FILE*>(userdata);
  return std::fwrite(ptr, size, nmemb, f);
}

struct HttpError {
  long status = 0;
  std::string message;
};

}  // namespace

core::Result<void> http_download(const std::string& url, const std::string& dest,
                                 long timeout_seconds) {
  static std::once_flag init;
  std::call_once(init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::error_code ec;
  fs::create_directories(fs::path(dest).parent_path(), ec);
  if (ec) return core::Error::io(fs::path(dest).parent_path().string() + ": " + ec.message());
  const std::string tmp = dest + ".part-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) return core::Error::from_errno(tmp, errno);
  CURL* c = curl_easy_init();
  if (c == nullptr) {
    std::fclose(f);
    std::remove(tmp.c_str());
    return core::Error::internal("libcurl: cannot create a handle");
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_seconds);
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(4LL << 30));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "bulwark-db-update");
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(c);
  const bool closed = std::fclose(f) == 0;
  if (rc != CURLE_OK || status >= 400 || !closed) {
    std::remove(tmp.c_str());
    if (rc != CURLE_OK)
      return core::Error::io(url + ": " + (errbuf[0] != 0 ? errbuf : curl_easy_strerror(rc)));
    if (status == 404) return core::Error::not_found(url + ": HTTP 404");
    if (status >= 400) return core::Error::io(url + ": HTTP " + std::to_string(status));
    return core::Error::io(tmp + ": write failed");
  }
  fs::rename(tmp, dest, ec);
  if (ec) {
    std::remove(tmp.c_str());
    return core::Error::io(dest + ": " + ec.message());
  }
  return core::ok();
}

core::Result<UpdateReport> update_db(const UpdateOptions& o) {
  UpdateReport report;
  std::error_code ec;
  // A fresh download directory each time: stale files from an earlier run must not be built.
  fs::remove_all(o.download_dir, ec);
  fs::create_directories(o.download_dir, ec);
  if (ec) return core::Error::io(o.download_dir + ": " + ec.message());
  std::string base = o.mirror;
  while (!base.empty() && base.back() == '/') base.pop_back();
  for (const auto& feed : public_feeds()) {
    std::vector<std::pair<std::string, std::string>> files;
    if (!base.empty())
      files.emplace_back(base + "/" + feed.mirror_file, feed.mirror_file);
    else
      files = feed.files;
    for (const auto& [url, rel] : files) {
      const std::string dest = (fs::path(o.download_dir) / rel).string();
      core::log_info("downloading {}", url);
      auto r = http_download(url, dest, o.timeout_seconds);
      if (!r.ok()) {
        // One missing feed does not stop the others; the report lists it.
        report.missing.push_back(r.error().message());
        continue;
      }
      report.downloaded.push_back(dest);
    }
  }
  if (report.downloaded.empty())
    return core::Error::io(
        "db update: no feed could be downloaded" +
        (report.missing.empty() ? std::string() : " (" + report.missing.front() + ")"));
  fs::create_directories(fs::path(o.out).parent_path(), ec);
  BuildOptions b;
  b.inputs = {o.download_dir};
  b.out = o.out;
  BW_ASSIGN_OR_RETURN(report.build, build_db(b));
  return report;
}

}  // namespace bulwark::vulndb
