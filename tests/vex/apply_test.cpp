// apply(): which findings a VEX statement or ignore entry suppresses (purl, alias, image
// products, subcomponents, timestamps, expiry), and that nothing is ever removed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "vex/vex.hpp"
#include "vex_test_support.hpp"

namespace bulwark::vex {
namespace {

using test::file_finding;
using test::vulnerability;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kLibc6 = "pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12";
constexpr const char* kLibcBin =
    "pkg:deb/debian/libc-bin@2.36-9+deb12u1?arch=amd64&distro=debian-12";
constexpr const char* kLibssl3 =
    "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12";
constexpr const char* kOpenssl =
    "pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12";
constexpr const char* kToday = "2025-06-01";

Suppressions with_vex(std::initializer_list<const char*> fixtures) {
  Suppressions s;
  for (const char* name : fixtures) {
    auto d = parse_vex(test::fixture(name), name);
    EXPECT_TRUE(d.ok()) << d.error().message();
    if (d.ok()) s.documents.push_back(std::move(d).value());
  }
  return s;
}

Suppressions with_ignore(std::string_view yaml) {
  Suppressions s;
  auto f = parse_ignore_file(yaml, "ign.yaml");
  EXPECT_TRUE(f.ok()) << f.error().message();
  if (f.ok()) s.ignore_files.push_back(std::move(f).value());
  return s;
}

TEST(ApplyOpenVex, ImageProductWithSubcomponentSuppressesOnlyThatPackage) {
  std::vector<report::Finding> f = {vulnerability("CVE-2023-4911", kLibc6),
                                    vulnerability("CVE-2023-4911", kLibcBin)};
  auto warnings = apply(f, with_vex({"openvex_image.json"}), test::shop_app(), kToday);
  EXPECT_TRUE(warnings.empty());
  ASSERT_TRUE(f[0].suppressed);
  EXPECT_EQ(f[0].suppressed->source, "openvex:openvex_image.json");
  EXPECT_EQ(f[0].suppressed->status, "not_affected");
  EXPECT_EQ(f[0].suppressed->justification, "vulnerable_code_not_in_execute_path");
  EXPECT_THAT(f[0].suppressed->reason, HasSubstr("GLIBC_TUNABLES"));
  EXPECT_EQ(f[0].suppressed->expires, "");
  EXPECT_FALSE(f[1].suppressed) << "libc-bin is not the statement's subcomponent";
}

TEST(ApplyOpenVex, ImageProductOfAnotherImageDoesNotApply) {
  std::vector<report::Finding> f = {vulnerability("CVE-2023-4911", kLibc6)};
  auto other = test::shop_app();
  other.config_digest = "sha256:" + std::string(64, 'e');
  apply(f, with_vex({"openvex_image.json"}), other, kToday);
  EXPECT_FALSE(f[0].suppressed);
}

TEST(ApplyOpenVex, VulnerabilityIsMatchedThroughTheFindingsAliases) {
  // The statement names GHSA-p6mc-m468-83gw for the image by reference; the finding's id is
  // the CVE and the GHSA one of its aliases.
  std::vector<report::Finding> f = {
      vulnerability("CVE-2020-8203", "pkg:npm/lodash@4.17.15", {"GHSA-p6mc-m468-83gw"}),
      vulnerability("CVE-2021-23337", "pkg:npm/lodash@4.17.15", {"GHSA-35jh-r3h4-6jhm"})};
  apply(f, with_vex({"openvex_image.json"}), test::shop_app(), kToday);
  ASSERT_TRUE(f[0].suppressed);
  EXPECT_EQ(f[0].suppressed->justification, "vulnerable_code_cannot_be_controlled_by_adversary");
  EXPECT_FALSE(f[1].suppressed);
}

TEST(ApplyOpenVex, StatementAliasesMatchTheFindingsId) {
  // The statement is CVE-2023-4911 with alias GHSA-m77w-6vjw-wh2f; a finding reported under the
  // alias is the same flaw.
  std::vector<report::Finding> f = {vulnerability("GHSA-m77w-6vjw-wh2f", kLibc6)};
  apply(f, with_vex({"openvex_image.json"}), test::shop_app(), kToday);
  EXPECT_TRUE(f[0].suppressed);
}

TEST(ApplyOpenVex, AnotherTagOfTheImageIsAnotherProduct) {
  std::vector<report::Finding> f = {
      vulnerability("CVE-2020-8203", "pkg:npm/lodash@4.17.15", {"GHSA-p6mc-m468-83gw"})};
  auto image = test::shop_app();
  image.reference = "registry.shop.example/shop/app:1.1";
  apply(f, with_vex({"openvex_image.json"}), image, kToday);
  EXPECT_FALSE(f[0].suppressed);
}

TEST(ApplyOpenVex, EveryFormOfNamingTheImageIsRecognised) {
  auto image = test::shop_app();
  image.reference = "node:20";
  image.manifest_digest = "sha256:" + std::string(64, 'b');
  auto applies =
      [&](const std::string& product) {
        Suppressions s;
        s.documents.push_back(*parse_openvex(R"({"@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "x", "author": "a", "timestamp": "2024-01-01T00:00:00Z", "version": 1,
        "statements": [{"vulnerability": {"name": "CVE-2020-8203"},
          "products": [{"@id": ")" + product + R"("}], "status": "fixed"}]})",
                                             "n.json"));
        std::vector<report::Finding> f = {vulnerability("CVE-2020-8203", "pkg:npm/lodash@4.17.15")};
        apply(f, s, image, kToday);
        return f[0].suppressed.has_value();
      };
  const std::string digest = image.manifest_digest;
  EXPECT_TRUE(applies("node:20"));
  EXPECT_TRUE(applies("docker.io/library/node:20"));
  EXPECT_TRUE(applies("index.docker.io/library/node:20"));
  EXPECT_TRUE(applies("pkg:docker/library/node@20"));
  EXPECT_TRUE(applies("pkg:docker/node@20"));
  EXPECT_TRUE(applies("pkg:oci/node"));
  EXPECT_TRUE(applies("pkg:oci/node@sha256%3A" + digest.substr(7)));
  EXPECT_TRUE(applies("node@" + digest));
  EXPECT_TRUE(applies(digest));
  EXPECT_TRUE(applies("image:node:20"));
  EXPECT_FALSE(applies("node:18"));
  EXPECT_FALSE(applies("node"));  // :latest
  EXPECT_FALSE(applies("ghcr.io/library/node:20"));
  EXPECT_FALSE(applies("pkg:docker/node@18"));
  EXPECT_FALSE(applies("pkg:oci/python"));
  EXPECT_FALSE(applies("pkg:oci/node@sha256%3A" + std::string(64, 'c')));
  EXPECT_FALSE(applies("sha256:" + std::string(64, 'c')));
}

