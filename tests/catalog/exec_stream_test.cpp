// The executable catalogers read executables as they stream past (exec_stream.hpp): whatever
// the chunking, they must find what reading the whole file finds, keep far fewer bytes, and
// say so when what they need lies outside what they kept.
#include "catalog/exec_stream.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "catalog/cargo.hpp"
#include "catalog/go_binary.hpp"
#include "support/test_env.hpp"

namespace bulwark::catalog {
namespace {

namespace fs = std::filesystem;

// What a cataloger's sink records for `file`, fed as a first chunk of `first` bytes and then
// chunks of `size`.
image::LayerFacts stream(const Cataloger& c, std::string_view file, size_t first, size_t size,
                         uint64_t size_hint = 0) {
  image::Entry e;
  e.path = "usr/bin/x";
  e.size = size_hint != 0 ? size_hint : file.size();
  e.mode = 0755;
  auto sink = c.open_sink(e);
  EXPECT_NE(sink, nullptr);
  size_t pos = std::min(first, file.size());
  if (pos > 0) sink->write(file.substr(0, pos));
  while (pos < file.size()) {
    sink->write(file.substr(pos, size));
    pos += size;
  }
  image::LayerFacts out;
  sink->finish(out);
  return out;
}

using Purls = std::set<std::string>;

Purls purls(const image::LayerFacts& f) {
  Purls out;
  for (const auto& [path, pkgs] : f.packages_by_path) {
    for (const auto& p : pkgs) out.insert(p.purl);
  }
  return out;
}

// What reading the whole file gives, recorded the way the sink records it.
struct Expected {
  Purls purls;
  std::vector<std::string> warnings;
};

Expected whole_go(std::string_view file) {
  Expected e;
  auto info = read_go_build_info(file);
  if (info.ok()) {
    for (const auto& p : go_build_info_packages(*info)) e.purls.insert(p.purl);
  } else if (info.error().code() != core::ErrorCode::kNotFound &&
             info.error().code() != core::ErrorCode::kUnsupported) {
    e.warnings.push_back("usr/bin/x: go-binary: " + info.error().message());
  }
  return e;
}

void expect_same(const image::LayerFacts& got, const Expected& want, const std::string& what) {
  EXPECT_EQ(purls(got), want.purls) << what;
  EXPECT_EQ(got.warnings, want.warnings) << what;
}

// Go binaries built here: without a build ID (-buildid=, so nothing in the head proves Go and
// only the planned windows are kept) for ELF 64, ELF 32 and PE, and one with it.
class GoStream : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_command("go")) return;
    dir_ = new testing::TempDir();
    auto d = dir_->path();
    testing::write_file(d / "go.mod", "module example.com/nb\n\ngo 1.19\n");
    testing::write_file(d / "main.go",
                        "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n");
    std::string env = "cd '" + d.string() + "' && export GOFLAGS=-mod=mod GOCACHE=" +
                      (fs::temp_directory_path() / "bulwark-test-go-build-cache").string() +
                      " HOME=" + d.string() + " && ";
    ok_ = testing::run_command(env +
                               "go build -buildvcs=false -ldflags=-buildid= -o nb . && "
                               "GOARCH=386 go build -buildvcs=false -ldflags=-buildid= -o nb386 . "
                               "&& GOOS=windows go build -buildvcs=false -ldflags=-buildid= -o "
                               "nb.exe . && go build -buildvcs=false -o withid .") == 0;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!testing::have_command("go")) BW_SKIP_OR_FAIL("golang-go not installed");
    ASSERT_TRUE(ok_) << "building the test programs failed";
  }
  static std::string file(const std::string& n) { return testing::read_file(dir_->path() / n); }
  static inline testing::TempDir* dir_ = nullptr;
  static inline bool ok_ = false;
};

