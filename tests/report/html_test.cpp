// The HTML report: hostile strings from the image stay text, nothing is loaded from outside,
// every finding and package is there, the risk breakdown is shown, invalid UTF-8 is replaced,
// output is deterministic, and the document is well-formed for a standard HTML parser
// (tests/report/validate_html.py, Python's html.parser, reads back what a reader would see).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <regex>

#include "report/report.hpp"
#include "support/test_env.hpp"

namespace bulwark::report {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kLayer0 =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
constexpr std::string_view kLayer1 =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";
constexpr std::string_view kScriptName = "<script>alert(1)</script>";
constexpr std::string_view kQuotedVersion = "1.0\"onmouseover='alert(2)'";
constexpr std::string_view kCellBreaker = "pkg:npm/x</td><td>injected</td></tr><tr><td>";
constexpr std::string_view kImgKind = "<img src=https://evil.example/x.png onerror=alert(3)>";
constexpr const char* kPython = "/usr/bin/python3";

core::Package package(std::string name, std::string version, std::string ecosystem,
                      std::string purl, std::string path, int layer) {
  core::Package p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.ecosystem = std::move(ecosystem);
  p.purl = std::move(purl);
  p.locations = {{std::move(path), layer, std::string(layer == 0 ? kLayer0 : kLayer1)}};
  return p;
}

Finding finding(std::string kind, std::string id, Severity severity, std::string target,
                std::optional<int> layer) {
  Finding f;
  f.kind = std::move(kind);
  f.id = std::move(id);
  f.title = "title of " + f.id;
  f.severity = severity;
  f.target = std::move(target);
  f.layer = layer;
  return f;
}

// An image whose package names, paths, layer history and findings try to break out of the
// HTML, plus ordinary content of every finding kind and a risk score with a floor.
Report hostile_report() {
  Report r;
  r.target.input = "docker-archive:/tmp/evil.tar";
  r.target.source = "docker-archive";
  r.target.reference = "registry.example.com/evil:<b>bold</b>";
  r.target.manifest_digest =
      "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
  r.target.platform = "linux/amd64";
  r.target.layers = {
      {0, std::string(kLayer0), std::string(kLayer0), true,
       "application/vnd.oci.image.layer.v1.tar+gzip", 29'123'456,
       "/bin/sh -c #(nop) ADD file:5d5c8f0e5f in / "},
      {1, std::string(kLayer1), std::string(kLayer1), true,
       "application/vnd.oci.image.layer.v1.tar+gzip", 4'200,
       "RUN echo '</code></td></tr></table><script src=\"https://evil.example/a.js\"></script>'"},
  };
  r.os = {"debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)", "", "etc/os-release"};
  r.packages.push_back(package("libssl3", "3.0.11-1~deb12u2", "deb",
                               "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64",
                               "var/lib/dpkg/status", 0));
  r.packages.push_back(package(std::string(kScriptName), std::string(kQuotedVersion), "npm",
                               std::string(kCellBreaker), "app/node_modules/</td>/package.json",
                               1));
  r.packages.push_back(package("ter\x1b[31mminal\xe2\x80\xae", "1", "pypi", "pkg:pypi/x@1",
                               "usr/lib/python3/dist-packages/x.dist-info/METADATA", 1));
  r.packages.push_back(
      package("O'Brien & Sons", "2", "deb", "pkg:deb/debian/obrien@2", "var/lib/dpkg/status", 0));

  r.findings.push_back(
      finding("vulnerability", "CVE-2024-0001", Severity::kCritical, r.packages[0].purl, 0));
  r.findings.back().fix = "upgrade to 3.0.13-1~deb12u1";
  r.findings.back().known_exploited = true;
  r.findings.back().epss = 0.42;
  r.findings.back().references = {"https://security-tracker.debian.org/tracker/CVE-2024-0001",
                                  "javascript:alert(4)"};
  r.findings.push_back(finding("secret", "aws-access-key-id", Severity::kHigh,
                               "/app/.env:3 <svg onload=alert(5)>", 1));
  r.findings.back().evidence = "AKIA************MPLE";
  r.findings.push_back(
      finding("misconfig", "DS002", Severity::kMedium, "Dockerfile:1 'root' \"user\"", {}));
  r.findings.push_back(finding(std::string(kImgKind), "X-1", Severity::kLow, "/x", 1));
  r.findings.push_back(finding("malware", "EICAR-Test-File", Severity::kCritical, "/tmp/eicar", 1));

  RiskScore risk;
  risk.score = 90;
  risk.grade = 'F';
  risk.floor_reason = "malware in the image";
  risk.components = {
      {"vulnerability", 13.3, 60, 1, {"CVE-2024-0001 in <libssl3> (critical, KEV)"}},
      {"secret", 0, 85, 1, {"aws-access-key-id at /app/.env"}},
      {"malware", 0, 90, 1, {"EICAR-Test-File at /tmp/eicar"}},
      {"misconfig", 0.6, 20, 1, {}},
      {"exposure", 8, 15, 0, {"runs as root"}},
  };
  r.risk = risk;
  r.warnings = {"layer 1: app/broken.json: malformed JSON <i>"};
  r.scanner_version = "0.1.0 (git 0123456789ab)";
  r.created = "2024-05-01T12:00:00Z";
  return r;
}

// Runs the checker; on success returns its JSON (the cell texts of every table with an id).
struct Checked {
  int rc = -1;
  std::string output;
};

Checked check_html(const std::string& document) {
  testing::TempDir dir;
  auto path = dir.path() / "report.html";
  testing::write_file(path, document);
  std::string script = std::string(BULWARK_SOURCE_DIR) + "/tests/report/validate_html.py";
  Checked c;
  c.rc = testing::run_command(std::string(kPython) + " '" + script + "' '" + path.string() + "'",
                              &c.output);
  return c;
}

#define BW_REQUIRE_PYTHON()                                                  \
  if (!std::filesystem::exists(kPython)) {                                   \
    BW_SKIP_OR_FAIL("/usr/bin/python3 not installed (checks HTML parsing)"); \
  }

// Rows of a table as a reader sees them, header row dropped.
std::vector<std::vector<std::string>> rows(const json& checked, const std::string& table) {
  std::vector<std::vector<std::string>> out;
  const auto& t = checked.at("tables").at(table);
  for (size_t i = 1; i < t.size(); ++i) out.push_back(t[i].get<std::vector<std::string>>());
  return out;
}

const std::vector<std::string>* row_starting(const std::vector<std::vector<std::string>>& rows,
                                             size_t column, std::string_view value) {
  for (const auto& row : rows) {
    if (row.size() > column && row[column] == value) return &row;
  }
  return nullptr;
}

// ---- the checker must bite ----

TEST(HtmlChecker, RejectsMalformedOrLoadingDocuments) {
  BW_REQUIRE_PYTHON();
  const std::string ok =
      "<!DOCTYPE html><html><head><title>t</title></head><body><table id=\"t\"><tr><td>a</td>"
      "</tr></table><script></script></body></html>";
  EXPECT_EQ(check_html(ok).rc, 0) << check_html(ok).output;
  std::vector<std::string> bad = {
      // unclosed cell, a stray end tag, no doctype, an external script, a link out, CSS url().
      "<!DOCTYPE html><html><body><table><tr><td>a</tr></table><script></script></body></html>",
      "<!DOCTYPE html><html><body></td><script></script></body></html>",
      "<html><body><script></script></body></html>",
      "<!DOCTYPE html><html><body><script src=\"https://x.example/a.js\"></script></body></html>",
      "<!DOCTYPE html><html><body><a href=\"http://x.example/\">x</a><script></script></body>"
      "</html>",
      "<!DOCTYPE html><html><head><style>body{background:url(http://x.example/a.png)}</style>"
      "</head><body><script></script></body></html>",
      "<!DOCTYPE html><html><body><img src=x onerror=alert(1)><script></script></body></html>",
  };
  for (const auto& doc : bad) {
    auto c = check_html(doc);
    EXPECT_EQ(c.rc, 1) << doc << "\n" << c.output;
  }
}

// ---- the report ----

TEST(HtmlReport, IsWellFormedAndLoadsNothing) {
  BW_REQUIRE_PYTHON();
  auto c = check_html(write_html(hostile_report()));
  ASSERT_EQ(c.rc, 0) << c.output;
  json parsed;
  EXPECT_NO_THROW(parsed = json::parse(c.output));
  EXPECT_TRUE(parsed.contains("tables"));
}

TEST(HtmlReport, HostileStringsAreEscapedAndReadBackAsTheOriginalText) {
  BW_REQUIRE_PYTHON();
  Report r = hostile_report();
  std::string html = write_html(r);
  EXPECT_THAT(html, Not(HasSubstr(kScriptName)));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(html, Not(HasSubstr("</td><td>injected")));
  EXPECT_THAT(html, Not(HasSubstr("<img")));
  EXPECT_THAT(html, Not(HasSubstr("<svg")));
  EXPECT_THAT(html, Not(HasSubstr("<b>bold")));
  EXPECT_THAT(html, Not(HasSubstr("onmouseover='")));
  EXPECT_THAT(html, HasSubstr("1.0&quot;onmouseover=&#39;alert(2)&#39;"));
  EXPECT_THAT(html, HasSubstr("O&#39;Brien &amp; Sons"));
  // The kind is an attribute value for the filter: escaped there too.
  EXPECT_THAT(html, HasSubstr("data-kind=\"&lt;img src=https://evil.example/x.png "
                              "onerror=alert(3)&gt;\""));

  auto c = check_html(html);
  ASSERT_EQ(c.rc, 0) << c.output;
  json checked = json::parse(c.output);
  auto packages = rows(checked, "packages-table");
  const auto* hostile = row_starting(packages, 0, kScriptName);
  ASSERT_NE(hostile, nullptr) << c.output;
  ASSERT_EQ(hostile->size(), 6u);
  EXPECT_EQ((*hostile)[1], kQuotedVersion);
  EXPECT_EQ((*hostile)[2], "npm");
  EXPECT_EQ((*hostile)[3], kCellBreaker);
  EXPECT_EQ((*hostile)[4], "1");
  EXPECT_EQ((*hostile)[5], "app/node_modules/</td>/package.json");
  ASSERT_NE(row_starting(packages, 0, "O'Brien & Sons"), nullptr);

  auto layers = rows(checked, "layers-table");
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[1][3], r.target.layers[1].created_by);
  auto findings = rows(checked, "findings-table");
  ASSERT_NE(row_starting(findings, 1, kImgKind), nullptr);
  ASSERT_NE(row_starting(findings, 4, "/app/.env:3 <svg onload=alert(5)>"), nullptr);
}

