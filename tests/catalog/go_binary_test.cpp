#include "catalog/go_binary.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "catalog/catalogers.hpp"
#include "catalog/dpkg.hpp"
#include "catalog/elf_pe.hpp"
#include "catalog/go_mod.hpp"
#include "catalog/sbom.hpp"
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

// `go version -m` output as (kind, fields...) rows, blank fields dropped; our build info
// rendered the same way, so the two compare field by field.
using Rows = std::vector<std::vector<std::string>>;

Rows reference_rows(const std::string& bin, std::string* go_version) {
  std::string out;
  EXPECT_EQ(testing::run_command("go version -m '" + bin + "'", &out), 0) << bin;
  Rows rows;
  std::istringstream in(out);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (first) {
      *go_version = line.substr(line.rfind(' ') + 1);
      first = false;
      continue;
    }
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string part;
    while (std::getline(ss, part, '\t')) {
      if (!part.empty()) f.push_back(part);
    }
    if (!f.empty()) rows.push_back(f);
  }
  return rows;
}

Rows our_rows(const GoBuildInfo& info) {
  Rows rows;
  auto mod = [&](const std::string& word, const GoModule& m) {
    std::vector<std::string> r{word, m.path};
    for (const auto& s : {m.version, m.sum}) {
      if (!s.empty()) r.push_back(s);
    }
    rows.push_back(r);
    if (m.replace) {
      std::vector<std::string> rr{"=>", m.replace->first};
      if (!m.replace->second.empty()) rr.push_back(m.replace->second);
      rows.push_back(rr);
    }
  };
  if (!info.path.empty()) rows.push_back({"path", info.path});
  if (info.main) mod("mod", *info.main);
  for (const auto& d : info.deps) mod("dep", d);
  for (const auto& [k, v] : info.settings) rows.push_back({"build", k + "=" + v});
  return rows;
}

void expect_matches_go_version_m(const std::string& bin) {
  std::string ref_version;
  auto ref = reference_rows(bin, &ref_version);
  auto info = read_go_build_info(testing::read_file(bin));
  ASSERT_TRUE(info.ok()) << bin << ": " << info.error().message();
  EXPECT_EQ(info->go_version, ref_version) << bin;
  EXPECT_EQ(our_rows(*info), ref) << bin;
  // stdlib is a package, at the toolchain version without "go".
  auto pkgs = go_build_info_packages(*info);
  ASSERT_FALSE(pkgs.empty());
  EXPECT_EQ(pkgs[0].name, "stdlib");
  EXPECT_EQ("go" + pkgs[0].version, ref_version);
  EXPECT_EQ(pkgs[0].purl, "pkg:golang/stdlib@" + pkgs[0].version);
}

// A module built offline: one dependency served by a file:// module proxy written here (so
// go.sum and the build info carry real h1: hashes) and one replaced by a local directory.
class GoModuleBuild : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::have_command("go")) return;
    dir_ = new testing::TempDir();
    auto d = dir_->path();
    fs::create_directories(d / "proxy/example.com/greet/@v");
    fs::create_directories(d / "src/local");
    testing::write_file(d / "src/go.mod",
                        "module example.com/hello\n\ngo 1.19\n\nrequire (\n\texample.com/greet "
                        "v1.2.3\n\texample.com/local v0.0.0\n)\n\nreplace example.com/local => "
                        "./local\n");
    testing::write_file(
        d / "src/main.go",
        "package main\n\nimport (\n\t\"example.com/greet\"\n\t\"example.com/local\"\n"
        "\t\"fmt\"\n)\n\nfunc main() { fmt.Println(greet.Hello(), local.Name) }\n");
    testing::write_file(d / "src/local/go.mod", "module example.com/local\n\ngo 1.19\n");
    testing::write_file(d / "src/local/local.go", "package local\n\nconst Name = \"local\"\n");
    testing::write_file(d / "mkproxy.py", R"(
import zipfile, sys
base = sys.argv[1] + '/proxy/example.com/greet/@v/'
open(base + 'list', 'w').write('v1.2.3\n')
open(base + 'v1.2.3.info', 'w').write('{"Version":"v1.2.3","Time":"2023-01-02T03:04:05Z"}\n')
mod = 'module example.com/greet\n\ngo 1.19\n'
open(base + 'v1.2.3.mod', 'w').write(mod)
with zipfile.ZipFile(base + 'v1.2.3.zip', 'w') as z:
    z.writestr('example.com/greet@v1.2.3/go.mod', mod)
    z.writestr('example.com/greet@v1.2.3/greet.go', 'package greet\n\nfunc Hello() string { return "hi" }\n')
)");
    std::string env = "cd '" + d.string() + "/src' && export GOFLAGS=-mod=mod GOPROXY=file://" +
                      d.string() + "/proxy GOSUMDB=off GOCACHE=" +
                      (fs::temp_directory_path() / "bulwark-test-go-build-cache").string() +
                      " GOMODCACHE=" + d.string() + "/modcache HOME=" + d.string() + " && ";
    ok_ =
        testing::run_command("python3 '" + d.string() + "/mkproxy.py' '" + d.string() + "'") == 0 &&
        testing::run_command(env +
                             "go mod tidy && go build -buildvcs=false -o ../hello . && "
                             "GOOS=windows go build -buildvcs=false -o ../hello.exe . && "
                             "GOARCH=386 go build -buildvcs=false -o ../hello386 . && "
                             "go clean -modcache") == 0;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!testing::have_command("go")) BW_SKIP_OR_FAIL("golang-go not installed");
    ASSERT_TRUE(ok_) << "building the test module failed";
  }
  static fs::path path(const std::string& name) { return dir_->path() / name; }
  static inline testing::TempDir* dir_ = nullptr;
  static inline bool ok_ = false;
};

