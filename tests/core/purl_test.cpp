// PackageUrl against the purl-spec project's own test suite (transcribed into
// tests/fixtures/purl/test-suite-data.json; its "source" block names the commit), plus the
// behaviour bulwark relies on beyond the suite.
#include "core/purl.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace bulwark::core {
namespace {

using nlohmann::json;

struct SuiteCase {
  std::string id;  // stable, readable test name
  json data;
};

// Names the case instead of dumping its bytes when a parameterised test fails.
void PrintTo(const SuiteCase& c, std::ostream* os) {
  *os << c.id;
}

std::string str_or_empty(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return "";
  return j[key].get<std::string>();
}

PackageUrl components_from(const json& j) {
  PackageUrl p;
  p.type = str_or_empty(j, "type");
  p.namespace_ = str_or_empty(j, "namespace");
  p.name = str_or_empty(j, "name");
  p.version = str_or_empty(j, "version");
  p.subpath = str_or_empty(j, "subpath");
  if (j.contains("qualifiers") && j["qualifiers"].is_object()) {
    for (const auto& [k, v] : j["qualifiers"].items()) p.qualifiers[k] = v.get<std::string>();
  }
  return p;
}

std::vector<SuiteCase> load_suite() {
  std::ifstream in(std::string(BULWARK_SOURCE_DIR) + "/tests/fixtures/purl/test-suite-data.json");
  std::stringstream buf;
  buf << in.rdbuf();
  std::vector<SuiteCase> cases;
  json doc = json::parse(buf.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object() || !doc.contains("tests")) {
    cases.push_back({"fixture_missing_or_unreadable", json()});
    return cases;
  }
  int index = 0;
  for (const auto& t : doc["tests"]) {
    std::string file = t.value("source_file", "");
    file = file.substr(file.rfind('/') + 1);
    file = file.substr(0, file.find('.'));
    std::string id = std::to_string(index++) + "_" + file + "_" + t.value("test_group", "") + "_" +
                     t.value("test_type", "");
    for (char& c : id) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    cases.push_back({id, t});
  }
  return cases;
}

class PurlSpecSuite : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(PurlSpecSuite, MatchesExpectedOutput) {
  const json& t = GetParam().data;
  ASSERT_TRUE(t.is_object()) << "tests/fixtures/purl/test-suite-data.json could not be read";
  if (t.contains("bulwark_skip")) GTEST_SKIP() << t["bulwark_skip"].get<std::string>();
  SCOPED_TRACE(t.value("description", ""));
  SCOPED_TRACE("input: " + t["input"].dump());

  // Recommended cases normalise sloppy input; required ones hold ECMA-427 as written.
  const bool lenient =
      t.value("test_group", "") == "recommended" || t.value("bulwark_mode", "") == "lenient";
  const auto mode = lenient ? PurlParseMode::kLenient : PurlParseMode::kStrict;
  const bool should_fail = t.value("expected_failure", false);
  const std::string type = t.value("test_type", "");
  const json& expected = t["expected_output"];

  if (type == "build") {
    auto built = components_from(t["input"]).build();
    if (should_fail) {
      EXPECT_FALSE(built.ok()) << "built " << *built;
      return;
    }
    ASSERT_TRUE(built.ok()) << built.error().message();
    EXPECT_EQ(*built, expected.get<std::string>());
    return;
  }

