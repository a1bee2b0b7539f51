#include "catalog/binary_identifier.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "catalog/lang_scan_support.hpp"
#include "core/text.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using testing::ImageBuilder;
using testing::TarEntry;

std::map<std::string, std::string> identify(std::string_view path, const std::string& bytes) {
  image::StringContent content(bytes);
  auto r = identify_binary(path, content);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message());
  std::map<std::string, std::string> out;
  if (r.ok()) {
    for (const auto& p : *r) out[p.name] = p.version;
  }
  return out;
}

TEST(BinaryIdentifier, FindsAVersionStringThatStraddlesReadChunks) {
  std::string bytes(size_t{1} << 20, '\0');
  bytes.replace(bytes.size() - 12, 27, "nginx version: nginx/1.25.3");
  bytes += std::string(1000, 'x');
  EXPECT_EQ(identify("usr/local/sbin/nginx", bytes),
            (std::map<std::string, std::string>{{"nginx", "1.25.3"}}));
}

TEST(BinaryIdentifier, RulesApplyOnlyToTheirFileNames) {
  std::string bytes = std::string("\0junk BusyBox v1.36.1 (2023-06-13)\0", 36);
  EXPECT_EQ(identify("bin/busybox", bytes),
            (std::map<std::string, std::string>{{"busybox", "1.36.1"}}));
  EXPECT_TRUE(identify("bin/sh", bytes).empty());
  EXPECT_TRUE(identify("usr/local/bin/nginx", bytes).empty());
}

TEST(BinaryIdentifier, PythonVersionMustMatchTheMinorVersionInTheFileName) {
  // libpython also names other versions (the zlib it was built with, compatibility notes).
  std::string bytes(
      "\0"
      "3.2.0\0"
      "3.11.7\0"
      "3.12.1\0",
      21);
  EXPECT_EQ(identify("usr/local/bin/python3.12", bytes),
            (std::map<std::string, std::string>{{"python", "3.12.1"}}));
  EXPECT_EQ(identify("usr/local/lib/libpython3.11.so.1.0", bytes),
            (std::map<std::string, std::string>{{"python", "3.11.7"}}));
  EXPECT_TRUE(identify("usr/local/bin/python3.9", bytes).empty());
}

TEST(BinaryIdentifier, RedisIsTheHighestOfTheVersionsItNames) {
  // The command table names the versions commands appeared in, all older than the server.
  std::string bytes(
      "\0"
      "2.6.0\0"
      "7.2.4\0"
      "7.0.0\0"
      "6.2.0\0",
      25);
  EXPECT_EQ(identify("usr/local/bin/redis-server", bytes),
            (std::map<std::string, std::string>{{"redis", "7.2.4"}}));
}

TEST(BinaryIdentifier, GarbageAndTruncatedInputFindNothing) {
  EXPECT_TRUE(identify("usr/bin/node", "").empty());
  EXPECT_TRUE(identify("usr/bin/node", "node.js/v").empty());
  EXPECT_TRUE(identify("usr/bin/node", "node.js/v1.").empty());
  EXPECT_TRUE(identify("opt/jdk/release", "JAVA_VERSION=\"\"\n").empty());
  EXPECT_EQ(identify("opt/jdk/release", "JAVA_VERSION=\"21.0.2\"\n"),
            (std::map<std::string, std::string>{{"openjdk", "21.0.2"}}));
}

class FailingContent final : public image::EntryContent {
 public:
  core::Result<size_t> read(std::span<std::byte> buf) override {
    if (calls_++ > 0) return core::Error::io("read: Input/output error");
    std::fill(buf.begin(), buf.end(), std::byte{0});
    return buf.size();
  }

 private:
  int calls_ = 0;
};

TEST(BinaryIdentifier, ReadErrorsAreReturnedNotSwallowed) {
  FailingContent content;
  auto r = identify_binary("usr/bin/node", content);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "read: Input/output error");
}

// Upstream version of a Debian package: epoch and Debian revision removed.
std::string debian_upstream(const std::string& package) {
  std::string v;
  EXPECT_EQ(testing::run_command("dpkg-query -W -f '${Version}' " + package, &v), 0) << package;
  if (auto colon = v.find(':'); colon != std::string::npos) v = v.substr(colon + 1);
  if (auto dash = v.rfind('-'); dash != std::string::npos) v = v.substr(0, dash);
  return v;
}

std::string resolved(const std::string& path) {
  return fs::canonical(path).string();
}