const Ids kHelloIds = {{"stdlib", "1.19.8"},
                       {"example.com/hello", "(devel)"},
                       {"example.com/greet", "v1.2.3"},
                       {"example.com/local", "(devel)"}};

TEST_F(GoModuleBuild, BuildInfoMatchesGoVersionMForElf64Elf32AndPe) {
  for (const auto* bin : {"hello", "hello386", "hello.exe"}) {
    expect_matches_go_version_m(path(bin).string());
    auto info = read_go_build_info(testing::read_file(path(bin)));
    ASSERT_TRUE(info.ok());
    auto pkgs = go_build_info_packages(*info);
    std::string ver = info->go_version.substr(2);
    Ids want = kHelloIds;
    want.erase({"stdlib", "1.19.8"});
    want.emplace("stdlib", ver);
    EXPECT_EQ(ids(pkgs), want) << bin;
    for (const auto& p : pkgs) {
      if (p.name == "example.com/greet") {
        EXPECT_EQ(p.purl, "pkg:golang/example.com/greet@v1.2.3");
      }
    }
  }
  auto x = parse_executable(testing::read_file(path("hello.exe")));
  ASSERT_TRUE(x.ok());
  EXPECT_EQ(x->format, Executable::Format::kPe);
}

// Without section headers (what sstrip and some packers leave) the header is found in the
// writable PT_LOAD segment.
TEST_F(GoModuleBuild, FindsBuildInfoWithoutAnySectionHeaders) {
  auto bin = testing::read_file(path("hello"));
  ASSERT_GT(bin.size(), 64U);
  std::memset(bin.data() + 40, 0, 8);  // e_shoff
  std::memset(bin.data() + 60, 0, 4);  // e_shnum, e_shstrndx
  auto x = parse_executable(bin);
  ASSERT_TRUE(x.ok()) << x.error().message();
  EXPECT_TRUE(x->sections.empty());
  auto info = read_go_build_info(bin);
  ASSERT_TRUE(info.ok()) << info.error().message();
  EXPECT_EQ(ids(go_build_info_packages(*info)), kHelloIds);
}

TEST_F(GoModuleBuild, GoModMatchesGoModEditJsonAndGoSumListsTheDownloadedModule) {
  std::string json;
  ASSERT_EQ(testing::run_command("cd '" + path("src").string() + "' && go mod edit -json", &json),
            0);
  auto mod = parse_go_mod(testing::read_file(path("src/go.mod")));
  EXPECT_EQ(mod.module, "example.com/hello");
  EXPECT_EQ(mod.go_version, "1.19");
  EXPECT_NE(json.find("\"Path\": \"example.com/greet\""), std::string::npos);
  EXPECT_NE(json.find("\"Path\": \"./local\""), std::string::npos);
  EXPECT_EQ(ids(mod.requires_),
            (Ids{{"example.com/greet", "v1.2.3"}, {"example.com/local", "(devel)"}}));
  auto sum = parse_go_sum(testing::read_file(path("src/go.sum")));
  EXPECT_EQ(ids(sum), (Ids{{"example.com/greet", "v1.2.3"}}));
}

