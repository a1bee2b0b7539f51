#include "catalog/sbom.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "catalog/catalogers.hpp"
#include "core/limits.hpp"
#include "image/image.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

using testing::ImageBuilder;
using testing::TarEntry;

std::string status_entry(const std::string& name, const std::string& version) {
  return "Package: " + name +
         "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + version + "\n\n";
}

Sbom scan(const std::string& target) {
  auto img = image::open_image(target, {});
  EXPECT_TRUE(img.ok()) << img.error().message();
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  EXPECT_TRUE(layers.ok()) << layers.error().message();
  return build_sbom(*img, *layers, catalogers);
}

const core::Package* find(const std::vector<core::Package>& v, const std::string& name) {
  for (const auto& p : v) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(Sbom, DatesEachPackageToTheLayerThatAddedItsCurrentVersion) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("usr/lib/os-release",
                          "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"),
           TarEntry::symlink("etc/os-release", "../usr/lib/os-release"),
           TarEntry::file("var/lib/dpkg/status", status_entry("base", "1.0") +
                                                     status_entry("nano", "7.2-1") +
                                                     status_entry("libssl3", "3.0.1-1")),
           TarEntry::file("var/lib/dpkg/info/nano.list", "/.\n/usr\n/usr/bin/nano\n")});
  // Layer 2: libssl3 upgraded, nano purged (its files whited out), curl added.
  b.layer({TarEntry::file("var/lib/dpkg/status", status_entry("base", "1.0") +
                                                     status_entry("libssl3", "3.0.2-1") +
                                                     status_entry("curl", "7.88.1-10")),
           TarEntry::whiteout("usr/bin/nano"), TarEntry::whiteout("var/lib/dpkg/info/nano.list")});
  b.write_oci_layout(tmp.str() + "/l");
  auto sbom = scan(tmp.str() + "/l");

  EXPECT_EQ(sbom.os.id, "debian");
  EXPECT_EQ(sbom.os.version_id, "12");
  ASSERT_EQ(sbom.packages.size(), 3U);
  EXPECT_EQ(find(sbom.packages, "base")->locations[0].layer_index, 0);
  EXPECT_EQ(find(sbom.packages, "libssl3")->locations[0].layer_index, 1);
  EXPECT_EQ(find(sbom.packages, "libssl3")->version, "3.0.2-1");
  EXPECT_EQ(find(sbom.packages, "curl")->locations[0].layer_index, 1);
  EXPECT_EQ(find(sbom.packages, "curl")->locations[0].path, "var/lib/dpkg/status");
  EXPECT_EQ(find(sbom.packages, "curl")->purl,
            "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12");
  ASSERT_EQ(sbom.removed_packages.size(), 1U);  // nano; an upgrade is not a removal
  const auto* nano = find(sbom.removed_packages, "nano");
  ASSERT_NE(nano, nullptr);
  EXPECT_EQ(nano->locations[0].layer_index, 0);
  EXPECT_EQ(nano->removed_in_layer, 1);
}

TEST(Sbom, UnreadableVisibleStatusFileIsReportedAsPossiblyStale) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("var/lib/dpkg/status", status_entry("base", "1.0"))});
  // Layer 2 rewrites the status file beyond the read limit set below: unreadable.
  b.layer({TarEntry::file("var/lib/dpkg/status", status_entry("base", "1.0") +
                                                     status_entry("curl", "7.88.1-10") +
                                                     std::string(4000, '#') + "\n")});
  b.write_oci_layout(tmp.str() + "/l");
  auto saved = core::limits();
  auto small = saved;
  small.max_file_read = 1000;
  core::set_limits(small);
  auto sbom = scan(tmp.str() + "/l");
  core::set_limits(saved);

  ASSERT_NE(find(sbom.packages, "base"), nullptr);
  bool warned = false;
  for (const auto& w : sbom.warnings) {
    warned |= w.find(
                  "layer 2: var/lib/dpkg/status could not be analyzed; its packages are "
                  "reported as of layer 1") != std::string::npos;
  }
  EXPECT_TRUE(warned) << ::testing::PrintToString(sbom.warnings);
}

