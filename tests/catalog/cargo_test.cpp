#include "catalog/cargo.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "catalog/catalogers.hpp"
#include "catalog/sbom.hpp"
#include "core/limits.hpp"
#include "image/image.hpp"
#include "support/image_builder.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;
using Ids = std::set<std::pair<std::string, std::string>>;

Ids ids(const std::vector<core::Package>& pkgs) {
  Ids out;
  for (const auto& p : pkgs) out.emplace(p.name, p.version);
  return out;
}

// cargo itself writes the lock file (offline: path crates plus Debian's librust-*-dev crates
// as a directory source) and `cargo metadata` is the reference.
TEST(CargoLock, MatchesCargoMetadataForALockCargoGenerated) {
  BW_REQUIRE_COMMAND("cargo");
  if (!fs::exists("/usr/share/cargo/registry/itoa-1.0.1")) {
    BW_SKIP_OR_FAIL("librust-itoa-dev and librust-cfg-if-dev not installed");
  }
  testing::TempDir tmp;
  auto app = tmp.path() / "app";
  fs::create_directories(app / "src");
  fs::create_directories(app / "util/src");
  fs::create_directories(app / ".cargo");
  testing::write_file(app / "Cargo.toml",
                      "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n"
                      "[dependencies]\nitoa = \"1\"\ncfg-if = \"1\"\nutil = { path = \"util\" }\n");
  testing::write_file(app / "src/main.rs", "fn main() {}\n");
  testing::write_file(app / "util/Cargo.toml",
                      "[package]\nname = \"util\"\nversion = \"0.2.0\"\nedition = \"2021\"\n");
  testing::write_file(app / "util/src/lib.rs", "pub fn f() {}\n");
  testing::write_file(app / ".cargo/config.toml",
                      "[source.crates-io]\nreplace-with = \"debian\"\n[source.debian]\n"
                      "directory = \"/usr/share/cargo/registry\"\n");
  std::string env = "cd '" + app.string() + "' && CARGO_HOME='" + tmp.str() + "/home' ";
  ASSERT_EQ(testing::run_command(env + "cargo generate-lockfile --offline"), 0);
  std::string meta;
  ASSERT_EQ(
      testing::run_command(
          env + "cargo metadata --offline --format-version 1 | python3 -c 'import json,sys\n"
                "for p in json.load(sys.stdin)[\"packages\"]: print(p[\"name\"], p[\"version\"])'",
          &meta),
      0);
  Ids want;
  std::istringstream in(meta);
  std::string name, version;
  while (in >> name >> version) want.emplace(name, version);
  ASSERT_GE(want.size(), 4U);
  auto lock = parse_cargo_lock(testing::read_file(app / "Cargo.lock"));
  ASSERT_TRUE(lock.ok()) << lock.error().message();
  EXPECT_EQ(ids(lock->packages), want);
  EXPECT_TRUE(lock->warnings.empty());
  for (const auto& p : lock->packages) {
    if (p.name == "itoa") {
      EXPECT_EQ(p.purl, "pkg:cargo/itoa@1.0.1");
    }
  }
}

// Version 1 lock files (checksums in [metadata]) written from the cargo documentation's format.
TEST(CargoLock, ReadsVersion1LockFiles) {
  auto lock = parse_cargo_lock(R"toml([[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "serde 1.0.100 (registry+https://github.com/rust-lang/crates.io-index)",
]

[[package]]
name = "serde"
version = "1.0.100"
source = "registry+https://github.com/rust-lang/crates.io-index"

[metadata]
"checksum serde 1.0.100 (registry+https://github.com/rust-lang/crates.io-index)" = "f4473e8506b213730ff2061073b48fa51dcc66349219e2e7c5608f0296a1d95a"
)toml");
  ASSERT_TRUE(lock.ok()) << lock.error().message();
  EXPECT_EQ(ids(lock->packages), (Ids{{"app", "0.1.0"}, {"serde", "1.0.100"}}));
}

TEST(CargoLock, BadInputIsAOneLineErrorOrWarning) {
  auto not_toml = parse_cargo_lock("[[package]\nname = ");
  ASSERT_FALSE(not_toml.ok());
  EXPECT_TRUE(not_toml.error().message().starts_with("not TOML: ")) << not_toml.error().message();
  EXPECT_NE(not_toml.error().message().find("line 1"), std::string::npos);
  auto wrong = parse_cargo_lock("package = \"x\"\n");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message(), "`package` is not an array of tables");
  auto types = parse_cargo_lock(
      "[[package]]\nname = 3\nversion = \"1\"\n[[package]]\nname = \"ok\"\nversion = \"2\"\n");
  ASSERT_TRUE(types.ok());
  EXPECT_EQ(ids(types->packages), (Ids{{"ok", "2"}}));
  EXPECT_EQ(types->warnings,
            std::vector<std::string>{"package #1 has no string name and version; skipped"});
  std::string deep(100000, '[');
  auto nested = parse_cargo_lock("a = " + deep);
  EXPECT_FALSE(nested.ok());
}