TEST(GoMod, ReadsBlocksCommentsQuotesAndVersionSpecificReplacements) {
  auto m = parse_go_mod(R"(// a comment
module "example.com/app" // trailing
go 1.16
require github.com/a/b v1.0.0
require (
	github.com/c/d v0.3.1 // indirect
	golang.org/x/net v0.7.0
	github.com/old/e v1.1.0
)
exclude github.com/a/b v0.9.0
replace (
	golang.org/x/net v0.7.0 => golang.org/x/net v0.17.0
	golang.org/x/net => golang.org/x/net v0.1.0
	github.com/old/e => github.com/new/e v2.0.0+incompatible
)
retract v0.0.1
)");
  EXPECT_EQ(m.module, "example.com/app");
  EXPECT_EQ(m.go_version, "1.16");
  EXPECT_EQ(ids(m.requires_), (Ids{{"github.com/a/b", "v1.0.0"},
                                   {"github.com/c/d", "v0.3.1"},
                                   {"golang.org/x/net", "v0.17.0"},
                                   {"github.com/new/e", "v2.0.0+incompatible"}}));
}

TEST(GoBinary, DebianGoBinariesMatchGoVersionM) {
  BW_REQUIRE_COMMAND("go");
  std::vector<std::string> bins;
  std::string goroot;
  ASSERT_EQ(testing::run_command("go env GOROOT", &goroot), 0);
  goroot = goroot.substr(0, goroot.find('\n'));
  for (const auto& p :
       {goroot + "/bin/go", goroot + "/bin/gofmt", std::string("/usr/bin/skopeo")}) {
    if (fs::exists(p)) bins.push_back(p);
  }
  for (const auto& e : fs::directory_iterator(goroot + "/pkg/tool")) {
    if (!e.is_directory()) continue;
    for (const auto& t : fs::directory_iterator(e.path())) bins.push_back(t.path().string());
  }
  ASSERT_GE(bins.size(), 10U);
  for (const auto& b : bins) expect_matches_go_version_m(b);
  std::cout << "compared " << bins.size() << " Debian Go binaries with go version -m\n";
}

TEST(GoBinary, StrippedBinaryKeepsItsBuildInfo) {
  BW_REQUIRE_COMMAND("go");
  BW_REQUIRE_COMMAND("strip");
  std::string goroot;
  ASSERT_EQ(testing::run_command("go env GOROOT", &goroot), 0);
  goroot = goroot.substr(0, goroot.find('\n'));
  testing::TempDir tmp;
  std::string copy = tmp.str() + "/gofmt";
  ASSERT_EQ(testing::run_command("strip -o '" + copy + "' '" + goroot + "/bin/gofmt'"), 0);
  std::string syms;
  testing::run_command("nm '" + copy + "' 2>&1 | head -1", &syms);
  EXPECT_NE(syms.find("no symbols"), std::string::npos) << syms;
  expect_matches_go_version_m(copy);
}