TEST_F(GoStream, BuildInfoSplitAtEveryChunkBoundaryMatchesTheWholeFileRead) {
  GoBinaryCataloger go;
  for (const auto* name : {"nb", "nb386", "nb.exe", "withid"}) {
    auto bin = file(name);
    auto want = whole_go(bin);
    ASSERT_GE(want.purls.size(), 2U) << name;  // stdlib and the main module
    for (size_t size : {1, 7, 4096}) expect_same(stream(go, bin, 0, size), want, name);
    // Every split of the header and its strings between two chunks.
    auto at = bin.find("\xff Go buildinf:");
    ASSERT_NE(at, std::string::npos);
    for (size_t cut = at - 8; cut < at + 160; ++cut) {
      expect_same(stream(go, bin, cut, 1 << 20), want,
                  std::string(name) + " cut at " + std::to_string(cut));
    }
  }
}

TEST_F(GoStream, KeepsAFractionOfTheFileUnlessItProvesToBeGo) {
  for (const auto* name : {"nb", "nb386", "nb.exe"}) {
    auto bin = file(name);
    ExecutableStream s(bin.size(), /*keep_whole_go=*/true);
    for (size_t pos = 0; pos < bin.size(); pos += 65536)
      s.write(std::string_view(bin).substr(pos, 65536));
    auto f = s.finish();
    ASSERT_TRUE(f && f->ok()) << name;
    ASSERT_NE((*f)->kept, nullptr) << name;
    // Unstripped (as `go build` leaves them): the symbols and DWARF after the loaded segments
    // are kept with the tail.
    EXPECT_LT(s.kept() * 2, bin.size()) << name << ": kept " << s.kept();
    auto info = read_go_build_info((*f)->bytes, (*f)->kept);
    ASSERT_TRUE(info.ok()) << name << ": " << info.error().message();
  }
  // With a build ID the Go cataloger keeps every loaded segment (pre-1.18 strings are read by
  // address from any of them); the rust one does not.
  auto bin = file("withid");
  for (bool go : {true, false}) {
    ExecutableStream s(bin.size(), go);
    s.write(bin);
    auto f = s.finish();
    ASSERT_TRUE(f && f->ok());
    ASSERT_NE((*f)->kept, nullptr);
    auto info = read_go_build_info((*f)->bytes, (*f)->kept);
    ASSERT_TRUE(info.ok()) << info.error().message();
    if (go) {
      auto plan = plan_executable_stream(std::string_view(bin).substr(0, kHeadBytes), bin.size());
      for (const auto& [b, e] : plan.loads.ranges()) EXPECT_TRUE((*f)->kept->covers(b, e - b));
      EXPECT_GT(s.kept() * 2, bin.size());
    } else {
      EXPECT_LT(s.kept() * 2, bin.size());
    }
  }
  auto plan = plan_executable_stream(std::string_view(bin).substr(0, kHeadBytes), bin.size());
  EXPECT_TRUE(plan.go_build_id);
  auto plain = testing::read_file("/usr/bin/true");
  auto c = plan_executable_stream(std::string_view(plain).substr(0, kHeadBytes), plain.size());
  EXPECT_TRUE(c.executable);
  EXPECT_FALSE(c.go_build_id);
  EXPECT_FALSE(c.whole);
}

TEST_F(GoStream, TruncatedAndCorruptFilesGiveTheWholeFileReadsResult) {
  GoBinaryCataloger go;
  auto bin = file("nb");
  std::vector<std::pair<std::string, std::string>> cases;
  cases.emplace_back("half", bin.substr(0, bin.size() / 2));
  cases.emplace_back("100 bytes", bin.substr(0, 100));
  auto shoff = bin;
  shoff[45] = '\x7f';  // e_shoff far beyond the file
  cases.emplace_back("e_shoff", shoff);
  auto phoff = bin;
  phoff[33] = '\x40';  // e_phoff 0x4040: program headers past the first page
  cases.emplace_back("e_phoff", phoff);
  auto far = bin;
  far[34] = '\x40';  // e_phoff 0x400040: past any head, inside the file
  cases.emplace_back("e_phoff far", far);
  auto magic = bin;
  magic[5] = '\x09';  // bad data encoding
  cases.emplace_back("encoding", magic);
  for (const auto& [what, data] : cases) {
    auto want = whole_go(data);
    for (size_t size : {7, 4096}) expect_same(stream(go, data, 0, size), want, what);
  }
  // A stream that ends before the size its header announced.
  auto half = bin.substr(0, bin.size() / 2);
  expect_same(stream(go, half, 0, 4096, bin.size()), whole_go(half), "short stream");
}