// cargo-auditable's .dep-v0 section added to a real ELF with objcopy, holding the JSON the
// format documents (auditable-serde: packages with name, version, source, kind, dependencies,
// root), zlib-compressed as cargo-auditable writes it.
class AuditableBinary : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_command("objcopy")) BW_SKIP_OR_FAIL("binutils not installed");
    if (!testing::have_command("python3")) BW_SKIP_OR_FAIL("python3 not installed");
    testing::write_file(tmp_.path() / "mk.py", R"(
import json, zlib, shutil, subprocess
deps = {"packages": [
  {"name": "hello", "version": "0.1.0", "source": "local", "dependencies": [1, 2], "root": True},
  {"name": "itoa", "version": "1.0.9", "source": "crates.io"},
  {"name": "cc", "version": "1.0.79", "source": "crates.io", "kind": "build"},
  {"name": "gitdep", "version": "0.3.0", "source": "git"}]}
open('dep.bin', 'wb').write(zlib.compress(json.dumps(deps).encode()))
open('notzlib.bin', 'wb').write(b'this is not zlib')
open('bomb.bin', 'wb').write(zlib.compress(b' ' * (64 << 20), 9))
for name in ['dep', 'notzlib', 'bomb']:
    shutil.copy('/usr/bin/true', name + '.elf')
    subprocess.check_call(['objcopy', '--add-section', '.dep-v0=%s.bin' % name,
                           '--set-section-flags', '.dep-v0=noload,readonly', name + '.elf', name + '.elf'])
)");
    ASSERT_EQ(testing::run_command("cd '" + tmp_.str() + "' && python3 mk.py"), 0);
  }
  std::string file(const std::string& n) { return testing::read_file(tmp_.path() / n); }
  testing::TempDir tmp_;
};

TEST_F(AuditableBinary, ReadsTheEmbeddedDependencyTree) {
  auto pkgs = read_cargo_auditable(file("dep.elf"));
  ASSERT_TRUE(pkgs.ok()) << pkgs.error().message();
  EXPECT_EQ(ids(*pkgs),
            (Ids{{"hello", "0.1.0"}, {"itoa", "1.0.9"}, {"cc", "1.0.79"}, {"gitdep", "0.3.0"}}));
  auto plain = read_cargo_auditable(testing::read_file("/usr/bin/true"));
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code(), core::ErrorCode::kNotFound);
}

TEST_F(AuditableBinary, CorruptAndOversizedSectionsAreErrors) {
  auto bad = read_cargo_auditable(file("notzlib.elf"));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.error().message().starts_with(".dep-v0: zlib: ")) << bad.error().message();
  auto bomb = read_cargo_auditable(file("bomb.elf"));
  ASSERT_FALSE(bomb.ok());
  EXPECT_EQ(bomb.error().code(), core::ErrorCode::kLimitExceeded);
  auto json = parse_cargo_auditable_json("{\"packages\": 3}");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().message(), ".dep-v0: no `packages` array");
}

TEST_F(AuditableBinary, ImageScanFindsBinariesAndLockFilesWithTheirLayers) {
  testing::ImageBuilder b;
  b.layer({testing::TarEntry::file("usr/bin/hello", file("dep.elf"), 0755)});
  b.layer(
      {testing::TarEntry::file("src/app/Cargo.lock",
                               "version = 3\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\n"),
       testing::TarEntry::file("usr/bin/broken", file("notzlib.elf"), 0755)});
  b.write_oci_layout(tmp_.str() + "/img");
  auto img = image::open_image(tmp_.str() + "/img", {});
  ASSERT_TRUE(img.ok()) << img.error().message();
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  auto sbom = build_sbom(*img, *layers, catalogers);
  std::map<std::string, Ids> by_path;
  for (const auto& p : sbom.packages) {
    if (p.ecosystem != "cargo") continue;
    by_path[p.locations.at(0).path].emplace(p.name, p.version);
    EXPECT_EQ(p.locations.at(0).layer_index, p.locations.at(0).path == "usr/bin/hello" ? 0 : 1);
  }
  EXPECT_EQ(by_path["usr/bin/hello"].size(), 4U);
  EXPECT_EQ(by_path["src/app/Cargo.lock"], (Ids{{"app", "0.1.0"}}));
  bool warned = false;
  for (const auto& w : sbom.warnings)
    warned |= w.starts_with("layer 2: usr/bin/broken: rust-binary: .dep-v0: zlib: ");
  EXPECT_TRUE(warned) << ::testing::PrintToString(sbom.warnings);
}

}  // namespace
}  // namespace bulwark::catalog
