// Every output format written from one realistic Report: valid against the published schemas
// (CycloneDX 1.5, SPDX 2.3) and our own (docs/schema), deterministic, and carrying purl and
// layer for every package.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "core/purl.hpp"
#include "report/licenses.hpp"
#include "report/report.hpp"
#include "support/test_env.hpp"

namespace bulwark::report {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr std::string_view kLayer0 =
    "sha256:1111111111111111111111111111111111111111111111111111111111111111";
constexpr std::string_view kLayer1 =
    "sha256:2222222222222222222222222222222222222222222222222222222222222222";
constexpr std::string_view kLayer2 =
    "sha256:3333333333333333333333333333333333333333333333333333333333333333";
constexpr std::string_view kManifest =
    "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr std::string_view kConfig =
    "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
constexpr std::string_view kOddName = "wéird\x1b[31mname\xe2\x80\xae";

std::string purl(std::string type, std::string ns, std::string name, std::string version,
                 std::map<std::string, std::string> qualifiers = {}) {
  return core::PackageUrl{std::move(type),    std::move(ns),         std::move(name),
                          std::move(version), std::move(qualifiers), ""}
      .to_string();
}

constexpr std::array<std::string_view, 3> kLayerDigests = {kLayer0, kLayer1, kLayer2};

core::Location at(std::string path, int layer) {
  return {std::move(path), layer, std::string(kLayerDigests.at(static_cast<size_t>(layer)))};
}

core::Package deb(std::string name, std::string version, std::string source,
                  std::string source_version, std::vector<std::string> licenses, int layer) {
  core::Package p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.ecosystem = "deb";
  p.architecture = "amd64";
  p.purl = purl("deb", "debian", p.name, p.version, {{"arch", "amd64"}, {"distro", "debian-12"}});
  p.source_name = std::move(source);
  p.source_version = std::move(source_version);
  p.licenses = std::move(licenses);
  p.locations = {at("var/lib/dpkg/status", layer)};
  p.files = {"usr/share/doc/" + p.name + "/copyright"};
  p.metadata =
      core::DpkgMetadata{"Debian Maintainers <debian@example.org>", "install ok installed", 1234};
  return p;
}

// A Debian image with an rpm database and an apk database dropped in (scanners meet such
// images), packages with epochs, source packages, every kind of license declaration, two
// copies of one npm package, a name a terminal must not interpret, and a removed package.
Report sample_report() {
  Report r;
  r.target.input = "docker-archive:/tmp/app.tar";
  r.target.source = "docker-archive";
  r.target.reference = "registry.example.com/team/app:1.2";
  r.target.manifest_digest = kManifest;
  r.target.config_digest = kConfig;
  r.target.platform = "linux/amd64";
  r.target.layers = {
      {0, std::string(kLayer0), std::string(kLayer0), true,
       "application/vnd.oci.image.layer.v1.tar+gzip", 29'123'456,
       "/bin/sh -c #(nop) ADD file:5d5c8f0e5f in / "},
      {1, std::string(kLayer1), std::string(kLayer1), true,
       "application/vnd.oci.image.layer.v1.tar+gzip", 4'200,
       "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl libssl3 "
       "perl-base "
       "&& rm -rf /var/lib/apt/lists/*"},
      {2, std::string(kLayer2), std::string(kLayer2), false,
       "application/vnd.oci.image.layer.v1.tar", 512, "RUN apt-get purge -y curl"},
  };
  r.os = {"debian", "12", "bookworm", "Debian GNU/Linux 12 (bookworm)", "", "etc/os-release"};

  r.packages.push_back(
      deb("libssl3", "3.0.11-1~deb12u2", "openssl", "3.0.11-1~deb12u2", {"Apache-2.0"}, 1));
  // Epoch in the binary version, binNMU suffix, source version without either.
  r.packages.push_back(deb("bsdutils", "1:2.38.1-5+b1", "util-linux", "2.38.1-5",
                           {"GPL-2.0-or-later", "BSD-4-Clause-UC", "public-domain"}, 0));
  r.packages.push_back(deb("perl-base", "5.36.0-7+deb12u1", "perl", "5.36.0-7+deb12u1",
                           {"GPL-1.0-or-later or Artistic-1.0-Perl"}, 1));
  r.packages.push_back(deb("libstdc++6", "12.2.0-14", "gcc-12", "12.2.0-14",
                           {"GPL-3.0-or-later WITH GCC-exception-3.1", "mit", "GPL-3.0-or-later"},
                           0));

  core::Package rpm;
  rpm.name = "openssl-libs";
  rpm.version = "1:3.0.7-24.el9";
  rpm.ecosystem = "rpm";
  rpm.architecture = "x86_64";
  rpm.purl = purl("rpm", "redhat", "openssl-libs", "3.0.7-24.el9",
                  {{"arch", "x86_64"}, {"epoch", "1"}, {"distro", "rhel-9.3"}});
  rpm.source_name = "openssl";
  rpm.source_version = "3.0.7-24.el9";
  rpm.licenses = {"ASL 2.0"};
  rpm.locations = {at("var/lib/rpm/rpmdb.sqlite", 0)};
  rpm.metadata =
      core::RpmMetadata{1, "24.el9", "openssl-3.0.7-24.el9.src.rpm", "", "Red Hat, Inc.", "sqlite"};
  r.packages.push_back(rpm);

  core::Package apk;
  apk.name = "musl";
  apk.version = "1.2.4-r2";
  apk.ecosystem = "apk";
  apk.architecture = "x86_64";
  apk.purl =
      purl("apk", "alpine", "musl", "1.2.4-r2", {{"arch", "x86_64"}, {"distro", "alpine-3.19.1"}});
  apk.source_name = "musl";
  apk.source_version = "1.2.4-r2";
  apk.licenses = {"MIT"};
  apk.locations = {at("lib/apk/db/installed", 1)};
  apk.files = {"lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"};
  apk.metadata =
      core::ApkMetadata{"musl", "a1b2c3d4", "Timo Teräs <timo.teras@iki.fi>", "Q1abcdefghij="};
  r.packages.push_back(apk);

  // The same npm package installed in two places: one purl, two components.
  for (const char* dir : {"app/node_modules/lodash", "app/vendor/node_modules/lodash"}) {
    core::Package npm;
    npm.name = "lodash";
    npm.version = "4.17.21";
    npm.ecosystem = "npm";
    npm.purl = purl("npm", "", "lodash", "4.17.21");
    npm.licenses = {"MIT"};
    npm.locations = {at(std::string(dir) + "/package.json", 2)};
    r.packages.push_back(npm);
  }

  core::Package odd;
  odd.name = std::string(kOddName);
  odd.version = "0.0.1 beta";
  odd.ecosystem = "npm";
  odd.purl = purl("npm", "@scope", odd.name, odd.version);
  odd.licenses = {"SEE LICENSE IN LICENSE.txt"};
  odd.locations = {at("app/node_modules/@scope/weird/package.json", 2)};
  r.packages.push_back(odd);

  core::Package curl = deb("curl", "7.88.1-10+deb12u5", "curl", "7.88.1-10+deb12u5", {"curl"}, 1);
  curl.removed_in_layer = 2;
  r.removed_packages.push_back(curl);

  // Listed out of order: writers sort.
  r.removed_files = {
      {"usr/bin/curl", 1, 2}, {"app/.env", 1, 2}, {"usr/lib/x86_64-linux-gnu/libcurl.so.4", 1, 2}};

  r.findings.push_back({"vulnerability",
                        "CVE-2024-0727",
                        "openssl: denial of service via null dereference",
                        Severity::kMedium,
                        r.packages[0].purl,
                        1,
                        "",
                        "3.0.13-1~deb12u1",
                        {"https://security-tracker.debian.org/tracker/CVE-2024-0727"}});
  r.findings.push_back({"secret",
                        "aws-access-key-id",
                        "AWS access key ID",
                        Severity::kCritical,
                        "app/config.env:3",
                        2,
                        "AKIA************MPLE",
                        "",
                        {}});
  r.warnings = {"layer 2 sha256:3333333333: app/broken.json: malformed JSON"};
  r.scanner_version = "0.1.0 (git 0123456789ab)";
  r.created = "2024-05-01T12:00:00Z";
  return r;
}

// ---- schema validation through Debian's python3-jsonschema ----

constexpr const char* kPython = "/usr/bin/python3";

// Empty string when valid, else the validator's messages.
std::string schema_errors(const std::filesystem::path& schema, const std::string& document) {
  testing::TempDir dir;
  auto doc_path = dir.path() / "document.json";
  testing::write_file(doc_path, document);
  std::string script = std::string(BULWARK_SOURCE_DIR) + "/tests/report/validate_json.py";
  std::string out;
  int rc = testing::run_command(std::string(kPython) + " '" + script + "' '" + schema.string() +
                                    "' '" + doc_path.string() + "' 2>&1",
                                &out);
  if (rc == 0) return "";
  return "exit " + std::to_string(rc) + ":\n" + out;
}

#define BW_REQUIRE_JSONSCHEMA()                                                      \
  if (::bulwark::testing::run_command(std::string(kPython) +                         \
                                      " -c 'import jsonschema' 2>/dev/null") != 0) { \
    BW_SKIP_OR_FAIL("python3-jsonschema not installed for /usr/bin/python3");        \
  }

std::filesystem::path native_schema() {
  return std::filesystem::path(BULWARK_SOURCE_DIR) / "docs" / "schema" / "report.schema.json";
}

json parse(const std::string& text) {
  return json::parse(text);
}

const json* find_by(const json& array, std::string_view key, std::string_view value) {
  for (const auto& item : array) {
    if (item.contains(key) && item[std::string(key)] == value) return &item;
  }
  return nullptr;
}

std::vector<std::string> property_values(const json& component, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& p : component.value("properties", json::array())) {
    if (p["name"] == name) out.push_back(p["value"]);
  }
  return out;
}

