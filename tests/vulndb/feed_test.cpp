#include "vulndb/feed.hpp"

#include <gtest/gtest.h>

#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

namespace fs = std::filesystem;
using bulwark::testing::run_command;
using bulwark::testing::TempDir;

// Copies three real Go vulndb records out of the shared tarball (read through walk_feed).
void extract_samples(const fs::path& tarball, const fs::path& dir) {
  size_t n = 0;
  auto r = walk_feed(tarball.string(), [&](FeedEntry& e) -> core::Result<void> {
    if (n >= 3 || e.path().find("data/osv/GO-2020-") == std::string::npos) return core::ok();
    BW_ASSIGN_OR_RETURN(auto text, e.read_all(1 << 20));
    bulwark::testing::write_file(dir / e.path(), text);
    ++n;
    return core::ok();
  });
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(n, 3u);
}

std::vector<std::string> ids(const std::string& input) {
  VectorSink sink;
  auto r = import_feeds({input}, sink);
  EXPECT_TRUE(r.ok()) << input << ": " << (r.ok() ? "" : r.error().message());
  std::vector<std::string> out;
  for (const auto& a : sink.advisories) out.push_back(a.id);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FeedReader, ReadsADirectoryAZipATarGzAndASingleFileAlike) {
  BW_REQUIRE_SHARED(shared);
  BW_REQUIRE_COMMAND("tar");
  TempDir dir;
  const fs::path src = dir.path() / "src";
  extract_samples(shared / "advisories/go-vulndb-osv.tar.zst", src);
  const auto from_dir = ids(src.string());
  ASSERT_EQ(from_dir.size(), 3u);
  EXPECT_EQ(from_dir[0], "GO-2020-0001");
  // OSV publishes all.zip with the records at the top level.
  ASSERT_EQ(run_command("cd '" + (src / "data/osv").string() +
                        "' && /usr/bin/python3 -m zipfile -c '" + dir.str() + "/all.zip' *.json"),
            0);
  EXPECT_EQ(ids(dir.str() + "/all.zip"), from_dir);
  ASSERT_EQ(run_command("tar -czf '" + dir.str() + "/feed.tar.gz' -C '" + src.string() + "' data"),
            0);
  EXPECT_EQ(ids(dir.str() + "/feed.tar.gz"), from_dir);
  EXPECT_EQ(ids((src / "data/osv/GO-2020-0001.json").string()),
            std::vector<std::string>{"GO-2020-0001"});
}

TEST(FeedReader, ACorruptArchiveIsAnErrorNamingIt) {
  TempDir dir;
  bulwark::testing::write_file(dir.path() / "broken.tar.zst", std::string(1000, 'x'));
  VectorSink sink;
  auto r = import_feeds({dir.str() + "/broken.tar.zst"}, sink);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("broken.tar.zst"), std::string::npos);
}

TEST(FeedReader, ClassifiesFeedFilesByPathAndContent) {
  EXPECT_EQ(classify_feed_file("debian/oval-definitions-bookworm.xml.bz2", "").kind,
            FeedKind::kDebianOval);
  EXPECT_EQ(classify_feed_file("debian/oval-definitions-bookworm.xml.bz2", "").release, "bookworm");
  EXPECT_EQ(classify_feed_file("ubuntu/com.ubuntu.noble.usn.oval.xml", "").release, "noble");
  EXPECT_EQ(classify_feed_file("data/DLA/list", "").source, "debian-dla");
  EXPECT_EQ(classify_feed_file("vulns/jinja2/PYSEC-2014-8.yaml", "").source, "osv-pysec");
  EXPECT_EQ(classify_feed_file("gems/rack/CVE-2022-44570.yml", "").kind, FeedKind::kRubysec);
  EXPECT_EQ(classify_feed_file("rubies/ruby/CVE-1.yml", "").reason,
            "ruby interpreter advisory (not a gem)");
  EXPECT_EQ(classify_feed_file("vuln/npm/1.json", "{").kind, FeedKind::kNodejsNpm);
  EXPECT_EQ(classify_feed_file("x/main.json", R"({"distroversion": "v3.19"})").kind,
            FeedKind::kAlpineSecdb);
  EXPECT_EQ(classify_feed_file("GHSA-1.json", R"({"id": "GHSA-1", "modified": "x"})").source,
            "osv-ghsa");
  EXPECT_EQ(classify_feed_file("README.md", "").kind, FeedKind::kSkip);
  EXPECT_EQ(classify_feed_file("LICENSE", "").reason, "");
}

}  // namespace
}  // namespace bulwark::vulndb
