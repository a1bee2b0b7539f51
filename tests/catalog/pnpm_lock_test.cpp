// pnpm-lock.yaml written by hand in the layouts pnpm 7 (5.4), pnpm 8 (6.0) and pnpm 9 (9.0)
// write: key syntax, peer suffixes, scoped names, dev flags and tarball entries.
#include "catalog/pnpm_lock.hpp"

#include <gtest/gtest.h>

#include "language_scan.hpp"

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

}  // namespace
}  // namespace bulwark::catalog
