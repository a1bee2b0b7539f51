// package-lock.json: real lock files written by npm (v1, v2, v3 of the same installed tree)
// against `npm ls --all --json`, the whole pipeline over the project as a directory and as an
// image, and hand-written locks for aliases, links, flags and hostile inputs.
#include "catalog/npm_lock.hpp"

#include <gtest/gtest.h>

#include "core/limits.hpp"
#include "npm_project.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

using testing::ImageBuilder;

#define BW_REQUIRE_NPM_PROJECT(var)                \
  std::string var##_why;                           \
  const NpmProject* var = npm_project(&var##_why); \
  if ((var) == nullptr) BW_SKIP_OR_FAIL(var##_why)

TEST(NpmLock, EveryLockfileVersionNpmWritesListsWhatNpmLsReports) {
  BW_REQUIRE_NPM_PROJECT(project);
  ASSERT_GE(project->npm_ls.size(), 10u);
  ASSERT_TRUE(project->npm_ls.count({"ms", "2.0.0"}) && project->npm_ls.count({"ms", "2.1.3"}))
      << "the nested duplicate the test relies on";
  testing::TempDir tmp;
  for (int v : {1, 2, 3}) {
    SCOPED_TRACE("lockfileVersion " + std::to_string(v));
    auto dir = tmp.path() / std::to_string(v);
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(project->dir / "package.json", dir / "package.json");
    std::filesystem::copy_file(project->dir / "package-lock.json", dir / "package-lock.json");
    ASSERT_EQ(run_npm(dir, "install --package-lock-only --lockfile-version " + std::to_string(v) +
                               " >&2"),
              0);
    auto text = testing::read_file(dir / "package-lock.json");
    ASSERT_NE(text.find("\"lockfileVersion\": " + std::to_string(v)), std::string::npos);
    auto pkgs = parse_package_lock(text, "package-lock.json");
    ASSERT_TRUE(pkgs.ok()) << pkgs.error().message();
    EXPECT_EQ(name_versions(*pkgs, "npm"), project->npm_ls);
    const auto* minimist = find_package(*pkgs, "minimist");
    ASSERT_NE(minimist, nullptr);
    EXPECT_TRUE(std::get<core::LanguageMetadata>(minimist->metadata).dev);
    const auto* lodash = find_package(*pkgs, "lodash");
    ASSERT_NE(lodash, nullptr);
    EXPECT_FALSE(std::get<core::LanguageMetadata>(lodash->metadata).dev);
    EXPECT_EQ(std::get<core::LanguageMetadata>(lodash->metadata).integrity.substr(0, 7), "sha512-");
  }
}

TEST(NpmLock, ProjectDirectoryCatalogsEachInstalledPackageOnceWithLockAndManifestLocations) {
  BW_REQUIRE_NPM_PROJECT(project);
  auto sbom = scan_with("dir:" + project->dir.string());
  EXPECT_EQ(name_versions(sbom.packages, "npm"), project->with_project);
  size_t npm_count = 0;
  for (const auto& p : sbom.packages) npm_count += p.ecosystem == "npm" ? 1 : 0;
  EXPECT_EQ(npm_count, project->with_project.size()) << "a package counted twice";
  const auto* nested = find_package(sbom.packages, "ms", "2.0.0");
  ASSERT_NE(nested, nullptr);
  std::vector<std::string> paths;
  for (const auto& l : nested->locations) {
    paths.push_back(l.path);
    EXPECT_EQ(l.layer_index, -1);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"node_modules/debug/node_modules/ms/package.json",
                                             "package-lock.json"}));
  const auto* scoped = find_package(sbom.packages, "@types/node");
  ASSERT_NE(scoped, nullptr);
  EXPECT_EQ(scoped->purl, "pkg:npm/%40types/node@18.0.0");
  EXPECT_EQ(scoped->licenses, std::vector<std::string>{"MIT"});
  EXPECT_TRUE(sbom.warnings.empty()) << sbom.warnings.front();
}