TEST(HtmlReport, NoExternalUrlIsLoadedOrLinked) {
  std::string html = write_html(hostile_report());
  // Every tag the document holds (untrusted text has its '<' and '"' escaped, so a tag is
  // markup we wrote and its attribute values are exactly the double-quoted spans), then
  // src=/href=/action= pointing at http(s): or a protocol-relative //host.
  std::regex tag(R"re(<[a-zA-Z]+((\s+[a-zA-Z-]+(="[^"]*")?)*)\s*>)re");
  std::regex attribute(R"re(([a-zA-Z-]+)="([^"]*)")re");
  int tags = 0;
  int links = 0;
  for (auto t = std::sregex_iterator(html.begin(), html.end(), tag); t != std::sregex_iterator();
       ++t) {
    ++tags;
    std::string attrs = (*t)[1];
    for (auto a = std::sregex_iterator(attrs.begin(), attrs.end(), attribute);
         a != std::sregex_iterator(); ++a) {
      std::string name = (*a)[1];
      std::string value = (*a)[2];
      if (name == "href") ++links;
      if (name == "src" || name == "href" || name == "action" || name == "srcset") {
        EXPECT_FALSE(value.starts_with("http:") || value.starts_with("https:") ||
                     value.starts_with("//"))
            << (*t)[0];
      }
    }
  }
  EXPECT_GT(tags, 100);
  EXPECT_EQ(links, 5);  // the in-page section links of <nav>, warnings included
  EXPECT_THAT(html, Not(HasSubstr("<script src")));
  EXPECT_THAT(html, Not(HasSubstr("href=\"javascript")));
  EXPECT_THAT(html, Not(HasSubstr("@import")));
  EXPECT_THAT(html, Not(HasSubstr("url(")));
  EXPECT_THAT(html, HasSubstr("<meta http-equiv=\"Content-Security-Policy\" "
                              "content=\"default-src 'none'; style-src 'unsafe-inline'; "
                              "script-src 'unsafe-inline';"));
  // References are visible as text (a reader can copy them) but not links.
  EXPECT_THAT(html, HasSubstr("https://security-tracker.debian.org/tracker/CVE-2024-0001"));
}

TEST(HtmlReport, ListsEveryFindingAndPackage) {
  BW_REQUIRE_PYTHON();
  Report r = hostile_report();
  auto c = check_html(write_html(r));
  ASSERT_EQ(c.rc, 0) << c.output;
  json checked = json::parse(c.output);
  auto packages = rows(checked, "packages-table");
  ASSERT_EQ(packages.size(), r.packages.size());
  for (const auto& p : r.packages) {
    if (p.name.find('\x1b') != std::string::npos) continue;  // shown escaped, checked below
    const auto* row = row_starting(packages, 0, p.name);
    ASSERT_NE(row, nullptr) << p.name;
    EXPECT_EQ((*row)[1], p.version);
    EXPECT_EQ((*row)[2], p.ecosystem);
    EXPECT_EQ((*row)[3], p.purl);
    EXPECT_EQ((*row)[4], std::to_string(p.locations.front().layer_index));
  }
  auto findings = rows(checked, "findings-table");
  ASSERT_EQ(findings.size(), r.findings.size());
  for (const auto& f : r.findings) {
    const auto* row = row_starting(findings, 4, f.target);
    ASSERT_NE(row, nullptr) << f.target;
    EXPECT_EQ((*row)[0], severity_name(f.severity));
    EXPECT_EQ((*row)[1], f.kind);
    EXPECT_THAT((*row)[2], HasSubstr(f.id));
    EXPECT_EQ((*row)[3], f.title);
    EXPECT_EQ((*row)[5], f.layer ? std::to_string(*f.layer) : "-");
  }
  // Most severe first (critical, critical, high, medium, low).
  EXPECT_EQ(findings.front()[0], "critical");
  EXPECT_EQ(findings.back()[0], "low");
  const auto* cve = row_starting(findings, 4, r.findings[0].target);
  ASSERT_NE(cve, nullptr);
  EXPECT_THAT((*cve)[2], HasSubstr("KEV"));
  EXPECT_THAT((*cve)[2], HasSubstr("EPSS 0.420"));

  // The layer view counts what each layer added and which findings sit in it.
  auto layers = rows(checked, "layers-table");
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0][0], "0");
  EXPECT_EQ(layers[0][1], "sha256:111111111111");
  EXPECT_EQ(layers[0][2], "29.1 MB");
  EXPECT_EQ(layers[0][4], "2");  // packages added
  EXPECT_EQ(layers[0][6], "1");  // findings
  EXPECT_EQ(layers[1][4], "2");
  EXPECT_EQ(layers[1][6], "3");

  // Summary: one row per kind with counts per severity and a total.
  auto summary = rows(checked, "summary-table");
  ASSERT_EQ(summary.size(), 5u);
  const auto* vuln = row_starting(summary, 0, "vulnerability");
  ASSERT_NE(vuln, nullptr);
  EXPECT_EQ(vuln->at(1), "1");  // critical
  EXPECT_EQ(vuln->back(), "1");
}

