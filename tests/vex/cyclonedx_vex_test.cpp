// CycloneDX VEX (vulnerabilities[].analysis, affects[].ref) as the CycloneDX 1.5 schema defines
// it: states, references as aliases, bom-refs resolved to purls (nested components too),
// BOM-Links into another BOM, the BOM's own subject.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vex/vex.hpp"
#include "vex_test_support.hpp"

namespace bulwark::vex {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kPython = "/usr/bin/python3";

Document parse_fixture() {
  auto r = parse_cyclonedx_vex(test::fixture("cyclonedx_vex.json"), "cdx.json");
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? std::move(r).value() : Document{};
}

const Statement* by_id(const Document& d, const std::string& id) {
  for (const auto& s : d.statements)
    if (s.vulnerability_ids.front() == id) return &s;
  return nullptr;
}

TEST(CycloneDxVex, ReadsEveryVulnerabilityWithAnAnalysis) {
  auto d = parse_fixture();
  EXPECT_EQ(d.source, "cyclonedx-vex:cdx.json");
  EXPECT_TRUE(d.warnings.empty()) << d.warnings.front();
  // Six with an analysis; CVE-2022-40303 has none and is not a statement.
  ASSERT_EQ(d.statements.size(), 6U);
  EXPECT_EQ(by_id(d, "CVE-2022-40303"), nullptr);
  const auto* s = by_id(d, "CVE-2024-25062");
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(s->vulnerability_ids, ElementsAre("CVE-2024-25062", "GHSA-x77r-6xxm-wjmx"));
  EXPECT_EQ(s->status, "not_affected");
  EXPECT_EQ(s->justification, "code_not_reachable");
  EXPECT_EQ(s->detail, "The XML reader interface is not used. (response: will_not_fix)");
  EXPECT_EQ(s->timestamp, *parse_rfc3339("2024-03-02T08:00:00Z"));
}

TEST(CycloneDxVex, SuppressingStatesAreTheFourThatSayNotExploitable) {
  auto d = parse_fixture();
  std::vector<std::pair<std::string, bool>> got;
  for (const auto& s : d.statements) got.emplace_back(s.status, s.suppresses);
  using P = std::pair<std::string, bool>;
  EXPECT_THAT(got, ElementsAre(P{"not_affected", true}, P{"false_positive", true},
                               P{"resolved_with_pedigree", true}, P{"exploitable", false},
                               P{"in_triage", false}, P{"resolved", true}));
}

TEST(CycloneDxVex, BomRefsResolveToThePurlsOfTheirComponents) {
  auto d = parse_fixture();
  // Nested component (libcurl4 inside curl).
  const auto* s = by_id(d, "CVE-2024-2398");
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(
      s->products[0].component.ids,
      ElementsAre("libcurl4-ref",
                  "pkg:deb/debian/libcurl4@7.88.1-10%2Bdeb12u5?arch=amd64&distro=debian-12"));
  // A BOM-Link: the fragment, percent-decoded, is the bom-ref in the other BOM (bulwark's
  // CycloneDX uses the purl).
  s = by_id(d, "CVE-2023-46218");
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(s->products[0].component.ids, ElementsAre("pkg:deb/debian/curl@7.88.1-10+deb12u5"));
  // The BOM's subject, metadata.component.
  s = by_id(d, "CVE-2023-28322");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->products[0].component.is_document_subject);
}

TEST(CycloneDxVex, WithoutAnalysisTimestampsTheBomsOwnIsUsed) {
  auto d = parse_fixture();
  EXPECT_EQ(by_id(d, "CVE-2024-2398")->timestamp, *parse_rfc3339("2024-03-02T08:00:00Z"));
}

TEST(CycloneDxVex, BadStatementsAreSkippedWithAWarning) {
  auto r = parse_cyclonedx_vex(R"({"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1,
    "vulnerabilities": [
      {"id": "CVE-1", "analysis": {"state": "probably_fine"}, "affects": [{"ref": "pkg:npm/a@1"}]},
      {"id": "CVE-2", "analysis": {"state": "not_affected"}},
      {"analysis": {"state": "not_affected"}, "affects": [{"ref": "pkg:npm/a@1"}]},
      {"id": "CVE-3", "analysis": {"state": "not_affected", "lastUpdated": "soon"},
       "affects": [{"ref": "pkg:npm/a@1"}]},
      {"id": "CVE-4", "analysis": {"state": "not_affected"}, "affects": [{"ref": "pkg:npm/a@1"}]}
    ]})",
                               "v.cdx.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->statements.size(), 1U);
  EXPECT_THAT(r->statements[0].products[0].component.ids, ElementsAre("pkg:npm/a@1"));
  ASSERT_EQ(r->warnings.size(), 4U);
  EXPECT_EQ(r->warnings[0],
            "v.cdx.json: vulnerabilities[0] skipped: (CVE-1) analysis.state \"probably_fine\" is "
            "not a CycloneDX impact state");
  EXPECT_THAT(r->warnings[1], HasSubstr("(CVE-2) affects[] names no component"));
  EXPECT_THAT(r->warnings[2], HasSubstr("vulnerabilities[2] skipped: no id"));
  EXPECT_THAT(r->warnings[3], HasSubstr("(CVE-3) analysis.lastUpdated: not an RFC 3339"));
}

TEST(CycloneDxVex, WhatIsNotACycloneDxVexIsAnError) {
  auto r = parse_cyclonedx_vex(R"({"bomFormat": "SPDX"})", "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "x.json: not a CycloneDX BOM (bomFormat is not \"CycloneDX\")");
  r = parse_cyclonedx_vex(R"({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": []})",
                          "sbom.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "sbom.json: CycloneDX BOM has no \"vulnerabilities\" array (not a VEX)");
  r = parse_cyclonedx_vex(R"({"bomFormat": "CycloneDX", "vulnerabilities": [)", "cut.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("cut.json"));
}

TEST(CycloneDxVex, DeeplyNestedComponentsAreBounded) {
  std::string doc = R"({"bomFormat": "CycloneDX", "vulnerabilities": [], "components": )";
  for (int i = 0; i < 100; ++i) doc += R"([{"bom-ref": "r", "components": )";
  doc += "[]";
  for (int i = 0; i < 100; ++i) doc += "}]";
  doc += "}";
  auto r = parse_cyclonedx_vex(doc, "deep.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->statements.empty());
}

TEST(VexFixtures, CycloneDxFixtureIsValidAgainstTheSchema) {
  BW_REQUIRE_SHARED(shared);
  if (bulwark::testing::run_command(std::string(kPython) + " -c 'import jsonschema' 2>/dev/null") !=
      0) {
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");
  }
  std::string out;
  int rc = bulwark::testing::run_command(
      std::string(kPython) + " '" + BULWARK_SOURCE_DIR + "/tests/report/validate_json.py' '" +
          (shared / "schemas" / "cyclonedx" / "bom-1.5.schema.json").string() + "' '" +
          test::fixture_path("cyclonedx_vex.json") + "' 2>&1",
      &out);
  EXPECT_EQ(rc, 0) << out;
}

}  // namespace
}  // namespace bulwark::vex
