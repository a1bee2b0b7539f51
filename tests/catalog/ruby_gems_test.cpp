#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "catalog/lang_scan_support.hpp"
#include "catalog/ruby.hpp"
#include "core/text.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using testing::ImageBuilder;
using testing::TarEntry;

// The shape RubyGems (Gem::Specification#to_ruby) writes for an installed gem.
constexpr std::string_view kNokogiriSpec = R"(# -*- encoding: utf-8 -*-
# stub: nokogiri 1.15.4 x86_64-linux lib

Gem::Specification.new do |s|
  s.name = "nokogiri".freeze
  s.version = "1.15.4"
  s.platform = "x86_64-linux".freeze

  s.required_rubygems_version = Gem::Requirement.new(">= 0".freeze) if s.respond_to? :required_rubygems_version=
  s.metadata = { "bug_tracker_uri" => "https://github.com/sparklemotion/nokogiri/issues" } if s.respond_to? :metadata=
  s.authors = ["Mike Dalessio".freeze, "Aaron Patterson".freeze]
  s.description = "Nokogiri (\u92F8) makes it easy \"and\" painless".freeze
  s.licenses = ["MIT".freeze, "Ruby".freeze]
  s.rubygems_version = "3.4.10".freeze
  s.add_runtime_dependency(%q<racc>.freeze, ["~> 1.4"])
end
)";

TEST(GemspecParse, ReadsNameVersionPlatformAndLicensesWithoutEvaluatingRuby) {
  auto p = parse_gemspec(kNokogiriSpec);
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->name, "nokogiri");
  EXPECT_EQ(p->version, "1.15.4");
  EXPECT_EQ(p->architecture, "x86_64-linux");
  EXPECT_EQ(p->licenses, (std::vector<std::string>{"MIT", "Ruby"}));
  EXPECT_EQ(p->purl, "pkg:gem/nokogiri@1.15.4?platform=x86_64-linux");
}

TEST(GemspecParse, AcceptsOtherBlockVariablesAndLiteralForms) {
  auto p = parse_gemspec(
      "Gem::Specification.new do |spec|\n"
      "  spec.name    = %q{my_gem}\n  spec.version = '2.0.0.pre.1'\n"
      "  spec.license = %w[Apache-2.0]\n  spec.name == 'ignored'\nend\n");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(p->name, "my_gem");
  EXPECT_EQ(p->version, "2.0.0.pre.1");
  EXPECT_EQ(p->licenses, (std::vector<std::string>{"Apache-2.0"}));
  EXPECT_EQ(p->purl, "pkg:gem/my_gem@2.0.0.pre.1");
}

TEST(GemspecParse, FallsBackToTheStubLineAndRejectsGarbage) {
  auto stub = parse_gemspec("# stub: rake 13.0.6 ruby lib\nGem::Specification.new do |s|\nend\n");
  ASSERT_TRUE(stub.ok());
  EXPECT_EQ(stub->name, "rake");
  EXPECT_EQ(stub->version, "13.0.6");
  auto bad = parse_gemspec(
      "\x7f"
      "ELF\x01\x02 s.name = \"unterminated\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("gem name"), std::string::npos);
  auto no_version = parse_gemspec("s.name = \"x\"\ns.version = \"not a version\"\n");
  ASSERT_FALSE(no_version.ok());
  EXPECT_NE(no_version.error().message().find("x has no valid version"), std::string::npos);
}

TEST(GemspecParse, OnlySpecificationDirectoriesHoldInstalledGems) {
  EXPECT_TRUE(is_installed_gemspec_path("usr/lib/ruby/gems/3.1.0/specifications/rack-2.2.gemspec"));
  EXPECT_TRUE(
      is_installed_gemspec_path("var/lib/gems/3.1.0/specifications/default/json-2.gemspec"));
  EXPECT_FALSE(is_installed_gemspec_path("app/my_gem.gemspec"));
  EXPECT_FALSE(is_installed_gemspec_path("app/vendor/rack/rack.gemspec"));
  EXPECT_FALSE(is_installed_gemspec_path("specifications.gemspec"));
}

// `gem list` output: "name (1.0, default: 0.9)" -> (name, version) pairs.
std::set<std::pair<std::string, std::string>> gem_list() {
  std::string out;
  EXPECT_EQ(testing::run_command("gem list --local 2>/dev/null", &out), 0);
  std::set<std::pair<std::string, std::string>> rows;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto open = line.find(" (");
    if (open == std::string::npos || line.back() != ')') continue;
    auto name = line.substr(0, open);
    std::stringstream versions(line.substr(open + 2, line.size() - open - 3));
    std::string v;
    while (std::getline(versions, v, ',')) {
      auto t = std::string(core::trim(v));
      if (t.starts_with("default: ")) t = t.substr(9);
      auto sp = t.find(' ');  // "1.15.4 x86_64-linux": platform after the version
      rows.emplace(name, t.substr(0, sp));
    }
  }
  return rows;
}

