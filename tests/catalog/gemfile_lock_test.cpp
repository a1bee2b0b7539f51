#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <tuple>

#include "catalog/lang_scan_support.hpp"
#include "catalog/ruby.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

using testing::ImageBuilder;
using testing::TarEntry;

// A lock with every section Bundler writes: a git source, a path source, platform-specific
// gems locked for two platforms, nested dependencies and a CHECKSUMS section.
constexpr std::string_view kLock = R"(GIT
  remote: https://github.com/rails/rails.git
  revision: 1b2c3d4e5f
  branch: main
  specs:
    activesupport (7.1.0.alpha)
      concurrent-ruby (~> 1.0, >= 1.0.2)

PATH
  remote: vendor/local_gem
  specs:
    local_gem (0.1.0)
      rack (>= 2)

GEM
  remote: https://rubygems.org/
  specs:
    concurrent-ruby (1.2.2)
    mini_portile2 (2.8.4)
    nokogiri (1.15.4)
      mini_portile2 (~> 2.8.2)
      racc (~> 1.4)
    nokogiri (1.15.4-arm64-darwin)
      racc (~> 1.4)
    nokogiri (1.15.4-x86_64-linux)
      racc (~> 1.4)
    racc (1.7.1)
    rack (3.0.8)

PLATFORMS
  arm64-darwin
  ruby
  x86_64-linux

DEPENDENCIES
  activesupport!
  local_gem!
  nokogiri (~> 1.15)

CHECKSUMS
  rack (3.0.8) sha256=abc

BUNDLED WITH
   2.4.19
)";

using Row = std::tuple<std::string, std::string, std::string>;

std::set<Row> rows(const std::vector<core::Package>& pkgs) {
  std::set<Row> out;
  for (const auto& p : pkgs) out.emplace(p.name, p.version, p.architecture);
  return out;
}

TEST(GemfileLockParse, ReadsSpecsOfEverySourceWithPlatformsAndSkipsNestedDependencies) {
  auto r = parse_gemfile_lock(kLock);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(rows(r->packages), (std::set<Row>{{"activesupport", "7.1.0.alpha", ""},
                                              {"local_gem", "0.1.0", ""},
                                              {"concurrent-ruby", "1.2.2", ""},
                                              {"mini_portile2", "2.8.4", ""},
                                              {"nokogiri", "1.15.4", ""},
                                              {"nokogiri", "1.15.4", "arm64-darwin"},
                                              {"nokogiri", "1.15.4", "x86_64-linux"},
                                              {"racc", "1.7.1", ""},
                                              {"rack", "3.0.8", ""}}));
  EXPECT_EQ(r->platforms, (std::vector<std::string>{"arm64-darwin", "ruby", "x86_64-linux"}));
  EXPECT_TRUE(r->warnings.empty());
  for (const auto& p : r->packages) {
    if (p.architecture == "x86_64-linux") {
      EXPECT_EQ(p.purl, "pkg:gem/nokogiri@1.15.4?platform=x86_64-linux");
    }
    if (p.name == "rack") {
      EXPECT_EQ(p.purl, "pkg:gem/rack@3.0.8");
    }
  }
}

// Bundler's own parser over the same text: (name, version, platform) per spec.
std::set<Row> bundler_specs(const std::string& lock_path) {
  // Bundler wants a Gemfile beside the lock (Bundler.root), even an empty one.
  auto dir = std::filesystem::path(lock_path).parent_path();
  if (!std::filesystem::exists(dir / "Gemfile")) testing::write_file(dir / "Gemfile", "");
  std::string out;
  EXPECT_EQ(
      testing::run_command(
          "cd '" + dir.string() + "' && BUNDLE_GEMFILE='" + (dir / "Gemfile").string() +
              "' ruby -rbundler -e 'Bundler::LockfileParser.new(File.read(ARGV[0])).specs.each { "
              "|s| puts [s.name, s.version, s.platform].join(\"\\t\") }' '" +
              lock_path + "'",
          &out),
      0);
  std::set<Row> result;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string n, v, plat;
    std::getline(ss, n, '\t');
    std::getline(ss, v, '\t');
    std::getline(ss, plat, '\t');
    result.emplace(n, v, plat == "ruby" ? "" : plat);
  }
  return result;
}