// The pre-1.18 layout: the header in the writable segment points at a string header, which
// points at string bytes in a read-only segment far before it (as .rodata is).
std::string old_layout_elf(bool go_note) {
  const uint64_t base = 0x400000;
  std::string f(0x30000, '\0');
  auto put = [&](size_t off, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) f[off + static_cast<size_t>(i)] = static_cast<char>(v >> (8 * i));
  };
  std::string version = "go1.16.15";
  std::string sentinel(16, '\x01');
  std::string modinfo = sentinel + "path\tex.com/old\nmod\tex.com/old\tv1.0.0\th1:x=\n" + sentinel;
  f.replace(0x18000, version.size(), version);
  f.replace(0x18100, modinfo.size(), modinfo);
  std::string magic = "\xff Go buildinf:";
  f.replace(0x20000, magic.size(), magic);
  f[0x2000e] = 8;
  f[0x2000f] = 0;
  put(0x20010, base + 0x20100, 8);
  put(0x20018, base + 0x20110, 8);
  put(0x20100, base + 0x18000, 8);
  put(0x20108, version.size(), 8);
  put(0x20110, base + 0x18100, 8);
  put(0x20118, modinfo.size(), 8);
  f.replace(0, 4,
            "\x7f"
            "ELF");
  f[4] = 2;
  f[5] = 1;
  f[6] = 1;
  put(32, 64, 8);  // e_phoff
  put(54, 56, 2);  // e_phentsize
  put(56, 3, 2);   // e_phnum
  auto ph = [&](size_t i, uint32_t type, uint32_t flags, uint64_t off, uint64_t size) {
    size_t p = 64 + i * 56;
    put(p, type, 4);
    put(p + 4, flags, 4);
    put(p + 8, off, 8);
    put(p + 16, base + off, 8);
    put(p + 32, size, 8);
  };
  ph(0, 1, 4, 0, 0x20000);        // R: headers and "rodata"
  ph(1, 1, 6, 0x20000, 0x10000);  // RW: build info
  if (go_note) {
    ph(2, 4, 4, 0x200, 20);  // PT_NOTE: namesz 4, descsz 4, type 4, "Go\0\0", desc
    put(0x200, 4, 4);
    put(0x204, 4, 4);
    put(0x208, 4, 4);
    f.replace(0x20c, 4, std::string("Go\0\0", 4));
  } else {
    ph(2, 6, 4, 0, 0);  // PT_PHDR-like filler
  }
  return f;
}

TEST(GoStreamLayout, Pre118BuildInfoOutsideTheKeptBytesIsAWarningUnlessTheFileProvesGo) {
  GoBinaryCataloger go;
  auto plain = old_layout_elf(false);
  auto whole = whole_go(plain);
  ASSERT_EQ(whole.purls, (Purls{"pkg:golang/stdlib@1.16.15", "pkg:golang/ex.com/old@v1.0.0"}));
  auto streamed = stream(go, plain, 0, 4096);
  EXPECT_TRUE(streamed.packages_by_path.empty());
  EXPECT_EQ(streamed.warnings,
            std::vector<std::string>{
                "usr/bin/x: go-binary: Go build info: its strings lie outside the bytes kept "
                "while the file streamed (the pre-1.18 layout, in a binary without a Go build "
                "ID)"});
  auto noted = old_layout_elf(true);
  for (size_t size : {1, 7, 4096}) expect_same(stream(go, noted, 0, size), whole_go(noted), "note");
}