TEST(HtmlReport, ShowsTheRiskScoreAndItsBreakdown) {
  BW_REQUIRE_PYTHON();
  Report r = hostile_report();
  std::string html = write_html(r);
  EXPECT_THAT(html, HasSubstr("<span class=\"score\" id=\"risk-score\">90</span>/100"));
  EXPECT_THAT(html, HasSubstr("id=\"risk-grade\">F</span>"));
  EXPECT_THAT(html, HasSubstr("At least this score because of malware in the image"));
  auto c = check_html(html);
  ASSERT_EQ(c.rc, 0) << c.output;
  auto components = rows(json::parse(c.output), "risk-table");
  ASSERT_EQ(components.size(), r.risk->components.size());
  const auto* vuln = row_starting(components, 0, "vulnerability");
  ASSERT_NE(vuln, nullptr);
  EXPECT_EQ((*vuln)[1], "13.3");
  EXPECT_EQ((*vuln)[2], "60");
  EXPECT_EQ((*vuln)[4], "1");
  EXPECT_EQ((*vuln)[5], "CVE-2024-0001 in <libssl3> (critical, KEV)");
  const auto* exposure = row_starting(components, 0, "exposure");
  ASSERT_NE(exposure, nullptr);
  EXPECT_EQ((*exposure)[1], "8.0");
  EXPECT_EQ((*exposure)[5], "runs as root");
  const auto* malware = row_starting(components, 0, "malware");
  ASSERT_NE(malware, nullptr);
  EXPECT_EQ((*malware)[3], "near-blocking: sets a floor");

  // An SBOM-only report has no score and says nothing about one.
  r.risk.reset();
  EXPECT_THAT(write_html(r), Not(HasSubstr("risk-score")));
}