TEST(Sbom, LockFilesThatOsPackagesShipAreNotInstalledPackages) {
  // Debian ships the lock files of its node-* sources under usr/share/nodejs: they record how
  // the Debian package was built. Only the application's own lock file declares packages.
  auto lock = [](const std::string& name, const std::string& version) {
    return R"({"lockfileVersion": 3, "packages": {"node_modules/)" + name + R"(": {"version": ")" +
           version + R"("}}})";
  };
  for (bool owned : {true, false}) {
    testing::TempDir tmp;
    ImageBuilder b;
    std::vector<TarEntry> entries = {
        TarEntry::file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
        TarEntry::file("var/lib/dpkg/status", status_entry("node-foo", "1.0-1")),
        TarEntry::file("usr/share/nodejs/foo/package-lock.json", lock("left-pad", "1.3.0")),
        TarEntry::file("app/package-lock.json", lock("ms", "2.1.3"))};
    if (owned) {
      entries.push_back(TarEntry::file("var/lib/dpkg/info/node-foo.list",
                                       "/.\n/usr/share/nodejs/foo/package-lock.json\n"));
    }
    b.layer(entries);
    b.write_oci_layout(tmp.str() + "/l");
    auto sbom = scan(tmp.str() + "/l");
    EXPECT_NE(find(sbom.packages, "ms"), nullptr);
    EXPECT_EQ(find(sbom.packages, "left-pad") != nullptr, !owned) << "owned=" << owned;
  }
}

TEST(Sbom, WhiteoutOfADistrolessStatusFileRemovesItsPackage) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("var/lib/dpkg/status.d/base-files", status_entry("base-files", "12.4")),
           TarEntry::file("var/lib/dpkg/status.d/tzdata", status_entry("tzdata", "2024a-0")),
           TarEntry::file("var/lib/dpkg/status.d/tzdata.md5sums", "abc  usr/share/zoneinfo/UTC\n"),
           TarEntry::file("etc/debian_version", "12.4\n")});
  b.layer({TarEntry::whiteout("var/lib/dpkg/status.d/tzdata")});
  b.write_docker_archive(tmp.str() + "/d.tar");
  auto sbom = scan(tmp.str() + "/d.tar");
  ASSERT_EQ(sbom.packages.size(), 1U);
  EXPECT_EQ(sbom.packages[0].name, "base-files");
  ASSERT_EQ(sbom.removed_packages.size(), 1U);
  EXPECT_EQ(sbom.removed_packages[0].name, "tzdata");
  EXPECT_EQ(sbom.os.id, "debian");
}

// A cataloger reading "name version" lines, to test the layer merge on its own.
class LinesCataloger final : public Cataloger {
 public:
  std::string_view name() const override { return "lines"; }
  int version() const override { return 1; }
  std::vector<image::PathPattern> patterns() const override {
    return {image::PathPattern::exact("pkgs.txt")};
  }
  core::Result<void> analyze(const image::Entry& e, image::EntryContent& c,
                             image::LayerFacts& out) const override {
    BW_ASSIGN_OR_RETURN(auto text, c.read_all(1 << 20));
    auto& pkgs = out.packages_by_path[e.path];
    std::istringstream in(text);
    std::string n, v;
    while (in >> n >> v) pkgs.push_back(core::Package{.name = n, .version = v, .ecosystem = "rpm"});
    return core::ok();
  }
};

TEST(Sbom, SeveralInstalledVersionsOfOnePackageAreAllKept) {
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::file("pkgs.txt", "kernel 5.14.0-1\nbash 5.1-1\n")});
  b.layer({TarEntry::file("pkgs.txt", "kernel 5.14.0-1\nkernel 5.14.0-2\nbash 5.1-2\n")});
  b.layer({TarEntry::file("pkgs.txt", "kernel 5.14.0-2\n")});
  b.write_oci_layout(tmp.str() + "/l");
  auto img = image::open_image(tmp.str() + "/l", {});
  ASSERT_TRUE(img.ok());
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(std::make_unique<LinesCataloger>());
  auto layers = image::read_layers(*img, {catalogers[0].get()}, {});
  ASSERT_TRUE(layers.ok());
  auto sbom = build_sbom(*img, *layers, catalogers);
  ASSERT_EQ(sbom.packages.size(), 1U);
  EXPECT_EQ(sbom.packages[0].version, "5.14.0-2");
  EXPECT_EQ(sbom.packages[0].locations[0].layer_index, 1);
  // bash disappeared in layer 3; kernel 5.14.0-1 was replaced by a newer version (no removal).
  ASSERT_EQ(sbom.removed_packages.size(), 1U);
  EXPECT_EQ(sbom.removed_packages[0].name, "bash");
  EXPECT_EQ(sbom.removed_packages[0].version, "5.1-2");
  EXPECT_EQ(sbom.removed_packages[0].removed_in_layer, 2);

  // Layer 2 alone holds both kernels.
  std::vector<image::LayerResult> first_two;
  first_two.push_back((*layers)[0]);
  first_two.push_back((*layers)[1]);
  auto two = build_sbom(*img, first_two, catalogers);
  ASSERT_EQ(two.packages.size(), 3U);
  EXPECT_EQ(two.packages[1].name, "kernel");
  EXPECT_EQ(two.packages[1].locations[0].layer_index, 0);
  EXPECT_EQ(two.packages[2].version, "5.14.0-2");
}

}  // namespace
}  // namespace bulwark::catalog
