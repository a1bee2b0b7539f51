// pnpm-lock.yaml written by hand in the layouts pnpm 7 (5.4), pnpm 8 (6.0) and pnpm 9 (9.0)
// write: key syntax, peer suffixes, scoped names, dev flags and tarball entries.
#include "catalog/pnpm_lock.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "npm_project.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

const NameVersions kExpected{
    {"@types/node", "18.0.0"}, {"lodash", "4.17.21"}, {"react", "17.0.2"}, {"react-dom", "17.0.2"}};

constexpr const char* kV5 = R"(lockfileVersion: 5.4

specifiers:
  '@types/node': 18.0.0
  lodash: 4.17.21
  react-dom: 17.0.2

dependencies:
  lodash: 4.17.21
  react-dom: 17.0.2_react@17.0.2

devDependencies:
  '@types/node': 18.0.0

packages:

  /@types/node/18.0.0:
    resolution: {integrity: sha512-cHlGmko4gWLVI27cGJntjs/Sj8th9aYwplmZFwmmgYQQvL5NUsgVJG7OddLvNfLqYS31KFN0s3qlaD9qCaxACA==}
    dev: true

  /lodash/4.17.21:
    resolution: {integrity: sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==}
    dev: false

  /react-dom/17.0.2_react@17.0.2:
    resolution: {integrity: sha512-s4h96KtLDUQlsENhMn1ar8t2bEa+q/YAtj8pPPdIjPDGBDIVNsrD9aXNWqspUe6AzKCIG0C1HZZLqLV7qpOBGA==}
    peerDependencies:
      react: 17.0.2
    dependencies:
      react: 17.0.2
    dev: false

  /react/17.0.2:
    resolution: {integrity: sha512-gnhPt75i/dq/z3/6q/0asP78D0u592D5L1pd7M8P+dck6Fu/jJeL6iVVK23fptSUZj8Vjf++7wXA8UNclGQcbA==}
    engines: {node: '>=0.10.0'}
    dev: false
)";

constexpr const char* kV6 = R"(lockfileVersion: '6.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

dependencies:
  lodash:
    specifier: 4.17.21
    version: 4.17.21
  react-dom:
    specifier: 17.0.2
    version: 17.0.2(react@17.0.2)

devDependencies:
  '@types/node':
    specifier: 18.0.0
    version: 18.0.0

packages:

  /@types/node@18.0.0:
    resolution: {integrity: sha512-cHlGmko4gWLVI27cGJntjs/Sj8th9aYwplmZFwmmgYQQvL5NUsgVJG7OddLvNfLqYS31KFN0s3qlaD9qCaxACA==}
    dev: true

  /lodash@4.17.21:
    resolution: {integrity: sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==}
    dev: false

  /react-dom@17.0.2(react@17.0.2):
    resolution: {integrity: sha512-s4h96KtLDUQlsENhMn1ar8t2bEa+q/YAtj8pPPdIjPDGBDIVNsrD9aXNWqspUe6AzKCIG0C1HZZLqLV7qpOBGA==}
    peerDependencies:
      react: 17.0.2
    dev: false

  /react@17.0.2:
    resolution: {integrity: sha512-gnhPt75i/dq/z3/6q/0asP78D0u592D5L1pd7M8P+dck6Fu/jJeL6iVVK23fptSUZj8Vjf++7wXA8UNclGQcbA==}
    dev: false
)";

constexpr const char* kV9 = R"(lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      lodash:
        specifier: 4.17.21
        version: 4.17.21
      react-dom:
        specifier: 17.0.2
        version: 17.0.2(react@17.0.2)
    devDependencies:
      '@types/node':
        specifier: 18.0.0
        version: 18.0.0