// The gem directories RubyGems searches on this machine (`gem env paths`).
std::vector<fs::path> gem_spec_dirs() {
  std::string out;
  EXPECT_EQ(testing::run_command("gem env paths 2>/dev/null", &out), 0);
  std::vector<fs::path> dirs;
  std::stringstream ss(std::string(core::trim(out)));
  std::string d;
  while (std::getline(ss, d, ':')) {
    if (fs::is_directory(fs::path(d) / "specifications"))
      dirs.push_back(fs::path(d) / "specifications");
  }
  return dirs;
}

TEST(GemspecCatalog, EqualsGemListForTheDebianInstalledGems) {
  BW_REQUIRE_COMMAND("gem");
  auto dirs = gem_spec_dirs();
  ASSERT_FALSE(dirs.empty());
  testing::TempDir tmp;
  for (const auto& d : dirs) {
    auto dest = tmp.path() / d.relative_path();
    fs::create_directories(dest.parent_path());
    fs::copy(d, dest, fs::copy_options::recursive);
  }
  auto expected = gem_list();
  ASSERT_GT(expected.size(), 20U);  // ruby3.1's default and bundled gems, ruby-rack, ruby-json
  EXPECT_EQ(expected.count({"rack", "2.2.22"}) + expected.count({"json", "2.6.3"}), 2U)
      << "ruby-rack and ruby-json from Debian are expected (scripts/install-deps.sh)";
  auto sbom = lang_test::scan("dir:" + tmp.str());
  auto gems = lang_test::of(sbom, "gem");
  EXPECT_EQ(lang_test::name_versions(gems), expected);
  EXPECT_TRUE(sbom.warnings.empty()) << sbom.warnings.front();
}

TEST(GemspecCatalog, LicensesEqualRubyGemsOwnReadingOfEachSpec) {
  BW_REQUIRE_COMMAND("ruby");
  BW_REQUIRE_COMMAND("gem");
  size_t compared = 0;
  for (const auto& dir : gem_spec_dirs()) {
    for (const auto& sub : {dir, dir / "default"}) {
      if (!fs::is_directory(sub)) continue;
      // Ruby loads each spec for real; we read the same file as text.
      std::string out;
      ASSERT_EQ(testing::run_command("ruby -e 'Dir[ARGV[0] + \"/*.gemspec\"].sort.each { |f| "
                                     "s = Gem::Specification.load(f); "
                                     "puts [File.basename(f), s.name, s.version, "
                                     "s.licenses.join(\",\")].join(\"\\t\") }' '" +
                                         sub.string() + "'",
                                     &out),
                0);
      std::istringstream in(out);
      std::string line;
      while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream ss(line);
        std::string part;
        while (std::getline(ss, part, '\t')) f.push_back(part);
        f.resize(4);
        auto ours = parse_gemspec(testing::read_file(sub / f[0]));
        ASSERT_TRUE(ours.ok()) << f[0] << ": " << ours.error().message();
        std::string licenses;
        for (const auto& l : ours->licenses) licenses += (licenses.empty() ? "" : ",") + l;
        EXPECT_EQ(ours->name, f[1]) << f[0];
        EXPECT_EQ(ours->version, f[2]) << f[0];
        EXPECT_EQ(licenses, f[3]) << f[0];
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 20U);
}

TEST(GemspecCatalog, ImageReportsInstalledGemsWithLayerAndABadSpecAsAWarning) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec",
                          std::string(kNokogiriSpec)),
           TarEntry::file("app/nokogiri.gemspec", std::string(kNokogiriSpec))});
  b.layer(
      {TarEntry::file("usr/local/bundle/specifications/broken-1.0.gemspec", "\x00\x01garbage")});
  b.write_oci_layout(tmp.str() + "/oci");
  auto sbom = lang_test::scan(tmp.str() + "/oci");
  auto gems = lang_test::of(sbom, "gem");
  ASSERT_EQ(gems.size(), 1U);  // the source tree's gemspec is a program, not an install record
  EXPECT_EQ(gems[0].name, "nokogiri");
  ASSERT_EQ(gems[0].locations.size(), 1U);
  EXPECT_EQ(gems[0].locations[0].path,
            "usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec");
  EXPECT_EQ(gems[0].locations[0].layer_index, 0);
  EXPECT_EQ(gems[0].locations[0].layer_digest,
            "sha256:" + testing::sha256_hex(b.layers()[0].stored));
  ASSERT_EQ(sbom.warnings.size(), 1U);
  EXPECT_NE(sbom.warnings[0].find("layer 2: usr/local/bundle/specifications/broken-1.0.gemspec: "),
            std::string::npos)
      << sbom.warnings[0];
  EXPECT_NE(sbom.warnings[0].find("no valid gem name"), std::string::npos) << sbom.warnings[0];
}

}  // namespace
}  // namespace bulwark::catalog