// The validators must bite: a schema that failed to load its $refs, or a format that went
// unchecked, would pass everything.
TEST(SchemaValidation, RejectsDocumentsTheSchemasForbid) {
  BW_REQUIRE_SHARED(shared);
  BW_REQUIRE_JSONSCHEMA();
  json bom = parse(write_cyclonedx(sample_report()));
  bom["components"][1]["licenses"][0]["license"]["id"] =
      "Not-A-Listed-License";  // via spdx.schema.json
  bom["metadata"]["timestamp"] = "yesterday";
  std::string errors =
      schema_errors(shared / "schemas" / "cyclonedx" / "bom-1.5.schema.json", bom.dump());
  EXPECT_THAT(errors, HasSubstr("Not-A-Listed-License"));
  EXPECT_THAT(errors, HasSubstr("yesterday"));

  json spdx = parse(write_spdx(sample_report()));
  spdx["packages"][2].erase("SPDXID");
  EXPECT_THAT(schema_errors(shared / "schemas" / "spdx-2.3-schema.json", spdx.dump()),
              HasSubstr("SPDXID"));

  json native = parse(write_json(sample_report()));
  native["packages"][0]["unexpected"] = 1;
  native["removed_packages"][0].erase("removed_in_layer");
  std::string native_errors = schema_errors(native_schema(), native.dump());
  EXPECT_THAT(native_errors, HasSubstr("unexpected"));
  EXPECT_THAT(native_errors, HasSubstr("removed_in_layer"));
}

// ---- registry ----

TEST(WriterRegistry, ListsEachFormatOnce) {
  std::vector<std::string_view> names;
  for (const auto& w : writers()) {
    names.push_back(w.name);
    EXPECT_FALSE(w.description.empty()) << w.name;
    EXPECT_NE(w.write, nullptr) << w.name;
  }
  EXPECT_THAT(names, ElementsAre("table", "json", "cyclonedx", "spdx", "sarif", "html"));
}

TEST(WriterRegistry, FindsByExactName) {
  ASSERT_NE(find_writer("spdx"), nullptr);
  EXPECT_EQ(find_writer("spdx")->write, &write_spdx);
  EXPECT_EQ(find_writer("cyclonedx")->write, &write_cyclonedx);
  EXPECT_EQ(find_writer("SPDX"), nullptr);
  EXPECT_EQ(find_writer(""), nullptr);
  EXPECT_EQ(find_writer("SARIF"), nullptr);
}

TEST(WriterRegistry, NamesSeverities) {
  EXPECT_EQ(severity_name(Severity::kUnknown), "unknown");
  EXPECT_EQ(severity_name(Severity::kNone), "none");
  EXPECT_EQ(severity_name(Severity::kLow), "low");
  EXPECT_EQ(severity_name(Severity::kMedium), "medium");
  EXPECT_EQ(severity_name(Severity::kHigh), "high");
  EXPECT_EQ(severity_name(Severity::kCritical), "critical");
}

// ---- determinism, every format ----