TEST(KeptRanges, MergesOverlapsAndAnswersCoverage) {
  KeptRanges k;
  k.add(10, 20);
  k.add(30, 40);
  k.add(15, 31);
  k.add(50, 50);
  EXPECT_EQ(k.ranges().size(), 1U);
  EXPECT_EQ(k.total(), 30U);
  EXPECT_TRUE(k.covers(10, 30));
  EXPECT_FALSE(k.covers(9, 2));
  EXPECT_FALSE(k.covers(39, 2));
  EXPECT_TRUE(k.covers(100, 0));
  EXPECT_FALSE(k.covers(UINT64_MAX, 2));
  k.add(0, 5);
  EXPECT_EQ(k.ranges().size(), 2U);
}

// cargo-auditable's .dep-v0 is a non-allocated ELF section: after every loaded byte, which the
// stream keeps up to kTailBytes. objcopy places added sections before .shstrtab.
class AuditableStream : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::have_command("objcopy")) BW_SKIP_OR_FAIL("binutils not installed");
    if (!testing::have_command("python3")) BW_SKIP_OR_FAIL("python3 not installed");
    testing::write_file(tmp_.path() / "mk.py", R"(
import json, zlib, shutil, subprocess
deps = {"packages": [
  {"name": "hello", "version": "0.1.0", "source": "local", "dependencies": [1], "root": True},
  {"name": "itoa", "version": "1.0.9", "source": "crates.io"}]}
open('dep.bin', 'wb').write(zlib.compress(json.dumps(deps).encode()))
open('notzlib.bin', 'wb').write(b'this is not zlib')
open('junk.bin', 'wb').write(bytes(range(256)) * (5 << 12))  # 5 MiB of symbols, say
def add(out, *sections):
    shutil.copy('/usr/bin/true', out)
    for s in sections:  # one objcopy each: sections land in the order added
        subprocess.check_call(['objcopy', '--add-section', s, out, out])
add('dep.elf', '.dep-v0=dep.bin')
add('notzlib.elf', '.dep-v0=notzlib.bin')
add('dep_then_junk.elf', '.dep-v0=dep.bin', '.junk=junk.bin')
add('junk_then_dep.elf', '.junk=junk.bin', '.dep-v0=dep.bin')
)");
    ASSERT_EQ(testing::run_command("cd '" + tmp_.str() + "' && python3 mk.py"), 0);
  }
  std::string file(const std::string& n) { return testing::read_file(tmp_.path() / n); }
  testing::TempDir tmp_;
};

TEST_F(AuditableStream, FindsTheSectionWhateverTheChunkingAndWarnsWhenItWasNotKept) {
  CargoAuditableCataloger rust;
  const Purls want{"pkg:cargo/hello@0.1.0", "pkg:cargo/itoa@1.0.9"};
  for (const auto* name : {"dep.elf", "junk_then_dep.elf"}) {
    auto bin = file(name);
    auto whole = read_cargo_auditable(bin);
    ASSERT_TRUE(whole.ok()) << name;
    for (size_t size : {1, 7, 4096}) {
      auto got = stream(rust, bin, 0, size);
      EXPECT_EQ(purls(got), want) << name << " " << size;
      EXPECT_TRUE(got.warnings.empty()) << name;
    }
  }
  auto far = file("dep_then_junk.elf");
  ASSERT_TRUE(read_cargo_auditable(far).ok());
  auto got = stream(rust, far, 0, 4096);
  EXPECT_TRUE(got.packages_by_path.empty());
  ASSERT_EQ(got.warnings.size(), 1U);
  EXPECT_TRUE(got.warnings[0].starts_with(
      "usr/bin/x: rust-binary: .dep-v0: the section lies outside the bytes kept"))
      << got.warnings[0];
  auto bad = stream(rust, file("notzlib.elf"), 0, 7);
  ASSERT_EQ(bad.warnings.size(), 1U);
  EXPECT_TRUE(bad.warnings[0].starts_with("usr/bin/x: rust-binary: .dep-v0: zlib: "))
      << bad.warnings[0];
  // Truncated before the section: what the whole-file read says (the section header table
  // is gone: not an executable this cataloger reports on).
  auto cut = file("dep.elf").substr(0, 5000);
  EXPECT_FALSE(read_cargo_auditable(cut).ok());
  auto t = stream(rust, cut, 0, 7);
  EXPECT_TRUE(t.packages_by_path.empty());
  EXPECT_TRUE(t.warnings.empty());
}