TEST(HtmlReport, InvalidUtf8IsReplacedAndControlCharactersShownEscaped) {
  BW_REQUIRE_PYTHON();
  Report r = hostile_report();
  r.packages[0].name = "bad\xff\xfe\xc3(";
  r.findings[0].title = "overlong \xc0\xaf surrogate \xed\xa0\x80 end";
  std::string html = write_html(r);
  EXPECT_THAT(html, HasSubstr("bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd("));
  EXPECT_THAT(html, HasSubstr("ter\\u001b[31mminal\\u202e"));
  // The checker opens the file as strict UTF-8: any invalid byte left would fail it.
  auto c = check_html(html);
  ASSERT_EQ(c.rc, 0) << c.output;
  auto packages = rows(json::parse(c.output), "packages-table");
  EXPECT_NE(row_starting(packages, 0, "bad\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd("), nullptr);
  EXPECT_NE(row_starting(packages, 0, "ter\\u001b[31mminal\\u202e"), nullptr);
}

TEST(HtmlReport, SameReportGivesByteIdenticalOutputWhateverTheInputOrder) {
  Report a = hostile_report();
  Report b = hostile_report();
  std::reverse(b.packages.begin(), b.packages.end());
  std::reverse(b.findings.begin(), b.findings.end());
  EXPECT_EQ(write_html(a), write_html(a));
  EXPECT_EQ(write_html(a), write_html(b));
}