TEST(ApplyOpenVex, VersionlessPurlProductCoversEveryVersion) {
  std::vector<report::Finding> f = {vulnerability("CVE-2024-0727", kOpenssl),
                                    vulnerability("CVE-2024-0727", kLibssl3)};
  apply(f, with_vex({"openvex_image.json"}), test::shop_app(), kToday);
  ASSERT_TRUE(f[0].suppressed);
  EXPECT_EQ(f[0].suppressed->status, "fixed");
  EXPECT_EQ(f[0].suppressed->reason, "Patched in our rebuild of openssl.");
  EXPECT_FALSE(f[1].suppressed);
}

TEST(ApplyOpenVex, AffectedAndUnderInvestigationDoNotSuppress) {
  std::vector<report::Finding> f = {vulnerability("CVE-2023-5678", kLibssl3),
                                    vulnerability("CVE-2023-6129", kLibssl3)};
  apply(f, with_vex({"openvex_image.json"}), test::shop_app(), kToday);
  EXPECT_FALSE(f[0].suppressed);
  EXPECT_FALSE(f[1].suppressed);
}

TEST(ApplyOpenVex, VersionedProductNeedsTheInstalledVersion) {
  Suppressions s;
  s.documents.push_back(*parse_openvex(R"({"@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "x", "author": "a", "timestamp": "2024-01-01T00:00:00Z", "version": 1,
      "statements": [{"vulnerability": {"name": "CVE-2023-5678"},
        "products": [{"@id": "pkg:deb/debian/libssl3@3.0.13-1~deb12u1"}],
        "status": "fixed"}]})",
                                       "v.json"));
  std::vector<report::Finding> f = {vulnerability("CVE-2023-5678", kLibssl3)};
  apply(f, s, test::shop_app(), kToday);
  EXPECT_FALSE(f[0].suppressed) << "a statement about 3.0.13 says nothing about 3.0.11";
}