TEST(Writers, SameReportGivesByteIdenticalOutput) {
  for (const auto& w : writers()) {
    EXPECT_EQ(w.write(sample_report()), w.write(sample_report())) << w.name;
  }
}

TEST(Writers, OutputDoesNotDependOnInputOrder) {
  Report shuffled = sample_report();
  std::reverse(shuffled.packages.begin(), shuffled.packages.end());
  std::rotate(shuffled.packages.begin(), shuffled.packages.begin() + 3, shuffled.packages.end());
  std::reverse(shuffled.findings.begin(), shuffled.findings.end());
  std::reverse(shuffled.removed_files.begin(), shuffled.removed_files.end());
  for (const auto& w : writers()) {
    EXPECT_EQ(w.write(sample_report()), w.write(shuffled)) << w.name;
  }
}

TEST(Writers, JsonFormatsAreParseableEvenWithInvalidUtf8) {
  Report r = sample_report();
  r.packages[0].name = "bad\xff\xfe";
  r.packages[0].licenses = {"\xc3("};
  r.findings[0].evidence = "bad\xff\xfe";  // SARIF carries findings, not packages
  for (const auto& w : writers()) {
    if (w.name == "table" || w.name == "html") continue;  // not JSON
    std::string out = w.write(r);
    json parsed;
    EXPECT_NO_THROW(parsed = json::parse(out)) << w.name;
    EXPECT_THAT(out, HasSubstr("bad\xef\xbf\xbd")) << w.name;  // U+FFFD
  }
}

// ---- CycloneDX ----

TEST(CycloneDx, ValidatesAgainstTheOfficialSchema) {
  BW_REQUIRE_SHARED(shared);
  BW_REQUIRE_JSONSCHEMA();
  auto schema = shared / "schemas" / "cyclonedx" / "bom-1.5.schema.json";
  EXPECT_EQ(schema_errors(schema, write_cyclonedx(sample_report())), "");
  EXPECT_EQ(schema_errors(schema, write_cyclonedx(Report{})), "");
}

