#include <gtest/gtest.h>

#include "vulndb/importer.hpp"
#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

using testing::events_str;
using testing::find_all;

struct OsvSpot {
  const char* source;
  const char* id;
  const char* ecosystem;
  const char* release;
  const char* package;
  const char* events;  // first non-GIT range of the first affected package
  int versions;        // explicit versions listed for it
};

// Looked up in the extracted feeds (first affected package of every Nth file) with Python's
// json/yaml modules, independently of this importer.
constexpr OsvSpot kSpots[] = {
    {"osv-go", "GO-2020-0001", "Go", "", "github.com/gin-gonic/gin", "i:0 f:1.6.0", 0},
    {"osv-go", "GO-2022-0587", "Go", "", "github.com/open-policy-agent/opa", "i:0 f:0.40.0", 0},
    {"osv-go", "GO-2023-1520", "Go", "", "github.com/argoproj/argo-cd", "i:1.8.2", 0},
    {"osv-go", "GO-2023-2400", "Go", "", "github.com/sap/cloud-security-client-go", "i:0 f:0.17.0",
     0},
    {"osv-go", "GO-2024-2929", "Go", "", "github.com/rancher/rancher", "i:0", 0},
    {"osv-go", "GO-2025-3415", "Go", "", "github.com/cilium/cilium",
     "i:1.14.0 f:1.14.18 i:1.15.0 f:1.15.12 i:1.16.0 f:1.16.5", 0},
    {"osv-go", "GO-2025-3875", "Go", "", "github.com/mattermost/mattermost-plugin-confluence",
     "i:0 f:1.5.0", 0},
    {"osv-go", "GO-2026-4279", "Go", "", "github.com/open-feature/flagd/core", "i:0 f:0.13.1", 0},
    {"osv-go", "GO-2026-4686", "Go", "", "github.com/AdguardTeam/AdGuardHome", "i:0 f:0.107.73", 0},
    {"osv-go", "GO-2026-5107", "Go", "", "go.opentelemetry.io/obi", "i:0.7.0 f:0.9.0", 0},
    {"osv-go", "GO-2026-5468", "Go", "", "github.com/patrickhener/goshs",
     "i:0 f:1.1.5-0.20260401172448-237f3af891a9", 0},
    {"osv-go", "GO-2026-5852", "Go", "", "github.com/fission/fission", "i:0 f:1.24.0", 0},
    {"osv-pysec", "PYSEC-2022-43066", "PyPI", "", "aamiles", "i:0", 3},
    {"osv-pysec", "PYSEC-2026-25", "PyPI", "", "authlib", "i:0 f:1.6.11", 58},
    {"osv-pysec", "PYSEC-2022-303", "PyPI", "", "django-mfa2", "i:0 f:2.5.1 i:2.6.0 f:2.6.1", 62},
    {"osv-pysec", "PYSEC-2022-17", "PyPI", "", "gerapy", "i:0 f:0.9.9", 41},
    {"osv-pysec", "PYSEC-2023-98", "PyPI", "", "langchain", "i:0 f:0.0.247", 250},
    {"osv-pysec", "PYSEC-2026-1641", "PyPI", "", "mlflow", "i:0 l:2.9.2", 86},
    {"osv-pysec", "PYSEC-2026-105", "PyPI", "", "openc3", "i:0 f:7.0.0", 52},
    {"osv-pysec", "PYSEC-2026-3514", "PyPI", "", "praisonai", "i:3.8.1 f:4.6.59", 300},
    {"osv-pysec", "PYSEC-2022-296", "PyPI", "", "rdiffweb", "i:0 f:2.4.8", 81},
    {"osv-pysec", "PYSEC-2021-525", "PyPI", "", "tensorflow-cpu",
     "i:0 f:2.1.4 i:2.2.0 f:2.2.3 i:2.3.0 f:2.3.3 i:2.4.0 f:2.4.2", 13},
    {"osv-pysec", "PYSEC-2022-155", "PyPI", "", "tensorflow-gpu", "i:0 f:2.5.3 i:2.6.0 f:2.6.3",
     61},
    {"osv-pysec", "PYSEC-2025-199", "PyPI", "", "torch", "i:2.6.0 f:2.7.0", 1},
    {"osv-rustsec", "RUSTSEC-2016-0001", "crates.io", "", "openssl", "i:0.0.0-0 f:0.9.0", 0},
    {"osv-rustsec", "RUSTSEC-2020-0025", "crates.io", "", "bigint", "i:0.0.0-0", 0},
    {"osv-rustsec", "RUSTSEC-2020-0126", "crates.io", "", "signal-simple", "i:0.0.0-0", 0},
    {"osv-rustsec", "RUSTSEC-2021-0057", "crates.io", "", "openssl-src", "i:0.0.0-0 f:111.14.0", 0},
    {"osv-rustsec", "RUSTSEC-2022-0001", "crates.io", "", "lmdb", "i:0.0.0-0", 0},
    {"osv-rustsec", "RUSTSEC-2022-0101", "crates.io", "", "wasmtime", "i:0.0.0-0 f:0.38.2", 0},
    {"osv-rustsec", "RUSTSEC-2023-0097", "crates.io", "", "lazystatic", "i:0.0.0-0", 0},
    {"osv-rustsec", "RUSTSEC-2024-0379", "crates.io", "", "fast-float", "i:0.0.0-0", 0},
    {"osv-rustsec", "RUSTSEC-2025-0031", "crates.io", "", "tanton_engine", "i:0.0.0-0", 0},
    {"osv-rustsec", "RUSTSEC-2025-0131", "crates.io", "", "rtvm-interpreter", "i:0.0.0-0", 0},
    {"osv-rustsec", "RUSTSEC-2026-0061", "crates.io", "", "tokio-fs", "i:0.0.0-0", 0},
    {"osv-rustsec", "RUSTSEC-2026-0161", "crates.io", "", "pqcrypto-mlkem", "i:0.0.0-0", 0},
    {"osv-lwa", "LWA-2026-0053", "npm", "", "bandkit", "", 1},
    {"osv-lwa", "LWA-2026-10276", "npm", "", "devplatform-npm-versions-checker", "", 1},
    {"osv-lwa", "LWA-2026-10535", "npm", "", "dolyame-boxy-desktop-bnpl-header", "", 1},
    {"osv-lwa", "LWA-2026-10984", "npm", "", "base65-77x", "", 1},
    {"osv-lwa", "LWA-2026-2153", "npm", "", "jingmeideshishi", "", 1},
    {"osv-lwa", "LWA-2026-4549", "npm", "", "vite-react-toolkit", "", 1},
    {"osv-lwa", "LWA-2026-5407", "npm", "", "viem-ethereum", "", 1},
    {"osv-lwa", "LWA-2026-5818", "npm", "", "blinkit-core", "", 1},
    {"osv-lwa", "LWA-2026-6353", "npm", "", "validator-string", "", 1},
    {"osv-lwa", "LWA-2026-6776", "npm", "", "ethers-core", "", 1},
    {"osv-lwa", "LWA-2026-7180", "npm", "", "@adominadmininstr/date-util-helper", "", 1},
    {"osv-lwa", "LWA-2026-7531", "npm", "", "twork-data-services-role-app", "", 1},
};