packages:

  '@types/node@18.0.0':
    resolution: {integrity: sha512-cHlGmko4gWLVI27cGJntjs/Sj8th9aYwplmZFwmmgYQQvL5NUsgVJG7OddLvNfLqYS31KFN0s3qlaD9qCaxACA==}

  lodash@4.17.21:
    resolution: {integrity: sha512-v2kDEe57lecTulaDIuNTPy3Ry4gLGJ6Z1O3vE1krgXZNrsQ+LFTGHVxVjcXPs17LhbZVGedAJv8XZ1tvj5FvSg==}

  react-dom@17.0.2:
    resolution: {integrity: sha512-s4h96KtLDUQlsENhMn1ar8t2bEa+q/YAtj8pPPdIjPDGBDIVNsrD9aXNWqspUe6AzKCIG0C1HZZLqLV7qpOBGA==}
    peerDependencies:
      react: 17.0.2

  react@17.0.2:
    resolution: {integrity: sha512-gnhPt75i/dq/z3/6q/0asP78D0u592D5L1pd7M8P+dck6Fu/jJeL6iVVK23fptSUZj8Vjf++7wXA8UNclGQcbA==}
    engines: {node: '>=0.10.0'}

snapshots:

  '@types/node@18.0.0': {}

  lodash@4.17.21: {}

  react-dom@17.0.2(react@17.0.2):
    dependencies:
      react: 17.0.2

  react@17.0.2: {}
)";

TEST(PnpmLock, VersionsFiveSixAndNineGiveTheSamePackages) {
  for (const auto* text : {kV5, kV6, kV9}) {
    auto pkgs = parse_pnpm_lock(text, "pnpm-lock.yaml");
    ASSERT_TRUE(pkgs.ok()) << pkgs.error().message();
    EXPECT_EQ(name_versions(*pkgs, "npm"), kExpected);
    const auto* types = find_package(*pkgs, "@types/node");
    EXPECT_EQ(types->purl, "pkg:npm/%40types/node@18.0.0");
    EXPECT_EQ(std::get<core::LanguageMetadata>(types->metadata).integrity.substr(0, 7), "sha512-");
  }
}

TEST(PnpmLock, DevFlagsAreKeptWhereTheLockRecordsThem) {
  for (const auto* text : {kV5, kV6}) {
    auto pkgs = parse_pnpm_lock(text, "pnpm-lock.yaml");
    ASSERT_TRUE(pkgs.ok());
    EXPECT_TRUE(std::get<core::LanguageMetadata>(find_package(*pkgs, "@types/node")->metadata).dev);
    EXPECT_FALSE(std::get<core::LanguageMetadata>(find_package(*pkgs, "lodash")->metadata).dev);
  }
}

TEST(PnpmLock, TarballEntriesUseTheirNameAndVersionFields) {
  auto pkgs = parse_pnpm_lock(R"(lockfileVersion: '6.0'
packages:
  registry.example.com/internal-lib/-/internal-lib-2.3.4.tgz:
    resolution: {tarball: https://registry.example.com/internal-lib/-/internal-lib-2.3.4.tgz}
    name: internal-lib
    version: 2.3.4
    dev: false
)",
                              "pnpm-lock.yaml");
  ASSERT_TRUE(pkgs.ok()) << pkgs.error().message();
  EXPECT_EQ(name_versions(*pkgs, "npm"), (NameVersions{{"internal-lib", "2.3.4"}}));
}

TEST(PnpmLock, BrokenFilesAreErrorsNamingTheFile) {
  auto not_yaml = parse_pnpm_lock("lockfileVersion: '6.0'\npackages: {a: [}\n", "pnpm-lock.yaml");
  ASSERT_FALSE(not_yaml.ok());
  EXPECT_NE(not_yaml.error().message().find("pnpm-lock.yaml: malformed YAML"), std::string::npos);
  auto no_version = parse_pnpm_lock("packages: {}\n", "pnpm-lock.yaml");
  ASSERT_FALSE(no_version.ok());
  auto wrong = parse_pnpm_lock("lockfileVersion: '9.0'\npackages: [1, 2]\n", "pnpm-lock.yaml");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().message().find("not a mapping"), std::string::npos);
  // An alias cycle (a node that contains itself) is never walked deeper than the two levels read.
  auto cycle =
      parse_pnpm_lock("lockfileVersion: '9.0'\npackages: &p\n  a@1.0.0: *p\n", "pnpm-lock.yaml");
  ASSERT_TRUE(cycle.ok()) << cycle.error().message();
  std::string deep = "lockfileVersion: '9.0'\npackages:\n";
  for (int i = 0; i < 3000; ++i) deep += std::string(static_cast<size_t>(i) + 2, ' ') + "a:\n";
  auto nested = parse_pnpm_lock(deep, "pnpm-lock.yaml");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.error().code(), core::ErrorCode::kLimitExceeded);
}

