// Dates, globs, purl matching and format recognition shared by the VEX parsers and apply().
#include <gtest/gtest.h>

#include "vex/vex.hpp"
#include "vex_test_support.hpp"

namespace bulwark::vex {
namespace {

TEST(Rfc3339, OffsetsAndFractionsNameTheSameInstant) {
  // The OpenVEX spec's own sample timestamp, with nanoseconds and a -06:00 offset.
  auto a = parse_rfc3339("2023-01-08T18:02:03.647787998-06:00");
  auto b = parse_rfc3339("2023-01-09T00:02:03Z");
  ASSERT_TRUE(a.ok()) << a.error().message();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*parse_rfc3339("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*parse_rfc3339("2024-02-29T12:00:00+01:00"), 1709204400);
}

TEST(Rfc3339, RejectsWhatIsNotADateTime) {
  for (const char* bad : {"2023-01-08", "2023-01-08T18:02:03", "2023-13-01T00:00:00Z",
                          "2023-02-29T00:00:00Z", "2023-01-08T24:00:00Z", "2023-01-08T18:02:03.Z",
                          "2023-01-08T18:02:03+0600", "2023-01-08T18:02:03Zjunk", ""}) {
    auto r = parse_rfc3339(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.error().message().find("RFC 3339"), std::string::npos);
    }
  }
}

TEST(ValidDate, AcceptsOnlyRealCalendarDays) {
  EXPECT_TRUE(valid_date("2024-02-29"));
  EXPECT_TRUE(valid_date("2099-12-31"));
  EXPECT_FALSE(valid_date("2023-02-29"));
  EXPECT_FALSE(valid_date("2024-2-01"));
  EXPECT_FALSE(valid_date("2024-04-31"));
  EXPECT_FALSE(valid_date("2024-04-30T00:00:00Z"));
  EXPECT_FALSE(valid_date("tomorrow"));
}

TEST(Glob, SingleStarStaysInOneSegment) {
  EXPECT_TRUE(glob_matches("/app/config/*.json", "/app/config/deploy.json"));
  EXPECT_FALSE(glob_matches("/app/*.json", "/app/config/deploy.json"));
  EXPECT_TRUE(glob_matches("/usr/bin/?u", "/usr/bin/su"));
  EXPECT_FALSE(glob_matches("/usr/bin/su", "/usr/bin/sudo"));
  EXPECT_FALSE(glob_matches("/a?b", "/a/b"));
}

TEST(Glob, DoubleStarCrossesSegments) {
  EXPECT_TRUE(glob_matches("/app/**", "/app/config/deploy.json"));
  EXPECT_TRUE(glob_matches("/app/**/*.json", "/app/config/deploy.json"));
  EXPECT_TRUE(glob_matches("/app/**/deploy.json", "/app/deploy.json"));
  EXPECT_TRUE(glob_matches("**/id_rsa", "/opt/keys/id_rsa"));
  EXPECT_FALSE(glob_matches("/app/**/*.yaml", "/app/config/deploy.json"));
}

TEST(Glob, ManyStarsStayLinear) {
  std::string pattern;
  for (int i = 0; i < 200; ++i) pattern += "*a";
  std::string path(4000, 'a');
  path += 'b';
  EXPECT_FALSE(glob_matches(pattern + "c", path));
}

TEST(PurlMatch, IgnoresQualifiersAndSubpath) {
  EXPECT_TRUE(purl_matches("pkg:deb/debian/libc6@2.36-9+deb12u1",
                           "pkg:deb/debian/libc6@2.36-9+deb12u1?arch=amd64&distro=debian-12"));
  EXPECT_TRUE(purl_matches("pkg:golang/github.com/gorilla/mux@v1.8.0#sub",
                           "pkg:golang/github.com/gorilla/mux@v1.8.0"));
}

TEST(PurlMatch, VersionlessPatternMatchesEveryVersion) {
  EXPECT_TRUE(purl_matches("pkg:deb/debian/openssl", "pkg:deb/debian/openssl@3.0.11-1~deb12u2"));
  EXPECT_TRUE(purl_matches("pkg:npm/lodash", "pkg:npm/lodash@4.17.15"));
}

TEST(PurlMatch, VersionedPatternNeedsTheSameVersion) {
  EXPECT_FALSE(purl_matches("pkg:deb/debian/openssl@3.0.13-1~deb12u1",
                            "pkg:deb/debian/openssl@3.0.11-1~deb12u2"));
  // A version-less finding purl never satisfies a versioned pattern.
  EXPECT_FALSE(purl_matches("pkg:npm/lodash@4.17.21", "pkg:npm/lodash"));
}

TEST(PurlMatch, TypeNamespaceAndNameMustAgree) {
  EXPECT_FALSE(purl_matches("pkg:deb/ubuntu/openssl", "pkg:deb/debian/openssl@3.0.11"));
  EXPECT_FALSE(purl_matches("pkg:rpm/debian/openssl", "pkg:deb/debian/openssl@3.0.11"));
  EXPECT_FALSE(purl_matches("pkg:deb/debian/openssl", "pkg:deb/debian/libssl3@3.0.11"));
  EXPECT_FALSE(purl_matches("not a purl", "pkg:deb/debian/libssl3@3.0.11"));
}

TEST(PurlMatch, TypeNormalisationAppliesToBothSides) {
  // purl-spec: pypi names are lowercase with '-' for '_'.
  EXPECT_TRUE(purl_matches("pkg:pypi/Jinja2", "pkg:pypi/jinja2@3.1.2"));
  EXPECT_TRUE(purl_matches("pkg:pypi/typing_extensions", "pkg:pypi/typing-extensions@4.7.1"));
}

TEST(ParseVex, RecognisesTheFormatByContent) {
  auto open = parse_vex(test::fixture("openvex_image.json"), "a.json");
  ASSERT_TRUE(open.ok()) << open.error().message();
  EXPECT_EQ(open->source, "openvex:a.json");
  auto cdx = parse_vex(test::fixture("cyclonedx_vex.json"), "b.json");
  ASSERT_TRUE(cdx.ok()) << cdx.error().message();
  EXPECT_EQ(cdx->source, "cyclonedx-vex:b.json");
}

TEST(ParseVex, NamesTheFileWhenItIsNeither) {
  auto r = parse_vex(R"({"spdxVersion": "SPDX-2.3"})", "sbom.spdx.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(),
            "sbom.spdx.json: not a VEX document (neither an OpenVEX @context nor a CycloneDX "
            "bomFormat)");
  auto bad = parse_vex("{\"@context\": ", "broken.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message().rfind("broken.json: ", 0), 0U) << bad.error().message();
}

TEST(ParseVex, NestingIsBoundedButBracketsInStringsAreText) {
  auto deep = parse_vex(std::string(300, '[') + std::string(300, ']'), "deep.json");
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.error().message(), "deep.json: JSON nested deeper than 256");
  std::string text = R"({"@context": "https://openvex.dev/ns/v0.2.0", "@id": ")" +
                     std::string(300, '[') + R"(\"{", "author": "a", "version": 1,
      "timestamp": "2024-01-01T00:00:00Z", "statements": []})";
  auto ok = parse_vex(text, "strings.json");
  ASSERT_TRUE(ok.ok()) << ok.error().message();
  EXPECT_TRUE(ok->statements.empty());
}

TEST(LoadVex, MissingFileIsAnErrorNamingIt) {
  auto r = load_vex("/nonexistent/vex.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("/nonexistent/vex.json"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::vex