// The writer emits components as text, half of them on a second thread, into a document dumped
// by nlohmann: the result must be byte for byte what dumping the whole document at once gives,
// whatever the strings hold. Enough packages for the second thread to take part.
TEST(CycloneDx, TextIsExactlyOneDumpOfTheWholeDocument) {
  Report r = sample_report();
  const std::vector<std::string> awkward = {
      "quote\"back\\slash", "tab\tnew\nline", "back\\slash", "del\x7f",
      "\xc3\xa9t\xc3\xa9",  "bad\xff\xfe",    "esc\x1b[0m"};
  for (int i = 0; i < 150; ++i) {
    const std::string& odd = awkward[static_cast<size_t>(i) % awkward.size()];
    auto p = deb("pkg" + std::to_string(i) + odd, "1." + std::to_string(i), "src" + odd, "1",
                 {i % 3 == 0 ? "GPL-2+ or " + odd : "MIT", "Apache-2.0"}, i % 3);
    p.locations.push_back(at("opt/" + odd + "/status", i % 3));
    if (i % 5 == 0) p.licenses.clear();
    r.packages.push_back(std::move(p));
  }
  std::string out = write_cyclonedx(r);
  auto doc = nlohmann::ordered_json::parse(out);
  EXPECT_EQ(doc["components"].size(), r.packages.size() + 1);  // and the OS
  EXPECT_EQ(doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n", out);
  EXPECT_EQ(write_cyclonedx(r), out);
}

TEST(CycloneDx, SerialNumberIsDerivedFromContent) {
  json a = parse(write_cyclonedx(sample_report()));
  std::string serial = a["serialNumber"];
  EXPECT_THAT(serial,
              MatchesRegex("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                           "[0-9a-f]{12}"));
  Report changed = sample_report();
  changed.packages[0].version = "3.0.13-1~deb12u1";
  EXPECT_NE(parse(write_cyclonedx(changed))["serialNumber"], serial);
  Report later = sample_report();
  later.created = "2024-05-02T12:00:00Z";
  EXPECT_NE(parse(write_cyclonedx(later))["serialNumber"], serial);
}

TEST(CycloneDx, DescribesTheImageInMetadata) {
  json bom = parse(write_cyclonedx(sample_report()));
  EXPECT_EQ(bom["bomFormat"], "CycloneDX");
  EXPECT_EQ(bom["specVersion"], "1.5");
  EXPECT_EQ(bom["version"], 1);
  EXPECT_EQ(bom["metadata"]["timestamp"], "2024-05-01T12:00:00Z");
  const json& tool = bom["metadata"]["tools"]["components"][0];
  EXPECT_EQ(tool["name"], "bulwark");
  EXPECT_EQ(tool["version"], "0.1.0 (git 0123456789ab)");
  const json& image = bom["metadata"]["component"];
  EXPECT_EQ(image["type"], "container");
  EXPECT_EQ(image["name"], "registry.example.com/team/app:1.2");
  EXPECT_EQ(image["version"], kManifest);
  EXPECT_EQ(image["hashes"][0]["content"], std::string(kManifest.substr(7)));
  EXPECT_THAT(property_values(image, "bulwark:image:platform"), ElementsAre("linux/amd64"));
  EXPECT_THAT(property_values(image, "bulwark:image:source"), ElementsAre("docker-archive"));
  EXPECT_THAT(property_values(image, "bulwark:image:layer:digest"),
              ElementsAre(kLayer0, kLayer1, kLayer2));
}

TEST(CycloneDx, ImageWithoutReferenceIsNamedByInput) {
  Report r = sample_report();
  r.target.reference.clear();
  r.target.manifest_digest.clear();
  json image = parse(write_cyclonedx(r))["metadata"]["component"];
  EXPECT_EQ(image["name"], "docker-archive:/tmp/app.tar");
  EXPECT_EQ(image["version"], kConfig);
  EXPECT_FALSE(image.contains("hashes"));
}

TEST(CycloneDx, ComponentsCarryPurlLayerAndSourcePackage) {
  Report r = sample_report();
  json bom = parse(write_cyclonedx(r));
  for (const auto& p : r.packages) {
    const json* c = find_by(bom["components"], "bom-ref", p.purl);
    if (p.name == "lodash") continue;  // shared purl, see below
    ASSERT_NE(c, nullptr) << p.purl;
    EXPECT_EQ((*c)["type"], "library");
    EXPECT_EQ((*c)["name"], p.name);
    EXPECT_EQ((*c)["version"], p.version);
    EXPECT_EQ((*c)["purl"], p.purl);
    EXPECT_THAT(property_values(*c, "bulwark:layer:index"),
                ElementsAre(std::to_string(p.locations[0].layer_index)));
    EXPECT_THAT(property_values(*c, "bulwark:layer:digest"),
                ElementsAre(p.locations[0].layer_digest));
    EXPECT_THAT(property_values(*c, "bulwark:location:path"), ElementsAre(p.locations[0].path));
    EXPECT_EQ((*c)["evidence"]["occurrences"][0]["location"], p.locations[0].path);
  }
  const json* bsdutils = find_by(bom["components"], "name", "bsdutils");
  ASSERT_NE(bsdutils, nullptr);
  EXPECT_EQ((*bsdutils)["version"], "1:2.38.1-5+b1");
  EXPECT_THAT(property_values(*bsdutils, "bulwark:package:source-name"), ElementsAre("util-linux"));
  EXPECT_THAT(property_values(*bsdutils, "bulwark:package:source-version"),
              ElementsAre("2.38.1-5"));
  EXPECT_THAT(property_values(*bsdutils, "bulwark:package:architecture"), ElementsAre("amd64"));
  EXPECT_THAT(property_values(*bsdutils, "bulwark:dpkg:status"),
              ElementsAre("install ok installed"));
  const json* rpm = find_by(bom["components"], "name", "openssl-libs");
  ASSERT_NE(rpm, nullptr);
  EXPECT_THAT(property_values(*rpm, "bulwark:rpm:epoch"), ElementsAre("1"));
  EXPECT_THAT(property_values(*rpm, "bulwark:rpm:source-rpm"),
              ElementsAre("openssl-3.0.7-24.el9.src.rpm"));
  const json* apk = find_by(bom["components"], "name", "musl");
  ASSERT_NE(apk, nullptr);
  EXPECT_THAT(property_values(*apk, "bulwark:apk:origin"), ElementsAre("musl"));
}

TEST(CycloneDx, PackagesSharingAPurlGetDistinctBomRefs) {
  json bom = parse(write_cyclonedx(sample_report()));
  std::set<std::string> refs;
  int lodash = 0;
  for (const auto& c : bom["components"]) {
    EXPECT_TRUE(refs.insert(c["bom-ref"].get<std::string>()).second) << c["bom-ref"];
    if (c["name"] == "lodash") {
      ++lodash;
      EXPECT_EQ(c["purl"], "pkg:npm/lodash@4.17.21");
      EXPECT_THAT(c["bom-ref"].get<std::string>(),
                  ::testing::StartsWith("pkg:npm/lodash@4.17.21?package-id="));
    }
  }
  EXPECT_EQ(lodash, 2);
  EXPECT_EQ(refs.count(bom["metadata"]["component"]["bom-ref"].get<std::string>()), 0U);
}

TEST(CycloneDx, ExactDuplicatesAndMissingPurlsStillGetUniqueRefs) {
  Report r = sample_report();
  r.packages.push_back(r.packages.back());  // the same entry twice
  core::Package bare;
  bare.name = "mystery";
  bare.ecosystem = "binary";
  r.packages.push_back(bare);
  json bom = parse(write_cyclonedx(r));
  std::set<std::string> refs;
  for (const auto& c : bom["components"]) {
    EXPECT_TRUE(refs.insert(c["bom-ref"].get<std::string>()).second) << c["bom-ref"];
  }
  const json* mystery = find_by(bom["components"], "name", "mystery");
  ASSERT_NE(mystery, nullptr);
  EXPECT_FALSE(mystery->contains("purl"));
  EXPECT_FALSE(mystery->contains("version"));
  json spdx = parse(write_spdx(r));
  std::set<std::string> ids;
  for (const auto& p : spdx["packages"]) {
    EXPECT_TRUE(ids.insert(p["SPDXID"].get<std::string>()).second) << p["SPDXID"];
  }
}

TEST(CycloneDx, LicensesAreIdsExpressionsOrNames) {
  json bom = parse(write_cyclonedx(sample_report()));
  auto licenses = [&](std::string_view name) {
    const json* c = find_by(bom["components"], "name", name);
    return c == nullptr ? json() : (*c)["licenses"];
  };
  EXPECT_EQ(licenses("libssl3"), json::parse(R"([{"license": {"id": "Apache-2.0"}}])"));
  // A non-SPDX name beside SPDX ids: a list of license objects.
  EXPECT_EQ(licenses("bsdutils"), json::parse(R"([{"license": {"id": "GPL-2.0-or-later"}},
                                                    {"license": {"id": "BSD-4-Clause-UC"}},
                                                    {"license": {"name": "public-domain"}}])"));
  EXPECT_EQ(licenses("perl-base"),
            json::parse(R"([{"expression": "GPL-1.0-or-later OR Artistic-1.0-Perl"}])"));
  // An expression beside ids: one expression joined by AND, ids in canonical case.
  EXPECT_EQ(licenses("libstdc++6"), json::parse(R"([{"expression":
                "(GPL-3.0-or-later WITH GCC-exception-3.1) AND MIT AND GPL-3.0-or-later"}])"));
  EXPECT_EQ(licenses("openssl-libs"), json::parse(R"([{"license": {"name": "ASL 2.0"}}])"));
}

TEST(CycloneDx, OsIsAComponentTheImageDependsOn) {
  json bom = parse(write_cyclonedx(sample_report()));
  const json* os = find_by(bom["components"], "type", "operating-system");
  ASSERT_NE(os, nullptr);
  EXPECT_EQ((*os)["name"], "debian");
  EXPECT_EQ((*os)["version"], "12");
  EXPECT_EQ((*os)["description"], "Debian GNU/Linux 12 (bookworm)");
  // One entry, the image's, naming every component once: a per-package entry would claim
  // dependencies bulwark does not know.
  const json& deps = bom["dependencies"];
  ASSERT_EQ(deps.size(), 1U);
  EXPECT_EQ(deps[0]["ref"], bom["metadata"]["component"]["bom-ref"]);
  std::set<std::string> depends_on;
  for (const auto& ref : deps[0]["dependsOn"]) depends_on.insert(ref.get<std::string>());
  std::set<std::string> components;
  for (const auto& c : bom["components"]) components.insert(c["bom-ref"].get<std::string>());
  EXPECT_EQ(depends_on, components);
  EXPECT_EQ(deps[0]["dependsOn"].size(), components.size());
}

TEST(CycloneDx, RemovedPackagesAreNotComponents) {
  std::string out = write_cyclonedx(sample_report());
  EXPECT_THAT(out, Not(HasSubstr("pkg:deb/debian/curl@")));
}

// ---- SPDX ----

TEST(Spdx, ValidatesAgainstTheOfficialSchema) {
  BW_REQUIRE_SHARED(shared);
  BW_REQUIRE_JSONSCHEMA();
  auto schema = shared / "schemas" / "spdx-2.3-schema.json";
  EXPECT_EQ(schema_errors(schema, write_spdx(sample_report())), "");
  EXPECT_EQ(schema_errors(schema, write_spdx(Report{})), "");
}

TEST(Spdx, DocumentHeaderIsComplete) {
  json doc = parse(write_spdx(sample_report()));
  EXPECT_EQ(doc["spdxVersion"], "SPDX-2.3");
  EXPECT_EQ(doc["dataLicense"], "CC0-1.0");
  EXPECT_EQ(doc["SPDXID"], "SPDXRef-DOCUMENT");
  EXPECT_EQ(doc["name"], "registry.example.com/team/app:1.2");
  EXPECT_EQ(doc["creationInfo"]["created"], "2024-05-01T12:00:00Z");
  EXPECT_EQ(doc["creationInfo"]["creators"][0], "Tool: bulwark-0.1.0 (git 0123456789ab)");
  EXPECT_THAT(doc["creationInfo"]["licenseListVersion"].get<std::string>(),
              MatchesRegex("[0-9]+\\.[0-9]+"));
}

TEST(Spdx, NamespaceIsAUriDerivedFromContent) {
  std::string ns = parse(write_spdx(sample_report()))["documentNamespace"];
  EXPECT_THAT(ns, MatchesRegex("https://[a-z.]+/spdx/[A-Za-z0-9.-]+-[0-9a-f-]{36}"));
  EXPECT_EQ(ns.find('#'), std::string::npos);
  Report changed = sample_report();
  changed.packages.pop_back();
  EXPECT_NE(parse(write_spdx(changed))["documentNamespace"], ns);
}

TEST(Spdx, CreatedIsWholeSecondsUtc) {
  Report r = sample_report();
  r.created = "2024-05-01T12:00:00.123456Z";
  EXPECT_EQ(parse(write_spdx(r))["creationInfo"]["created"], "2024-05-01T12:00:00Z");
  r.created = "";
  EXPECT_EQ(parse(write_spdx(r))["creationInfo"]["created"], "1970-01-01T00:00:00Z");
}

TEST(Spdx, ElementIdsAreUniqueAndUseAllowedCharacters) {
  json doc = parse(write_spdx(sample_report()));
  std::set<std::string> ids{"SPDXRef-DOCUMENT"};
  for (const auto& p : doc["packages"]) {
    std::string id = p["SPDXID"];
    EXPECT_THAT(id, MatchesRegex("SPDXRef-[A-Za-z0-9.-]+"));
    EXPECT_TRUE(ids.insert(id).second) << id;
  }
  // image + OS + every installed package
  EXPECT_EQ(doc["packages"].size(), 2 + sample_report().packages.size());
}

TEST(Spdx, DocumentDescribesTheImageWhichContainsEveryPackage) {
  json doc = parse(write_spdx(sample_report()));
  std::set<std::string> ids;
  for (const auto& p : doc["packages"]) ids.insert(p["SPDXID"]);
  std::string image_id;
  std::set<std::string> contained;
  for (const auto& rel : doc["relationships"]) {
    EXPECT_TRUE(rel["spdxElementId"] == "SPDXRef-DOCUMENT" || ids.count(rel["spdxElementId"]) == 1)
        << rel;
    EXPECT_EQ(ids.count(rel["relatedSpdxElement"]), 1U) << rel;
    if (rel["relationshipType"] == "DESCRIBES") image_id = rel["relatedSpdxElement"];
    if (rel["relationshipType"] == "CONTAINS") {
      EXPECT_EQ(rel["spdxElementId"], image_id);
      contained.insert(rel["relatedSpdxElement"]);
    }
  }
  const json* image = find_by(doc["packages"], "SPDXID", image_id);
  ASSERT_NE(image, nullptr);
  EXPECT_EQ((*image)["primaryPackagePurpose"], "CONTAINER");
  EXPECT_EQ((*image)["versionInfo"], kManifest);
  EXPECT_THAT((*image)["comment"].get<std::string>(), HasSubstr("platform: linux/amd64"));
  EXPECT_EQ(contained.size(), ids.size() - 1);
}

TEST(Spdx, PackagesCarryPurlAndLayer) {
  Report r = sample_report();
  json doc = parse(write_spdx(r));
  const json* libssl = find_by(doc["packages"], "name", "libssl3");
  ASSERT_NE(libssl, nullptr);
  EXPECT_EQ((*libssl)["versionInfo"], "3.0.11-1~deb12u2");
  EXPECT_EQ((*libssl)["downloadLocation"], "NOASSERTION");
  EXPECT_EQ((*libssl)["filesAnalyzed"], false);
  EXPECT_EQ((*libssl)["externalRefs"][0]["referenceCategory"], "PACKAGE-MANAGER");
  EXPECT_EQ((*libssl)["externalRefs"][0]["referenceType"], "purl");
  EXPECT_EQ((*libssl)["externalRefs"][0]["referenceLocator"], r.packages[0].purl);
  std::string info = (*libssl)["sourceInfo"];
  EXPECT_THAT(info, HasSubstr("var/lib/dpkg/status in layer 1 (" + std::string(kLayer1) + ")"));
  EXPECT_THAT(info, HasSubstr("source package openssl 3.0.11-1~deb12u2"));
  const json* odd = find_by(doc["packages"], "name", kOddName);
  ASSERT_NE(odd, nullptr);
  EXPECT_THAT((*odd)["SPDXID"].get<std::string>(),
              MatchesRegex("SPDXRef-Package-npm-w--ird--31mname----[0-9a-f]{16}"));
}

std::vector<std::string> license_refs_in(std::string_view expr) {
  std::vector<std::string> refs;
  for (size_t at = expr.find("LicenseRef-"); at != std::string_view::npos;
       at = expr.find("LicenseRef-", at + 1)) {
    size_t end = at;
    while (end < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[end])) != 0 ||
                                 expr[end] == '-' || expr[end] == '.')) {
      ++end;
    }
    refs.emplace_back(expr.substr(at, end - at));
  }
  return refs;
}

