#include <gtest/gtest.h>

#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

// CISA's published catalog format (known_exploited_vulnerabilities.json).
constexpr const char* kKev = R"({"title": "CISA Catalog of Known Exploited Vulnerabilities",
 "catalogVersion": "2024.01.05", "dateReleased": "2024-01-05T14:00:00.000Z", "count": 3,
 "vulnerabilities": [
  {"cveID": "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j2",
   "vulnerabilityName": "Apache Log4j2 Remote Code Execution Vulnerability",
   "dateAdded": "2021-12-10", "shortDescription": "...", "requiredAction": "...",
   "dueDate": "2021-12-24", "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": []},
  {"cveID": "CVE-2014-0160", "vendorProject": "OpenSSL", "product": "OpenSSL",
   "dateAdded": "2022-05-04", "dueDate": "2022-05-25", "knownRansomwareCampaignUse": "Unknown"},
  {"vendorProject": "NoCve"}
 ]})";

// FIRST's published EPSS CSV format (epss_scores-YYYY-MM-DD.csv.gz).
constexpr const char* kEpss =
    "#model_version:v2023.03.01,score_date:2024-01-05T00:00:00+0000\n"
    "cve,epss,percentile\n"
    "CVE-2021-44228,0.97565,0.99996\n"
    "CVE-2014-0160,0.97471,0.99974\n"
    "CVE-1999-0001,1.5,0.1\n"
    "garbage\n";

TEST(KevImport, ReadsThePublishedCatalogFormat) {
  VectorSink sink;
  ImportStats stats;
  import_kev("kev.json", kKev, sink, stats);
  EXPECT_EQ(stats.imported, 2u);
  EXPECT_EQ(stats.failed, 1u);
  ASSERT_EQ(sink.kev.size(), 2u);
  EXPECT_EQ(sink.kev[0].cve, "CVE-2021-44228");
  EXPECT_EQ(sink.kev[0].vendor, "Apache");
  EXPECT_EQ(sink.kev[0].date_added, "2021-12-10");
  EXPECT_EQ(sink.kev[0].due_date, "2021-12-24");
  EXPECT_TRUE(sink.kev[0].known_ransomware);
  EXPECT_FALSE(sink.kev[1].known_ransomware);
  EXPECT_EQ(sink.notes["kev_catalog_version"], "2024.01.05");
}

TEST(EpssImport, ReadsModelVersionAndRowsAndRejectsBadRows) {
  VectorSink sink;
  ImportStats stats;
  import_epss("epss.csv", kEpss, sink, stats);
  EXPECT_EQ(stats.imported, 2u);
  EXPECT_EQ(stats.failed, 2u);  // epss 1.5 out of range; a line without 3 fields
  ASSERT_EQ(sink.epss.size(), 2u);
  EXPECT_EQ(sink.epss[0].cve, "CVE-2021-44228");
  EXPECT_DOUBLE_EQ(sink.epss[0].epss, 0.97565);
  EXPECT_DOUBLE_EQ(sink.epss[0].percentile, 0.99996);
  EXPECT_EQ(sink.notes["epss_model_version"], "v2023.03.01");
  EXPECT_EQ(sink.notes["epss_score_date"], "2024-01-05T00:00:00+0000");
}

TEST(EpssImport, AFileWithoutTheHeaderIsRefused) {
  VectorSink sink;
  ImportStats stats;
  import_epss("epss.csv", "CVE-1,0.1,0.2\n", sink, stats);
  EXPECT_EQ(stats.imported, 0u);
  EXPECT_EQ(stats.failed, 1u);
}

TEST(KevEpssBuild, CompressedEpssAndKevFilesAreRecognisedAndStored) {
  BW_REQUIRE_COMMAND("gzip");
  bulwark::testing::TempDir dir;
  bulwark::testing::write_file(dir.path() / "known_exploited_vulnerabilities.json", kKev);
  bulwark::testing::write_file(dir.path() / "epss_scores-current.csv", kEpss);
  ASSERT_EQ(
      bulwark::testing::run_command("gzip -n " + (dir.path() / "epss_scores-current.csv").string()),
      0);
  BuildOptions o;
  o.inputs = {(dir.path() / "known_exploited_vulnerabilities.json").string(),
              (dir.path() / "epss_scores-current.csv.gz").string()};
  o.out = (dir.path() / "db.sqlite").string();
  auto r = build_db(o);
  ASSERT_TRUE(r.ok()) << r.error().message();
  auto db = VulnDb::open(o.out);
  ASSERT_TRUE(db.ok()) << db.error().message();
  auto k = (*db)->kev("CVE-2021-44228");
  ASSERT_TRUE(k.ok());
  ASSERT_TRUE(k->has_value());
  EXPECT_EQ((*k)->product, "Log4j2");
  auto e = (*db)->epss("CVE-2014-0160");
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->has_value());
  EXPECT_DOUBLE_EQ((*e)->epss, 0.97471);
  auto none = (*db)->epss("CVE-2000-0000");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

}  // namespace
}  // namespace bulwark::vulndb
