#include "catalog/dotnet.hpp"

#include <gtest/gtest.h>

#include "catalog/lang_scan_support.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

using testing::ImageBuilder;
using testing::TarEntry;

// The shape `dotnet publish` writes (Microsoft.Extensions.DependencyModel's deps.json): a
// project entry for the app itself, NuGet packages, and a runtime pack of a self-contained app.
constexpr std::string_view kDepsJson = R"json({
  "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0/linux-x64", "signature": ""},
  "compilationOptions": {},
  "targets": {
    ".NETCoreApp,Version=v8.0": {
      "WebApp/1.0.0": {
        "dependencies": {"Newtonsoft.Json": "13.0.3", "Serilog": "3.1.1", "Shared": "1.0.0"},
        "runtime": {"WebApp.dll": {}}
      },
      "Newtonsoft.Json/13.0.3": {"runtime": {"lib/net6.0/Newtonsoft.Json.dll": {"assemblyVersion": "13.0.0.0", "fileVersion": "13.0.3.27908"}}},
      "Serilog/3.1.1": {"runtime": {"lib/net7.0/Serilog.dll": {}}},
      "Shared/1.0.0": {"runtime": {"Shared.dll": {}}}
    }
  },
  "libraries": {
    "WebApp/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
    "Newtonsoft.Json/13.0.3": {"type": "package", "serviceable": true,
      "sha512": "sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==",
      "path": "newtonsoft.json/13.0.3", "hashPath": "newtonsoft.json.13.0.3.nupkg.sha512"},
    "Serilog/3.1.1": {"type": "package", "serviceable": true, "sha512": "sha512-x", "path": "serilog/3.1.1"},
    "Shared/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
    "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"type": "runtimepack", "serviceable": false, "sha512": ""}
  }
})json";

// NuGet's lock file (restore with RestorePackagesWithLockFile): per target framework, Direct,
// Transitive, CentralTransitive and Project entries.
constexpr std::string_view kPackagesLock = R"json({
  "version": 1,
  "dependencies": {
    "net6.0": {
      "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.1, )", "resolved": "13.0.1", "contentHash": "ppPFpBcvxdsfUonNcvITKqLl3bqxWbDCZIzDWHzjpdAHRFfZe0Dw9HmA0+za13IdyrgJwpkDTDA9fHaxOrt20A=="},
      "System.Text.Json": {"type": "Transitive", "resolved": "6.0.0", "contentHash": "x", "dependencies": {"System.Runtime.CompilerServices.Unsafe": "6.0.0"}},
      "System.Runtime.CompilerServices.Unsafe": {"type": "CentralTransitive", "requested": "[6.0.0, )", "resolved": "6.0.0", "contentHash": "y"},
      "MyLib": {"type": "Project", "dependencies": {"Newtonsoft.Json": "[13.0.1, )"}}
    },
    "net8.0": {
      "Newtonsoft.Json": {"type": "Direct", "requested": "[13.0.1, )", "resolved": "13.0.1", "contentHash": "z"}
    }
  }
})json";

TEST(DotnetParse, DepsJsonReportsPackagesAndSkipsProjectsAndRuntimePacks) {
  auto r = parse_deps_json(kDepsJson, "WebApp.deps.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->packages.size(), 2U);
  EXPECT_EQ(r->packages[0].purl, "pkg:nuget/Newtonsoft.Json@13.0.3");
  EXPECT_EQ(r->packages[1].purl, "pkg:nuget/Serilog@3.1.1");
  EXPECT_TRUE(r->warnings.empty());
}

TEST(DotnetParse, PackagesLockJsonMergesFrameworksAndSkipsProjects) {
  auto r = parse_packages_lock_json(kPackagesLock, "packages.lock.json");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(lang_test::name_versions(r->packages),
            (std::set<std::pair<std::string, std::string>>{
                {"Newtonsoft.Json", "13.0.1"},
                {"System.Runtime.CompilerServices.Unsafe", "6.0.0"},
                {"System.Text.Json", "6.0.0"}}));
}

TEST(DotnetParse, MalformedFilesGiveErrorsOrWarnings) {
  auto wrong = parse_deps_json(R"json({"libraries": {"NoSlash": {"type": "package"},
      "A/1.0": "not an object", "B/2.0": {"type": "package"}, "C/": {"type": "package"}}})json",
                               "x.deps.json");
  ASSERT_TRUE(wrong.ok());
  ASSERT_EQ(wrong->packages.size(), 1U);
  EXPECT_EQ(wrong->packages[0].name, "B");
  EXPECT_EQ(wrong->warnings.size(), 2U);
  auto lock = parse_packages_lock_json(
      R"json({"dependencies": {"net6.0": [1], "net7.0/linux-x64": {"A": {"type": "Direct"}, "B": 3,
          "C": {"type": "Transitive", "resolved": "1 .0"}, "D": {"type": "Direct", "resolved": "2.0.0"}}}})json",
      "packages.lock.json");
  ASSERT_TRUE(lock.ok());
  ASSERT_EQ(lock->packages.size(), 1U);  // D; A has no resolved version (a CPM pin)
  EXPECT_EQ(lock->packages[0].purl, "pkg:nuget/D@2.0.0");
  EXPECT_EQ(lock->warnings.size(), 3U);  // net6.0 not an object, B not an object, C's version
  auto not_json = parse_deps_json("\xef\xbb\xbf<xml/>", "x.deps.json");
  ASSERT_FALSE(not_json.ok());
  EXPECT_EQ(not_json.error().message().rfind("x.deps.json: malformed JSON", 0), 0U);
  auto no_libraries = parse_deps_json(R"json({"libraries": []})json", "x.deps.json");
  ASSERT_FALSE(no_libraries.ok());
  EXPECT_NE(no_libraries.error().message().find("no \"libraries\" object"), std::string::npos);
}

TEST(DotnetCatalog, ImageCatalogsBothFilesAndWarnsAboutTooLargeOnes) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("app/WebApp.deps.json", std::string(kDepsJson)),
           TarEntry::file("src/WebApp/packages.lock.json", std::string(kPackagesLock))});
  // A deps.json past the size limit: refused before reading, with the reason.
  b.layer({TarEntry::file("app/Huge.deps.json", std::string(kMaxDotnetJsonBytes + 1, ' '))},
          testing::LayerCompression::kZstd);
  b.write_oci_layout(tmp.str() + "/oci");
  auto sbom = lang_test::scan(tmp.str() + "/oci");
  auto pkgs = lang_test::of(sbom, "nuget");
  EXPECT_EQ(pkgs.size(), 5U);
  ASSERT_EQ(sbom.warnings.size(), 1U);
  EXPECT_EQ(sbom.warnings[0],
            "layer 2: app/Huge.deps.json: dotnet: larger than the 32 MiB limit for .NET "
            "dependency files");
}

}  // namespace
}  // namespace bulwark::catalog