// Every licenseDeclared is NOASSERTION or an expression over listed ids, listed exceptions and
// LicenseRefs that hasExtractedLicensingInfos defines.
TEST(Spdx, DeclaredLicensesAreValidExpressions) {
  json doc = parse(write_spdx(sample_report()));
  std::set<std::string> defined;
  for (const auto& info : doc["hasExtractedLicensingInfos"]) {
    std::string id = info["licenseId"];
    EXPECT_THAT(id, MatchesRegex("LicenseRef-[A-Za-z0-9.-]+"));
    EXPECT_FALSE(info["extractedText"].get<std::string>().empty());
    defined.insert(id);
  }
  for (const auto& p : doc["packages"]) {
    if (!p.contains("licenseDeclared")) continue;
    std::string expr = p["licenseDeclared"];
    EXPECT_EQ(p["licenseConcluded"], "NOASSERTION");
    if (expr == "NOASSERTION") continue;
    // Our own parser accepts it (it is tested against the grammar in licenses_test.cpp).
    EXPECT_NE(detail::classify_license(expr).kind, detail::LicenseChoice::Kind::kName) << expr;
    for (const auto& ref : license_refs_in(expr)) {
      EXPECT_EQ(defined.count(ref), 1U) << ref << " in " << expr;
    }
  }
  const json* bsdutils = find_by(doc["packages"], "name", "bsdutils");
  ASSERT_NE(bsdutils, nullptr);
  EXPECT_EQ((*bsdutils)["licenseDeclared"],
            "GPL-2.0-or-later AND BSD-4-Clause-UC AND LicenseRef-public-domain");
  const json* rpm = find_by(doc["packages"], "name", "openssl-libs");
  ASSERT_NE(rpm, nullptr);
  EXPECT_THAT((*rpm)["licenseDeclared"].get<std::string>(),
              MatchesRegex("LicenseRef-ASL-2.0-[0-9a-f]{8}"));
  const json* perl = find_by(doc["packages"], "name", "perl-base");
  ASSERT_NE(perl, nullptr);
  EXPECT_EQ((*perl)["licenseDeclared"], "GPL-1.0-or-later OR Artistic-1.0-Perl");
}

