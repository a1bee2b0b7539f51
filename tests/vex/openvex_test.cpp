// OpenVEX v0.2.0 documents (github.com/openvex/spec): statements, products with
// subcomponents, status and justification labels, timestamp inheritance, invalid statements.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "vex/vex.hpp"
#include "vex_test_support.hpp"

namespace bulwark::vex {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Document parse_fixture(const std::string& name) {
  auto r = parse_openvex(test::fixture(name), name);
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? std::move(r).value() : Document{};
}

TEST(OpenVex, ReadsStatementsWithAliasesProductsAndSubcomponents) {
  auto d = parse_fixture("openvex_image.json");
  EXPECT_EQ(d.source, "openvex:openvex_image.json");
  EXPECT_TRUE(d.warnings.empty());
  ASSERT_EQ(d.statements.size(), 5U);
  const auto& s = d.statements[0];
  EXPECT_THAT(s.vulnerability_ids, ElementsAre("CVE-2023-4911", "GHSA-m77w-6vjw-wh2f"));
  ASSERT_EQ(s.products.size(), 1U);
  EXPECT_EQ(s.products[0].component.ids.front().rfind("pkg:oci/app@sha256%3A19cb", 0), 0U);
  ASSERT_EQ(s.products[0].subcomponents.size(), 1U);
  EXPECT_THAT(s.products[0].subcomponents[0].ids,
              ElementsAre("pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12"));
  EXPECT_EQ(s.status, "not_affected");
  EXPECT_TRUE(s.suppresses);
  EXPECT_EQ(s.justification, "vulnerable_code_not_in_execute_path");
  EXPECT_THAT(s.detail, HasSubstr("GLIBC_TUNABLES"));
  // @id and identifiers.purl are both kept, once each.
  EXPECT_THAT(d.statements[1].products[0].component.ids, ElementsAre("pkg:deb/debian/openssl"));
}

TEST(OpenVex, OnlyNotAffectedAndFixedSuppress) {
  auto d = parse_fixture("openvex_image.json");
  std::vector<std::pair<std::string, bool>> got;
  for (const auto& s : d.statements) got.emplace_back(s.status, s.suppresses);
  EXPECT_THAT(got, ElementsAre(std::pair<std::string, bool>{"not_affected", true},
                               std::pair<std::string, bool>{"fixed", true},
                               std::pair<std::string, bool>{"not_affected", true},
                               std::pair<std::string, bool>{"under_investigation", false},
                               std::pair<std::string, bool>{"affected", false}));
  EXPECT_EQ(d.statements[4].detail, "Upgrade to 3.0.13-1~deb12u1.");
}

TEST(OpenVex, StatementTimestampOverridesTheDocumentsAndInheritsItOtherwise) {
  auto d = parse_fixture("openvex_history.json");
  ASSERT_EQ(d.statements.size(), 4U);
  EXPECT_EQ(d.statements[0].timestamp, *parse_rfc3339("2024-04-20T09:00:00Z"));
  EXPECT_EQ(d.statements[1].timestamp, *parse_rfc3339("2024-04-10T09:00:00Z"));
  EXPECT_EQ(d.statements[3].timestamp, *parse_rfc3339("2024-05-01T00:00:00Z"));
}

TEST(OpenVex, InvalidStatementsAreSkippedWithOneWarningEach) {
  auto d = parse_fixture("openvex_invalid_statements.json");
  ASSERT_EQ(d.statements.size(), 1U);
  EXPECT_THAT(d.statements[0].vulnerability_ids, ElementsAre("CVE-2024-2961"));
  EXPECT_EQ(d.statements[0].timestamp, *parse_rfc3339("2024-03-01T09:00:00Z"));
  ASSERT_EQ(d.warnings.size(), 5U);
  EXPECT_EQ(d.warnings[0],
            "openvex_invalid_statements.json: statement 0 skipped: (CVE-2023-4911) not_affected "
            "needs a justification or an impact_statement (OpenVEX spec)");
  EXPECT_THAT(d.warnings[1], HasSubstr("status \"mostly_fine\" is not a VEX status label"));
  EXPECT_THAT(d.warnings[2], HasSubstr("justification \"we_said_so\" is not a VEX justification"));
  EXPECT_THAT(d.warnings[3], HasSubstr("(CVE-2023-5156) no product"));
  EXPECT_THAT(d.warnings[4], HasSubstr("statement 4 skipped: no vulnerability name"));
}

TEST(OpenVex, DocumentWithoutItsRequiredFieldsIsAnError) {
  struct Case {
    const char* doc;
    const char* message;
  };
  const Case cases[] = {
      {R"({"@id": "x", "author": "a", "timestamp": "2024-01-01T00:00:00Z", "statements": []})",
       "v.json: OpenVEX document has no \"@context\" string"},
      {R"({"@context": "https://example.com/ns", "@id": "x", "author": "a",
           "timestamp": "2024-01-01T00:00:00Z", "statements": []})",
       "v.json: @context \"https://example.com/ns\" is not an OpenVEX context"},
      {R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a",
           "statements": []})",
       "v.json: OpenVEX document has no \"timestamp\" string"},
      {R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a",
           "timestamp": "yesterday", "statements": []})",
       "v.json: timestamp: not an RFC 3339 date-time: \"yesterday\""},
      {R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "x", "author": "a",
           "timestamp": "2024-01-01T00:00:00Z", "statements": {}})",
       "v.json: OpenVEX document has no \"statements\" array"},
      {R"([1, 2])", "v.json: OpenVEX document is not a JSON object"},
  };
  for (const auto& c : cases) {
    auto r = parse_openvex(c.doc, "v.json");
    ASSERT_FALSE(r.ok()) << c.doc;
    EXPECT_EQ(r.error().message(), c.message);
  }
}

TEST(OpenVex, MalformedJsonIsAnErrorNamingTheFile) {
  auto r = parse_openvex(R"({"@context": "https://openvex.dev/ns", "statements": [)", "bad.json");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("bad.json"));
  EXPECT_EQ(r.error().message().find('\n'), std::string::npos);
}

TEST(OpenVex, TheFirstDraftsPlainStringVulnerabilityIsRead) {
  // OpenVEX 0.0.1 wrote "vulnerability": "CVE-..." (vexctl output of early 2023).
  auto r = parse_openvex(R"({"@context": "https://openvex.dev/ns", "@id": "x", "author": "a",
      "timestamp": "2023-01-16T19:07:16.853479631-06:00", "version": "1",
      "statements": [{"vulnerability": "CVE-2021-44228",
                      "products": ["pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"],
                      "status": "fixed"}]})",
                         "old.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->statements.size(), 1U);
  EXPECT_THAT(r->statements[0].vulnerability_ids, ElementsAre("CVE-2021-44228"));
  EXPECT_THAT(r->statements[0].products[0].component.ids,
              ElementsAre("pkg:maven/org.springframework.boot/spring-boot@2.6.0-M3"));
  EXPECT_TRUE(r->statements[0].suppresses);
}

}  // namespace
}  // namespace bulwark::vex