TEST(GemfileLockParse, EqualsBundlersLockfileParser) {
  BW_REQUIRE_COMMAND("ruby");
  testing::TempDir tmp;
  testing::write_file(tmp.path() / "Gemfile.lock", kLock);
  auto r = parse_gemfile_lock(kLock);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(rows(r->packages), bundler_specs((tmp.path() / "Gemfile.lock").string()));
}

TEST(GemfileLockCatalog, LockWrittenByBundlerOfflineEqualsBundlersReading) {
  BW_REQUIRE_COMMAND("bundle");
  BW_REQUIRE_COMMAND("ruby");
  testing::TempDir tmp;
  auto app = tmp.path() / "srv/app";
  std::filesystem::create_directories(app);
  // Resolved against the gems Debian installed (ruby-rack, ruby-json, ruby3.1's bundled gems).
  testing::write_file(app / "Gemfile",
                      "source \"https://rubygems.org\"\ngem \"rack\"\ngem \"json\"\ngem "
                      "\"rake\"\ngem \"test-unit\"\n");
  ASSERT_EQ(
      testing::run_command("cd '" + app.string() + "' && bundle lock --local >/dev/null 2>&1"), 0);
  auto expected = bundler_specs((app / "Gemfile.lock").string());
  ASSERT_GE(expected.size(), 5U);  // test-unit brings power_assert
  auto sbom = lang_test::scan("dir:" + tmp.str());
  auto gems = lang_test::of(sbom, "gem");
  EXPECT_EQ(rows(gems), expected);
  for (const auto& g : gems) EXPECT_EQ(g.locations.at(0).path, "srv/app/Gemfile.lock");
}

TEST(GemfileLockParse, MalformedLocksGiveErrorsOrWarningsNotCrashes) {
  auto not_lock = parse_gemfile_lock("{\"json\": true}\n");
  ASSERT_FALSE(not_lock.ok());
  EXPECT_NE(not_lock.error().message().find("no GEM"), std::string::npos);
  auto odd = parse_gemfile_lock(
      "GEM\n  specs:\n    good (1.0)\n    no-version\n    bad (1.0\n<<<<<<< HEAD\n");
  ASSERT_TRUE(odd.ok());
  ASSERT_EQ(odd->packages.size(), 1U);
  EXPECT_EQ(odd->packages[0].name, "good");
  EXPECT_EQ(odd->warnings.size(), 3U);
  // Deeply indented and very long input stays linear and bounded.
  std::string deep = "GEM\n  specs:\n";
  for (int i = 0; i < 200000; ++i)
    deep += std::string(static_cast<size_t>(i % 64), ' ') + "x (1)\n";
  auto d = parse_gemfile_lock(deep);
  ASSERT_TRUE(d.ok());
  EXPECT_LE(d->warnings.size(), 20U);
}

TEST(GemfileLockCatalog, BadLockInAnImageIsAWarningWithLayerAndPath) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("app/Gemfile.lock", std::string(kLock))});
  b.layer({TarEntry::file("other/Gemfile.lock", "\x89PNG not a lock")});
  b.write_oci_layout(tmp.str() + "/oci");
  auto sbom = lang_test::scan(tmp.str() + "/oci");
  EXPECT_EQ(lang_test::of(sbom, "gem").size(), 9U);
  ASSERT_EQ(sbom.warnings.size(), 1U);
  EXPECT_EQ(sbom.warnings[0],
            "layer 2: other/Gemfile.lock: ruby-gemfile-lock: Gemfile.lock: no GEM, PLATFORMS or "
            "DEPENDENCIES section");
}

}  // namespace
}  // namespace bulwark::catalog