// ---- native JSON ----

TEST(JsonReport, ValidatesAgainstTheDocumentedSchema) {
  BW_REQUIRE_JSONSCHEMA();
  EXPECT_EQ(schema_errors(native_schema(), write_json(sample_report())), "");
  EXPECT_EQ(schema_errors(native_schema(), write_json(Report{})), "");
}

// Fix evidence from a package's changelog: present only where there is some, and valid.
TEST(JsonReport, ChangelogCvesValidateAndAppearOnlyWhereAChangelogNamedSome) {
  BW_REQUIRE_JSONSCHEMA();
  Report r = sample_report();
  r.packages[0].changelog_cves = {
      {"CVE-2023-5678", "3.0.11-1~deb12u2", "* CVE-2023-5678: excessive time in DH check"}};
  std::string text = write_json(r);
  EXPECT_EQ(schema_errors(native_schema(), text), "");
  json doc = parse(text);
  json* ssl = const_cast<json*>(find_by(doc["packages"], "name", "libssl3"));
  ASSERT_NE(ssl, nullptr);
  ASSERT_TRUE(ssl->contains("changelog_cves"));
  EXPECT_EQ((*ssl)["changelog_cves"], json({{"CVE-2023-5678", "3.0.11-1~deb12u2"}}));
  const json* perl = find_by(doc["packages"], "name", "perl-base");
  ASSERT_NE(perl, nullptr);
  EXPECT_FALSE(perl->contains("changelog_cves"));
  (*ssl)["changelog_cves"]["GHSA-xxxx"] = "1.0";
  EXPECT_THAT(schema_errors(native_schema(), doc.dump()), HasSubstr("GHSA-xxxx"));
}

TEST(JsonReport, RiskAndExploitSignalsValidateAgainstTheSchema) {
  BW_REQUIRE_JSONSCHEMA();
  Report r = sample_report();
  Finding f;
  f.kind = "vulnerability";
  f.id = "CVE-2023-38545";
  f.severity = Severity::kCritical;
  f.known_exploited = true;
  f.epss = 0.42;
  r.findings.push_back(f);
  r.risk = RiskScore{57,
                     'D',
                     "",
                     {{"vulnerability", 49.5, 60, 1, {"CVE-2023-38545 (critical)"}},
                      {"exposure", 8, 15, 0, {"runs as root (no non-root USER)"}}}};
  auto out = write_json(r);
  EXPECT_EQ(schema_errors(native_schema(), out), "");
  auto doc = parse(out);
  EXPECT_EQ(doc["risk"]["score"], 57);
  EXPECT_EQ(doc["risk"]["grade"], "D");
  EXPECT_EQ(doc["risk"]["components"][0]["points"], 49.5);
  const json* cve = find_by(doc["findings"], "id", "CVE-2023-38545");
  ASSERT_NE(cve, nullptr);
  EXPECT_EQ((*cve)["known_exploited"], true);
  EXPECT_EQ((*cve)["epss"], 0.42);
  auto table = write_table(r);
  EXPECT_NE(table.find("Risk: 57/100, grade D"), std::string::npos) << table;
  EXPECT_NE(table.find("\nvulnerability: "), std::string::npos) << table;
  EXPECT_NE(table.find(" critical"), std::string::npos) << table;
}

TEST(JsonReport, SchemaFileHasTheWritersVersion) {
  json schema = json::parse(testing::read_file(native_schema()));
  EXPECT_EQ(schema["properties"]["schema_version"]["const"], kReportSchemaVersion);
  EXPECT_THAT(schema["$id"].get<std::string>(),
              ::testing::EndsWith(":" + std::string(kReportSchemaVersion)));
  EXPECT_EQ(parse(write_json(Report{}))["schema_version"], kReportSchemaVersion);
}

TEST(JsonReport, KeysComeInDocumentedOrder) {
  std::string out = write_json(sample_report());
  std::vector<std::string> keys = {"\"schema_version\"",
                                   "\"scanner\"",
                                   "\"created\"",
                                   "\"target\"",
                                   "\"os\"",
                                   "\"packages\"",
                                   "\"removed_packages\"",
                                   "\"removed_files\"",
                                   "\"findings\"",
                                   "\"warnings\""};
  size_t last = 0;
  for (const auto& k : keys) {
    size_t pos = out.find(k);
    ASSERT_NE(pos, std::string::npos) << k;
    EXPECT_GT(pos, last) << k;
    last = pos;
  }
}