  auto parsed = PackageUrl::parse(t["input"].get<std::string>(), mode);
  if (should_fail) {
    EXPECT_FALSE(parsed.ok()) << "parsed as " << parsed->to_string();
    return;
  }
  ASSERT_TRUE(parsed.ok()) << parsed.error().message();
  if (type == "parse") {
    const PackageUrl want = components_from(expected);
    EXPECT_EQ(parsed->type, want.type);
    EXPECT_EQ(parsed->namespace_, want.namespace_);
    EXPECT_EQ(parsed->name, want.name);
    EXPECT_EQ(parsed->version, want.version);
    EXPECT_EQ(parsed->qualifiers, want.qualifiers);
    EXPECT_EQ(parsed->subpath, want.subpath);
  } else {
    ASSERT_EQ(type, "validate");
    EXPECT_EQ(parsed->to_string(), expected.get<std::string>());
  }
}

INSTANTIATE_TEST_SUITE_P(PurlSpec, PurlSpecSuite, ::testing::ValuesIn(load_suite()),
                         [](const auto& param_info) { return param_info.param.id; });

TEST(PurlSpecSuiteFixture, CoversTheTypesBulwarkEmits) {
  std::map<std::string, int> per_file;
  int failures = 0;
  for (const auto& c : load_suite()) {
    if (!c.data.is_object()) continue;
    ++per_file[c.data.value("source_file", "")];
    failures += c.data.value("expected_failure", false) ? 1 : 0;
  }
  for (const char* type : {"deb", "rpm", "apk", "npm", "pypi", "maven", "golang", "gem", "cargo",
                           "nuget", "composer", "generic"}) {
    EXPECT_GT(per_file[std::string("tests/types/") + type + "-test.json"], 0) << type;
  }
  EXPECT_GT(per_file["tests/spec/specification-test.json"], 0);
  EXPECT_GE(failures, 20) << "the invalid cases must be part of the fixture";
}

// ---- behaviour beyond the suite ----

TEST(PackageUrl, BuildsApkPurlWithDistro) {
  PackageUrl p{.type = "apk",
               .namespace_ = "alpine",
               .name = "libcrypto3",
               .version = "3.1.4-r5",
               .qualifiers = {{"arch", "x86_64"}, {"distro", "alpine-3.19.1"}}};
  EXPECT_EQ(p.to_string(), "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1");
  auto built = p.build();
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(*built, p.to_string());
}

TEST(PackageUrl, EncodesDebianEpochAndPlus) {
  PackageUrl p{.type = "deb",
               .namespace_ = "debian",
               .name = "libssl3",
               .version = "3.0.11-1~deb12u2+b1",
               .qualifiers = {{"arch", "amd64"}}};
  EXPECT_EQ(p.to_string(), "pkg:deb/debian/libssl3@3.0.11-1~deb12u2%2Bb1?arch=amd64");
  PackageUrl q{.type = "deb", .namespace_ = "debian", .name = "attr", .version = "1:2.4.47-2"};
  EXPECT_EQ(q.to_string(), "pkg:deb/debian/attr@1:2.4.47-2");
}

TEST(PackageUrl, RoundTripsThroughParse) {
  const char* inputs[] = {
      "pkg:npm/%40angular/core@17.0.0",
      "pkg:golang/github.com/Azure/go-autorest@v14.2.0%2Bincompatible",
      "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar",
      "pkg:generic/x@1?checksum=sha1:ab%2Csha256:cd",
      "pkg:rpm/redhat/openssl-libs@3.0.7-25.el9_3?arch=x86_64&epoch=1",
  };
  for (const char* in : inputs) {
    auto p = PackageUrl::parse(in);
    ASSERT_TRUE(p.ok()) << in << ": " << p.error().message();
    EXPECT_EQ(p->to_string(), in);
    auto again = PackageUrl::parse(p->to_string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *p);
  }
}

TEST(PackageUrl, GolangNamespaceKeepsCase) {
  auto p = PackageUrl::parse("pkg:golang/github.com/Masterminds/semver@v1.5.0");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->namespace_, "github.com/Masterminds");
}

TEST(PackageUrl, StrictRejectsUppercaseQualifierKeyLenientLowercasesIt) {
  EXPECT_FALSE(PackageUrl::parse("pkg:apk/alpine/musl@1.2.4-r2?Arch=x86_64").ok());
  auto p = PackageUrl::parse("pkg:apk/alpine/musl@1.2.4-r2?Arch=x86_64", PurlParseMode::kLenient);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->qualifiers.at("arch"), "x86_64");
}

TEST(PackageUrl, RejectsMalformedInput) {
  const char* bad[] = {
      "",
      "pkg:",
      "pkg:deb",
      "pkg:/deb/",
      "pkg:deb/debian/",
      "http://example.com/x",
      "pkg:npm/foo@1.0%",         // truncated escape
      "pkg:npm/foo@1.0%g1",       // not hex
      "pkg:npm/foo?a=1&a=2",      // duplicate key
      "pkg:npm/foo?=1",           // empty key
      "pkg:npm/foo?1a=1",         // key must start with a letter
      "pkg:npm/foo?novalue",      // no '='
      "pkg:npm/a%2Fb/foo",        // '/' inside a namespace segment
      "pkg:npm/foo#a%2Fb",        // '/' inside a subpath segment
      "pkg:generic/%2F@1",        // a name of only slashes
      "pkg:deb/curl@7.0",         // deb requires a namespace
      "pkg:pypi/org/django@1.0",  // pypi prohibits one
  };
  for (const char* in : bad) {
    auto p = PackageUrl::parse(in);
    EXPECT_FALSE(p.ok()) << in << " parsed as " << p->to_string();
    if (!p.ok()) {
      EXPECT_EQ(p.error().code(), ErrorCode::kInvalidInput);
    }
  }
}

TEST(PackageUrl, TypeRuleErrorsNameTheType) {
  auto p = PackageUrl::parse("pkg:apk/curl@8.5.0-r0");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().message().find("purl type 'apk'"), std::string::npos) << p.error().message();
}

TEST(PackageUrl, DropsRelativeSubpathSegmentsAndEmptyQualifiers) {
  auto p = PackageUrl::parse("pkg:golang/example.com/m@v1?empty=&k=v#./a/../b//");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->subpath, "a/b");
  EXPECT_EQ(p->qualifiers.size(), 1u);
  EXPECT_EQ(p->to_string(), "pkg:golang/example.com/m@v1?k=v#a/b");
}

TEST(PackageUrl, EncodesNonAsciiBytes) {
  PackageUrl p{.type = "generic", .name = "caf\xc3\xa9", .version = "1 0"};
  EXPECT_EQ(p.to_string(), "pkg:generic/caf%C3%A9@1%200");
  auto back = PackageUrl::parse(p.to_string());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->name, "caf\xc3\xa9");
}

}  // namespace
}  // namespace bulwark::core