class OsvFeeds : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dir = bulwark::testing::shared_dir();
    if (!dir) return;
    const auto adv = *dir / "advisories";
    for (const char* f : {"go-vulndb-osv.tar.zst", "pypa-advisory-database.tar.zst",
                          "rustsec-advisory-db-osv.tar.zst", "leitwacht-malicious-npm-osv.tar.zst"})
      feeds_[f] = testing::load(adv / f);
  }
  static void TearDownTestSuite() { feeds_.clear(); }
  static const testing::LoadedFeed& feed(const char* name) { return *feeds_.at(name); }
  static inline std::map<std::string, std::unique_ptr<testing::LoadedFeed>> feeds_;
};

TEST_F(OsvFeeds, ImportsEveryAdvisoryOfEachRealFeed) {
  BW_REQUIRE_SHARED(shared);
  struct Count {
    const char* feed;
    const char* source;
    uint64_t imported;
  };
  // Counts from ../shared/advisories/SOURCES.md.
  for (const auto& c : {Count{"go-vulndb-osv.tar.zst", "osv-go", 4291},
                        Count{"pypa-advisory-database.tar.zst", "osv-pysec", 7080},
                        Count{"rustsec-advisory-db-osv.tar.zst", "osv-rustsec", 1206},
                        Count{"leitwacht-malicious-npm-osv.tar.zst", "osv-lwa", 2990}}) {
    const auto* s = testing::source(feed(c.feed).report, c.source);
    ASSERT_NE(s, nullptr) << c.feed;
    EXPECT_EQ(s->imported, c.imported) << c.feed;
    EXPECT_EQ(s->failed, 0u) << c.feed;
    EXPECT_EQ(feed(c.feed).sink.advisories.size(), c.imported) << c.feed;
  }
}

