#include "catalog/composer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "catalog/lang_scan_support.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using testing::ImageBuilder;
using testing::TarEntry;

// A real project: three local packages installed by Composer itself from a path repository
// (no network), one of them only as a dev requirement.
struct ComposerProject {
  testing::TempDir tmp;
  fs::path app;
  std::string composer;  // "cd app && COMPOSER_HOME=... composer"
  ComposerProject() {
    auto pkgs = tmp.path() / "src/pkgs";
    app = tmp.path() / "srv/app";
    fs::create_directories(app);
    auto pkg = [&](const std::string& dir, const std::string& json) {
      fs::create_directories(pkgs / dir);
      testing::write_file(pkgs / dir / "composer.json", json);
    };
    pkg("a", R"({"name":"acme/alpha","version":"1.2.3","license":"MIT",)"
             R"("require":{"acme/beta":"^2.0"}})");
    pkg("b",
        R"({"name":"acme/beta","version":"2.0.1","license":["Apache-2.0","GPL-2.0-or-later"]})");
    pkg("c", R"({"name":"acme/gamma","version":"v0.9.0","license":"BSD-3-Clause"})");
    testing::write_file(
        app / "composer.json",
        R"({"name":"acme/app","repositories":[{"type":"path","url":"../../src/pkgs/*",)"
        R"("options":{"symlink":false}},{"packagist.org":false}],)"
        R"("require":{"acme/alpha":"^1.2"},"require-dev":{"acme/gamma":"^0.9"}})");
    composer = "cd '" + app.string() + "' && COMPOSER_HOME='" + (tmp.path() / "home").string() +
               "' COMPOSER_NO_INTERACTION=1 composer";
  }
  nlohmann::json run_json(const std::string& args) const {
    std::string out;
    EXPECT_EQ(testing::run_command(composer + " " + args + " 2>/dev/null", &out), 0);
    return nlohmann::json::parse(out);
  }
};

using NameVersions = std::set<std::pair<std::string, std::string>>;

NameVersions from_show(const nlohmann::json& j, const std::string& key) {
  NameVersions out;
  for (const auto& p : j.at(key)) out.emplace(p.at("name"), p.at("version"));
  return out;
}

std::vector<core::Package> at_path(const std::vector<core::Package>& pkgs,
                                   const std::string& path) {
  std::vector<core::Package> out;
  // The SBOM merge makes a package found in both files one package with both locations.
  for (const auto& p : pkgs) {
    for (const auto& l : p.locations) {
      if (l.path == path) {
        out.push_back(p);
        break;
      }
    }
  }
  return out;
}

TEST(ComposerCatalog, LockAndInstalledJsonWrittenByComposerEqualComposerShowAndLicenses) {
  BW_REQUIRE_COMMAND("composer");
  ComposerProject project;
  ASSERT_EQ(
      testing::run_command(project.composer + " update --no-plugins --no-scripts >/dev/null 2>&1"),
      0);
  auto locked = from_show(project.run_json("show --locked --format=json"), "locked");
  auto installed = from_show(project.run_json("show --format=json"), "installed");
  ASSERT_EQ(locked.size(), 3U);
  auto licenses = project.run_json("licenses --format=json").at("dependencies");

  auto sbom = lang_test::scan("dir:" + project.tmp.str());
  EXPECT_TRUE(sbom.warnings.empty());
  auto pkgs = lang_test::of(sbom, "composer");
  auto from_lock = at_path(pkgs, "srv/app/composer.lock");
  auto from_installed = at_path(pkgs, "srv/app/vendor/composer/installed.json");
  EXPECT_EQ(lang_test::name_versions(from_lock), locked);
  EXPECT_EQ(lang_test::name_versions(from_installed), installed);
  for (const auto& p : pkgs) {
    EXPECT_EQ(p.licenses, licenses.at(p.name).at("license").get<std::vector<std::string>>())
        << p.name;
  }
  // The installed tree is Composer 2's {"packages": [...]} shape with dev-package-names.
  auto text = testing::read_file(project.app / "vendor/composer/installed.json");
  auto parsed = parse_composer_installed(text, "installed.json");
  ASSERT_TRUE(parsed.ok());
  std::map<std::string, bool> dev;
  for (const auto& p : parsed->packages) dev[p.package.name] = p.dev;
  EXPECT_EQ(dev, (std::map<std::string, bool>{
                     {"acme/alpha", false}, {"acme/beta", false}, {"acme/gamma", true}}));
  auto lock = parse_composer_lock(testing::read_file(project.app / "composer.lock"), "lock");
  ASSERT_TRUE(lock.ok());
  dev.clear();
  for (const auto& p : lock->packages) dev[p.package.name] = p.dev;
  EXPECT_EQ(dev, (std::map<std::string, bool>{
                     {"acme/alpha", false}, {"acme/beta", false}, {"acme/gamma", true}}));
}

TEST(ComposerParse, ReadsComposer1InstalledArrayAndBuildsPurls) {
  // Composer 1 wrote installed.json as a bare array of package objects.
  auto r = parse_composer_installed(
      R"([{"name":"Symfony/Console","version":"v5.4.1","license":["MIT"]},
          {"name":"monolog/monolog","version":"2.3.5","license":"MIT"}])",
      "installed.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->packages.size(), 2U);
  EXPECT_EQ(r->packages[0].package.purl, "pkg:composer/symfony/console@v5.4.1");
  EXPECT_EQ(r->packages[1].package.purl, "pkg:composer/monolog/monolog@2.3.5");
  EXPECT_EQ(r->packages[1].package.licenses, (std::vector<std::string>{"MIT"}));
}

TEST(ComposerParse, WrongTypesAreSkippedWithWarningsAndBadJsonIsAnError) {
  auto r = parse_composer_lock(
      R"({"packages":[1,{"name":"novendor","version":"1"},{"name":"a/b"},)"
      R"({"name":"a/c","version":"1.0","license":{"x":1}}],"packages-dev":"nope"})",
      "composer.lock");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->packages.size(), 1U);
  EXPECT_EQ(r->packages[0].package.name, "a/c");
  EXPECT_TRUE(r->packages[0].package.licenses.empty());
  EXPECT_EQ(r->warnings.size(), 4U);

  auto bad = parse_composer_lock("{\"packages\": [", "composer.lock");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message().rfind("composer.lock: malformed JSON", 0), 0U);
  auto not_lock = parse_composer_lock("[1,2]", "composer.lock");
  ASSERT_FALSE(not_lock.ok());
  std::string deep(100000, '[');
  auto too_deep = parse_composer_installed(deep, "installed.json");
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.error().message().find("nested deeper"), std::string::npos);
}

TEST(ComposerCatalog, BadFileInAnImageIsAWarningAndTheRestIsCataloged) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("var/www/composer.lock",
                          R"({"packages":[{"name":"laravel/framework","version":"v10.1.0"}]})"),
           TarEntry::file("var/www/vendor/composer/installed.json", "{not json")});
  b.write_oci_layout(tmp.str() + "/oci");
  auto sbom = lang_test::scan(tmp.str() + "/oci");
  auto pkgs = lang_test::of(sbom, "composer");
  ASSERT_EQ(pkgs.size(), 1U);
  EXPECT_EQ(pkgs[0].purl, "pkg:composer/laravel/framework@v10.1.0");
  EXPECT_EQ(pkgs[0].locations[0].layer_index, 0);
  ASSERT_EQ(sbom.warnings.size(), 1U);
  EXPECT_EQ(sbom.warnings[0].rfind("layer 1: var/www/vendor/composer/installed.json: php-composer: "
                                   "installed.json: malformed JSON",
                                   0),
            0U)
      << sbom.warnings[0];
}

}  // namespace
}  // namespace bulwark::catalog
