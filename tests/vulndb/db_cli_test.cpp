// End-to-end tests of `bulwark db build|info|update` through the binary. `db update` is run
// against a real HTTP server (python3 -m http.server) on loopback serving the shared feeds.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_env.hpp"

namespace bulwark {
namespace {

namespace fs = std::filesystem;

struct Run {
  int rc;
  std::string out;
  std::string err;
};

Run bulwark(const std::string& args, const std::string& env = "") {
  testing::TempDir tmp;
  std::string out;
  int rc = testing::run_command(
      env + " '" + testing::bulwark_binary() + "' " + args + " 2>'" + tmp.str() + "/err'", &out);
  return {rc, out, testing::read_file(tmp.path() / "err")};
}

size_t lines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(DbCommand, BuildsFromArchivesAndInfoReportsSourcesAndCounts) {
  BW_REQUIRE_SHARED(shared);
  testing::TempDir dir;
  const auto db = dir.str() + "/v.db";
  auto b =
      bulwark("db build --from '" + (shared / "advisories/go-vulndb-osv.tar.zst").string() +
              "' --from '" + (shared / "advisories/rubysec-ruby-advisory-db.tar.zst").string() +
              "' --out '" + db + "' --built-at 2026-01-02T03:04:05Z");
  ASSERT_EQ(b.rc, 0) << b.err;
  auto i = bulwark("db info --json --db '" + db + "'");
  ASSERT_EQ(i.rc, 0) << i.err;
  auto j = nlohmann::json::parse(i.out);
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["built_at"], "2026-01-02T03:04:05Z");
  // RubySec's 1,234 files hold 1,174 distinct ids: one CVE filed under several gems is one
  // advisory with several affected packages.
  EXPECT_EQ(j["counts"]["advisories"], 4291 + 1174);
  EXPECT_GE(j["counts"]["affected"], 4291 + 1234);
  ASSERT_EQ(j["sources"].size(), 2u);
  EXPECT_EQ(j["sources"][0]["name"], "osv-go");
  EXPECT_EQ(j["sources"][0]["imported"], 4291);
  EXPECT_EQ(j["sources"][1]["name"], "rubysec");
  // BULWARK_DB is honoured when --db is absent.
  auto e = bulwark("db info", "BULWARK_DB='" + db + "'");
  ASSERT_EQ(e.rc, 0) << e.err;
  EXPECT_NE(e.out.find("osv-go"), std::string::npos);
}

TEST(DbCommand, BadInputsAreOneLineErrorsWithExitTwo) {
  testing::TempDir dir;
  auto missing =
      bulwark("db build --from /nonexistent/feed.tar.zst --out '" + dir.str() + "/x.db'");
  EXPECT_EQ(missing.rc, 2);
  EXPECT_EQ(lines(missing.err), 1u) << missing.err;
  EXPECT_NE(missing.err.find("/nonexistent/feed.tar.zst"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.path() / "x.db"));

  testing::write_file(dir.path() / "README.txt", "not a feed");
  auto nofeed = bulwark("db build --from '" + dir.str() + "' --out '" + dir.str() + "/y.db'");
  EXPECT_EQ(nofeed.rc, 2);
  EXPECT_NE(nofeed.err.find("no known advisory feed"), std::string::npos) << nofeed.err;

  testing::write_file(dir.path() / "junk.db", std::string(4096, 'j'));
  auto junk = bulwark("db info --db '" + dir.str() + "/junk.db'");
  EXPECT_EQ(junk.rc, 2);
  EXPECT_EQ(lines(junk.err), 1u) << junk.err;
  EXPECT_NE(junk.err.find("not a SQLite database"), std::string::npos);
}

class HttpServer {
 public:
  explicit HttpServer(const fs::path& root) {
    std::string out;
    // Port chosen by the OS, printed by a helper, then the server is started on it.
    testing::run_command(
        "/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\",0)); "
        "print(s.getsockname()[1])'",
        &out);
    port_ = std::stoi(out);
    out.clear();
    testing::run_command("cd '" + root.string() +
                             "' && /usr/bin/python3 -m http.server --bind 127.0.0.1 " +
                             std::to_string(port_) + " >/dev/null 2>&1 & echo $!",
                         &out);
    pid_ = std::stoi(out);
    testing::run_command("bash -c 'for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/" +
                         std::to_string(port_) +
                         ") 2>/dev/null && exit 0; sleep 0.1; done; exit 1'");
  }
  ~HttpServer() {
    if (pid_ > 0) ::kill(pid_, SIGTERM);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  int pid_ = 0;
};

TEST(DbCommand, UpdateDownloadsFromAMirrorIntoTheCacheAndReportsMissingFeeds) {
  BW_REQUIRE_SHARED(shared);
  BW_REQUIRE_COMMAND("/usr/bin/python3");
  testing::TempDir mirror;
  for (const char* f : {"go-vulndb-osv.tar.zst", "alpine-secdb.tar.zst"})
    fs::copy_file(shared / "advisories" / f, mirror.path() / f);
  HttpServer server(mirror.path());
  testing::TempDir cache;
  auto u = bulwark("db update --mirror " + server.url(),
                   "XDG_CACHE_HOME='" + cache.str() + "' BULWARK_DB=");
  ASSERT_EQ(u.rc, 0) << u.err;
  // Feeds the mirror does not have are named, not fatal.
  EXPECT_NE(u.err.find("feed not downloaded"), std::string::npos) << u.err;
  EXPECT_NE(u.err.find("HTTP 404"), std::string::npos) << u.err;
  const auto db = cache.path() / "bulwark/db/bulwark.db";
  ASSERT_TRUE(fs::exists(db));
  auto i = bulwark("db info --json", "XDG_CACHE_HOME='" + cache.str() + "' BULWARK_DB=");
  ASSERT_EQ(i.rc, 0) << i.err;
  auto j = nlohmann::json::parse(i.out);
  std::map<std::string, int> imported;
  for (const auto& s : j["sources"]) imported[s["name"]] = s["imported"];
  EXPECT_EQ(imported["osv-go"], 4291);
  EXPECT_EQ(imported["alpine-secdb"], 85270);

  // The mirror may also come from BULWARK_DB_MIRROR; an unreachable one fails with exit 2.
  auto bad = bulwark("db update", "XDG_CACHE_HOME='" + cache.str() +
                                      "' BULWARK_DB= BULWARK_DB_MIRROR=http://127.0.0.1:1");
  EXPECT_EQ(bad.rc, 2);
  EXPECT_EQ(lines(bad.err), 1u) << bad.err;
  // The earlier database is left in place when an update fails.
  EXPECT_TRUE(fs::exists(db));
}

}  // namespace
}  // namespace bulwark