TEST(HtmlReport, FilterControlsOfferEveryKindAndSeverityPresent) {
  std::string html = write_html(hostile_report());
  for (std::string_view kind : {"vulnerability", "secret", "misconfig", "malware"}) {
    EXPECT_THAT(html, HasSubstr("<option value=\"" + std::string(kind) + "\">")) << kind;
  }
  for (std::string_view sev : {"critical", "high", "medium", "low"}) {
    EXPECT_THAT(html, HasSubstr("<option value=\"" + std::string(sev) + "\">")) << sev;
  }
  EXPECT_THAT(html, Not(HasSubstr("<option value=\"unknown\">")));
  // Hidden until the script runs, so a reader without JavaScript sees no dead controls.
  EXPECT_THAT(html, HasSubstr("<div class=\"filter\" id=\"filter\" hidden>"));
}

TEST(HtmlReport, EmptyReportStillRendersEverySection) {
  BW_REQUIRE_PYTHON();
  Report r;
  r.created = "2024-05-01T12:00:00Z";
  std::string html = write_html(r);
  EXPECT_THAT(html, HasSubstr("No findings."));
  EXPECT_THAT(html, HasSubstr("No packages found."));
  auto c = check_html(html);
  EXPECT_EQ(c.rc, 0) << c.output;
}

}  // namespace
}  // namespace bulwark::report