TEST_F(OsvFeeds, SpotChecksMatchTheFeedFiles) {
  BW_REQUIRE_SHARED(shared);
  std::map<std::string, const char*> feed_of = {{"osv-go", "go-vulndb-osv.tar.zst"},
                                                {"osv-pysec", "pypa-advisory-database.tar.zst"},
                                                {"osv-rustsec", "rustsec-advisory-db-osv.tar.zst"},
                                                {"osv-lwa", "leitwacht-malicious-npm-osv.tar.zst"}};
  for (const auto& s : kSpots) {
    const auto found = find_all(feed(feed_of.at(s.source)).sink, s.id);
    ASSERT_EQ(found.size(), 1u) << s.id;
    const Advisory& a = *found[0];
    EXPECT_EQ(a.source, s.source);
    ASSERT_FALSE(a.affected.empty()) << s.id;
    const Affected& x = a.affected[0];
    EXPECT_EQ(x.ecosystem, s.ecosystem) << s.id;
    EXPECT_EQ(x.release, s.release) << s.id;
    EXPECT_EQ(x.package, s.package) << s.id;
    EXPECT_EQ(x.ranges.empty() ? "" : events_str(x.ranges[0]), s.events) << s.id;
    EXPECT_EQ(static_cast<int>(x.versions.size()), s.versions) << s.id;
  }
}

TEST_F(OsvFeeds, KeepsAliasesSeverityAndCvssVectors) {
  BW_REQUIRE_SHARED(shared);
  const auto go = find_all(feed("go-vulndb-osv.tar.zst").sink, "GO-2020-0001");
  ASSERT_EQ(go.size(), 1u);
  EXPECT_EQ(go[0]->aliases, (std::vector<std::string>{"CVE-2020-36567", "GHSA-6vm3-jj99-7229"}));
  EXPECT_EQ(go[0]->published, "2021-04-14T20:04:52Z");
  EXPECT_EQ(go[0]->references.size(), 2u);
  const auto rs = find_all(feed("rustsec-advisory-db-osv.tar.zst").sink, "RUSTSEC-2016-0001");
  ASSERT_EQ(rs.size(), 1u);
  EXPECT_EQ(rs[0]->cvss_v3_vector, "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H");
  ASSERT_TRUE(rs[0]->cvss_v3_score.has_value());
  EXPECT_DOUBLE_EQ(*rs[0]->cvss_v3_score, 8.1);
  EXPECT_EQ(rs[0]->severity, "HIGH");
  const auto jinja = find_all(feed("pypa-advisory-database.tar.zst").sink, "PYSEC-2014-8");
  ASSERT_EQ(jinja.size(), 1u);
  EXPECT_EQ(jinja[0]->aliases, (std::vector<std::string>{"CVE-2014-1402", "GHSA-8r7q-cvjq-x353"}));
  EXPECT_EQ(jinja[0]->affected[0].package, "jinja2");
  // YAML scalars like 2.0 stay the string "2.0", not a float.
  EXPECT_EQ(jinja[0]->affected[0].versions.front(), "2.0");
}

TEST_F(OsvFeeds, CountsWithdrawnInformationalAndGitRanges) {
  BW_REQUIRE_SHARED(shared);
  auto notes = [&](const char* f, const char* s) {
    return nlohmann::json::parse(testing::source(feed(f).report, s)->notes);
  };
  EXPECT_EQ(notes("go-vulndb-osv.tar.zst", "osv-go")["withdrawn"], 17);
  EXPECT_EQ(notes("pypa-advisory-database.tar.zst", "osv-pysec")["withdrawn"], 269);
  EXPECT_GT(notes("pypa-advisory-database.tar.zst", "osv-pysec")["git_ranges_ignored"], 1000);
  const auto rust = notes("rustsec-advisory-db-osv.tar.zst", "osv-rustsec");
  EXPECT_EQ(rust["withdrawn"], 13);
  EXPECT_EQ(rust["informational"], 267 + 203 + 6);  // unmaintained + unsound + notice
  size_t unmaintained = 0, unsound = 0, notice = 0;
  for (const auto& a : feed("rustsec-advisory-db-osv.tar.zst").sink.advisories) {
    unmaintained += a.kind == "informational:unmaintained";
    unsound += a.kind == "informational:unsound";
    notice += a.kind == "informational:notice";
  }
  EXPECT_EQ(unmaintained, 267u);
  EXPECT_EQ(unsound, 203u);
  EXPECT_EQ(notice, 6u);
}