TEST(JsonReport, PackagesCarryEveryFieldAndTypedMetadata) {
  json doc = parse(write_json(sample_report()));
  const json* musl = find_by(doc["packages"], "name", "musl");
  ASSERT_NE(musl, nullptr);
  EXPECT_EQ((*musl)["metadata"]["type"], "apk");
  EXPECT_EQ((*musl)["metadata"]["maintainer"], "Timo Teräs <timo.teras@iki.fi>");
  EXPECT_THAT((*musl)["files"],
              ElementsAre("lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1"));
  EXPECT_EQ((*musl)["locations"][0]["layer_index"], 1);
  EXPECT_EQ((*musl)["locations"][0]["layer_digest"], kLayer1);
  EXPECT_FALSE(musl->contains("removed_in_layer"));
  const json* rpm = find_by(doc["packages"], "name", "openssl-libs");
  ASSERT_NE(rpm, nullptr);
  EXPECT_EQ((*rpm)["metadata"]["type"], "rpm");
  EXPECT_EQ((*rpm)["metadata"]["epoch"], 1);
  const json* lib = find_by(doc["packages"], "name", "libssl3");
  ASSERT_NE(lib, nullptr);
  EXPECT_EQ((*lib)["metadata"]["type"], "dpkg");
  EXPECT_EQ((*lib)["metadata"]["installed_size_kib"], 1234);
  EXPECT_EQ((*lib)["source_name"], "openssl");
  const json* lodash = find_by(doc["packages"], "name", "lodash");
  ASSERT_NE(lodash, nullptr);
  EXPECT_TRUE((*lodash)["metadata"].is_null());
  EXPECT_EQ(doc["os"]["codename"], "bookworm");
  EXPECT_EQ(doc["target"]["layers"][2]["diff_id_verified"], false);
  EXPECT_EQ(doc["target"]["layers"][0]["size"], 29'123'456);
}

TEST(JsonReport, PackagesAreSortedByEcosystemNameVersion) {
  json doc = parse(write_json(sample_report()));
  std::vector<std::string> order;
  for (const auto& p : doc["packages"])
    order.push_back(p["ecosystem"].get<std::string>() + "/" + p["name"].get<std::string>());
  EXPECT_THAT(order, ElementsAre("apk/musl", "deb/bsdutils", "deb/libssl3", "deb/libstdc++6",
                                 "deb/perl-base", "npm/lodash", "npm/lodash",
                                 "npm/" + std::string(kOddName), "rpm/openssl-libs"));
  // The two lodash copies by location.
  EXPECT_EQ(doc["packages"][5]["locations"][0]["path"], "app/node_modules/lodash/package.json");
}

TEST(JsonReport, RemovedPackagesKeepTheLayerThatRemovedThem) {
  json doc = parse(write_json(sample_report()));
  ASSERT_EQ(doc["removed_packages"].size(), 1U);
  EXPECT_EQ(doc["removed_packages"][0]["name"], "curl");
  EXPECT_EQ(doc["removed_packages"][0]["removed_in_layer"], 2);
  EXPECT_EQ(doc["removed_packages"][0]["locations"][0]["layer_index"], 1);
  EXPECT_EQ(find_by(doc["packages"], "name", "curl"), nullptr);
}

TEST(JsonReport, RemovedFilesAreSortedByPath) {
  json doc = parse(write_json(sample_report()));
  ASSERT_EQ(doc["removed_files"].size(), 3U);
  EXPECT_EQ(doc["removed_files"][0],
            json::parse(R"({"path": "app/.env", "added_in_layer": 1, "removed_in_layer": 2})"));
  EXPECT_EQ(doc["removed_files"][1]["path"], "usr/bin/curl");
}

TEST(JsonReport, FindingsMostSevereFirst) {
  json doc = parse(write_json(sample_report()));
  ASSERT_EQ(doc["findings"].size(), 2U);
  EXPECT_EQ(doc["findings"][0]["severity"], "critical");
  EXPECT_EQ(doc["findings"][0]["kind"], "secret");
  EXPECT_EQ(doc["findings"][1]["id"], "CVE-2024-0727");
  EXPECT_EQ(doc["findings"][1]["layer"], 1);
  EXPECT_EQ(doc["warnings"].size(), 1U);
}

TEST(JsonReport, EmptyReportHasEveryTopLevelField) {
  json doc = parse(write_json(Report{}));
  EXPECT_TRUE(doc["os"].is_null());
  EXPECT_TRUE(doc["packages"].is_array());
  EXPECT_EQ(doc["scanner"]["version"], "unknown");
}

// ---- table ----

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The lines of the table whose header line starts with `header`, header included.
std::vector<std::string> table_after(const std::string& text, std::string_view header) {
  std::vector<std::string> out;
  bool in = false;
  for (const auto& line : lines_of(text)) {
    if (!in && line.rfind(header, 0) == 0) in = true;
    if (in && line.empty()) break;
    if (in) out.push_back(line);
  }
  return out;
}

// Each column starts in the same cell on every row: the header's column starts, measured in
// code points, are preceded by a space and hold a non-space in every row.
void expect_aligned(const std::vector<std::string>& rows) {
  ASSERT_GE(rows.size(), 2U);
  std::vector<size_t> starts;
  const std::string& header = rows[0];
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] != ' ' && (i == 0 || (i >= 2 && header[i - 1] == ' ' && header[i - 2] == ' ')))
      starts.push_back(i);
  }
  for (const auto& row : rows) {
    std::vector<std::string> cells;  // code points
    for (size_t i = 0; i < row.size();) {
      size_t len = 1;
      while (i + len < row.size() && (static_cast<unsigned char>(row[i + len]) >> 6) == 0x2) ++len;
      cells.push_back(row.substr(i, len));
      i += len;
    }
    for (size_t s : starts) {
      ASSERT_LT(s, cells.size()) << row;
      EXPECT_NE(cells[s], " ") << "column at " << s << " in: " << row;
      if (s > 0) {
        EXPECT_EQ(cells[s - 1], " ") << "column at " << s << " in: " << row;
      }
    }
    EXPECT_NE(row.back(), ' ') << "trailing space in: " << row;
  }
}