// A synthetic ELF with the pre-1.18 layout: the header holds pointers to Go string headers.
std::string old_format_elf(bool is64, bool big, const std::string& modtext, uint64_t bad_len = 0) {
  const uint64_t base = 0x400000;
  std::string f(0x400, '\0');
  auto put = [&](size_t off, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      f[off + static_cast<size_t>(big ? n - 1 - i : i)] = static_cast<char>((v >> (8 * i)) & 0xff);
    }
  };
  int ptr = is64 ? 8 : 4;
  std::string version = "go1.16.15";
  std::string sentinel(16, '\x01');
  std::string modinfo = sentinel + modtext + sentinel;
  f.replace(0x200, version.size(), version);
  f.replace(0x240, modinfo.size(), modinfo);
  // string headers at 0x180 and 0x190/0x1a0
  put(0x180, base + 0x200, ptr);
  put(0x180 + static_cast<size_t>(ptr), version.size(), ptr);
  put(0x1a0, base + 0x240, ptr);
  put(0x1a0 + static_cast<size_t>(ptr), bad_len != 0 ? bad_len : modinfo.size(), ptr);
  // build info header at 0x100
  std::string magic = "\xff Go buildinf:";
  f.replace(0x100, magic.size(), magic);
  f[0x10e] = static_cast<char>(ptr);
  f[0x10f] = big ? 1 : 0;
  put(0x110, base + 0x180, ptr);
  put(0x110 + static_cast<size_t>(ptr), base + 0x1a0, ptr);
  // ELF header + one writable PT_LOAD covering the file
  f.replace(0, 4,
            "\x7f"
            "ELF");
  f[4] = is64 ? 2 : 1;
  f[5] = big ? 2 : 1;
  f[6] = 1;
  if (is64) {
    put(32, 64, 8);    // e_phoff
    put(54, 56, 2);    // e_phentsize
    put(56, 1, 2);     // e_phnum
    put(64, 1, 4);     // PT_LOAD
    put(68, 6, 4);     // RW
    put(72, 0, 8);     // offset
    put(80, base, 8);  // vaddr
    put(96, f.size(), 8);
  } else {
    put(28, 52, 4);
    put(42, 32, 2);
    put(44, 1, 2);
    put(52, 1, 4);
    put(56, 0, 4);
    put(60, base, 4);
    put(68, f.size(), 4);
    put(76, 6, 4);
  }
  return f;
}

TEST(GoBinary, ReadsThePre118PointerLayoutInBothByteOrders) {
  std::string text =
      "path\tex.com/old\nmod\tex.com/old\tv1.0.0\th1:x=\ndep\tgolang.org/x/"
      "text\tv0.3.7\th1:y=\n=>\tgolang.org/x/text\tv0.3.8\th1:z=\n";
  for (bool is64 : {true, false}) {
    for (bool big : {false, true}) {
      auto info = read_go_build_info(old_format_elf(is64, big, text));
      ASSERT_TRUE(info.ok()) << is64 << big << ": " << info.error().message();
      EXPECT_EQ(info->go_version, "go1.16.15");
      EXPECT_EQ(
          ids(go_build_info_packages(*info)),
          (Ids{{"stdlib", "1.16.15"}, {"ex.com/old", "v1.0.0"}, {"golang.org/x/text", "v0.3.8"}}));
    }
  }
}

TEST(GoBinary, CorruptElfAndTruncatedBuildInfoAreClearErrors) {
  auto bad = read_go_build_info(old_format_elf(true, false, "path\tx\n", 1ULL << 40));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "Go build info: string length out of range");
  auto outside = read_go_build_info(old_format_elf(true, false, "path\tx\n", 0x1000));
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().message(), "Go build info: string data outside the file");
  // Inline layout whose varint length runs past the data.
  auto elf = old_format_elf(true, false, "path\tx\n");
  elf[0x10f] = 2;
  elf[0x120] = static_cast<char>(0xff);
  elf[0x121] = static_cast<char>(0x7f);
  elf.resize(0x130);
  elf.replace(96, 8, std::string("\x30\x01\0\0\0\0\0\0", 8));  // p_filesz = file size
  auto trunc = read_go_build_info(elf);
  ASSERT_FALSE(trunc.ok());
  EXPECT_EQ(trunc.error().message(), "Go build info: truncated strings");
  auto hdr = read_go_build_info(std::string("\x7f"
                                            "ELF\x02\x01\x01",
                                            7) +
                                std::string(60, '\xee'));
  ASSERT_FALSE(hdr.ok());
  EXPECT_EQ(hdr.error().code(), core::ErrorCode::kInvalidInput);
  EXPECT_TRUE(hdr.error().message().starts_with("ELF: ")) << hdr.error().message();
  auto none = read_go_build_info("just text");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), core::ErrorCode::kUnsupported);
}