TEST_F(OsvFeeds, MarksMaliciousPackagesByTheirMalAlias) {
  BW_REQUIRE_SHARED(shared);
  size_t malicious = 0;
  for (const auto& a : feed("leitwacht-malicious-npm-osv.tar.zst").sink.advisories)
    malicious += a.kind == "malicious";
  EXPECT_EQ(malicious, 2488u);  // SOURCES.md: 2,488 with MAL-/other aliases
  const auto b = find_all(feed("leitwacht-malicious-npm-osv.tar.zst").sink, "LWA-2026-0053");
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0]->kind, "malicious");
  EXPECT_EQ(b[0]->affected[0].versions, std::vector<std::string>{"1.0.7"});
}

TEST(OsvImport, MalformedJsonIsCountedNotFatal) {
  VectorSink sink;
  ImportStats stats;
  import_osv_json("bad.json", R"({"id": "X-1", "affected": [)", "osv-x", sink, stats);
  import_osv_json(
      "good.json",
      R"({"id":"X-2","affected":[{"package":{"ecosystem":"PyPI","name":"Foo_Bar"},)"
      R"("ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2"}]}]}]})",
      "osv-x", sink, stats);
  import_osv_json("notobj.json", "[1,2]", "osv-x", sink, stats);
  import_osv_json("badevent.json",
                  R"({"id":"X-3","affected":[{"package":{"ecosystem":"npm","name":"a"},)"
                  R"("ranges":[{"type":"SEMVER","events":[{"fixed":"1","introduced":"0"}]}]}]})",
                  "osv-x", sink, stats);
  EXPECT_EQ(stats.failed, 3u);
  EXPECT_EQ(stats.imported, 1u);
  ASSERT_EQ(sink.advisories.size(), 1u);
  EXPECT_EQ(sink.advisories[0].affected[0].package, "foo-bar");  // PEP 503
  ASSERT_EQ(stats.errors.size(), 3u);
  EXPECT_NE(stats.errors[0].find("bad.json"), std::string::npos);
  EXPECT_NE(stats.errors[2].find("exactly one field"), std::string::npos);
}

TEST(OsvImport, UnknownAndGitRangeTypesAreIgnoredWithACount) {
  VectorSink sink;
  ImportStats stats;
  import_osv_json("r.json",
                  R"({"id":"X-4","affected":[{"package":{"ecosystem":"Debian:12","name":"curl"},)"
                  R"("ranges":[{"type":"GIT","repo":"r","events":[{"introduced":"abc"}]},)"
                  R"({"type":"WEIRD","events":[{"introduced":"0"}]},)"
                  R"({"type":"ECOSYSTEM","events":[{"introduced":"0"},{"limit":"9"}]}]}]})",
                  "osv-x", sink, stats);
  EXPECT_EQ(stats.failed, 0u);
  EXPECT_EQ(stats.git_ranges_ignored, 1u);
  EXPECT_EQ(stats.skip_reasons["range type \"WEIRD\" ignored"], 1u);
  ASSERT_EQ(sink.advisories.size(), 1u);
  const auto& x = sink.advisories[0].affected.at(0);
  EXPECT_EQ(x.ecosystem, "Debian");
  EXPECT_EQ(x.release, "12");
  ASSERT_EQ(x.ranges.size(), 1u);
  EXPECT_EQ(events_str(x.ranges[0]), "i:0 m:9");
}

TEST(OsvImport, YamlThatIsNotAMappingIsRejected) {
  VectorSink sink;
  ImportStats stats;
  import_osv_yaml("a.yaml", "- just\n- a list\n", "osv-x", sink, stats);
  import_osv_yaml("b.yaml", "id: [unterminated\n", "osv-x", sink, stats);
  EXPECT_EQ(stats.failed, 2u);
  EXPECT_TRUE(sink.advisories.empty());
}

}  // namespace
}  // namespace bulwark::vulndb