TEST(ApplyOpenVex, TheLatestStatementDecidesNotTheLastInTheFile) {
  std::vector<report::Finding> f = {vulnerability("CVE-2024-2511", kLibssl3),
                                    vulnerability("CVE-2024-4603", kLibssl3)};
  apply(f, with_vex({"openvex_history.json"}), test::shop_app(), kToday);
  // not_affected (04-10) comes after affected (04-20) in the file, but is older.
  EXPECT_FALSE(f[0].suppressed);
  // under_investigation (04-01), then not_affected inheriting the document's 05-01.
  ASSERT_TRUE(f[1].suppressed);
  EXPECT_EQ(f[1].suppressed->justification, "vulnerable_code_not_present");
}

TEST(ApplyOpenVex, LaterDocumentWinsAcrossFilesAndLoadOrderBreaksTies) {
  auto doc = [](const char* status, const char* time) {
    std::string text = std::string(R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x",
        "author": "a", "version": 1, "timestamp": ")") +
                       time + R"(", "statements": [{"vulnerability": {"name": "CVE-2024-2511"},
        "products": [{"@id": "pkg:deb/debian/libssl3"}], "status": ")" +
                       status + R"(", "justification": "component_not_present"}]})";
    return *parse_openvex(text, std::string(status) + ".json");
  };
  Suppressions s;
  s.documents = {doc("not_affected", "2024-06-01T00:00:00Z"),
                 doc("affected", "2024-05-01T00:00:00Z")};
  std::vector<report::Finding> f = {vulnerability("CVE-2024-2511", kLibssl3)};
  apply(f, s, test::shop_app(), kToday);
  ASSERT_TRUE(f[0].suppressed) << "the newer not_affected wins though loaded first";
  EXPECT_EQ(f[0].suppressed->source, "openvex:not_affected.json");

  s.documents = {doc("not_affected", "2024-06-01T00:00:00Z"),
                 doc("affected", "2024-06-01T00:00:00Z")};
  f[0].suppressed.reset();
  apply(f, s, test::shop_app(), kToday);
  EXPECT_FALSE(f[0].suppressed) << "same instant: the document given last wins";
}

TEST(ApplyOpenVex, SkippedStatementsComeBackAsWarnings) {
  std::vector<report::Finding> f = {vulnerability("CVE-2023-4911", kLibc6),
                                    vulnerability("CVE-2024-2961", kLibc6)};
  auto warnings = apply(f, with_vex({"openvex_invalid_statements.json"}), test::shop_app(), kToday);
  EXPECT_EQ(warnings.size(), 5U);
  EXPECT_FALSE(f[0].suppressed) << "not_affected without justification is not applied";
  EXPECT_TRUE(f[1].suppressed);
}

TEST(ApplyCycloneDx, StatesAndRefsDecide) {
  std::vector<report::Finding> f = {
      vulnerability("CVE-2024-25062",
                    "pkg:deb/debian/libxml2@2.9.14+dfsg-1.3~deb12u1?arch=amd64&distro=debian-12"),
      vulnerability("CVE-2024-2398",
                    "pkg:deb/debian/libcurl4@7.88.1-10+deb12u5?arch=amd64&distro=debian-12"),
      vulnerability("CVE-2023-46218",
                    "pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12"),
      vulnerability("CVE-2023-38545",
                    "pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12"),
      vulnerability("CVE-2023-38546",
                    "pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12"),
      vulnerability("CVE-2022-40303",
                    "pkg:deb/debian/libxml2@2.9.14+dfsg-1.3~deb12u1?arch=amd64&distro=debian-12"),
      // The same version-less flaw reported under the GHSA alias of the statement.
      vulnerability("GHSA-x77r-6xxm-wjmx",
                    "pkg:deb/debian/libxml2@2.9.14+dfsg-1.3~deb12u1?arch=amd64&distro=debian-12")};
  apply(f, with_vex({"cyclonedx_vex.json"}), test::shop_app(), kToday);
  ASSERT_TRUE(f[0].suppressed);
  EXPECT_EQ(f[0].suppressed->source, "cyclonedx-vex:cyclonedx_vex.json");
  EXPECT_EQ(f[0].suppressed->status, "not_affected");
  EXPECT_EQ(f[0].suppressed->justification, "code_not_reachable");
  ASSERT_TRUE(f[1].suppressed);
  EXPECT_EQ(f[1].suppressed->status, "false_positive");
  ASSERT_TRUE(f[2].suppressed) << "BOM-Link to the purl bom-ref";
  EXPECT_EQ(f[2].suppressed->status, "resolved_with_pedigree");
  EXPECT_FALSE(f[3].suppressed) << "exploitable";
  EXPECT_FALSE(f[4].suppressed) << "in_triage";
  EXPECT_FALSE(f[5].suppressed) << "no analysis";
  EXPECT_TRUE(f[6].suppressed);
}