TEST(Table, HeaderNamesTargetDigestPlatformAndOs) {
  std::string out = write_table(sample_report());
  EXPECT_THAT(out, HasSubstr("Target    registry.example.com/team/app:1.2\n"));
  EXPECT_THAT(out, HasSubstr("Digest    " + std::string(kManifest) + "\n"));
  EXPECT_THAT(out, HasSubstr("Platform  linux/amd64\n"));
  EXPECT_THAT(out, HasSubstr("OS        Debian GNU/Linux 12 (bookworm)\n"));
  EXPECT_THAT(out, HasSubstr("Layers    3\n"));
  EXPECT_THAT(out, HasSubstr("29.1 MB"));
}

TEST(Table, PackageColumnsAreAligned) {
  std::string out = write_table(sample_report());
  auto rows = table_after(out, "NAME      ");
  ASSERT_EQ(rows.size(), 1 + sample_report().packages.size()) << out;
  EXPECT_EQ(rows[0].substr(0, 4), "NAME");
  EXPECT_THAT(rows[0], HasSubstr("VERSION"));
  EXPECT_THAT(rows[0], HasSubstr("ECOSYSTEM"));
  EXPECT_THAT(rows[0], ::testing::EndsWith("LAYER"));
  expect_aligned(rows);
  EXPECT_THAT(out, ::testing::ContainsRegex("bsdutils +1:2\\.38\\.1-5\\+b1 +deb +0\n"));
}

TEST(Table, LayerTableIsAligned) {
  auto rows = table_after(write_table(sample_report()), "  #  ");
  ASSERT_EQ(rows.size(), 4U);
  for (auto& r : rows) r = r.substr(2);
  expect_aligned(rows);
}

TEST(Table, RemovedPackagesHaveTheirOwnSection) {
  std::string out = write_table(sample_report());
  auto removed_at = out.find("Removed packages (1)");
  ASSERT_NE(removed_at, std::string::npos) << out;
  EXPECT_GT(removed_at, out.find("Packages (9)"));
  auto rows = table_after(out.substr(removed_at), "NAME");
  ASSERT_EQ(rows.size(), 2U);
  expect_aligned(rows);
  EXPECT_THAT(rows[1], MatchesRegex("curl +7\\.88\\.1-10\\+deb12u5 +deb +1 +2"));
  EXPECT_EQ(out.find("curl "), out.find("curl ", removed_at));  // not among installed packages
}

TEST(Table, FindingsSectionOnlyWhenThereAreFindings) {
  std::string out = write_table(sample_report());
  // Vulnerabilities have their own section (the next test); the other kinds are listed here.
  auto at = out.find("Findings (1)");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_NE(out.find("Vulnerabilities (1)"), std::string::npos) << out;
  auto rows = table_after(out.substr(at), "SEVERITY");
  ASSERT_EQ(rows.size(), 2U);
  expect_aligned(rows);
  EXPECT_THAT(rows[1], ::testing::StartsWith("CRITICAL"));
  Report clean = sample_report();
  clean.findings.clear();
  EXPECT_THAT(write_table(clean), Not(HasSubstr("Findings")));
}

TEST(Table, LicensesAreCondensedToOneRowPerCategoryExceptWhatMustBeActedOn) {
  Report r = sample_report();
  r.findings.clear();
  auto license = [&](std::string package, std::string id, std::string category, Severity sev,
                     std::string policy = "") {
    Finding f;
    f.kind = "license";
    f.id = id;
    f.severity = sev;
    f.target = "pkg:deb/debian/" + package;
    LicenseInfo l;
    l.package_name = std::move(package);
    l.category = std::move(category);
    l.policy = std::move(policy);
    f.license = std::move(l);
    r.findings.push_back(std::move(f));
  };
  license("bash", "GPL-3.0-or-later", "restricted", Severity::kHigh);
  license("coreutils", "GPL-3.0-or-later", "restricted", Severity::kHigh);
  license("coreutils", "GPL-2.0-only", "restricted", Severity::kHigh);
  license("sed", "GPL-3.0-or-later", "restricted", Severity::kHigh);
  license("tool", "WTFPL", "forbidden", Severity::kCritical);
  license("lib", "MPL-2.0", "reciprocal", Severity::kCritical, "denied");
  auto out = write_table(r);
  auto at = out.find("Licenses (6 findings;");
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_THAT(out, Not(HasSubstr("Findings (")));  // not repeated among the other kinds
  auto rows = table_after(out.substr(at), "SEVERITY");
  ASSERT_EQ(rows.size(), 4U) << out;
  expect_aligned(rows);
  EXPECT_THAT(rows[1], MatchesRegex("CRITICAL +forbidden: WTFPL +1 +1 +WTFPL \\(1\\) *"));
  EXPECT_THAT(rows[2],
              MatchesRegex("CRITICAL +reciprocal, denied: MPL-2.0 +1 +1 +MPL-2.0 \\(1\\) *"));
  // Two licenses in three packages; the most common first.
  EXPECT_THAT(
      rows[3],
      MatchesRegex("HIGH +restricted +2 +3 +GPL-3.0-or-later \\(3\\), GPL-2.0-only \\(1\\) *"));
  EXPECT_THAT(out, HasSubstr("\nlicense: 6 (2 critical, 4 high)\n"));
}

TEST(Table, CountsRemovedFiles) {
  EXPECT_THAT(write_table(sample_report()), HasSubstr("\nRemoved files: 3, "));
  Report r = sample_report();
  r.removed_files.clear();
  EXPECT_THAT(write_table(r), Not(HasSubstr("Removed files")));
}

TEST(Table, CountsWarnings) {
  EXPECT_THAT(write_table(sample_report()), HasSubstr("\nWarnings: 1 "));
  Report r = sample_report();
  r.warnings.clear();
  EXPECT_THAT(write_table(r), Not(HasSubstr("Warnings")));
}

TEST(Table, EscapesWhatATerminalWouldInterpret) {
  Report r = sample_report();
  r.packages[0].version = std::string("1.0\xff") + "\t";
  std::string out = write_table(r);
  EXPECT_EQ(out.find('\x1b'), std::string::npos);
  EXPECT_EQ(out.find('\t'), std::string::npos);
  EXPECT_EQ(out.find("\xe2\x80\xae"), std::string::npos);  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_THAT(out, HasSubstr("wéird\\u001b[31mname\\u202e"));
  EXPECT_THAT(out, HasSubstr("1.0\\xff\\u0009"));
  expect_aligned(table_after(out, "NAME      "));
}

TEST(Table, EmptyReportSaysSo) {
  std::string out = write_table(Report{});
  EXPECT_THAT(out, HasSubstr("Packages (0)\nNo packages found.\n"));
  EXPECT_THAT(out, Not(HasSubstr("Removed")));
}

}  // namespace
}  // namespace bulwark::report