// Debian's real runtimes, copied by hand to paths no package manager knows.
TEST(BinaryIdentifierCatalog, IdentifiesDebiansRealRuntimesCopiedOutsideThePackageManager) {
  BW_REQUIRE_COMMAND("dpkg-query");
  BW_REQUIRE_COMMAND("node");
  for (const char* f :
       {"/usr/bin/busybox", "/usr/bin/redis-server", "/usr/sbin/nginx", "/usr/bin/python3.11",
        "/usr/bin/node", "/usr/lib/jvm/java-17-openjdk-amd64/release"}) {
    if (!fs::exists(f)) BW_SKIP_OR_FAIL(std::string(f) + " missing (scripts/install-deps.sh)");
  }
  std::string node_version;
  ASSERT_EQ(testing::run_command("node --version", &node_version), 0);
  std::string jdk = debian_upstream("openjdk-17-jre-headless");  // "17.0.15+6"
  std::map<std::string, std::string> expected = {
      {"busybox", debian_upstream("busybox")},
      {"redis", debian_upstream("redis-server")},
      {"nginx", debian_upstream("nginx")},
      {"python", debian_upstream("python3.11")},
      {"node", std::string(core::trim(node_version)).substr(1)},  // "v20.20.2"
      {"openjdk", jdk.substr(0, jdk.find('+'))}};

  testing::TempDir tmp;
  ImageBuilder b;
  b.layer(
      {TarEntry::file("usr/local/bin/busybox", testing::read_file("/usr/bin/busybox"), 0755),
       TarEntry::file("usr/local/bin/redis-server",
                      testing::read_file(resolved("/usr/bin/redis-server")), 0755),
       TarEntry::file("usr/local/nginx/sbin/nginx", testing::read_file("/usr/sbin/nginx"), 0755),
       TarEntry::file("usr/local/bin/python3.11", testing::read_file("/usr/bin/python3.11"), 0755),
       TarEntry::file("opt/java/openjdk/release",
                      testing::read_file("/usr/lib/jvm/java-17-openjdk-amd64/release"))},
      testing::LayerCompression::kZstd);
  b.layer(
      {TarEntry::file("opt/node/bin/node", testing::read_file(resolved("/usr/bin/node")), 0755)},
      testing::LayerCompression::kNone);
  b.write_oci_layout(tmp.str() + "/oci");
  auto sbom = lang_test::scan(tmp.str() + "/oci");
  auto pkgs = lang_test::of(sbom, "generic");
  std::map<std::string, std::string> found;
  for (const auto& p : pkgs) found[p.name] = p.version;
  EXPECT_EQ(found, expected);
  for (const auto& p : pkgs) {
    EXPECT_EQ(p.purl, "pkg:generic/" + p.name + "@" + p.version);
    ASSERT_EQ(p.locations.size(), 1U);
    EXPECT_EQ(p.locations[0].layer_index, p.name == "node" ? 1 : 0) << p.name;
  }
  EXPECT_TRUE(sbom.warnings.empty());
}

TEST(BinaryIdentifierCatalog, SkipsBinariesThatDpkgSaysItOwnsAlsoThroughUsrMerge) {
  BW_REQUIRE_COMMAND("dpkg-query");
  if (!fs::exists("/var/lib/dpkg/info/busybox.list")) BW_SKIP_OR_FAIL("busybox not installed");
  auto busybox = testing::read_file("/usr/bin/busybox");
  // Debian's list names /bin/busybox; the file is at usr/bin/busybox behind bin -> usr/bin.
  auto list = testing::read_file("/var/lib/dpkg/info/busybox.list");
  ASSERT_NE(list.find("/bin/busybox\n"), std::string::npos);
  testing::TempDir tmp;
  ImageBuilder b;
  b.layer({TarEntry::symlink("bin", "usr/bin"), TarEntry::file("usr/bin/busybox", busybox, 0755),
           TarEntry::file("var/lib/dpkg/status",
                          "Package: busybox\nStatus: install ok installed\nVersion: " +
                              debian_upstream("busybox") + "\nArchitecture: amd64\n\n"),
           TarEntry::file("var/lib/dpkg/info/busybox.list", list),
           TarEntry::file("usr/local/bin/busybox", busybox, 0755)});
  b.write_oci_layout(tmp.str() + "/oci");
  auto sbom = lang_test::scan(tmp.str() + "/oci");
  auto pkgs = lang_test::of(sbom, "generic");
  ASSERT_EQ(pkgs.size(), 1U);  // only the copy dpkg does not know
  EXPECT_EQ(pkgs[0].locations[0].path, "usr/local/bin/busybox");
}

// The corpus `big` image (Debian with python3-full, default-jre-headless and nodejs): the
// identifier does find Debian's own python3.11 and JDK in the layers, and the SBOM leaves
// them to dpkg, which owns them.
TEST(BinaryIdentifierCatalog, CorpusBigFindsDebiansRuntimesAndLeavesThemToDpkg) {
  std::string why;
  auto corpus = testing::corpus_dir(&why);
  if (!corpus) BW_SKIP_OR_FAIL(why);
  if (!fs::exists(*corpus / "big.oci")) {
    GTEST_SKIP() << "the `big` image is only built by `build.sh OUT all`";
  }
  auto img = image::open_image("oci:" + (*corpus / "big.oci").string(), {});
  ASSERT_TRUE(img.ok());
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  ASSERT_TRUE(layers.ok());
  std::map<std::string, std::string> in_layers;  // path -> "name version"
  for (const auto& l : *layers) {
    for (const auto& [path, pkgs] : l.facts.packages_by_path) {
      for (const auto& p : pkgs) {
        if (p.ecosystem == "generic") in_layers[path] = p.name + " " + p.version;
      }
    }
  }
  EXPECT_EQ(in_layers.count("usr/bin/python3.11"), 1U);
  EXPECT_EQ(in_layers.count("usr/lib/jvm/java-17-openjdk-amd64/release"), 1U);
  for (const auto& [path, what] : in_layers)
    std::printf("in a layer: %s: %s\n", path.c_str(), what.c_str());
  auto sbom = build_sbom(*img, *layers, catalogers);
  EXPECT_TRUE(lang_test::of(sbom, "generic").empty());
}

TEST(BinaryIdentifierCatalog, ScanSpeedOnNodeIsRecorded) {
  if (!fs::exists("/usr/bin/node")) BW_SKIP_OR_FAIL("/usr/bin/node missing");
  auto bytes = testing::read_file(resolved("/usr/bin/node"));
  image::StringContent content(bytes);
  auto t0 = std::chrono::steady_clock::now();
  auto r = identify_binary("usr/local/bin/node", content);
  auto ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1U);
  RecordProperty("node_scan_ms", std::to_string(ms));
  std::printf("node (%zu MiB): identified in %.1f ms\n", bytes.size() >> 20, ms);
}

}  // namespace
}  // namespace bulwark::catalog