TEST(ApplyCycloneDx, TheBomsSubjectCoversEveryPackageOfTheImage) {
  std::vector<report::Finding> f = {
      vulnerability("CVE-2023-28322",
                    "pkg:deb/debian/curl@7.88.1-10+deb12u5?arch=amd64&distro=debian-12"),
      vulnerability("CVE-2023-28322",
                    "pkg:deb/debian/libcurl4@7.88.1-10+deb12u5?arch=amd64&distro=debian-12")};
  apply(f, with_vex({"cyclonedx_vex.json"}), test::shop_app(), kToday);
  ASSERT_TRUE(f[0].suppressed);
  EXPECT_EQ(f[0].suppressed->status, "resolved");
  EXPECT_TRUE(f[1].suppressed);
}

TEST(ApplyVex, OnlyVulnerabilityFindingsAreVexSubjects) {
  // A secret rule that happens to share an id with a statement is not a vulnerability.
  std::vector<report::Finding> f = {file_finding("secret", "CVE-2024-0727", "/etc/x:1")};
  apply(f, with_vex({"openvex_image.json"}), test::shop_app(), kToday);
  EXPECT_FALSE(f[0].suppressed);
}

TEST(ApplyIgnore, ExpiredEntryIsNotAppliedAndSaysSo) {
  auto s = with_ignore(
      "ignore:\n"
      "  - id: BW-IMG-006\n    path: /usr/bin/su\n    reason: needed\n    expires: 2025-05-31\n"
      "  - id: BW-IMG-006\n    path: /usr/bin/passwd\n    reason: needed\n    expires: "
      "2025-06-01\n");
  std::vector<report::Finding> f = {file_finding("misconfig", "BW-IMG-006", "/usr/bin/su"),
                                    file_finding("misconfig", "BW-IMG-006", "/usr/bin/passwd")};
  auto warnings = apply(f, s, test::shop_app(), "2025-06-01");
  EXPECT_THAT(warnings, ElementsAre("ign.yaml:2: ignore entry for BW-IMG-006 expired on "
                                    "2025-05-31; no longer applied"));
  EXPECT_FALSE(f[0].suppressed);
  ASSERT_TRUE(f[1].suppressed) << "applies through its expiry day";
  EXPECT_EQ(f[1].suppressed->source, "ignore:ign.yaml");
  EXPECT_EQ(f[1].suppressed->status, "ignored");
  EXPECT_EQ(f[1].suppressed->reason, "needed");
  EXPECT_EQ(f[1].suppressed->expires, "2025-06-01");
}

TEST(ApplyIgnore, PathGlobsMatchFileFindingsWithoutTheirLine) {
  auto s = with_ignore(
      "ignore:\n  - id: github-pat\n    path: app/config/*.json\n    reason: revoked\n");
  std::vector<report::Finding> f = {
      file_finding("secret", "github-pat", "/app/config/deploy.json:3"),
      file_finding("secret", "github-pat", "/app/deploy.json:3"),
      file_finding("secret", "aws-access-key-id", "/app/config/a.json:1")};
  apply(f, s, test::shop_app(), kToday);
  EXPECT_TRUE(f[0].suppressed);
  EXPECT_FALSE(f[1].suppressed);
  EXPECT_FALSE(f[2].suppressed) << "another rule id";
}

TEST(ApplyIgnore, PackageByPurlOrByName) {
  auto s = with_ignore(
      "ignore:\n"
      "  - id: CVE-2023-4911\n    package: pkg:deb/debian/libc6\n    reason: a\n"
      "  - id: CVE-2024-0727\n    package: pkg:deb/debian/openssl@3.0.13-1~deb12u1\n    reason: b\n"
      "  - id: GHSA-p6mc-m468-83gw\n    package: lodash\n    reason: c\n");
  std::vector<report::Finding> f = {
      vulnerability("CVE-2023-4911", kLibc6), vulnerability("CVE-2023-4911", kLibcBin),
      vulnerability("CVE-2024-0727", kOpenssl),
      vulnerability("CVE-2020-8203", "pkg:npm/lodash@4.17.15", {"GHSA-p6mc-m468-83gw"}, "lodash"),
      vulnerability("CVE-2020-8203", "pkg:npm/lodash.merge@4.6.1", {"GHSA-p6mc-m468-83gw"},
                    "lodash.merge")};
  apply(f, s, test::shop_app(), kToday);
  EXPECT_TRUE(f[0].suppressed) << "version-less purl: any version";
  EXPECT_FALSE(f[1].suppressed) << "another package";
  EXPECT_FALSE(f[2].suppressed) << "the entry names another version";
  ASSERT_TRUE(f[3].suppressed) << "by package name and the finding's alias";
  EXPECT_EQ(f[3].suppressed->reason, "c");
  EXPECT_FALSE(f[4].suppressed);
}