TEST_F(GoModuleBuild, ImageScanReportsExecutablesOnlyAndWarnsOnCorruptOnes) {
  auto hello = testing::read_file(path("hello"));
  // Go's linker writes the section table near the start and the data at the end: half a
  // binary names a .go.buildinfo it no longer holds. A section table pointing past the end of
  // the file is a corrupt ELF.
  std::string truncated = hello.substr(0, hello.size() / 2);
  std::string corrupt = hello;
  corrupt[45] = '\x7f';  // e_shoff far beyond the file
  testing::ImageBuilder b;
  b.layer({testing::TarEntry::file("usr/local/bin/hello", hello, 0755),
           testing::TarEntry::file("srv/not-executable", hello, 0644),
           testing::TarEntry::file("usr/local/bin/half", truncated, 0755),
           testing::TarEntry::file("usr/local/bin/broken", corrupt, 0755),
           testing::TarEntry::file("src/go.mod", testing::read_file(path("src/go.mod"))),
           testing::TarEntry::file("src/go.sum", testing::read_file(path("src/go.sum"))),
           testing::TarEntry::file("old/go.mod",
                                   "module x\n\ngo 1.16\n\nrequire example.com/greet v1.2.3\n"),
           testing::TarEntry::file("old/go.sum",
                                   "example.com/greet v1.2.3 h1:a=\nexample.com/dep v0.1.0 "
                                   "h1:b=\nexample.com/dep v0.1.0/go.mod h1:c=\n")});
  testing::TempDir tmp;
  b.write_oci_layout(tmp.str() + "/img");
  auto img = image::open_image(tmp.str() + "/img", {});
  ASSERT_TRUE(img.ok()) << img.error().message();
  auto catalogers = all_catalogers();
  std::vector<const image::Analyzer*> analyzers;
  for (const auto& c : catalogers) analyzers.push_back(c.get());
  auto layers = image::read_layers(*img, analyzers, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  auto sbom = build_sbom(*img, *layers, catalogers);
  std::map<std::string, Ids> by_path;
  for (const auto& p : sbom.packages) {
    // A module found in several files is one package with every location (the SBOM merge).
    if (p.ecosystem == "golang") {
      for (const auto& l : p.locations) by_path[l.path].emplace(p.name, p.version);
    }
  }
  EXPECT_EQ(by_path["usr/local/bin/hello"], kHelloIds);
  EXPECT_EQ(by_path.count("usr/local/bin/half"), 0U);
  EXPECT_EQ(by_path.count("usr/local/bin/broken"), 0U);
  EXPECT_EQ(by_path.count("srv/not-executable"), 0U);
  EXPECT_EQ(by_path["src/go.mod"],
            (Ids{{"example.com/greet", "v1.2.3"}, {"example.com/local", "(devel)"}}));
  EXPECT_EQ(by_path.count("src/go.sum"), 0U);  // go 1.19's go.mod is complete
  EXPECT_EQ(by_path["old/go.sum"],
            (Ids{{"example.com/greet", "v1.2.3"}, {"example.com/dep", "v0.1.0"}}));
  bool warned = false, half = false;
  for (const auto& w : sbom.warnings) {
    half |= w ==
            "layer 1: usr/local/bin/half: go-binary: Go build info: .go.buildinfo lies past the "
            "end of the file (truncated?)";
    warned |=
        w == "layer 1: usr/local/bin/broken: go-binary: ELF: section header table outside the file";
  }
  EXPECT_TRUE(warned) << ::testing::PrintToString(sbom.warnings);
  EXPECT_TRUE(half) << ::testing::PrintToString(sbom.warnings);
}

// The executable catalogers match every path and narrow by header; whatever their place in
// the list, a non-executable evidence file stays with the cataloger that reads it.
TEST(GoBinary, CatchAllPatternDoesNotClaimOtherCatalogersEvidence) {
  testing::ImageBuilder b;
  b.layer({testing::TarEntry::file("var/lib/dpkg/status",
                                   "Package: nano\nStatus: install ok installed\nArchitecture: "
                                   "amd64\nVersion: 7.2-1\n\n")});
  testing::TempDir tmp;
  b.write_oci_layout(tmp.str() + "/img");
  auto img = image::open_image(tmp.str() + "/img", {});
  ASSERT_TRUE(img.ok()) << img.error().message();
  std::vector<std::unique_ptr<Cataloger>> catalogers;
  catalogers.push_back(std::make_unique<GoBinaryCataloger>());
  catalogers.push_back(std::make_unique<DpkgCataloger>());
  auto layers = image::read_layers(*img, {catalogers[0].get(), catalogers[1].get()}, {});
  ASSERT_TRUE(layers.ok()) << layers.error().message();
  auto sbom = build_sbom(*img, *layers, catalogers);
  ASSERT_EQ(sbom.packages.size(), 1U);
  EXPECT_EQ(sbom.packages[0].purl, "pkg:deb/debian/nano@7.2-1?arch=amd64");  // dpkg's finalize ran
}

}  // namespace
}  // namespace bulwark::catalog
