#include <gtest/gtest.h>

#include "vulndb_test_support.hpp"

namespace bulwark::vulndb {
namespace {

// A file in the tracker's documented JSON format (security-tracker.debian.org/tracker/data/json):
// source package -> CVE -> releases -> codename -> {status, fixed_version, urgency, nodsa...}.
constexpr const char* kTracker = R"({
 "openssl": {
  "CVE-2023-0286": {"description": "x", "scope": "remote", "releases": {
    "bookworm": {"status": "resolved", "repositories": {"bookworm": "3.0.9-1"},
                 "fixed_version": "3.0.8-1", "urgency": "not yet assigned"},
    "bullseye": {"status": "resolved", "repositories": {"bullseye": "1.1.1n-0+deb11u5"},
                 "fixed_version": "1.1.1n-0+deb11u4", "urgency": "not yet assigned"},
    "buster": {"status": "open", "repositories": {"buster": "1.1.1n-0+deb10u3"},
               "urgency": "end-of-life"}}},
  "CVE-2010-0928": {"releases": {
    "bookworm": {"status": "open", "repositories": {"bookworm": "3.0.9-1"},
                 "urgency": "unimportant"}}}
 },
 "curl": {
  "CVE-2023-38546": {"releases": {
    "bookworm": {"status": "open", "repositories": {"bookworm": "7.88.1-10"},
                 "urgency": "low", "nodsa": "Minor issue", "nodsa_reason": "ignored"},
    "bullseye": {"status": "open", "urgency": "low", "nodsa": "Minor", "nodsa_reason": "postponed"},
    "sid": {"status": "resolved", "fixed_version": "0", "urgency": "low**"}}},
  "TEMP-0000000-ABCDEF": {"releases": {"sid": {"status": "open", "urgency": "unimportant"}}}
 },
 "glibc": {
  "CVE-2023-4911": {"releases": {
    "bookworm": {"status": "undetermined", "urgency": "high"},
    "trixie": {"status": "nonsense"}}}
 }
})";

TEST(DebianTrackerImport, MapsEveryStatusOfTheDocumentedFormat) {
  VectorSink sink;
  ImportStats stats;
  import_debian_tracker("tracker.json", kTracker, sink, stats);
  EXPECT_EQ(stats.imported, 4u);
  EXPECT_EQ(stats.skip_reasons["TEMP- id (no CVE assigned yet)"], 1u);
  EXPECT_EQ(stats.failed, 1u);  // trixie "nonsense" status
  auto aff = [&](const char* id, const char* rel, const char* pkg) {
    return testing::find_affected(sink, id, rel, pkg);
  };
  const auto* b = aff("CVE-2023-0286", "bookworm", "openssl");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->status, Status::kFixed);
  EXPECT_EQ(testing::events_str(b->ranges.at(0)), "i:0 f:3.0.8-1");
  EXPECT_EQ(b->package_kind, "source");
  const auto* eol = aff("CVE-2023-0286", "buster", "openssl");
  ASSERT_NE(eol, nullptr);
  EXPECT_EQ(eol->status, Status::kWillNotFix);
  EXPECT_EQ(eol->status_detail, "end-of-life");
  const auto* unimp = aff("CVE-2010-0928", "bookworm", "openssl");
  ASSERT_NE(unimp, nullptr);
  EXPECT_EQ(unimp->status, Status::kUnfixed);
  EXPECT_EQ(unimp->status_detail, "unimportant");
  EXPECT_EQ(testing::events_str(unimp->ranges.at(0)), "i:0");
  const auto* ign = aff("CVE-2023-38546", "bookworm", "curl");
  ASSERT_NE(ign, nullptr);
  EXPECT_EQ(ign->status, Status::kWillNotFix);
  EXPECT_EQ(ign->status_detail, "ignored");
  const auto* post = aff("CVE-2023-38546", "bullseye", "curl");
  ASSERT_NE(post, nullptr);
  EXPECT_EQ(post->status, Status::kUnfixed);
  EXPECT_EQ(post->status_detail, "postponed");
  const auto* sid = aff("CVE-2023-38546", "sid", "curl");
  ASSERT_NE(sid, nullptr);
  EXPECT_EQ(sid->status, Status::kNotAffected);
  EXPECT_EQ(sid->severity, "low");  // "low**" without the tracker's footnote stars
  const auto* und = aff("CVE-2023-4911", "bookworm", "glibc");
  ASSERT_NE(und, nullptr);
  EXPECT_EQ(und->status_detail, "undetermined");
}

TEST(DebianTrackerImport, AFileCutInHalfIsOneClearFailure) {
  const std::string full = kTracker;
  VectorSink sink;
  ImportStats stats;
  import_debian_tracker("tracker.json", std::string_view(full).substr(0, full.size() / 2), sink,
                        stats);
  EXPECT_EQ(stats.failed, 1u);
  ASSERT_EQ(stats.errors.size(), 1u);
  EXPECT_NE(stats.errors[0].find("tracker.json: truncated or malformed tracker JSON"),
            std::string::npos)
      << stats.errors[0];
}

TEST(DebianTrackerImport, BuildRecognisesTheTrackerFileByName) {
  bulwark::testing::TempDir dir;
  bulwark::testing::write_file(dir.path() / "debian-security-tracker.json", kTracker);
  VectorSink sink;
  auto r = import_feeds({(dir.path() / "debian-security-tracker.json").string()}, sink);
  ASSERT_TRUE(r.ok()) << r.error().message();
  const auto* s = testing::source(*r, "debian-tracker");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->imported, 4u);
}

}  // namespace
}  // namespace bulwark::vulndb