TEST(ApplyIgnore, VexDecidesFirstAndTheIgnoreFileCoversTheRest) {
  auto s = with_vex({"openvex_image.json"});
  s.ignore_files.push_back(
      *parse_ignore_file("ignore:\n  - id: CVE-2023-4911\n    reason: everywhere\n", "ign.yaml"));
  std::vector<report::Finding> f = {vulnerability("CVE-2023-4911", kLibc6),
                                    vulnerability("CVE-2023-4911", kLibcBin)};
  apply(f, s, test::shop_app(), kToday);
  ASSERT_TRUE(f[0].suppressed);
  EXPECT_EQ(f[0].suppressed->source, "openvex:openvex_image.json");
  ASSERT_TRUE(f[1].suppressed);
  EXPECT_EQ(f[1].suppressed->source, "ignore:ign.yaml");
}

TEST(Apply, NeverRemovesAFindingNorTouchesOthers) {
  auto s = with_ignore("ignore:\n  - id: github-pat\n    reason: r\n");
  std::vector<report::Finding> f = {file_finding("secret", "github-pat", "/a:1"),
                                    file_finding("secret", "aws-access-key-id", "/b:1")};
  auto before = f[1];
  apply(f, s, test::shop_app(), kToday);
  ASSERT_EQ(f.size(), 2U);
  EXPECT_TRUE(f[0].suppressed);
  EXPECT_FALSE(f[1].suppressed);
  EXPECT_EQ(f[1].id, before.id);
  EXPECT_EQ(f[1].target, before.target);
}

TEST(Apply, ManyFindingsAgainstALargeVexOnlyTryTheirOwnStatements) {
  // 20,000 statements, 5,000 findings: each finding is suppressed by exactly its statement
  // (matched by alias for the odd ones), and a statement for another package does not leak.
  nlohmann::json doc = {{"@context", "https://openvex.dev/ns/v0.2.0"},
                        {"@id", "x"},
                        {"author", "a"},
                        {"timestamp", "2024-01-01T00:00:00Z"},
                        {"version", 1},
                        {"statements", nlohmann::json::array()}};
  for (int i = 0; i < 20000; ++i) {
    doc["statements"].push_back(
        {{"vulnerability", {{"name", "CVE-2024-" + std::to_string(10000 + i)}}},
         {"products", {{{"@id", "pkg:npm/pkg" + std::to_string(i % 5000)}}}},
         {"status", "not_affected"},
         {"justification", "component_not_present"}});
  }
  Suppressions s;
  s.documents.push_back(*parse_openvex(doc.dump(), "big.json"));
  std::vector<report::Finding> f;
  for (int i = 0; i < 5000; ++i) {
    std::string cve = "CVE-2024-" + std::to_string(10000 + i);
    std::string purl = "pkg:npm/pkg" + std::to_string(i) + "@1.0." + std::to_string(i);
    f.push_back(i % 2 == 0 ? vulnerability(cve, purl) : vulnerability("GHSA-" + cve, purl, {cve}));
  }
  f.push_back(vulnerability("CVE-2024-10001", "pkg:npm/other@1.0.0"));
  auto start = std::chrono::steady_clock::now();
  apply(f, s, test::shop_app(), kToday);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  int suppressed = 0;
  for (size_t i = 0; i < 5000; ++i) suppressed += f[i].suppressed ? 1 : 0;
  EXPECT_EQ(suppressed, 5000);
  EXPECT_FALSE(f.back().suppressed);
  std::printf("apply: 5001 findings x 20000 statements in %lld ms\n", static_cast<long long>(ms));
  EXPECT_LT(ms, 10000);
}

TEST(ImageIdentity, ComesFromTheReportTargetAndPackages) {
  report::Report r;
  r.target.reference = "shop/app:1.0";
  r.target.manifest_digest = "sha256:" + std::string(64, 'a');
  core::Package p;
  p.purl = kLibc6;
  r.packages.push_back(p);
  auto id = image_identity(r);
  EXPECT_EQ(id.reference, "shop/app:1.0");
  EXPECT_EQ(id.manifest_digest, r.target.manifest_digest);
  EXPECT_THAT(id.package_purls, ElementsAre(kLibc6));
}

}  // namespace
}  // namespace bulwark::vex