TEST(NpmLock, ProjectInAnImageLayerCarriesTheLayerAndItsDigest) {
  BW_REQUIRE_NPM_PROJECT(project);
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({testing::TarEntry::file("etc/hostname", "x\n")});
  b.layer(entries_from_dir(project->dir, "srv/app/"));
  b.write_oci_layout(tmp.str() + "/img");
  auto sbom = scan_with("oci:" + tmp.str() + "/img");
  EXPECT_EQ(name_versions(sbom.packages, "npm"), project->with_project);
  const auto* lodash = find_package(sbom.packages, "lodash");
  ASSERT_NE(lodash, nullptr);
  ASSERT_EQ(lodash->locations.size(), 2u);
  for (const auto& l : lodash->locations) {
    EXPECT_EQ(l.layer_index, 1);
    EXPECT_EQ(l.layer_digest, "sha256:" + testing::sha256_hex(b.layers()[1].stored));
  }
  EXPECT_EQ(lodash->locations[0].path, "srv/app/node_modules/lodash/package.json");
  EXPECT_EQ(lodash->locations[1].path, "srv/app/package-lock.json");
}

TEST(NpmLock, AliasesAreReportedUnderTheRealPackageName) {
  auto v3 = parse_package_lock(R"({"lockfileVersion": 3, "packages": {
      "": {"name": "app", "version": "1.0.0"},
      "node_modules/str-alias": {"name": "string-width", "version": "4.2.3", "license": "MIT"},
      "node_modules/@s/x/node_modules/y": {"version": "2.0.0", "optional": true},
      "node_modules/linked": {"resolved": "packages/linked", "link": true},
      "packages/linked": {"name": "linked", "version": "0.1.0"}}})",
                               "t");
  ASSERT_TRUE(v3.ok()) << v3.error().message();
  EXPECT_EQ(name_versions(*v3, "npm"), (NameVersions{{"string-width", "4.2.3"}, {"y", "2.0.0"}}));
  EXPECT_TRUE(std::get<core::LanguageMetadata>(find_package(*v3, "y")->metadata).optional);
  EXPECT_EQ(find_package(*v3, "string-width")->purl, "pkg:npm/string-width@4.2.3");

  auto v1 = parse_package_lock(R"({"lockfileVersion": 1, "dependencies": {
      "str-alias": {"version": "npm:string-width@4.2.3"},
      "local": {"version": "file:../local"},
      "a": {"version": "1.0.0", "dev": true,
            "dependencies": {"@scope/b": {"version": "2.0.0"}}}}})",
                               "t");
  ASSERT_TRUE(v1.ok()) << v1.error().message();
  EXPECT_EQ(name_versions(*v1, "npm"),
            (NameVersions{{"string-width", "4.2.3"}, {"a", "1.0.0"}, {"@scope/b", "2.0.0"}}));
  EXPECT_EQ(find_package(*v1, "@scope/b")->purl, "pkg:npm/%40scope/b@2.0.0");
}

TEST(NpmLock, HostileLockFilesAreOneLineErrorsNamingTheProblem) {
  auto not_json = parse_package_lock("lockfileVersion: 3", "package-lock.json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_NE(not_json.error().message().find("package-lock.json: malformed JSON"),
            std::string::npos);
  auto array = parse_package_lock("[1,2]", "package-lock.json");
  ASSERT_FALSE(array.ok());
  EXPECT_NE(array.error().message().find("not a JSON object"), std::string::npos);
  // Wrong types everywhere are skipped, not trusted.
  auto wrong = parse_package_lock(
      R"({"lockfileVersion": 3, "packages": {"node_modules/a": {"version": 7},
          "node_modules/b": "x", "node_modules/c": {"version": "1.0.0", "dev": "yes",
          "name": ["c"]}}})",
      "t");
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(name_versions(*wrong, "npm"), (NameVersions{{"c", "1.0.0"}}));
  auto wrong_v1 = parse_package_lock(R"({"dependencies": {"a": {"version": "1.0.0",
      "dependencies": [1, 2]}, "b": 3}})",
                                     "t");
  ASSERT_TRUE(wrong_v1.ok());
  EXPECT_EQ(name_versions(*wrong_v1, "npm"), (NameVersions{{"a", "1.0.0"}}));
  std::string deep = R"({"dependencies": )";
  for (int i = 0; i < 5000; ++i) deep += R"({"a": {"version": "1.0.0", "dependencies": )";
  auto too_deep = parse_package_lock(deep, "package-lock.json");
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.error().message().find("nested deeper"), std::string::npos);

  // 100 MB: refused from the size, before reading.
  NpmLockCataloger c;
  image::Entry e;
  e.path = "app/package-lock.json";
  e.size = 100ULL << 20;
  image::StringContent empty("");
  image::LayerFacts facts;
  auto big = c.analyze(e, empty, facts);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code(), core::ErrorCode::kLimitExceeded);
  EXPECT_NE(big.error().message().find("104857600 bytes"), std::string::npos);
}

}  // namespace
}  // namespace bulwark::catalog