// A .dep-v0 the linker loads (a C program's section attribute; cargo-auditable's own is never
// loaded on ELF) sits inside a read-only segment the stream does not keep: a warning, where
// reading the whole file finds it. In a PE image the section table names it up front, so it
// is kept.
TEST_F(AuditableStream, LoadedSectionsAreAWarningInElfAndKeptInPe) {
  BW_REQUIRE_COMMAND("gcc");
  testing::write_file(tmp_.path() / "inc.py",
                      "print(','.join(str(b) for b in open('dep.bin','rb').read()))\n");
  testing::write_file(tmp_.path() / "c.c", R"(#include <stdio.h>
__attribute__((section(".dep-v0"), used)) static const unsigned char dep[] = {
#include "dep.inc"
};
static const char pad[200000] = {1};
int main(int argc, char** argv) { (void)argv; puts(pad + argc); return 0; }
)");
  ASSERT_EQ(testing::run_command("cd '" + tmp_.str() +
                                 "' && python3 inc.py > dep.inc && gcc -O1 -o loaded c.c"),
            0);
  CargoAuditableCataloger rust;
  const Purls want{"pkg:cargo/hello@0.1.0", "pkg:cargo/itoa@1.0.9"};
  auto loaded = file("loaded");
  ASSERT_GT(loaded.size(), kSmallFileBytes);
  auto whole = read_cargo_auditable(loaded);
  ASSERT_TRUE(whole.ok()) << whole.error().message();
  auto got = stream(rust, loaded, 0, 4096);
  EXPECT_TRUE(got.packages_by_path.empty());
  ASSERT_EQ(got.warnings.size(), 1U);
  EXPECT_TRUE(got.warnings[0].starts_with(
      "usr/bin/x: rust-binary: .dep-v0: the section lies outside the bytes kept"))
      << got.warnings[0];
  if (!testing::have_command("go")) return;
  testing::write_file(tmp_.path() / "go.mod", "module example.com/pe\n\ngo 1.19\n");
  testing::write_file(tmp_.path() / "main.go", "package main\n\nfunc main() {}\n");
  ASSERT_EQ(
      testing::run_command(
          "cd '" + tmp_.str() + "' && GOOS=windows GOFLAGS=-mod=mod HOME='" + tmp_.str() +
          "' GOCACHE=" + (fs::temp_directory_path() / "bulwark-test-go-build-cache").string() +
          " go build -buildvcs=false -ldflags=-buildid= -o pe.exe . && objcopy --add-section "
          ".dep-v0=dep.bin --set-section-flags .dep-v0=readonly,data pe.exe dep.exe 2>/dev/null"),
      0);
  auto pe = file("dep.exe");
  ASSERT_GT(pe.size(), kSmallFileBytes);
  ASSERT_TRUE(read_cargo_auditable(pe).ok());
  for (size_t size : {7, 4096}) {
    auto p = stream(rust, pe, 0, size);
    EXPECT_EQ(purls(p), want);
    EXPECT_TRUE(p.warnings.empty()) << ::testing::PrintToString(p.warnings);
  }
}

}  // namespace
}  // namespace bulwark::catalog