// pnpm's own view of an installed project: every (name, version) of `pnpm list --json`.
void collect_pnpm_list(const nlohmann::json& node, NameVersions& out) {
  for (const auto* section : {"dependencies", "devDependencies", "optionalDependencies"}) {
    if (!node.contains(section)) continue;
    for (const auto& [name, d] : node[section].items()) {
      out.emplace(name, d["version"].get<std::string>());
      collect_pnpm_list(d, out);
    }
  }
}

TEST(PnpmLock, LocksWrittenByPnpm7And8And9EqualPnpmListOfTheInstalledProject) {
  BW_REQUIRE_COMMAND("npm");
  testing::TempDir tmp;
  auto tools = tmp.path() / "tools";
  std::filesystem::create_directories(tools);
  testing::write_file(tools / "package.json", R"({"name": "tools", "version": "1.0.0"})");
  if (run_npm(tools,
              "install pnpm7@npm:pnpm@7.33.7 pnpm8@npm:pnpm@8.15.9 pnpm9@npm:pnpm@9.15.0 >&2") !=
      0) {
    BW_SKIP_OR_FAIL("cannot install pnpm from the npm registry");
  }
  for (auto [major, lock_version] : {std::pair{7, "5.4"}, {8, "'6.0'"}, {9, "'9.0'"}}) {
    SCOPED_TRACE("pnpm " + std::to_string(major));
    auto dir = tmp.path() / ("p" + std::to_string(major));
    std::filesystem::create_directories(dir);
    testing::write_file(dir / "package.json", R"({"name": "p", "version": "1.0.0", "private": true,
        "dependencies": {"debug": "2.6.9", "ms": "2.1.3", "@types/node": "18.0.0", "chalk": "4.1.2"},
        "devDependencies": {"minimist": "1.2.8"}})");
    std::string pnpm =
        "node '" +
        (tools / ("node_modules/pnpm" + std::to_string(major) + "/bin/pnpm.cjs")).string() + "' ";
    ASSERT_EQ(
        testing::run_command("cd '" + dir.string() + "' && " + pnpm +
                             "install --ignore-scripts --store-dir '" + tmp.str() + "/store' >&2"),
        0);
    std::string listed;
    ASSERT_EQ(testing::run_command(
                  "cd '" + dir.string() + "' && " + pnpm + "list --depth Infinity --json", &listed),
              0);
    NameVersions expected;
    for (const auto& project : nlohmann::json::parse(listed)) collect_pnpm_list(project, expected);
    ASSERT_TRUE(expected.count({"ms", "2.0.0"}) && expected.count({"@types/node", "18.0.0"}));
    auto text = testing::read_file(dir / "pnpm-lock.yaml");
    ASSERT_TRUE(text.starts_with("lockfileVersion: " + std::string(lock_version)))
        << text.substr(0, 40);
    auto pkgs = parse_pnpm_lock(text, "pnpm-lock.yaml");
    ASSERT_TRUE(pkgs.ok()) << pkgs.error().message();
    EXPECT_EQ(name_versions(*pkgs, "npm"), expected);
    // The whole project: lock file plus pnpm's node_modules/.pnpm store, counted once each,
    // and the project itself ("p" 1.0.0, its package.json).
    auto sbom = scan_with("dir:" + dir.string(), "javascript");
    expected.emplace("p", "1.0.0");
    EXPECT_EQ(name_versions(sbom.packages, "npm"), expected);
    EXPECT_EQ(sbom.packages.size(), expected.size());
  }
}

}  // namespace
}  // namespace bulwark::catalog
